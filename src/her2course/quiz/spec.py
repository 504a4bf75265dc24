"""The JSON spec the front end renders: the selected items, in order, with their Markdown already made safe HTML.

Grading-relevant fields keep the names and shapes of the bank (ids, ``correct``, ``answer``, ``rows[].answer``,
``rows[].answers``, ``groups[].choose``, ``spans``, ``table.rows``; ordered items list their steps in the correct
order plus a ``display`` order), so the front-end grader reads bank items and spec items alike. Options are listed
in their display order (:mod:`her2course.quiz.shuffle`: fixed per item id, the same in print and on paper), so
the front end shows them as they come. Nothing here is random: a shuffle of the items uses a seeded generator.
"""

from __future__ import annotations

import hashlib
import html
import random
import re
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
    DropdownRationale,
    Highlight,
    Item,
    Matrix,
    MatrixMulti,
    Numeric,
    Ordered,
    Row,
    Sata,
    Single,
    TrendData,
    cell_text,
)
from .shuffle import display_order, shuffled

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


def _choices(options: Sequence[Choice]) -> list[dict[str, Any]]:
    return [{"id": o.id, "html": markup.inline(o.text), "label": markup.plain(o.text), "correct": o.correct,
             "rationale": markup.block(o.rationale)} for o in options]


def text_parts(text: str) -> list[dict[str, str]]:
    """A passage with ``{{id}}`` placeholders as [{"html": ...}, {"blank": id}, ...] (a cloze's blanks, a highlight's
    spans): the front end and print put a control where each placeholder was."""
    parts: list[dict[str, str]] = []
    pos = 0
    for m in BLANK.finditer(text):
        if m.start() > pos:
            parts.append({"html": markup.inline_keep(text[pos:m.start()])})
        parts.append({"blank": m.group(1)})
        pos = m.end()
    if pos < len(text):
        parts.append({"html": markup.inline_keep(text[pos:])})
    return parts


def data_spec(data: TrendData) -> dict[str, Any]:
    """A trend item's table as plain text cells (the front end sets them as text, never as HTML)."""
    return {"caption": markup.plain(data.caption), "columns": [markup.plain(c) for c in data.columns],
            "rows": [[cell_text(c) for c in row] for row in data.rows], "source": data.source}


def _ws(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _sources(keys: Sequence[str]) -> str:
    try:
        bib = bibliography()
        return "; ".join(bib.short(k) if k in bib else k for k in keys)
    except Exception:  # an installed package without the book's bibliography
        return "; ".join(keys)


def item_spec(item: Item, number: int) -> dict[str, Any]:
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
    if item.data is not None:
        out["data"] = data_spec(item.data)
    if isinstance(item, Single | Sata):
        out["options"] = _choices(shuffled(item.id, item.options))
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
    elif isinstance(item, Matrix | MatrixMulti):
        out["columns"] = [{"id": c.id, "html": markup.inline(c.text), "label": markup.plain(c.text)}
                          for c in item.columns]
        out["rows"] = [{"id": r.id, "html": markup.inline(r.text), "label": markup.plain(r.text),
                        **({"answer": r.answer} if isinstance(r, Row) else {"answers": list(r.answers)}),
                        "rationale": markup.block(r.rationale)} for r in item.rows]
    elif isinstance(item, Cloze | DropdownRationale):
        out["parts"] = text_parts(item.text)
        out["blanks"] = [{"id": b.id, "options": _choices(shuffled(item.id, b.options, b.id))} for b in item.blanks]
    elif isinstance(item, Bowtie):
        out["groups"] = [{"id": g.id, "label": markup.plain(g.label), "choose": g.choose,
                          "options": _choices(shuffled(item.id, g.options, g.id))} for g in item.groups]
    elif isinstance(item, Highlight):
        if item.table is not None:
            t = item.table
            out["table"] = {"caption": markup.plain(t.caption), "columns": [markup.plain(c) for c in t.columns],
                            "rows": [{"id": pid, "cells": [cell_text(c) for c in r.cells], "label": _ws(text),
                                      "html": html.escape(_ws(text), quote=False), "correct": correct,
                                      "rationale": markup.block(why)}
                                     for r, (pid, text, correct, why) in zip(t.rows, item.parts(), strict=True)]}
        else:
            out["parts"] = text_parts(item.text or "")
            out["spans"] = _choices(item.spans)
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
        "items": [item_spec(it, n) for n, it in enumerate(items, start=1)],
    }
