"""Hand-ins: answers exported from progress, marked again by the collector; forged, hostile and look-alike files."""

from __future__ import annotations

import csv
import json
import os
import time
from pathlib import Path

import pytest
from handin_answers import right, wrong

from her2course.cli import main
from her2course.exports import Filters, notebook, select
from her2course.quiz import progress
from her2course.quiz.grading import grade
from her2course.results import (
    MAX_BYTES,
    ResultsError,
    collect,
    export_results,
    load_assignment,
    read_results,
    results,
    write_gradebook,
)


@pytest.fixture(scope="module")
def assignment():
    return select(Filters.make(chapters=["1"]), count=5, seed=9)


@pytest.fixture
def nb(tmp_path: Path, assignment) -> Path:
    path = tmp_path / "quiz.ipynb"
    notebook.export(assignment, path, quiet=True)
    return path


def _attempt(db: Path, assignment, entry, response, n: int = 1, event: str = "attempt",
             quiz: str | None = None) -> None:
    r = grade(entry.item, response)
    chapter = quiz or assignment.id
    progress.record([progress.Attempt(chapter, chapter, entry.id, entry.item.type, event, n,
                                      "revealed" if event == "reveal" else r.status,
                                      0 if event == "reveal" else r.score, 0 if event == "reveal" else r.max,
                                      response)], db)


def _db_all(tmp_path: Path, assignment, answer=right) -> Path:
    db = tmp_path / f"p-{answer.__name__}.sqlite3"
    for e in assignment.entries:
        _attempt(db, assignment, e, answer(e.item))
    return db


def _hand_in(folder: Path, name: str, assignment, student: str, answer=right, tmp: Path | None = None) -> Path:
    db = _db_all(tmp or folder.parent, assignment, answer)
    return export_results(assignment.id, student, folder / name, db, assignment.item_ids)


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.open(encoding="utf-8", newline="")))


def _by_student(path: Path) -> dict[str, dict[str, str]]:
    rows = _rows(path)
    return {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}


# ------------------------------------------------------------------------------------------------ export

def test_export_carries_the_latest_scored_answers_and_no_scores(tmp_path: Path, assignment):
    db = tmp_path / "p.sqlite3"
    e0, e1, e2 = assignment.entries[:3]
    _attempt(db, assignment, e0, wrong(e0.item))
    _attempt(db, assignment, e0, right(e0.item), n=2)              # the latest scored attempt counts
    _attempt(db, assignment, e0, "", n=3)                           # an empty answer is not scored: ignored
    _attempt(db, assignment, e1, wrong(e1.item))
    _attempt(db, assignment, e1, wrong(e1.item), event="reveal")
    _attempt(db, assignment, e2, right(e2.item), quiz="01-her2-biology")  # the chapter quiz: not this assignment
    rec = results(assignment.id, "  Ada \u00a0 Lovelace ", db, assignment.item_ids)
    assert rec["student"] == "Ada Lovelace" and rec["schema_version"] == 2
    assert rec["answers"] == {e0.id: {"response": right(e0.item), "attempts": 2, "revealed": False},
                              e1.id: {"response": wrong(e1.item), "attempts": 1, "revealed": True}}
    assert "score" not in json.dumps(rec) and "total" not in rec
    path = export_results(assignment.id, "Ada Lovelace", tmp_path / "ada.json", db, assignment.item_ids)
    assert read_results(path)["answers"][e0.id]["response"] == right(e0.item)
    with pytest.raises(ResultsError, match="not an assignment id"):
        results("chapter-1", "Ada", db)
    with pytest.raises(ResultsError, match="name"):
        results(assignment.id, " \u200b ".strip(), db)


def test_cli_export(tmp_path: Path, assignment, capsys):
    db = _db_all(tmp_path, assignment)
    out = tmp_path / "hand-in.json"
    assert main(["results", "export", "--assignment", assignment.id, "--student", "Grace Hopper", "--out", str(out),
                 "--db", str(db)]) == 0
    said = capsys.readouterr().out
    assert f"your answers to {len(assignment.entries)} questions" in said and "Hand in this file" in said
    assert "points" not in said  # no score before the instructor marks it
    assert json.loads(out.read_text())["student"] == "Grace Hopper"


# ------------------------------------------------------------------------------------------------ forging

