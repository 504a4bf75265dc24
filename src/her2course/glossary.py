"""The course glossary (``data/glossary.yaml``): every key term defined once, rendered as the glossary page.

Terms and definitions are plain text. ``her2course check`` refuses raw HTML in them, and the glossary page is
built so that nothing in the data can become markup at all: every character MyST could read as syntax is
escaped, and reference keys and cross-references go into roles that their content cannot leave.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from .errors import DataError, Problem
from .myst import literal, role
from .paths import Layout, package_layout
from .yamlfile import validate_file


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=2)
    definition: str = Field(min_length=20)
    see_also: list[str] = []
    references: list[str] = []


# an HTML tag, comment or declaration opening: "<b", "</i", "<!--", "<?"; a bare "<" as in "LVEF < 50%" is text
RAW_HTML = re.compile(r"<\s*/?\s*[A-Za-z!?]")


def markup_problems(path, items: list[Term]) -> list[Problem]:
    """Raw HTML in a term, a definition or a see-also: the page would show it as text, and it may carry script."""
    out = []
    for t in items:
        for field, values in (("term", [t.term]), ("definition", [t.definition]), ("see_also", t.see_also)):
            if any(RAW_HTML.search(v) for v in values):
                out.append(Problem(path, t.term, field, "raw HTML is not allowed in the glossary: write plain text"))
    return out


def validate(layout: Layout) -> tuple[list[Term], list[Problem]]:
    path = layout.data_dir / "glossary.yaml"
    items, problems = validate_file(path, layout.bib, Term, list_key="terms", id_field="term")
    known = {t.term for t in items}
    for t in items:
        problems += [Problem(path, t.term, "see_also", f"'{s}' is not a glossary term")
                     for s in t.see_also if s not in known]
    return items, problems + markup_problems(path, items)


@lru_cache(maxsize=1)
def terms() -> tuple[Term, ...]:
    items, problems = validate(package_layout())
    if problems:
        raise DataError(problems)
    return tuple(sorted(items, key=lambda t: t.term.casefold()))


def myst_lines(items: tuple[Term, ...] | None = None) -> list[str]:
    """The body of a Sphinx ``glossary`` directive in MyST syntax: each term, then its definition with citations
    and see-also links (the only markup, made by this function)."""
    lines: list[str] = []
    for t in terms() if items is None else items:
        lines.append(literal(t.term))
        lines.append("   " + definition_myst(t))
        lines.append("")
    return lines


def definition_myst(t: Term) -> str:
    """A term's definition in MyST: its text as a literal, then its citations and see-also links as roles (the only
    markup, made here)."""
    text = literal(t.definition)
    if t.references:
        text += " " + role("cite:p", ",".join(t.references))
    if t.see_also:
        text += " See also: " + ", ".join(role("term", s) for s in t.see_also) + "."
    return text


def index_letter(term: str) -> str:
    """The letter a term is filed under on the glossary page (its first letter or digit; '#' for anything else)."""
    first = next((ch for ch in term if ch.isalnum()), "#")
    return first.upper() if first.isalpha() else "#"
