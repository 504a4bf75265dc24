"""Progress: every attempt made in a kernel, in a local SQLite database.

The database lives in the user's data directory (``platformdirs``), or wherever ``HER2COURSE_PROGRESS_DB``
points. It runs in WAL mode and each attempt is one short ``BEGIN IMMEDIATE`` transaction, so two notebooks can
write at once (the second waits for the lock, up to the busy timeout) and a process killed mid-write leaves the
database as it was before that transaction.

A store that cannot be used (a damaged file, a read-only file or folder, a folder where the file should be, a
parent that is a file) raises :class:`StoreError`, whose message says in one line what is wrong and where; never a
raw sqlite3 traceback. Reading opens the database read-only, so a read-only store can still be shown and exported.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ENV = "HER2COURSE_PROGRESS_DB"
BUSY_TIMEOUT_MS = 15000

SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT    NOT NULL,            -- UTC, ISO 8601
    chapter   TEXT    NOT NULL,
    quiz      TEXT    NOT NULL,
    item      TEXT    NOT NULL,
    type      TEXT    NOT NULL,
    event     TEXT    NOT NULL CHECK (event IN ('attempt', 'reveal')),
    attempt   INTEGER NOT NULL,            -- 1 for the first check of this item in this quiz, 2 after a retry...
    status    TEXT    NOT NULL,            -- correct | partial | incorrect | invalid | revealed
    score     INTEGER NOT NULL,
    max       INTEGER NOT NULL,
    response  TEXT    NOT NULL             -- the learner's answer as JSON
);
CREATE INDEX IF NOT EXISTS attempts_by_item ON attempts (chapter, item, id);
CREATE TABLE IF NOT EXISTS resets (         -- "Reset my answers" in a quiz: earlier answers are not restored
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    at        TEXT    NOT NULL,
    chapter   TEXT    NOT NULL,
    quiz      TEXT    NOT NULL,
    after_id  INTEGER NOT NULL             -- the last attempts.id stored before the reset
);
"""

COLUMNS = ("id", "at", "chapter", "quiz", "item", "type", "event", "attempt", "status", "score", "max", "response")


def default_path() -> Path:
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("her2course", appauthor=False)) / "progress.sqlite3"


