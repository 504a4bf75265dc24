"""Collected hand-ins as item-analysis data: each student's points per item (the collector's marks) and the
options each chose, named by their text.

An answer the learner displayed ("Show answer") scores 0, as in the gradebook. How choices are named:

- single, select all that apply: the option's text (each option chosen, for select all);
- numeric: "right (value)", the recognised wrong result ("wrong: value (d1)"), "other value" or "not a number";
- ordered: "right order" or "another order";
- matrix: "row text -> column text" for each row; cloze: "blank n: option text"; bow-tie: "group: option text".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..exports.common import number, plain
from ..quiz.grading import Result
from ..quiz.schema import Bowtie, Cloze, Item, Matrix, Numeric, Ordered, Sata, Single
from .gradebook import Collected, collect, load_assignment
from .handin import ResultsError
from .itemstats import NO_ANSWER, ClassResponses, ItemInfo

SHORT = 70


def _short(text: str) -> str:
    t = plain(text)
    return t if len(t) <= SHORT else t[: SHORT - 1].rstrip() + "\u2026"


def item_info(item: Item, label: str) -> ItemInfo:
    """The item's options (named as the report names them) and which are part of the right answer."""
    options: list[str] = []
    keys: list[str] = []
    if isinstance(item, Single | Sata):
        options = [_short(o.text) for o in item.options]
        keys = [_short(o.text) for o in item.options if o.correct]
    elif isinstance(item, Numeric):
        right = f"right ({number(item.answer.value)})"
        options = [right, *(f"wrong: {number(d.value)} (d{n})" for n, d in enumerate(item.distractors, start=1)),
                   "other value"]
        keys = [right]
    elif isinstance(item, Ordered):
        options, keys = ["right order", "another order"], ["right order"]
    elif isinstance(item, Matrix):
        cols = {c.id: _short(c.text) for c in item.columns}
        for r in item.rows:
            for c in item.columns:
                options.append(f"{_short(r.text)} -> {cols[c.id]}")
            keys.append(f"{_short(r.text)} -> {cols[r.answer]}")
    elif isinstance(item, Cloze):
        for n, b in enumerate(item.blanks, start=1):
            options += [f"blank {n}: {_short(o.text)}" for o in b.options]
            keys += [f"blank {n}: {_short(o.text)}" for o in b.options if o.correct]
    elif isinstance(item, Bowtie):
        for g in item.groups:
            options += [f"{_short(g.label)}: {_short(o.text)}" for o in g.options]
            keys += [f"{_short(g.label)}: {_short(o.text)}" for o in g.options if o.correct]
    return ItemInfo(item.id, label, _short(item.stem), float(_max(item)), tuple(options), tuple(keys))


def _max(item: Item) -> int:
    from ..quiz.grading import max_score

    return max_score(item)


def choices(item: Item, response: Any, result: Result | None) -> tuple[str, ...]:
    """The options one response chose, named as :func:`item_info` names them."""
    if response is None or result is None:
        return (NO_ANSWER,)
    try:
        if isinstance(item, Single):
            return tuple(_short(o.text) for o in item.options if o.id == response) or ("not an option",)
        if isinstance(item, Sata):
            picked = set(response) if isinstance(response, list) else set()
            return tuple(_short(o.text) for o in item.options if o.id in picked) or (NO_ANSWER,)
        if isinstance(item, Numeric):
            if result.status == "invalid":
                return ("not a number",)
            if result.status == "correct":
                return (f"right ({number(item.answer.value)})",)
            for m in result.marks:
                if m.key.startswith("d") and m.key[1:].isdigit():
                    n = int(m.key[1:])
                    return (f"wrong: {number(item.distractors[n - 1].value)} (d{n})",)
            return ("other value",)
        if isinstance(item, Ordered):
            return ("right order",) if result.status == "correct" else ("another order",)
        if isinstance(item, Matrix):
            answers = response if isinstance(response, dict) else {}
            cols = {c.id: _short(c.text) for c in item.columns}
            return tuple(f"{_short(r.text)} -> {cols[answers[r.id]]}" for r in item.rows
                         if answers.get(r.id) in cols) or (NO_ANSWER,)
        if isinstance(item, Cloze):
            answers = response if isinstance(response, dict) else {}
            out = []
            for n, b in enumerate(item.blanks, start=1):
                out += [f"blank {n}: {_short(o.text)}" for o in b.options if o.id == answers.get(b.id)]
            return tuple(out) or (NO_ANSWER,)
        if isinstance(item, Bowtie):
            answers = response if isinstance(response, dict) else {}
            out = []
            for g in item.groups:
                picked = answers.get(g.id) if isinstance(answers.get(g.id), list) else []
                out += [f"{_short(g.label)}: {_short(o.text)}" for o in g.options if o.id in set(picked)]
            return tuple(out) or (NO_ANSWER,)
    except (TypeError, KeyError, IndexError):
        pass
    return ("unreadable answer",)


def from_collected(collected: Collected) -> ClassResponses:
    """The class's marks and choices from :func:`her2course.results.collect` (the hand-in folder)."""
    a = collected.assignment
    entries = list(a.entries)
    infos = [item_info(e.item, f"Q{n} {e.id}") for n, e in enumerate(entries, start=1)]
    rows = sorted(collected.rows.values(), key=lambda r: (r.key, r.source.name))
    scores: list[list[float | None]] = []
    picks: list[list[tuple[str, ...]]] = []
    for row in rows:
        scores.append([float(row.scores[e.id]) if e.id in row.scores else None for e in entries])
        picks.append([choices(e.item, row.responses.get(e.id), row.results.get(e.id)) for e in entries])
    notes = []
    if collected.rejected:
        notes.append(f"{len(collected.rejected)} hand-in file(s) rejected by the collector (not in the analysis)")
    revealed = sum(len(r.revealed) for r in rows)
    if revealed:
        notes.append(f"{revealed} answer(s) were displayed with Show answer before hand-in and score 0")
    return ClassResponses(infos, [r.student for r in rows], scores, picks,
                          f"{len(rows)} hand-ins for assignment {a.id}", notes)


def read_handins(folder: Path, notebook: Path) -> tuple[ClassResponses, list[tuple[Path, str]]]:
    """Collect and mark a hand-in folder as ``results collect`` does; (the class's data, the files rejected)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ResultsError(f"{folder} is not a folder")
    got = collect(folder, load_assignment(Path(notebook)))
    if not got.rows:
        raise ResultsError(f"no usable hand-in for assignment {got.assignment.id} in {folder}")
    return from_collected(got), got.rejected
