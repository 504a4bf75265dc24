"""``make hub-load``: a class on the course's JupyterHub, simulated and measured. A benchmark: it prints figures.

    python tools/hub/load.py [--students 40] [--browsers 3] [--ramp 30] [--dir _hub_load] [--json FILE]

It starts the hub exactly as ``make hub`` does (tools/hub/classhub.py run, in a folder of its own), lets
``--students`` students arrive over ``--ramp`` seconds, each signing in, pulling the course, opening chapter 1,
running it and answering its quiz, then answering the chapter 1 assignment and handing in a results file
(tools/hub/students.py: ``--browsers`` of them in JupyterLab in chromium, the rest over the same HTTP and kernel
websocket protocols). The instructor then collects the files into a gradebook with ``her2course results
collect``, the hub is stopped with ``classhub.py stop`` (as ``make hub-stop``), and it reports

- time from signing in to a running chapter (notebook open, kernel ready) and to the chapter executed;
- memory per student (proportional set size of the student's server and kernel, measured after chapter 1 ran);
- quiz attempts sent and stored in each student's own progress database (the platformdirs default under the
  student's home), results files handed in and gradebook rows that match the databases;
- hub and proxy errors in the log, failed cells, students who did not finish, processes left after the stop.

The run is bounded: every step has a time limit and the whole run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))

import classhub
from classhub import ASSIGNMENT, HubInfo
from students import CHAPTER_ID, Outcome, browser_student, protocol_student

CLASSHUB = Path(__file__).with_name("classhub.py")
DB_IN_HOME = Path(".local") / "share" / "her2course" / "progress.sqlite3"  # platformdirs' default under $HOME
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]
MIB = 1024 * 1024


# ------------------------------------------------------------------------------------------------ the hub

def start_hub(state: Path, port: int, students: int, timeout: float = 180) -> subprocess.Popen:
    """``classhub.py run`` in the background (its own session, as a terminal would run it); returns once the hub
    answers."""
    state.mkdir(parents=True, exist_ok=True)
    (state / "ready").unlink(missing_ok=True)
    log = (state / "launcher.log").open("w", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(CLASSHUB), "run", "--dir", str(state), "--port", str(port),
                             "--students", str(students)], stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)
    log.close()
    deadline = time.monotonic() + timeout
    while not (state / "ready").exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_hub(state, proc)
            raise RuntimeError("the hub did not start:\n" + (state / "launcher.log").read_text()[-3000:])
        time.sleep(0.3)
    return proc


def stop_hub(state: Path, proc: subprocess.Popen) -> dict[str, Any]:
    """``classhub.py stop`` (as ``make hub-stop``), then look for anything of the hub still running."""
    stopped = subprocess.run([sys.executable, str(CLASSHUB), "stop", "--dir", str(state)], capture_output=True,
                             text=True, timeout=180)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    left = classhub.hub_processes(state)
    return {"stop_exit": stopped.returncode, "launcher_exit": proc.returncode, "left": classhub.describe(left),
            "launcher_log": (state / "launcher.log").read_text(encoding="utf-8")[-2000:]}


# ------------------------------------------------------------------------------------------------ measuring

def student_processes(state: Path, user: str) -> list[psutil.Process]:
    out = []
    for p in classhub.hub_processes(state):
        with contextlib.suppress(psutil.Error):
            if p.environ().get("JUPYTERHUB_USER") == user:
                out.append(p)
    return out


def memory_of(state: Path, user: str) -> dict[str, int]:
    """Bytes used by one student's server and kernels: resident and proportional (shared pages split)."""
    out = Counter()
    for p in student_processes(state, user):
        with contextlib.suppress(psutil.Error):
            mem = p.memory_full_info()
            role = "server" if any("jupyterhub-singleuser" in a for a in p.cmdline()) else "kernel"
            out["rss"] += mem.rss
            out["pss"] += mem.pss
            out[f"{role}_pss"] += mem.pss
            out[f"{role}s"] += 1
    return dict(out)


