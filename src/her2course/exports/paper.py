"""Paper: a student sheet (questions and answer spaces only) and a separate answer key (answers, scoring,
rationales), as self-contained HTML, or PDF printed from that HTML by headless Chromium.

The student sheet carries nothing that gives an answer away: no rationale, no explanation, no correct flag,
ordered steps in a fixed scrambled order (derived from the item id, never the correct one) and numeric answers
left blank. Options are lettered in the order every rendering shows them (:mod:`her2course.quiz.shuffle`), so the
key's letters, the book's print form and the screen agree. Tests scan every student file for leaks.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..quiz.schema import (
    CJMM_LABELS,
    TYPE_LABELS,
    Bowtie,
    Cloze,
    DropdownRationale,
    Highlight,
    Matrix,
    MatrixMulti,
    Numeric,
    Ordered,
    Sata,
    Single,
    cell_text,
)
from ..quiz.shuffle import display_order, shuffled
from .common import ExportReport, block, data_html, inline, number, passage, progress, rationale_list
from .selection import Assignment, Entry

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "chrome")
CSS = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 11pt; line-height: 1.4;
       color: #111; max-width: 48rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.4rem; margin-bottom: .2rem; } .meta { color: #333; margin-top: 0; }
.item { break-inside: avoid; border-top: 1px solid #999; padding-top: .6rem; margin-top: 1rem; }
.item h2 { font-size: 1.05rem; margin: 0 0 .3rem; } .instruction { font-style: italic; margin: .2rem 0; }
ul.choices { list-style: none; padding-left: .5rem; } ul.choices li { margin: .25rem 0; }
.box { display: inline-block; width: .9em; height: .9em; border: 1.5px solid #111; margin-right: .5em;
       vertical-align: -0.1em; } .box.round { border-radius: 50%; }
.line { display: inline-block; min-width: 8rem; border-bottom: 1px solid #111; }
table { border-collapse: collapse; margin: .4rem 0; } th, td { border: 1px solid #666; padding: .25rem .5rem;
        text-align: left; vertical-align: top; } td.cell { text-align: center; }
.group { margin: .4rem 0; } .blank { font-weight: bold; }
table.data td { text-align: right; }
.key { background: #f3f3f3; border-left: 4px solid #0072B2; padding: .4rem .7rem; margin-top: .5rem; }
.right { font-weight: bold; } .tag { font-size: .85rem; color: #333; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; } }
"""


def _doc(title: str, assignment: Assignment, body: str, kind: str) -> str:
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta name=\"her2course-assignment\" content=\"{assignment.id}\">\n"
        f"<meta name=\"her2course-document\" content=\"{kind}\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n{body}\n</main>\n"
        "</body>\n</html>\n"
    )


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else str(i + 1)


def _grid(columns_html: list[str], rows_html: list[str], shape: str) -> str:
    head = "".join(f'<th scope="col">{c}</th>' for c in columns_html)
    rows = "".join(f'<tr><th scope="row">{r}</th>' + "".join(
        f'<td class="cell"><span class="{shape}" aria-hidden="true"></span></td>' for _ in columns_html) + "</tr>"
        for r in rows_html)
    return f"<table><thead><tr><td></td>{head}</tr></thead><tbody>{rows}</tbody></table>"


# ----------------------------------------------------------------------------------------- student sheet

