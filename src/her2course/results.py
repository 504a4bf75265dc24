"""Results to hand in, and the instructor's gradebook.

A learner exports the attempts of one assignment from the progress database to a JSON file
(``her2course results export`` or the "Save my results file" button of a student notebook)::

    {"schema": "her2course-results", "schema_version": 1, "assignment": "asg-...", "student": "Ada Lovelace",
     "items": {"ch1-x": {"score": 1, "max": 1, "attempts": 2, "revealed": false}, ...},
     "assignment_items": ["ch1-x", ...],            # every item of the assignment, when known
     "total": {"score": 7, "max": 9}, "exported_at": "...", "digest": "sha256 of the rest"}

The score of an item is the latest scored attempt (as in ``her2course progress``). ``her2course results
collect DIR --csv grades.csv`` merges the files of a class into one row per student, one column per item, a
total and a maximum; a file that is malformed, edited, or for another assignment is rejected with a message
naming it and the problem, and every other file still counts.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .quiz import progress

SCHEMA = "her2course-results"
SCHEMA_VERSION = 1
ASSIGNMENT_ID = re.compile(r"^asg-[0-9a-f]{12}$")


class ResultsError(ValueError):
    """A results file that cannot be used; the message says why."""


def _digest(data: dict[str, Any]) -> str:
    body = {k: v for k, v in data.items() if k != "digest"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
                          .encode("utf-8")).hexdigest()


def _bank_max() -> dict[str, int]:
    try:
        from .exports.selection import all_entries

        return {e.id: e.max for e in all_entries()}
    except Exception:  # an installation without the banks: trust the files' maxima
        return {}


def results(assignment: str, student: str, db: Path | None = None,
            assignment_items: Sequence[str] | None = None) -> dict[str, Any]:
    """The results record of one student for one assignment, from the progress database."""
    if not ASSIGNMENT_ID.match(assignment):
        raise ResultsError(f"'{assignment}' is not an assignment id (they look like asg-0123456789ab)")
    name = " ".join(student.split())
    if not name:
        raise ResultsError("type your name first")
    latest: dict[str, dict[str, Any]] = {}
    counts: Counter[str] = Counter()
    revealed: set[str] = set()
    for r in progress.rows(db):
        if r["chapter"] != assignment:
            continue
        if r["event"] == "reveal":
            revealed.add(r["item"])
        elif r["status"] != "invalid":
            latest[r["item"]] = r
            counts[r["item"]] += 1
    wanted = list(assignment_items) if assignment_items is not None else None
    order = wanted if wanted is not None else sorted(latest)
    items = {i: {"score": int(latest[i]["score"]), "max": int(latest[i]["max"]), "attempts": counts[i],
                 "revealed": i in revealed} for i in order if i in latest}
    maxima = _bank_max()
    total_max = (sum(maxima.get(i, items.get(i, {}).get("max", 0)) for i in wanted) if wanted is not None
                 else sum(v["max"] for v in items.values()))
    record: dict[str, Any] = {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "assignment": assignment,
        "student": name,
        "items": items,
        "total": {"score": sum(v["score"] for v in items.values()), "max": total_max},
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if wanted is not None:
        record["assignment_items"] = wanted
    record["digest"] = _digest(record)
    return record


def default_name(assignment: str, student: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", student).strip("-").lower() or "student"
    return f"results-{assignment}-{slug}.json"


def export_results(assignment: str, student: str, out: Path | None = None, db: Path | None = None,
                   assignment_items: Sequence[str] | None = None) -> Path:
    """Write the results file (to ``out`` or ``results-<assignment>-<student>.json``) and return its path."""
    record = results(assignment, student, db, assignment_items)
    target = Path(out) if out else Path(default_name(assignment, record["student"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


# ------------------------------------------------------------------------------------------ notebook form

class _HandIn:
    """A name box and a button that save the results file; a fixed text/plain for saved notebooks."""

    def __init__(self, assignment: str, items: Sequence[str] | None, folder: Path | None) -> None:
        import ipywidgets as w

        self.assignment, self.items, self.folder = assignment, list(items) if items else None, folder
        self.name = w.Text(description="Your name", placeholder="as your instructor knows it")
        self.button = w.Button(description="Save my results file", button_style="primary")
        self.message = w.HTML(value="")
        self.button.on_click(self._save)
        self.box = w.VBox([self.name, self.button, self.message])

    def _save(self, _button: Any = None) -> Path | None:
        import html

        try:
            folder = self.folder or Path.cwd()
            target = folder / default_name(self.assignment, self.name.value)
            path = export_results(self.assignment, self.name.value, target, assignment_items=self.items)
        except (ResultsError, OSError) as exc:
            self.message.value = f'<p role="alert">Not saved: {html.escape(str(exc))}</p>'
            return None
        self.message.value = (f'<p role="status">Saved <code>{html.escape(str(path))}</code>. '
                              "Hand in this file.</p>")
        return path

    def __repr__(self) -> str:
        return f"Hand-in form for assignment {self.assignment} (run the notebook to use it)."

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = self.box._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        data = dict(data)
        data["text/plain"] = repr(self)
        return data, dict(meta)


def hand_in(assignment: str, items: Sequence[str] | None = None, folder: Path | None = None) -> _HandIn:
    """The "Save my results file" form of a student notebook."""
    return _HandIn(assignment, items, folder)


# ---------------------------------------------------------------------------------------------- collecting

def _require(cond: bool, message: str) -> None:
    if not cond:
        raise ResultsError(message)


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def read_results(path: Path, maxima: dict[str, int] | None = None) -> dict[str, Any]:
    """A validated results file; ResultsError says what is wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise ResultsError("not a text file (is it the results .json file?)") from None
    except json.JSONDecodeError as exc:
        raise ResultsError(f"not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    _require(isinstance(data, dict), "not a results file: expected a JSON object")
    _require(data.get("schema") == SCHEMA, f"not a results file: 'schema' should be '{SCHEMA}'")
    _require(data.get("schema_version") == SCHEMA_VERSION,
             f"unsupported schema_version {data.get('schema_version')!r} (this version reads {SCHEMA_VERSION})")
    for key in ("assignment", "student", "items", "total", "digest"):
        _require(key in data, f"missing field '{key}'")
    _require(isinstance(data["assignment"], str) and bool(ASSIGNMENT_ID.match(data["assignment"])),
             f"'assignment' is not an assignment id: {data['assignment']!r}")
    _require(isinstance(data["student"], str) and bool(data["student"].strip()), "'student' is empty")
    _require(isinstance(data["items"], dict), "'items' should be an object {item id: {score, max}}")
    maxima = maxima or {}
    for item, entry in data["items"].items():
        _require(isinstance(entry, dict) and _int(entry.get("score")) and _int(entry.get("max")),
                 f"item '{item}' needs whole-number 'score' and 'max'")
        _require(0 <= entry["score"] <= entry["max"], f"item '{item}' has score {entry['score']} "
                                                      f"outside 0..{entry['max']}")
        if item in maxima:
            _require(entry["max"] == maxima[item], f"item '{item}' has max {entry['max']}, the course says "
                                                   f"{maxima[item]}")
    listed = data.get("assignment_items")
    if listed is not None:
        _require(isinstance(listed, list) and all(isinstance(i, str) for i in listed),
                 "'assignment_items' should be a list of item ids")
        extra = sorted(set(data["items"]) - set(listed))
        _require(not extra, f"items not in the assignment: {', '.join(extra)}")
    _require(data["digest"] == _digest(data), "the file was changed after it was exported (digest mismatch)")
    return data


@dataclass
class Collected:
    assignment: str | None
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)   # student -> record
    sources: dict[str, Path] = field(default_factory=dict)
    items: list[str] = field(default_factory=list)
    rejected: list[tuple[Path, str]] = field(default_factory=list)


