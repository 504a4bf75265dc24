"""The order a learner sees: options shuffled per item, the same in every rendering, on every run.

Every rendering (the book's quiz, JupyterLab, print, the paper and PDF sheets, the assignment notebook, the Canvas
and GIFT exports) shows an item's options in the order :func:`shuffled` gives, derived from the item's id (and the
blank's or group's id) alone: a reload does not reshuffle, a printed sheet and the screen agree, and an answer key
can name options by letter. The bank keeps the authored order; the key's displayed position then depends on the
id, not on where the author wrote it (authors tend to write the key first).

What is shuffled: the options of single and select-all items, each cloze or drop-down rationale blank and each
bow-tie group. What is not: matrix columns (a logical scale), rows, highlight parts (they are the passage or the
table), and ordered steps, which start from their own scrambled order (:func:`display_order`, never the right one).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import TypeVar

from .schema import Ordered

T = TypeVar("T")


def _seed(*parts: object) -> int:
    return int(hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:12], 16)


def shuffled(item_id: str, options: Sequence[T], key: str = "") -> list[T]:
    """``options`` in the item's fixed display order (``key`` names the blank or group within the item)."""
    out = list(options)
    random.Random(_seed("options", item_id, key)).shuffle(out)
    return out


def display_order(item: Ordered) -> list[str]:
    """A fixed scrambled order for an ordered item (from its id), never the correct order."""
    ids = [o.id for o in item.options]
    order = ids[:]
    random.Random(_seed("order", item.id)).shuffle(order)
    if order == ids:
        order = ids[1:] + ids[:1]
    return order
