"""Moodle XML: one category named after the assignment, then one question per item.

- single -> multichoice (single), 100 % for the answer, each option's rationale as its feedback;
- sata -> multichoice (multiple): each correct option +100/C %, each wrong one -100/C % (C = number correct);
  Moodle adds the fractions of the ticked options and clamps the total to 0..100 %, which is exactly the
  course's +/- rule (score = right - wrong, never below 0, out of C);
- numeric -> numerical: the answer with its tolerance, the unit and its aliases (multiplier 1, unit optional,
  as in the course), each recognised wrong result as a 0 % answer with its rationale;
- matrix -> matching (each row a sub-question, answers the column labels; unused columns as extra answers);
- cloze -> multianswer (Moodle "Embedded answers (Cloze)"), one MULTICHOICE drop-down per blank with feedback;
- ordered -> ordering (core question type since Moodle 4.4; a plugin before), all-or-nothing as in the course;
- bowtie -> skipped: no Moodle type asks for exactly N choices in each of three groups.

Each question's grade (defaultgrade) is the item's maximum score in the course, so totals match.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path

from ..quiz.schema import BLANK, CJMM_LABELS, Bowtie, Cloze, Matrix, Numeric, Ordered, Sata, Single
from .common import ExportReport, block, inline, inline_keep, number, plain, progress
from .selection import Assignment, Entry

# The grades Moodle accepts for an answer (question/format.php and question/type/questiontypebase.php), in %.
VALID_FRACTIONS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571,
                   12.5, 11.11111, 10, 5, 0)
BOWTIE_REASON = ("a bow-tie asks for exactly N choices in each of three groups; no Moodle question type enforces "
                 "that, so its scoring cannot be kept (use the paper or notebook export)")


def fraction(value: float) -> str | None:
    """A percentage as Moodle writes it ('33.33333', '-50'), or None if Moodle would round it to another grade."""
    for v in VALID_FRACTIONS:
        if abs(abs(value) - v) < 1e-4:
            text = f"{v:.5f}".rstrip("0").rstrip(".")
            return ("-" + text) if value < 0 and v else text
    return None


def _text(parent: ET.Element, tag: str, value: str, fmt: str | None = "html", attrib: dict | None = None
          ) -> ET.Element:
    el = ET.SubElement(parent, tag, dict(attrib or {}, **({"format": fmt} if fmt else {})))
    ET.SubElement(el, "text").text = value
    return el


def _simple(parent: ET.Element, tag: str, value: str) -> None:
    ET.SubElement(parent, tag).text = value


def _question(quiz: ET.Element, qtype: str, e: Entry, question_html: str, general_html: str) -> ET.Element:
    item = e.item
    q = ET.SubElement(quiz, "question", {"type": qtype})
    _text(q, "name", item.id, fmt=None)
    _text(q, "questiontext", question_html)
    _text(q, "generalfeedback", general_html)
    _simple(q, "defaultgrade", str(e.max))
    _simple(q, "penalty", "0")
    _simple(q, "hidden", "0")
    _simple(q, "idnumber", item.id)
    return q


def _tags(q: ET.Element, e: Entry) -> None:
    tags = ET.SubElement(q, "tags")
    values = [e.chapter, e.item.learning_outcome, CJMM_LABELS[e.item.cjmm_step], e.item.difficulty, e.item.type,
              *e.item.tags]
    for v in dict.fromkeys(values):
        _text(tags, "tag", v, fmt=None)


def _answer(q: ET.Element, frac: str, text_html: str, feedback_html: str, fmt: str = "html") -> ET.Element:
    a = ET.SubElement(q, "answer", {"fraction": frac, "format": fmt})
    ET.SubElement(a, "text").text = text_html
    _text(a, "feedback", feedback_html)
    return a


def _multichoice(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Single | Sata)
    if isinstance(item, Sata):
        c = sum(o.correct for o in item.options)
        right, wrong = fraction(100 / c), fraction(-100 / c)
        if right is None or wrong is None:
            return (f"{c} correct options: Moodle accepts only set grades per answer, and 100/{c} % is not one, "
                    "so the +/- scoring cannot be kept")
    q = _question(quiz, "multichoice", e, block(item.stem), block(item.explanation))
    _simple(q, "single", "true" if isinstance(item, Single) else "false")
    _simple(q, "shuffleanswers", "true")
    _simple(q, "answernumbering", "abc")
    _simple(q, "showstandardinstruction", "1")
    for o in item.options:
        frac = ("100" if o.correct else "0") if isinstance(item, Single) else (right if o.correct else wrong)
        _answer(q, frac, inline(o.text), block(o.rationale))
    _tags(q, e)
    return None


def _numerical(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Numeric)
    a = item.answer
    stem = block(item.stem) + f"<p>{html.escape(a.rounding)}</p>"
    q = _question(quiz, "numerical", e, stem, block(item.explanation))
    ans = _answer(q, "100", number(a.value), block(item.rationale), fmt="moodle_auto_format")
    _simple(ans, "tolerance", number(a.tolerance))
    for d in item.distractors:
        wrong = _answer(q, "0", number(d.value), block(d.rationale), fmt="moodle_auto_format")
        _simple(wrong, "tolerance", number(a.tolerance))
    if a.unit:
        units = ET.SubElement(q, "units")
        for name in dict.fromkeys([a.unit, *a.unit_aliases]):
            u = ET.SubElement(units, "unit")
            _simple(u, "multiplier", "1")
            _simple(u, "unit_name", name)
        _simple(q, "unitgradingtype", "0")   # units optional: a number alone is graded as in the course
        _simple(q, "unitpenalty", "0")
        _simple(q, "showunits", "0")         # a text box where the unit may be typed
        _simple(q, "unitsleft", "0")
    else:
        _simple(q, "unitgradingtype", "0")
        _simple(q, "unitpenalty", "0")
        _simple(q, "showunits", "3")         # no units
        _simple(q, "unitsleft", "0")
    _tags(q, e)
    return None


def _matching(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Matrix)
    columns = {c.id: plain(c.text) for c in item.columns}
    general = block(item.explanation) + "<ul>" + "".join(
        f"<li><strong>{inline(r.text)}</strong>: {inline(r.rationale)}</li>" for r in item.rows) + "</ul>"
    q = _question(quiz, "matching", e, block(item.stem), general)
    _simple(q, "shuffleanswers", "true")
    for r in item.rows:
        sub = _text(q, "subquestion", inline(r.text))
        _text(sub, "answer", columns[r.answer], fmt=None)
    used = {r.answer for r in item.rows}
    for c in item.columns:
        if c.id not in used:
            sub = _text(q, "subquestion", "")
            _text(sub, "answer", columns[c.id], fmt=None)
    _tags(q, e)
    return None


def cloze_escape(text: str) -> str:
    """Moodle Cloze: a backslash before } # ~ / " \\ inside an answer or its feedback."""
    out = ""
    for ch in text:
        out += "\\" + ch if ch in '}#~/"\\' else ch
    return out


