"""Keeping the course current: the "What changed" log, the instructors' currency notes, and stale-flag warnings.

- ``data/changes.yaml`` lists every clinical update the course has taken in: what changed in practice and when
  (an approval, a label revision, a trial report, a new CTCAE version), the date the course was updated, the
  chapters that now teach it, and the sources. The book's "What changed" page is rendered from it.
- Open items (a label not yet read in full, a number seen only in a secondary source) live beside the facts they
  qualify, as the ``flags`` of ``data/drugs.yaml``, each with the month it was last checked. Learners never see
  them: the instructors' "Currency notes" page lists them.
- ``stale_flags`` finds every flag last checked more than six months before a given day; ``her2course check``
  prints them as warnings (they do not fail the check), so an author knows what to re-check.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .errors import DataError, Problem
from .myst import literal, role
from .paths import Layout, package_layout
from .yamlfile import validate_file

CHANGES_FILE = "changes.yaml"
STALE_AFTER_MONTHS = 6

_DAY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")
_MONTH_OR_DAY = re.compile(r"^\d{4}-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?$")
_CHAPTER = re.compile(r"^\d\d-[a-z0-9]+(-[a-z0-9]+)*$")


class Change(BaseModel):
    """One clinical update the course has taken in."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    date: str = Field(description="when it happened in practice: YYYY-MM or YYYY-MM-DD")
    updated: str = Field(description="the day the course took it in: YYYY-MM-DD")
    topic: str = Field(min_length=3)
    summary: str = Field(min_length=20)
    chapters: list[str] = Field(default=[], description="notebook names, e.g. 05-toxicity-management")
    references: list[str] = Field(min_length=1)

    @field_validator("date")
    @classmethod
    def _date(cls, value: str) -> str:
        if not _MONTH_OR_DAY.match(value):
            raise ValueError(f"must be YYYY-MM or YYYY-MM-DD, got '{value}'")
        return value

    @field_validator("updated")
    @classmethod
    def _updated(cls, value: str) -> str:
        if not _DAY.match(value):
            raise ValueError(f"must be a day as YYYY-MM-DD, got '{value}'")
        dt.date.fromisoformat(value)  # rejects 2026-02-30
        return value

    @field_validator("chapters")
    @classmethod
    def _chapters(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if not _CHAPTER.match(c)]
        if bad:
            raise ValueError(f"chapters are notebook names such as '05-toxicity-management', got {bad}")
        return value

    @property
    def updated_day(self) -> dt.date:
        return dt.date.fromisoformat(self.updated)


def validate_changes(layout: Layout) -> tuple[list[Change], list[Problem]]:
    """Validate ``changes.yaml``: schema, reference keys, and newest first (by the day the course was updated)."""
    path = layout.data_dir / CHANGES_FILE
    items, problems = validate_file(path, layout.bib, Change, list_key="changes")
    for before, after in itertools.pairwise(items):
        if after.updated > before.updated:
            problems.append(Problem(path, after.id, "updated", f"{after.updated} is listed after {before.updated}: "
                                    "list the changes newest first"))
    return items, problems


def changes(layout: Layout | None = None) -> list[Change]:
    """The validated change log; a DataError lists every problem."""
    items, problems = validate_changes(layout or package_layout())
    if problems:
        raise DataError(problems)
    return items


# ---- stale flags ---------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StaleFlag:
    """A data flag last checked more than six months ago: where it is, and what it says."""

    file: Path
    item: str
    as_of: str
    text: str

    def __str__(self) -> str:
        return f"{self.file}: item '{self.item}': flag last checked {self.as_of}: {self.text}"


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def is_stale(as_of: str, today: dt.date, months: int = STALE_AFTER_MONTHS) -> bool:
    """True when ``as_of`` (YYYY-MM, read as the first day of that month) is more than ``months`` months before
    ``today``: a flag from 2026-05 is stale from 2 November 2026; one from 2026-06 from 2 December 2026."""
    year, month = (int(x) for x in as_of.split("-")[:2])
    return today > _add_months(dt.date(year, month, 1), months)


