"""'My progress' (notebooks/my-progress.ipynb): the table from the progress store in JupyterLab, and in the static
book the same table filled from this browser's saved quiz answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from her2course.quiz import my_progress, progress
from her2course.quiz.bank import load_bank
from her2course.quiz.progressview import STORAGE_PREFIX, catalogue, live_html, static_html

CH1_ITEMS = len(load_bank("01-her2-biology").items)  # the questions of chapter 1's quiz

ROOT = Path(__file__).resolve().parents[1]


def attempt(chapter: str, item: str, n: int, status: str, score: int, mx: int, event: str = "attempt"):
    return progress.Attempt(chapter, chapter, item, "single", event, n, status, score, mx, "a")


def row_text(page: str, label: str) -> str:
    start = page.index(label)
    return page[start:page.index("</tr>", start)]


def test_the_catalogue_lists_every_chapter_quiz_and_case_with_their_questions():
    rows = catalogue()
    labels = [r.label for r in rows]
    assert labels[0] == "Chapter 1: HER2 biology and testing"
    assert sum(r.label.startswith("Chapter 7 case: ") for r in rows) == 5
    assert all(r.questions == len(r.items) == len(r.points) > 0 for r in rows)
    items = [i for r in rows for i in r.items]
    assert len(items) == len(set(items))  # an answer belongs to one row


def test_live_table_before_any_answer(tmp_path):
    page = live_html(tmp_path / "none.sqlite3")
    assert "No answers saved yet" in page
    assert f"0 of {CH1_ITEMS}" in row_text(page, "Chapter 1: HER2 biology and testing") and "not started" in page


def test_live_table_counts_the_latest_answer_of_each_question(tmp_path):
    db = tmp_path / "p.sqlite3"
    progress.record([attempt("01-her2-biology", "ch1-family-no-ligand", 1, "incorrect", 0, 1),
                     attempt("01-her2-biology", "ch1-family-no-ligand", 2, "correct", 1, 1),
                     attempt("01-her2-biology", "ch1-receptor-parts", 1, "partial", 3, 5),
                     attempt("01-her2-biology", "ch1-ish-ratio", 0, "revealed", 0, 0, "reveal"),
                     attempt("asg-123", "q1", 1, "correct", 1, 1)], db)
    page = live_html(db)
    ch1 = row_text(page, "Chapter 1: HER2 biology and testing")
    cells = [c.split(">", 1)[1].split("<", 1)[0] for c in ch1.split("<td")[1:]]
    assert cells[:4] == [f"2 of {CH1_ITEMS}", "1", "4 of 6", "1"] and cells[4].endswith("UTC")
    assert "marked by your instructor" in row_text(page, "asg-123")
    assert "3 questions answered so far" in page and str(db) in page


def test_a_store_that_cannot_be_read_is_said_in_one_line(tmp_path):
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"not a database" * 200)
    page = live_html(broken)
    assert page.startswith('<p role="alert"><strong>Your progress cannot be read:</strong>') and "damaged" in page


def test_the_notebook_form_is_a_widget_with_a_fixed_text_and_the_books_static_table():
    view = my_progress()
    data, _meta = view._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"] == repr(view) and "0x" not in data["text/plain"]
    assert data["text/html"] == static_html() == static_html()  # deterministic for nbval and the book
    assert "<button" not in data["text/html"] and "kept in this browser" in data["text/html"]
    assert all(f'href="{r.page}.html"' in data["text/html"] for r in catalogue())


@pytest.mark.browser
def test_the_books_table_reads_this_browsers_saved_answers(tmp_path):
    qb = pytest.importorskip("test_quiz_browser")
    (tmp_path / "index.html").write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>My progress</title></head>'
        f"<body><main>{static_html()}</main></body></html>", encoding="utf-8")
    server = qb._serve(tmp_path)
    saved = {"ch1-family-no-ligand": {"response": "her2", "attempts": 2, "checked": True, "revealed": False,
                                      "last": {"score": 1, "status": "correct"}},
             "ch1-receptor-parts": {"response": [], "attempts": 1, "checked": True, "revealed": False,
                                    "last": {"score": 3, "status": "partial"}},
             "ch1-ish-ratio": {"response": None, "attempts": 0, "checked": False, "revealed": True},
             "ch1-3plus-cause": {"response": "a", "attempts": 0, "checked": False, "revealed": False}}
    try:
        with qb.playwright_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(qb.CHROMIUM), args=qb.ARGS)
            page = browser.new_page()
            url = f"http://127.0.0.1:{server.server_address[1]}/index.html"
            page.goto(url)
            assert "No answers saved in this browser yet" in page.inner_text(".her2-progress-status")
            page.evaluate("([k, v]) => localStorage.setItem(k, v)", [f"{STORAGE_PREFIX}01-her2-biology",
                                                                   json.dumps(saved)])
            page.reload()
            cells = page.locator("tr", has_text="Chapter 1: HER2 biology and testing").locator("td").all_inner_texts()
            # as in JupyterLab: a shown answer is not an answer
            assert cells == [f"2 of {CH1_ITEMS}", "1", "4 of 6", "1"]
            assert page.inner_text(".her2-progress-status") == "2 questions answered in this browser."
            other = page.locator("tr", has_text="Chapter 2:").locator("td").all_inner_texts()
            assert other == ["0 of 34", "", "", ""]
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
