"""Canvas: a QTI 1.2 package (imsmanifest.xml + one assessment), the format Canvas imports as a classic quiz.

text2qti (PyPI) writes the package and the items it can express, from generated text2qti source: single best
answer (multiple_choice_question), select all that apply (multiple_answers_question) and numeric
(numerical_question), with per-option feedback. The item types text2qti has no syntax for are built here in the
same QTI dialect that Canvas itself exports: matrix as matching_question, drop-down cloze and drop-down rationale
as multiple_dropdowns_question, ordered response as a matching_question (step -> position). A bow-tie becomes three
consecutive text2qti questions, one per group (multiple choice for the condition, multiple answers for actions
and parameters), each worth its number of choices; a multiple-response matrix becomes one multiple-answers
question per row; a highlight item becomes a multiple-answers question whose options are its parts (the passage,
its parts in brackets, or the table is in the question); the report says what Canvas's scoring changes.

Options are written in the course's display order (:mod:`her2course.quiz.shuffle`; the quiz does not shuffle
them again), highlight parts in reading order, matrix columns in their logical order. A trend item's data table
follows its stem (a Markdown table for text2qti, HTML in the hand-built items).

No script comes from the data: text2qti's Markdown passes raw HTML through, so every ``<`` of the bank text is
escaped before text2qti reads it (it shows as text, as in the book), and every HTML field of the finished
package, text2qti's and ours, goes through the course's sanitiser (:func:`her2course.quiz.markup.clean`), which
also drops ``javascript:`` links that Markdown would write.

The bytes depend only on the assignment: text2qti's identifiers are content hashes, its manifest date is removed,
and the zip is written with fixed dates and order.
"""

from __future__ import annotations

import hashlib
import html
import re
import string
import xml.etree.ElementTree as ET
from pathlib import Path

from ..quiz.markup import table_markdown
from ..quiz.schema import (
    BLANK,
    Bowtie,
    Cloze,
    DropdownRationale,
    Highlight,
    Item,
    Matrix,
    MatrixMulti,
    Numeric,
    Ordered,
    Sata,
    Single,
    cell_text,
)
from ..quiz.shuffle import display_order, shuffled
from .common import (
    ExportReport,
    block,
    highlight_html,
    inline_keep,
    number,
    one_line,
    plain,
    progress,
    question_html,
    rationale_list,
    sanitize,
    write_zip,
)
from .selection import Assignment, Entry

QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TEXT2QTI_TYPES = ("single", "sata", "numeric")
MATRIX_MULTI_NOTE = ("exported as {parts} consecutive multiple-answers questions, one per row, each worth its number "
                     "of right columns; choose 'Partial credit with penalty' in New Quizzes for the course's +/- rule "
                     "row by row")
HIGHLIGHT_NOTE = ("Canvas has no highlight question: exported as a multiple-answers question with the passage's parts "
                  "(or the table's rows) as options, in reading order; choose 'Partial credit with penalty' in New "
                  "Quizzes for the course's +/- rule")
RATIONALE_NOTE = ("exported as a multiple-dropdowns question; Canvas scores each drop-down on its own, whereas the "
                  "course uses NCSBN's rationale scoring (claim and reason must both be right for a point)")
BOWTIE_NOTE = ("exported as {parts} consecutive questions, one per group, each worth its number of choices. "
               "Canvas cannot require exactly N choices and scores a multiple-answer part with its own rule (New "
               "Quizzes' 'Partial credit with penalty': +1/N of the part per right choice, the same taken off per "
               "wrong one, never below 0): all right scores full marks and ticking every box scores 0, as in the "
               "course, but a part with one right and one wrong choice scores 0 where the course gives 1 point")


def _q(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


def _sub(parent: ET.Element, tag: str, attrib: dict[str, str] | None = None, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, _q(tag), attrib or {})
    if text is not None:
        el.text = text
    return el


def _ident(*parts: str) -> str:
    return "her2_" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]


def _num_ident(*parts: str) -> str:
    return str(int(hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:8], 16))


# ------------------------------------------------------------------------------------------- text2qti source

def _t2q_escape(text: str) -> str:
    """Bank text as text2qti's Markdown must read it: no raw HTML (its Markdown would pass tags through; the course
    shows them as text; entity references such as ``&lt;`` keep their meaning), no $...$ read as LaTeX."""
    return text.replace("<", "&lt;").replace("\\", "\\\\").replace("$", "\\$")