def _student_item(e: Entry, n: int) -> str:
    item = e.item
    # No points per question: for select-all-that-apply they would tell how many options are right.
    out = [f'<section class="item" id="q{n}">', f"<h2>Question {n}</h2>",
           f'<p class="instruction">{html.escape(TYPE_LABELS[item.type])}</p>', block(item.stem),
           data_html(item.data)]
    if isinstance(item, Single | Sata):
        shape = "box round" if isinstance(item, Single) else "box"
        out.append('<ul class="choices">' + "".join(
            f'<li><span class="{shape}" aria-hidden="true"></span>{_letter(i)}. {inline(o.text)}</li>'
            for i, o in enumerate(shuffled(item.id, item.options))) + "</ul>")
    elif isinstance(item, Numeric):
        a = item.answer
        out.append(f"<p>{html.escape(a.rounding)}</p>")
        out.append(f'<p>Answer: <span class="line">&nbsp;</span> {html.escape(a.unit)}</p>')
    elif isinstance(item, Ordered):
        steps = {o.id: o for o in item.options}
        out.append("<p>Write 1 for the first step, 2 for the next, and so on.</p>")
        out.append("<table><thead><tr><th scope=\"col\">Order</th><th scope=\"col\">Step</th></tr></thead><tbody>"
                   + "".join(f'<tr><td class="cell"><span class="line" style="min-width:2.5rem">&nbsp;</span></td>'
                             f"<td>{inline(steps[sid].text)}</td></tr>" for sid in display_order(item))
                   + "</tbody></table>")
    elif isinstance(item, Matrix | MatrixMulti):
        if isinstance(item, MatrixMulti):
            out.append("<p>Tick every box that applies in each row.</p>")
        out.append(_grid([inline(c.text) for c in item.columns], [inline(r.text) for r in item.rows],
                         "box round" if isinstance(item, Matrix) else "box"))
    elif isinstance(item, Cloze | DropdownRationale):
        numbers = {b.id: k for k, b in enumerate(item.blanks, start=1)}
        out.append("<p>" + passage(item.text, lambda b: f'<span class="blank">({numbers[b]}) '
                                                        '<span class="line">&nbsp;</span></span>') + "</p>")
        for b in item.blanks:
            out.append(f'<div class="group">Blank ({numbers[b.id]}): <ul class="choices">' + "".join(
                f'<li><span class="box round" aria-hidden="true"></span>{inline(o.text)}</li>'
                for o in shuffled(item.id, b.options, b.id)) + "</ul></div>")
    elif isinstance(item, Bowtie):
        for g in item.groups:
            out.append(f'<div class="group"><strong>{inline(g.label)}</strong> (choose {g.choose}):'
                       '<ul class="choices">' + "".join(
                           f'<li><span class="box" aria-hidden="true"></span>{inline(o.text)}</li>'
                           for o in shuffled(item.id, g.options, g.id)) + "</ul></div>")
    elif isinstance(item, Highlight):
        out.append(_highlight_sheet(item))
    out.append("</section>")
    return "\n".join(out)


def _highlight_sheet(item: Highlight) -> str:
    """A highlight item on paper: the table with a box per row, or the passage with each selectable part lettered
    and a box per letter."""
    if item.table is not None:
        t = item.table
        head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in t.columns)
        rows = "".join(f'<tr><td class="cell"><span class="box" aria-hidden="true"></span> {_letter(i)}</td>'
                       + "".join(f"<td>{html.escape(cell_text(c))}</td>" for c in r.cells) + "</tr>"
                       for i, r in enumerate(t.rows))
        return ("<p>Tick each row that matters.</p>"
                f'<table><caption>{html.escape(t.caption)}</caption><thead><tr><th scope="col">Row</th>{head}</tr>'
                f"</thead><tbody>{rows}</tbody></table>")
    letters = {sp.id: _letter(i) for i, sp in enumerate(item.spans)}
    spans = {sp.id: sp for sp in item.spans}
    text = passage(item.text or "", lambda sid: f'<span class="blank">[{letters[sid]}]</span> '
                                                 f"<u>{inline(spans[sid].text)}</u>")
    boxes = "".join(f'<li><span class="box" aria-hidden="true"></span>{letters[sp.id]}. {inline(sp.text)}</li>'
                    for sp in item.spans)
    return f'<p>Tick the letter of each underlined part that matters.</p><p>{text}</p><ul class="choices">{boxes}</ul>'


def student_html(assignment: Assignment, quiet: bool = True) -> str:
    entries = assignment.entries
    body = [f"<h1>{html.escape(assignment.title)}</h1>",
            f'<p class="meta">Assignment {assignment.id} &middot; {len(entries)} questions</p>',
            '<p class="meta">Name: <span class="line" style="min-width:16rem">&nbsp;</span></p>']
    body += [_student_item(e, n) for n, e in enumerate(progress(entries, "paper", quiet), start=1)]
    return _doc(assignment.title, assignment, "\n".join(body), "student")


# -------------------------------------------------------------------------------------------- answer key

def _mark(ok: bool) -> str:
    return '<span class="right">\u2713 correct</span>' if ok else "\u2717"


