"""Simulated students on the class hub: what a student does, from signing in to handing in.

A *protocol* student uses what JupyterLab itself uses, over HTTP and the kernel websocket: the hub's login form,
the nbgitpuller link (spawn progress stream, then nbgitpuller's pull stream), the Jupyter server's sessions and
contents APIs, and the kernel messaging protocol. It executes chapter 1's code cells in order, then answers the
quiz as the widget's front end does: ``comm_msg`` updates of the widget model's ``responses`` (each input
change, then each "Check answer" with the attempt count raised). It shuts the chapter's kernel down, opens the
chapter 1 assignment notebook, answers it the same way and hands in with ``!her2course results export`` in a
cell. A *browser* student does the same in a real JupyterLab in Debian chromium (Playwright), pressing the quiz's
buttons and the assignment's "Save my results file".

Every student answers the items of a quiz right, except one item it answers wrong and never corrects and one it
gets wrong, retries and then gets right; which ones depends on the student, so no two students give the same
answers and a leak between homes would show.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
from classhub import ASSIGNMENT, CHAPTER_1, REPO_NAME, HubInfo

TIMEOUT = aiohttp.ClientTimeout(total=600, sock_read=600)
CHAPTER_ID = "01-her2-biology"


@dataclass
class Outcome:
    """What happened to one student, with timings (time.monotonic seconds)."""

    user: str
    display: str
    kind: str  # "protocol" or "browser"
    started: float = 0.0  # pressed "Sign in"
    running: float | None = None  # chapter 1 open with its kernel ready
    executed: float | None = None  # chapter 1's cells all ran, quiz on screen
    finished: float | None = None  # results file saved
    cells: int = 0
    cell_errors: list[str] = field(default_factory=list)
    sent: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # quiz -> [(item, attempt)] checked
    results_file: str | None = None
    errors: list[str] = field(default_factory=list)
    memory: dict[str, int] = field(default_factory=dict)  # measured when chapter 1 had run

    @property
    def to_running(self) -> float | None:
        return None if self.running is None else self.running - self.started

    @property
    def to_executed(self) -> float | None:
        return None if self.executed is None else self.executed - self.started


def display_name(user: str) -> str:
    return f"Student {user.removeprefix('student')}"


# ------------------------------------------------------------------------------------------------ answers

def plan(items: list[dict[str, Any]], student: int) -> dict[str, str]:
    """item id -> "right" | "wrong" | "retry" for one student: one single-best-answer item stays wrong, another
    item is corrected after a wrong first try; the student's number decides which."""
    out = {it["id"]: "right" for it in items}
    singles = [it["id"] for it in items if it["type"] == "single"]
    if singles:
        out[singles[student % len(singles)]] = "wrong"
    others = [it["id"] for it in items if out[it["id"]] == "right"]
    if others:
        out[others[student % len(others)]] = "retry"
    return out


def response(item: dict[str, Any], right: bool) -> Any:
    """A response in the widget's format: the key, or one that scores nothing."""
    t = item["type"]
    if t == "single":
        return next(o["id"] for o in item["options"] if o["correct"] == right)
    if t == "sata":
        return [o["id"] for o in item["options"] if o["correct"]] if right else \
            [next(o["id"] for o in item["options"] if not o["correct"])]
    if t == "numeric":
        a = item["answer"]
        return f"{a['value']:g} {a['unit'] or ''}".strip() if right else f"{a['value'] * 10 + 7:g}"
    if t == "ordered":
        ids = [o["id"] for o in item["options"]]
        return ids if right else ids[::-1]
    if t == "matrix":
        cols = [c["id"] for c in item["columns"]]
        return {r["id"]: r["answer"] if right else next(c for c in cols if c != r["answer"]) for r in item["rows"]}
    if t == "cloze":
        return {b["id"]: next(o["id"] for o in b["options"] if o["correct"] == right) for b in item["blanks"]}
    if t == "bowtie":
        return {g["id"]: [o["id"] for o in g["options"] if o["correct"] == right][: g["choose"]]
                for g in item["groups"]}
    raise ValueError(f"unknown item type {t}")