def _cloze(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Cloze)
    blanks = {b.id: b for b in item.blanks}
    body = ""
    pos = 0
    for m in BLANK.finditer(item.text):
        body += inline_keep(item.text[pos:m.start()])
        options = []
        for o in blanks[m.group(1)].options:
            mark = "=" if o.correct else ""
            options.append(f"{mark}{cloze_escape(html.escape(plain(o.text), quote=False))}"
                           f"#{cloze_escape(html.escape(plain(o.rationale), quote=False))}")
        body += "{1:MULTICHOICE:" + "~".join(options) + "}"
        pos = m.end()
    body += inline_keep(item.text[pos:])
    q = _question(quiz, "cloze", e, block(item.stem) + f"<p>{' '.join(body.split())}</p>", block(item.explanation))
    _tags(q, e)
    return None


def _ordering(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Ordered)
    general = block(item.explanation) + "<ol>" + "".join(
        f"<li>{inline(o.text)}: {inline(o.rationale)}</li>" for o in item.options) + "</ol>"
    q = _question(quiz, "ordering", e, block(item.stem), general)
    for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"), ("selectcount", "0"),
                       ("gradingtype", "ALL_OR_NOTHING"), ("showgrading", "SHOW"), ("numberingstyle", "none")):
        _simple(q, tag, value)
    for i, o in enumerate(item.options, start=1):  # written in the correct order; fraction = position
        a = ET.SubElement(q, "answer", {"fraction": f"{i}.0000000", "format": "html"})
        ET.SubElement(a, "text").text = inline(o.text)
    _tags(q, e)
    return None


WRITERS = {"single": _multichoice, "sata": _multichoice, "numeric": _numerical, "matrix": _matching,
           "cloze": _cloze, "ordered": _ordering}
NOTES = {"ordered": "exported as an Ordering question: a core type since Moodle 4.4 (install qtype_ordering on "
                    "older sites)"}


def export(assignment: Assignment, out: Path, quiet: bool = False) -> ExportReport:
    report = ExportReport("moodle-xml", assignment.id)
    quiz = ET.Element("quiz")
    quiz.append(ET.Comment(f" Assignment {assignment.id} (seed {assignment.seed}): {assignment.title} "))
    cat = ET.SubElement(quiz, "question", {"type": "category"})
    _text(cat, "category", f"$course$/top/HER2 course/{assignment.id}", fmt=None)
    _text(cat, "info", f"<p>{html.escape(assignment.title)}: assignment {assignment.id}</p>")
    _simple(cat, "idnumber", assignment.id)
    for e in progress(assignment.entries, "moodle-xml", quiet):
        if isinstance(e.item, Bowtie):
            report.skipped[e.id] = BOWTIE_REASON
            continue
        problem = WRITERS[e.item.type](quiz, e)
        if problem:
            report.skipped[e.id] = problem
            continue
        report.exported.append(e.id)
        if e.item.type in NOTES:
            report.notes[e.id] = NOTES[e.item.type]
    if not report.exported:
        raise ValueError("none of the selected items can be exported to Moodle XML")
    ET.indent(quiz, space="  ")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8",
                                                                           xml_declaration=False) + b"\n")
    report.outputs.append(out)
    return report
