"""The front-end files and their cache-busting tag: mount.js imports ``./quiz.js?v=<first 10 hex of sha256>``.

Run ``python -m her2course.quiz.assets`` after editing quiz.js to update the tag in mount.js.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "static"
QUIZ_JS = STATIC / "quiz.js"
MOUNT_JS = STATIC / "mount.js"
_IMPORT = re.compile(r'(import quiz from "\./quiz\.js\?v=)([^"]*)(";)')


def quiz_version() -> str:
    return hashlib.sha256(QUIZ_JS.read_bytes()).hexdigest()[:10]


def mount_version() -> str | None:
    m = _IMPORT.search(MOUNT_JS.read_text(encoding="utf-8"))
    return m.group(2) if m else None


def sync() -> bool:
    """Write quiz.js's tag into mount.js; return True if mount.js changed."""
    text = MOUNT_JS.read_text(encoding="utf-8")
    new = _IMPORT.sub(lambda m: m.group(1) + quiz_version() + m.group(3), text, count=1)
    if new != text:
        MOUNT_JS.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":  # pragma: no cover
    changed = sync()
    print(f"mount.js imports quiz.js?v={quiz_version()}" + (" (updated)" if changed else " (already current)"))
    sys.exit(0)