def answer_sequence(items: list[dict[str, Any]], student: int) -> list[tuple[str, dict[str, Any], int]]:
    """The widget's successive ``responses`` states for one student, the way quiz.js saves them (each input
    change, then each Check answer; Try again clears ``checked``): (item id, state, attempt number if the state
    is a check, else 0)."""
    state: dict[str, dict[str, Any]] = {}
    out: list[tuple[str, dict[str, Any], int]] = []
    todo = plan(items, student)
    for item in items:
        tries = [False, True] if todo[item["id"]] == "retry" else [todo[item["id"]] == "right"]
        cur = state.setdefault(item["id"], {"response": None, "attempts": 0, "checked": False, "revealed": False})
        for n, right in enumerate(tries, start=1):
            if n > 1:
                cur["checked"] = False
                out.append((item["id"], json.loads(json.dumps(state)), 0))
            cur["response"] = response(item, right)
            out.append((item["id"], json.loads(json.dumps(state)), 0))
            cur["attempts"], cur["checked"] = n, True
            out.append((item["id"], json.loads(json.dumps(state)), n))
    return out


def keyed_items(notebook: Path) -> list[dict[str, Any]]:
    """The items of an assignment notebook with their keys. A simulated student knows the answers, but an
    assignment's widget spec carries none (assignment mode), so they come from the course package: the notebook's
    item ids drawn for its seed, as the quiz the student sees and the instructor's collector use."""
    from her2course.exports.notebook import metadata
    from her2course.exports.selection import from_ids
    from her2course.quiz.spec import item_spec

    meta = metadata(notebook)
    chosen = from_ids(meta["items"], meta["seed"])
    return [item_spec(e.item, n) for n, e in enumerate(chosen.entries, start=1)]


# ------------------------------------------------------------------------------------------------ hub client

class HubClient:
    """One student's browser-like HTTP session with the hub and their server."""

    def __init__(self, info: HubInfo, user: str, session: aiohttp.ClientSession) -> None:
        self.info, self.user, self.http = info, user, session
        self.server = f"{info.url}/user/{user}"

    def xsrf(self, path: str) -> str:
        for cookie in self.http.cookie_jar:
            if cookie.key == "_xsrf" and path.startswith(cookie["path"] or "/"):
                return cookie.value
        return ""

    async def login(self) -> None:
        async with self.http.get(f"{self.info.url}/hub/login") as r:
            r.raise_for_status()
        data = {"username": self.user, "password": self.info.passwords[self.user], "_xsrf": self.xsrf("/hub/")}
        async with self.http.post(f"{self.info.url}/hub/login", data=data, allow_redirects=False) as r:
            if r.status != 302:
                raise RuntimeError(f"login of {self.user} answered {r.status}")

    async def open_link(self, path: str) -> None:
        """The nbgitpuller link: start the server (following the spawn progress stream), then pull the course."""
        link = self.info.link(path)
        async with self.http.get(link) as r:
            r.raise_for_status()
            landed = str(r.url)
        if "/hub/spawn-pending/" in landed or "/hub/spawn/" in landed:
            await self._spawn_progress()
            async with self.http.get(link) as r:
                r.raise_for_status()
                landed = str(r.url)
        if "/git-pull" not in landed:
            raise RuntimeError(f"the link took {self.user} to {landed}, not nbgitpuller")
        query = urlencode({"repo": self.info.repo_url, "branch": self.info.branch, "targetpath": REPO_NAME})
        async for event in self._events(f"{self.server}/git-pull/api?{query}", {}):
            if event.get("phase") == "finished":
                return
            if event.get("phase") == "error":
                raise RuntimeError(f"nbgitpuller: {event.get('message')}")
        raise RuntimeError("nbgitpuller's stream ended before it finished")

    async def _spawn_progress(self) -> None:
        url = f"{self.info.url}/hub/api/users/{self.user}/server/progress"
        async for event in self._events(url, {"X-XSRFToken": self.xsrf("/hub/")}):
            if event.get("failed"):
                raise RuntimeError(f"spawn failed: {event.get('message')}")
            if event.get("ready"):
                return
        raise RuntimeError("the spawn progress stream ended before the server was ready")

    async def _events(self, url: str, headers: dict[str, str]):
        async with self.http.get(url, headers={"Accept": "text/event-stream", **headers}) as r:
            r.raise_for_status()
            async for raw in r.content:
                line = raw.decode("utf-8", "replace").strip()
                if line.startswith("data:"):
                    with contextlib.suppress(json.JSONDecodeError):
                        yield json.loads(line[5:])

    async def api(self, method: str, path: str, **kw) -> Any:
        headers = {"X-XSRFToken": self.xsrf(f"/user/{self.user}/")}
        async with self.http.request(method, f"{self.server}/api/{path}", headers=headers, **kw) as r:
            if r.status >= 400:
                raise RuntimeError(f"{method} /api/{path}: {r.status} {(await r.text())[:300]}")
            return await r.json() if r.content_type == "application/json" else None

    async def open_lab(self, path: str) -> None:
        async with self.http.get(f"{self.server}/lab/tree/{REPO_NAME}/{path}") as r:
            r.raise_for_status()


