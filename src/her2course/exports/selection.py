"""Choosing items for an assignment: filters over every question bank, a count and a seed.

The same filters, count and seed always give the same items in the same order (the course's order: chapter, then
the bank's order), and the same assignment id: ``asg-`` plus a digest of the item ids and the seed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from ..paths import package_layout
from ..quiz.bank import Bank, load_bank, questions_dir
from ..quiz.grading import max_score
from ..quiz.schema import CJMM_STEPS, ITEM_TYPES, Item

DEFAULT_SEED = 1
DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Entry:
    """One question with the bank it comes from."""

    item: Item
    bank: Bank

    @property
    def id(self) -> str:
        return self.item.id

    @property
    def chapter(self) -> str:
        return self.bank.chapter

    @property
    def outcome_text(self) -> str:
        return self.bank.learning_outcomes.get(self.item.learning_outcome, "")

    @property
    def max(self) -> int:
        return max_score(self.item)


def chapters() -> list[str]:
    """The chapters with questions: one per bank file, and the unfolding cases' chapter."""
    from ..cases.bank import CHAPTER
    from ..cases.loader import case_ids

    folder = questions_dir(package_layout())
    found = {p.stem for p in folder.glob("*.yaml")}
    if case_ids():
        found.add(CHAPTER)
    return sorted(found)


def chapter_entries(chapter: str) -> list[Entry]:
    """A chapter's questions: its bank's, or (chapter 7) the unfolding cases' stage items with their context."""
    from ..cases.bank import CHAPTER, case_banks

    banks = case_banks() if chapter == CHAPTER else [load_bank(chapter)]
    return [Entry(item, bank) for bank in banks for item in bank.items]


def all_entries() -> list[Entry]:
    """Every question of every bank and every case, in course order."""
    return [e for chapter in chapters() for e in chapter_entries(chapter)]


def _resolve_chapter(value: str, known: Sequence[str]) -> str:
    """A chapter by id, or by its number ('1', '01') as a shorthand."""
    if value in known:
        return value
    if value.isdigit():
        hits = [c for c in known if c.split("-", 1)[0].lstrip("0") == value.lstrip("0")]
        if len(hits) == 1:
            return hits[0]
    raise ValueError(f"unknown chapter '{value}' (chapters: {', '.join(known)})")


def _check(name: str, values: Iterable[str], allowed: Sequence[str]) -> tuple[str, ...]:
    values = tuple(values)
    for v in values:
        if v not in allowed:
            raise ValueError(f"unknown {name} '{v}' (use one of: {', '.join(allowed)})")
    return values


@dataclass(frozen=True)
class Filters:
    """Any of the values within one filter, all of the filters together; an empty filter lets everything pass."""

    chapters: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    cjmm: tuple[str, ...] = ()
    difficulty: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @classmethod
    def make(cls, chapters: Iterable[str] = (), types: Iterable[str] = (), cjmm: Iterable[str] = (),
             difficulty: Iterable[str] = (), tags: Iterable[str] = (), known_chapters: Sequence[str] | None = None
             ) -> Filters:
        """Validated filters: an unknown value raises ValueError naming it and the values allowed."""
        known = list(known_chapters) if known_chapters is not None else chapters_list()
        return cls(
            chapters=tuple(_resolve_chapter(c, known) for c in chapters),
            types=_check("item type", types, ITEM_TYPES),
            cjmm=_check("clinical-judgment step", cjmm, CJMM_STEPS),
            difficulty=_check("difficulty", difficulty, DIFFICULTIES),
            tags=tuple(tags),
        )

    def match(self, e: Entry) -> bool:
        return ((not self.chapters or e.chapter in self.chapters)
                and (not self.types or e.item.type in self.types)
                and (not self.cjmm or e.item.cjmm_step in self.cjmm)
                and (not self.difficulty or e.item.difficulty in self.difficulty)
                and (not self.tags or bool(set(self.tags) & set(e.item.tags))))

    def describe(self) -> str:
        parts = [f"{name}={','.join(vals)}" for name, vals in
                 (("chapter", self.chapters), ("type", self.types), ("cjmm", self.cjmm),
                  ("difficulty", self.difficulty), ("tag", self.tags)) if vals]
        return "; ".join(parts) or "no filter"


def chapters_list() -> list[str]:
    return chapters()


def filter_entries(filters: Filters, entries: Sequence[Entry] | None = None) -> list[Entry]:
    pool = list(entries) if entries is not None else all_entries()
    return [e for e in pool if filters.match(e)]


def assignment_id(item_ids: Sequence[str], seed: int) -> str:
    """``asg-`` + the first 12 hex digits of sha256(item ids, one a line, then the seed)."""
    text = "\n".join(item_ids) + f"\nseed={seed}"
    return "asg-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Assignment:
    """The items of one assignment, their order and identity."""

    entries: tuple[Entry, ...]
    seed: int = DEFAULT_SEED
    title_: str | None = None
    filters: Filters = field(default_factory=Filters)

    @cached_property
    def id(self) -> str:
        return assignment_id(self.item_ids, self.seed)

    @property
    def item_ids(self) -> list[str]:
        return [e.id for e in self.entries]

    @property
    def title(self) -> str:
        return self.title_ or f"HER2-targeted therapy: quiz {self.id}"

    @property
    def max(self) -> int:
        return sum(e.max for e in self.entries)

    @property
    def learning_outcomes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for e in self.entries:
            out.setdefault(e.item.learning_outcome, e.outcome_text)
        return out


def select(filters: Filters, count: int | None = None, seed: int = DEFAULT_SEED,
           entries: Sequence[Entry] | None = None, title: str | None = None) -> Assignment:
    """The assignment: the matching items, or ``count`` of them drawn with ``seed``, kept in course order."""
    pool = filter_entries(filters, entries)
    if not pool:
        raise ValueError(f"no question matches the filters ({filters.describe()})")
    if count is not None:
        if count < 1:
            raise ValueError("--count must be at least 1")
        if count > len(pool):
            raise ValueError(f"--count {count} asks for more questions than match the filters ({len(pool)})")
        keep = set(random.Random(seed).sample(range(len(pool)), count))
        pool = [e for i, e in enumerate(pool) if i in keep]
    return Assignment(tuple(pool), seed, title, filters)


def from_ids(item_ids: Sequence[str], seed: int = DEFAULT_SEED, title: str | None = None,
             entries: Sequence[Entry] | None = None) -> Assignment:
    """An assignment from explicit item ids (in the order given)."""
    by_id = {e.id: e for e in (entries if entries is not None else all_entries())}
    missing = [i for i in item_ids if i not in by_id]
    if missing:
        raise ValueError(f"no question with id {', '.join(missing)} in the course banks")
    return Assignment(tuple(by_id[i] for i in item_ids), seed, title)
