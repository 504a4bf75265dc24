"""Browser tests of the quiz: the static book (mount.js + quiz.js, no kernel) and a live JupyterLab.

The static tests read the answers from the page's own data-spec, so they work on any page with quizzes: by
default a small page built here from the one-item-per-type test bank (tests/quiz_vectors.json), or the built
book when HER2COURSE_QUIZ_URL points at a chapter page (for example http://127.0.0.1:8000/01-her2-biology.html).

Debian chromium and PyPI playwright (never `playwright install`); axe-core from node_modules.
"""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import json
import os
import re
import shutil
import sqlite3
import threading
import time
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VECTORS = json.loads((ROOT / "tests" / "quiz_vectors.json").read_text(encoding="utf-8"))
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]

playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():  # pragma: no cover
    pytest.skip("Debian chromium is not installed (make browser)", allow_module_level=True)


# ------------------------------------------------------------------------------------------------ fixtures

def write_bank(path: Path) -> Path:
    path.write_text(yaml.safe_dump({"chapter": "zz-test-bank", "title": "Test bank",
                                    "learning_outcomes": VECTORS["learning_outcomes"], "items": VECTORS["bank"]}),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _serve(directory: Path):
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module", params=["test-page", pytest.param("built-book", marks=pytest.mark.book)])
def quiz_url(request, tmp_path_factory):
    """The quiz served over http on 127.0.0.1: a test page laid out like the book (every item type), and the
    built book's chapter 1 page (make test builds the book before the tests)."""
    if os.environ.get("HER2COURSE_QUIZ_URL"):
        yield os.environ["HER2COURSE_QUIZ_URL"]
        return
    if request.param == "built-book":
        built = ROOT / "_build" / "html"
        if not (built / "notebooks" / "01-her2-biology.html").is_file():
            pytest.fail("the book is not built: run 'make book' (make test builds it before the tests)")
        server = _serve(built)
        yield f"http://127.0.0.1:{server.server_address[1]}/notebooks/01-her2-biology.html"
        server.shutdown()
        server.server_close()
        return
    from her2course.quiz import quiz

    site = tmp_path_factory.mktemp("site")
    (site / "_static").mkdir()
    for name in ("quiz.js", "mount.js"):
        shutil.copy(ROOT / "src" / "her2course" / "static" / name, site / "_static" / name)
    fallback = quiz(write_bank(site / "zz-test-bank.yaml")).fallback_html()
    (site / "chapter").mkdir()
    (site / "chapter" / "index.html").write_text(
        '<!doctype html>\n<html lang="en" data-theme="light"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Quiz test page</title>'
        '<link rel="icon" href="data:,">'
        '<script type="module" src="../_static/mount.js?v=test"></script></head>'
        f"<body><main><h1>Quiz test page</h1>{fallback}</main></body></html>", encoding="utf-8")
    server = _serve(site)
    yield f"http://127.0.0.1:{server.server_address[1]}/chapter/index.html"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def page(browser, quiz_url):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" and "quiz" in m.text.lower() else None)
    pg.goto(quiz_url)
    pg.wait_for_selector(".h2q .h2q-item")
    yield pg
    context.close()


def specs(pg) -> list[dict]:
    raw = pg.eval_on_selector_all("div.her2-quiz[data-spec]", "els => els.map(e => e.getAttribute('data-spec'))")
    return [json.loads(r) for r in raw]


def text_of(fragment: str) -> str:
    """Visible text of a sanitised HTML fragment, whitespace collapsed (to compare with inner_text)."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", fragment))).strip()


def norm(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


# ------------------------------------------------------------------------------------------------ answering

def right_and_wrong(item: dict) -> tuple[object, object]:
    """(a wrong response, the right response) for an item of the spec."""
    t = item["type"]
    if t == "single":
        return next(o["id"] for o in item["options"] if not o["correct"]), next(
            o["id"] for o in item["options"] if o["correct"])
    if t == "sata":
        wrong = [o["id"] for o in item["options"] if not o["correct"]][:1]
        return wrong, [o["id"] for o in item["options"] if o["correct"]]
    if t == "numeric":
        a = item["answer"]
        value = a["value"] + max(10 * a["tolerance"], 1) * 3
        return f"{value:g}", f"{a['value']:g}".replace(".", ",") + (f" {a['unit']}" if a["unit"] else "")
    if t == "ordered":
        right = [o["id"] for o in item["options"]]
        return right[1:] + right[:1], right
    if t == "matrix":
        cols = [c["id"] for c in item["columns"]]
        right = {r["id"]: r["answer"] for r in item["rows"]}
        return {k: next(c for c in cols if c != v) for k, v in right.items()}, right
    if t == "cloze":
        right = {b["id"]: next(o["id"] for o in b["options"] if o["correct"]) for b in item["blanks"]}
        return {b["id"]: next(o["id"] for o in b["options"] if not o["correct"]) for b in item["blanks"]}, right
    if t == "bowtie":
        right = {g["id"]: [o["id"] for o in g["options"] if o["correct"]] for g in item["groups"]}
        wrong = {g["id"]: [o["id"] for o in g["options"] if not o["correct"]][: g["choose"]] for g in item["groups"]}
        return wrong, right
    raise AssertionError(t)


def answer_with_mouse(pg, base: str, item: dict, response) -> None:
    box = pg.locator(f"#{base}-{item['id']}")
    t = item["type"]
    if t in ("single", "sata", "bowtie"):
        ids = [response] if t == "single" else (
            response if t == "sata" else [x for v in response.values() for x in v])
        for inp in box.locator("input").all():
            want = inp.get_attribute("value") in ids
            if t == "single":
                if want:
                    inp.check()
            elif inp.is_checked() != want:
                inp.click()
    elif t == "numeric":
        box.locator("input").fill(response)
    elif t == "matrix":
        for row, col in response.items():
            box.locator(f"#{base}-{item['id']}-{row}-{col}").check()
    elif t == "cloze":
        for blank, opt in response.items():
            box.locator(f"#{base}-{item['id']}-{blank}").select_option(opt)
    elif t == "ordered":
        for target, step in enumerate(response):
            while True:
                order = box.locator("li[data-step]").evaluate_all("els => els.map(e => e.dataset.step)")
                pos = order.index(step)
                if pos == target:
                    break
                box.locator(f'button[data-step="{step}"][data-move="up"]').click()
    box.get_by_role("button", name="Check answer").click()


def feedback(pg, base: str, item: dict) -> str:
    return norm(pg.locator(f"#{base}-{item['id']}-feedback").inner_text())


def expected_rationales(item: dict, response) -> list[str]:
    t = item["type"]
    opts = {o["id"]: o for o in item.get("options", [])}
    for group in item.get("blanks", []) + item.get("groups", []):
        opts.update({o["id"]: o for o in group["options"]})
    if t in ("single",):
        return [text_of(opts[response]["rationale"])]
    if t == "sata":
        return [text_of(opts[i]["rationale"]) for i in response]
    if t == "cloze":
        return [text_of(opts[i]["rationale"]) for i in response.values()]
    if t == "bowtie":
        return [text_of(opts[i]["rationale"]) for v in response.values() for i in v]
    if t == "ordered":
        return [text_of(opts[i]["rationale"]) for i in response]
    if t == "matrix":
        return [text_of(r["rationale"]) for r in item["rows"]]
    return []


# ------------------------------------------------------------------------------------------------ static tests

def test_every_item_type_wrong_then_right_with_feedback_and_persistence(page):
    pg = page
    [spec] = specs(pg)[:1]
    base = f"h2q-{spec['id']}"
    total = sum(i["max"] for i in spec["items"])
    types = set()
    for item in spec["items"]:
        types.add(item["type"])
        wrong, right = right_and_wrong(item)
        answer_with_mouse(pg, base, item, wrong)
        fb = feedback(pg, base, item)
        assert re.match(r"^\u2716 Not correct: 0 of \d+ points?\.", fb) or fb.startswith("\u25d0 Partly correct"), fb
        for rationale in expected_rationales(item, wrong):
            assert rationale in fb, (item["id"], rationale, fb)
        pg.locator(f"#{base}-{item['id']}").get_by_role("button", name="Try again").click()
        answer_with_mouse(pg, base, item, right)
        fb = feedback(pg, base, item)
        assert fb.startswith(f"\u2714 Correct: {item['max']} of {item['max']} point"), (item["id"], fb)
        for rationale in expected_rationales(item, right):
            assert rationale in fb, (item["id"], rationale, fb)
        assert text_of(item["explanation"]) in fb
    if not os.environ.get("HER2COURSE_QUIZ_URL"):
        assert types == {"single", "sata", "numeric", "ordered", "matrix", "cloze", "bowtie"}
    score = f"Score: {total} of {total} points \u00b7 {len(spec['items'])} of {len(spec['items'])} questions answered"
    assert norm(pg.locator(f"#{base}-score").inner_text()) == score
    summary = norm(pg.locator(f"#{base}-summary").inner_text())
    assert f"All {len(spec['items'])} questions answered: {total} of {total} points (100%)." in summary
    assert "By learning outcome" in summary and "By clinical judgment step" in summary

    # Reload: the answers and their feedback are still there (localStorage).
    pg.reload()
    pg.wait_for_selector(f"#{base}-score")
    assert norm(pg.locator(f"#{base}-score").inner_text()) == score
    first = spec["items"][0]
    assert feedback(pg, base, first).startswith("\u2714 Correct")

    # Reset my answers (with a confirmation step) clears them, and the reload shows a fresh quiz.
    pg.get_by_role("button", name="Reset my answers").click()
    pg.get_by_role("button", name="Yes, clear all my answers").click()
    assert norm(pg.locator(f"#{base}-score").inner_text()).startswith(f"Score: 0 of {total} points")
    pg.reload()
    pg.wait_for_selector(f"#{base}-score")
    assert norm(pg.locator(f"#{base}-score").inner_text()).startswith(f"Score: 0 of {total} points")
    assert pg.errors == []


def test_odd_numeric_input_gets_a_helpful_message_not_a_wrong_mark(page):
    pg = page
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    item = next((i for i in spec["items"] if i["type"] == "numeric"), None)
    if item is None:
        pytest.skip("no numeric item on this page")
    box = pg.locator(f"#{base}-{item['id']}")
    for text, needle in [("abc", "That is not a number"), ("", "Type your answer before checking"),
                         ("<img src=x onerror=alert(1)> mg", "")]:
        box.locator("input").fill(text)
        box.get_by_role("button", name="Check answer").click()
        fb = feedback(pg, base, item)
        assert fb.startswith("\u2139"), fb
        assert needle in fb
    # learner text is shown as text, never parsed as HTML
    assert pg.locator(f"#{base}-{item['id']}-feedback img").count() == 0
    assert box.get_by_role("button", name="Check answer").is_visible()  # still unscored: no attempt used
    saved = pg.evaluate("k => JSON.parse(localStorage.getItem(k) || '{}')", f"her2course:quiz:v1:{spec['id']}")
    assert saved.get(item["id"], {}).get("attempts", 0) == 0


def tab_to(pg, selector: str, limit: int = 400) -> None:
    """Press Tab until the focused element matches selector (keyboard only, no clicks)."""
    for _ in range(limit):
        if pg.evaluate("s => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
        pg.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def answer_with_keyboard(pg, base: str, item: dict, response) -> None:
    iid = f"{base}-{item['id']}"
    t = item["type"]

    def pick_radio(target_id: str, group_name: str) -> None:
        tab_to(pg, f'input[type=radio][name="{group_name}"]')
        for _ in range(20):
            if pg.evaluate("() => document.activeElement.id") == target_id:
                break
            pg.keyboard.press("ArrowDown")
        pg.keyboard.press("Space")
        assert pg.evaluate("id => document.getElementById(id).checked", target_id)

    if t == "single":
        pick_radio(f"{iid}-{response}", f"{iid}-opt")
    elif t == "sata":
        for oid in response:
            tab_to(pg, f"#{iid}-{oid}")
            pg.keyboard.press("Space")
    elif t == "numeric":
        tab_to(pg, f"#{iid}-input")
        pg.keyboard.type(response)
    elif t == "matrix":
        for row, col in response.items():
            pick_radio(f"{iid}-{row}-{col}", f"{iid}-{row}")
    elif t == "cloze":
        for blank, opt in response.items():
            tab_to(pg, f"#{iid}-{blank}")
            for _ in range(20):
                if pg.evaluate("id => document.getElementById(id).value", f"{iid}-{blank}") == opt:
                    break
                pg.keyboard.press("ArrowDown")
    elif t == "bowtie":
        for group in item["groups"]:
            for oid in response[group["id"]]:
                if group["choose"] == 1:
                    pick_radio(f"{iid}-{oid}", f"{iid}-{group['id']}")
                else:
                    tab_to(pg, f"#{iid}-{oid}")
                    pg.keyboard.press("Space")
    elif t == "ordered":
        for target, step in enumerate(response):
            order = pg.eval_on_selector_all(f"#{iid} li[data-step]", "els => els.map(e => e.dataset.step)")
            moves = order.index(step) - target
            if moves:
                tab_to(pg, f'#{iid} button[data-step="{step}"][data-move="up"]')
                for _ in range(moves):
                    pg.keyboard.press("Enter")
    tab_to(pg, f"#{iid} button.h2q-primary")
    outline = pg.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", ""), "focus must be visible"
    pg.keyboard.press("Enter")


def test_keyboard_only(page):
    pg = page
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    pg.locator("body").focus()
    single = next((i for i in spec["items"] if i["type"] == "single"), None)
    if single:  # a radio group is one tab stop, and arrow keys change the choice without grading it
        iid = f"{base}-{single['id']}"
        tab_to(pg, f'input[name="{iid}-opt"]')
        pg.keyboard.press("ArrowDown")
        assert pg.locator(f"#{iid}-feedback").inner_text() == ""
        pg.keyboard.press("Tab")
        assert pg.evaluate("() => document.activeElement.textContent") == "Check answer"
        pg.reload()
        pg.wait_for_selector(".h2q .h2q-item")
        pg.locator("body").focus()
    for item in spec["items"]:
        _wrong, right = right_and_wrong(item)
        answer_with_keyboard(pg, base, item, right)
        fb = feedback(pg, base, item)
        assert fb.startswith("\u2714 Correct"), (item["id"], fb)
        # After checking, focus lands on "Try again", so the learner can go on with Tab.
        assert pg.evaluate("() => document.activeElement.textContent") == "Try again"


def run_axe(pg) -> list[dict]:
    pg.add_script_tag(path=str(AXE))
    result = pg.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_axe_finds_no_serious_violations(page, theme):
    pg = page
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    pg.evaluate(f"document.documentElement.dataset.theme = '{theme}'")
    # Exercise every state: a wrong answer, a partial one, a revealed one, an invalid one.
    items = spec["items"]
    for n, item in enumerate(items):
        wrong, right = right_and_wrong(item)
        if n % 3 == 0:
            answer_with_mouse(pg, base, item, wrong)
        elif n % 3 == 1:
            pg.locator(f"#{base}-{item['id']}").get_by_role("button", name="Show answer").click()
        else:
            answer_with_mouse(pg, base, item, right)
    violations = run_axe(pg)
    assert violations == [], json.dumps(violations, indent=1)
    pg.get_by_role("button", name="Reset my answers").click()
    pg.get_by_role("button", name="Yes, clear all my answers").click()


def test_usable_at_375px(browser, quiz_url):
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(quiz_url)
    pg.wait_for_selector(".h2q .h2q-item")
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    for item in spec["items"]:
        pg.locator(f"#{base}-{item['id']}").get_by_role("button", name="Show answer").click()
    overflow = pg.evaluate("""() => [...document.querySelectorAll('.h2q *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert overflow == []
    assert pg.evaluate("() => document.documentElement.scrollWidth") <= 375
    small = pg.evaluate("""() => [...document.querySelectorAll('.h2q button, .h2q select, .h2q input')]
        .filter(e => e.offsetParent && (e.getBoundingClientRect().height < 24 || e.getBoundingClientRect().width < 24))
        .map(e => e.id || e.textContent).slice(0, 5)""")
    assert small == []  # WCAG 2.2 target size (minimum 24 by 24 CSS pixels)
    pg.get_by_role("button", name="Reset my answers").click()
    pg.get_by_role("button", name="Yes, clear all my answers").click()
    context.close()


# ------------------------------------------------------------------------------------------------ JupyterLab

@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A real JupyterLab on 127.0.0.1 with a notebook that shows the test bank quiz."""
    import nbformat
    from labserver import jupyterlab

    home = tmp_path_factory.mktemp("lab")
    notebooks = home / "notebooks"
    notebooks.mkdir()
    bank = write_bank(home / "zz-test-bank.yaml")
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(f"from her2course.quiz import quiz\nquiz({str(bank)!r})")]
    nbformat.write(nb, notebooks / "quiz.ipynb")
    db = home / "progress.sqlite3"
    with jupyterlab(home, notebooks, {"HER2COURSE_PROGRESS_DB": str(db)}, start_timeout=60) as server:
        yield {**server, "db": db, "root": notebooks}


def test_live_widget_in_jupyterlab_records_to_the_progress_db(browser, lab):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(f"{lab['url']}/lab/tree/quiz.ipynb?token={lab['token']}")
        pg.wait_for_selector(".jp-Notebook .jp-Cell .cm-content", timeout=60000)
        pg.wait_for_selector("#jp-main-statusbar :text('| Idle')", timeout=60000)
        # Run the cell (Ctrl+Enter keeps the selection); a run sent while the kernel session is still being wired
        # up can be dropped, so run again until the widget shows.
        for _attempt in range(6):
            pg.locator(".jp-Notebook .jp-Cell .cm-content").first.click()
            pg.keyboard.press("Control+Enter")
            try:
                pg.wait_for_selector(".jp-OutputArea .h2q .h2q-item", timeout=10000)
                break
            except playwright_api.TimeoutError:
                continue
        else:
            pg.screenshot(path=str(lab["db"].parent / "lab-fail.png"))
            raise AssertionError(f"the quiz never rendered in JupyterLab (screenshot in {lab['db'].parent})")
        item = pg.locator(".jp-OutputArea .h2q-item[data-item='t-single']")
        item.locator("input[value='a']").check()
        item.get_by_role("button", name="Check answer").click()
        assert norm(item.locator(".h2q-feedback").inner_text()).startswith("\u2716 Not correct")
        item.get_by_role("button", name="Try again").click()
        item.locator("input[value='b']").check()
        item.get_by_role("button", name="Check answer").click()
        assert norm(item.locator(".h2q-feedback").inner_text()).startswith("\u2714 Correct")
        rows: list = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(rows) < 2:
            with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(lab["db"])) as con:
                rows = con.execute("SELECT item, attempt, status, score FROM attempts ORDER BY id").fetchall()
            time.sleep(0.2)
        assert rows == [("t-single", 1, "incorrect", 0), ("t-single", 2, "correct", 1)]
    finally:
        context.close()


def test_a_chapter_runs_all_in_jupyterlab_and_its_quiz_records(browser, lab):
    """What a learner does: open chapter 1, Run > Run All Cells, then read and click; the answer is recorded."""
    shutil.copy(ROOT / "notebooks" / "01-her2-biology.ipynb", lab["root"] / "01-her2-biology.ipynb")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    try:
        pg.goto(f"{lab['url']}/lab/tree/01-her2-biology.ipynb?reset&token={lab['token']}")  # reset: no old tabs
        pg.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60000)
        pg.wait_for_selector("#jp-main-statusbar :text('| Idle')", timeout=60000)
        # A run sent before the kernel session is wired up can be dropped: send Run All Cells again until the
        # quiz shows (the chapter's code cells are collapsed, as students see them, so there are no prompts to
        # watch; with windowing off every cell's output is in the page).
        item = pg.locator(".jp-OutputArea .h2q-item[data-item='ch1-family-no-ligand']")
        for _attempt in range(4):
            pg.get_by_role("menuitem", name="Run", exact=True).click()
            pg.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                item.wait_for(state="attached", timeout=30000)
                break
            except playwright_api.TimeoutError:
                continue
        else:
            pg.screenshot(path=str(lab["db"].parent / "lab-chapter-fail.png"))
            raise AssertionError("chapter 1's quiz never rendered after Run All Cells")
        # the live pathway explorer is there too (checkboxes), not its static gallery
        assert pg.locator(".jp-OutputArea .widget-checkbox").count() >= 5
        item.scroll_into_view_if_needed()
        item.locator("input[value='her2']").check()
        item.get_by_role("button", name="Check answer").click()
        assert norm(item.locator(".h2q-feedback").inner_text()).startswith("\u2714 Correct")
        rows: list = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not rows:
            with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(lab["db"])) as con:
                rows = con.execute("SELECT item, status FROM attempts WHERE item = 'ch1-family-no-ligand'").fetchall()
            time.sleep(0.2)
        assert rows == [("ch1-family-no-ligand", "correct")]
    finally:
        context.close()