def test_a_forged_score_is_ignored_and_every_answer_is_marked_again(tmp_path: Path, assignment, nb):
    hand = tmp_path / "in"
    hand.mkdir()
    path = _hand_in(hand, "eve.json", assignment, "Eve", answer=wrong)
    data = json.loads(path.read_text())
    # what a student edits: scores everywhere (the old file format), a total, a max
    data["items"] = {e.id: {"score": e.max, "max": e.max} for e in assignment.entries}
    data["total"] = {"score": assignment.max, "max": assignment.max}
    for entry in data["answers"].values():
        entry["score"] = 99
    path.write_text(json.dumps(data), encoding="utf-8")
    got = collect(hand, load_assignment(nb))
    assert got.rejected == []
    row = got.rows["eve"]
    assert row.total == 0 and set(row.scores.values()) == {0}
    grades = tmp_path / "g.csv"
    write_gradebook(got, grades)
    eve = _by_student(grades)["Eve"]
    assert eve["total"] == "0" and eve["max"] == str(assignment.max)


def test_an_invented_item_and_an_item_outside_the_assignment_earn_nothing(tmp_path: Path, assignment, nb):
    from her2course.exports.selection import all_entries

    hand = tmp_path / "in"
    hand.mkdir()
    path = _hand_in(hand, "mallory.json", assignment, "Mallory", answer=wrong)
    data = json.loads(path.read_text())
    outside = next(e for e in all_entries() if e.id not in assignment.item_ids and e.item.type == "single")
    data["answers"]["ch9-invented-50-points"] = {"response": "a", "attempts": 1, "revealed": False, "max": 50}
    data["answers"][outside.id] = {"response": right(outside.item), "attempts": 1, "revealed": False}
    data["assignment_items"] = [*assignment.item_ids, "ch9-invented-50-points", outside.id]  # cannot widen it
    path.write_text(json.dumps(data), encoding="utf-8")
    got = collect(hand, load_assignment(nb))
    row = got.rows["mallory"]
    assert row.total == 0 and set(row.scores) == set(assignment.item_ids)
    assert any("not in the assignment" in n and outside.id in n and "ch9-invented" in n for n in row.notes)
    grades = tmp_path / "g.csv"
    write_gradebook(got, grades)
    header = _rows(grades)[0]
    assert header == ["student", *assignment.item_ids, "total", "max", "revealed", "file", "notes"]
    assert "not in the assignment" in _by_student(grades)["Mallory"]["notes"]


def test_the_item_list_comes_from_the_instructors_notebook_not_from_the_file(tmp_path: Path, assignment, nb,
                                                                                capsys):
    import nbformat

    edited = nbformat.read(nb, as_version=4)
    edited.metadata["her2course"]["items"] = assignment.item_ids[:-1]  # items changed, id kept
    bad = tmp_path / "edited.ipynb"
    nbformat.write(edited, bad)
    with pytest.raises(ResultsError, match="was edited"):
        load_assignment(bad)
    (tmp_path / "plain.ipynb").write_text(json.dumps(nbformat.v4.new_notebook()), encoding="utf-8")
    with pytest.raises(ResultsError, match="not an assignment notebook"):
        load_assignment(tmp_path / "plain.ipynb")
    (tmp_path / "junk.ipynb").write_text("{nope", encoding="utf-8")
    with pytest.raises(ResultsError, match="not a notebook"):
        load_assignment(tmp_path / "junk.ipynb")
    hand = tmp_path / "in"
    hand.mkdir()
    assert main(["results", "collect", str(hand), "--assignment-notebook", str(bad), "--csv",
                 str(tmp_path / "g.csv")]) == 2
    assert "was edited" in capsys.readouterr().err
    with pytest.raises(SystemExit):  # the assignment notebook is required: the files never say what counts
        main(["results", "collect", str(hand), "--csv", str(tmp_path / "g.csv")])


def test_a_file_for_another_assignment_or_from_the_old_format_is_rejected(tmp_path: Path, assignment, nb):
    hand = tmp_path / "in"
    hand.mkdir()
    other = select(Filters.make(chapters=["2"]), count=3, seed=1)
    db = _db_all(tmp_path, other)
    export_results(other.id, "Linus", hand / "other.json", db, other.item_ids)
    old = {"schema": "her2course-results", "schema_version": 1, "assignment": assignment.id, "student": "Old",
           "items": {assignment.item_ids[0]: {"score": 1, "max": 1}}, "total": {"score": 1, "max": 1},
           "digest": "0" * 64}
    (hand / "old.json").write_text(json.dumps(old), encoding="utf-8")
    got = collect(hand, load_assignment(nb))
    reasons = {p.name: why for p, why in got.rejected}
    assert f"not {assignment.id}" in reasons["other.json"]
    assert "older version" in reasons["old.json"]
    assert got.rows == {}


