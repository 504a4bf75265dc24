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
    for name in ("quiz.js", "mount.js", "print.js"):
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


def squash(s: str) -> str:
    """Text with all whitespace removed (to compare rendered text with source text whatever the spacing)."""
    return re.sub(r"\s+", "", s)


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
    if t == "highlight":
        parts = highlight_parts(item)
        return [p["id"] for p in parts if not p["correct"]][:1], [p["id"] for p in parts if p["correct"]]
    if t == "matrix_multi":
        cols = [c["id"] for c in item["columns"]]
        right = {r["id"]: list(r["answers"]) for r in item["rows"]}
        return {k: [next(c for c in cols if c not in v)] for k, v in right.items()}, right
    if t in ("cloze", "dropdown_rationale"):
        right = {b["id"]: next(o["id"] for o in b["options"] if o["correct"]) for b in item["blanks"]}
        return {b["id"]: next(o["id"] for o in b["options"] if not o["correct"]) for b in item["blanks"]}, right
    if t == "bowtie":
        right = {g["id"]: [o["id"] for o in g["options"] if o["correct"]] for g in item["groups"]}
        wrong = {g["id"]: [o["id"] for o in g["options"] if not o["correct"]][: g["choose"]] for g in item["groups"]}
        return wrong, right
    raise AssertionError(t)


def highlight_parts(item: dict) -> list[dict]:
    return item["table"]["rows"] if item.get("table") else item["spans"]


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
    elif t in ("cloze", "dropdown_rationale"):
        for blank, opt in response.items():
            box.locator(f"#{base}-{item['id']}-{blank}").select_option(opt)
    elif t == "highlight":
        for b in box.locator("button.h2q-hl").all():
            if (b.get_attribute("aria-pressed") == "true") != (b.get_attribute("data-part") in response):
                b.click()
    elif t == "matrix_multi":
        for r in item["rows"]:
            for c in item["columns"]:
                inp = box.locator(f"#{base}-{item['id']}-{r['id']}-{c['id']}")
                if inp.is_checked() != (c["id"] in response[r["id"]]):
                    inp.click()
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


def reveal(pg, base: str, item: dict) -> None:
    """Show the answer: "Show answer", then confirm when the quiz warns that it ends scoring for the item."""
    box = pg.locator(f"#{base}-{item['id']}")
    box.get_by_role("button", name="Show answer").click()
    confirm = box.get_by_role("button", name="Yes, show the answer")
    if confirm.is_visible():
        confirm.click()


def reset_all(pg) -> None:
    pg.get_by_role("button", name="Reset my answers").click()
    pg.get_by_role("button", name="Yes, clear all my answers").click()


def expected_rationales(item: dict, response) -> list[str]:
    t = item["type"]
    opts = {o["id"]: o for o in item.get("options", [])}
    for group in item.get("blanks", []) + item.get("groups", []):
        opts.update({o["id"]: o for o in group["options"]})
    if t == "highlight":
        opts = {p["id"]: p for p in highlight_parts(item)}
        return [text_of(opts[i]["rationale"]) for i in response]
    if t in ("single",):
        return [text_of(opts[response]["rationale"])]
    if t == "sata":
        return [text_of(opts[i]["rationale"]) for i in response]
    if t in ("cloze", "dropdown_rationale"):
        return [text_of(opts[i]["rationale"]) for i in response.values()]
    if t == "bowtie":
        return [text_of(opts[i]["rationale"]) for v in response.values() for i in v]
    if t == "ordered":
        return [text_of(opts[i]["rationale"]) for i in response]
    if t in ("matrix", "matrix_multi"):
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
    if "/chapter/" in pg.url:  # the test page carries every item type
        assert types == {"single", "sata", "numeric", "ordered", "matrix", "cloze", "bowtie", "highlight",
                         "matrix_multi", "dropdown_rationale"}
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
    reset_all(pg)
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
    elif t == "highlight":
        for part in response:
            tab_to(pg, f"#{iid}-{part}")
            pg.keyboard.press("Space")
            assert pg.evaluate("id => document.getElementById(id).getAttribute('aria-pressed')", f"{iid}-{part}") \
                == "true"
    elif t == "matrix_multi":
        for row, cols in response.items():
            for col in cols:
                tab_to(pg, f"#{iid}-{row}-{col}")
                pg.keyboard.press("Space")
    elif t in ("cloze", "dropdown_rationale"):
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
            reveal(pg, base, item)
        else:
            answer_with_mouse(pg, base, item, right)
    violations = run_axe(pg)
    assert violations == [], json.dumps(violations, indent=1)
    reset_all(pg)


