"""GIFT (Moodle's plain-text question format), for the item types GIFT can express.

- single -> multiple choice ``{=right#feedback ~wrong#feedback ####general feedback}``;
- sata -> multiple choice with weights ``~%50%right ~%-50%wrong`` (the course's +/- rule, as in Moodle XML);
- numeric -> ``{#=value:tolerance#feedback =%0%wrong:tolerance#feedback}``; GIFT has no units, so the stem says
  which unit to use and Moodle grades the number alone;
- matrix -> matching ``{=row -> column ...}``; GIFT has no per-pair feedback, so the row rationales go in the
  general feedback;
- cloze with one blank -> "missing word" (the drop-down sits in the sentence);
- highlight -> multiple choice with the sata weights: the passage (its parts in brackets) or the table in the
  question, the parts as options in reading order;
- skipped, by id: cloze with several blanks, drop-down rationales, multiple-response matrices and bow-ties (GIFT has
  one answer set per question: use Moodle XML), ordered (no GIFT type).

Options are written in the course's display order (:mod:`her2course.quiz.shuffle`), highlight parts in reading
order; a trend item's data table follows its stem.

GIFT has no syntax for a question's mark: Moodle gives every GIFT question 1 mark. The fractions inside each
question are kept, so the proportion of credit is the course's; the course's mark goes into the question's
comment, as the Moodle tag ``marks-N`` and into the report, so the instructor can set it in the quiz. Each
question also carries its id (``[id:...]``) and tags (chapter, outcome, step, difficulty, type) in that comment.

Every question is on one line of ``[html]`` text: the course's sanitised HTML, plain-text fields HTML-escaped, and
GIFT's special characters escaped, so a blank line only ever separates questions.
"""

from __future__ import annotations

import html
from pathlib import Path

from ..quiz.grading import max_score
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
    one_line,
    plain,
    plain_html,
    progress,
    question_html,
    rationale_list,
)
from .moodle import CHOICE_LENGTH, DECIMAL_NOTE, decimal_hint, fraction
from .selection import Assignment, Entry

SPECIAL = "~=#{}:\\"
RATIONALE_REASON = ("{n} drop-downs scored as pairs: GIFT has one answer set per question (use Moodle XML, which "
                    "exports it as a Cloze question)")
MATRIX_MULTI_REASON = ("a row of check boxes per row: GIFT has one answer set per question (use Moodle XML, which "
                       "exports it as a Cloze question with a multiple-response part per row)")
ORDERED_REASON = "GIFT has no ordering question type (use Moodle XML, which exports it as an Ordering question)"
BOWTIE_REASON = ("a bow-tie has three answer sets and GIFT holds one per question (use Moodle XML, which exports "
                 "it as a Cloze question, or Canvas)")
MARKS_NOTE = ("GIFT has no syntax for a question's mark, so Moodle gives it 1 mark: set its maximum mark to {n} "
              "in the quiz (it carries the tag marks-{n}; the credit inside the question is the course's)")
UNIT_NOTE = ("GIFT has no units: the question asks for the number in {unit}, and Moodle grades the number and "
             "ignores any unit typed (a wrong unit is not caught; Moodle XML grades the unit)")


def escape(text: str) -> str:
    out = ""
    for ch in one_line(text):
        out += "\\" + ch if ch in SPECIAL else ch
    return out


def _tag_value(text: str) -> str:
    """A Moodle tag in a GIFT comment: one line, no ']' (it would end the tag), no markup."""
    return html.escape(" ".join(text.replace("]", ")").split()), quote=False)


def _head(e: Entry, question_html: str) -> str:
    item = e.item
    comment = (f"// {item.id}: {item.type}, {e.chapter}, {item.learning_outcome}, {item.cjmm_step}, "
               f"{item.difficulty}, max {e.max}")
    tags = [e.chapter, item.learning_outcome, CJMM_LABELS[item.cjmm_step], item.difficulty, item.type,
            f"marks-{e.max}", *item.tags]
    moodle = f"// [id:{item.id}] " + " ".join(f"[tag:{_tag_value(t)}]" for t in dict.fromkeys(tags))
    return f"{comment}\n{moodle}\n::{escape(item.id)}::[html]{escape(question_html)}"


def _general(text_html: str) -> str:
    return f"####{escape(text_html)}"


def _choice(item: Single | Sata | Highlight) -> str | None:
    parts = []
    if isinstance(item, Highlight):
        options = [(text, correct, why) for _, text, correct, why in item.parts()]
    else:
        options = [(o.text, o.correct, o.rationale) for o in shuffled(item.id, item.options)]
    if isinstance(item, Single):
        for text, correct, why in options:
            parts.append(f"{'=' if correct else '~'}{escape(inline(text))}#{escape(block(why))}")
        return " ".join(parts)
    c = sum(correct for _, correct, _ in options)
    right, wrong = fraction(100 / c), fraction(-100 / c)
    if right is None or wrong is None:
        return None
    for text, correct, why in options:
        parts.append(f"~%{right if correct else wrong}%{escape(inline(text))}#{escape(block(why))}")
    return " ".join(parts)


