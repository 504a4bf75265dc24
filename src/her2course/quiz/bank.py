"""Loading and validating question banks; every problem names the file, the item id and the field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import DataError, Problem
from ..paths import Layout, package_layout
from ..references import Bibliography, load_bibliography, missing_keys
from ..yamlfile import load_named, read_yaml, validate_model
from . import forms
from .schema import ITEM_TYPES, MODELS, BankHeader, Item, Numeric


@dataclass(frozen=True)
class Bank:
    """One chapter's validated questions."""

    path: Path
    chapter: str
    title: str
    learning_outcomes: dict[str, str]
    items: tuple[Item, ...] = field(default_factory=tuple)
    outcome_map: dict[str, dict] = field(default_factory=dict)  # as written; her2course.outcomes reads it

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(f"no question '{item_id}' in {self.path.name}")


def questions_dir(layout: Layout) -> Path:
    return layout.data_dir / "questions"


def _loc(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(item)"


def _msg(err: dict[str, Any]) -> str:
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "extra_forbidden":
        return "unknown field (check the spelling against the schema)"
    msg = str(err["msg"])
    return msg.removeprefix("Value error, ")


def parse_bank(path: Path, raw: Any, bib: Bibliography | None = None) -> tuple[Bank | None, list[Problem]]:
    """Validate one bank's parsed YAML; return the bank (its valid items) and every problem found."""
    problems: list[Problem] = []
    if not isinstance(raw, dict):
        got = type(raw).__name__
        return None, [Problem(path, None, None, f"expected a mapping with 'chapter' and 'items', got {got}")]
    try:
        header = BankHeader.model_validate(raw)
    except ValidationError as exc:
        return None, [Problem(path, None, _loc(e["loc"]), _msg(e)) for e in exc.errors()]
    expected = path.stem
    if header.chapter != expected:
        problems.append(Problem(path, None, "chapter", f"'{header.chapter}' should match the file name '{expected}'"))
    items: list[Item] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(header.items):
        label = entry.get("id") if isinstance(entry, dict) else None
        name = str(label) if label else f"#{index + 1} (no id)"
        if not isinstance(entry, dict):
            problems.append(Problem(path, name, None, f"expected a mapping, got {type(entry).__name__}"))
            continue
        if label in seen:
            problems.append(Problem(path, name, "id", f"duplicate id (also item #{seen[label] + 1})"))
        elif label:
            seen[label] = index
        kind = entry.get("type")
        model = MODELS.get(kind) if isinstance(kind, str) else None
        if model is None:
            what = "is missing" if kind is None else f"'{kind}' is not a question type"
            problems.append(Problem(path, name, "type", f"{what}; use one of: {', '.join(ITEM_TYPES)}"))
            continue
        try:
            item = validate_model(model, entry)
        except ValidationError as exc:
            problems += [Problem(path, name, _loc(e["loc"]), _msg(e)) for e in exc.errors()]
            continue
        bad = False
        if header.learning_outcomes and item.learning_outcome not in header.learning_outcomes:
            known = ", ".join(header.learning_outcomes)
            problems.append(Problem(path, name, "learning_outcome",
                                    f"'{item.learning_outcome}' is not one of this bank's learning outcomes ({known})"))
            bad = True
        if bib is not None:
            missing = missing_keys(bib, path, name, "reference", item.reference)
            problems += missing
            bad = bad or bool(missing)
        if isinstance(item, Numeric) and item.parametric:
            item, found = forms.practice(item)  # the book's version: the authored values filled in and checked
            problems += [Problem(path, name, where, message) for where, message in found]
            bad = bad or bool(found)
        if not bad:
            items.append(item)  # type: ignore[arg-type]
    bank = Bank(path=path, chapter=header.chapter, title=header.title,
                learning_outcomes=dict(header.learning_outcomes), items=tuple(items),
                outcome_map=dict(header.outcome_map))
    return bank, problems


def validate(layout: Layout) -> tuple[list[Item], list[Problem]]:
    """Validate every bank in ``data/questions`` (for ``her2course check``); ids must be unique across banks."""
    return validate_folder(questions_dir(layout), layout.bib)


def validate_folder(folder: Path, bib_path: Path, extra_bib: Path | None = None,
                    draws: bool = True) -> tuple[list[Item], list[Problem]]:
    """Validate every bank in ``folder``: schema, reference keys (``bib_path``, and ``extra_bib`` when given: a
    private bank's own references.bib), unique ids, and (``draws``) that every parametric item gives a valid exam
    form for each of the seeds :data:`forms.CHECK_SEEDS`."""
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    problems: list[Problem] = []
    bib: Bibliography | None
    try:
        bib = load_bibliography(bib_path)
        if extra_bib is not None:
            bib = merged(bib, load_bibliography(extra_bib))
    except DataError as exc:
        problems += exc.problems
        bib = None
    all_items: list[Item] = []
    owner: dict[str, Path] = {}
    for path in files:
        try:
            raw = read_yaml(path)
        except DataError as exc:
            problems += exc.problems
            continue
        bank, found = parse_bank(path, raw, bib)
        problems += found
        if bank is None:
            continue
        for item in bank.items:
            if item.id in owner and owner[item.id] != path:
                problems.append(Problem(path, item.id, "id", f"id is also used in {owner[item.id].name}"))
            owner.setdefault(item.id, path)
            if draws and isinstance(item, Numeric):
                problems += [Problem(path, item.id, where, message) for where, message in forms.check_draws(item)]
        all_items += bank.items
    return all_items, problems


def merged(course: Bibliography, private: Bibliography) -> Bibliography:
    """The course bibliography with a private bank's own entries added (a key in both keeps the course's entry)."""
    from pybtex.database import BibliographyData

    data = BibliographyData()
    for bib in (course, private):
        for key, entry in bib.data.entries.items():
            if key not in data.entries:
                data.add_entry(key, entry)
    return Bibliography(path=private.path, data=data)


def _parse_unchecked(path: Path, raw: Any) -> tuple[Bank | None, list[Problem]]:
    """A bank without the reference-key check: ``her2course check`` (run before every book build) does that, so
    a notebook never fails for a bibliography entry that is still being merged."""
    return parse_bank(path, raw, None)


def load_bank(chapter: str | Path) -> Bank:
    """The bank for a chapter id (``"01-her2-biology"``) or a path to a bank file."""
    return load_named(chapter, questions_dir(package_layout()), "question bank", _parse_unchecked)