class Sampler(threading.Thread):
    """Every few seconds: resident memory of all the hub's processes, and of the machine."""

    def __init__(self, state: Path, every: float = 3.0) -> None:
        super().__init__(daemon=True)
        self.state, self.every = state, every
        self.peak_hub_rss = self.peak_used = self.peak_procs = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            procs = classhub.hub_processes(self.state)
            rss = 0
            for p in procs:
                with contextlib.suppress(psutil.Error):
                    rss += p.memory_info().rss
            self.peak_hub_rss = max(self.peak_hub_rss, rss)
            self.peak_procs = max(self.peak_procs, len(procs))
            self.peak_used = max(self.peak_used, psutil.virtual_memory().used)


def stored_attempts(home: Path) -> list[tuple[str, str, int]]:
    """(quiz chapter or assignment, item, attempt) of every attempt in the student's own progress database."""
    db = home / DB_IN_HOME
    if not db.exists():
        return []
    with contextlib.closing(sqlite3.connect(db)) as con:
        return con.execute("SELECT chapter, item, attempt FROM attempts WHERE event = 'attempt' ORDER BY id").fetchall()


def latest_scores(home: Path, chapter: str) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(home / DB_IN_HOME)) as con:
        rows = con.execute("SELECT item, score FROM attempts WHERE chapter = ? AND event = 'attempt' "
                           "AND status != 'invalid' ORDER BY id", (chapter,)).fetchall()
    return dict(rows)


def percentile(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q) - 1]


def summary(values: list[float]) -> dict[str, float] | None:
    if not values:
        return None
    return {"median": statistics.median(values), "p95": percentile(values, 95), "max": max(values)}


def log_errors(log: Path) -> tuple[list[str], list[str]]:
    """Error lines of the hub (``[E ...``) and the proxy (``error``) after the hub reported it was running, and
    separately the proxy's reports of a client connection reset (a browser tab closed mid-stream: the proxy logs
    it as an error, but nothing failed on the hub's side)."""
    errors, resets, running = [], [], False
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if "JupyterHub is now running" in line:
            running = True
        elif running and (line.startswith("[E ") or ("[ConfigProxy]" in line and "error" in line)):
            if "ECONNRESET" not in line:
                errors.append(line.strip()[:200])
            elif "Uncaught" in line:  # each reset is two lines: "Uncaught Exception: ..." and "Error: ..."
                resets.append(line.strip()[:200])
    return errors, resets


# ------------------------------------------------------------------------------------------------ the class

def browser_specs(info: HubInfo) -> dict[str, dict[str, Any]]:
    """The quizzes as the browser students' JupyterLab shows them (to know which option is right)."""
    from her2course.exports.notebook import assignment_quiz
    from her2course.quiz import quiz

    meta = json.loads((info.state / "repo" / classhub.REPO_NAME / ASSIGNMENT).read_text())["metadata"]["her2course"]
    return {CHAPTER_ID: quiz(CHAPTER_ID).spec,
            info.assignment: assignment_quiz(meta["assignment"], meta["items"], seed=meta["seed"],
                                             title=meta["title"]).spec}


async def class_session(info: HubInfo, browsers: int, ramp: float) -> list[Outcome]:
    users = info.students
    delay = ramp / max(len(users) - 1, 1)

    def measure(user: str) -> dict[str, int]:
        return memory_of(info.state, user)

    async def arrive(i: int, coro_factory):
        await asyncio.sleep(i * delay)
        return await coro_factory()

    tasks = []
    browser_users = users[:browsers]
    pw = browser = None
    if browser_users:
        from playwright.async_api import async_playwright

        pw = await async_playwright().start()
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        specs = browser_specs(info)
    try:
        for i, user in enumerate(users, start=1):
            if user in browser_users:
                tasks.append(arrive(i - 1, lambda u=user, n=i: browser_student(info, u, n, measure, browser, specs)))
            else:
                tasks.append(arrive(i - 1, lambda u=user, n=i: protocol_student(info, u, n, measure)))
        async with asyncio.timeout(1800):  # the whole class, bounded
            return list(await asyncio.gather(*tasks))
    finally:
        if browser is not None:
            await browser.close()
        if pw is not None:
            await pw.stop()