def _key_item(e: Entry, n: int) -> str:
    item = e.item
    out = [f'<section class="item" id="k{n}">', f"<h2>Question {n}: {html.escape(item.id)}</h2>",
           f'<p class="tag">{html.escape(item.type)} &middot; {html.escape(e.chapter)} &middot; '
           f"{html.escape(item.learning_outcome)}: {html.escape(e.outcome_text)} &middot; "
           f"{html.escape(CJMM_LABELS[item.cjmm_step])} &middot; {item.difficulty} &middot; max {e.max}</p>",
           block(item.stem), data_html(item.data)]
    if isinstance(item, Single | Sata):
        rule = ("One point for the correct answer." if isinstance(item, Single) else
                "+/- scoring: one point per correct option chosen, minus one per wrong option chosen, never "
                "below zero.")
        out.append(f"<p><em>{rule}</em></p><table><tbody>" + "".join(
            f"<tr><td>{_letter(i)}. {inline(o.text)}</td><td>{_mark(o.correct)}</td><td>{block(o.rationale)}</td></tr>"
            for i, o in enumerate(shuffled(item.id, item.options))) + "</tbody></table>")
    elif isinstance(item, Numeric):
        a = item.answer
        out.append(f'<p class="right">Answer: {number(a.value)} {html.escape(a.unit)} '
                   f"(accepted within \u00b1{number(a.tolerance)})</p><p>{html.escape(a.rounding)}</p>")
        if item.form is not None and item.form.seed is not None:
            drawn = ", ".join(f"{html.escape(k)} {number(v)}" for k, v in item.form.values.items())
            out.append(f'<p class="tag">Parallel form: numbers drawn for seed {item.form.seed} ({drawn}); the key '
                       "and the wrong results explained below are computed by the course's dose calculator and "
                       "clinical tools for these numbers.</p>")
        out.append(f"<div><strong>Worked solution.</strong> {block(item.rationale)}</div>")
        if item.distractors:
            out.append("<table><tbody>" + "".join(f"<tr><td>{number(d.value)}</td><td>{block(d.rationale)}</td></tr>"
                                                  for d in item.distractors) + "</tbody></table>")
    elif isinstance(item, Ordered):
        out.append("<p><em>One point for the whole sequence in the right order.</em></p>"
                   + rationale_list([(o.text, o.rationale) for o in item.options], ordered=True))
    elif isinstance(item, Matrix):
        columns = {c.id: c for c in item.columns}
        out.append("<p><em>One point per row.</em></p><table><tbody>" + "".join(
            f"<tr><th scope=\"row\">{inline(r.text)}</th><td class=\"right\">{inline(columns[r.answer].text)}</td>"
            f"<td>{block(r.rationale)}</td></tr>" for r in item.rows) + "</tbody></table>")
    elif isinstance(item, Cloze | DropdownRationale):
        out.append("<p><em>" + (RATIONALE_RULE[len(item.blanks)] if isinstance(item, DropdownRationale)
                                else "One point per blank.") + "</em></p>")
        for k, b in enumerate(item.blanks, start=1):
            out.append(f"<p>Blank ({k}):</p><table><tbody>" + "".join(
                f"<tr><td>{inline(o.text)}</td><td>{_mark(o.correct)}</td><td>{block(o.rationale)}</td></tr>"
                for o in shuffled(item.id, b.options, b.id)) + "</tbody></table>")
    elif isinstance(item, Bowtie):
        out.append("<p><em>One point per correct choice.</em></p>")
        for g in item.groups:
            out.append(f"<p><strong>{inline(g.label)}</strong> (choose {g.choose}):</p><table><tbody>" + "".join(
                f"<tr><td>{inline(o.text)}</td><td>{_mark(o.correct)}</td><td>{block(o.rationale)}</td></tr>"
                for o in shuffled(item.id, g.options, g.id)) + "</tbody></table>")
    elif isinstance(item, Highlight):
        out.append("<p><em>+/- scoring: one point per part that matters selected, minus one per other part "
                   "selected, never below zero.</em></p><table><tbody>" + "".join(
                       f"<tr><td>{_letter(i)}. {inline(text)}</td><td>{_mark(correct)}</td><td>{block(why)}</td></tr>"
                       for i, (_, text, correct, why) in enumerate(item.parts())) + "</tbody></table>")
    elif isinstance(item, MatrixMulti):
        columns = {c.id: c for c in item.columns}
        out.append("<p><em>+/- scoring row by row: one point per right box ticked, minus one per wrong box, a row "
                   "never below zero; the rows added up.</em></p><table><tbody>" + "".join(
                       f'<tr><th scope="row">{inline(r.text)}</th><td class="right">'
                       + ", ".join(inline(columns[a].text) for a in r.answers)
                       + f"</td><td>{block(r.rationale)}</td></tr>" for r in item.rows) + "</tbody></table>")
    out.append(f'<div class="key"><strong>Explanation.</strong> {block(item.explanation)}'
               f"<p class=\"tag\">Sources: {html.escape(', '.join(item.reference))}</p></div>")
    out.append("</section>")
    return "\n".join(out)


