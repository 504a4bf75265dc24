"""Choosing items for an assignment: filters over every question bank, a count and a seed.

The same filters, count and seed always give the same items in the same order (the course's order: chapter, then
the bank's order), and the same assignment id: ``asg-`` plus a digest of the item ids and the seed. The seed also
draws the values of every parametric item (:mod:`her2course.quiz.forms`): an assignment is an exam form whose
numbers differ from the book's practice version and from every other seed's.

The banks are the course's (``data/questions``) or, for graded work, an instructor's private folder of banks in
the same format (``--bank-dir DIR`` or ``$HER2COURSE_BANK_DIR``), validated like the course's before use.
"""

from __future__ import annotations

import hashlib
import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .. import outcomes
from ..errors import DataError, Problem
from ..paths import package_layout
from ..quiz import forms
from ..quiz.bank import Bank, load_bank, questions_dir, validate_folder
from ..quiz.grading import max_score
from ..quiz.schema import CJMM_CHOICES, ITEM_TYPES, Item, Numeric

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

    @property
    def mapping(self) -> outcomes.Mapping | None:
        """The NCLEX-RN, AACN and QSEN categories the item inherits from its learning outcome."""
        return outcomes.mapping_for(self.item.learning_outcome)


BANK_DIR_ENV = "HER2COURSE_BANK_DIR"
PRIVATE_BIB = "references.bib"  # a private bank folder may hold its own bibliography next to its banks


def bank_dir_from(explicit: str | Path | None) -> Path | None:
    """The private bank folder a command should use: ``--bank-dir``, else ``$HER2COURSE_BANK_DIR``, else None
    (the course's banks)."""
    value = explicit if explicit not in (None, "") else os.environ.get(BANK_DIR_ENV, "")
    return Path(value).expanduser() if value else None


def chapters(bank_dir: Path | None = None) -> list[str]:
    """The chapters with questions: one per bank file, and (for the course's banks) the unfolding cases' chapter."""
    folder = bank_dir if bank_dir is not None else questions_dir(package_layout())
    found = {p.stem for p in folder.glob("*.yaml")}
    if bank_dir is None:
        from ..cases.bank import CHAPTER
        from ..cases.loader import case_ids

        if case_ids():
            found.add(CHAPTER)
    return sorted(found)


def check_bank_dir(bank_dir: Path) -> tuple[int, list[Problem]]:
    """Validate a private bank folder exactly as ``her2course check`` validates the course's banks (schema,
    learning outcomes, reference keys against the course bibliography plus the folder's own references.bib,
    unique ids, every parametric item's forms); (number of valid items, problems)."""
    folder = Path(bank_dir)
    if not folder.is_dir():
        return 0, [Problem(folder, None, None, "is not a folder (give the folder that holds your bank .yaml files)")]
    if not any(folder.glob("*.yaml")):
        return 0, [Problem(folder, None, None, "holds no .yaml bank file (one file per bank, named after its "
                                               "'chapter' field, as in the course's data/questions folder)")]
    extra = folder / PRIVATE_BIB
    items, problems = validate_folder(folder, package_layout().bib, extra if extra.is_file() else None)
    return len(items), problems


def chapter_entries(chapter: str, bank_dir: Path | None = None) -> list[Entry]:
    """A chapter's questions: its bank's (in ``bank_dir`` when given), or (the course's chapter 7) the unfolding
    cases' stage items with their context."""
    from ..cases.bank import CHAPTER, case_banks

    if bank_dir is not None:
        banks = [load_bank(Path(bank_dir) / f"{chapter}.yaml")]
    else:
        banks = case_banks() if chapter == CHAPTER else [load_bank(chapter)]
    return [Entry(item, bank) for bank in banks for item in bank.items]


def all_entries(bank_dir: Path | None = None) -> list[Entry]:
    """Every question of every bank and every case (the course's, or the banks in ``bank_dir``), in course order.

    A private folder is validated first; a DataError lists every problem (file, item, field)."""
    if bank_dir is not None:
        _, problems = check_bank_dir(bank_dir)
        if problems:
            raise DataError(problems)
    return [e for chapter in chapters(bank_dir) for e in chapter_entries(chapter, bank_dir)]


