"""A small class on a real JupyterHub, end to end (the ``make hub-load`` benchmark with 3 students, one chapter).

The hub is started and stopped exactly as ``make hub`` and ``make hub-stop`` do it (tools/hub/classhub.py, run
as its own process). The three students work over the protocols JupyterLab uses (``make hub-load`` adds students
in JupyterLab in chromium); each signs in with their own password, pulls the course with the nbgitpuller link,
runs chapter 1, answers its quiz, answers the chapter 1 assignment and hands in a results file; the instructor
collects the files into a gradebook.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "hub"))

import classhub  # noqa: E402
import load  # noqa: E402

if not classhub.PROXY.exists():  # pragma: no cover
    pytest.skip("configurable-http-proxy is not installed (make browser runs npm ci)", allow_module_level=True)


@pytest.fixture(scope="module")
def small_class(tmp_path_factory):
    port = classhub.free_port()
    state = tmp_path_factory.mktemp("hub")
    result = load.run_class(state, students=3, browsers=0, ramp=0, port=port)
    return {"result": result, "state": state, "port": port, "info": classhub.HubInfo.load(state)}


def test_every_student_signs_in_pulls_runs_chapter_1_and_hands_in(small_class):
    r = small_class["result"]
    assert r["student_errors"] == []
    assert r["cell_errors"] == []
    assert r["ran_chapter"] == 3
    assert r["handed_in_ok"] == 3
    for o in r["outcomes"]:
        assert o["memory"]["servers"] == 1 and o["memory"]["kernels"] == 1, o  # measured with chapter 1 running
        assert o["cells"] >= 8, o  # chapter 1's code cells and the assignment's, each executed


def test_no_attempt_is_lost_and_each_home_holds_only_its_students_answers(small_class):
    r, info = small_class["result"], small_class["info"]
    assert r["attempts_sent"] > 3 * 5
    assert r["attempts_stored"] == r["attempts_sent"]
    assert r["lost"] == []
    assert r["unexpected"] == []  # nothing else in a student's database, and no database anywhere else in a home
    for user in info.students:  # the progress store is platformdirs' default under the student's own home
        assert (info.home(user) / load.DB_IN_HOME).is_file()
    answers = [frozenset((q, item, n) for q, pairs in o["sent"].items() for item, n in pairs) for o in r["outcomes"]]
    assert len(set(answers)) == 3  # the students answered differently, so a leak between homes would show


def test_the_gradebook_has_every_student_and_agrees_with_their_databases(small_class):
    r = small_class["result"]
    assert r["collect_exit"] == 0, r["collect_output"]
    assert r["handed_in"] == 3
    assert r["gradebook_rows"] == 3
    assert r["mismatches"] == []


def test_the_hub_logged_no_error(small_class):
    assert small_class["result"]["hub_log_errors"] == []


def test_stopping_leaves_nothing_running(small_class):
    r, port = small_class["result"], small_class["port"]
    assert r["stop_exit"] == 0 and r["launcher_exit"] == 0, r["launcher_log"]
    assert r["left"] == []
    assert classhub.hub_processes(small_class["state"]) == []
    with socket.socket() as s:  # nothing listens on the hub's port any more
        assert s.connect_ex(("127.0.0.1", port)) != 0
