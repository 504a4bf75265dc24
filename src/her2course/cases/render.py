"""Rendering a case: stage by stage, the data (tables, a trend plot) and then that stage's question.

``CaseStudy`` is an ipywidgets ``VBox``: in a kernel its children are an HTML widget per stage followed by that
stage's live ``Quiz`` widget (the quiz engine's own anywidget, so answers reach Python and the progress database).
Its ``_repr_mimebundle_`` adds a kernel-free ``text/html`` rendering of the whole case, in which each question is
the quiz engine's static fallback (mounted by mount.js in the book), and a fixed ``text/plain``.

A case unfolds: stage n+1 is shown only once stage n's question is answered (checked or its answer shown), as in
practice, where the next data arrive after the nurse has acted. In a kernel the widget hides the later stages
itself (it watches each stage quiz's answers); in the book mount.js does it on the static HTML (``data-unfold``),
and without JavaScript every stage shows. Both offer "Show all stages" (instructors, print), and quiz.js moves
focus to the heading of a stage that has just appeared (``next`` in the stage's quiz spec). Everything is
derived from the case data: ids come from the case id and stage number, figures are deterministic SVG, and nothing
refers to an external URL.

Each stage's question is its own one-item quiz (``<case-id>-stage-<n>``), built with the quiz engine's
``spec.build`` from a bank made of the case's six items; ``case_quiz`` builds the six items as one quiz instead
(an answer key or an LMS export, say).
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets

from ..figures import Figure
from ..quiz import markup
from ..quiz import spec as quiz_spec
from ..quiz.bank import Bank
from ..quiz.schema import CJMM_LABELS
from ..quiz.widget import Quiz, fallback_html
from ..style import OKABE_ITO, RC
from ..tables import Table
from .loader import _caption, load_case
from .schema import STAGES, Case, Stage, Trend, cell_text

NOTE = ("Work through the stages in order: read each stage's data, answer its question, then read the feedback "
        "before you go on. The patient is fictional; the rules are those of the drug's US label (for learning only, "
        "not for clinical decisions).")


def case_bank(case: Case) -> Bank:
    """The case's six items as a quiz-engine bank (chapter = case id)."""
    return Bank(path=case.path, chapter=case.id, title=case.title, learning_outcomes=dict(case.learning_outcomes),
                items=case.items)


def stage_quiz_id(case: Case, stage: Stage) -> str:
    return f"{case.id}-stage-{stage.number}"


def stage_heading_id(case: Case, number: int) -> str:
    return _dom_id(case, f"stage-{number}-title")


def stage_spec(case: Case, stage: Stage, bank: Bank | None = None) -> dict[str, Any]:
    """The quiz spec for one stage: that stage's item alone, titled with the stage and its CJMM step; ``next`` is
    the heading of the stage its answer unlocks."""
    built = quiz_spec.build(bank or case_bank(case), ids=[stage.item.id],
                            title=f"Stage {stage.number} of {STAGES}: {CJMM_LABELS[stage.step]}")
    built["id"] = stage_quiz_id(case, stage)
    if stage.number < len(case.stages):
        built["next"] = stage_heading_id(case, stage.number + 1)
    return built


def case_quiz(case_id: str | Case) -> Quiz:
    """All six items of a case as one quiz, in CJMM order."""
    c = case_id if isinstance(case_id, Case) else load_case(case_id)
    bank = case_bank(c)
    built = quiz_spec.build(bank, ids=[it.id for it in c.items], title=c.title)
    built["id"] = c.id
    return Quiz(built, bank)


# ---- data ---------------------------------------------------------------------------------------------------------

def _num(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:g}"


def _with_unit(x: float, unit: str) -> str:
    if not unit:
        return _num(x)
    return f"{_num(x)}{unit}" if unit == "%" else f"{_num(x)} {unit}"


def stage_tables(case: Case, stage: Stage) -> list[Table]:
    return [Table(caption=_caption(case.patient.name, stage.number, t.caption), headers=list(t.columns),
                  rows=[[cell_text(c) for c in row] for row in t.rows], source=t.source, row_headers=True,
                  classes=["her2-case-table"])
            for t in stage.data.tables]


def axis_word(trend: Trend) -> str:
    """The singular unit word of the horizontal axis ("Days from ..." -> "day", "Minutes after ..." -> "minute")."""
    first = (trend.x_label.split() or ["day"])[0].lower()
    return first[:-1] if first.endswith("s") else first


