"""A student notebook: the selected items as one quiz, rendered by the course's quiz engine.

The file holds only the assignment id, the item ids and the seed: the questions (and their answers) are read
from the installed course package when the notebook runs, so the file itself gives nothing away. Answers are
saved to the learner's progress database under the assignment id, and a second cell lets the learner save a
results file to hand in (:func:`her2course.results.hand_in`).
"""

from __future__ import annotations

import html
import json
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat

from .common import ExportReport, progress
from .selection import Assignment, assignment_id, from_ids


def assignment_quiz(assignment: str, item_ids: Sequence[str], *, seed: int, title: str | None = None):
    """The quiz widget for an assignment (what the student notebook's code cell calls)."""
    from ..quiz import spec as _spec
    from ..quiz.bank import Bank
    from ..quiz.widget import Quiz

    expected = assignment_id(list(item_ids), seed)
    if expected != assignment:
        warnings.warn(f"this notebook's question list does not match assignment {assignment} (it gives "
                      f"{expected}); ask your instructor for a fresh copy", stacklevel=2)
    chosen = from_ids(list(item_ids), seed, title)
    bank = Bank(path=Path(f"{assignment}.yaml"), chapter=assignment, title=chosen.title,
                learning_outcomes=chosen.learning_outcomes, items=tuple(e.item for e in chosen.entries))
    return Quiz(_spec.build(bank, title=chosen.title), bank)


def _md_text(text: str) -> str:
    """Text for a Markdown cell, shown as written: no HTML (Jupyter renders raw HTML) and no Markdown syntax."""
    return re.sub(r"([\\`*_\[\]{}()#+\-.!|>~])", r"\\\1", html.escape(" ".join(text.split()), quote=False))


def _cell_id(n: int) -> str:
    return f"her2-cell-{n}"


def notebook_json(assignment: Assignment) -> str:
    ids = json.dumps(assignment.item_ids)
    title = json.dumps(assignment.title, ensure_ascii=False)
    intro = (f"# {_md_text(assignment.title)}\n\n"
             f"Assignment **{assignment.id}** · {len(assignment.entries)} questions\n\n"
             "1. Run the notebook: in JupyterLab choose **Run › Run All Cells**.\n"
             "2. Answer every question and press **Check** for each one.\n"
             "3. At the end, type your name and press **Save my results file**, then hand in the file it names.")
    quiz_code = ("from her2course.exports.notebook import assignment_quiz\n\n"
                 f"assignment_quiz(\n    {json.dumps(assignment.id)},\n    {ids},\n"
                 f"    seed={assignment.seed},\n    title={title},\n)")
    hand_in_code = ("from her2course.results import hand_in\n\n"
                    f"hand_in({json.dumps(assignment.id)}, {ids})")
    cells = [
        nbformat.v4.new_markdown_cell(intro, id=_cell_id(1)),
        nbformat.v4.new_code_cell(quiz_code, id=_cell_id(2), metadata={"tags": ["remove-input"]}),
        nbformat.v4.new_markdown_cell("## Hand in your results\n\nType your name as your instructor knows it, "
                                      "then press the button. It saves a small file next to this notebook.",
                                      id=_cell_id(3)),
        nbformat.v4.new_code_cell(hand_in_code, id=_cell_id(4), metadata={"tags": ["remove-input"]}),
    ]
    nb = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "her2course": {"assignment": assignment.id, "items": assignment.item_ids, "seed": assignment.seed,
                       "title": assignment.title},
    })
    nb.nbformat_minor = 5
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def export(assignment: Assignment, out: Path, quiet: bool = False) -> ExportReport:
    report = ExportReport("notebook", assignment.id)
    for _ in progress(assignment.entries, "notebook", quiet):
        pass  # every item type renders in the quiz engine
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(notebook_json(assignment), encoding="utf-8")
    report.outputs.append(out)
    report.exported = assignment.item_ids
    return report


def metadata(path: Path) -> dict[str, Any]:
    """The her2course block of a student notebook (assignment, items, seed, title)."""
    nb = nbformat.read(path, as_version=4)
    return dict(nb.metadata.get("her2course", {}))
