"""Facilitator guides for the unfolding cases: the case data (``data/cases/<id>.yaml``) plus authored notes
(``data/facilitator/<id>.yaml``).

The notes hold only what the case data cannot: why to run the case, the prebrief, minutes per stage, what to ask
at each Clinical Judgment Measurement Model step, the wrong turns an instructor has seen that no option spells out,
and the debrief. Everything else is generated from the case, so it follows the case when it changes: the
objectives (the learning outcomes the stages use), the timing table, each stage's title, the expected answer (the
item's key with its rationales) and the common wrong turns (the item's distractors with theirs).

Notes are keyed by CJMM step, so a rewritten stage keeps its notes; ``her2course check`` reports a case without
notes, notes for a case that does not exist, and a step missing or unknown.

The guides appear on an instructor page (book/facilitator-guides.md), never on the student case page.
"""

from __future__ import annotations

import html
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ..errors import DataError, Problem
from ..myst import literal
from ..paths import Layout, package_layout
from ..quiz import markup
from ..quiz.schema import (
    BLANK,
    CJMM_LABELS,
    CJMM_STEPS,
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
)
from ..yamlfile import read_model

FOLDER = "facilitator"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StageNotes(_Strict):
    minutes: int = Field(ge=1, le=60)
    ask: list[str] = Field(min_length=1)
    watch_for: str = ""


class Notes(_Strict):
    case: str
    focus: str = Field(min_length=20)
    prebrief: list[str] = Field(min_length=1)
    prebrief_minutes: int = Field(ge=0, le=60)
    debrief_minutes: int = Field(ge=5, le=90)
    stages: dict[str, StageNotes]
    debrief: list[str] = Field(min_length=2)
    references: list[str] = Field(min_length=1)

    @property
    def minutes(self) -> int:
        return self.prebrief_minutes + sum(s.minutes for s in self.stages.values()) + self.debrief_minutes


def folder(layout: Layout) -> Path:
    return layout.data_dir / FOLDER


def _parse(path: Path) -> tuple[Notes | None, list[Problem]]:
    notes, problems = read_model(path, Notes, path.stem)
    if notes is None:
        return None, problems
    if notes.case != path.stem:
        problems.append(Problem(path, notes.case, "case", f"'{notes.case}' should match the file name '{path.stem}'"))
    for step in notes.stages:
        if step not in CJMM_STEPS:
            problems.append(Problem(path, notes.case, f"stages.{step}", f"'{step}' is not a CJMM step (use: "
                                    f"{', '.join(CJMM_STEPS)})"))
    for step in CJMM_STEPS:
        if step not in notes.stages:
            problems.append(Problem(path, notes.case, "stages", f"no notes for the '{step}' stage"))
    return (None if problems else notes), problems


def load_notes(case_id: str, layout: Layout | None = None) -> Notes:
    path = folder(layout or package_layout()) / f"{case_id}.yaml"
    if not path.is_file():
        raise DataError([Problem(path, case_id, None, "no facilitator notes for this case")])
    notes, problems = _parse(path)
    if notes is None:
        raise DataError(problems)
    return notes


def validate(layout: Layout) -> tuple[list[Notes], list[Problem]]:
    """For ``her2course check``: notes for every case and no notes without a case; reference keys exist."""
    from ..cases.loader import case_ids
    from ..references import load_bibliography, missing_keys

    cases = set(case_ids(layout))
    problems: list[Problem] = []
    found: list[Notes] = []
    try:
        bib = load_bibliography(layout.bib)
    except DataError as exc:
        bib = None
        problems += exc.problems
    d = folder(layout)
    files = {p.stem: p for p in sorted(d.glob("*.yaml"))} if d.is_dir() else {}
    for cid in sorted(cases - set(files)):
        problems.append(Problem(d / f"{cid}.yaml", cid, None, "the case has no facilitator notes (write them here)"))
    for stem, path in files.items():
        if stem not in cases:
            problems.append(Problem(path, stem, "case", f"there is no case '{stem}' in data/cases"))
            continue
        notes, more = _parse(path)
        problems += more
        if notes is None:
            continue
        if bib is not None:
            problems += missing_keys(bib, path, stem, "references", notes.references)
        found.append(notes)
    return found, problems


# ------------------------------------------------------------------------------------------------ key and wrong turns