def collect(folder: Path, assignment: str | None = None) -> Collected:
    """Read every results file in ``folder``; the assignment is the one given, else the most common one."""
    maxima = _bank_max()
    good: list[tuple[Path, dict[str, Any]]] = []
    out = Collected(assignment)
    for path in sorted(p for p in Path(folder).iterdir() if p.is_file()):
        if path.suffix.lower() != ".json":
            out.rejected.append((path, "ignored: not a .json results file"))
            continue
        try:
            good.append((path, read_results(path, maxima)))
        except (ResultsError, OSError) as exc:
            out.rejected.append((path, str(exc)))
    if out.assignment is None and good:
        counts = Counter(d["assignment"] for _, d in good)
        top = counts.most_common()
        if len(top) > 1 and top[0][1] == top[1][1]:
            raise ResultsError(f"the files are for several assignments ({', '.join(a for a, _ in top)}) in equal "
                               "numbers: say which one with --assignment")
        out.assignment = top[0][0]
    order: dict[str, None] = {}
    for path, data in good:
        if data["assignment"] != out.assignment:
            out.rejected.append((path, f"for assignment {data['assignment']}, not {out.assignment}"))
            continue
        student = " ".join(data["student"].split())
        key = student.casefold()
        if key in {s.casefold() for s in out.rows}:
            first = next(s for s in out.rows if s.casefold() == key)
            _, newer = sorted([(out.rows[first].get("exported_at", ""), out.sources[first]),
                                   (data.get("exported_at", ""), path)], key=lambda t: (str(t[0]), str(t[1])))
            if newer[1] == path:
                out.rejected.append((out.sources[first], f"superseded by {path.name} (same student, newer)"))
                del out.rows[first]
                del out.sources[first]
            else:
                out.rejected.append((path, f"superseded by {out.sources[first].name} (same student, newer)"))
                continue
        out.rows[student] = data
        out.sources[student] = path
        for i in data.get("assignment_items") or []:
            order.setdefault(i, None)
    for data in out.rows.values():
        for i in data["items"]:
            order.setdefault(i, None)
    out.items = list(order)
    return out