def _field(marker: str, text: str) -> str:
    width = len(marker) + 1
    lines = _t2q_escape(text.strip()).split("\n")
    out = [f"{marker} {lines[0]}"]
    out += [(" " * width + ln) if ln.strip() else "" for ln in lines[1:]]
    return "\n".join(out)


def stem_source(item: Item) -> str:
    """The stem for text2qti's Markdown, with a trend item's data as a Markdown table after it."""
    if item.data is None:
        return item.stem
    d = item.data
    return f"{item.stem}\n\n" + table_markdown(d.caption, list(d.columns), [[cell_text(c) for c in r] for r in d.rows])


def _numeric_prompt(item: Numeric) -> str:
    unit = item.answer.unit
    hint = f"Type the number only, in {unit}." if unit else "Type the number only."
    return f"{stem_source(item)}\n\n{item.answer.rounding} {hint}"


def _numeric_feedback(item: Numeric) -> str:
    parts = [item.explanation, f"Worked solution: {item.rationale}"]
    for d in item.distractors:
        parts.append(f"If you answered {number(d.value)}: {d.rationale}")
    return "\n\n".join(parts)


def _choices(lines: list[str], options, single: bool) -> None:
    """options: (text, correct, rationale) in the order to show."""
    for letter, (text, right, why) in zip(string.ascii_lowercase, options, strict=False):
        marker = (f"*{letter})" if right else f"{letter})") if single else ("[*]" if right else "[ ]")
        lines.append(_field(marker, text))
        lines.append(_field("...", why))


def _shown(item_id: str, options, key: str = "") -> list[tuple[str, bool, str]]:
    return [(o.text, o.correct, o.rationale) for o in shuffled(item_id, options, key)]


def t2q_source(e: Entry, n: int) -> str:
    """The text2qti source of one item (single, sata or numeric)."""
    item = e.item
    lines = [f"Title: {item.id}", f"Points: {e.max}"]
    if isinstance(item, Numeric):
        lines.append(_field(f"{n}.", _numeric_prompt(item)))
        lines.append(_field("...", _numeric_feedback(item)))
        a = item.answer
        lines.append(f"=   {number(a.value)} +- {number(a.tolerance)}")
        return "\n".join(lines)
    assert isinstance(item, Single | Sata)
    lines.append(_field(f"{n}.", stem_source(item)))
    lines.append(_field("...", item.explanation))
    _choices(lines, _shown(item.id, item.options), isinstance(item, Single))
    return "\n".join(lines)


def bowtie_title(item: Bowtie, k: int) -> str:
    return f"{item.id} part {k} of {len(item.groups)}"


def bowtie_sources(e: Entry, n: int) -> list[tuple[str, str]]:
    """(title, text2qti source) of each part of a bow-tie: the scenario, then one group to choose from."""
    item = e.item
    assert isinstance(item, Bowtie)
    out = []
    for k, g in enumerate(item.groups, start=1):
        lines = [f"Title: {bowtie_title(item, k)}", f"Points: {g.choose}"]
        ask = f"{stem_source(item)}\n\nPart {k} of {len(item.groups)}. {g.label}: choose {g.choose}."
        lines.append(_field(f"{n}.", ask))
        lines.append(_field("...", item.explanation))
        _choices(lines, _shown(item.id, g.options, g.id), g.choose == 1)
        out.append((bowtie_title(item, k), "\n".join(lines)))
    return out


def row_title(item: MatrixMulti, k: int) -> str:
    return f"{item.id} row {k} of {len(item.rows)}"


def matrix_multi_sources(e: Entry, n: int) -> list[tuple[str, str]]:
    """(title, text2qti source) of each row of a multiple-response matrix: the scenario, then that row's choices."""
    item = e.item
    assert isinstance(item, MatrixMulti)
    out = []
    for k, r in enumerate(item.rows, start=1):
        lines = [f"Title: {row_title(item, k)}", f"Points: {len(r.answers)}"]
        ask = f"{stem_source(item)}\n\nRow {k} of {len(item.rows)}. {r.text}: select all that apply."
        lines.append(_field(f"{n}.", ask))
        lines.append(_field("...", f"{item.explanation}\n\n{r.text}: {r.rationale}"))
        _choices(lines, [(c.text, c.id in r.answers, r.rationale) for c in item.columns], single=False)
        out.append((row_title(item, k), "\n".join(lines)))
    return out


def _t2q_quiz(text: str):
    from text2qti.config import Config
    from text2qti.quiz import Quiz

    return Quiz(text, config=Config(), source_name="her2course")


