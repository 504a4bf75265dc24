"""An assignment notebook in a real JupyterLab: answers are saved, never marked in the browser; and a broken
progress store is said once, inside the quiz, while the quiz goes on marking (practice mode).

Debian chromium and PyPI playwright; the JupyterLab server and the browser fixtures come from test_quiz_browser.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import time

import pytest

pytestmark = pytest.mark.browser

qb = pytest.importorskip("test_quiz_browser")
browser, lab = qb.browser, qb.lab  # module-scoped fixtures, used here by name


def _open_and_run_all(pg, lab, name: str, selector: str) -> None:
    pg.goto(f"{lab['url']}/lab/tree/{name}?reset&token={lab['token']}")
    pg.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60000)
    pg.wait_for_selector("#jp-main-statusbar :text('| Idle')", timeout=60000)
    for _attempt in range(4):  # a run sent before the kernel session is wired up can be dropped
        pg.get_by_role("menuitem", name="Run", exact=True).click()
        pg.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            pg.wait_for_selector(selector, timeout=30000)
            return
        except qb.playwright_api.TimeoutError:
            continue
    raise AssertionError(f"{selector} never rendered in {name}")


def _axe_on_quiz(pg) -> list[dict]:
    """Serious or critical axe-core violations inside the quiz (JupyterLab's own page is not ours to judge)."""
    pg.add_script_tag(path=str(qb.AXE))
    result = pg.evaluate("async () => await axe.run(document.querySelector('.jp-OutputArea .h2q'), "
                         "{resultTypes: ['violations']})")
    return [{"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:3]} for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def _rows(db, where: str, n: int) -> list:
    rows: list = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and len(rows) < n:
        with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(db)) as con:
            sql = f"SELECT item, attempt, status, score FROM attempts WHERE {where} ORDER BY id"
            rows = con.execute(sql).fetchall()
        time.sleep(0.2)
    return rows


def test_an_assignment_saves_answers_and_shows_no_verdict(browser, lab):
    from handin_answers import right, wrong

    from her2course.exports import Filters, notebook, select
    from her2course.quiz import markup

    a = select(Filters.make(chapters=["1"], types=["single"]), count=2, seed=2)
    notebook.export(a, lab["root"] / "assignment.ipynb", quiet=True)
    first, second = a.entries
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    try:
        _open_and_run_all(pg, lab, "assignment.ipynb", ".jp-OutputArea .h2q .h2q-item")
        quiz = pg.locator(".jp-OutputArea .h2q").first
        assert quiz.get_by_role("button", name="Show answer").count() == 0
        assert quiz.get_by_role("button", name="Reset my answers").count() == 0
        for entry, response in ((first, wrong(first.item)), (second, right(second.item))):
            box = quiz.locator(f".h2q-item[data-item='{entry.id}']")
            box.scroll_into_view_if_needed()
            box.locator(f"input[value='{response}']").check()
            box.get_by_role("button", name="Save answer").click()
            fb = box.locator(".h2q-feedback")
            fb.get_by_text("Answer saved").wait_for(timeout=20000)  # the kernel confirmed it stored the attempt
            assert box.get_by_role("button", name="Change answer").is_visible()
        text = re.sub(r"\s+", " ", quiz.inner_text())
        assert "Correct" not in text and "Not correct" not in text and "point" not in text
        assert "2 of 2 questions answered" in text
        assert _axe_on_quiz(pg) == []
        page = pg.content()
        for e in a.entries:
            for o in e.item.options:
                assert markup.plain(o.rationale)[:60] not in page
            assert markup.plain(e.item.explanation)[:60] not in page
        # the kernel marked both (wrong, then right), in the progress database
        assert _rows(lab["db"], f"chapter = '{a.id}'", 2) == [(first.id, 1, "incorrect", 0),
                                                               (second.id, 1, "correct", 1)]
        # Save my results file: the hand-in holds the answers and no score
        name = pg.locator(".jp-OutputArea .widget-text input").first
        name.scroll_into_view_if_needed()
        name.fill("Ada Lovelace")
        pg.locator(".jp-OutputArea").get_by_role("button", name="Save my results file").click()
        pg.locator(".jp-OutputArea [role=status]").get_by_text("Hand in this file").wait_for(timeout=20000)
        saved = json.loads((lab["root"] / f"results-{a.id}-ada-lovelace.json").read_text(encoding="utf-8"))
        assert saved["answers"][first.id]["response"] == wrong(first.item)
        assert "score" not in json.dumps(saved)
    finally:
        context.close()


def test_a_broken_store_is_said_once_inside_the_quiz(browser, lab):
    nb_module = pytest.importorskip("nbformat")
    folder = lab["root"] / "store-is-a-folder"
    folder.mkdir(exist_ok=True)
    (lab["root"] / "bank").mkdir(exist_ok=True)
    bank = qb.write_bank(lab["root"] / "bank" / "zz-test-bank.yaml")
    nb = nb_module.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nb_module.v4.new_code_cell(f"import os\nos.environ['HER2COURSE_PROGRESS_DB'] = {str(folder)!r}"),
                nb_module.v4.new_code_cell(f"from her2course.quiz import quiz\nquiz({str(bank)!r})")]
    nb_module.write(nb, lab["root"] / "broken-store.ipynb")
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    pg = context.new_page()
    try:
        _open_and_run_all(pg, lab, "broken-store.ipynb", ".jp-OutputArea .h2q .h2q-item")
        quiz = pg.locator(".jp-OutputArea .h2q").first
        for item_id, value in (("t-single", "b"), ("t-sata", "a")):
            box = quiz.locator(f".h2q-item[data-item='{item_id}']")
            box.locator(f"input[value='{value}']").check()
            box.get_by_role("button", name="Check answer").click()
        alert = quiz.locator(".h2q-save-error[role=alert]")
        alert.wait_for(state="visible", timeout=20000)
        assert quiz.locator(".h2q-save-error").count() == 1  # said once, for the whole quiz
        said = re.sub(r"\s+", " ", alert.inner_text())
        assert said.startswith("Your answers cannot be saved:") and "is a folder, not a database file" in said
        # the quiz still marks the answers
        single = quiz.locator(".h2q-item[data-item='t-single'] .h2q-feedback")
        assert re.sub(r"\s+", " ", single.inner_text()).startswith("\u2714 Correct")
        assert _axe_on_quiz(pg) == []
    finally:
        context.close()