# ------------------------------------------------------------------------------------------------ revealed

def test_show_answer_then_reset_then_right_is_flagged_and_scores_zero(tmp_path: Path, assignment, nb, monkeypatch):
    from her2course.exports.notebook import assignment_quiz

    db = tmp_path / "p.sqlite3"
    monkeypatch.setenv(progress.ENV, str(db))
    q = assignment_quiz(assignment.id, assignment.item_ids, seed=assignment.seed)
    first, second = assignment.entries[:2]
    # a practice copy of the same quiz (Show answer exists there): reveal, reset, then answer right
    q.responses = {first.id: {"response": None, "attempts": 0, "checked": False, "revealed": True}}
    q.responses = {}
    q.responses = {first.id: {"response": right(first.item), "attempts": 1, "checked": True},
                   second.id: {"response": right(second.item), "attempts": 1, "checked": True}}
    assert q.score == (first.max + second.max, first.max + second.max)  # the kernel still marks both
    hand = tmp_path / "in"
    hand.mkdir()
    export_results(assignment.id, "Ada", hand / "ada.json", db, assignment.item_ids)
    got = collect(hand, load_assignment(nb))
    row = got.rows["ada"]
    assert row.revealed == [first.id]
    assert row.scores == {first.id: 0, second.id: second.max}
    grades = tmp_path / "g.csv"
    write_gradebook(got, grades)
    ada = _by_student(grades)["Ada"]
    assert ada["revealed"] == first.id and ada[first.id] == "0" and ada["total"] == str(second.max)


# ------------------------------------------------------------------------------------------------ twice

def test_a_double_hand_in_uses_the_file_modified_last_in_the_folder(tmp_path: Path, assignment, nb, capsys):
    hand = tmp_path / "in"
    hand.mkdir()
    good = _hand_in(hand, "a-first.json", assignment, "Ada Lovelace", answer=right, tmp=tmp_path / "1")
    late = _hand_in(hand, "b-second.json", assignment, "ＡＤＡ  lovelace", answer=wrong, tmp=tmp_path / "2")
    # the earlier file claims to be newer: the claim is not used
    data = json.loads(good.read_text())
    data["exported_at"] = "2999-01-01T00:00:00+00:00"
    good.write_text(json.dumps(data), encoding="utf-8")
    now = time.time()
    os.utime(good, (now - 3600, now - 3600))
    os.utime(late, (now, now))
    got = collect(hand, load_assignment(nb))
    assert list(got.rows) == ["ada lovelace"]
    assert got.rows["ada lovelace"].source.name == "b-second.json" and got.rows["ada lovelace"].total == 0
    assert [(p.name, "modified last" in why) for p, why in got.skipped] == [("a-first.json", True)]
    # and the other way round
    os.utime(good, (now + 60, now + 60))
    got = collect(hand, load_assignment(nb))
    assert got.rows["ada lovelace"].source.name == "a-first.json"
    assert main(["results", "collect", str(hand), "--assignment-notebook", str(nb), "--csv",
                 str(tmp_path / "g.csv")]) == 0
    err = capsys.readouterr().err
    assert "skipped" in err and "b-second.json" in err and "used" in err and "a-first.json" in err
    assert _by_student(tmp_path / "g.csv")["Ada Lovelace"]["file"] == "a-first.json"


# ------------------------------------------------------------------------------------------------ hostile files

HOSTILE = {
    "nested.json": lambda: b"[" * 100_000 + b"]" * 100_000,
    "deep-object.json": lambda: b'{"a":' * 30_000 + b"1" + b"}" * 30_000,
    "huge-number.json": lambda: b'{"schema": "her2course-results", "n": ' + b"9" * 5000 + b"}",
    "nan.json": lambda: b'{"schema": NaN}',
    "duplicate-keys.json": lambda: b'{"schema": "her2course-results", "schema": "x"}',
    "latin1.json": lambda: '{"student": "Jos\u00e9"}'.encode("latin-1"),
    "binary.json": lambda: bytes(range(256)) * 64,
    "not-an-object.json": lambda: b"[1, 2, 3]",
    "empty.json": lambda: b"",
    "truncated.json": lambda: b'{"schema": "her2course-results", "answers": {',
}


