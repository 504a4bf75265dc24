"""Data text in MyST: text shown exactly as written, and roles whose content cannot break out.

Every page made from data (the glossary, "What changed", the currency notes) builds its MyST from these two
functions, so that no HTML, link, role, directive or list can start inside a data string: the only markup on such
a page is what the code adds around the text.
"""

from __future__ import annotations

import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # every ASCII punctuation character: CommonMark lets each be escaped


def literal(text: str) -> str:
    """Text that MyST shows exactly as written, on one line: white space folded to single spaces and every ASCII
    punctuation character backslash-escaped, so no HTML, link, role, directive or list can start in it."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def role(name: str, content: str) -> str:
    """A MyST role whose content cannot close it early: the backtick fence is longer than any run inside."""
    content = " ".join(content.split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", content)), default=0) + 1)
    pad = " " if content.startswith("`") or content.endswith("`") else ""
    return f"{{{name}}}{fence}{pad}{content}{pad}{fence}"
