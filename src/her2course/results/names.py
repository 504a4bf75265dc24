"""Students' names as typed: one Unicode form, a key to match hand-ins, and a skeleton to find look-alikes.

- :func:`clean`: NFKC (fullwidth and compatibility forms become plain letters), every run of whitespace one space.
- :func:`key`: the clean name casefolded: two hand-ins with the same key are the same student.
- :func:`shown`: the clean name with invisible characters (zero-width, bidirectional controls, other format or
  control characters) written as ``<U+200B>``, so that a gradebook row never hides what was typed.
- :func:`skeleton`: invisible characters and accents dropped, then each character replaced by a representative of
  its class of look-alike characters (Unicode's confusables data, UTS #39, as shipped by the
  ``confusable-homoglyphs`` package): Cyrillic 'а' and Latin 'a' share a skeleton, as do 'l', 'I' and '1'. Two
  names with the same skeleton but different keys are flagged as look-alikes for the instructor to check.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

_SPACE = re.compile(r"\s+")
_HIDDEN = ("Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp")


def clean(name: str) -> str:
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", name)).strip()


def key(name: str) -> str:
    return clean(name).casefold()


def _hidden(ch: str) -> bool:
    return unicodedata.category(ch) in _HIDDEN


def shown(name: str) -> str:
    return "".join(f"<U+{ord(c):04X}>" if _hidden(c) else c for c in clean(name))


def visible(name: str) -> bool:
    """Whether the name has at least one character that shows."""
    return any(not _hidden(c) and not c.isspace() for c in clean(name))


def has_hidden(name: str) -> bool:
    return any(_hidden(c) for c in clean(name))


@cache
def _classes() -> dict[str, str]:
    """Each single character of the confusables data -> the smallest member of its look-alike class."""
    from confusable_homoglyphs.confusables import confusables_data

    parent: dict[str, str] = {}

    def find(c: str) -> str:
        root = c
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(c, c) != root:
            parent[c], c = root, parent[c]
        return root

    for char, glyphs in confusables_data.items():
        if len(char) != 1:
            continue
        for g in glyphs:
            if len(g["c"]) == 1:
                a, b = find(char), find(g["c"])
                if a != b:
                    parent[max(a, b)] = min(a, b)
    return {c: find(c) for c in parent}


def skeleton(name: str) -> str:
    text = unicodedata.normalize("NFKD", clean(name).casefold())
    text = "".join(c for c in text if not _hidden(c) and not unicodedata.combining(c))
    classes = _classes()
    return _SPACE.sub(" ", "".join(classes.get(c, c) for c in text)).strip()