def form_entries(entries: Sequence[Entry], seed: int) -> tuple[Entry, ...]:
    """The entries with every parametric item drawn for ``seed`` (the exam form); other items unchanged."""
    return tuple(Entry(forms.draw(e.item, seed), e.bank) if isinstance(e.item, Numeric) and e.item.parametric
                 else e for e in entries)


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
    nclex: tuple[str, ...] = ()  # NCLEX-RN client-needs categories, AACN domains, QSEN competencies (exact names),
    aacn: tuple[str, ...] = ()   # matched against the mapping each item inherits from its learning outcome
    qsen: tuple[str, ...] = ()

    @classmethod
    def make(cls, chapters: Iterable[str] = (), types: Iterable[str] = (), cjmm: Iterable[str] = (),
             difficulty: Iterable[str] = (), tags: Iterable[str] = (), known_chapters: Sequence[str] | None = None,
             nclex: Iterable[str] = (), aacn: Iterable[str] = (), qsen: Iterable[str] = ()) -> Filters:
        """Validated filters: an unknown value raises ValueError naming it and the values allowed."""
        known = list(known_chapters) if known_chapters is not None else chapters_list()
        return cls(
            chapters=tuple(_resolve_chapter(c, known) for c in chapters),
            types=_check("item type", types, ITEM_TYPES),
            cjmm=_check("clinical-judgment step", cjmm, CJMM_CHOICES),
            difficulty=_check("difficulty", difficulty, DIFFICULTIES),
            tags=tuple(tags),
            nclex=tuple(outcomes.resolve("nclex", v) for v in nclex),
            aacn=tuple(outcomes.resolve("aacn", v) for v in aacn),
            qsen=tuple(outcomes.resolve("qsen", v) for v in qsen),
        )

    def match(self, e: Entry) -> bool:
        return ((not self.chapters or e.chapter in self.chapters)
                and (not self.types or e.item.type in self.types)
                and (not self.cjmm or e.item.cjmm_step in self.cjmm)
                and (not self.difficulty or e.item.difficulty in self.difficulty)
                and (not self.tags or bool(set(self.tags) & set(e.item.tags)))
                and all(not wanted or outcomes.matches(e.item.learning_outcome, fw, wanted)
                        for fw, wanted in (("nclex", self.nclex), ("aacn", self.aacn), ("qsen", self.qsen))))

    def describe(self) -> str:
        parts = [f"{name}={','.join(vals)}" for name, vals in
                 (("chapter", self.chapters), ("type", self.types), ("cjmm", self.cjmm),
                  ("difficulty", self.difficulty), ("tag", self.tags), ("nclex", self.nclex),
                  ("aacn", self.aacn), ("qsen", self.qsen)) if vals]
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
    bank_dir: Path | None = None  # a private bank folder (None: the course's banks)

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
    def parametric(self) -> list[Entry]:
        """The entries whose numbers were drawn for this form."""
        return [e for e in self.entries if isinstance(e.item, Numeric) and e.item.form is not None]

    @property
    def learning_outcomes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for e in self.entries:
            out.setdefault(e.item.learning_outcome, e.outcome_text)
        return out


def select(filters: Filters, count: int | None = None, seed: int = DEFAULT_SEED,
           entries: Sequence[Entry] | None = None, title: str | None = None,
           bank_dir: Path | None = None) -> Assignment:
    """The assignment: the matching items, or ``count`` of them drawn with ``seed``, kept in course order, each
    parametric item filled in with the values ``seed`` draws."""
    pool = filter_entries(filters, entries if entries is not None else all_entries(bank_dir))
    if not pool:
        raise ValueError(f"no question matches the filters ({filters.describe()})")
    if count is not None:
        if count < 1:
            raise ValueError("--count must be at least 1")
        if count > len(pool):
            raise ValueError(f"--count {count} asks for more questions than match the filters ({len(pool)})")
        keep = set(random.Random(seed).sample(range(len(pool)), count))
        pool = [e for i, e in enumerate(pool) if i in keep]
    return Assignment(form_entries(pool, seed), seed, title, filters, bank_dir)


def from_ids(item_ids: Sequence[str], seed: int = DEFAULT_SEED, title: str | None = None,
             entries: Sequence[Entry] | None = None, bank_dir: Path | None = None) -> Assignment:
    """An assignment from explicit item ids (in the order given), parametric items drawn for ``seed``."""
    by_id = {e.id: e for e in (entries if entries is not None else all_entries(bank_dir))}
    missing = [i for i in item_ids if i not in by_id]
    if missing:
        where = f"the banks in {bank_dir}" if bank_dir is not None else "the course banks"
        raise ValueError(f"no question with id {', '.join(missing)} in {where}")
    return Assignment(form_entries([by_id[i] for i in item_ids], seed), seed, title, bank_dir=bank_dir)
