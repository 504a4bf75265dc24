"""Moodle XML: one category named after the assignment, then one question per item. Every item type is exported.

- single -> multichoice (single), 100 % for the answer, each option's rationale as its feedback;
- sata -> multichoice (multiple): each correct option +100/C %, each wrong one -100/C % (C = number correct);
  Moodle adds the fractions of the ticked options and clamps the total to 0..100 %, which is exactly the
  course's +/- rule (score = right - wrong, never below 0, out of C);
- numeric -> numerical: the answer with its tolerance, each recognised wrong result as a 0 % answer with its
  rationale. With a unit, the unit is graded (see UNIT_NOTE): the unit, its aliases and their usual capitalisations
  score, any other unit scores 0; the question asks for the number followed by its unit;
- matrix -> matching (each row a sub-question, answers the column labels; unused columns as extra answers);
- cloze -> multianswer (Moodle "Embedded answers (Cloze)"), one shuffled drop-down per blank with feedback;
- ordered -> ordering (core question type since Moodle 4.4; a plugin before), all-or-nothing as in the course;
- bowtie -> multianswer: each group an embedded sub-question worth its number of choices (see BOWTIE_NOTE);
- highlight -> multichoice (multiple): Moodle has no highlighting, so the passage (its parts in brackets) or the
  table is in the question and the parts are the options, in reading order, with the sata fractions (+/- exactly);
- matrix_multi -> multianswer, one check-box sub-question per row worth its number of right columns, each right
  box +100/C % and each wrong one -100/C %: Moodle clamps each part to 0..100 %, which is the course's +/- rule row
  by row;
- dropdown_rationale -> multianswer, one drop-down per blank; Moodle scores each drop-down alone, not NCSBN's
  pairs (see RATIONALE_NOTE).

Options are written in the course's display order (:mod:`her2course.quiz.shuffle`); Moodle shuffles multiple
choice (shuffleanswers) and the *_S Cloze parts again for each attempt, as it does for every question. A trend
item's data table follows its stem.

Each question's grade (defaultgrade) is the item's maximum score in the course, so totals match. Text fields are
the course's sanitised HTML (:mod:`her2course.quiz.markup`); plain-text fields are HTML-escaped, since Moodle reads
them as HTML.
"""

from __future__ import annotations

import html
import xml.etree.ElementTree as ET
from pathlib import Path

from ..quiz.schema import (
    BLANK,
    CJMM_LABELS,
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
)
from ..quiz.shuffle import shuffled
from .common import (
    ExportReport,
    block,
    highlight_html,
    inline,
    inline_keep,
    number,
    plain_html,
    progress,
    question_html,
    rationale_list,
)
from .selection import Assignment, Entry

# What Moodle's database holds (install.xml): a longer value stops the whole import with a database error.
UNIT_LENGTH = 50       # question_numerical_units.unit
CHOICE_LENGTH = 255    # qtype_match_subquestions.answertext

# The grades Moodle accepts for an answer (question/format.php and question/type/questiontypebase.php), in %.
VALID_FRACTIONS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667, 14.28571,
                   12.5, 11.11111, 10, 5, 0)

UNIT_NOTE = ("the unit is graded in Moodle: '{value} {unit}' (or an alias) scores, a wrong unit scores 0 (the "
             "course calls it invalid and asks again), and a number typed without its unit also scores 0 (the "
             "course accepts it); the question asks for the number followed by the unit")
NO_UNIT_NOTE = ("number only: Moodle's interactive mode asks a learner to remove a typed unit, as the course does, "
                "but its end-of-attempt grading (deferred feedback) grades the number and ignores the unit")
BOWTIE_NOTE = ("exported as a Cloze question, one embedded part per group, each worth its number of choices: the "
               "condition as radio buttons (exactly as the course), actions and parameters as check boxes, +1/N of "
               "the part for each right box and -1/W for each wrong one (W = wrong boxes), never below 0. Moodle "
               "cannot require exactly N ticks: all right scores full marks and ticking every box scores 0, as in "
               "the course, but a part with one right and one wrong tick scores less than the course's one point")
RATIONALE_NOTE = ("exported as a Cloze question, one drop-down per blank: the claim carries no mark and each reason "
                  "one mark, scored on its own, so the question's mark is the course's ({n_reasons}); the course uses "
                  "NCSBN's rationale scoring ({rule}), so a right reason after a wrong claim earns Moodle credit "
                  "that the course does not give")
RATIONALE_RULES = {2: "one point only when both are right", 3: "one point for claim and first reason right, one "
                   "for claim and second reason right"}
