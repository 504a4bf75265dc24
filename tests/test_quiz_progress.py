"""The progress database: concurrent writers, a writer killed mid-transaction, the summary and the CSV export."""

from __future__ import annotations

import csv
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from her2course.cli import main
from her2course.quiz import progress


def attempt(item: str, n: int = 1, status: str = "correct", score: int = 1, chapter: str = "01-her2-biology"):
    return progress.Attempt(chapter, chapter, item, "single", "attempt", n, status, score, 1, "a")


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "nested" / "progress.sqlite3"
    monkeypatch.setenv(progress.ENV, str(path))
    return path


def test_env_var_overrides_the_location(db):
    assert progress.default_path() == db
    progress.record([attempt("q1")])
    assert db.is_file()
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_default_location_is_the_user_data_dir(monkeypatch):
    monkeypatch.delenv(progress.ENV, raising=False)
    from platformdirs import user_data_dir

    assert progress.default_path() == Path(user_data_dir("her2course", appauthor=False)) / "progress.sqlite3"


def _writer(path: str, worker: int, count: int, start) -> None:  # runs in a child process
    os.environ[progress.ENV] = path
    start.wait()
    for i in range(count):
        progress.record([attempt(f"w{worker}-q{i}", chapter=f"ch{worker % 2}")])


def test_many_processes_write_at_once_without_loss(db):
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_writer, args=(str(db), w, 40, start)) for w in range(6)]
    for p in workers:
        p.start()
    start.set()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    rows = progress.rows()
    assert len(rows) == 240
    assert len({r["item"] for r in rows}) == 240
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from her2course.quiz import progress
    path = sys.argv[1]
    progress.record([progress.Attempt("ch", "ch", "committed", "single", "attempt", 1, "correct", 1, 1, "a")])
    with progress.connect() as con:
        con.execute("BEGIN IMMEDIATE")
        for i in range(5000):
            con.execute("INSERT INTO attempts (at, chapter, quiz, item, type, event, attempt, status, score, max,"
                        " response) VALUES ('t', 'ch', 'ch', ?, 'single', 'attempt', 1, 'correct', 1, 1, '\\"a\\"')",
                        (f"uncommitted-{i}",))
        print("in-transaction", flush=True)
        time.sleep(60)  # killed here, before COMMIT
""")


def test_a_writer_killed_mid_transaction_leaves_the_database_intact(db):
    child = subprocess.Popen([sys.executable, "-c", KILLED_WRITER, str(db)], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, progress.ENV: str(db)})
    try:
        assert child.stdout.readline().strip() == "in-transaction"
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    # The lock died with the process: another writer proceeds at once, and only committed rows exist.
    started = time.monotonic()
    progress.record([attempt("after-crash")])
    assert time.monotonic() - started < 5
    items = [r["item"] for r in progress.rows()]
    assert items == ["committed", "after-crash"]
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_failing_batch_is_rolled_back_whole(db):
    progress.record([attempt("first")])
    bad = progress.Attempt("ch", "ch", "x", "single", "nonsense-event", 1, "correct", 1, 1, "a")
    with pytest.raises(sqlite3.IntegrityError):
        progress.record([attempt("would-be-lost"), bad])
    assert [r["item"] for r in progress.rows()] == ["first"]


def test_summary_counts_the_latest_answer_per_question(db):
    progress.record([attempt("q1", 1, "incorrect", 0), attempt("q1", 2, "correct", 1), attempt("q2", 1, "incorrect", 0),
                     attempt("q3", 1, "correct", 1, chapter="02-other")])
    progress.record([progress.Attempt("01-her2-biology", "01-her2-biology", "q2", "single", "reveal", 1, "revealed",
                                      0, 0, "b")])
    [ch1, ch2] = progress.summary()
    assert (ch1.chapter, ch1.items, ch1.correct, ch1.score, ch1.max, ch1.attempts, ch1.revealed) == (
        "01-her2-biology", 2, 1, 1, 2, 3, 1)
    assert (ch2.chapter, ch2.items, ch2.correct) == ("02-other", 1, 1)


def test_progress_command_summary_and_csv(db, tmp_path, capsys):
    assert main(["progress"]) == 0
    assert "No answers recorded yet" in capsys.readouterr().out
    progress.record([attempt("q1", 1, "incorrect", 0), attempt("q1", 2, "correct", 1)])
    assert main(["progress"]) == 0
    out = capsys.readouterr().out
    assert "01-her2-biology" in out and "1/1 (100%)" in out
    target = tmp_path / "out" / "attempts.csv"
    assert main(["progress", "--csv", str(target)]) == 0
    assert "Wrote 2 attempts" in capsys.readouterr().out
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert [r["status"] for r in rows] == ["incorrect", "correct"]
    assert set(rows[0]) == set(progress.COLUMNS)