def write_gradebook(collected: Collected, target: Path) -> int:
    maxima = _bank_max()
    item_max = {i: maxima.get(i) for i in collected.items}
    for data in collected.rows.values():
        for i, v in data["items"].items():
            item_max[i] = item_max.get(i) or v["max"]
    total_max = sum(v or 0 for v in item_max.values())
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", *collected.items, "total", "max"])
        for student in sorted(collected.rows, key=str.casefold):
            items = collected.rows[student]["items"]
            scores = [items[i]["score"] if i in items else "" for i in collected.items]
            writer.writerow([student, *scores, sum(v["score"] for v in items.values()), total_max])
    return len(collected.rows)


# --------------------------------------------------------------------------------------------------- CLI

def _cmd_export(args: argparse.Namespace) -> int:
    try:
        path = export_results(args.assignment, args.student, Path(args.out) if args.out else None,
                              Path(args.db) if args.db else None)
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    data = json.loads(path.read_text(encoding="utf-8"))
    n = len(data["items"])
    print(f"Wrote {path}: {n} question{'s' if n != 1 else ''} answered, "
          f"{data['total']['score']}/{data['total']['max']} points. Hand in this file.")
    if n == 0:
        print(f"No answers to assignment {args.assignment} in the progress database: run the assignment "
              "notebook first.", file=sys.stderr)
    return 0


def _cmd_collect(args: argparse.Namespace) -> int:
    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"error: {folder} is not a folder", file=sys.stderr)
        return 2
    try:
        got = collect(folder, args.assignment)
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path, why in got.rejected:
        print(f"{'skipped' if why.startswith(('ignored', 'superseded')) else 'rejected'} {path}: {why}",
              file=sys.stderr)
    n = write_gradebook(got, Path(args.csv))
    print(f"Wrote {args.csv}: {n} student{'s' if n != 1 else ''}, {len(got.items)} item column(s), "
          f"assignment {got.assignment or '(none)'}")
    bad = [r for r in got.rejected if not r[1].startswith(("ignored", "superseded"))]
    return 1 if bad else 0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("results", help="export your quiz results to hand in, or collect a class's into a gradebook")
    rs = p.add_subparsers(dest="results_command", required=True, metavar="ACTION")
    e = rs.add_parser("export", help="write one student's results for an assignment to a JSON file")
    e.add_argument("--assignment", required=True, metavar="ID", help="the assignment id (asg-...)")
    e.add_argument("--student", required=True, metavar="NAME", help="your name as your instructor knows it")
    e.add_argument("--out", metavar="FILE", help="where to write (default: results-<assignment>-<name>.json)")
    e.add_argument("--db", metavar="PATH", help=f"progress database (default: ${progress.ENV} or the user data dir)")
    e.set_defaults(func=_cmd_export)
    c = rs.add_parser("collect", help="merge the results files in DIR into a gradebook CSV")
    c.add_argument("dir", metavar="DIR")
    c.add_argument("--csv", required=True, metavar="FILE", help="the gradebook to write")
    c.add_argument("--assignment", metavar="ID", help="accept only this assignment (default: the most common)")
    c.set_defaults(func=_cmd_collect)
