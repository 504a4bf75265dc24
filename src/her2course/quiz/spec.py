"""The JSON spec the front end renders: the selected items, in order, with their Markdown already made safe HTML.

Grading-relevant fields keep the names and shapes of the bank (ids, ``correct``, ``answer``, ``rows[].answer``,
``groups[].choose``; ordered items list their steps in the correct order plus a ``display`` order), so the
front-end grader reads bank items and spec items alike. Nothing here is random: a shuffle uses a seeded
generator, and the order an ordered item starts in is derived from its id.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from typing import Any

from ..references import bibliography
from . import markup
from .bank import Bank
from .grading import max_score
from .schema import (
    BLANK,
    CJMM_LABELS,
    TYPE_LABELS,
    Bowtie,
    Choice,
    Cloze,
    Item,
    Matrix,
    Numeric,
    Ordered,
    Sata,
    Single,
)

SPEC_VERSION = 1


def select(bank: Bank, ids: Iterable[str] | None = None, tags: Iterable[str] | None = None) -> list[Item]:
    """Items by id (in the order given) or by tag (any of them, bank order); the whole bank by default."""
    if ids is not None:
        return [bank.item(i) for i in ids]
    items = list(bank.items)
    if tags is not None:
        wanted = set(tags)
        items = [it for it in items if wanted & set(it.tags)]
        if not items:
            raise ValueError(f"no question in {bank.path.name} has any of the tags {sorted(wanted)}")
    return items


def _digest(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()


def display_order(item: Ordered) -> list[str]:
    """A fixed scrambled order for an ordered item (from its id), never the correct order."""
    ids = [o.id for o in item.options]
    rng = random.Random(int(_digest("order", item.id)[:12], 16))
    order = ids[:]
    rng.shuffle(order)
    if order == ids:
        order = ids[1:] + ids[:1]
    return order


def _choices(options: Sequence[Choice]) -> list[dict[str, Any]]:
    return [{"id": o.id, "html": markup.inline(o.text), "label": markup.plain(o.text), "correct": o.correct,
             "rationale": markup.block(o.rationale)} for o in options]


def _sources(keys: Sequence[str]) -> str:
    try:
        bib = bibliography()
        return "; ".join(bib.short(k) if k in bib else k for k in keys)
    except Exception:  # an installed package without the book's bibliography
        return "; ".join(keys)


def item_spec(item: Item, number: int, rng: random.Random | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "number": number,
        "instruction": TYPE_LABELS[item.type],
        "stem": markup.block(item.stem),
        "explanation": markup.block(item.explanation),
        "learning_outcome": item.learning_outcome,
        "cjmm_step": item.cjmm_step,
        "cjmm_label": CJMM_LABELS[item.cjmm_step],
        "difficulty": item.difficulty,
        "reference": list(item.reference),
        "sources": _sources(item.reference),
        "max": max_score(item),
    }
    if isinstance(item, Single | Sata):
        options = list(item.options)
        if rng is not None:
            rng.shuffle(options)
        out["options"] = _choices(options)
    elif isinstance(item, Numeric):
        a = item.answer
        out["answer"] = {"value": a.value, "tolerance": a.tolerance, "unit": a.unit,
                         "unit_aliases": list(a.unit_aliases), "rounding": a.rounding}
        out["rationale"] = markup.block(item.rationale)
        out["distractors"] = [{"value": d.value, "rationale": markup.block(d.rationale)} for d in item.distractors]
    elif isinstance(item, Ordered):
        out["options"] = [{"id": o.id, "html": markup.inline(o.text), "label": markup.plain(o.text),
                           "rationale": markup.block(o.rationale)} for o in item.options]
        out["display"] = display_order(item)
    elif isinstance(item, Matrix):
        out["columns"] = [{"id": c.id, "html": markup.inline(c.text), "label": markup.plain(c.text)}
                          for c in item.columns]
        out["rows"] = [{"id": r.id, "html": markup.inline(r.text), "label": markup.plain(r.text), "answer": r.answer,
                        "rationale": markup.block(r.rationale)} for r in item.rows]
    elif isinstance(item, Cloze):
        parts: list[dict[str, str]] = []
        pos = 0
        for m in BLANK.finditer(item.text):
            if m.start() > pos:
                parts.append({"html": markup.inline(item.text[pos:m.start()])})
            parts.append({"blank": m.group(1)})
            pos = m.end()
        if pos < len(item.text):
            parts.append({"html": markup.inline(item.text[pos:])})
        out["parts"] = parts
        out["blanks"] = [{"id": b.id, "options": _choices(b.options)} for b in item.blanks]
    elif isinstance(item, Bowtie):
        out["groups"] = [{"id": g.id, "label": markup.plain(g.label), "choose": g.choose,
                          "options": _choices(g.options)} for g in item.groups]
    return out


def quiz_id(chapter: str, ids: Sequence[str] | None, tags: Sequence[str] | None,
            shuffle: bool, seed: int | None) -> str:
    """A stable id: the chapter alone for the whole bank, else the chapter plus a short digest of the selection."""
    if ids is None and tags is None and not shuffle:
        return chapter
    return f"{chapter}-{_digest(ids, tags, shuffle, seed)[:8]}"


def build(bank: Bank, *, ids: Sequence[str] | None = None, tags: Sequence[str] | None = None,
          shuffle: bool = False, seed: int | None = None, title: str | None = None) -> dict[str, Any]:
    items = select(bank, ids, tags)
    rng: random.Random | None = None
    if shuffle:
        rng = random.Random(seed if seed is not None else int(_digest("shuffle", bank.chapter)[:12], 16))
        rng.shuffle(items)
    used = {it.learning_outcome for it in items}
    return {
        "version": SPEC_VERSION,
        "id": quiz_id(bank.chapter, ids, tags, shuffle, seed),
        "chapter": bank.chapter,
        "title": title or bank.title,
        "outcomes": {k: v for k, v in bank.learning_outcomes.items() if k in used},
        "items": [item_spec(it, n, rng) for n, it in enumerate(items, start=1)],
    }
