"""Unfolding case studies (``data/cases/*.yaml``): six stages per case, one per clinical-judgment step.

Chapters call one function::

    from her2course.cases import case
    case("lvef-trastuzumab")      # stage by stage: data tables, a trend plot, then that stage's question

Each stage's question is a quiz-engine item (single, sata, matrix, cloze, ordered, bowtie, numeric), rendered and
graded by the quiz engine: live in JupyterLab, self-marking without a kernel in the book.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .loader import case_ids, load_case, parse_case, validate
from .schema import Case, Stage

if TYPE_CHECKING:
    from .render import CaseStudy

__all__ = ["Case", "CaseStudy", "Stage", "case", "case_ids", "case_quiz", "load_case", "parse_case", "validate"]


def case(case_id: str) -> CaseStudy:
    """The unfolding case ``case_id`` (or a path to a case file): a live widget in a kernel, static in the book."""
    from .render import case as _case

    return _case(case_id)


def case_quiz(case_id: str):
    """All six items of a case as one quiz (for answer keys and exports)."""
    from .render import case_quiz as _case_quiz

    return _case_quiz(case_id)


def __getattr__(name: str):
    if name == "CaseStudy":
        from .render import CaseStudy

        return CaseStudy
    raise AttributeError(name)
