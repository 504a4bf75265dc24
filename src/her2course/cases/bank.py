"""The unfolding cases' items as bank items: the 30 stage questions join the blueprint and every export.

On the page a stage's question sits under that stage's narrative and data. Taken out of the case (an LMS quiz, a
paper sheet, an assignment notebook), the item carries that context in its stem: the case and stage, the client,
the stage's narrative and its tables, and the stage's trend (the values over time) as the item's ``data`` table,
which makes it a trend item in the bank's terms. The ids, keys, rationales, outcomes and steps are the case's own,
so a learner's answer is graded exactly as on the page.
"""

from __future__ import annotations

from ..quiz.bank import Bank
from ..quiz.markup import table_markdown
from ..quiz.schema import CJMM_LABELS, Item, TrendData, cell_text
from .loader import case_ids, load_case
from .schema import STAGES, Case, Stage, Trend

CHAPTER = "07-unfolding-cases"
TITLE = "Unfolding case studies"

def trend_data(trend: Trend) -> TrendData:
    """A stage's trend plot as a table over time: one column per time point (what the plot's alt text reads)."""
    word = (trend.x_label.split() or ["Day"])[0].rstrip("s").capitalize()

    def num(x: float) -> str:
        return f"{x:.0f}" if float(x).is_integer() else f"{x:g}"

    measure = f"{trend.label} ({trend.unit})" if trend.unit else trend.label
    x = trend.x_label[:1].lower() + trend.x_label[1:]
    return TrendData(caption=f"{trend.label} over time, by {x}",
                     columns=["Measure", *(f"{word} {num(d)}" for d, _ in trend.points)],
                     rows=[[measure, *(num(v) for _, v in trend.points)]])


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if text[-1:] in ".?!:" else text + "."


def stage_context(case: Case, stage: Stage) -> str:
    """The stage as Markdown: case, client, what happens now, and the stage's tables (captioned as on the page)."""
    p = case.patient
    parts = [f"**{case.title}: stage {stage.number} of {STAGES} ({CJMM_LABELS[stage.step]}).** "
             f"{p.name}, {p.age}. {_sentence(case.setting)}", p.summary if stage.number == 1 else "",
             f"**{_sentence(stage.title)}** {stage.narrative}"]
    for t in stage.data.tables:
        parts.append(table_markdown(f"{p.name}, stage {stage.number}: {t.caption}", list(t.columns),
                                    [[cell_text(c) for c in row] for row in t.rows]))
    return "\n\n".join(x for x in parts if x)


def bank_item(case: Case, stage: Stage) -> Item:
    """The stage's item with its context in the stem and its trend as data (ids and key unchanged)."""
    update: dict = {"stem": f"{stage_context(case, stage)}\n\n{stage.item.stem}",
                    "tags": list(dict.fromkeys([*stage.item.tags, "case", case.id]))}
    if stage.data.trend is not None and stage.item.data is None:
        update["data"] = trend_data(stage.data.trend)
    return stage.item.model_copy(update=update)


def bank_for(case: Case) -> Bank:
    """The case's six items, with their context, as a bank of chapter 07-unfolding-cases."""
    return Bank(path=case.path, chapter=CHAPTER, title=TITLE, learning_outcomes=dict(case.learning_outcomes),
                items=tuple(bank_item(case, s) for s in case.stages))


def case_banks() -> list[Bank]:
    """One bank per case (chapter 07-unfolding-cases), in case-id order."""
    return [bank_for(load_case(c)) for c in case_ids()]