def _hostile_folder(tmp_path: Path, assignment) -> Path:
    hand = tmp_path / "in"
    hand.mkdir()
    _hand_in(hand, "good.json", assignment, "Grace Hopper", tmp=tmp_path / "db")
    for name, make in HOSTILE.items():
        (hand / name).write_bytes(make())
    with (hand / "fifty-megabytes.json").open("wb") as fh:  # sparse: 50 MB on paper, never read
        fh.truncate(50 * 1024 * 1024)
    (hand / "a-folder.json").mkdir()
    os.mkfifo(hand / "a-pipe.json")  # reading it would block for ever
    (hand / "a-link.json").symlink_to(hand / "good.json")  # a link could point anywhere on the instructor's disk
    # valid JSON with hostile values in the answers
    base = json.loads((hand / "good.json").read_text())
    deep = base | {"student": "Deep Answer", "answers": {
        assignment.item_ids[0]: {"response": json.loads("[" * 900 + "]" * 900), "attempts": 1, "revealed": False}}}
    (hand / "deep-answer.json").write_text(json.dumps(deep), encoding="utf-8")
    odd = base | {"student": "Odd Types", "answers": {i: {"response": {"x": [1, {"y": None}]}, "attempts": 1}
                                                      for i in assignment.item_ids}}
    (hand / "odd-types.json").write_text(json.dumps(odd), encoding="utf-8")
    bad_field = base | {"student": "Bad Field", "answers": {assignment.item_ids[0]: {"response": "a", "attempts": -1}}}
    (hand / "bad-field.json").write_text(json.dumps(bad_field), encoding="utf-8")
    return hand


def test_each_hostile_file_is_reported_and_skipped_and_the_class_is_still_marked(tmp_path: Path, assignment, nb,
                                                                                   capsys):
    hand = _hostile_folder(tmp_path, assignment)
    got = collect(hand, load_assignment(nb))  # the fifo is never opened (reading it would block)
    reasons = {p.name: why for p, why in got.rejected}
    assert "nested too deeply" in reasons["nested.json"]
    assert "nested too deeply" in reasons["deep-object.json"]
    assert "5000 digits" in reasons["huge-number.json"]
    assert "NaN" in reasons["nan.json"]
    assert "twice" in reasons["duplicate-keys.json"]
    assert "not UTF-8" in reasons["latin1.json"]
    assert "not UTF-8" in reasons["binary.json"] or "not valid JSON" in reasons["binary.json"]
    assert "JSON object" in reasons["not-an-object.json"]
    assert "not valid JSON" in reasons["empty.json"] and "not valid JSON" in reasons["truncated.json"]
    assert "too large" in reasons["fifty-megabytes.json"] and f"{MAX_BYTES // 1024} KB" in reasons[
        "fifty-megabytes.json"]
    assert "not a regular file" in reasons["a-pipe.json"]
    assert "symbolic link" in reasons["a-link.json"]
    assert "attempts" in reasons["bad-field.json"]
    assert {p.name for p, _ in got.skipped} == {"a-folder.json"}
    # the good file and the two odd-but-valid ones are marked; odd answers score nothing
    assert set(got.rows) == {"grace hopper", "deep answer", "odd types"}
    assert got.rows["grace hopper"].total == assignment.max
    assert got.rows["deep answer"].total == 0 and got.rows["odd types"].total == 0
    grades = tmp_path / "g.csv"
    assert main(["results", "collect", str(hand), "--assignment-notebook", str(nb), "--csv", str(grades),
                 "--feedback", str(tmp_path / "fb")]) == 1   # written, and some files were rejected
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for name in HOSTILE:
        assert f"rejected {hand / name}:" in err
    assert all(len(line) < 400 for line in err.splitlines())
    assert set(_by_student(grades)) == {"Grace Hopper", "Deep Answer", "Odd Types"}
    assert len(list((tmp_path / "fb").glob("*.html"))) == 3


# ------------------------------------------------------------------------------------------------ CSV injection

