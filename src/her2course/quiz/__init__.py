"""The quiz engine: question banks (``data/questions/*.yaml``), grading, the quiz widget and progress.

Chapters call one function::

    from her2course.quiz import quiz
    quiz("01-her2-biology")                      # the whole bank
    quiz("01-her2-biology", tags=["testing"])    # a selection by tag (or ids=[...]), optionally shuffle=True, seed=1
    my_progress()                                # the learner's progress per chapter (notebooks/my-progress.ipynb)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .bank import Bank, load_bank
from .grading import Result, grade, parse_number

if TYPE_CHECKING:
    from .widget import Quiz

__all__ = ["Bank", "Result", "grade", "load_bank", "my_progress", "parse_number", "quiz"]


def my_progress():
    """The learner's quiz progress per chapter: a live table in JupyterLab, this browser's answers in the book."""
    from .progressview import my_progress as _my_progress

    return _my_progress()


def quiz(
    chapter: str | Path,
    *,
    ids: Sequence[str] | None = None,
    tags: Sequence[str] | None = None,
    shuffle: bool = False,
    seed: int | None = None,
    title: str | None = None,
) -> Quiz:
    """The quiz for a chapter id (or a bank file): a live widget in a kernel, a self-marking quiz in the book."""
    from . import spec as _spec
    from .widget import Quiz

    bank = load_bank(chapter)
    built = _spec.build(bank, ids=list(ids) if ids is not None else None,
                        tags=list(tags) if tags is not None else None, shuffle=shuffle, seed=seed, title=title)
    return Quiz(built, bank)
