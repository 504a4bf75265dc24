"""What the static quiz reads back from localStorage is checked against the spec (Debian chromium, Playwright).

A tampered entry once showed "Score: 33966 of 93 points"; an item whose id is a member of Object.prototype
(``constructor``) never kept its answer across a reload.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from localserve import serve

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "quiz_vectors.json").read_text(encoding="utf-8"))
PREFIX = "her2course:quiz:v1:"
PROTO_ITEM = {  # a valid item whose id is an Object.prototype member in JavaScript
    "id": "constructor", "type": "single", "stem": "Which is right?", "explanation": "Bravo is right.",
    "learning_outcome": "LO-T", "cjmm_step": "analyze_cues", "difficulty": "easy", "reference": ["wolff2018"],
    "options": [{"id": "a", "text": "Alpha", "correct": False, "rationale": "Not Alpha."},
                {"id": "b", "text": "Bravo", "correct": True, "rationale": "Bravo it is."}],
}


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    from her2course.quiz import quiz

    site = tmp_path_factory.mktemp("storage-site")
    (site / "_static").mkdir()
    for name in ("quiz.js", "mount.js"):
        shutil.copy(ROOT / "src" / "her2course" / "static" / name, site / "_static" / name)
    bank = site / "zz-storage.yaml"
    bank.write_text(yaml.safe_dump({"chapter": "zz-storage", "title": "Storage test",
                                    "learning_outcomes": VECTORS["learning_outcomes"],
                                    "items": [*VECTORS["bank"], PROTO_ITEM]}), encoding="utf-8")
    fallback = quiz(bank).fallback_html()
    (site / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Storage</title>'
        '<link rel="icon" href="data:,"><script type="module" src="_static/mount.js"></script></head>'
        f"<body><main>{fallback}</main></body></html>", encoding="utf-8")
    with serve(site) as url:
        yield f"{url}index.html"


@pytest.fixture
def page(page_url, site_browser):
    context = site_browser.new_context()
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    pg.goto(page_url)
    pg.wait_for_selector(".h2q .h2q-item")
    yield pg
    context.close()


def _score(pg) -> tuple[int, int, int, int]:
    text = pg.inner_text(".h2q-score")
    m = re.fullmatch(r"Score: (\d+) of (\d+) points? \u00b7 (\d+) of (\d+) questions answered", text.strip())
    assert m, text
    return tuple(int(g) for g in m.groups())  # type: ignore[return-value]


def _store(pg, value) -> None:
    pg.evaluate("([k, v]) => localStorage.setItem(k, v)", [PREFIX + "zz-storage", json.dumps(value)])
    pg.reload()
    pg.wait_for_selector(".h2q .h2q-item")


def test_a_tampered_store_never_shows_a_score_above_the_maximum(page):
    _, total, _, questions = _score(page)
    _store(page, {
        "t-sata": {"response": ["b"], "checked": True, "attempts": 1, "last": {"score": 33966, "status": "correct"}},
        "t-single": {"response": "b", "checked": True, "attempts": "7", "last": {"score": 33966}},
        "t-matrix": {"response": {"r1": ["yes"], "r2": "no", "r3": "yes"}, "checked": True,
                     "last": {"score": 5, "status": "correct"}},
        "t-ordered": {"checked": False, "last": {"score": 9e15, "status": "partial"}},
        "t-cloze": [1, 2], "t-bowtie": "garbage", "t-numeric": {"checked": "yes", "revealed": 1},
        "__proto__": {"checked": True, "last": {"score": 50}}, "not-in-this-quiz": {"last": {"score": 1000}},
    })
    got, shown_total, answered, _ = _score(page)
    # t-sata's ["b"] is graded again (0), t-single's "b" (1); t-ordered's kept result is clamped to its maximum (1)
    assert (got, shown_total, answered) == (2, total, 3)
    assert got <= total
    assert page.get_attribute('.h2q-item[data-item="t-sata"] .h2q-feedback', "class").endswith("h2q-incorrect")
    assert not page.errors, page.errors
    _store(page, "not an object")
    assert _score(page) == (0, total, 0, questions)
    page.evaluate("k => localStorage.setItem(k, '{not json')", PREFIX + "zz-storage")
    page.reload()
    page.wait_for_selector(".h2q .h2q-item")
    assert _score(page)[:3] == (0, total, 0)
    assert not page.errors, page.errors


def test_an_item_named_constructor_keeps_its_answer(page):
    item = '.h2q-item[data-item="constructor"]'
    page.check(f'{item} input[value="b"]')
    page.click(f"{item} button.h2q-primary")
    assert "Correct" in page.inner_text(f"{item} .h2q-feedback")
    saved = json.loads(page.evaluate("k => localStorage.getItem(k)", PREFIX + "zz-storage"))
    assert saved["constructor"]["response"] == "b" and saved["constructor"]["checked"] is True
    page.reload()
    page.wait_for_selector(".h2q .h2q-item")
    assert page.is_checked(f'{item} input[value="b"]')
    assert "Correct" in page.inner_text(f"{item} .h2q-feedback")
    assert _score(page)[0] == 1
    assert page.evaluate("() => Object.prototype.checked === undefined && Object.prototype.response === undefined")
    assert not page.errors, page.errors