def expected_html(item: Item) -> str:
    """The key of a stage's item, with the rationale of each right choice."""
    e = html.escape
    if isinstance(item, Single | Sata):
        right = [o for o in item.options if o.correct]
        return "<ul>" + "".join(f"<li><strong>{markup.inline(o.text)}</strong> {markup.inline(o.rationale)}</li>"
                                for o in right) + "</ul>"
    if isinstance(item, Numeric):
        a = item.answer
        unit = f" {e(a.unit)}" if a.unit else ""
        return f"<p><strong>{a.value:g}{unit}</strong>. {markup.inline(item.rationale)}</p>"
    if isinstance(item, Ordered):
        return "<ol>" + "".join(f"<li>{markup.inline(o.text)} <em>{markup.inline(o.rationale)}</em></li>"
                                for o in item.options) + "</ol>"
    if isinstance(item, Matrix):
        cols = {c.id: c.text for c in item.columns}
        return "<ul>" + "".join(f"<li>{markup.inline(r.text)}: <strong>{markup.inline(cols[r.answer])}</strong>. "
                                f"{markup.inline(r.rationale)}</li>" for r in item.rows) + "</ul>"
    if isinstance(item, MatrixMulti):
        cols = {c.id: c.text for c in item.columns}
        return "<ul>" + "".join(
            f"<li>{markup.inline(r.text)}: <strong>{'; '.join(markup.inline(cols[a]) for a in r.answers)}</strong>. "
            f"{markup.inline(r.rationale)}</li>" for r in item.rows) + "</ul>"
    if isinstance(item, Highlight):
        return "<ul>" + "".join(f"<li><strong>{markup.inline(text)}</strong> {markup.inline(why)}</li>"
                                for _, text, correct, why in item.parts() if correct) + "</ul>"
    if isinstance(item, Cloze | DropdownRationale):
        right = {b.id: next(o for o in b.options if o.correct) for b in item.blanks}
        filled = BLANK.sub(lambda m: f"**{right[m.group(1)].text}**", item.text)
        why = "".join(f"<li>{markup.inline(right[b.id].text)}: {markup.inline(right[b.id].rationale)}</li>"
                      for b in item.blanks)
        return f"<p>{markup.inline(filled)}</p><ul>{why}</ul>"
    if isinstance(item, Bowtie):
        out = []
        for g in item.groups:
            right = "; ".join(markup.inline(o.text) for o in g.options if o.correct)
            out.append(f"<li>{markup.inline(g.label)}: <strong>{right}</strong></li>")
        return "<ul>" + "".join(out) + "</ul>"
    # an item type this guide does not know yet: its explanation still says what the answer is and why
    return markup.block(item.explanation)


def wrong_turns(item: Item) -> list[tuple[str, str]]:
    """(choice, why it is wrong) for every distractor the item itself spells out."""
    if isinstance(item, Single | Sata):
        return [(o.text, o.rationale) for o in item.options if not o.correct]
    if isinstance(item, Numeric):
        return [(f"{d.value:g}", d.rationale) for d in item.distractors]
    if isinstance(item, Cloze | DropdownRationale):
        return [(o.text, o.rationale) for b in item.blanks for o in b.options if not o.correct]
    if isinstance(item, Highlight):
        return [(text, why) for _, text, correct, why in item.parts() if not correct]
    if isinstance(item, Bowtie):
        return [(o.text, o.rationale) for g in item.groups for o in g.options if not o.correct]
    return []  # matrix rows (one or more answers) and ordered steps: every choice is a row of the key


def _wrong_html(item: Item, authored: str) -> str:
    turns = wrong_turns(item)
    parts = [f"<li>{markup.inline(text)}: {markup.inline(why)}</li>" for text, why in turns]
    if authored.strip():
        parts.insert(0, f'<li class="her2-facilitator-seen"><strong>Seen in class:</strong> '
                        f"{markup.inline(authored.strip())}</li>")
    if isinstance(item, Ordered) and not authored.strip():
        parts.append("<li>Steps out of order: the rationale of each step (above) says why it comes where it does.</li>")
    if isinstance(item, Matrix) and not turns:
        parts.append("<li>Another column for a row: the rationale of each row (above) says why.</li>")
    return "<ul>" + "".join(parts) + "</ul>"


# ------------------------------------------------------------------------------------------------ the page

def _raw(html_text: str) -> str:
    return "```{raw} html\n" + html_text + "\n```\n"


def _cite(keys: list[str] | tuple[str, ...]) -> str:
    return "{cite:p}`" + ",".join(dict.fromkeys(keys)) + "`"