class Kernel:
    """A kernel through the Jupyter server's websocket (JSON messages, as JupyterLab's default protocol)."""

    def __init__(self, client: HubClient, notebook: str) -> None:
        self.client, self.notebook = client, notebook
        self.session = uuid.uuid4().hex
        self.comms: list[dict[str, Any]] = []
        self._waiters: dict[str, asyncio.Queue] = {}

    async def __aenter__(self) -> Kernel:
        model = await self.client.api("POST", "sessions", json={
            "path": f"{REPO_NAME}/{self.notebook}", "type": "notebook", "name": "", "kernel": {"name": "python3"}})
        self.session_id, self.kernel_id = model["id"], model["kernel"]["id"]
        url = (f"{self.client.server}/api/kernels/{self.kernel_id}/channels?session_id={self.session}"
               .replace("http://", "ws://"))
        self.ws = await self.client.http.ws_connect(url, max_msg_size=0, heartbeat=30)
        self._reader = asyncio.create_task(self._read())
        await self.request("kernel_info_request", {})
        return self

    async def __aexit__(self, *exc) -> None:
        # "Shut Down Kernel" as JupyterLab does it: delete the session, then close the kernel's websocket
        with contextlib.suppress(Exception):
            await self.client.api("DELETE", f"sessions/{self.session_id}")
        with contextlib.suppress(Exception):
            await self.ws.close()
        self._reader.cancel()

    async def _read(self) -> None:
        async for frame in self.ws:
            if frame.type == aiohttp.WSMsgType.TEXT:
                msg = json.loads(frame.data)
            elif frame.type == aiohttp.WSMsgType.BINARY:
                data = frame.data
                n = int.from_bytes(data[:4], "big")
                offsets = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(n)]
                msg = json.loads(data[offsets[0]: offsets[1] if n > 1 else len(data)])
            else:
                break
            if msg.get("msg_type") == "comm_open":
                self.comms.append(msg["content"])
            parent = (msg.get("parent_header") or {}).get("msg_id")
            if parent in self._waiters:
                self._waiters[parent].put_nowait(msg)

    def _message(self, msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
        header = {"msg_id": uuid.uuid4().hex, "username": self.client.user, "session": self.session,
                  "msg_type": msg_type, "version": "5.3", "date": datetime.now(UTC).isoformat()}
        return {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell",
                "buffers": []}

    async def request(self, msg_type: str, content: dict[str, Any], timeout: float = 600) -> list[dict[str, Any]]:
        """Send on the shell channel; return every reply and iopub message until the reply and the idle status."""
        msg = self._message(msg_type, content)
        queue: asyncio.Queue = asyncio.Queue()
        self._waiters[msg["header"]["msg_id"]] = queue
        await self.ws.send_str(json.dumps(msg))
        got: list[dict[str, Any]] = []
        reply = idle = False
        try:
            async with asyncio.timeout(timeout):
                while not (reply and idle):
                    m = await queue.get()
                    got.append(m)
                    reply |= m["channel"] == "shell"
                    idle |= m["msg_type"] == "status" and m["content"].get("execution_state") == "idle"
        finally:
            del self._waiters[msg["header"]["msg_id"]]
        return got

    async def execute(self, code: str) -> list[str]:
        """Run code; return its errors (empty when it ran cleanly)."""
        msgs = await self.request("execute_request", {"code": code, "silent": False, "store_history": True,
                                                      "user_expressions": {}, "allow_stdin": False,
                                                      "stop_on_error": True})
        return [f"{m['content']['ename']}: {m['content']['evalue']}" for m in msgs if m["msg_type"] == "error"]

    async def send_comm(self, comm_id: str, data: dict[str, Any]) -> None:
        """A message from the front end's widget model (no reply comes to these)."""
        await self.ws.send_str(json.dumps(self._message("comm_msg", {"comm_id": comm_id, "data": data})))

    def quiz_comm(self, chapter: str) -> tuple[str, dict[str, Any]]:
        for c in self.comms:
            state = c.get("data", {}).get("state", {})
            if c.get("target_name") == "jupyter.widget" and state.get("spec", {}).get("chapter") == chapter:
                return c["comm_id"], state["spec"]
        raise RuntimeError(f"no quiz widget for {chapter} was opened")


async def run_notebook(kernel: Kernel, client: HubClient, out: Outcome) -> None:
    """Execute a notebook's code cells in order, as Run All Cells does (stopping at the first error)."""
    nb = await client.api("GET", f"contents/{REPO_NAME}/{kernel.notebook}?content=1&type=notebook")
    for cell in nb["content"]["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        out.cells += 1
        errors = await kernel.execute(source)
        if errors:
            out.cell_errors += [f"{kernel.notebook}: {e}" for e in errors]
            return


async def answer_quiz(kernel: Kernel, chapter: str, student: int, out: Outcome,
                      items: list[dict[str, Any]] | None = None) -> None:
    """Answer the quiz ``chapter`` as the widget does; ``items`` (with keys) when the spec carries none."""
    comm_id, spec = kernel.quiz_comm(chapter)
    for item, state, attempt in answer_sequence(items or spec["items"], student):
        await kernel.send_comm(comm_id, {"method": "update", "state": {"responses": state}, "buffer_paths": []})
        if attempt:
            out.sent.setdefault(chapter, []).append((item, attempt))
    await kernel.execute("pass")  # the kernel handles messages in order: every update has been handled now


# ------------------------------------------------------------------------------------------------ students

async def protocol_student(info: HubInfo, user: str, number: int, measure) -> Outcome:
    out = Outcome(user, display_name(user), "protocol")
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=TIMEOUT) as http:
        client = HubClient(info, user, http)
        try:
            out.started = time.monotonic()
            await client.login()
            await client.open_link(CHAPTER_1)
            await client.open_lab(CHAPTER_1)
            async with Kernel(client, CHAPTER_1) as kernel:
                out.running = time.monotonic()
                await run_notebook(kernel, client, out)
                if out.cell_errors:
                    return out
                out.executed = time.monotonic()
                out.memory = await asyncio.to_thread(measure, user)
                await answer_quiz(kernel, CHAPTER_ID, number, out)
            await client.open_lab(ASSIGNMENT)
            async with Kernel(client, ASSIGNMENT) as kernel:
                await run_notebook(kernel, client, out)
                if out.cell_errors:
                    return out
                await answer_quiz(kernel, info.assignment, number, out,
                                  keyed_items(info.home(user) / REPO_NAME / ASSIGNMENT))
                target = f"results-{info.assignment}-{user}.json"
                errors = await kernel.execute(
                    f"!her2course results export --assignment {info.assignment} "
                    f"--student '{out.display}' --out ~/{target}")
                if errors:
                    out.errors += errors
                elif (info.home(user) / target).is_file():
                    out.results_file = str(info.home(user) / target)
                    out.finished = time.monotonic()
                else:
                    out.errors.append("her2course results export wrote no file")
        except Exception as exc:  # one student's failure is a finding of the run, not the end of it
            out.errors.append(f"{type(exc).__name__}: {exc}")
    return out


async def browser_student(info: HubInfo, user: str, number: int, measure, browser, specs: dict[str, dict]) -> Outcome:
    """The same in JupyterLab in chromium: sign in on the hub's page, Run All Cells, click the answers."""
    out = Outcome(user, display_name(user), "browser")
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(300_000)  # a class arriving at once on two cores: every step can be slow
    page = await context.new_page()
    try:
        await page.goto(info.link(CHAPTER_1))
        await page.fill("input[name=username]", user)
        await page.fill("input[name=password]", info.passwords[user])
        out.started = time.monotonic()
        await page.click("input[type=submit], button[type=submit]")
        await page.wait_for_url("**/lab/**", timeout=300_000)
        await page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=300_000)
        await page.wait_for_selector("#jp-main-statusbar :text('| Idle')", timeout=300_000)
        out.running = time.monotonic()
        await run_all_and_answer(page, specs[CHAPTER_ID], number, out)
        if out.executed is None:
            return out
        out.memory = await asyncio.to_thread(measure, user)
        await page.goto(f"{info.url}/user/{user}/lab/tree/{REPO_NAME}/{ASSIGNMENT}")
        await page.wait_for_selector("#jp-main-statusbar :text('| Idle')", timeout=300_000)
        await run_all_and_answer(page, {**specs[info.assignment], "items": keyed_items(
            info.home(user) / REPO_NAME / ASSIGNMENT)}, number, out)
        await page.get_by_role("textbox", name="Your name").fill(out.display)
        await page.get_by_role("button", name="Save my results file").click()
        saved = page.locator("[role=status]:has-text('Saved')")
        await saved.wait_for(timeout=120_000)
        name = next((p for p in (info.home(user) / REPO_NAME / "assignments").glob("results-*.json")), None)
        if name is None:
            out.errors.append("the hand-in button saved no file")
        else:
            out.results_file, out.finished = str(name), time.monotonic()
    except Exception as exc:
        out.errors.append(f"{type(exc).__name__}: {str(exc)[:400]}")
        with contextlib.suppress(Exception):
            await page.screenshot(path=str(info.state / f"browser-{user}.png"))
    finally:
        with contextlib.suppress(Exception):  # leave the page as a student closes a tab: sockets closed cleanly
            await page.goto("about:blank")
        await context.close()
    return out