def question(e: Entry) -> tuple[str | None, str | None, str | None]:
    """(GIFT text, None, note) for an item GIFT can express, or (None, reason, None)."""
    item = e.item
    if isinstance(item, Bowtie):
        return None, BOWTIE_REASON, None
    if isinstance(item, Ordered):
        return None, ORDERED_REASON, None
    if isinstance(item, DropdownRationale):
        return None, RATIONALE_REASON.format(n=len(item.blanks)), None
    if isinstance(item, MatrixMulti):
        return None, MATRIX_MULTI_REASON, None
    if isinstance(item, Single | Sata | Highlight):
        body = _choice(item)
        if body is None:
            c = max_score(item)
            return None, f"{c} correct options: 100/{c} % is not a grade GIFT accepts, so +/- scoring is lost", None
        stem = question_html(item) + (highlight_html(item) if isinstance(item, Highlight) else "")
        note = ("GIFT has no highlight question: exported as multiple choice with the parts as options, in reading "
                "order, scored +/- as in the course" if isinstance(item, Highlight) else None)
        return f"{_head(e, stem)}{{{body} {_general(block(item.explanation))}}}", None, note
    if isinstance(item, Numeric):
        a = item.answer
        unit = f" Give the number only, in {html.escape(a.unit)}." if a.unit else " Give the number only."
        stem = question_html(item) + f"<p>{html.escape(a.rounding)}{unit}{decimal_hint(a.value)}</p>"
        answers = [f"={number(a.value)}:{number(a.tolerance)}#{escape(block(item.rationale))}"]
        answers += [f"=%0%{number(d.value)}:{number(a.tolerance)}#{escape(block(d.rationale))}"
                    for d in item.distractors]
        notes = [UNIT_NOTE.format(unit=a.unit) if a.unit else "",
                 "" if float(a.value).is_integer() else DECIMAL_NOTE]
        note = "; ".join(n for n in notes if n) or None
        return f"{_head(e, stem)}{{#{' '.join(answers)} {_general(block(item.explanation))}}}", None, note
    if isinstance(item, Matrix):
        columns = {c.id: plain_html(c.text) for c in item.columns}
        if any("->" in plain(r.text) or "->" in plain(c.text) for r in item.rows for c in item.columns):
            return None, "a row or column contains '->', which GIFT matching cannot escape", None
        unused = [c.id for c in item.columns if c.id not in {r.answer for r in item.rows}]
        if unused:
            return None, (f"column(s) {', '.join(unused)} answer no row, and GIFT matching cannot list an answer "
                          "without its row (use Moodle XML)"), None
        if any(len(text) > CHOICE_LENGTH for text in columns.values()):
            return None, (f"a column is longer than the {CHOICE_LENGTH} characters Moodle stores for a matching "
                          "answer"), None
        if len(item.rows) < 3:
            return None, "GIFT matching needs at least three pairs (use Moodle XML)", None
        pairs = [f"={escape(inline(r.text))} -> {escape(columns[r.answer])}" for r in item.rows]
        general = block(item.explanation) + rationale_list([(r.text, r.rationale) for r in item.rows])
        note = "GIFT matching has no per-row feedback: the row rationales are in the general feedback"
        return f"{_head(e, question_html(item))}{{{' '.join(pairs)} {_general(general)}}}", None, note
    if isinstance(item, Cloze):
        if len(item.blanks) != 1:
            return None, (f"{len(item.blanks)} blanks: GIFT has one answer set per question "
                          "(use Moodle XML, which exports it as a Cloze question)"), None
        m = BLANK.search(item.text)
        assert m is not None
        blank = item.blanks[0]
        options = " ".join(f"{'=' if o.correct else '~'}{escape(plain_html(o.text))}#{escape(block(o.rationale))}"
                           for o in shuffled(item.id, blank.options, blank.id))
        before = question_html(item) + inline_keep(item.text[:m.start()])
        after = inline_keep(item.text[m.end():])
        text = (f"{_head(e, before)}{{{options} {_general(block(item.explanation))}}}"
                f"{escape(after)}")
        return text, None, None
    raise TypeError(f"unknown item type {item.type}")  # pragma: no cover


def export(assignment: Assignment, out: Path, quiet: bool = False) -> ExportReport:
    report = ExportReport("gift", assignment.id)
    blocks = [f"// Assignment {assignment.id} (seed {assignment.seed}): {one_line(assignment.title)}",
              f"$CATEGORY: $course$/top/HER2 course/{assignment.id}"]
    for e in progress(assignment.entries, "gift", quiet):
        text, reason, note = question(e)
        if text is None:
            report.skipped[e.id] = reason or "not expressible in GIFT"
            continue
        blocks.append(text)
        report.exported.append(e.id)
        notes = [n for n in (note, MARKS_NOTE.format(n=e.max) if e.max > 1 else None) if n]
        if notes:
            report.notes[e.id] = "; ".join(notes)
    if not report.exported:
        raise ValueError("none of the selected items can be exported to GIFT")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    report.outputs.append(out)
    return report
