"""Item analysis in the instructor notebook: a form that analyzes hand-ins or an LMS report, and a worked example.

The worked example is a generated class (:mod:`.classsim`): simulated students answering real course questions,
with difficulties spread from easy to hard and, on purpose, one question simulated to tell nobody apart and one
simulated to work backwards (as a wrong key would), so that every kind of flag appears. Its numbers say nothing
about the real questions. It is what the static book shows in place of the form, which needs a running kernel.
"""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..exports.selection import Filters, select
from .classsim import ItemModel, collected, simulate
from .itemdata import from_collected
from .itemreport import chart, report_body, write_all
from .itemstats import Analysis, analyze

EXAMPLE_STUDENTS = 120
EXAMPLE_SEED = 2026
EXAMPLE_ITEMS = 24
EXAMPLE_SLOPE = 1.7  # one slope for every item: the Rasch model on a wider ability scale


def _one_point(assignment, start: int) -> int:
    """The first one-point question at or after number ``start`` (its number)."""
    return next(n for n, e in enumerate(assignment.entries, start=1) if n >= start and e.max == 1)


@lru_cache(maxsize=1)
def worked_example() -> Analysis:
    """The item analysis of a generated class of 120 students on 24 course questions (see the module docstring)."""
    assignment = select(Filters.make(types=["single", "numeric", "sata"]), count=EXAMPLE_ITEMS, seed=EXAMPLE_SEED,
                        title="Worked example")
    ids = assignment.item_ids
    k = len(ids)
    spread = [-2.2 + 3.6 * n / (k - 1) for n in range(k)]
    order = [(n * 7) % k for n in range(k)]  # difficulties in a fixed shuffle, not in question order
    models = {ids[n]: ItemModel(spread[order[n]], EXAMPLE_SLOPE) for n in range(k)}
    flat, backwards = _one_point(assignment, 6), _one_point(assignment, k // 2 + 3)
    models[ids[flat - 1]] = ItemModel(-0.3, 0.0)
    models[ids[backwards - 1]] = ItemModel(0.2, -1.0)
    records = simulate(assignment, EXAMPLE_STUDENTS, EXAMPLE_SEED, models)
    data = from_collected(collected(assignment, records))
    data.source = (f"worked example: {EXAMPLE_STUDENTS} generated students on {k} course questions (question "
                   f"{flat} simulated to tell nobody apart, question {backwards} to work backwards)")
    return analyze(data)


class ItemAnalysisReport:
    """An analysis as a displayable report (HTML with the chart; a fixed text/plain for saved notebooks)."""

    def __init__(self, analysis: Analysis) -> None:
        self.analysis = analysis

    def __repr__(self) -> str:
        return "Item analysis report: difficulty, discrimination and options per question, KR-20 and alpha."

    def _repr_html_(self) -> str:
        return (f"<p><strong>{html.escape(self.analysis.source)}</strong></p>"
                + report_body(self.analysis, chart(self.analysis)))


def item_analysis_example() -> ItemAnalysisReport:
    return ItemAnalysisReport(worked_example())


class ItemAnalyzer:
    """Choose a source (hand-ins and their assignment notebook, a Moodle report, a Canvas report), analyze, and
    write the report files; shows the worked example until then. The controls need a running notebook."""

    SOURCES = (("Hand-in folder + assignment notebook", "handins"), ("Moodle Grades (+ Responses) CSV", "moodle"),
               ("Canvas Student Analysis CSV", "canvas"))

    def __init__(self, folder: str | Path = "item-analysis") -> None:
        import ipywidgets as w

        self.folder = Path(folder)
        layout = w.Layout(width="36rem")
        self.source = w.Dropdown(options=list(self.SOURCES), value="handins", description="Source")
        self.first = w.Text(description="Folder or CSV", placeholder="handed-in/ or grades.csv", layout=layout)
        self.second = w.Text(description="Notebook or CSV", layout=layout,
                             placeholder="quiz.ipynb (hand-ins) or responses.csv (Moodle, optional)")
        self.button = w.Button(description="Analyze", button_style="primary")
        self.message = w.HTML()
        self.report = w.HTML(value=self._example_html())
        self.button.on_click(lambda _b: self.run())
        self.box = w.VBox([self.source, self.first, self.second, self.button, self.message, self.report])

    def _example_html(self) -> str:
        return ("<p>Below: the worked example on a generated class. Choose a source above and press "
                "<strong>Analyze</strong> to replace it with your class's report.</p>"
                + item_analysis_example()._repr_html_())

    def analysis(self) -> Analysis:
        from .itemdata import read_handins
        from .lmsreports import read_canvas, read_moodle

        kind, first, second = self.source.value, self.first.value.strip(), self.second.value.strip()
        if not first:
            raise ValueError("give the hand-in folder or the report's CSV file first")
        if kind == "handins":
            if not second:
                raise ValueError("give the assignment notebook you handed out")
            return analyze(read_handins(Path(first), Path(second))[0])
        if kind == "moodle":
            return analyze(read_moodle(Path(first), Path(second) if second else None))
        return analyze(read_canvas(Path(first)))

    def run(self) -> Analysis | None:
        try:
            result = self.analysis()
            paths = write_all(result, self.folder)
        except (ValueError, OSError) as exc:
            self.message.value = f'<p role="alert">Not analyzed: {html.escape(str(exc))}</p>'
            return None
        self.message.value = (f'<p role="status">Wrote {len(paths)} files to <code>{html.escape(str(self.folder))}'
                              "</code>: " + ", ".join(html.escape(p.name) for p in paths) + "</p>")
        self.report.value = report_body(result, chart(result))
        return result

    def __repr__(self) -> str:
        return "Item analysis (run this notebook in JupyterLab to analyze your own class)."

    def fallback_html(self) -> str:
        return ('<div class="her2-item-analysis-static"><p>The analysis form needs a running notebook; from a '
                "terminal, <code>her2course results analyze</code> does the same. Here is the worked example on a "
                "generated class.</p>" + item_analysis_example()._repr_html_() + "</div>")

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        from ..exports.builder import widget_bundle

        return widget_bundle(self.box, repr(self), self.fallback_html(), **kwargs)
