"""Collecting a class's hand-ins: each file read safely, every answer marked again, one gradebook row per student.

Rules (the instructor guide states them):

- The assignment (its items, in order) comes from the notebook the instructor built and handed out, checked
  against its assignment id; never from a hand-in. A file for another assignment is rejected; an answer to an
  item outside the assignment is ignored and flagged.
- Every answer is marked with the course's grader; a score written in a file is never read.
- An item whose answer the learner displayed ("Show answer", recorded even if the quiz was reset later) scores 0
  and is listed in the ``revealed`` column.
- When one student (same name after Unicode normalisation and casefolding) hands in several files, the file most
  recently modified in the hand-in folder counts (ties: the last by file name); the others are listed as skipped,
  with both times. The file's own ``exported_at`` is never used: a student can write any date there.
- Names that look alike but differ (another script's letters, invisible characters, accents) are flagged.
- Text cells that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return) are
  written with a leading apostrophe (OWASP's advice on CSV injection).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..exports.selection import Assignment, assignment_id, from_ids
from ..quiz.grading import Result, grade
from . import names
from .handin import ResultsError, read_results

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def load_assignment(notebook: Path) -> Assignment:
    """The assignment of a notebook built with ``quiz build --format notebook`` (its her2course metadata)."""
    import nbformat

    path = Path(notebook)
    try:
        nb = nbformat.read(path, as_version=4)
    except FileNotFoundError:
        raise ResultsError(f"{path}: no such file") from None
    except Exception as exc:
        raise ResultsError(f"{path} is not a notebook ({type(exc).__name__}: {str(exc)[:120]})") from None
    meta = nb.metadata.get("her2course")
    if not isinstance(meta, dict) or not {"assignment", "items", "seed"} <= set(meta):
        raise ResultsError(f"{path} is not an assignment notebook (no her2course assignment metadata): give the "
                           "notebook made by `her2course quiz build --format notebook`")
    items, seed = meta["items"], meta["seed"]
    if (not isinstance(items, list) or not all(isinstance(i, str) for i in items) or not isinstance(seed, int)
            or isinstance(seed, bool)):
        raise ResultsError(f"{path}: the her2course metadata should hold a list of item ids and a whole-number seed")
    expected = assignment_id(items, seed)
    if meta["assignment"] != expected:
        raise ResultsError(f"{path}: its item list and seed give assignment {expected}, but it says "
                           f"{meta['assignment']}: the notebook was edited; build it again with `quiz build`")
    try:
        return from_ids(items, seed, meta.get("title") if isinstance(meta.get("title"), str) else None)
    except ValueError as exc:
        raise ResultsError(f"{path}: {exc}") from None


def _safe_grade(item: Any, response: Any) -> Result:
    try:
        return grade(item, response)
    except Exception:  # an answer the grader cannot read scores nothing
        return Result("invalid", 0, 0, "the answer could not be read")


@dataclass
class Marked:
    """One student's hand-in, marked."""

    name: str  # as typed, Unicode-normalised
    student: str  # as shown: invisible characters written out
    key: str
    source: Path
    modified: float
    scores: dict[str, int] = field(default_factory=dict)  # item -> points (answered items only)
    results: dict[str, Result] = field(default_factory=dict)
    responses: dict[str, Any] = field(default_factory=dict)
    revealed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.scores.values())


@dataclass
class Collected:
    assignment: Assignment
    rows: dict[str, Marked] = field(default_factory=dict)  # key -> the file that counts
    rejected: list[tuple[Path, str]] = field(default_factory=list)  # files not used, with the reason
    skipped: list[tuple[Path, str]] = field(default_factory=list)  # superseded or not results files
    used: list[tuple[Path, str]] = field(default_factory=list)  # why a file was chosen over another

    @property
    def items(self) -> list[str]:
        return self.assignment.item_ids


def _when(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def mark(path: Path, data: dict[str, Any], assignment: Assignment, modified: float) -> Marked:
    """Mark one validated results record against the assignment."""
    row = Marked(names.clean(data["student"]), names.shown(data["student"]), names.key(data["student"]), path,
                 modified)
    by_id = {e.id: e for e in assignment.entries}
    outside = [i for i in data["answers"] if i not in by_id]
    if outside:
        row.notes.append(f"ignored answers to items not in the assignment: {', '.join(sorted(outside)[:10])}")
    if names.has_hidden(data["student"]):
        row.notes.append("the name holds invisible characters (shown as <U+...>)")
    for item_id in assignment.item_ids:
        entry = data["answers"].get(item_id)
        if entry is None:
            continue
        result = _safe_grade(by_id[item_id].item, entry["response"])
        row.results[item_id] = result
        row.responses[item_id] = entry["response"]
        if entry["revealed"]:
            row.revealed.append(item_id)
            row.scores[item_id] = 0
        else:
            row.scores[item_id] = result.score if result.status != "invalid" else 0
    return row


def collect(folder: Path, assignment: Assignment) -> Collected:
    """Read and mark every results file in ``folder`` for ``assignment``; bad files are listed, never fatal."""
    out = Collected(assignment)
    for path in sorted(Path(folder).iterdir()):
        try:
            if path.is_dir() or path.suffix.lower() != ".json":
                out.skipped.append((path, "ignored: not a .json results file"))
                continue
            data = read_results(path)
            if data["assignment"] != assignment.id:
                raise ResultsError(f"is for assignment {data['assignment']}, not {assignment.id}")
            row = mark(path, data, assignment, path.stat().st_mtime)
        except ResultsError as exc:
            out.rejected.append((path, str(exc)))
            continue
        except Exception as exc:  # one file never stops the run for the class
            out.rejected.append((path, f"could not be read ({type(exc).__name__}: {str(exc)[:160]})"))
            continue
        old = out.rows.get(row.key)
        if old is None:
            out.rows[row.key] = row
            continue
        newer, older = (row, old) if (row.modified, row.source.name) > (old.modified, old.source.name) else (old, row)
        out.rows[row.key] = newer
        out.skipped.append((older.source, f"superseded by {newer.source.name} (same student, {newer.student}): "
                                          f"the file modified last in the folder counts ({_when(newer.modified)} "
                                          f"against {_when(older.modified)})"))
        out.used.append((newer.source, f"used for {newer.student}: modified {_when(newer.modified)}, the latest of "
                                       "their files"))
        newer.notes.append(f"chosen over {older.source.name} (modified later in the hand-in folder)")
    _flag_lookalikes(out)
    return out


def _flag_lookalikes(out: Collected) -> None:
    groups: dict[str, list[Marked]] = {}
    for row in out.rows.values():
        groups.setdefault(names.skeleton(row.name), []).append(row)
    for rows in groups.values():
        if len(rows) < 2:
            continue
        for row in rows:
            others = ", ".join(f"'{o.student}' ({o.source.name})" for o in rows if o is not row)
            row.notes.append(f"name looks like {others}: check whether they are the same student")


def cell(value: Any) -> Any:
    """A CSV cell that no spreadsheet runs as a formula (numbers stay numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_gradebook(collected: Collected, target: Path) -> int:
    """The CSV: one row per student, a column per item, total, max, revealed items, the file used, notes."""
    a = collected.assignment
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([cell(c) for c in ["student", *a.item_ids, "total", "max", "revealed", "file", "notes"]])
        for row in sorted(collected.rows.values(), key=lambda r: (r.key, r.source.name)):
            scores = [row.scores.get(i, "") for i in a.item_ids]
            writer.writerow([cell(row.student), *scores, row.total, a.max, cell(" ".join(row.revealed)),
                             cell(row.source.name), cell("; ".join(row.notes))])
    return len(collected.rows)