def guide_markdown(case_id: str, number: int) -> str:
    """MyST for one case's guide (headings at level 2 and 3; the key and wrong turns as sanitized HTML)."""
    from ..cases import load_case

    case = load_case(case_id)
    notes = load_notes(case_id)
    e = html.escape
    used = sorted({s.item.learning_outcome for s in case.stages}, key=lambda k: [int(x) for x in k[2:].split(".")])
    lit = literal  # data text shown as written: no markup can start in it
    lines = [f"## Case {number}: {lit(case.title)}\n",
             f"**{lit(case.patient.name)}, {case.patient.age}.** {lit(case.setting)}. Students see this case in "
             "chapter 7; this guide is for the facilitator only.\n",
             f"**Why run it.** {lit(notes.focus)}\n",
             "### Objectives\n"]
    lines += [f"- **{k}** {lit(case.learning_outcomes[k])}" for k in used]
    rows = [("Prebrief", notes.prebrief_minutes)]
    rows += [(f"Stage {s.number}: {CJMM_LABELS[s.step]}", notes.stages[s.step].minutes) for s in case.stages
             if s.step in notes.stages]
    rows += [("Debrief", notes.debrief_minutes)]
    table = ('<div class="her2-table" role="region" tabindex="0" '
             f'aria-labelledby="tbl-timing-{e(case.id)}"><table><caption id="tbl-timing-{e(case.id)}">Timing for '
             f"{e(case.patient.name)}'s case (about {notes.minutes} minutes)</caption><thead><tr>"
             '<th scope="col">Part</th><th scope="col">Minutes</th></tr></thead><tbody>'
             + "".join(f'<tr><th scope="row">{e(part)}</th><td>{m}</td></tr>' for part, m in rows)
             + f'</tbody><tfoot><tr><th scope="row">Total</th><td>{notes.minutes}</td></tr></tfoot></table></div>')
    lines += ["\n### Timing\n", _raw(table), "### Prebrief\n"]
    lines += [f"- {lit(p)}" for p in notes.prebrief]
    lines.append("")
    for s in case.stages:
        sn = notes.stages.get(s.step)
        if sn is None:
            continue
        lines.append(f"### Stage {s.number} ({CJMM_LABELS[s.step].lower()}): {lit(s.title)}\n")
        lines.append("**Ask:**\n")
        lines += [f"- {lit(q)}" for q in sn.ask]
        body = (f'<div class="her2-facilitator-stage"><p><strong>Expected answer</strong> '
                f"({e(s.item.type)} item <code>{e(s.item.id)}</code>, {e(s.item.learning_outcome)}):</p>"
                f"{expected_html(s.item)}<p><strong>Common wrong turns:</strong></p>{_wrong_html(s.item, sn.watch_for)}"
                "</div>")
        lines += ["", _raw(body), f"Sources for this stage: {_cite(s.item.reference)}\n"]
    lines.append("### Debrief\n")
    lines.append("Start with how the group felt, then walk the six steps: what they noticed, how they made sense of "
                 "it, what they ranked first, what they planned, what they did and how they judged the result "
                 f"{_cite(['dickison2019', 'watts2021'])}. Then ask:\n")
    lines += [f"1. {lit(q)}" for q in notes.debrief]
    lines.append(f"\nSources for this guide: {_cite(notes.references)}\n")
    return "\n".join(lines)


def all_guides_markdown() -> str:
    from ..cases.loader import case_ids

    return "\n".join(guide_markdown(cid, n) for n, cid in enumerate(_case_order(case_ids()), start=1))


def _case_order(ids: list[str]) -> list[str]:
    """The cases in the order chapter 7 presents them (its notebook's cells), others after, by id."""
    from ..paths import PACKAGE_DIR

    nb = PACKAGE_DIR.parents[1] / "notebooks" / "07-unfolding-cases.ipynb"
    text = nb.read_text(encoding="utf-8") if nb.is_file() else ""
    return sorted(ids, key=lambda c: (text.find(f'case(\\"{c}\\")') if f'case(\\"{c}\\")' in text else len(text), c))


def timing_summary() -> list[tuple[str, str, int]]:
    """(case id, title, minutes) for every case, in chapter order (for the overview table)."""
    from ..cases import load_case
    from ..cases.loader import case_ids

    return [(cid, load_case(cid).title, load_notes(cid).minutes) for cid in _case_order(case_ids())]