def trend_alt(case: Case, stage: Stage, trend: Trend) -> str:
    """Alt text generated from the data: every point, the reference lines, and the lowest, highest and last value."""
    pts = trend.points
    label = f"{trend.label} ({trend.unit})" if trend.unit else trend.label
    values = [v for _, v in pts]
    low = min(pts, key=lambda p: p[1])
    high = max(pts, key=lambda p: p[1])
    x = axis_word(trend)  # "day", "minute", ...: the unit of the horizontal axis
    readings = "; ".join(f"{x} {_num(d)}: {_with_unit(v, trend.unit)}" for d, v in pts)
    text = (f"Line chart of {case.patient.name}'s {label} against {trend.x_label.lower()}, at {len(pts)} time "
            f"points, from {x} {_num(pts[0][0])} to "
            f"{x} {_num(pts[-1][0])}. Readings: {readings}. Highest {_with_unit(high[1], trend.unit)} at {x} "
            f"{_num(high[0])}; lowest {_with_unit(low[1], trend.unit)} at {x} {_num(low[0])}; latest "
            f"{_with_unit(values[-1], trend.unit)}.")
    for line in trend.reference_lines:
        text += f" Reference line at {_with_unit(line.value, trend.unit)}: {line.label}."
    return text


def _trend_chart(trend: Trend, *, size: tuple[float, float], font: float, legend_columns: int):
    """The trend as a line chart with each reading labelled (at ``font`` points; axes text at the house size) and
    the reference lines in a key below (at 8 points in two columns, or at ``font`` points in one)."""
    import matplotlib

    from ..figures import new_figure, wrap_to

    xs = [d for d, _ in trend.points]
    ys = [v for _, v in trend.points]
    styles = [("--", OKABE_ITO["vermillion"]), (":", OKABE_ITO["black"]), ("-.", OKABE_ITO["reddish_purple"])]

    def key(label: str) -> str:  # in one column the key's lines wrap to the drawing's width (less the line sample)
        return "\n".join(wrap_to(label, size[0] * 72 - 48, font)) if legend_columns == 1 else label

    with matplotlib.rc_context({**RC, "font.size": max(font, RC["font.size"])}):
        fig, ax = new_figure(size)
        ax.plot(xs, ys, color=OKABE_ITO["blue"], marker="o", markersize=6, linewidth=1.8, label=key(trend.label),
                zorder=3)
        for x, y in trend.points:
            ax.annotate(_num(y), (x, y), textcoords="offset points", xytext=(0, 7), ha="center", fontsize=font,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85}, zorder=4)
        for line, (dash, colour) in zip(trend.reference_lines, styles, strict=False):
            ax.axhline(line.value, color=colour, linestyle=dash, linewidth=1.4, label=key(line.label), zorder=2)
        every = ys + [line.value for line in trend.reference_lines]
        span = (max(every) - min(every)) or abs(max(every)) or 1.0
        ax.set_ylim(min(every) - 0.15 * span, max(every) + 0.2 * span)
        pad = (max(xs) - min(xs)) * 0.05 or 1.0
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        ax.set_xlabel(trend.x_label)
        ax.set_ylabel(f"{trend.label} ({trend.unit})" if trend.unit else trend.label)
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22 if legend_columns > 1 else -0.25),
                  ncol=legend_columns, fontsize=font if legend_columns == 1 else 8, frameon=False)
    return fig


def trend_figure(case: Case, stage: Stage) -> Figure | None:
    """The stage's trend chart, with a narrow drawing for phones (4 inches wide, every label at 11 pt)."""
    from ..figures import NARROW_PT, NARROW_W

    trend = stage.data.trend
    if trend is None:
        return None
    wide = _trend_chart(trend, size=(6.8, 3.6), font=9, legend_columns=2)
    narrow = _trend_chart(trend, size=(NARROW_W / 72, 3.4), font=NARROW_PT, legend_columns=1)
    caption = (f"{case.patient.name}, stage {stage.number}: {trend.label} over time, as known at this stage"
               + (" (lines mark the reference values named in the key)." if trend.reference_lines else "."))
    return Figure(fig=wide, alt=trend_alt(case, stage, trend), caption=caption, name=stage_quiz_id(case, stage),
                  narrow=narrow)


# ---- HTML ---------------------------------------------------------------------------------------------------------

def _dom_id(case: Case, suffix: str = "") -> str:
    return f"her2-case-{case.id}" + (f"-{suffix}" if suffix else "")


def intro_html(case: Case) -> str:
    e = html.escape
    outcomes = "".join(f"<li><strong>{e(k)}</strong> {e(v)}</li>" for k, v in case.learning_outcomes.items())
    return (
        f'<div class="her2-case-intro">'
        f'<p class="her2-case-patient"><strong>{e(case.patient.name)}, {case.patient.age}</strong> '
        f"&middot; {e(case.setting)}</p>"
        f"{markup.block(case.patient.summary)}"
        f'<details class="her2-case-outcomes"><summary>Learning outcomes for this case</summary>'
        f"<ul>{outcomes}</ul></details>"
        f'<p class="her2-case-note"><em>{e(NOTE)}</em></p></div>'
    )


