"""Seeded generator of quiz responses for the grading property tests (tests/test_quiz_grading.py).

For an item it makes a mix of well-formed answers (every one must be scored, never 'invalid'), near misses (an
unknown id, a missing row, a list where a string belongs, a duplicated step, a number typed with a stray unit...)
and arbitrary JSON values. Everything is plain JSON (no NaN or Infinity), so the same responses can be handed to
quiz.js, which must grade each exactly as Python does.
"""

from __future__ import annotations

import random
from typing import Any

from her2course.quiz.grading import MAX_ANSWER_LENGTH, WHITESPACE
from her2course.quiz.schema import (
    Bowtie,
    Cloze,
    DropdownRationale,
    Highlight,
    Item,
    Matrix,
    MatrixMulti,
    Numeric,
    Ordered,
    Sata,
    Single,
)

# keys and ids that are members of Object.prototype in JavaScript, and other odd strings
ODD_KEYS = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "", " ", "0",
            "a b", "\u0000", "\u00e9", "null", "undefined", "length"]
UNIT_NOISE = ["mg", "MG", "mg/kg", "mg / kg", "m g", "kg", "%", "\u00b5g", "\u03bcg/kg", "mL", "ml/h", "points",
              "x", "5", "\u00a0mg", "mg\u2028", "\u0130", "\u03a3", "1/2"]


def odd_string(rng: random.Random) -> str:
    pick = rng.random()
    if pick < 0.4:
        return rng.choice(ODD_KEYS)
    alphabet = "abcxyz-_.019 ,\t\n\u00a0\u2212\u00b5\u03bc\ufeff\u2028/%<>&\"'"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))


def json_value(rng: random.Random, depth: int = 0) -> Any:
    """Any JSON value: null, booleans, numbers (finite), strings, lists and objects, nested up to 3 levels."""
    kind = rng.randint(0, 9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice([0, 1, -1, 2, 7, 10**20, -(10**16) - 1, rng.randint(-10**6, 10**6)])
    if kind == 3:
        return rng.choice([0.0, -0.0, 5.4, 1e-7, 1e21, 1.7976931348623157e308, 5e-324, rng.uniform(-1e4, 1e4)])
    if kind in (4, 5, 6):
        return odd_string(rng)
    if kind in (7, 8):
        return [json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {odd_string(rng): json_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def _number_text(rng: random.Random, value: float) -> str:
    """A number as a learner might type it: points or commas, grouping, signs, spaces, a unit or none."""
    places = rng.choice([0, 0, 1, 2, 3, 4])
    text = f"{abs(value):.{places}f}"
    style = rng.random()
    if style < 0.15 and "." in text:
        text = text.replace(".", ",")
    elif style < 0.3:
        whole, _, frac = text.partition(".")
        text = f"{int(whole):,}" + (f".{frac}" if frac else "")
    elif style < 0.35:
        text = text.replace(".", rng.choice(["..", ".,", ",", "", ". "]), 1)
    sign = "-" if value < 0 else rng.choice(["", "", "+", "\u2212"] if value > 0 else [""])
    if value < 0 and rng.random() < 0.2:
        sign = "\u2212"
    pad = lambda: "".join(rng.choice(WHITESPACE) for _ in range(rng.choice([0, 0, 0, 1, 2])))  # noqa: E731
    return pad() + sign + text + rng.choice(["", " ", "\t", "  "]) + pad()


def numeric_response(item: Numeric, rng: random.Random) -> tuple[Any, bool]:
    a = item.answer
    targets = [a.value, *(d.value for d in item.distractors)]
    near = rng.choice(targets) + rng.choice([0, 0, a.tolerance, -a.tolerance, a.tolerance / 2, 1, -1, 0.01, 10])
    pick = rng.random()
    if pick < 0.2:  # a JSON number
        return rng.choice([near, float(near), int(near), -near, round(near, 2)]), True
    if pick < 0.55:  # the learner's text, perhaps with a unit
        units = [u for u in [a.unit, *a.unit_aliases] if u]
        unit = ""
        roll = rng.random()
        if roll < 0.3 and units:
            unit = rng.choice(units)
            unit = rng.choice([unit, unit.upper(), unit.replace(" ", ""), f" {unit} "])
        elif roll < 0.45:
            unit = rng.choice(UNIT_NOISE)
        text = _number_text(rng, near)
        return text.rstrip() + (" " + unit if unit and rng.random() < 0.7 else unit), False
    if pick < 0.65:  # long text: the cap, and runs of digits that once made the parser backtrack
        n = rng.randint(MAX_ANSWER_LENGTH - 5, MAX_ANSWER_LENGTH * 3)
        return rng.choice(["1", "1,", ".", "1.", "9", " "]) * n + rng.choice(["", "..", "x", ",5", " mg"]), False
    if pick < 0.8:
        alphabet = "0123456789.,+-\u2212 \tmgk/%\u00b5\u03bce\u00a0"
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14))), False
    return json_value(rng), False