HIGHLIGHT_NOTE = ("Moodle has no highlight question: exported as a multiple-response question with the passage's "
                  "parts (or the table's rows) as its options, in reading order, scored +/- as in the course")
ORDERING_NOTE = ("exported as an Ordering question, all-or-nothing as in the course: a core type since Moodle 4.4 "
                 "(install qtype_ordering on older sites)")


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
        _text(tags, "tag", html.escape(v, quote=False), fmt=None)


def _answer(q: ET.Element, frac: str, text_html: str, feedback_html: str, fmt: str = "html") -> ET.Element:
    a = ET.SubElement(q, "answer", {"fraction": frac, "format": fmt})
    ET.SubElement(a, "text").text = text_html
    _text(a, "feedback", feedback_html)
    return a


def _multichoice(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Single | Sata | Highlight)
    if isinstance(item, Highlight):  # the parts, in reading order, as the options of a multiple-response question
        options = [(text, correct, why) for _, text, correct, why in item.parts()]
        text_html = question_html(item) + highlight_html(item)
    else:
        options = [(o.text, o.correct, o.rationale) for o in shuffled(item.id, item.options)]
        text_html = question_html(item)
    single = isinstance(item, Single)
    if not single:
        c = sum(correct for _, correct, _ in options)
        right, wrong = fraction(100 / c), fraction(-100 / c)
        if right is None or wrong is None:
            return (f"{c} correct options: Moodle accepts only set grades per answer, and 100/{c} % is not one, "
                    "so the +/- scoring cannot be kept")
    q = _question(quiz, "multichoice", e, text_html, block(item.explanation))
    _simple(q, "single", "true" if single else "false")
    _simple(q, "shuffleanswers", "false" if isinstance(item, Highlight) else "true")
    _simple(q, "answernumbering", "none" if isinstance(item, Highlight) else "abc")
    _simple(q, "showstandardinstruction", "1")
    for text, correct, why in options:
        frac = ("100" if correct else "0") if single else (right if correct else wrong)
        _answer(q, frac, inline(text), block(why))
    _tags(q, e)
    return None


def unit_spellings(unit: str, aliases: list[str]) -> list[str]:
    """Every spelling of the accepted units that Moodle should recognise, the unit itself first.

    Moodle compares a unit letter for letter after removing every space from the response, whereas the course
    ignores case and spaces: so each unit and alias comes as written, in lower case, upper case and capitalised,
    and without its spaces ('percentage points' -> 'percentagepoints').
    """
    out = [unit]
    for u in (unit, *aliases):
        for v in (u, u.lower(), u.upper(), u[:1].upper() + u[1:]):
            out.append("".join(v.split()))
    return [u for u in dict.fromkeys(out) if u]


DECIMAL_NOTE = ("Moodle reads a decimal comma ('5,4') as a thousands separator and scores it 0 (the course reads "
                "5.4), so the question asks for a decimal point")


def decimal_hint(value: float) -> str:
    """The sentence asking for a decimal point, where the answer has decimals."""
    return "" if float(value).is_integer() else " Use a point for decimals."


def _numerical(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Numeric)
    a = item.answer
    how = (f"Type the number followed by its unit ({html.escape(a.unit, quote=False)})." if a.unit
           else "Type the number only.")
    stem = question_html(item) + f"<p>{html.escape(a.rounding, quote=False)} {how}{decimal_hint(a.value)}</p>"
    units = [html.escape(u, quote=False) for u in unit_spellings(a.unit, a.unit_aliases)] if a.unit else []
    if units and len(units[0]) > UNIT_LENGTH:
        return f"its unit is longer than the {UNIT_LENGTH} characters Moodle stores for a unit"
    q = _question(quiz, "numerical", e, stem, block(item.explanation))
    ans = _answer(q, "100", number(a.value), block(item.rationale), fmt="moodle_auto_format")
    _simple(ans, "tolerance", number(a.tolerance))
    for d in item.distractors:
        wrong = _answer(q, "0", number(d.value), block(d.rationale), fmt="moodle_auto_format")
        _simple(wrong, "tolerance", number(a.tolerance))
    if a.unit:
        listed = ET.SubElement(q, "units")
        for name in (u for u in units if len(u) <= UNIT_LENGTH):   # an alias too long to store is left out
            u = ET.SubElement(listed, "unit")
            _simple(u, "multiplier", "1")
            _simple(u, "unit_name", name)
        _simple(q, "unitgradingtype", "1")   # the unit is graded: a penalty, as a fraction of the mark ...
        _simple(q, "unitpenalty", "1")       # ... of all of it, so a wrong (or missing) unit scores 0
        _simple(q, "showunits", "0")         # typed in the answer box, after the number
    else:
        _simple(q, "unitgradingtype", "0")
        _simple(q, "unitpenalty", "0")
        _simple(q, "showunits", "3")         # no units: a unit typed is flagged as invalid
    _simple(q, "unitsleft", "0")
    _tags(q, e)
    return None


