"""``her2course check``: validate every data file of a course checkout and list every problem.

Besides each file's own validator: the question banks and cases the chapters use (their ``quiz("...")`` and
``case("...")`` calls) must exist, the folders of banks and cases must hold some, and a validator that fails in
an unexpected way is reported as a problem of its file rather than ending the check with a traceback.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import care, currency, drugs, glossary, outcomes, practice, reading, testing
from .cases import loader as case_loader
from .clinical import rules as clinical_rules
from .errors import DataError, Problem
from .paths import Layout
from .pathway import model as pathway_model
from .quiz import bank as quiz_bank
from .quiz import forms as quiz_forms
from .references import load_bibliography
from .teaching import activities, facilitator

# Each validator takes the layout and returns (valid items, problems). Add new data files here, one line each.
Validator = Callable[[Layout], tuple[Sequence[Any], list[Problem]]]

VALIDATORS: dict[str, Validator] = {
    "drugs": drugs.validate,
    "testing": testing.validate,
    "glossary": glossary.validate,
    "questions": quiz_bank.validate,
    "param_ranges": quiz_forms.validate_ranges,
    "pathway": pathway_model.validate,
    "clinical_rules": clinical_rules.validate,
    "cases": case_loader.validate,
    "timeline": practice.validate_timeline,
    "routing": practice.validate_routing,
    "monitoring": care.validate_monitoring,
    "diary": care.validate_diary,
    "changes": currency.validate_changes,
    "outcome_map": outcomes.validate,
    "facilitator": facilitator.validate,
    "activities": activities.validate,
    "course_shape": reading.validate,
}

# Folders of data files, and the calls in the chapters that name one of their files by id.
FOLDERS: dict[str, tuple[Callable[[Layout], Path], str]] = {
    "quiz": (quiz_bank.questions_dir, "question bank"),
    "case": (case_loader.cases_dir, "case"),
}


_MISSING_KEY = re.compile(r"reference key '.*' is not in ")


def run(layout: Layout) -> tuple[dict[str, int], list[Problem]]:
    counts: dict[str, int] = {}
    problems: list[Problem] = []
    try:
        load_bibliography(layout.bib)
        bib_read = True
    except DataError as exc:  # said once here; every key would otherwise be reported missing as well
        problems += exc.problems
        bib_read = False
    for name, validator in VALIDATORS.items():
        try:
            items, found = validator(layout)
        except DataError as exc:  # a validator that let a read error through (a missing bibliography, say)
            items, found = [], exc.problems
        except Exception as exc:  # never end the check with a traceback: say which validator could not finish
            items, found = [], [Problem(layout.data_dir, None, None,
                                        f"the {name} data could not be checked ({type(exc).__name__}: {exc})")]
        counts[name] = len(items)
        problems += found
    problems += folder_problems(layout) + chapter_problems(layout)
    if not bib_read:
        problems = [p for p in problems if not _MISSING_KEY.match(p.message)]
    return counts, _unique(problems)


def _unique(problems: list[Problem]) -> list[Problem]:
    """Each problem once (a missing bibliography is met by every validator), in the order first found."""
    seen: set[tuple[str, str | None, str | None, str]] = set()
    out = []
    for p in problems:
        key = (str(p.file), p.item, p.field, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def folder_problems(layout: Layout) -> list[Problem]:
    """A folder of banks or cases that is missing or empty."""
    out = []
    for folder_of, kind in FOLDERS.values():
        folder = folder_of(layout)
        if not folder.is_dir() or not any(folder.glob("*.yaml")):
            out.append(Problem(folder, None, None, f"no {kind} files: the folder is missing or holds no .yaml file"))
    return out


def chapter_problems(layout: Layout) -> list[Problem]:
    """Every bank and case a chapter notebook names (``quiz("02-drug-classes", ...)``, ``case("ild-tdxd")``)
    must exist; the problem names the missing file and the notebook that uses it."""
    if layout.notebooks is None or not layout.notebooks.is_dir():
        return []
    out = []
    for notebook in sorted(layout.notebooks.glob("*.ipynb")):
        try:
            cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError, AttributeError) as exc:
            out.append(Problem(notebook, None, None, f"cannot read the notebook ({exc})"))
            continue
        for call, name in _named_data(cells):
            folder_of, kind = FOLDERS[call]
            path = Path(name) if name.endswith((".yaml", ".yml")) else folder_of(layout) / f"{name}.yaml"
            if not path.is_file():
                out.append(Problem(path, None, None, f"file not found: the {kind} '{name}' is used by {notebook.name}"))
    return out


def _named_data(cells: list[Any]) -> list[tuple[str, str]]:
    """(call, first argument) of each ``quiz("...")`` or ``case("...")`` call with a literal string in the code."""
    found = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        try:
            tree = ast.parse("".join(source) if isinstance(source, list) else str(source))
        except SyntaxError:  # IPython magics: no data file is named there
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            call = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
            first = node.args[0]
            if call in FOLDERS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((call, first.value))
    return found