RATIONALE_RULE = {
    2: "Rationale scoring (dyad): one point only when both blanks are right.",
    3: "Rationale scoring (triad): one point for blanks 1 and 2 both right, one for blanks 1 and 3 both right.",
}


def key_html(assignment: Assignment, quiet: bool = True) -> str:
    entries = assignment.entries
    body = [f"<h1>Answer key: {html.escape(assignment.title)}</h1>",
            f'<p class="meta">Assignment {assignment.id} &middot; seed {assignment.seed} &middot; '
            f"{len(entries)} questions &middot; {assignment.max} points. For instructors only.</p>",
            "<table><thead><tr><th scope=\"col\">#</th><th scope=\"col\">Item</th><th scope=\"col\">Type</th>"
            "<th scope=\"col\">Outcome</th><th scope=\"col\">Step</th><th scope=\"col\">Points</th></tr></thead><tbody>"
            + "".join(f"<tr><td>{n}</td><td>{html.escape(e.id)}</td><td>{e.item.type}</td>"
                      f"<td>{html.escape(e.item.learning_outcome)}</td><td>{CJMM_LABELS[e.item.cjmm_step]}</td>"
                      f"<td>{e.max}</td></tr>" for n, e in enumerate(entries, start=1))
            + "</tbody></table>"]
    body += [_key_item(e, n) for n, e in enumerate(progress(entries, "answer key", quiet), start=1)]
    return _doc(f"Answer key: {assignment.title}", assignment, "\n".join(body), "answer-key")


# ------------------------------------------------------------------------------------------------- PDF

def chromium() -> str | None:
    env = os.environ.get("HER2COURSE_CHROMIUM")
    if env:
        return env
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:[^)]*\)")


def html_to_pdf(document: str, out: Path) -> None:
    """Print HTML to PDF with headless Chromium, then blank the PDF's dates so equal input gives equal bytes."""
    exe = chromium()
    if exe is None:
        raise RuntimeError("PDF export needs Chromium: install it (Debian: apt-get install chromium) or set "
                           "HER2COURSE_CHROMIUM to its path; the HTML export works without it")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="her2course-pdf-") as tmp:
        src = Path(tmp) / "document.html"
        src.write_text(document, encoding="utf-8")
        target = Path(tmp) / "document.pdf"
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", f"--user-data-dir={tmp}/profile",
               "--no-pdf-header-footer", f"--print-to-pdf={target}", src.as_uri()]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, check=False)
        if not target.is_file():
            raise RuntimeError(f"Chromium did not write the PDF (exit {proc.returncode}): {proc.stderr[-500:]}")
        data = target.read_bytes()
    data = _PDF_DATE.sub(_fixed_date, data)
    out.write_bytes(data)


def _fixed_date(match: re.Match[bytes]) -> bytes:
    """The same date in every PDF, padded with spaces so that no byte offset in the file moves."""
    original = match.group(0)
    new = b"/" + match.group(1) + b" (D:19800101000000Z)"
    return new + b" " * (len(original) - len(new))


def write(assignment: Assignment, out: Path, fmt: str, quiet: bool = False) -> ExportReport:
    """The student sheet as html or pdf (every item type is exported on paper)."""
    report = ExportReport(fmt, assignment.id)
    document = student_html(assignment, quiet)
    if fmt == "pdf":
        html_to_pdf(document, out)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(document, encoding="utf-8")
    report.outputs.append(out)
    report.exported = assignment.item_ids
    return report


def write_key(assignment: Assignment, out: Path, quiet: bool = False) -> Path:
    """The answer key; PDF when the name ends in .pdf, else HTML."""
    document = key_html(assignment, quiet)
    if out.suffix.lower() == ".pdf":
        html_to_pdf(document, out)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(document, encoding="utf-8")
    return out
