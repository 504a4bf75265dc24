"""``her2course check``: validate every data file of a course checkout and list every problem."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from . import care, drugs, glossary, outcomes, practice, testing
from .clinical import rules as clinical_rules
from .errors import Problem
from .paths import Layout
from .pathway import model as pathway_model
from .quiz import bank as quiz_bank

# Each validator takes the layout and returns (valid items, problems). Add new data files here, one line each.
Validator = Callable[[Layout], tuple[Sequence[Any], list[Problem]]]

VALIDATORS: dict[str, Validator] = {
    "drugs": drugs.validate,
    "testing": testing.validate,
    "glossary": glossary.validate,
    "questions": quiz_bank.validate,
    "pathway": pathway_model.validate,
    "clinical_rules": clinical_rules.validate,
    "cases": __import__("her2course.cases.loader", fromlist=["validate"]).validate,
    "timeline": practice.validate_timeline,
    "routing": practice.validate_routing,
    "monitoring": care.validate_monitoring,
    "diary": care.validate_diary,
    "outcome_map": outcomes.validate,
    "facilitator": __import__("her2course.teaching.facilitator", fromlist=["validate"]).validate,
    "activities": __import__("her2course.teaching.activities", fromlist=["validate"]).validate,
}


def run(layout: Layout) -> tuple[dict[str, int], list[Problem]]:
    counts: dict[str, int] = {}
    problems: list[Problem] = []
    for name, validator in VALIDATORS.items():
        items, found = validator(layout)
        counts[name] = len(items)
        problems += found
    return counts, problems
