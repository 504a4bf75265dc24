"""A broken progress store never silences the learner (and never prints a traceback).

The matrix: five broken stores {damaged file, read-only file, read-only folder, a folder where the file should be,
a parent that is a file} x four uses {a quiz attempt in the widget, `her2course progress`, `progress --csv`,
`results export`}. Each use runs in its own process; when the tests run as root, that process runs without the
capabilities that let root ignore file permissions (util-linux ``setpriv``), so read-only means read-only.

What must happen: the widget still grades and its ``save_error`` says why, in one line; the commands print one
line naming the problem and exit 2 when the store cannot be read at all. A read-only store can still be read:
`progress` shows it (and warns, on one line, that new answers cannot be saved) and `results export` writes the
hand-in, so the learner loses nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml

from her2course.quiz import progress

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "quiz_vectors.json").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent
ASSIGNMENT = "asg-0123456789ab"
AS_ROOT = os.geteuid() == 0
SETPRIV = shutil.which("setpriv")
# Root without these obeys file modes like any user (it still owns the files it made).
UNPRIVILEGED = [SETPRIV or "setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner", "--inh-caps=-all",
                "--"] if AS_ROOT else []
if AS_ROOT and not SETPRIV:  # pragma: no cover
    pytest.skip("running as root without util-linux setpriv: read-only files would not be read-only",
                allow_module_level=True)

# Runs the four uses of one store in one unprivileged process (one interpreter start per case, not four) and
# prints, for each, what a learner would see: exit code, stdout, stderr (a traceback included, if any escaped).
DRIVER = """
import contextlib, io, json, sys, traceback, warnings
from her2course.cli import main
from her2course.quiz import quiz
db, bank, out, assignment = sys.argv[1:5]
report = {}
def run(name, args):
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        try:
            code = main(args)
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            traceback.print_exc()
            code = "raised"
    report[name] = {"code": code, "out": o.getvalue(), "err": e.getvalue()}
run("progress", ["progress", "--db", db])
run("progress-csv", ["progress", "--db", db, "--csv", out + ".csv"])
run("results-export", ["results", "export", "--assignment", assignment, "--student", "Ada", "--db", db,
                       "--out", out + ".json"])
q = quiz(bank)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    q.responses = {"t-single": {"response": "b", "attempts": 1, "checked": True}}
    q.responses = {**q.responses, "t-sata": {"response": ["a", "c"], "attempts": 1, "checked": True}}
report["widget"] = {"score": list(q.score), "save_error": q.save_error, "saved": q.saved,
                    "warnings": [str(w.message) for w in caught]}
print(json.dumps(report))
"""


def _db_with_an_attempt(path: Path) -> None:
    progress.record([progress.Attempt(ASSIGNMENT, ASSIGNMENT, "t-single", "single", "attempt", 1, "correct", 1, 1,
                                      "b")], path)
    with sqlite3.connect(path) as con:  # leave no -wal/-shm beside it, as after a clean close
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)


def _setup(base: Path, case: str) -> tuple[Path, str]:
    """The store's path for a case, and the words its problem is named with."""
    folder = base / case
    folder.mkdir()
    db = folder / "progress.sqlite3"
    if case == "damaged-file":
        db.write_bytes(b"this is not a database\x00" * 200)
        return db, "is damaged"
    if case == "read-only-file":
        _db_with_an_attempt(db)
        db.chmod(0o444)
        return db, "is read-only"
    if case == "read-only-folder":
        _db_with_an_attempt(db)  # the file itself is writable; the folder is not
        folder.chmod(0o555)
        return db, "is read-only"
    if case == "folder-not-file":
        db.mkdir()
        return db, "is a folder, not a database file"
    if case == "parent-is-a-file":
        (folder / "data").write_text("x")
        return folder / "data" / "progress.sqlite3", "is a file, so the folder"
    raise AssertionError(case)


CASES = ["damaged-file", "read-only-file", "read-only-folder", "folder-not-file", "parent-is-a-file"]
READABLE = {"read-only-file", "read-only-folder"}  # reading works: nothing to refuse


@pytest.fixture(scope="module")
def base():
    path = Path(tempfile.mkdtemp(prefix="her2-store-", dir="/tmp"))
    path.chmod(0o755)
    bank = path / "zz-test-bank.yaml"
    bank.write_text(yaml.safe_dump({"chapter": "zz-test-bank", "title": "Test bank",
                                    "learning_outcomes": VECTORS["learning_outcomes"], "items": VECTORS["bank"]}))
    for d in ("home", "out"):
        (path / d).mkdir()
    yield path
    for p in path.rglob("*"):
        if p.is_dir():
            p.chmod(0o755)
    shutil.rmtree(path)


@pytest.fixture(scope="module")
def runs(base):
    """What each use of each broken store gave: {case: ({use: result}, the store's path, the words expected)}."""
    cache: dict[str, tuple[dict, Path, str]] = {}

    def get(case: str) -> tuple[dict, Path, str]:
        if case not in cache:
            db, words = _setup(base, case)
            env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(base / "home"), "MPLCONFIGDIR": str(base / "home"),
                   "IPYTHONDIR": str(base / "home"), progress.ENV: str(db), "LANG": "C.UTF-8"}
            run = subprocess.run([*UNPRIVILEGED, sys.executable, "-c", DRIVER, str(db),
                                  str(base / "zz-test-bank.yaml"), str(base / "out" / case), ASSIGNMENT],
                                 env=env, cwd=base / "out", capture_output=True, text=True, timeout=300)
            assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-3000:]
            cache[case] = (json.loads(run.stdout.strip().splitlines()[-1]), db, words)
        return cache[case]

    return get


@pytest.mark.parametrize("case", CASES)
def test_the_widget_keeps_grading_and_says_why_once(runs, case):
    report, db, words = runs(case)
    got = report["widget"]
    assert got["score"] == [3, 4]  # graded: single right (1/1), sata 2 of 3
    assert words in got["save_error"] and str(db.parent.name) in got["save_error"], got
    assert "\n" not in got["save_error"]
    assert got["saved"] == {}
    assert len(got["warnings"]) == 1  # said once, though two answers failed to save


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("use", ["progress", "progress-csv", "results-export"])
def test_the_commands_name_the_problem_in_one_line(runs, base, case, use):
    report, _db, words = runs(case)
    run = report[use]
    out = base / "out" / f"{case}.{'csv' if use == 'progress-csv' else 'json'}"
    assert "Traceback" not in run["err"] and "sqlite3." not in run["err"], run["err"][-2000:]
    lines = run["err"].strip().splitlines()
    if case in READABLE:
        assert run["code"] == 0, run["err"]
        if use == "results-export":
            assert json.loads(out.read_text())["answers"]["t-single"]["response"] == "b"
        else:
            assert len(lines) == 1 and lines[0].startswith("warning: quizzes cannot save new answers:")
            assert words in lines[0]
            if use == "progress":
                assert ASSIGNMENT in run["out"]
            else:
                assert "t-single" in out.read_text()
    else:
        assert run["code"] == 2, run
        assert len(lines) == 1 and lines[0].startswith("error: ") and words in lines[0], lines
        assert not out.exists()
