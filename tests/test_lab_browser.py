"""Every chapter in a real JupyterLab reads as the book does: the learner copies (make lab-notebooks) are opened in
one JupyterLab with jupyterlab-myst, each is run in full (Run All Cells), and what a learner sees is checked.

* no raw MyST: no {term}, {cite...}, {doc}, ```{ or :class: anywhere in the visible text;
* answers under "Think about it" are collapsed dropdowns, admonitions are boxes, key terms and citations are links to
  definitions and references inside the notebook (each target exists; pointing at a term shows its definition);
* every cell runs without an error; no quiz shows "null"; no widget label is cut short and no field is a sliver;
* tool results cite by author and year and go out of date when an input changes; a re-run quiz shows the answer
  given before, and the "My progress" notebook counts it.

One server and one browser page for all notebooks (each with its own kernel, run side by side), so the module
stays within about a minute and a half on an unloaded 2-core machine. Debian chromium and PyPI playwright.
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
import time
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

qb = pytest.importorskip("test_quiz_browser")
browser = qb.browser  # module-scoped fixture, used here by name

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / ".artifacts"
CHAPTERS = sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
PROGRESS = "my-progress.ipynb"
RAW = {"{term}": r"\{term\}", "{cite": r"\{cite", "{doc}": r"\{doc\}", "```{": r"```\{", ":class:": r":class:",
       "Source: <key>": r"Source: label-"}


def directive_counts(name: str) -> dict[str, int]:
    """Dropdowns and admonitions in the chapter's Markdown; ``collapsed``: admonitions with the class ``dropdown``
    (the "Go deeper" blocks), which start closed."""
    nb = nbformat.read(ROOT / "notebooks" / name, as_version=4)
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    counts = {d: len(re.findall(rf"^(?:`{{3,}}|:{{3,}})\{{{d}\}}", text, re.M)) for d in ("dropdown", "admonition")}
    options = re.findall(r"^(?:`{3,}|:{3,})\{admonition\}.*\n((?::[a-z-]+:.*\n)*)", text, re.M)
    counts["collapsed"] = sum(bool(re.search(r"^:class:.*\bdropdown\b", o, re.M)) for o in options)
    return counts


# ------------------------------------------------------------------------------------------------ the session

OPEN = """async (paths) => {
  const app = window.jupyterapp;
  await app.started; await app.restored;
  window.__her2 = {};
  for (const path of paths) {
    window.__her2[path] = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  }
  for (const path of paths) { const w = window.__her2[path]; await w.context.ready; await w.sessionContext.ready; }
}"""

ACTIVATE = """async (path) => {
  const app = window.jupyterapp, w = window.__her2[path];
  app.shell.activateById(w.id);
  for (let i = 0; i < 50 && app.shell.currentWidget !== w; i++) await new Promise(r => setTimeout(r, 100));
  return app.shell.currentWidget === w;
}"""

# Run > Run All Cells on the current notebook; the command's promise settles when every cell has run.
RUN_ALL = """(path) => {
  const app = window.jupyterapp, w = window.__her2[path];
  if (app.shell.currentWidget !== w) throw new Error('not the current notebook: ' + path);
  (window.__her2runs ||= {})[path] = app.commands.execute('notebook:run-all-cells');
}"""

FINISHED = """async ([path, ms]) => {
  const late = new Promise((_, no) => setTimeout(() => no(new Error('Run All still running after ' + ms + ' ms')), ms));
  await Promise.race([window.__her2runs[path], late]);
}"""

STATE = """(paths) => Object.fromEntries(paths.map(path => {
  const w = window.__her2[path], counts = [], cells = w.content.model.cells;
  for (let i = 0; i < cells.length; i++) if (cells.get(i).type === 'code') counts.push(cells.get(i).executionCount);
  const k = w.sessionContext.session && w.sessionContext.session.kernel;
  return [path, {status: k ? k.status : 'none', counts}];
}))"""

MEASURE = """([path, raw]) => {
  const node = window.__her2[path].content.node, text = node.innerText, all = (sel) => [...node.querySelectorAll(sel)];
  const shown = (e) => e.checkVisibility(), width = (e) => Math.round(e.getBoundingClientRect().width);
  const count = (re) => (text.match(new RegExp(re, 'g')) || []).length;
  const dropdowns = all('.jp-MarkdownCell details.myst-dropdown');
  const ids = new Set(all('[id]').map(e => e.id));
  const links = all('.jp-MarkdownCell a[href^="#term-"], .jp-MarkdownCell a[href^="#ref-"]');
  const href = (a) => a.getAttribute('href');
  const labelOf = (e) => (e.closest('.widget-inline-hbox').querySelector('label') || {}).textContent;
  return {
    raw: Object.fromEntries(Object.entries(raw).map(([k, re]) => [k, count(re)])),
    dropdowns: dropdowns.length,
    open: dropdowns.filter(d => d.open).length,
    answersShown: dropdowns.filter(d => { const b = d.querySelector('.myst-dropdown-body'); return b && shown(b); })
      .length,
    admonitions: all('.jp-MarkdownCell aside.myst-admonition, .jp-MarkdownCell details.myst-admonition').length,
    collapsed: all('.jp-MarkdownCell details.myst-admonition').filter(d => !d.open).length,
    termLinks: links.filter(a => href(a).startsWith('#term-')).length,
    refLinks: links.filter(a => href(a).startsWith('#ref-')).length,
    deadLinks: links.filter(a => !ids.has(href(a).slice(1))).map(href),
    errors: all('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
                + '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
      .map(e => e.innerText.slice(0, 300)),
    quizzes: all('.jp-OutputArea .h2q').length,
    nullInQuiz: all('.jp-OutputArea .h2q').filter(q => [...q.childNodes].some(n => n.nodeType === 3 && n.data.trim()))
      .length,  // stray text in the quiz's own box (append(null) wrote "null" under the score)
    cutLabels: all('.jp-OutputArea .widget-label-basic, .jp-OutputArea label.widget-label')
      .filter(l => shown(l) && l.scrollWidth > l.clientWidth + 1).map(l => l.textContent),
    narrowFields: all('.jp-OutputArea .widget-text input, .jp-OutputArea .widget-textarea textarea, '
                      + '.jp-OutputArea .widget-dropdown select')
      .filter(e => shown(e) && width(e) < 150).map(e => [labelOf(e), width(e)]),
  };
}"""


@pytest.fixture(scope="module")
def session(browser, tmp_path_factory):
    """JupyterLab on the learner copies, every chapter (and My progress) opened and run in full, and measured."""
    from labserver import jupyterlab

    from her2course import labcopy

    home = tmp_path_factory.mktemp("lab-copies")
    root = home / "lab"
    labcopy.build(ROOT / "notebooks", root)
    db = home / "progress.sqlite3"
    names = [*CHAPTERS, PROGRESS]
    timings: dict[str, float] = {}
    start = time.monotonic()
    with jupyterlab(home, root, {"HER2COURSE_PROGRESS_DB": str(db)},
                    ("--LabApp.expose_app_in_browser=True",)) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        try:
            pg.goto(f"{server['url']}/lab?reset&token={server['token']}")
            pg.wait_for_function("() => window.jupyterapp", timeout=120000)
            pg.evaluate(OPEN, names)
            timings["open"] = time.monotonic() - start
            for name in names:  # all kernels run side by side
                assert pg.evaluate(ACTIVATE, name), name
                pg.evaluate(RUN_ALL, name)
            for name in names:
                pg.evaluate(FINISHED, [name, 600_000])
            state = pg.evaluate(STATE, names)
            assert all(s["counts"] and None not in s["counts"] for s in state.values()), state
            timings["run all"] = time.monotonic() - start
            measured = {}
            for name in names:
                assert pg.evaluate(ACTIVATE, name), name
                pg.wait_for_timeout(300)  # let the tab lay out before measuring what is visible
                measured[name] = pg.evaluate(MEASURE, [name, RAW])
            timings["measured"] = time.monotonic() - start
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            (ARTIFACTS / "lab-markup.json").write_text(json.dumps({"timings_s": timings, "notebooks": measured},
                                                                  indent=1), encoding="utf-8")
            yield {"page": pg, "measured": measured, "db": db, "names": names}
        finally:
            context.close()


def panel(pg, name: str):
    assert pg.evaluate(ACTIVATE, name), name
    return pg.locator(".jp-NotebookPanel:visible")


# ------------------------------------------------------------------------------------------------ reading


@pytest.mark.parametrize("name", CHAPTERS)
def test_no_raw_myst_markup_is_visible(session, name):
    assert session["measured"][name]["raw"] == dict.fromkeys(RAW, 0)


@pytest.mark.parametrize("name", CHAPTERS)
def test_answers_are_collapsed_and_admonitions_are_boxes(session, name):
    got, want = session["measured"][name], directive_counts(name)
    assert got["dropdowns"] == want["dropdown"] and got["open"] == 0 and got["answersShown"] == 0, got
    assert got["admonitions"] == want["admonition"], got
    assert got["collapsed"] == want["collapsed"], got  # "Go deeper" blocks start closed


@pytest.mark.parametrize("name", CHAPTERS)
def test_terms_and_citations_link_to_definitions_and_references_in_the_notebook(session, name):
    got = session["measured"][name]
    assert got["deadLinks"] == []
    assert got["termLinks"] > 0 and got["refLinks"] > 0, got


@pytest.mark.parametrize("name", [*CHAPTERS, PROGRESS])
def test_every_cell_runs_without_an_error(session, name):
    assert session["measured"][name]["errors"] == []


@pytest.mark.parametrize("name", CHAPTERS)
def test_widgets_show_whole_labels_roomy_fields_and_no_null(session, name):
    got = session["measured"][name]
    assert got["cutLabels"] == [] and got["narrowFields"] == [] and got["nullInQuiz"] == 0, got


def test_an_answer_opens_on_request_and_a_term_shows_its_definition_in_place(session):
    from her2course import glossary

    pg = session["page"]
    nb = panel(pg, "05-toxicity-management.ipynb")
    alert = nb.locator("aside.myst-admonition", has_text="a new cough is ILD until proven otherwise")
    assert alert.count() == 1 and "warning" in (alert.get_attribute("class") or "")
    dropdown = nb.locator("details.myst-dropdown", has_text="Recognizes").first
    # the answer may sit in a "Go deeper" block: the learner opens that first
    dropdown.evaluate("d => { for (let p = d.parentElement; p; p = p.parentElement) "
                      "if (p.tagName === 'DETAILS') p.open = true; d.scrollIntoView(); }")
    body = dropdown.locator(".myst-dropdown-body")
    assert not body.is_visible()
    dropdown.locator("summary").click()
    body.wait_for(state="visible")
    assert "Recognizes" in body.inner_text()
    dropdown.locator("summary").click()

    term = nb.locator('.jp-MarkdownCell a[href="#term-left-ventricular-ejection-fraction"]').first
    term.scroll_into_view_if_needed()
    term.hover()
    definition = next(t.definition for t in glossary.terms() if t.term == "Left ventricular ejection fraction")
    card = pg.locator(".hover-card-content", has_text=definition[:40])
    card.wait_for(state="visible", timeout=10000)
    pg.mouse.move(5, 5)


def test_citations_read_author_year_as_in_the_book(session):
    nb = panel(session["page"], "01-her2-biology.ipynb")
    text = nb.inner_text()
    assert "[Hynes and Lane, 2005, Yarden and Sliwkowski, 2001]" in text
    cite = nb.locator('.jp-MarkdownCell a[href="#ref-yarden2001"]').first
    assert cite.inner_text() == "Yarden and Sliwkowski, 2001"
    assert nb.locator("#ref-yarden2001").inner_text().startswith("Yosef Yarden and Mark X. Sliwkowski.")


# ------------------------------------------------------------------------------------------------ using


def test_a_tool_result_cites_by_author_year_and_goes_out_of_date(session):
    pg = session["page"]
    nb = panel(pg, "05-toxicity-management.ipynb")
    form = nb.locator(".jp-OutputArea-output", has_text="LVEF monitor").filter(has=pg.locator("textarea"))
    series = form.locator("textarea")
    assert series.bounding_box()["width"] >= 200  # was about one character wide
    form.get_by_label("Baseline (pre-treatment) LVEF, %").fill("64")
    form.get_by_label("Current LVEF, %").fill("47")
    form.get_by_role("button", name="Check").click()
    result = form.locator(".her2-tool-result")
    result.wait_for()
    assert re.search(r"Source: Herceptin label \d{4}\.", result.inner_text())
    assert "label-herceptin" not in form.inner_text()
    assert "Out of date" not in form.inner_text()
    form.get_by_label("Current LVEF, %").fill("58")
    form.get_by_label("Current LVEF, %").press("Tab")
    form.locator(".her2-tool-stale").wait_for()
    assert "Out of date" in form.inner_text()
    form.get_by_role("button", name="Check").click()
    form.locator(".her2-tool-stale").wait_for(state="detached")


def _rows(db: Path, item: str) -> list:
    rows: list = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not rows:
        with contextlib.suppress(sqlite3.Error), contextlib.closing(sqlite3.connect(db)) as con:
            rows = con.execute("SELECT status FROM attempts WHERE item = ?", (item,)).fetchall()
        time.sleep(0.2)
    return rows


def test_a_rerun_quiz_shows_the_earlier_answer_and_my_progress_counts_it(session):
    pg, name = session["page"], "01-her2-biology.ipynb"
    nb = panel(pg, name)
    item = nb.locator(".jp-OutputArea .h2q-item[data-item='ch1-family-no-ligand']")
    item.scroll_into_view_if_needed()
    item.locator("input[value='her2']").check()
    item.get_by_role("button", name="Check answer").click()
    assert qb.norm(item.locator(".h2q-feedback").inner_text()).startswith("\u2714 Correct")
    assert _rows(session["db"], "ch1-family-no-ligand") == [("correct",)]

    pg.evaluate(RUN_ALL, name)  # the learner runs the chapter again: a new quiz object, read from the store
    pg.evaluate(FINISHED, [name, 300_000])
    item = nb.locator(".jp-OutputArea .h2q-item[data-item='ch1-family-no-ligand']")
    item.wait_for()
    assert item.locator("input[value='her2']").is_checked()
    assert qb.norm(item.locator(".h2q-feedback").inner_text()).startswith("\u2714 Correct")
    assert nb.locator(".jp-OutputArea .h2q-score").first.inner_text().startswith("Score: 1 of")

    mine = panel(pg, PROGRESS)
    mine.get_by_role("button", name="Refresh").click()
    row = mine.locator("table.her2-progress-table tr", has_text="Chapter 1: HER2 biology and testing")
    from her2course.quiz.bank import load_bank

    row.locator("td", has_text=f"1 of {len(load_bank('01-her2-biology').items)}").wait_for()
    assert qb.norm(row.inner_text()).split(" ")[-1] == "UTC"
