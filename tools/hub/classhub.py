"""``make hub`` / ``make hub-stop``: the course on a real JupyterHub on 127.0.0.1, for a class of demo students.

    python tools/hub/classhub.py run  [--dir _hub] [--port 8000] [--students 3]
    python tools/hub/classhub.py stop [--dir _hub]

``run`` prepares the hub's folder (one home per student, the class list with a password for each account, the
course repository), starts jupyterhub (PyPI) with configurable-http-proxy (npm), prints the accounts and the
nbgitpuller links, and runs until Ctrl-C or ``stop``. Then it stops the hub, which stops every student's server
and the proxy, and checks that no process of the hub is left: every process the hub starts (the proxy, the
students' servers, their kernels and terminals, git) carries the hub's folder in its environment, and the
launcher is the "subreaper" of everything below it, so not even an orphan escapes the check.

The course reaches each home by an nbgitpuller link, offline: the repository is a local clone of this checkout's
last commit (uncommitted edits are not in it) plus the instructor's assignment notebook for chapter 1, served as
a file:// URL.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psutil

ROOT = Path(__file__).resolve().parents[2]
CONFIG = Path(__file__).with_name("jupyterhub_config.py")
BIN = Path(sys.executable).parent
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"
MARK = "HER2COURSE_HUB"  # environment variable every process of a hub carries: the hub's folder
INSTRUCTOR = "instructor"
REPO_NAME = "her2-course"  # the folder nbgitpuller makes in each home
BRANCH = "main"
ASSIGNMENT = "assignments/chapter-1-quiz.ipynb"
ASSIGNMENT_BUILD = ["--chapter", "1", "--count", "5", "--seed", "1"]
CHAPTER_1 = "lab/01-her2-biology.ipynb"  # the learner copy (make lab-notebooks): MyST reads as in the book


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def student_names(n: int) -> list[str]:
    return [f"student{i}" for i in range(1, n + 1)]


@dataclass(frozen=True)
class HubInfo:
    """What a client of a running hub needs (read from the hub folder's settings)."""

    state: Path
    url: str
    students: list[str]
    instructor: str
    passwords: dict[str, str]
    repo_url: str
    branch: str
    assignment: str  # the assignment id (asg-...)

    @classmethod
    def load(cls, state: Path) -> HubInfo:
        s = json.loads((state / "settings.json").read_text(encoding="utf-8"))
        return cls(state=Path(s["state"]), url=f"http://127.0.0.1:{s['port']}", students=s["students"],
                   instructor=s["instructor"], passwords=json.loads(Path(s["accounts"]).read_text(encoding="utf-8")),
                   repo_url=s["repo_url"], branch=s["branch"], assignment=s["assignment"])

    def home(self, user: str) -> Path:
        return self.state / "home" / user

    def link(self, path: str = CHAPTER_1) -> str:
        """The nbgitpuller link that signs in, starts the server, pulls the course and opens ``path`` in JupyterLab."""
        query = urlencode({"repo": self.repo_url, "branch": self.branch, "urlpath": f"lab/tree/{REPO_NAME}/{path}"})
        return f"{self.url}/hub/user-redirect/git-pull?{query}"


# ------------------------------------------------------------------------------------------------ preparing

def _git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}).stdout.strip()


