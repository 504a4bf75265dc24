"""A generated class: hand-ins of simulated students, for the worked example of item analysis and for its tests.

Each student has an ability theta (standard normal); each item a difficulty b and a slope a. The chance of getting
an item (or one part of it: a row, a blank, an option of a select-all item, a bow-tie choice) right is the
logistic ``1 / (1 + exp(-a (theta - b)))``: with a = 1 for every item this is the Rasch model; a = 0 gives an item
that does not tell stronger from weaker students, and a negative slope an item that works backwards (as a wrong
key would). A wrong answer picks a distractor, the earlier options a little more often, so that option counts
differ. Everything is drawn from one seeded generator: the same arguments give the same class.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..exports.common import number
from ..exports.selection import Assignment
from ..quiz.schema import Bowtie, Cloze, Item, Matrix, Numeric, Ordered, Sata, Single
from .gradebook import Collected, mark
from .handin import SCHEMA, SCHEMA_VERSION, validate


@dataclass(frozen=True)
class ItemModel:
    difficulty: float = 0.0
    slope: float = 1.0


def chance(theta: float, model: ItemModel) -> float:
    return 1.0 / (1.0 + math.exp(-model.slope * (theta - model.difficulty)))


def _wrong(rng: random.Random, options: Sequence[Any]) -> Any:
    """A distractor, earlier ones a little more often (weights n, n-1, ..., 1)."""
    weights = list(range(len(options), 0, -1))
    return rng.choices(list(options), weights=weights)[0]


def response(item: Item, theta: float, model: ItemModel, rng: random.Random) -> Any:
    """One simulated student's answer to one item, in the course's response format."""
    def ok() -> bool:
        return rng.random() < chance(theta, model)

    if isinstance(item, Single):
        right = next(o.id for o in item.options if o.correct)
        return right if ok() else _wrong(rng, [o.id for o in item.options if not o.correct])
    if isinstance(item, Sata):
        picked = [o.id for o in item.options if (ok() if o.correct else not ok() and rng.random() < 0.5)]
        return picked or [_wrong(rng, [o.id for o in item.options])]
    if isinstance(item, Numeric):
        if ok():
            return f"{number(item.answer.value)} {item.answer.unit}".strip()
        if item.distractors and rng.random() < 0.75:
            return number(_wrong(rng, item.distractors).value)
        return number(item.answer.value * 1.5 + 1)
    if isinstance(item, Ordered):
        ids = [o.id for o in item.options]
        return ids if ok() else [ids[1], ids[0], *ids[2:]]
    if isinstance(item, Matrix):
        return {r.id: r.answer if ok() else _wrong(rng, [c.id for c in item.columns if c.id != r.answer])
                for r in item.rows}
    if isinstance(item, Cloze):
        return {b.id: next(o.id for o in b.options if o.correct) if ok()
                else _wrong(rng, [o.id for o in b.options if not o.correct]) for b in item.blanks}
    if isinstance(item, Bowtie):
        out = {}
        for g in item.groups:
            right = [o.id for o in g.options if o.correct]
            wrong = [o.id for o in g.options if not o.correct]
            picks: list[str] = []
            for _ in range(g.choose):
                pool = [x for x in (right if ok() else wrong) if x not in picks] or \
                       [x for x in right + wrong if x not in picks]
                picks.append(_wrong(rng, pool))
            out[g.id] = picks
        return out
    raise TypeError(f"no simulated answer for item type {item.type}")


def simulate(assignment: Assignment, students: int = 60, seed: int = 1,
             models: dict[str, ItemModel] | None = None) -> list[dict[str, Any]]:
    """Results records (the hand-in format) of ``students`` simulated students; ``models`` gives an item's
    difficulty and slope by id (default: difficulty 0, slope 1)."""
    rng = random.Random(seed)
    models = models or {}
    out = []
    width = len(str(students))
    for s in range(1, students + 1):
        theta = rng.gauss(0.0, 1.0)
        answers = {e.id: {"response": response(e.item, theta, models.get(e.id, ItemModel()), rng), "attempts": 1,
                          "revealed": False} for e in assignment.entries}
        out.append({"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "assignment": assignment.id,
                    "student": f"Student {s:0{width}d}", "exported_at": "", "answers": answers,
                    "theta": theta})
    return out


def collected(assignment: Assignment, records: Sequence[dict[str, Any]]) -> Collected:
    """The records marked as the collector marks hand-in files (without writing files)."""
    out = Collected(assignment)
    for n, record in enumerate(records, start=1):
        data = validate({k: v for k, v in record.items() if k != "theta"})
        row = mark(Path(f"results-{n:03d}.json"), data, assignment, 0.0)
        out.rows[row.key] = row
    return out


def write_class(folder: Path, records: Sequence[dict[str, Any]]) -> list[Path]:
    """The records as hand-in files in ``folder`` (what ``results collect`` and ``results analyze`` read)."""
    import json

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, record in enumerate(records, start=1):
        path = folder / f"results-{n:03d}.json"
        data = {k: v for k, v in record.items() if k != "theta"}
        path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