def stage_body_html(case: Case, stage: Stage, figure: Figure | None) -> str:
    e = html.escape
    head = stage_heading_id(case, stage.number)
    parts = [
        f'<h3 id="{head}" class="her2-case-stage-title" tabindex="-1">Stage {stage.number} of {STAGES} &middot; '
        f"{e(CJMM_LABELS[stage.step])}: {e(stage.title)}</h3>",
        f'<div class="her2-case-narrative">{markup.block(stage.narrative)}</div>',
    ]
    parts += [t.to_html() for t in stage_tables(case, stage)]
    if figure is not None:
        parts.append(figure.to_html())
    return "\n".join(parts)


class CaseStudy(ipywidgets.VBox):
    """An unfolding case: live in a kernel, self-marking in the static book. Build it with :func:`case`."""

    def __init__(self, case: Case, **kwargs: Any) -> None:
        self.case = case
        bank = case_bank(case)
        self.specs = [stage_spec(case, s, bank) for s in case.stages]
        self.figures = [trend_figure(case, s) for s in case.stages]
        self._bodies = [stage_body_html(case, s, f) for s, f in zip(case.stages, self.figures, strict=True)]
        self.quizzes = [Quiz(sp, bank) for sp in self.specs]
        self.show_all = ipywidgets.ToggleButton(
            value=False, description="Show all stages", icon="eye",
            tooltip="For instructors and printing: every stage at once. Learners: answer each stage first.")
        self.stage_views = [[ipywidgets.HTML(body), q] for body, q in zip(self._bodies, self.quizzes, strict=True)]
        children: list[ipywidgets.Widget] = [ipywidgets.HTML(intro_html(case)), self.show_all]
        for view in self.stage_views:
            children += view
        super().__init__(children=children, **kwargs)
        self.add_class("her2-case")
        for q in self.quizzes:
            q.observe(lambda _change: self.unfold(), names="responses")
        self.show_all.observe(lambda _change: self.unfold(), names="value")
        self.unfold()

    # -- unfolding in a kernel
    def answered(self) -> list[bool]:
        """Per stage: whether its question has an answer checked or shown (from the quiz widget's responses)."""
        out = []
        for q, stage in zip(self.quizzes, self.case.stages, strict=True):
            entry = (q.responses or {}).get(stage.item.id)
            out.append(isinstance(entry, dict) and bool(entry.get("checked") or entry.get("revealed")
                                                        or entry.get("last") or entry.get("attempts")))
        return out

    def visible(self) -> list[bool]:
        """Stages shown: all with "Show all stages", else each up to the one after the last answered stage."""
        done = self.answered()
        last = max((i for i, d in enumerate(done) if d), default=-1)
        return [self.show_all.value or i <= last + 1 for i in range(len(done))]

    def unfold(self) -> None:
        for view, shown in zip(self.stage_views, self.visible(), strict=True):
            for w in view:
                w.layout.display = None if shown else "none"

    # -- representations: deterministic, with the kernel-free rendering next to the widget view
    def plain_text(self) -> str:
        c = self.case
        return (f"Case study '{c.title}' ({c.id}): {c.patient.name}, {len(c.stages)} stages, one question per "
                "clinical judgment step. Run this cell to load the questions.")

    def __repr__(self) -> str:
        return self.plain_text()

    def to_html(self) -> str:
        """The whole case as static HTML: each stage's data, then its question as the quiz engine's fallback."""
        c = self.case
        out = [f'<div class="her2-case" id="{_dom_id(c)}" data-unfold>', intro_html(c)]
        for stage, body, spec in zip(c.stages, self._bodies, self.specs, strict=True):
            head = _dom_id(c, f"stage-{stage.number}-title")
            out.append(f'<section class="her2-case-stage" id="{_dom_id(c, f"stage-{stage.number}")}" '
                       f'aria-labelledby="{head}">')
            out += [body, fallback_html(spec), "</section>"]
        out.append("</div>")
        return "\n".join(out)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        data = dict(data)
        data["text/plain"] = self.plain_text()
        data["text/html"] = self.to_html()
        return data, dict(meta)

    @property
    def score(self) -> tuple[int, int]:
        """(points, maximum) over the questions checked so far in a kernel, from the Python grader."""
        got = [q.score for q in self.quizzes]
        return sum(a for a, _ in got), sum(b for _, b in got)


def case(case_id: str) -> CaseStudy:
    """The unfolding case ``case_id`` (a file name in data/cases, or a path to a case file)."""
    return CaseStudy(load_case(case_id))