def _matching(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Matrix)
    columns = {c.id: plain_html(c.text) for c in item.columns}
    if any(len(text) > CHOICE_LENGTH for text in columns.values()):
        return f"a column is longer than the {CHOICE_LENGTH} characters Moodle stores for a matching answer"
    general = block(item.explanation) + rationale_list([(r.text, r.rationale) for r in item.rows])
    q = _question(quiz, "matching", e, question_html(item), general)
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


# Moodle's Cloze reader (question/type/multianswer/questiontype.php) ends an answer at the first ~ # or } and a
# feedback at the first ~ or } (a backslash before them is kept in the text), then decodes HTML entities once and
# turns \} and \# back into } and #. So each answer and feedback is written with its HTML escaped once more (the
# decoding gives the HTML back) and ~ # { } \ as numeric character references, which end nothing and decode to
# the character: no backslash is ever shown to a learner.
_CLOZE_REFS = str.maketrans({"&": "&amp;", "~": "&#126;", "#": "&#35;", "{": "&#123;", "}": "&#125;",
                             "\\": "&#92;"})


def cloze_escape(html_text: str) -> str:
    """An answer's or feedback's HTML as Moodle's Cloze syntax needs it (it decodes back to ``html_text``)."""
    return html_text.translate(_CLOZE_REFS)


def cloze_text(html_text: str) -> str:
    """HTML around the embedded answers: a '{' becomes a reference, so no text can start a sub-question."""
    return html_text.replace("{", "&#123;")


def cloze_part(kind: str, weight: int, answers: list[tuple[str, str, str]]) -> str:
    """One embedded sub-question: ``{weight:KIND:...}`` from (grade mark: '=', '' or '%50%', text html, feedback)."""
    alts = [f"{mark}{cloze_escape(text)}#{cloze_escape(fb)}" for mark, text, fb in answers]
    return "{" + f"{weight}:{kind}:" + "~".join(alts) + "}"


def _cloze(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Cloze | DropdownRationale)
    blanks = {b.id: b for b in item.blanks}
    body = ""
    pos = 0
    for m in BLANK.finditer(item.text):
        body += cloze_text(inline_keep(item.text[pos:m.start()]))
        answers = [("=" if o.correct else "", plain_html(o.text), inline(o.rationale))
                   for o in shuffled(item.id, blanks[m.group(1)].options, m.group(1))]
        # drop-down rationale: the claim (the item's first blank) carries no mark, each reason one, so Moodle's mark
        # is the course's (one point per reason); see RATIONALE_NOTE for what still differs
        weight = 0 if isinstance(item, DropdownRationale) and m.group(1) == item.blanks[0].id else 1
        body += cloze_part("MULTICHOICE_S", weight, answers)
        pos = m.end()
    body += cloze_text(inline_keep(item.text[pos:]))
    question = cloze_text(question_html(item)) + f"<p>{' '.join(body.split())}</p>"
    q = _question(quiz, "cloze", e, question, block(item.explanation))
    _tags(q, e)
    return None


def _percent(value: float) -> str:
    return "%" + f"{value:.5f}".rstrip("0").rstrip(".") + "%"


def _bowtie(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Bowtie)
    parts = [cloze_text(question_html(item))]
    for g in item.groups:
        options = shuffled(item.id, g.options, g.id)
        if g.choose == 1:
            answers = [("=" if o.correct else "", inline(o.text), inline(o.rationale)) for o in options]
            kind, how = "MULTICHOICE_VS", "choose 1"
        else:
            n_wrong = sum(not o.correct for o in g.options)
            answers = [(_percent(100 / g.choose) if o.correct else _percent(-100 / n_wrong), inline(o.text),
                        inline(o.rationale)) for o in options]
            kind, how = "MULTIRESPONSE_S", f"choose {g.choose}"
        parts.append(f"<p><strong>{cloze_text(inline(g.label))}</strong> ({how}):</p>"
                     f"{cloze_part(kind, g.choose, answers)}")
    q = _question(quiz, "cloze", e, "".join(parts), block(item.explanation))
    _tags(q, e)
    return None