def _ids(options) -> list[str]:
    return [o.id for o in options]


def response_for(item: Item, rng: random.Random) -> tuple[Any, bool]:
    """(response, well_formed): a well-formed response answers every part with known ids and must be scored."""
    if isinstance(item, Numeric):
        return numeric_response(item, rng)
    roll = rng.random()
    if roll < 0.15:
        return json_value(rng), False
    well = roll < 0.6
    if isinstance(item, Single):
        ids = _ids(item.options)
        if well:
            return rng.choice(ids), True
        return rng.choice([odd_string(rng), [rng.choice(ids)], {rng.choice(ids): True}, "", [], None,
                           rng.randint(0, 3), rng.choice(ids) + " "]), False
    if isinstance(item, Sata | Highlight):
        ids = _ids(item.options) if isinstance(item, Sata) else [pid for pid, *_ in item.parts()]
        chosen = rng.sample(ids, rng.randint(1, len(ids)))
        if well:
            return chosen + rng.sample(chosen, rng.randint(0, len(chosen))), True  # repeats never matter
        spoil = rng.randint(0, 4)
        if spoil == 0:
            return [*chosen, odd_string(rng)], False
        if spoil == 1:
            return [], False
        if spoil == 2:
            return chosen[0], False
        if spoil == 3:
            return [*chosen, json_value(rng)], False
        return None, False
    if isinstance(item, Ordered):
        ids = _ids(item.options)
        order = rng.sample(ids, len(ids))
        if well:
            return order, True
        spoil = rng.randint(0, 3)
        if spoil == 0:
            return order[:-1], False
        if spoil == 1:
            return [*order[:-1], order[0]], False
        if spoil == 2:
            return [*order, odd_string(rng)], False
        return ["\u0000".join(order[:2]), *order[2:]], False
    if isinstance(item, Matrix):
        cols = _ids(item.columns)
        answers: dict[str, Any] = {r.id: rng.choice(cols) for r in item.rows}
        if not well:
            victim = rng.choice(item.rows).id
            spoil = rng.randint(0, 3)
            if spoil == 0:
                del answers[victim]
            elif spoil == 1:
                answers[victim] = rng.choice([[rng.choice(cols)], {rng.choice(cols): True}, 1, None, True])
            elif spoil == 2:
                answers[victim] = odd_string(rng)
            else:
                return list(answers.values()), False
        if rng.random() < 0.3:
            answers[rng.choice(ODD_KEYS)] = json_value(rng)  # extra keys are ignored
        return answers, well
    if isinstance(item, MatrixMulti):
        cols = _ids(item.columns)
        multi: dict[str, Any] = {r.id: rng.sample(cols, rng.randint(1, len(cols))) for r in item.rows}
        if not well:
            victim = rng.choice(item.rows).id
            spoil = rng.randint(0, 4)
            if spoil == 0:
                del multi[victim]
            elif spoil == 1:
                multi[victim] = []
            elif spoil == 2:
                multi[victim] = rng.choice([rng.choice(cols), {rng.choice(cols): True}, 1, None, [1]])
            elif spoil == 3:
                multi[victim] = [*multi[victim], odd_string(rng)]
            else:
                return list(multi.values()), False
        if rng.random() < 0.3:
            multi[rng.choice(ODD_KEYS)] = json_value(rng)
        return multi, well
    if isinstance(item, Cloze | DropdownRationale):
        answers = {b.id: rng.choice(_ids(b.options)) for b in item.blanks}
        if not well:
            victim = rng.choice(item.blanks).id
            spoil = rng.randint(0, 2)
            if spoil == 0:
                del answers[victim]
            elif spoil == 1:
                answers[victim] = rng.choice([[answers[victim]], {answers[victim]: 1}, 0, None])
            else:
                answers[victim] = odd_string(rng)
        if rng.random() < 0.3:
            answers[rng.choice(ODD_KEYS)] = json_value(rng)
        return answers, well
    if isinstance(item, Bowtie):
        picks: dict[str, Any] = {g.id: rng.sample(_ids(g.options), g.choose) for g in item.groups}
        if not well:
            g = rng.choice(item.groups)
            spoil = rng.randint(0, 4)
            if spoil == 0:
                picks[g.id] = picks[g.id][:-1]
            elif spoil == 1:
                picks[g.id] = picks[g.id] + [odd_string(rng)]
            elif spoil == 2:
                picks[g.id] = {i: True for i in picks[g.id]}
            elif spoil == 3:
                del picks[g.id]
            else:
                picks[g.id] = picks[g.id][0]
        return picks, well
    raise TypeError(type(item).__name__)  # pragma: no cover