async def run_all_and_answer(page, spec: dict[str, Any], number: int, out: Outcome) -> None:
    """Run > Run All Cells (again if the first run was sent before the kernel was wired up), scroll to the quiz,
    then answer its single-best-answer items with the mouse as the plan says."""
    first = spec["items"][0]["id"]
    item = page.locator(f".jp-OutputArea .h2q-item[data-item='{first}']")
    for _ in range(4):
        await page.get_by_role("menuitem", name="Run", exact=True).click()
        await page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not await item.count():
            # JupyterLab renders only the cells near the view: scroll down as a reader does
            await page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer").evaluate(
                "e => e.scrollTop = e.scrollHeight")
            await asyncio.sleep(0.5)
        if await item.count():
            break
    else:
        out.errors.append(f"the {spec['chapter']} quiz never rendered after Run All Cells")
        return
    if spec["chapter"] == CHAPTER_ID:
        out.executed = time.monotonic()
    todo = plan(spec["items"], number)
    graded_later = spec.get("mode") == "assignment"
    for it in spec["items"]:
        if it["type"] != "single":
            continue
        box = page.locator(f".jp-OutputArea .h2q-item[data-item='{it['id']}']")
        await box.scroll_into_view_if_needed()
        tries = [False, True] if todo[it["id"]] == "retry" else [todo[it["id"]] == "right"]
        for n, right in enumerate(tries, start=1):
            if n > 1:
                await box.get_by_role("button", name="Change answer" if graded_later else "Try again").click()
            await box.locator(f"input[value='{response(it, right)}']").check()
            await box.get_by_role("button", name="Save answer" if graded_later else "Check answer").click()
            # an assignment only says the answer was saved; a practice quiz gives its verdict
            await box.locator(".h2q-feedback :text('Answer saved')" if graded_later
                              else ".h2q-feedback .h2q-verdict").wait_for()
            out.sent.setdefault(spec["chapter"], []).append((it["id"], n))