def _ordering(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, Ordered)
    general = block(item.explanation) + rationale_list([(o.text, o.rationale) for o in item.options], ordered=True)
    q = _question(quiz, "ordering", e, question_html(item), general)
    for tag, value in (("layouttype", "VERTICAL"), ("selecttype", "ALL"), ("selectcount", "0"),
                       ("gradingtype", "ALL_OR_NOTHING"), ("showgrading", "SHOW"), ("numberingstyle", "none"),
                       # Without it Moodle's ordering importer adds hints with no format, which PostgreSQL refuses.
                       ("shownumcorrect", "1")):
        _simple(q, tag, value)
    for i, o in enumerate(item.options, start=1):  # written in the correct order; fraction = position
        a = ET.SubElement(q, "answer", {"fraction": f"{i}.0000000", "format": "html"})
        ET.SubElement(a, "text").text = inline(o.text)
    _tags(q, e)
    return None


def _matrix_multi(quiz: ET.Element, e: Entry) -> str | None:
    item = e.item
    assert isinstance(item, MatrixMulti)
    parts = [cloze_text(question_html(item))]
    for r in item.rows:
        c = len(r.answers)
        right, wrong = fraction(100 / c), fraction(-100 / c)
        if right is None or wrong is None:
            return (f"row '{r.id}' has {c} right columns: 100/{c} % is not a grade Moodle accepts, so the +/- "
                    "scoring cannot be kept")
        answers = [(f"%{right}%" if col.id in r.answers else f"%{wrong}%", inline(col.text), inline(r.rationale))
                   for col in item.columns]
        parts.append(f"<p><strong>{cloze_text(inline(r.text))}</strong> (select all that apply):</p>"
                     f"{cloze_part('MULTIRESPONSE', c, answers)}")
    general = block(item.explanation) + rationale_list([(r.text, r.rationale) for r in item.rows])
    q = _question(quiz, "cloze", e, "".join(parts), general)
    _tags(q, e)
    return None


WRITERS = {"single": _multichoice, "sata": _multichoice, "numeric": _numerical, "matrix": _matching,
           "cloze": _cloze, "ordered": _ordering, "bowtie": _bowtie, "highlight": _multichoice,
           "matrix_multi": _matrix_multi, "dropdown_rationale": _cloze}


def note(e: Entry) -> str | None:
    """What the report says about how Moodle grades this item, where it differs from the course or needs care."""
    item = e.item
    if isinstance(item, Numeric):
        a = item.answer
        text = UNIT_NOTE.format(value=number(a.value), unit=a.unit) if a.unit else NO_UNIT_NOTE
        return text + ("" if float(a.value).is_integer() else f"; {DECIMAL_NOTE}")
    if isinstance(item, Bowtie):
        return BOWTIE_NOTE
    if isinstance(item, Ordered):
        return ORDERING_NOTE
    if isinstance(item, Highlight):
        return HIGHLIGHT_NOTE
    if isinstance(item, DropdownRationale):
        return RATIONALE_NOTE.format(n_reasons=len(item.blanks) - 1, rule=RATIONALE_RULES[len(item.blanks)])
    return None


def comment_text(text: str) -> str:
    """Text for an XML comment: a comment cannot hold '--', so no title can close it early."""
    return " ".join(text.replace("--", "- -").split())


def export(assignment: Assignment, out: Path, quiet: bool = False) -> ExportReport:
    report = ExportReport("moodle-xml", assignment.id)
    quiz = ET.Element("quiz")
    quiz.append(ET.Comment(f" Assignment {assignment.id} (seed {assignment.seed}): "
                           f"{comment_text(assignment.title)} "))
    cat = ET.SubElement(quiz, "question", {"type": "category"})
    _text(cat, "category", f"$course$/top/HER2 course/{assignment.id}", fmt=None)
    _text(cat, "info", f"<p>{html.escape(assignment.title)}: assignment {assignment.id}</p>")
    _simple(cat, "idnumber", assignment.id)
    for e in progress(assignment.entries, "moodle-xml", quiet):
        problem = WRITERS[e.item.type](quiz, e)
        if problem:
            report.skipped[e.id] = problem
            continue
        report.exported.append(e.id)
        text = note(e)
        if text:
            report.notes[e.id] = text
    if not report.exported:
        raise ValueError("none of the selected items can be exported to Moodle XML")
    ET.indent(quiz, space="  ")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="utf-8",
                                                                           xml_declaration=False) + b"\n")
    report.outputs.append(out)
    return report
