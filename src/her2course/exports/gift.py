"""GIFT (Moodle's plain-text question format), for the item types GIFT can express.

- single -> multiple choice ``{=right#feedback ~wrong#feedback ####general feedback}``;
- sata -> multiple choice with weights ``~%50%right ~%-50%wrong`` (the course's +/- rule, as in Moodle XML);
- numeric -> ``{#=value:tolerance#feedback =%0%wrong:tolerance#feedback}``; GIFT has no units, so the stem says
  which unit to use;
- matrix -> matching ``{=row -> column ...}``; GIFT has no per-pair feedback, so the row rationales go in the
  general feedback;
- cloze with one blank -> "missing word" (the drop-down sits in the sentence);
- skipped, by id: cloze with several blanks (GIFT has one answer set per question: use Moodle XML), ordered
  (no GIFT type), bowtie (no LMS type).

Every question is on one line of ``[html]`` text with GIFT's special characters escaped, so a blank line only
ever separates questions.
"""

from __future__ import annotations

import html
from pathlib import Path

from ..quiz.schema import BLANK, Bowtie, Cloze, Matrix, Numeric, Ordered, Sata, Single
from .common import ExportReport, block, inline, inline_keep, number, one_line, plain, progress
from .moodle import fraction
from .selection import Assignment, Entry

SPECIAL = "~=#{}:\\"
ORDERED_REASON = "GIFT has no ordering question type (use Moodle XML, which exports it as an Ordering question)"
BOWTIE_REASON = ("a bow-tie asks for exactly N choices in each of three groups; no Moodle question type enforces "
                 "that, so its scoring cannot be kept (use the paper or notebook export)")


def escape(text: str) -> str:
    out = ""
    for ch in one_line(text):
        out += "\\" + ch if ch in SPECIAL else ch
    return out


def _head(e: Entry, question_html: str) -> str:
    item = e.item
    comment = (f"// {item.id}: {item.type}, {e.chapter}, {item.learning_outcome}, {item.cjmm_step}, "
               f"{item.difficulty}, max {e.max}")
    return f"{comment}\n::{escape(item.id)}::[html]{escape(question_html)}"


def _general(text_html: str) -> str:
    return f"####{escape(text_html)}"


def _choice(item: Single | Sata) -> str | None:
    parts = []
    if isinstance(item, Sata):
        c = sum(o.correct for o in item.options)
        right, wrong = fraction(100 / c), fraction(-100 / c)
        if right is None or wrong is None:
            return None
        for o in item.options:
            parts.append(f"~%{right if o.correct else wrong}%{escape(inline(o.text))}#{escape(block(o.rationale))}")
    else:
        for o in item.options:
            parts.append(f"{'=' if o.correct else '~'}{escape(inline(o.text))}#{escape(block(o.rationale))}")
    return " ".join(parts)


def question(e: Entry) -> tuple[str | None, str | None, str | None]:
    """(GIFT text, None, note) for an item GIFT can express, or (None, reason, None)."""
    item = e.item
    if isinstance(item, Bowtie):
        return None, BOWTIE_REASON, None
    if isinstance(item, Ordered):
        return None, ORDERED_REASON, None
    if isinstance(item, Single | Sata):
        body = _choice(item)
        if body is None:
            c = sum(o.correct for o in item.options)
            return None, f"{c} correct options: 100/{c} % is not a grade GIFT accepts, so +/- scoring is lost", None
        return f"{_head(e, block(item.stem))}{{{body} {_general(block(item.explanation))}}}", None, None
    if isinstance(item, Numeric):
        a = item.answer
        unit = f" Give the number only, in {html.escape(a.unit)}." if a.unit else " Give the number only."
        stem = block(item.stem) + f"<p>{html.escape(a.rounding)}{unit}</p>"
        answers = [f"={number(a.value)}:{number(a.tolerance)}#{escape(block(item.rationale))}"]
        answers += [f"=%0%{number(d.value)}:{number(a.tolerance)}#{escape(block(d.rationale))}"
                    for d in item.distractors]
        note = f"GIFT takes no unit: the question asks for the number in {a.unit}" if a.unit else None
        return f"{_head(e, stem)}{{#{' '.join(answers)} {_general(block(item.explanation))}}}", None, note
    if isinstance(item, Matrix):
        columns = {c.id: plain(c.text) for c in item.columns}
        if any("->" in plain(r.text) or "->" in columns[r.answer] for r in item.rows):
            return None, "a row or column contains '->', which GIFT matching cannot escape", None
        unused = [c.id for c in item.columns if c.id not in {r.answer for r in item.rows}]
        if unused:
            return None, (f"column(s) {', '.join(unused)} answer no row, and GIFT matching cannot list an answer "
                          "without its row (use Moodle XML)"), None
        if len(item.rows) < 3:
            return None, "GIFT matching needs at least three pairs (use Moodle XML)", None
        pairs = [f"={escape(plain(r.text))} -> {escape(columns[r.answer])}" for r in item.rows]
        general = block(item.explanation) + "<ul>" + "".join(
            f"<li><strong>{inline(r.text)}</strong>: {inline(r.rationale)}</li>" for r in item.rows) + "</ul>"
        note = "GIFT matching has no per-row feedback: the row rationales are in the general feedback"
        return f"{_head(e, block(item.stem))}{{{' '.join(pairs)} {_general(general)}}}", None, note
    if isinstance(item, Cloze):
        if len(item.blanks) != 1:
            return None, (f"{len(item.blanks)} blanks: GIFT has one answer set per question "
                          "(use Moodle XML, which exports it as a Cloze question)"), None
        m = BLANK.search(item.text)
        assert m is not None
        options = " ".join(f"{'=' if o.correct else '~'}{escape(plain(o.text))}#{escape(block(o.rationale))}"
                           for o in item.blanks[0].options)
        before = block(item.stem) + inline_keep(item.text[:m.start()])
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
        if note:
            report.notes[e.id] = note
    if not report.exported:
        raise ValueError("none of the selected items can be exported to GIFT")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    report.outputs.append(out)
    return report
