"""'My progress': the learner's quiz results per chapter, shown in a notebook, so no one needs a terminal for them.

From a notebook (notebooks/my-progress.ipynb)::

    from her2course.quiz import my_progress
    my_progress()

In a kernel (JupyterLab) it is a widget: a table read from the progress store (:mod:`her2course.quiz.progress`,
what the live quizzes record) and a Refresh button. In the static book, where quizzes keep their answers in the
browser's localStorage, its ``text/html`` form is the same table with a small inline script that fills it from
this browser's saved answers (no request, no library), and says where those answers live.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from . import progress

STORAGE_PREFIX = "her2course:quiz:v1:"  # static/mount.js keeps each quiz's answers under this prefix + the quiz id
HEADERS = ("Questions answered", "Fully correct", "Points (latest answers)", "Answers shown", "Last answered")


@dataclass(frozen=True)
class Row:
    """One line of the table: a chapter's question bank, or one unfolding case of chapter 7."""

    chapter: str  # the progress store's chapter id (a bank's chapter, a case id)
    label: str
    page: str  # the notebook that shows its questions (no suffix)
    questions: int
    points: tuple[int, ...]  # the most points of each question, in the order of ``items``
    items: tuple[str, ...]


@lru_cache(maxsize=1)
def catalogue() -> tuple[Row, ...]:
    """Every chapter quiz and unfolding case of the course, in course order, from the data files."""
    from ..cases import case_ids, load_case
    from ..cases.bank import CHAPTER as CASES_CHAPTER
    from ..exports.selection import chapters
    from .bank import load_bank
    from .grading import max_score

    rows = []
    for chapter in chapters():
        if chapter == CASES_CHAPTER:  # the cases have a row each, below
            continue
        bank = load_bank(chapter)
        subject = bank.title.split(": ", 1)[-1]
        number = chapter.split("-", 1)[0].lstrip("0")
        rows.append(Row(chapter, f"Chapter {number}: {subject[:1].upper()}{subject[1:]}", chapter, len(bank.items),
                        tuple(max_score(i) for i in bank.items), tuple(i.id for i in bank.items)))
    for case_id in case_ids():
        case = load_case(case_id)
        rows.append(Row(case.id, f"Chapter 7 case: {case.title}", "07-unfolding-cases", len(case.items),
                        tuple(max_score(i) for i in case.items), tuple(i.id for i in case.items)))
    return tuple(rows)


def _item_points(row: Row) -> zip:
    return zip(row.items, row.points, strict=True)


