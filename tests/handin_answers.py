"""Right and wrong answers to bank items (schema objects), shared by the hand-in and assignment tests."""

from __future__ import annotations

from typing import Any

from her2course.quiz.schema import Bowtie, Cloze, Item, Matrix, Numeric, Ordered, Sata, Single


def right(item: Item) -> Any:
    if isinstance(item, Single):
        return next(o.id for o in item.options if o.correct)
    if isinstance(item, Sata):
        return [o.id for o in item.options if o.correct]
    if isinstance(item, Numeric):
        return f"{item.answer.value:g}"
    if isinstance(item, Ordered):
        return [o.id for o in item.options]
    if isinstance(item, Matrix):
        return {r.id: r.answer for r in item.rows}
    if isinstance(item, Cloze):
        return {b.id: next(o.id for o in b.options if o.correct) for b in item.blanks}
    if isinstance(item, Bowtie):
        return {g.id: [o.id for o in g.options if o.correct] for g in item.groups}
    raise AssertionError(item.type)


def wrong(item: Item) -> Any:
    """A scorable answer worth 0 points."""
    if isinstance(item, Single | Sata):
        bad = next(o.id for o in item.options if not o.correct)
        return bad if isinstance(item, Single) else [bad]
    if isinstance(item, Numeric):
        a = item.answer
        return f"{a.value + 1000 * (a.tolerance + 1):g}"
    if isinstance(item, Ordered):
        ids = [o.id for o in item.options]
        return ids[1:] + ids[:1]
    if isinstance(item, Matrix):
        cols = [c.id for c in item.columns]
        return {r.id: next(c for c in cols if c != r.answer) for r in item.rows}
    if isinstance(item, Cloze):
        return {b.id: next(o.id for o in b.options if not o.correct) for b in item.blanks}
    if isinstance(item, Bowtie):
        return {g.id: [o.id for o in g.options if not o.correct][: g.choose] for g in item.groups}
    raise AssertionError(item.type)
