"""The course glossary (``data/glossary.yaml``): every key term defined once, rendered as the glossary page."""

from __future__ import annotations

from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from .errors import DataError, Problem
from .paths import Layout, package_layout
from .yamlfile import validate_file


class Term(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    term: str = Field(min_length=2)
    definition: str = Field(min_length=20)
    see_also: list[str] = []
    references: list[str] = []


def validate(layout: Layout) -> tuple[list[Term], list[Problem]]:
    path = layout.data_dir / "glossary.yaml"
    items, problems = validate_file(path, layout.bib, Term, list_key="terms", id_field="term")
    known = {t.term for t in items}
    for t in items:
        problems += [Problem(path, t.term, "see_also", f"'{s}' is not a glossary term")
                     for s in t.see_also if s not in known]
    return items, problems


@lru_cache(maxsize=1)
def terms() -> tuple[Term, ...]:
    items, problems = validate(package_layout())
    if problems:
        raise DataError(problems)
    return tuple(sorted(items, key=lambda t: t.term.casefold()))


def myst_lines() -> list[str]:
    """The body of a Sphinx ``glossary`` directive in MyST syntax (definitions may use MyST roles)."""
    lines: list[str] = []
    for t in terms():
        lines.append(t.term)
        text = t.definition
        if t.references:
            text += " {cite:p}`" + ",".join(t.references) + "`"
        if t.see_also:
            text += " See also: " + ", ".join("{term}`" + s + "`" for s in t.see_also) + "."
        lines.append("   " + text)
        lines.append("")
    return lines


def index_letter(term: str) -> str:
    """The letter a term is filed under on the glossary page (its first letter or digit; '#' for anything else)."""
    first = next((ch for ch in term if ch.isalnum()), "#")
    return first.upper() if first.isalpha() else "#"