def _table(lines: list[tuple[str, list[str]]], caption: str, headers: tuple[str, ...] = HEADERS) -> str:
    head = "".join(f'<th scope="col">{html.escape(h)}</th>' for h in ("Chapter", *headers))
    body = "".join(f'<tr><th scope="row">{label}</th>'
                   + "".join(f'<td data-col="{n}">{html.escape(v)}</td>' for n, v in enumerate(values)) + "</tr>"
                   for label, values in lines)
    return (f'<table class="her2-progress-table"><caption>{html.escape(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def live_html(path: Path | None = None) -> str:
    """The table of what the progress store holds (JupyterLab), or a one-line reason why it cannot be read."""
    db = Path(path) if path else progress.default_path()
    try:
        done = {c.chapter: c for c in progress.summary(db)}
    except progress.StoreError as exc:
        return (f'<p role="alert"><strong>Your progress cannot be read:</strong> {html.escape(str(exc))}. '
                "Tell your instructor; your quizzes still work.</p>")
    lines = []
    known = {r.chapter for r in catalogue()}
    rows = list(catalogue()) + [Row(ch, ch, "", 0, (), ()) for ch in sorted(set(done) - known)]
    for row in rows:
        c = done.get(row.chapter)
        of = f" of {row.questions}" if row.questions else ""
        if c is None:
            values = [f"0{of}", "", "", "", "not started"]
        elif row.chapter.startswith("asg-"):
            values = [f"{c.items}{of}", "", "marked by your instructor", str(c.revealed), _when(c.last)]
        else:
            values = [f"{c.items}{of}", str(c.correct), f"{c.score} of {c.max}", str(c.revealed), _when(c.last)]
        lines.append((html.escape(row.label), values))
    answered = sum(c.items for c in done.values())
    note = (f"<p>{answered} question{'s' if answered != 1 else ''} answered so far. Each question counts with your "
            "latest answer, so <em>Try again</em> in a quiz and a better answer raises the points. "
            "Select <em>Refresh</em> after answering more.</p>" if done else
            "<p>No answers saved yet: run a chapter (<em>Run &gt; Run All Cells</em>) and answer its quiz, then "
            "select <em>Refresh</em>.</p>")
    return (_table(lines, "My quiz progress (saved on this computer)") + note
            + f'<p class="her2-progress-where">Saved in {html.escape(str(db))}.</p>')


def _when(at: str) -> str:
    return f"{at[:16].replace('T', ' ')} UTC" if at else ""


# The static book: fill the table from this browser's saved answers (the quizzes' localStorage entries).
_SCRIPT = """<script>(function () {
  var box = document.currentScript && document.currentScript.parentNode, say = function (t) {
    box.querySelector(".her2-progress-status").textContent = t; };
  if (!box) return;
  var chapterOf = JSON.parse(box.getAttribute("data-items")), rows = box.querySelectorAll("tbody tr"), best = {};
  var data = JSON.parse(box.getAttribute("data-rows")), prefix = box.getAttribute("data-prefix"), store;
  try { store = window.localStorage; store.getItem(prefix); } catch (e) { store = null; }
  if (!store) { say("This browser does not keep quiz answers, so there is nothing to show."); return; }
  for (var i = 0; i < store.length; i++) {
    var key = store.key(i), saved;
    if (!key || key.indexOf(prefix) !== 0) continue;
    try { saved = JSON.parse(store.getItem(key)); } catch (e) { continue; }
    for (var item in saved) {
      var s = saved[item], where = chapterOf[item];
      if (!where || !s || typeof s !== "object") continue;
      var scored = s.last && typeof s.last.score === "number", was = best[item];
      if (!scored && !s.revealed) continue;
      var mine = { row: where[0], max: where[1], scored: scored, score: scored ? s.last.score : 0,
                   correct: scored && s.last.status === "correct", shown: !!s.revealed || !!(was && was.shown) };
      if (!was || !was.scored || (scored && mine.score > was.score)) best[item] = mine;
      else if (mine.shown) was.shown = true;
    }
  }
  var sums = data.map(function () { return { n: 0, correct: 0, points: 0, max: 0, shown: 0 }; }), total = 0;
  for (var id in best) {
    var b = best[id], t = sums[b.row];
    t.shown += b.shown ? 1 : 0;
    if (!b.scored) continue;
    t.n += 1; t.points += b.score; t.max += b.max; t.correct += b.correct ? 1 : 0; total += 1;
  }
  sums.forEach(function (t, r) {
    var cells = rows[r].querySelectorAll("td");
    cells[0].textContent = t.n + " of " + data[r];
    cells[1].textContent = t.n ? String(t.correct) : "";
    cells[2].textContent = t.n ? t.points + " of " + t.max : "";
    cells[3].textContent = t.n || t.shown ? String(t.shown) : "";
  });
  say(total ? total + (total === 1 ? " question" : " questions") + " answered in this browser."
            : "No answers saved in this browser yet: answer a chapter's quiz and come back.");
})();</script>"""


def static_html() -> str:
    """The book's form: where answers live in the book, and the table, filled by a small script from this browser."""
    rows = catalogue()
    items = {item: [n, points] for n, row in enumerate(rows) for item, points in _item_points(row)}
    sizes = [r.questions for r in rows]
    lines = [(f'<a href="{html.escape(r.page)}.html">{html.escape(r.label)}</a>', ["", "", "", ""]) for r in rows]
    attr = lambda v: html.escape(json.dumps(v, separators=(",", ":")), quote=True)  # noqa: E731
    return (f'<div class="her2-progress" data-prefix="{STORAGE_PREFIX}" data-items="{attr(items)}" '
            f'data-rows="{attr(sizes)}">'
            "<p>In this online book, your quiz answers are kept in this browser on this device only (in its local "
            "storage), not on a server: another browser or device starts with none, and clearing this site's data "
            "removes them. The table below reads them. In JupyterLab this page shows what the live quizzes saved "
            "on your computer instead.</p>"
            '<p class="her2-progress-status" role="status">Your saved answers appear here when the page has '
            "loaded.</p>"
            + _table(lines, "My quiz progress in this browser", HEADERS[:-1]) + _SCRIPT + "</div>")


class ProgressView(widgets.VBox):
    """The learner's progress: live from the progress store in a kernel, from the browser in the static book."""

    def __init__(self, path: Path | None = None, **kwargs: Any) -> None:
        self.path = path
        self.table = widgets.HTML()
        self.refresh_button = widgets.Button(description="Refresh", tooltip="Read my saved answers again",
                                             button_style="primary")
        self.refresh_button.on_click(lambda _b: self.refresh())
        super().__init__([self.table, self.refresh_button], **kwargs)
        self.refresh()

    def refresh(self) -> None:
        self.table.value = live_html(self.path)

    def __repr__(self) -> str:
        return "My progress: the questions answered and points per chapter (run this cell in JupyterLab)."

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        data = dict(data)
        data["text/plain"] = repr(self)
        data["text/html"] = static_html()
        return data, dict(meta)


def my_progress(path: Path | None = None) -> ProgressView:
    """The 'My progress' table: a live widget in JupyterLab, filled from this browser in the book."""
    return ProgressView(path)