def course_repository(target: Path) -> str:
    """Clone this checkout's last commit to ``target`` (branch main) and commit the chapter 1 assignment notebook
    that an instructor builds with ``her2course quiz build --format notebook`` and the JupyterLab copies of the
    chapters. Returns the assignment id. The
    commit's dates are the checkout's, so the same checkout always gives the same commit (a restarted hub's
    students pull nothing new)."""
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(target)], check=True)
    _git("checkout", "--quiet", "-B", BRANCH, cwd=target)
    notebook = target / ASSIGNMENT
    subprocess.run([str(BIN / "her2course"), "quiz", "build", *ASSIGNMENT_BUILD, "--format", "notebook",
                    "--out", str(notebook)], check=True, capture_output=True, text=True, cwd=target)
    meta = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["her2course"]
    when = _git("log", "-1", "--format=%cI", cwd=target)
    who = {"GIT_AUTHOR_NAME": "Course instructor", "GIT_AUTHOR_EMAIL": "instructor@localhost",
           "GIT_COMMITTER_NAME": "Course instructor", "GIT_COMMITTER_EMAIL": "instructor@localhost",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    # Students open the JupyterLab copies in lab/ (committed with the course: citations, key terms and page links
    # rewritten for Lab), as the book's launch links do.
    _git("add", "--force", ASSIGNMENT, cwd=target)
    _git("commit", "--quiet", "--no-verify", "-m", f"Assignment {meta['assignment']}: chapter 1 quiz", cwd=target,
         env=who)
    return meta["assignment"]


def prepare(state: Path, port: int, students: int) -> Path:
    """Lay out the hub's folder and write its settings; returns the settings file."""
    state = state.resolve()
    (state / "home").mkdir(parents=True, exist_ok=True)
    names = student_names(students)
    accounts_file = state / "accounts.json"
    accounts = json.loads(accounts_file.read_text(encoding="utf-8")) if accounts_file.exists() else {}
    for name in [*names, INSTRUCTOR]:  # keep the passwords of a previous run; new accounts get new ones
        accounts.setdefault(name, secrets.token_urlsafe(9))
    accounts = {k: v for k, v in accounts.items() if k in [*names, INSTRUCTOR]}
    accounts_file.write_text(json.dumps(accounts, indent=1), encoding="utf-8")
    accounts_file.chmod(0o600)
    repo = state / "repo" / REPO_NAME
    assignment = course_repository(repo)
    settings = {
        "state": str(state), "port": port, "hub_api_port": free_port(), "proxy_api_port": free_port(),
        "students": names, "instructor": INSTRUCTOR, "accounts": str(accounts_file), "mark": MARK,
        "bin": str(BIN), "proxy": str(PROXY), "repo_dir": str(repo), "repo_url": repo.as_uri(),
        "branch": BRANCH, "assignment": assignment,
    }
    path = state / "settings.json"
    path.write_text(json.dumps(settings, indent=1), encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ processes

def hub_processes(state: Path) -> list[psutil.Process]:
    """Every live process that belongs to the hub in ``state`` (it carries the hub's folder in its environment)."""
    want = str(state.resolve())
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if proc.pid != os.getpid() and proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get(MARK) == want:
                found.append(proc)
    return found


def describe(procs: list[psutil.Process]) -> list[str]:
    out = []
    for p in procs:
        with contextlib.suppress(psutil.Error):
            out.append(f"{p.pid} {' '.join(p.cmdline())[:120]}")
    return out


def end_processes(procs: list[psutil.Process], grace: float = 5) -> None:
    """SIGTERM, then SIGKILL whatever is still there after ``grace`` seconds (and reap our own children)."""
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.terminate()
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=grace)


def become_subreaper() -> None:
    """Orphans below this process are re-parented to it, not to init (Linux prctl PR_SET_CHILD_SUBREAPER)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)


def reap(hub: subprocess.Popen) -> None:
    """Collect exited children (orphans re-parented to us among them); keep the hub's exit status for Popen."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid == hub.pid:
            hub.returncode = os.waitstatus_to_exitcode(status)


def wait_ready(url: str, proc: subprocess.Popen | None, timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{url}/hub/api/", timeout=3) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if (proc is not None and proc.poll() is not None) or time.monotonic() > deadline:
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log and log.exists() else ""
            raise RuntimeError(f"the hub did not start (log {log}):\n{tail}")
        time.sleep(0.3)


# ------------------------------------------------------------------------------------------------ run / stop

_stop_requested = False


def _request_stop(signum, _frame) -> None:
    global _stop_requested
    _stop_requested = True


def banner(info: HubInfo) -> str:
    lines = [
        "", f"The course's JupyterHub is running at {info.url}/ (this machine only).", "",
        "Accounts (user / password):",
        *[f"  {name:<12} {info.passwords[name]}" for name in info.students],
        f"  {info.instructor:<12} {info.passwords[info.instructor]}   (admin)", "",
        "Open chapter 1 (signs in, starts your server, copies the course into your home, opens the chapter):",
        f"  {info.link()}",
        "The chapter 1 assignment, for students to answer and hand in:",
        f"  {info.link(ASSIGNMENT)}", "",
        f"Homes: {info.state / 'home'}/<user>. Log: {info.state / 'jupyterhub.log'}.",
        "Stop with Ctrl-C here, or `make hub-stop` from another terminal.", "",
    ]
    return "\n".join(lines)


def run(state: Path, port: int, students: int) -> int:
    state = state.resolve()
    if hub_processes(state):
        print(f"A hub is already running from {state}: stop it first (make hub-stop).", file=sys.stderr)
        return 1
    if not PROXY.exists():
        print(f"configurable-http-proxy is missing ({PROXY}): run `npm ci` (make browser).", file=sys.stderr)
        return 1
    settings = prepare(state, port, students)
    info = HubInfo.load(state)
    become_subreaper()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _request_stop)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HER2COURSE_")}
    env.update({MARK: str(state), "HER2COURSE_HUB_SETTINGS": str(settings),
                "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
                "CONFIGPROXY_AUTH_TOKEN": secrets.token_hex(32)})
    log_path = state / "jupyterhub.log"
    (state / "launcher.pid").write_text(str(os.getpid()), encoding="utf-8")
    (state / "ready").unlink(missing_ok=True)
    with log_path.open("a", encoding="utf-8") as log:
        # Its own session: Ctrl-C reaches the launcher only, which stops the hub in order.
        hub = subprocess.Popen([str(BIN / "jupyterhub"), "-f", str(CONFIG)], cwd=state, env=env, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
        code = 0
        try:
            wait_ready(info.url, hub, timeout=120, log=log_path)
            (state / "ready").write_text(info.url, encoding="utf-8")
            print(banner(info), flush=True)
            while not _stop_requested and hub.poll() is None:
                time.sleep(0.3)
                reap(hub)
            if hub.poll() is not None and not _stop_requested:
                print(f"The hub exited by itself (code {hub.returncode}); see {log_path}.", file=sys.stderr)
                code = 1
        except RuntimeError as exc:
            print(exc, file=sys.stderr)
            code = 1
        finally:
            code = max(code, shutdown(hub, state))
            (state / "launcher.pid").unlink(missing_ok=True)
            (state / "ready").unlink(missing_ok=True)
    return code


def shutdown(hub: subprocess.Popen, state: Path) -> int:
    """Stop the hub (it stops the students' servers and the proxy), then make sure nothing of it is left."""
    print("Stopping the hub...", flush=True)
    if hub.poll() is None:
        hub.terminate()
        deadline = time.monotonic() + 60
        while hub.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
            reap(hub)
        if hub.poll() is None:
            hub.kill()
            hub.wait()
    left = hub_processes(state)
    if left:  # the hub did not stop them all: say which, then end them
        print("Still running after the hub stopped, now ended:\n  " + "\n  ".join(describe(left)), file=sys.stderr)
        end_processes(left)
    time.sleep(0.2)
    reap(hub)
    remaining = hub_processes(state)
    if remaining:
        print("Could not end:\n  " + "\n  ".join(describe(remaining)), file=sys.stderr)
        return 1
    print("Stopped: no process of the hub is left.", flush=True)
    return 0


def stop(state: Path, timeout: float = 90) -> int:
    """``make hub-stop``: ask the launcher to stop (as Ctrl-C would), wait, and check that nothing is left."""
    state = state.resolve()
    pid_file = state / "launcher.pid"
    if pid_file.exists():
        with contextlib.suppress(psutil.Error, ValueError):
            launcher = psutil.Process(int(pid_file.read_text()))
            if not any(a.endswith("classhub.py") for a in launcher.cmdline()):
                raise psutil.NoSuchProcess(launcher.pid)  # the file is stale: that pid is another program now
            launcher.send_signal(signal.SIGINT)
            deadline = time.monotonic() + timeout
            # gone, or exited and waiting for its parent to collect it
            while launcher.is_running() and launcher.status() != psutil.STATUS_ZOMBIE:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
    left = hub_processes(state)
    if left:  # the launcher was killed or is gone: end what it left behind
        print("Ended processes the hub left behind:\n  " + "\n  ".join(describe(left)), file=sys.stderr)
        end_processes(left)
    remaining = hub_processes(state)
    if remaining:
        print("Could not end:\n  " + "\n  ".join(describe(remaining)), file=sys.stderr)
        return 1
    print(f"No process of the hub in {state} is running.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="start the hub and run until Ctrl-C or `stop`")
    s = sub.add_parser("stop", help="stop a running hub and check that none of its processes is left")
    for p in (r, s):
        p.add_argument("--dir", default=str(ROOT / "_hub"), help="the hub's folder (default: _hub)")
    r.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    r.add_argument("--students", type=int, default=3, help="number of student accounts (default 3)")
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(Path(args.dir), args.port, args.students)
    return stop(Path(args.dir))


if __name__ == "__main__":
    sys.exit(main())