class StoreError(Exception):
    """The progress store cannot be read or written; the message says why, in one line, naming the path."""

    def __init__(self, path: Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(reason)


def _diagnose(db: Path, exc: BaseException, writing: bool) -> StoreError:
    """A StoreError naming what is wrong with the store at ``db`` (looked up on disk, the sqlite3 text as a hint)."""
    text = str(exc).strip() or type(exc).__name__
    parent = db.parent
    if db.is_dir():
        reason = f"{db} is a folder, not a database file"
    elif parent.exists() and not parent.is_dir():
        reason = f"{parent} is a file, so the folder for {db.name} cannot be made"
    elif "not a database" in text or "malformed" in text or "file is encrypted" in text:
        reason = f"{db} is damaged (not a readable SQLite database: {text})"
    elif writing and db.exists() and not os.access(db, os.W_OK):
        reason = f"{db} is read-only"
    elif writing and parent.is_dir() and not os.access(parent, os.W_OK):
        reason = f"the folder {parent} is read-only"
    elif "readonly" in text or "read-only" in text:
        reason = f"{db} cannot be written ({text})"
    else:
        reason = f"{db} cannot be {'written' if writing else 'read'} ({text})"
    return StoreError(db, reason)


@contextmanager
def connect(path: Path | None = None) -> Iterator[sqlite3.Connection]:
    """A connection for writing: autocommit mode (transactions are explicit), WAL, with a busy timeout.

    Raises StoreError when the store cannot be opened for writing.
    """
    db = Path(path) if path else default_path()
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(db, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    except (OSError, sqlite3.Error) as exc:
        raise _diagnose(db, exc, writing=True) from exc
    try:
        try:
            con.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _retry(lambda: con.execute("PRAGMA journal_mode = WAL"))
            con.execute("PRAGMA synchronous = NORMAL")
            _retry(lambda: con.executescript(SCHEMA))
        except sqlite3.Error as exc:
            raise _diagnose(db, exc, writing=True) from exc
        yield con
    finally:
        con.close()


def _select(db: Path, immutable: bool, sql: str = f"SELECT {', '.join(COLUMNS)} FROM attempts ORDER BY id",
            params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query, through a read-only connection (immutable: no -shm file, for a store in a read-only folder).

    A table the store does not have yet (an empty file, or a store from before the resets table) has no rows.
    """
    uri = "file:" + urllib.parse.quote(str(db.resolve())) + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
    con = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return con.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        text = str(exc)
        if "no such table: resets" in text or ("no such table: attempts" in text and not _tables(con)):
            return []
        raise
    finally:
        con.close()


def _retry(fn: Callable[[], Any], attempts: int = 50) -> Any:
    """Switching to WAL or creating the schema can meet a lock the busy handler does not cover; retry briefly."""
    for i in range(attempts):
        try:
            return fn()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or i == attempts - 1:
                raise
            time.sleep(0.05)
    return None  # pragma: no cover


@dataclass(frozen=True)
class Attempt:
    chapter: str
    quiz: str
    item: str
    type: str
    event: str
    attempt: int
    status: str
    score: int
    max: int
    response: Any


def record(entries: list[Attempt], path: Path | None = None) -> None:
    """Write attempts in one transaction: all of them are stored, or (on any failure or a crash) none."""
    if not entries:
        return
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    rows = [(now, a.chapter, a.quiz, a.item, a.type, a.event, a.attempt, a.status, a.score, a.max,
             json.dumps(a.response, ensure_ascii=False, sort_keys=True)) for a in entries]
    db = Path(path) if path else default_path()
    with connect(db) as con:
        try:
            con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _diagnose(db, exc, writing=True) from exc
        try:
            con.executemany(
                "INSERT INTO attempts (at, chapter, quiz, item, type, event, attempt, status, score, max, response)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
            con.execute("COMMIT")
        except BaseException as exc:
            con.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):
                raise _diagnose(db, exc, writing=True) from exc
            raise


def rows(path: Path | None = None) -> list[dict[str, Any]]:
    """Every stored attempt, oldest first (an empty list when there is no store yet). Raises StoreError."""
    return [dict(zip(COLUMNS, r, strict=True)) for r in _read(path)]


def _read(path: Path | None, *query: Any) -> list[tuple[Any, ...]]:
    """The rows of a read-only query (every attempt by default); none when there is no store yet. Raises StoreError."""
    db = Path(path) if path else default_path()
    if not db.exists() and not db.is_symlink():
        if db.parent.exists() and not db.parent.is_dir():
            raise _diagnose(db, FileNotFoundError(str(db)), writing=False)
        return []
    try:
        try:
            return _select(db, False, *query)
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if db.is_dir() or not ("readonly" in text or "read-only" in text or "unable to open" in text):
                raise
        return _select(db, True, *query)  # a read-only folder: the store can still be read
    except sqlite3.Error as exc:
        raise _diagnose(db, exc, writing=False) from exc


@dataclass(frozen=True)
class Saved:
    """A question's stored state in one quiz: the latest checked answer (attempt 0: none) and whether it was shown."""

    response: Any
    attempt: int
    revealed: bool


def saved_answers(chapter: str, quiz: str, path: Path | None = None) -> dict[str, Saved]:
    """The learner's answers to one quiz since its last reset, by question: what a re-run quiz shows again.

    The latest checked answer of each question counts (with its attempt number), and a question whose answer was
    shown stays shown; an answer shown before any check keeps the response that was on screen. Raises StoreError.
    """
    after = _read(path, "SELECT COALESCE(MAX(after_id), 0) FROM resets WHERE chapter = ? AND quiz = ?",
                  (chapter, quiz))
    since = after[0][0] if after else 0
    out: dict[str, Saved] = {}
    for item, event, attempt, response in _read(
            path, "SELECT item, event, attempt, response FROM attempts WHERE chapter = ? AND quiz = ? AND id > ?"
                  " ORDER BY id", (chapter, quiz, since)):
        try:
            answer = json.loads(response)
        except ValueError:
            answer = None
        before = out.get(item)
        if event == "attempt":
            out[item] = Saved(answer, attempt, bool(before and before.revealed))
        elif event == "reveal":
            out[item] = Saved(before.response if before and before.attempt else answer,
                              before.attempt if before else 0, True)
    return out


def record_reset(chapter: str, quiz: str, path: Path | None = None) -> None:
    """Remember that the learner cleared a quiz, so its earlier answers are not restored. Raises StoreError."""
    db = Path(path) if path else default_path()
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    with connect(db) as con:
        try:
            con.execute("INSERT INTO resets (at, chapter, quiz, after_id) "
                        "VALUES (?, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM attempts))", (now, chapter, quiz))
        except sqlite3.Error as exc:
            raise _diagnose(db, exc, writing=True) from exc


def _tables(con: sqlite3.Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]


def writable_problem(path: Path | None = None) -> str | None:
    """Why new answers could not be saved to the store (None when they can): checked without writing anything."""
    db = Path(path) if path else default_path()
    if db.is_dir() or (db.parent.exists() and not db.parent.is_dir()):
        return _diagnose(db, OSError(), writing=True).reason
    if db.exists() and not os.access(db, os.W_OK):
        return f"{db} is read-only"
    folder = db.parent if db.parent.exists() else next((p for p in db.parents if p.exists()), None)
    if folder is not None and not os.access(folder, os.W_OK):
        return f"the folder {folder} is read-only"
    return None


@dataclass(frozen=True)
class ChapterSummary:
    chapter: str
    items: int  # questions answered at least once
    correct: int  # questions whose latest answer was fully correct
    score: int  # sum over questions of the latest score
    max: int
    attempts: int
    revealed: int
    last: str


def summary(path: Path | None = None) -> list[ChapterSummary]:
    """Per chapter: the latest scored answer to each question counts."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    counts: dict[str, dict[str, Any]] = {}
    for r in rows(path):
        c = counts.setdefault(r["chapter"], {"attempts": 0, "revealed": set(), "last": ""})
        c["last"] = max(c["last"], r["at"])
        if r["event"] == "reveal":
            c["revealed"].add(r["item"])
            continue
        if r["status"] == "invalid":
            continue
        c["attempts"] += 1
        latest[(r["chapter"], r["item"])] = r
    out = []
    for chapter in sorted(counts):
        mine = [r for (ch, _), r in latest.items() if ch == chapter]
        out.append(ChapterSummary(
            chapter=chapter,
            items=len(mine),
            correct=sum(r["status"] == "correct" for r in mine),
            score=sum(r["score"] for r in mine),
            max=sum(r["max"] for r in mine),
            attempts=counts[chapter]["attempts"],
            revealed=len(counts[chapter]["revealed"]),
            last=counts[chapter]["last"],
        ))
    return out


def export_csv(target: Path, path: Path | None = None) -> int:
    """Every attempt as one CSV row; return the number of rows written."""
    data = rows(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(data)
    return len(data)