def test_usable_at_375px(browser, quiz_url):
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(quiz_url)
    pg.wait_for_selector(".h2q .h2q-item")
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    for item in spec["items"]:
        reveal(pg, base, item)
    overflow = pg.evaluate("""() => [...document.querySelectorAll('.h2q *')]
        .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert overflow == []
    assert pg.evaluate("() => document.documentElement.scrollWidth") <= 375
    small = pg.evaluate("""() => [...document.querySelectorAll('.h2q button, .h2q select, .h2q input')]
        .filter(e => e.offsetParent && (e.getBoundingClientRect().height < 24 || e.getBoundingClientRect().width < 24))
        .map(e => e.id || e.textContent).slice(0, 5)""")
    assert small == []  # WCAG 2.2 target size (minimum 24 by 24 CSS pixels)
    reset_all(pg)
    context.close()


# ------------------------------------------------------------------------------------------------ rough edges

def _item_of(spec: dict, type_: str, item_id: str | None = None) -> dict | None:
    return next((i for i in spec["items"] if i["type"] == type_ and (item_id is None or i["id"] == item_id)), None)


def test_near_miss_numbers_get_feedback_on_rounding_units_and_magnitude(page):
    pg = page
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    item = _item_of(spec, "numeric", "t-numeric")
    if item is None:
        pytest.skip("the test page's numeric item (5.4 mg/kg) is not on this page")
    box = pg.locator(f"#{base}-{item['id']}")
    for typed, needle in [("5.5", "check your rounding"), ("540", "about 100 times too large"),
                          ("0.54", "about 10 times too small"), ("12", "off by a factor of about 2.2"),
                          ("31", "Not close to the answer")]:
        box.locator("input").fill(typed)
        box.get_by_role("button", name="Check answer").click()
        fb = feedback(pg, base, item)
        assert fb.startswith("\u2716 Not correct"), (typed, fb)
        assert needle in fb, (typed, fb)
        if needle != "check your rounding":
            assert "The answer is asked in mg/kg" in fb or "Not close" in fb or "2.2" in fb, fb
        assert "5.4" not in fb.replace("Your answer: 5.5", ""), "the hint must not give the answer away"
        box.get_by_role("button", name="Try again").click()


def test_select_all_scoring_is_explained_once_at_the_first_item_of_each_kind(page):
    pg = page
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    for type_ in ("sata", "highlight", "matrix_multi"):
        of_type = [i for i in spec["items"] if i["type"] == type_]
        if not of_type:
            continue
        notes = [pg.locator(f"#{base}-{i['id']} .h2q-scoring").count() for i in of_type]
        assert notes == [1] + [0] * (len(of_type) - 1), type_
        note = norm(pg.locator(f"#{base}-{of_type[0]['id']} .h2q-scoring").inner_text())
        assert "takes 1 point away" in note and "below 0" in note, note
        if type_ == "sata":
            assert "one right and one wrong tick score 0" in note
        # the note is read with the question (inside its fieldset, before the choices)
        assert pg.locator(f"#{base}-{of_type[0]['id']} fieldset .h2q-scoring").count() == 1


def test_disabled_up_down_buttons_look_disabled(page):
    pg = page
    spec = specs(pg)[0]
    item = _item_of(spec, "ordered")
    if item is None:
        pytest.skip("no ordered item on this page")
    box = f"#h2q-{spec['id']}-{item['id']}"
    style = """b => { const s = getComputedStyle(b);
        return {disabled: b.disabled, opacity: parseFloat(s.opacity), cursor: s.cursor, border: s.borderTopStyle}; }"""
    up = pg.eval_on_selector_all(f"{box} button[data-move=up]", f"els => els.map({style})")
    down = pg.eval_on_selector_all(f"{box} button[data-move=down]", f"els => els.map({style})")
    assert up[0]["disabled"] and down[-1]["disabled"]
    for off, on in [(up[0], up[1]), (down[-1], down[0])]:
        assert not on["disabled"]
        assert off["opacity"] <= 0.5 < on["opacity"]
        assert (off["cursor"], off["border"]) == ("not-allowed", "dashed") and on["border"] == "solid"


def test_show_answer_warns_that_it_ends_scoring_and_escape_keeps_answering(page):
    pg = page
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    item = _item_of(spec, "single")
    iid = f"{base}-{item['id']}"
    box = pg.locator(f"#{iid}")
    box.get_by_role("button", name="Show answer").click()
    warn = pg.locator(f"#{iid}-showwarn")
    assert warn.is_visible() and "it will count 0 points" in warn.inner_text()
    assert pg.evaluate("() => document.activeElement.textContent") == "Keep answering"
    assert feedback(pg, base, item) == ""
    pg.keyboard.press("Escape")
    assert not warn.is_visible()
    assert pg.evaluate("() => document.activeElement.textContent") == "Show answer"
    assert feedback(pg, base, item) == ""  # nothing revealed, the question can still be scored
    box.get_by_role("button", name="Show answer").click()
    box.get_by_role("button", name="Yes, show the answer").click()
    assert feedback(pg, base, item).startswith("\u2139")
    assert norm(pg.locator(f"#{base}-score").inner_text()).startswith("Score: 0 of")
    # an item already scored shows its answer at once: nothing is lost, so there is nothing to warn about
    other = next(i for i in spec["items"] if i["type"] == "sata")
    _wrong, right = right_and_wrong(other)
    answer_with_mouse(pg, base, other, right)
    pg.locator(f"#{base}-{other['id']}").get_by_role("button", name="Show answer").click()
    assert not pg.locator(f"#{base}-{other['id']}-showwarn").is_visible()
    assert feedback(pg, base, other).startswith("\u2139")
    reset_all(pg)


def test_escape_cancels_the_reset_confirmation(page):
    pg = page
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    item = _item_of(spec, "single")
    _wrong, right = right_and_wrong(item)
    answer_with_mouse(pg, base, item, right)
    before = norm(pg.locator(f"#{base}-score").inner_text())
    pg.get_by_role("button", name="Reset my answers").click()
    assert pg.get_by_role("button", name="Yes, clear all my answers").is_visible()
    pg.keyboard.press("Escape")
    assert not pg.get_by_role("button", name="Yes, clear all my answers").is_visible()
    assert pg.evaluate("() => document.activeElement.textContent") == "Reset my answers"
    assert norm(pg.locator(f"#{base}-score").inner_text()) == before
    assert feedback(pg, base, item).startswith("\u2714 Correct")
    reset_all(pg)


def test_row_labels_and_headings_are_no_larger_than_the_question_and_bowtie_boxes_sit_by_their_text(page):
    pg = page
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    px = "sel => [...document.querySelectorAll(sel)].map(e => parseFloat(getComputedStyle(e).fontSize))"
    stem = max(pg.evaluate(px, f"#{base} .h2q-stem"))
    for sel in (".h2q-row legend", ".h2q-group legend", ".h2q-item > fieldset > legend"):
        sizes = pg.evaluate(px, f"#{base} {sel}")
        if sizes:
            assert max(sizes) <= stem, (sel, sizes, stem)
    # desktop (1000 px): the bow-tie shows three columns, and each box sits right by its text on the same line
    gaps = pg.evaluate("""sel => [...document.querySelectorAll(sel)].map(o => {
        const i = o.querySelector('input').getBoundingClientRect();
        const l = o.querySelector('label').getBoundingClientRect();
        return {gap: l.left - i.right, sameLine: l.top < i.bottom && i.top < l.bottom}; })""",
                       f"#{base} .h2q-bowtie .h2q-opt")
    if not gaps:
        pytest.skip("no bow-tie on this page")
    columns = pg.evaluate("sel => getComputedStyle(document.querySelector(sel)).gridTemplateColumns.split(' ').length",
                          f"#{base} .h2q-bowtie")
    assert columns == 3
    assert all(0 <= g["gap"] <= 16 and g["sameLine"] for g in gaps), gaps


def test_cloze_badges_do_not_run_into_the_next_word(page):
    pg = page
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    for item in [i for i in spec["items"] if i["type"] in ("cloze", "dropdown_rationale")]:
        wrong, _right = right_and_wrong(item)
        answer_with_mouse(pg, base, item, wrong)
        gaps = pg.evaluate("""sel => [...document.querySelectorAll(sel)].filter(b => b.textContent).map(b => {
            const r = b.getBoundingClientRect(), prev = b.previousElementSibling.getBoundingClientRect();
            const next = b.nextElementSibling;
            const n = next && next.textContent.trim() ? next.getClientRects()[0] : null;
            const same = (q) => q.top < r.bottom && r.top < q.bottom;
            return {before: same(prev) ? r.left - prev.right : null, after: n && same(n) ? n.left - r.right : null};
        })""", f"#{base}-{item['id']} .h2q-cloze .h2q-badge")
        assert gaps, item["id"]
        for g in gaps:
            assert g["before"] is None or g["before"] >= 3, (item["id"], g)
            assert g["after"] is None or g["after"] >= 4, (item["id"], g)
    reset_all(pg)


def test_summary_tables_do_not_split_words_at_375px(browser, quiz_url):
    context = browser.new_context(viewport={"width": 375, "height": 800}, is_mobile=True, has_touch=True)
    pg = context.new_page()
    pg.goto(quiz_url)
    pg.wait_for_selector(".h2q .h2q-item")
    spec = specs(pg)[0]
    base = f"h2q-{spec['id']}"
    for item in spec["items"]:
        reveal(pg, base, item)
    split = pg.evaluate("""sel => {
        const out = [];
        for (const cell of document.querySelectorAll(sel)) {
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let t = walker.nextNode(); t; t = walker.nextNode()) {
                for (const m of t.data.matchAll(/[^\\s\\-\u2010]+/g)) {  // a line may break after a hyphen
                    const r = document.createRange();
                    r.setStart(t, m.index); r.setEnd(t, m.index + m[0].length);
                    const lines = new Set([...r.getClientRects()].map(q => Math.round(q.top)));
                    if (lines.size > 1) out.push(m[0]);
                }
            }
        }
        return out; }""", f"#{base}-summary th, #{base}-summary td, #{base}-summary caption")
    assert split == []
    summary = norm(pg.locator(f"#{base}-summary").inner_text())
    assert f"All {len(spec['items'])} questions answered" in summary
    reset_all(pg)
    context.close()


def test_every_item_type_prints_as_a_worksheet_with_an_answer_key(page):
    """print.js draws each item on paper: the new types (highlight in text and table, matrix multiple response,
    drop-down rationale, trend data) with their parts, and an answer key naming the right ones."""
    pg = page
    if os.environ.get("HER2COURSE_QUIZ_URL") or "/chapter/" not in pg.url:
        pytest.skip("the test page carries every item type")
    spec = specs(pg)[0]
    pg.evaluate("async () => { const m = await import('../_static/print.js'); m.renderPrintForms(document); }")
    form = pg.locator(".her2-quiz-print").first
    key = pg.locator(".her2-quiz-answers").first
    items = form.locator("li.her2-qp-item")
    assert items.count() == len(spec["items"]) == key.locator("li.her2-qp-item").count()
    for n, item in enumerate(spec["items"]):
        text = squash(items.nth(n).inner_text())
        answer = squash(key.locator("li.her2-qp-item").nth(n).inner_text())
        assert squash(text_of(item["stem"])) in text
        if item.get("data"):
            assert squash(item["data"]["caption"]) in text
            assert all(squash(str(c)) in text for c in item["data"]["columns"])
        t = item["type"]
        if t == "highlight":
            parts = highlight_parts(item)
            for part in parts:
                shown = " ".join(map(str, part["cells"])) if item.get("table") else text_of(part["html"])
                assert squash(shown) in text, (item["id"], shown)
            right = ", ".join(chr(65 + i) for i, p in enumerate(parts) if p["correct"])
            assert squash(f"Answer: {right}") in answer
        elif t == "matrix_multi":
            table = items.nth(n).locator("table.her2-qp-matrix").last
            assert table.locator("tbody tr").count() == len(item["rows"])
            assert table.locator("tbody tr").first.locator("td").count() == len(item["columns"])
            for r in item["rows"]:
                assert squash(text_of(r["rationale"])) in answer
        elif t == "dropdown_rationale":
            assert text.count("Blank(") >= len(item["blanks"])  # the gap in the sentence and its options
            for b in item["blanks"]:
                right = next(o for o in b["options"] if o["correct"])
                assert squash(text_of(right["rationale"])) in answer
    pg.emulate_media(media="print")
    assert form.is_visible()
    assert pg.pdf(format="Letter")[:4] == b"%PDF"


# ------------------------------------------------------------------------------------------------ unfolding cases

@pytest.fixture(scope="module")
def case_url(tmp_path_factory):
    """The ILD case as the book shows it (the case's static HTML, mount.js, quiz.js and the course CSS)."""
    from her2course.cases import case

    site = tmp_path_factory.mktemp("case-site")
    (site / "_static").mkdir()
    for name in ("quiz.js", "mount.js", "her2course.css"):
        shutil.copy(ROOT / "src" / "her2course" / "static" / name, site / "_static" / name)
    (site / "case.html").write_text(
        '<!doctype html>\n<html lang="en" data-theme="light"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>Case test page</title>'
        '<link rel="icon" href="data:,"><link rel="stylesheet" href="_static/her2course.css">'
        '<script type="module" src="_static/mount.js?v=test"></script></head>'
        f'<body><main><h1>Case test page</h1>{case("ild-tdxd").to_html()}</main></body></html>', encoding="utf-8")
    server = _serve(site)
    yield f"http://127.0.0.1:{server.server_address[1]}/case.html"
    server.shutdown()
    server.server_close()


def _stages_shown(pg) -> list[bool]:
    return pg.eval_on_selector_all(".her2-case-stage", "els => els.map(e => e.getClientRects().length > 0)")


def test_a_case_unfolds_stage_by_stage_in_the_book(browser, case_url):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.goto(case_url)
    pg.wait_for_selector(".her2-case-stage .h2q-item")
    assert _stages_shown(pg) == [True, False, False, False, False, False]
    assert "Stage 2 of 6 appears when you have answered" in pg.locator(".her2-case-stage").first.inner_text()
    # the later stages' data and questions are not in the accessibility tree either (hidden, not just off-screen)
    assert not pg.get_by_role("heading", name=re.compile("Stage 2 of 6")).is_visible()
    quizzes = specs(pg)
    # stage 1: answer with the mouse; stage 2 appears and focus moves to its heading
    spec = quizzes[0]
    [item] = spec["items"]
    _wrong, right = right_and_wrong(item)
    answer_with_mouse(pg, f"h2q-{spec['id']}", item, right)
    pg.wait_for_function("() => document.activeElement && document.activeElement.matches('.her2-case-stage-title')")
    assert pg.evaluate("() => document.activeElement.textContent").startswith("Stage 2 of 6")
    assert _stages_shown(pg) == [True, True, False, False, False, False]
    summary = norm(pg.locator(f"#h2q-{spec['id']}-summary").inner_text())
    assert "1 question answered:" in summary and "All 1 questions" not in summary
    # stage 2: showing the answer also counts as answered (after the warning)
    stage2 = pg.locator(f"#h2q-{quizzes[1]['id']}-{quizzes[1]['items'][0]['id']}")
    stage2.get_by_role("button", name="Show answer").click()
    stage2.get_by_role("button", name="Yes, show the answer").click()
    assert _stages_shown(pg) == [True, True, True, False, False, False]
    # a keyboard-only learner reaches the next stage's question from the heading focus moved to
    spec3 = quizzes[2]
    [item3] = spec3["items"]
    _w, right3 = right_and_wrong(item3)
    answer_with_keyboard(pg, f"h2q-{spec3['id']}", item3, right3)
    assert feedback(pg, f"h2q-{spec3['id']}", item3).startswith("\u2714 Correct")
    assert _stages_shown(pg) == [True, True, True, True, False, False]
    violations = run_axe(pg)
    assert violations == [], json.dumps(violations, indent=1)
    # a reload keeps the answers and so the stages reached
    pg.reload()
    pg.wait_for_selector(".her2-case-stage .h2q-item")
    assert _stages_shown(pg) == [True, True, True, True, False, False]
    # "Show all stages" (instructors, printing) shows all six and is a toggle button
    toggle = pg.get_by_role("button", name="Show all stages")
    toggle.click()
    assert toggle.get_attribute("aria-pressed") == "true" and _stages_shown(pg) == [True] * 6
    toggle.click()
    assert _stages_shown(pg) == [True, True, True, True, False, False]
    # printing shows every stage, hidden or not
    pg.emulate_media(media="print")
    assert _stages_shown(pg) == [True] * 6
    assert errors == []
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


def run_first_cell_in_lab(pg, lab, path: str, what: str) -> None:
    """Open ``path`` in the JupyterLab of ``lab`` and run its first cell until a quiz item shows. Ctrl+Enter keeps the
    selection; a run sent while the kernel session is still being wired up can be dropped, so run again."""
    sep = "&" if "?" in path else "?"
    pg.goto(f"{lab['url']}/lab/tree/{path}{sep}token={lab['token']}")
    pg.wait_for_selector(".jp-Notebook .jp-Cell .cm-content", timeout=60000)
    pg.wait_for_selector("#jp-main-statusbar :text('| Idle')", timeout=60000)
    for _attempt in range(6):
        pg.locator(".jp-Notebook .jp-Cell .cm-content").first.click()
        pg.keyboard.press("Control+Enter")
        try:
            pg.wait_for_selector(".jp-OutputArea .h2q .h2q-item", timeout=10000)
            return
        except playwright_api.TimeoutError:
            continue
    pg.screenshot(path=str(lab["db"].parent / "lab-fail.png"))
    raise AssertionError(f"{what} never rendered in JupyterLab (screenshot in {lab['db'].parent})")


def test_live_widget_in_jupyterlab_records_to_the_progress_db(browser, lab):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    try:
        run_first_cell_in_lab(pg, lab, "quiz.ipynb", "the quiz")
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


def test_a_case_unfolds_stage_by_stage_in_jupyterlab(browser, lab):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell('from her2course.cases import case\ncase("lvef-trastuzumab")')]
    nbformat.write(nb, lab["root"] / "case.ipynb")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    heading = lambda n: pg.locator(".jp-OutputArea .her2-case-stage-title", has_text=f"Stage {n} of 6")  # noqa: E731
    try:
        run_first_cell_in_lab(pg, lab, "case.ipynb?reset", "the case")
        assert heading(1).is_visible()
        assert not heading(2).is_visible() and not heading(3).is_visible()
        item = pg.locator(".jp-OutputArea .h2q-item[data-item='ch7-lvef-cues']")
        # answer stage 1 (select-all): tick the keyed options, read from the case data
        from her2course.cases import load_case

        keyed = [o.id for o in load_case("lvef-trastuzumab").stages[0].item.options if o.correct]
        for oid in keyed:
            item.locator(f"input[value='{oid}']").check()
        item.get_by_role("button", name="Check answer").click()
        assert norm(item.locator(".h2q-feedback").inner_text()).startswith("\u2714 Correct")
        heading(2).wait_for(state="visible", timeout=20000)
        assert not heading(3).is_visible()
        # focus follows to the stage that appeared (after the kernel's reply)
        pg.wait_for_function("() => document.activeElement && /Stage 2 of 6/.test(document.activeElement.textContent)",
                             timeout=10000)
        # "Show all stages" shows the rest
        pg.locator(".jp-OutputArea button", has_text="Show all stages").click()
        heading(6).wait_for(state="visible", timeout=20000)
    finally:
        context.close()
