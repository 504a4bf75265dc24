"""Results files: export from the progress database, collect a class into a gradebook, reject bad files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from her2course.cli import main
from her2course.exports import Filters, select
from her2course.quiz import progress
from her2course.results import ResultsError, collect, export_results, read_results, results


@pytest.fixture
def assignment():
    return select(Filters.make(chapters=["1"]), count=4, seed=9)


def _answer(db: Path, assignment, item_id: str, score: int, mx: int, attempt: int = 1, event: str = "attempt",
            status: str | None = None) -> None:
    status = status or ("correct" if score == mx else "partial" if score else "incorrect")
    progress.record([progress.Attempt(assignment.id, assignment.id, item_id, "single", event, attempt, status,
                                      score, mx, "x")], db)


def _fill(db: Path, assignment) -> None:
    ids = assignment.item_ids
    e0, e1 = assignment.entries[0], assignment.entries[1]
    _answer(db, assignment, ids[0], 0, e0.max)
    _answer(db, assignment, ids[0], e0.max, e0.max, attempt=2)          # the latest attempt counts
    _answer(db, assignment, ids[1], 0, e1.max, status="invalid")          # never scored
    _answer(db, assignment, ids[1], 0, e1.max, event="reveal", status="revealed")
    progress.record([progress.Attempt("01-her2-biology", "01-her2-biology", ids[2], "single", "attempt", 1,
                                      "correct", 1, 1, "x")], db)   # another quiz: not this assignment


def test_results_from_progress(tmp_path: Path, assignment):
    db = tmp_path / "p.sqlite3"
    _fill(db, assignment)
    rec = results(assignment.id, "  Ada   Lovelace ", db, assignment.item_ids)
    first = assignment.entries[0]
    assert rec["student"] == "Ada Lovelace"
    assert rec["items"] == {first.id: {"score": first.max, "max": first.max, "attempts": 2, "revealed": False}}
    assert rec["total"] == {"score": first.max, "max": assignment.max}
    assert rec["schema_version"] == 1 and rec["assignment"] == assignment.id
    path = export_results(assignment.id, "Ada Lovelace", tmp_path / "ada.json", db, assignment.item_ids)
    assert read_results(path)["student"] == "Ada Lovelace"
    with pytest.raises(ResultsError, match="not an assignment id"):
        results("chapter-1", "Ada", db)
    with pytest.raises(ResultsError, match="name"):
        results(assignment.id, "   ", db)


def test_cli_export(tmp_path: Path, assignment, capsys):
    db = tmp_path / "p.sqlite3"
    _fill(db, assignment)
    out = tmp_path / "hand-in.json"
    assert main(["results", "export", "--assignment", assignment.id, "--student", "Grace Hopper", "--out", str(out),
                 "--db", str(db)]) == 0
    assert "Hand in this file" in capsys.readouterr().out
    assert json.loads(out.read_text())["student"] == "Grace Hopper"


def _write(folder: Path, name: str, record: dict) -> Path:
    p = folder / name
    p.write_text(json.dumps(record), encoding="utf-8")
    return p


def test_collect_good_and_bad(tmp_path: Path, assignment, capsys):
    db = tmp_path / "p.sqlite3"
    _fill(db, assignment)
    hand = tmp_path / "handed-in"
    hand.mkdir()
    export_results(assignment.id, "Ada Lovelace", hand / "ada.json", db, assignment.item_ids)
    export_results(assignment.id, "Grace Hopper", hand / "grace.json", db)
    good = json.loads((hand / "ada.json").read_text())
    edited = dict(good, student="Mallory", items={k: dict(v, score=v["max"]) for k, v in good["items"].items()})
    _write(hand, "edited.json", edited)
    (hand / "broken.json").write_text("{not json", encoding="utf-8")
    _write(hand, "wrong-schema.json", dict(good, schema="something-else"))
    other = results("asg-000000000000", "Linus", db)
    _write(hand, "other-assignment.json", other)
    _write(hand, "not-an-object.json", [1, 2, 3])
    bad_score = dict(good, student="Eve")
    first = next(iter(bad_score["items"]))
    bad_score["items"] = {first: {"score": 99, "max": 1}}
    _write(hand, "bad-score.json", bad_score)
    (hand / "notes.txt").write_text("hello", encoding="utf-8")

    got = collect(hand)
    assert got.assignment == assignment.id
    assert sorted(got.rows) == ["Ada Lovelace", "Grace Hopper"]
    reasons = {p.name: why for p, why in got.rejected}
    assert "changed after it was exported" in reasons["edited.json"]
    assert "not valid JSON" in reasons["broken.json"]
    assert "schema" in reasons["wrong-schema.json"]
    assert f"not {assignment.id}" in reasons["other-assignment.json"]
    assert "JSON object" in reasons["not-an-object.json"]
    assert "outside 0..1" in reasons["bad-score.json"] or "max" in reasons["bad-score.json"]
    assert reasons["notes.txt"].startswith("ignored")

    grades = tmp_path / "grades.csv"
    assert main(["results", "collect", str(hand), "--csv", str(grades)]) == 1   # written, but some were rejected
    err = capsys.readouterr().err
    assert "rejected" in err and "broken.json" in err and "edited.json" in err
    rows = list(csv.reader(grades.open(encoding="utf-8")))
    assert rows[0] == ["student", *assignment.item_ids, "total", "max"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"Ada Lovelace", "Grace Hopper"}
    ada = by_name["Ada Lovelace"]
    e0 = assignment.entries[0]
    assert ada[1] == str(e0.max) and ada[2] == "" and ada[-2] == str(e0.max) and ada[-1] == str(assignment.max)


def test_collect_duplicate_student_keeps_newest(tmp_path: Path, assignment):
    db = tmp_path / "p.sqlite3"
    _fill(db, assignment)
    hand = tmp_path / "in"
    hand.mkdir()
    old = results(assignment.id, "Ada", db)
    old["exported_at"] = "2000-01-01T00:00:00+00:00"
    from her2course.results import _digest

    old["digest"] = _digest(old)
    _write(hand, "a-old.json", old)
    export_results(assignment.id, "ada", hand / "b-new.json", db)
    got = collect(hand)
    assert list(got.rows) == ["ada"]
    assert any(p.name == "a-old.json" and "superseded" in why for p, why in got.rejected)


def test_collect_explicit_assignment_and_empty_folder(tmp_path: Path, assignment):
    empty = tmp_path / "empty"
    empty.mkdir()
    got = collect(empty)
    assert got.rows == {} and got.assignment is None
    assert main(["results", "collect", str(empty), "--csv", str(tmp_path / "g.csv")]) == 0
    assert (tmp_path / "g.csv").read_text().startswith("student,total,max")
    assert main(["results", "collect", str(tmp_path / "missing"), "--csv", str(tmp_path / "g.csv")]) == 2