def _t2q_check(sources: list[str], options: int) -> str | None:
    """None when text2qti accepts the item's question(s), else why not."""
    from text2qti.err import Text2qtiError

    if options > len(string.ascii_lowercase):
        return f"text2qti labels options a) to z); this item has {options} options"
    try:
        _t2q_quiz("Quiz title: check\n\n" + "\n\n".join(sources) + "\n")
    except Text2qtiError as exc:
        return f"text2qti cannot express it: {' '.join(str(exc).split())}"
    return None


# ------------------------------------------------------------------------------------- hand-built QTI items

def _metadata(item_el: ET.Element, qtype: str, points: int, answer_ids: list[str], ref: str) -> None:
    meta = _sub(_sub(item_el, "itemmetadata"), "qtimetadata")
    for label, entry in (("question_type", qtype), ("points_possible", f"{points}.0"),
                         ("original_answer_ids", ",".join(answer_ids)),
                         ("assessment_question_identifierref", ref)):
        f = _sub(meta, "qtimetadatafield")
        _sub(f, "fieldlabel", text=label)
        _sub(f, "fieldentry", text=entry)


def _material(parent: ET.Element, text: str, html: bool = True) -> None:
    _sub(_sub(parent, "material"), "mattext", {"texttype": "text/html" if html else "text/plain"}, text)


def _feedback(item_el: ET.Element, ident: str, html_text: str) -> None:
    fb = _sub(item_el, "itemfeedback", {"ident": ident})
    _material(_sub(fb, "flow_mat"), html_text)


def _condition(res: ET.Element, respident: str, value: str, *, add: str | None = None,
               feedback: str | None = None) -> None:
    cond = _sub(res, "respcondition", {"continue": "Yes" if add is None else "No"})
    _sub(_sub(cond, "conditionvar"), "varequal", {"respident": respident}, value)
    if add is not None:
        _sub(cond, "setvar", {"action": "Add", "varname": "SCORE"}, add)
    if feedback is not None:
        _sub(cond, "displayfeedback", {"feedbacktype": "Response", "linkrefid": feedback})


def _resprocessing(item_el: ET.Element) -> ET.Element:
    res = _sub(item_el, "resprocessing")
    _sub(_sub(res, "outcomes"), "decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE",
                                           "vartype": "Decimal"})
    general = _sub(res, "respcondition", {"continue": "Yes"})
    _sub(_sub(general, "conditionvar"), "other")
    _sub(general, "displayfeedback", {"feedbacktype": "Response", "linkrefid": "general_fb"})
    return res


def _share(n: int) -> str:
    return f"{100 / n:.2f}"


def _matching(e: Entry, stem_html: str, rows: list[tuple[str, str, str]], columns: list[tuple[str, str]],
              general_html: str) -> ET.Element:
    """rows: (key, left text, key of the right column); columns: (key, text)."""
    item = e.item
    ref = _ident("question", item.id)
    el = ET.Element(_q("item"), {"ident": _ident("item", item.id), "title": item.id})
    col_ids = {key: _num_ident(item.id, "column", key) for key, _ in columns}
    row_ids = {key: _num_ident(item.id, "row", key) for key, _, _ in rows}
    _metadata(el, "matching_question", e.max, [row_ids[k] for k, _, _ in rows], ref)
    pres = _sub(el, "presentation")
    _material(pres, stem_html)
    for key, text, _ in rows:
        lid = _sub(pres, "response_lid", {"ident": f"response_{row_ids[key]}"})
        _material(lid, text, html=False)
        choice = _sub(lid, "render_choice")
        for ckey, ctext in columns:
            label = _sub(choice, "response_label", {"ident": col_ids[ckey]})
            _material(label, ctext, html=False)
    res = _resprocessing(el)
    for key, _, answer in rows:
        _condition(res, f"response_{row_ids[key]}", col_ids[answer], add=_share(len(rows)))
    _feedback(el, "general_fb", general_html)
    return el


def _matrix_item(e: Entry) -> ET.Element:
    item = e.item
    assert isinstance(item, Matrix)
    general = block(item.explanation) + rationale_list([(r.text, r.rationale) for r in item.rows])
    return _matching(e, question_html(item), [(r.id, plain(r.text), r.answer) for r in item.rows],
                     [(c.id, plain(c.text)) for c in item.columns], general)


def position_label(i: int, n: int) -> str:
    return f"Position {i}" + (" (first)" if i == 1 else " (last)" if i == n else "")


