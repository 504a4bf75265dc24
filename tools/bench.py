"""``make bench``: build and test timings and sizes of the book. Prints figures; asserts nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BUILD = ROOT / "_build"


def timed(cmd: list[str], **kw) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def build_cmd() -> list[str]:
    return [str(BIN / "jupyter-book"), "build", "-W", "-n", "--keep-going", "."]


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    shutil.rmtree(BUILD, ignore_errors=True)
    cold = timed(build_cmd())
    page = ROOT / "book" / "index.md"
    os.utime(page)
    warm = timed(build_cmd())
    html = BUILD / "html"
    pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    largest = max(pages, key=lambda p: p.stat().st_size)
    test = timed(["make", "test"])
    rows = [
        ("cold build (force-execute), s", f"{cold:.1f}"),
        ("warm rebuild after touching book/index.md, s", f"{warm:.1f}"),
        ("make test, s", f"{test:.1f}"),
        ("notebooks", str(len(notebooks))),
        ("HTML pages", str(len(pages))),
        ("_build/html total, MB", f"{tree_size(html) / 1e6:.2f}"),
        (f"largest page ({largest.relative_to(html)}), KB", f"{largest.stat().st_size / 1e3:.0f}"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