def stale_flags(layout: Layout, today: dt.date, months: int = STALE_AFTER_MONTHS) -> list[StaleFlag]:
    """Every flag in ``drugs.yaml`` last checked more than ``months`` months before ``today``, oldest first.

    A drug that fails validation is skipped here: ``her2course check`` reports it as a problem anyway.
    """
    from . import drugs

    items, _ = drugs.validate(layout)
    found = [StaleFlag(layout.drugs, d.id, f.as_of, f.text) for d in items for f in d.flags
             if is_stale(f.as_of, today, months)]
    return sorted(found, key=lambda s: (s.as_of, s.item))


def print_stale_flags(layout: Layout, today: dt.date | None = None, out: TextIO | None = None) -> int:
    """Print the stale-flag warnings for ``her2course check``; return how many there are (they never fail it)."""
    out = out or sys.stdout
    today = today or dt.date.today()
    found = stale_flags(layout, today)
    if not found:
        print(f"Currency: no data flag was last checked more than {STALE_AFTER_MONTHS} months before "
              f"{today.isoformat()}.", file=out)
        return 0
    print(f"Currency warning: {len(found)} data flag{'s' if len(found) != 1 else ''} last checked more than "
          f"{STALE_AFTER_MONTHS} months before {today.isoformat()} (re-check each against its source, then update "
          "its as_of or remove it):", file=out)
    for flag in found:
        print(f"  - {flag}", file=out)
    return len(found)


def parse_day(text: str) -> dt.date:
    """A YYYY-MM-DD day for the command line; ValueError names the expected form."""
    if not _DAY.match(text or ""):
        raise ValueError(f"expected a day as YYYY-MM-DD, got '{text}'")
    return dt.date.fromisoformat(text)


# ---- the two book pages --------------------------------------------------------------------------------------------

def _cited(text: str, keys: Iterable[str]) -> str:
    """``text`` as MyST that shows it exactly as written (no markup can start in data), with a citation before its
    final full stop, as the chapters cite."""
    keys = list(dict.fromkeys(keys))
    body = text.rstrip()
    end = "." if body.endswith(".") else ""
    body = literal(body[: len(body) - len(end)])
    return body + (" " + role("cite:p", ",".join(keys)) if keys else "") + end


def _human(day: str) -> str:
    parts = [int(p) for p in day.split("-")]
    month = dt.date(parts[0], parts[1], 1).strftime("%B")
    return f"{parts[2]} {month} {parts[0]}" if len(parts) == 3 else f"{month} {parts[0]}"


def what_changed_lines(items: list[Change] | None = None, chapter_dir: str = "../notebooks") -> list[str]:
    """The "What changed" list in MyST: newest first, each update with its date, the chapters and the sources."""
    lines: list[str] = []
    for c in items if items is not None else changes():
        where = ", ".join(role("doc", f"{chapter_dir}/{ch}") for ch in c.chapters)
        text = f"- **{literal(c.topic)}** ({_human(c.date)}; in the course since {_human(c.updated)}). " + _cited(
            c.summary, c.references)
        if where:
            text += f" Where: {where}."
        lines += [text, ""]
    return lines


def currency_notes_lines(layout: Layout | None = None) -> list[str]:
    """The instructors' currency notes in MyST: every open flag, grouped by drug, with the month it was checked."""
    from . import drugs

    base = drugs.load(layout) if layout else drugs.base()
    lines: list[str] = []
    for d in base:
        if not d.flags:
            continue
        lines.append(f"- **{literal(d.display_name)}**")
        for f in sorted(d.flags, key=lambda f: f.as_of, reverse=True):
            lines.append(f"  - *Last checked {_human(f.as_of)}.* {_cited(f.text, f.references)}")
        lines.append("")
    return lines or ["No open items: every flagged fact has been checked against its source.", ""]
