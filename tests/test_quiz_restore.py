"""A re-run quiz shows the learner's stored answers again (progress store), and "Reset my answers" is remembered."""

from __future__ import annotations

import warnings

import pytest
import yaml

from her2course.quiz import progress, quiz

qw = pytest.importorskip("test_quiz_widget")
VECTORS, bank_file = qw.VECTORS, qw.bank_file  # bank_file: the test bank fixture, used here by name


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "progress.sqlite3"
    monkeypatch.setenv(progress.ENV, str(path))
    return path


def answer(q, **items):
    """Send the front end's state for ``items`` ({item: (response, attempts, revealed)}) on top of what is there."""
    q.responses = {**q.responses, **{k: {"response": r, "attempts": n, "checked": n > 0, "revealed": shown}
                                     for k, (r, n, shown) in items.items()}}


def test_a_rerun_quiz_shows_the_stored_answers_with_their_scores(bank_file, db):
    first = quiz(bank_file)
    answer(first, **{"t-single": ("a", 1, False)})
    answer(first, **{"t-single": ("b", 2, False), "t-sata": (["a", "c"], 1, False)})
    answer(first, **{"t-numeric": ("", 0, True)})  # "Show answer" before any check
    stored = len(progress.rows(db))

    again = quiz(bank_file)
    assert again.responses["t-single"] == {"response": "b", "attempts": 2, "checked": True, "revealed": False,
                                           "last": {"score": 1, "status": "correct"}}
    assert again.responses["t-sata"]["last"] == {"score": 2, "status": "partial"}
    assert again.responses["t-numeric"] == {"response": "", "attempts": 0, "checked": False, "revealed": True}
    assert again.saved == {"t-single": 2, "t-sata": 1}
    assert again.score == first.score == (3, 4)
    assert len(progress.rows(db)) == stored  # showing them again records nothing

    # The next check continues the count; nothing is recorded twice.
    answer(again, **{"t-sata": (["a", "c", "e"], 2, False)})
    assert [(r["item"], r["attempt"], r["status"]) for r in progress.rows(db)[stored:]] == [("t-sata", 2, "correct")]


def test_reset_my_answers_is_remembered(bank_file, db):
    q = quiz(bank_file)
    answer(q, **{"t-single": ("b", 1, False), "t-numeric": ("", 0, True)})
    q.responses = {}  # "Reset my answers"
    assert quiz(bank_file).responses == {}
    answer(q, **{"t-single": ("a", 1, False)})  # answers after the reset come back, from attempt 1
    restored = quiz(bank_file).responses
    assert list(restored) == ["t-single"] and restored["t-single"]["response"] == "a"
    assert restored["t-single"]["attempts"] == 1


def test_each_quiz_restores_only_its_own_answers(bank_file, db):
    whole = quiz(bank_file)
    answer(whole, **{"t-single": ("b", 1, False)})
    part = quiz(bank_file, ids=["t-single", "t-sata"])
    assert part.spec["id"] != whole.spec["id"] and part.responses == {}


def test_an_assignment_restores_saved_answers_without_scores(tmp_path, db):
    from her2course.quiz.bank import load_bank
    from her2course.quiz.spec import build
    from her2course.quiz.widget import Quiz

    bank_path = tmp_path / "asg-demo.yaml"
    bank_path.write_text(yaml.safe_dump({"chapter": "asg-demo", "title": "Assignment",
                                         "learning_outcomes": VECTORS["learning_outcomes"],
                                         "items": VECTORS["bank"]}))
    bank = load_bank(bank_path)
    spec = build(bank)
    spec["mode"] = "assignment"
    q = Quiz(spec, bank)
    answer(q, **{"t-single": ("b", 1, False)})
    again = Quiz(dict(spec), bank)
    assert again.responses["t-single"] == {"response": "b", "attempts": 1, "checked": True, "revealed": False}
    assert again.saved == {"t-single": 1}


def test_a_store_that_cannot_be_read_restores_nothing_and_breaks_nothing(bank_file, tmp_path, monkeypatch):
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv(progress.ENV, str(damaged))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        q = quiz(bank_file)
    assert q.responses == {} and q.save_error == ""


def test_saved_answers_reads_a_store_from_before_the_resets_table(tmp_path):
    import sqlite3

    db = tmp_path / "old.sqlite3"
    with sqlite3.connect(db) as con:
        con.executescript(progress.SCHEMA.split("CREATE TABLE IF NOT EXISTS resets")[0])
        con.execute("INSERT INTO attempts (at, chapter, quiz, item, type, event, attempt, status, score, max, "
                    "response) VALUES ('2026-01-01T00:00:00', 'ch', 'ch', 'q1', 'single', 'attempt', 1, "
                    "'correct', 1, 1, '\"a\"')")
    assert progress.saved_answers("ch", "ch", db) == {"q1": progress.Saved("a", 1, False)}