def collect(info: HubInfo, outcomes: list[Outcome]) -> dict[str, Any]:
    """The instructor's side: the handed-in files into one folder, ``her2course results collect``, and a check of
    the gradebook against each student's own progress database."""
    folder = info.state / "handed-in"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for out in outcomes:
        if out.results_file:
            shutil.copy(out.results_file, folder / Path(out.results_file).name)
    grades = info.state / "grades.csv"
    # the instructor's copy of the assignment: the collector re-grades every hand-in against it
    notebook = Path(urlparse(info.repo_url).path) / classhub.ASSIGNMENT
    run = subprocess.run([str(classhub.BIN / "her2course"), "results", "collect", str(folder), "--csv", str(grades),
                          "--assignment-notebook", str(notebook)], capture_output=True, text=True)
    rows = list(csv.DictReader(grades.open(encoding="utf-8"))) if grades.exists() else []
    by_name = {r["student"]: r for r in rows}
    mismatches = []
    for out in outcomes:
        if not out.results_file:
            continue
        row = by_name.get(out.display)
        expected = latest_scores(info.home(out.user), info.assignment)
        if row is None:
            mismatches.append(f"{out.display}: no gradebook row")
        elif int(row["total"]) != sum(expected.values()) or any(
                str(score) != row.get(item) for item, score in expected.items()):
            mismatches.append(f"{out.display}: gradebook {row} but their database says {expected}")
    return {"collect_exit": run.returncode, "collect_output": (run.stdout + run.stderr).strip(),
            "handed_in": len(list(folder.iterdir())), "gradebook_rows": len(rows), "mismatches": mismatches,
            "gradebook": str(grades)}


def check_homes(info: HubInfo, outcomes: list[Outcome]) -> dict[str, Any]:
    """Attempts sent against attempts stored, student by student, in the student's own home only."""
    sent = stored = 0
    lost: list[str] = []
    foreign: list[str] = []
    for out in outcomes:
        mine = Counter((chapter, item, n) for chapter, pairs in out.sent.items() for item, n in pairs)
        have = Counter(stored_attempts(info.home(out.user)))
        sent += sum(mine.values())
        stored += sum((have & mine).values())
        if mine - have:
            lost.append(f"{out.user}: {sorted(mine - have)}")
        if have - mine:
            foreign.append(f"{out.user}: {sorted(have - mine)}")
        dbs = sorted(str(p.relative_to(info.home(out.user))) for p in info.home(out.user).rglob("progress.sqlite3"))
        if dbs != ([str(DB_IN_HOME)] if out.sent else []):
            foreign.append(f"{out.user}: progress databases in the home: {dbs}")
    return {"attempts_sent": sent, "attempts_stored": stored, "lost": lost, "unexpected": foreign}


def run_class(state: Path, students: int, browsers: int, ramp: float, port: int | None = None) -> dict[str, Any]:
    """Start a hub, run the class, collect, stop; return every figure and finding."""
    shutil.rmtree(state, ignore_errors=True)
    started = time.monotonic()
    proc = start_hub(state, port or classhub.free_port(), students)
    hub_up = time.monotonic() - started
    sampler = Sampler(state)
    try:
        info = HubInfo.load(state)
        before = psutil.virtual_memory().used
        sampler.start()
        t0 = time.monotonic()
        outcomes = asyncio.run(class_session(info, browsers, ramp))
        class_time = time.monotonic() - t0
        sampler.done.set()
        t1 = time.monotonic()
        homes = check_homes(info, outcomes)
        gradebook = collect(info, outcomes)
        collect_time = time.monotonic() - t1
        load = os.getloadavg()
    finally:
        sampler.done.set()
        t2 = time.monotonic()
        stopped = stop_hub(state, proc)
        stop_time = time.monotonic() - t2
    mem = [o.memory for o in outcomes if o.memory]
    errors, resets = log_errors(state / "jupyterhub.log")
    return {
        "students": students, "browser_students": browsers, "ramp_s": ramp, "hub_start_s": hub_up,
        "class_wall_s": class_time, "collect_s": collect_time, "stop_s": stop_time,
        "ran_chapter": sum(o.executed is not None for o in outcomes),
        "handed_in_ok": sum(o.results_file is not None for o in outcomes),
        "to_running_s": summary([o.to_running for o in outcomes if o.to_running is not None]),
        "to_executed_s": summary([o.to_executed for o in outcomes if o.to_executed is not None]),
        "to_running_browser_s": summary([o.to_running for o in outcomes if o.kind == "browser" and o.to_running]),
        "memory_pss_mib": summary([m["pss"] / MIB for m in mem]),
        "memory_rss_mib": summary([m["rss"] / MIB for m in mem]),
        "server_pss_mib": summary([m.get("server_pss", 0) / MIB for m in mem]),
        "kernel_pss_mib": summary([m.get("kernel_pss", 0) / MIB for m in mem]),
        "peak_hub_rss_mib": sampler.peak_hub_rss / MIB, "peak_hub_processes": sampler.peak_procs,
        "machine_memory_growth_mib": (sampler.peak_used - before) / MIB,
        "load_average_1_5_15": load,
        **homes, **gradebook,
        "cell_errors": [e for o in outcomes for e in o.cell_errors],
        "student_errors": [f"{o.user} ({o.kind}): {e}" for o in outcomes for e in o.errors],
        "hub_log_errors": errors, "proxy_connection_resets": resets,
        **stopped,
        "outcomes": [{"user": o.user, "kind": o.kind, "to_running": o.to_running, "to_executed": o.to_executed,
                      "cells": o.cells, "memory": o.memory, "sent": o.sent, "results_file": o.results_file,
                      "errors": o.errors} for o in outcomes],
    }