def _ordered_item(e: Entry) -> ET.Element:
    item = e.item
    assert isinstance(item, Ordered)
    steps = {o.id: o for o in item.options}
    n = len(item.options)
    correct_pos = {o.id: str(i) for i, o in enumerate(item.options, start=1)}
    stem = question_html(item) + "<p>Give each step its position in the sequence.</p>"
    general = block(item.explanation) + rationale_list([(o.text, o.rationale) for o in item.options], ordered=True)
    rows = [(sid, plain(steps[sid].text), correct_pos[sid]) for sid in display_order(item)]
    columns = [(str(i), position_label(i, n)) for i in range(1, n + 1)]
    return _matching(e, stem, rows, columns, general)


def blank_var(blank_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", blank_id)


def _cloze_item(e: Entry) -> ET.Element:
    item = e.item
    assert isinstance(item, Cloze | DropdownRationale)
    ref = _ident("question", item.id)
    el = ET.Element(_q("item"), {"ident": _ident("item", item.id), "title": item.id})
    label_ids = {o.id: _num_ident(item.id, "option", o.id) for b in item.blanks for o in b.options}
    _metadata(el, "multiple_dropdowns_question", e.max, list(label_ids.values()), ref)
    text_html = ""
    pos = 0
    for m in BLANK.finditer(item.text):
        text_html += inline_keep(item.text[pos:m.start()]) + f"[{blank_var(m.group(1))}]"
        pos = m.end()
    text_html += inline_keep(item.text[pos:])
    pres = _sub(el, "presentation")
    _material(pres, question_html(item) + f"<p>{' '.join(text_html.split())}</p>")
    for b in item.blanks:
        lid = _sub(pres, "response_lid", {"ident": f"response_{blank_var(b.id)}"})
        _material(lid, blank_var(b.id), html=False)
        choice = _sub(lid, "render_choice")
        for o in shuffled(item.id, b.options, b.id):
            _material(_sub(choice, "response_label", {"ident": label_ids[o.id]}), plain(o.text), html=False)
    res = _resprocessing(el)
    for b in item.blanks:
        for o in b.options:
            _condition(res, f"response_{blank_var(b.id)}", label_ids[o.id], feedback=f"{label_ids[o.id]}_fb")
    for b in item.blanks:
        right = next(o for o in b.options if o.correct)
        _condition(res, f"response_{blank_var(b.id)}", label_ids[right.id], add=_share(len(item.blanks)))
    _feedback(el, "general_fb", block(item.explanation))
    for b in item.blanks:
        for o in b.options:
            _feedback(el, f"{label_ids[o.id]}_fb", block(o.rationale))
    return el


HAND_BUILT = {"matrix": _matrix_item, "cloze": _cloze_item, "ordered": _ordered_item,
              "dropdown_rationale": _cloze_item}
def highlight_source(e: Entry, n: int) -> str:
    """The text2qti source of a highlight item: a multiple-answers question whose options are its parts."""
    item = e.item
    assert isinstance(item, Highlight)
    lines = [f"Title: {item.id}", f"Points: {e.max}", _field(f"{n}.", stem_source(item)),
             _field("...", item.explanation)]
    _choices(lines, [(text, correct, why) for _, text, correct, why in item.parts()], single=False)
    return "\n".join(lines)


NOTES = {
    "highlight": HIGHLIGHT_NOTE,
    "dropdown_rationale": RATIONALE_NOTE,
    "sata": ("Canvas scores multiple-answer questions with its own partial-credit rule; in New Quizzes choose "
             "'Partial credit with penalty', which is the course's +/- rule"),
    "ordered": ("exported as a matching question (each step -> its position); Canvas gives partial credit per "
                "position, the course scores all-or-nothing"),
}


def _numeric_note(item: Numeric) -> str | None:
    parts = []
    if item.answer.unit:
        parts.append(f"Canvas takes no unit: the question asks for the number only, in {item.answer.unit}")
    if item.distractors:
        parts.append("the feedback on common wrong results is in the general feedback")
    return "; ".join(parts) or None


# ---------------------------------------------------------------------------------------------- the package

def _sanitize_html(root: ET.Element) -> None:
    """Every HTML field of the package through the course's sanitiser (text2qti's Markdown output included)."""
    for el in root.iter(_q("mattext")):
        if el.get("texttype") == "text/html" and el.text:
            el.text = sanitize(el.text)


def export(assignment: Assignment, out: Path, quiet: bool = False) -> ExportReport:
    from text2qti.qti import QTI

    report = ExportReport("canvas", assignment.id)
    t2q_parts: list[str] = []
    hand: dict[str, ET.Element] = {}
    extra_html: dict[str, str] = {}  # HTML to add after a text2qti question's text (a highlight's passage or table)
    order: list[str] = []  # question titles, in the assignment's order
    points = 0
    for n, e in enumerate(progress(assignment.entries, "canvas", quiet), start=1):
        item = e.item
        if isinstance(item, Bowtie | MatrixMulti):
            parts = bowtie_sources(e, n) if isinstance(item, Bowtie) else matrix_multi_sources(e, n)
            widest = (max(len(g.options) for g in item.groups) if isinstance(item, Bowtie) else len(item.columns))
            problem = _t2q_check([src for _, src in parts], widest)
            if problem:
                report.skipped[item.id] = problem
                continue
            t2q_parts += [src for _, src in parts]
            order += [title for title, _ in parts]
        elif isinstance(item, Highlight):
            source = highlight_source(e, n)
            problem = _t2q_check([source], len(item.parts()))
            if problem:
                report.skipped[item.id] = problem
                continue
            t2q_parts.append(source)
            order.append(item.id)
            extra_html[item.id] = highlight_html(item)
        elif item.type in TEXT2QTI_TYPES:
            source = t2q_source(e, n)
            problem = _t2q_check([source], len(item.options) if isinstance(item, Single | Sata) else 0)
            if problem:
                report.skipped[item.id] = problem
                continue
            t2q_parts.append(source)
            order.append(item.id)
        else:
            hand[item.id] = HAND_BUILT[item.type](e)
            order.append(item.id)
        report.exported.append(item.id)
        points += e.max
        note = (_numeric_note(item) if isinstance(item, Numeric) else
                BOWTIE_NOTE.format(parts=len(item.groups)) if isinstance(item, Bowtie) else
                MATRIX_MULTI_NOTE.format(parts=len(item.rows)) if isinstance(item, MatrixMulti) else
                NOTES.get(item.type))
        if note:
            report.notes[item.id] = note
    if not order:
        raise ValueError("none of the selected items can be exported to Canvas")
    placeholder = not t2q_parts
    if placeholder:  # text2qti needs one question to write the package; it is dropped below
        t2q_parts.append("Title: placeholder\n1.  placeholder\n*a) yes\nb)  no")
    header = (f"Quiz title: {one_line(assignment.title)}\n"
              f"Quiz description: Assignment {assignment.id} ({len(report.exported)} questions). "
              f"Hand in your answers in Canvas.\n"
              "Shuffle answers: false\n")
    quiz = _t2q_quiz(header + "\n\n" + "\n\n".join(t2q_parts) + "\n")
    qti = QTI(quiz)

    ET.register_namespace("xsi", XSI)
    root = ET.fromstring(qti.assessment.encode("utf-8"))
    section = root.find(f".//{_q('section')}[@ident='root_section']")
    assert section is not None
    by_title = {el.get("title"): el for el in section.findall(_q("item"))}
    for el in list(section):
        section.remove(el)
    for title in order:
        item_el = hand.get(title) if title in hand else by_title[title]
        if title in extra_html:
            text = item_el.find(f"{_q('presentation')}/{_q('material')}/{_q('mattext')}")
            assert text is not None
            text.text = (text.text or "") + extra_html[title]
        section.append(item_el)
    _sanitize_html(root)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    body = re.sub(r"(</?)ns0:", r"\1", body).replace("xmlns:ns0=", "xmlns=", 1)
    assessment_xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"

    manifest = re.sub(r"\s*<imsmd:lifeCycle>.*?</imsmd:lifeCycle>", "", qti.imsmanifest_xml, flags=re.S)
    manifest = manifest.replace("QTI assessment generated by text2qti",
                                html.escape(f"{one_line(assignment.title)} ({assignment.id})"))
    meta = re.sub(r"<points_possible>[^<]*</points_possible>", f"<points_possible>{points}.0</points_possible>",
                  qti.assessment_meta)
    ident = qti.assessment_identifier
    write_zip(out, [
        ("imsmanifest.xml", manifest.encode("utf-8")),
        ("non_cc_assessments/", b""),
        (f"{ident}/assessment_meta.xml", meta.encode("utf-8")),
        (f"{ident}/{ident}.xml", assessment_xml.encode("utf-8")),
    ])
    report.outputs.append(out)
    return report