def test_cells_a_spreadsheet_would_run_are_neutralised(tmp_path: Path, assignment, nb):
    hand = tmp_path / "in"
    hand.mkdir()
    evil = ["=HYPERLINK(\"http://x\",\"y\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,1)", "\uff1dfullwidth",
            "\tTab first", "\rCR first"]
    for n, name in enumerate(evil):
        _hand_in(hand, f"s{n}.json", assignment, name, tmp=tmp_path / f"db{n}")
    _hand_in(hand, "=evil-file.json", assignment, "File Name", tmp=tmp_path / "dbf")
    got = collect(hand, load_assignment(nb))
    assert got.rejected == []
    grades = tmp_path / "g.csv"
    write_gradebook(got, grades)
    rows = _rows(grades)
    for row in rows:
        for c in row:
            assert not c.startswith(("=", "+", "-", "@", "\t", "\r")), (row, c)
    names_ = {r[0] for r in rows[1:]}
    assert "'=HYPERLINK(\"http://x\",\"y\")" in names_ and "'+1+cmd|' /C calc'!A0" in names_
    assert "'=fullwidth" in names_ and "'-2+3" in names_ and "'@SUM(1,1)" in names_
    assert "Tab first" in names_ and "CR first" in names_  # whitespace at either end is dropped from names
    assert "'=evil-file.json" in {r[-2] for r in rows[1:]}


# ------------------------------------------------------------------------------------------------ names

def test_names_are_normalised_and_look_alikes_are_flagged(tmp_path: Path, assignment, nb, capsys):
    hand = tmp_path / "in"
    hand.mkdir()
    for n, name in enumerate(["Ada Lovelace", "\u0410da Lovelace", "Ada\u200b Lovelace", "Grace Hopper"]):
        _hand_in(hand, f"s{n}.json", assignment, name, tmp=tmp_path / f"db{n}")
    got = collect(hand, load_assignment(nb))
    assert len(got.rows) == 4  # different keys: three rows that look alike, flagged, and Grace
    flagged = {r.student: r.notes for r in got.rows.values()}
    for who in ("Ada Lovelace", "\u0410da Lovelace", "Ada<U+200B> Lovelace"):
        assert any("looks like" in n for n in flagged[who]), (who, flagged[who])
    assert not any("looks like" in n for n in flagged["Grace Hopper"])
    assert any("invisible" in n for n in flagged["Ada<U+200B> Lovelace"])
    grades = tmp_path / "g.csv"
    assert main(["results", "collect", str(hand), "--assignment-notebook", str(nb), "--csv", str(grades)]) == 0
    book = _by_student(grades)
    assert "Ada<U+200B> Lovelace" in book and "looks like" in book["\u0410da Lovelace"]["notes"]
    assert "looks like" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------------ feedback

def test_feedback_pages_show_answers_marks_and_rationales(tmp_path: Path, assignment, nb):
    from her2course.quiz import markup

    hand = tmp_path / "in"
    hand.mkdir()
    path = _hand_in(hand, "ada.json", assignment, "Ada <b>Lovelace</b>", answer=wrong)
    got = collect(hand, load_assignment(nb))
    [page] = __import__("her2course.results", fromlist=["write_feedback"]).write_feedback(got, tmp_path / "fb")
    text = page.read_text(encoding="utf-8")
    assert "<b>Lovelace" not in text and "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in text
    assert f"0 of {assignment.max} points" in text
    assert "<script" not in text.lower()
    for e in assignment.entries:
        assert markup.block(e.item.explanation) in text
    first = assignment.entries[0].item
    if hasattr(first, "options") and first.type in ("single", "sata"):
        for o in first.options:
            assert markup.block(o.rationale) in text
    assert json.loads(path.read_text())["student"] == "Ada <b>Lovelace</b>"


def test_collect_an_empty_folder_and_a_missing_folder(tmp_path: Path, nb, assignment):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["results", "collect", str(empty), "--assignment-notebook", str(nb), "--csv",
                 str(tmp_path / "g.csv")]) == 0
    assert _rows(tmp_path / "g.csv") == [["student", *assignment.item_ids, "total", "max", "revealed", "file",
                                          "notes"]]
    assert main(["results", "collect", str(tmp_path / "missing"), "--assignment-notebook", str(nb), "--csv",
                 str(tmp_path / "g.csv")]) == 2


@pytest.mark.parametrize("store", ["folder", "damaged"])
def test_save_my_results_file_says_why_it_failed(tmp_path: Path, assignment, monkeypatch, store):
    from her2course.results import hand_in

    db = tmp_path / "progress.sqlite3"
    if store == "folder":
        db.mkdir()
    else:
        db.write_bytes(b"not a database" * 100)
    monkeypatch.setenv(progress.ENV, str(db))
    form = hand_in(assignment.id, assignment.item_ids, folder=tmp_path)
    form.name.value = "Ada"
    assert form.save() is None
    words = "is a folder, not a database file" if store == "folder" else "is damaged"
    assert form.message.value.startswith('<p role="alert">Not saved: your answers cannot be read:')
    assert words in form.message.value
    assert not list(tmp_path.glob("results-*.json"))