def fmt(s: dict[str, float] | None, unit: str) -> str:
    return "n/a" if not s else f"median {s['median']:.1f} {unit}, p95 {s['p95']:.1f} {unit}, max {s['max']:.1f} {unit}"


def report(r: dict[str, Any]) -> str:
    lines = [
        f"students: {r['students']} ({r['browser_students']} in chromium), arriving over {r['ramp_s']:.0f} s; "
        f"hub up in {r['hub_start_s']:.1f} s; class done in {r['class_wall_s']:.0f} s; gradebook in "
        f"{r['collect_s']:.1f} s; hub stopped in {r['stop_s']:.1f} s",
        f"ran chapter 1: {r['ran_chapter']}/{r['students']}; handed in: {r['handed_in_ok']}/{r['students']}",
        f"sign-in -> running chapter (kernel ready): {fmt(r['to_running_s'], 's')}",
        f"sign-in -> chapter 1 executed: {fmt(r['to_executed_s'], 's')}",
        f"  browser students, sign-in -> running chapter: {fmt(r['to_running_browser_s'], 's')}",
        f"memory per student after chapter 1 (PSS): {fmt(r['memory_pss_mib'], 'MiB')}",
        f"  server: {fmt(r['server_pss_mib'], 'MiB')}; kernel: {fmt(r['kernel_pss_mib'], 'MiB')}",
        f"  RSS: {fmt(r['memory_rss_mib'], 'MiB')}",
        f"peak resident memory of the hub's processes: {r['peak_hub_rss_mib']:.0f} MiB in {r['peak_hub_processes']} "
        f"processes; machine memory in use grew by {r['machine_memory_growth_mib']:.0f} MiB",
        "load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in r["load_average_1_5_15"]),
        f"quiz attempts sent {r['attempts_sent']}, stored {r['attempts_stored']} "
        f"(lost: {len(r['lost'])} students, unexpected rows: {len(r['unexpected'])})",
        f"results files handed in {r['handed_in']}; gradebook rows {r['gradebook_rows']}; rows that disagree with "
        f"the student's database: {len(r['mismatches'])}",
        f"failed cells: {len(r['cell_errors'])}; student errors: {len(r['student_errors'])}; hub/proxy log errors: "
        f"{len(r['hub_log_errors'])} (and {len(r['proxy_connection_resets'])} client connection resets)",
        f"stop: exit {r['stop_exit']}, processes of the hub left: {len(r['left'])}",
    ]
    for key in ("lost", "unexpected", "mismatches", "cell_errors", "student_errors", "hub_log_errors", "left"):
        lines += [f"  {key}: {x}" for x in r[key][:10]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--browsers", type=int, default=3, help="how many of them use chromium (default 3)")
    parser.add_argument("--ramp", type=float, default=30, help="seconds over which they arrive (default 30)")
    parser.add_argument("--dir", default=str(classhub.ROOT / "_hub_load"), help="the hub's folder (replaced)")
    parser.add_argument("--json", help="also write every figure to this file")
    args = parser.parse_args(argv)
    result = run_class(Path(args.dir).resolve(), args.students, min(args.browsers, args.students), args.ramp)
    print(report(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
