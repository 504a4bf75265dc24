"""A student notebook: the selected items as one quiz, rendered by the course's quiz engine.

The file holds only the assignment id, the item ids and the seed: the questions are read from the installed
course package when the notebook runs, so the file itself gives nothing away. The quiz runs in assignment mode:
the spec sent to the browser (and saved in the notebook's outputs) is :func:`assignment_spec`, with no correct
flags, rationales, explanations, numeric answer values or points, so the browser can only save answers and shows
no verdict. The kernel grades every answer and saves it to the learner's progress database under the assignment
id; a second cell saves the results file to hand in (:func:`her2course.results.hand_in`). Feedback comes after the
instructor collects (``her2course results collect ... --feedback DIR``).
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

# What the browser may see of an item in assignment mode: enough to show and answer it, nothing that marks it.
_ITEM_KEYS = ("id", "type", "number", "instruction", "stem", "learning_outcome", "cjmm_step", "cjmm_label",
              "reference", "sources")
_OPTION_KEYS = ("id", "html", "label")


def _options(options: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: o[k] for k in _OPTION_KEYS} for o in options]


def assignment_item(item: dict[str, Any]) -> dict[str, Any]:
    """One item of a practice spec with everything that marks it left out (an allow-list, not a deny-list)."""
    out = {k: item[k] for k in _ITEM_KEYS}
    if "data" in item:  # a trend item's table: data to read, nothing that marks it
        out["data"] = {k: item["data"][k] for k in ("caption", "columns", "rows", "source")}
    t = item["type"]
    if t in ("single", "sata"):
        out["options"] = _options(item["options"])
    elif t == "numeric":
        a = item["answer"]
        out["answer"] = {"unit": a["unit"], "unit_aliases": list(a["unit_aliases"]), "rounding": a["rounding"]}
    elif t == "ordered":
        by_id = {o["id"]: o for o in item["options"]}
        out["options"] = _options([by_id[i] for i in item["display"]])  # listed in the scrambled order only
        out["display"] = list(item["display"])
    elif t in ("matrix", "matrix_multi"):
        out["columns"] = _options(item["columns"])
        out["rows"] = _options(item["rows"])
    elif t in ("cloze", "dropdown_rationale"):
        out["parts"] = [dict(p) for p in item["parts"]]
        out["blanks"] = [{"id": b["id"], "options": _options(b["options"])} for b in item["blanks"]]
    elif t == "bowtie":
        out["groups"] = [{"id": g["id"], "label": g["label"], "choose": g["choose"], "options": _options(g["options"])}
                         for g in item["groups"]]
    elif t == "highlight":
        if "table" in item:
            table = item["table"]
            out["table"] = {"caption": table["caption"], "columns": list(table["columns"]),
                            "rows": [{**{k: r[k] for k in _OPTION_KEYS}, "cells": list(r["cells"])}
                                     for r in table["rows"]]}
        else:
            out["parts"] = [dict(p) for p in item["parts"]]
            out["spans"] = _options(item["spans"])
    else:  # pragma: no cover - a new item type must be added here before it can be assigned
        raise ValueError(f"item type '{t}' has no assignment form")
    return out


def assignment_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """The spec of an assignment quiz: ``mode: assignment`` and items without their key."""
    return {"version": spec["version"], "id": spec["id"], "chapter": spec["chapter"], "title": spec["title"],
            "mode": "assignment", "outcomes": dict(spec["outcomes"]),
            "items": [assignment_item(i) for i in spec["items"]]}


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
    return Quiz(assignment_spec(_spec.build(bank, title=chosen.title)), bank)


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
             "2. Answer every question and press **Save answer** for each one. This is an assignment: the quiz "
             "saves your answers but does not mark them; you can change an answer until you hand in.\n"
             "3. At the end, type your name and press **Save my results file**, then hand in the file it names.\n\n"
             "Your instructor marks the answers after collecting them and sends you feedback.")
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
    if assignment.bank_dir is not None:
        raise ValueError(f"a student notebook reads its questions from the course package on the student's "
                         f"computer, where the private banks in {assignment.bank_dir} are not (and should not be): "
                         "export questions from a private bank as canvas, moodle-xml, gift, html or pdf")
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
