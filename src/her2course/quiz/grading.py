"""Grading, the authoritative copy. ``static/quiz.js`` implements the same rules; both run tests/quiz_vectors.json.

Responses (JSON shapes, as the front end sends them):

- single ``"option-id"``; sata ``["id", ...]``; numeric ``"5.4 mg/kg"`` (the learner's text) or a number;
- ordered ``["id", ...]`` (every step, in the learner's order); matrix ``{row-id: column-id}``;
- cloze ``{blank-id: option-id}``; bowtie ``{group-id: ["option-id", ...]}``;
- highlight ``["part-id", ...]`` (spans of the text or rows of the table, as sata);
- matrix_multi ``{row-id: ["column-id", ...]}``; dropdown_rationale ``{blank-id: option-id}`` (as cloze).

Scoring rules (NCSBN's 0/1, +/- and rationale rules; see the schema's docstring for the sources):
single, numeric, ordered 0/1 (one point); matrix, cloze, bowtie 0/1 per row, blank or choice; sata and highlight
+/- over the item; matrix_multi +/- within each row (floor 0 per row), summed; dropdown_rationale by pairs: a dyad
scores 1 when both drop-downs are right, a triad 1 for claim and first reason right plus 1 for claim and second
reason right.

A result has a status (correct, partial, incorrect, or invalid: an answer that cannot be scored yet, with a
message saying what to do; it is never counted wrong), a score out of max, and marks: one (key, correct) per
chosen option, row, blank, step position or recognised numeric distractor, whose rationales the learner sees.

``grade`` is total: any JSON value, as a response to any item type, gives a result and never an exception
(tests/test_quiz_grading.py runs tens of thousands of generated responses through both graders).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from .schema import (
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


@dataclass(frozen=True)
class Mark:
    key: str
    correct: bool


@dataclass(frozen=True)
class Result:
    status: str  # correct | partial | incorrect | invalid
    score: int = 0
    max: int = 0
    message: str = ""
    marks: tuple[Mark, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "score": self.score,
            "max": self.max,
            "message": self.message,
            "marks": [{"key": m.key, "correct": m.correct} for m in self.marks],
        }


def _invalid(max_: int, message: str) -> Result:
    return Result("invalid", 0, max_, message)


def _scored(score: int, max_: int, marks: list[Mark]) -> Result:
    score = max(0, min(score, max_))
    status = "correct" if score == max_ else ("partial" if score > 0 else "incorrect")
    return Result(status, score, max_, "", tuple(marks))


def max_score(item: Item) -> int:
    if isinstance(item, Sata):
        return sum(o.correct for o in item.options)
    if isinstance(item, Matrix):
        return len(item.rows)
    if isinstance(item, Cloze):
        return len(item.blanks)
    if isinstance(item, Bowtie):
        return sum(g.choose for g in item.groups)
    if isinstance(item, Highlight):
        return sum(correct for _, _, correct, _ in item.parts())
    if isinstance(item, MatrixMulti):
        return sum(len(r.answers) for r in item.rows)
    if isinstance(item, DropdownRationale):
        return len(item.blanks) - 1
    return 1


def _str_list(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return value


def _str_map(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _choice(answers: dict[str, Any], key: str) -> str | None:
    """The option id a learner gave for one row or blank; None when it is missing or not a string (a list, a
    number, an object: never hashed or compared as if it were an id)."""
    value = answers.get(key)
    return value if isinstance(value, str) else None


NOT_AN_OPTION = "That answer is not one of the options. Choose again."


def _plus_minus(options: list[tuple[str, bool]], response: Any, top: int, empty: str) -> Result:
    """Select-all scoring: +1 per right choice, -1 per wrong one, never below 0 (sata, highlight)."""
    chosen = _str_list(response)
    if chosen is None and response is not None:
        return _invalid(top, NOT_AN_OPTION)
    chosen_set = set(chosen or [])
    if not chosen_set:
        return _invalid(top, empty)
    if not chosen_set <= {oid for oid, _ in options}:
        return _invalid(top, NOT_AN_OPTION)
    marks = [Mark(oid, correct) for oid, correct in options if oid in chosen_set]
    return _scored(sum(1 if m.correct else -1 for m in marks), top, marks)


def grade(item: Item, response: Any) -> Result:
    """Score one response to one item. Total: any JSON value (and any other Python value) gives a result; a
    response of the wrong shape is 'invalid' with a message, never an exception."""
    top = max_score(item)
    if isinstance(item, Single):
        if response is None or (isinstance(response, str | list) and len(response) == 0):
            return _invalid(top, "Choose an answer before checking.")
        chosen = next((o for o in item.options if isinstance(response, str) and o.id == response), None)
        if chosen is None:
            return _invalid(top, NOT_AN_OPTION)
        return _scored(int(chosen.correct), top, [Mark(chosen.id, chosen.correct)])

    if isinstance(item, Sata):
        return _plus_minus([(o.id, o.correct) for o in item.options], response, top,
                           "Select at least one option before checking.")

    if isinstance(item, Highlight):
        return _plus_minus([(pid, correct) for pid, _, correct, _ in item.parts()], response, top,
                           "Select at least one part before checking.")

    if isinstance(item, Numeric):
        return _grade_numeric(item, response)

    if isinstance(item, Ordered):
        order = _str_list(response)
        ids = [o.id for o in item.options]
        if order is None or sorted(order) != sorted(ids):
            return _invalid(top, "Place every step in the list before checking.")
        marks = [Mark(step, step == ids[i]) for i, step in enumerate(order)]
        return _scored(int(order == ids), top, marks)

    if isinstance(item, Matrix):
        answers = _str_map(response) or {}
        columns = {c.id for c in item.columns}
        done = [r for r in item.rows if _choice(answers, r.id) in columns]
        if len(done) < len(item.rows):
            return _invalid(top, f"Choose one answer in every row ({len(done)} of {len(item.rows)} done).")
        marks = [Mark(r.id, answers[r.id] == r.answer) for r in item.rows]
        return _scored(sum(m.correct for m in marks), top, marks)

    if isinstance(item, MatrixMulti):
        answers = _str_map(response) or {}
        columns = {c.id for c in item.columns}
        picked: dict[str, set[str]] = {}
        for r in item.rows:
            given = _str_list(answers.get(r.id))
            if given and set(given) <= columns:
                picked[r.id] = set(given)
            elif given:
                return _invalid(top, NOT_AN_OPTION)
        if len(picked) < len(item.rows):
            return _invalid(top, f"Choose at least one answer in every row ({len(picked)} of {len(item.rows)} "
                                 "done).")
        marks, score = [], 0
        for r in item.rows:
            row = [Mark(f"{r.id}:{c.id}", c.id in r.answers) for c in item.columns if c.id in picked[r.id]]
            marks += row
            score += max(0, sum(1 if m.correct else -1 for m in row))
        return _scored(score, top, marks)

    if isinstance(item, Cloze | DropdownRationale):
        answers = _str_map(response) or {}
        marks = []
        for blank in item.blanks:
            given = _choice(answers, blank.id)
            choice = next((o for o in blank.options if o.id == given), None)
            if choice is not None:
                marks.append(Mark(choice.id, choice.correct))
        if len(marks) < len(item.blanks):
            return _invalid(top, f"Choose an option for every blank ({len(marks)} of {len(item.blanks)} done).")
        if isinstance(item, DropdownRationale):  # rationale scoring: the claim pairs with each reason
            claim, *reasons = marks
            return _scored(sum(claim.correct and m.correct for m in reasons), top, marks)
        return _scored(sum(m.correct for m in marks), top, marks)

    if isinstance(item, Bowtie):
        answers = _str_map(response) or {}
        marks = []
        for group in item.groups:
            picked = _str_list(answers.get(group.id)) or []
            picked_set = set(picked)
            valid = {o.id for o in group.options}
            if not picked_set <= valid:
                return _invalid(top, NOT_AN_OPTION)
            if len(picked_set) != group.choose:
                return _invalid(top, f"Choose {group.choose} for \u201c{group.label}\u201d ({len(picked_set)} chosen).")
            marks += [Mark(o.id, o.correct) for o in group.options if o.id in picked_set]
        return _scored(sum(m.correct for m in marks), top, marks)

    raise TypeError(f"unknown item type {type(item).__name__}")  # pragma: no cover


# ---------------------------------------------------------------------------------------------- numeric answers

# ASCII digits only ([0-9], not \d), so that Python and JavaScript read exactly the same strings. Every pattern
# below is unambiguous (no two ways to split the same digits), so matching is linear in the length of the answer;
# answers longer than MAX_ANSWER_LENGTH get a message before any pattern runs.
_NUMBER_START = re.compile(r"([+-]?)([0-9.,]+)[ \t]*(.*)", re.S)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_PLAIN = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")
_DIGIT = re.compile(r"[0-9]")
EPS = 1e-9
MAX_ANSWER_LENGTH = 100

# The white space both graders trim and ignore in units: Python's str.isspace() set and JavaScript's \s, united,
# spelled out so that neither language's own definition decides (quiz.js has the same list).
WHITESPACE = ("\t\n\v\f\r \x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
              "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
_WHITESPACE_RUN = re.compile("[" + re.escape(WHITESPACE) + "]+")


@dataclass(frozen=True)
class Parsed:
    value: float | None = None
    unit: str = ""
    message: str = ""


def _unit_key(unit: str) -> str:
    return _WHITESPACE_RUN.sub("", unit).lower().replace("\u00b5", "u").replace("\u03bc", "u")


NUMBER_HINT = "Type a number, for example 5.4 (a comma for the decimal point also works)."
EMPTY = "Type your answer before checking."
NOT_A_NUMBER = f"That is not a number. {NUMBER_HINT}"
TOO_LONG = (f"That answer is too long to read as a number (more than {MAX_ANSWER_LENGTH} characters). "
            "Type the number only, for example 5.4.")


def parse_number(text: Any) -> Parsed:
    """Read a learner's number: '5.4', '5,4', ' 5.4 mg/kg', '1,250', '-0.5', or a JSON number (5.4).
    Return a message when it cannot. Linear in the length of the text, and capped."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        return Parsed(message=EMPTY)
    if not isinstance(text, str):
        try:
            value = float(text)
        except OverflowError:  # an integer beyond the range of a double, as JavaScript's Infinity
            value = math.inf
        return Parsed(value=value) if math.isfinite(value) else Parsed(message=NOT_A_NUMBER)
    s = text.strip(WHITESPACE).replace("\u2212", "-")
    if not s:
        return Parsed(message=EMPTY)
    if len(s) > MAX_ANSWER_LENGTH:
        return Parsed(message=TOO_LONG)
    return read_number(s)


def read_number(s: str) -> Parsed:
    """The reading itself, on trimmed non-empty text, without the length cap (tests run it on very long text)."""
    m = _NUMBER_START.fullmatch(s)
    if not m or not _DIGIT.search(m.group(2)):
        return Parsed(message=NOT_A_NUMBER)
    sign, raw, unit = ("-" if m.group(1) == "-" else ""), m.group(2), m.group(3).strip(WHITESPACE)
    if "," in raw and "." in raw:
        if not _GROUPED.fullmatch(raw):
            return Parsed(message="That number mixes commas and points in a way that cannot be read. "
                                  "Use one decimal point and no thousands separator, for example 1250.5.")
        raw = raw.replace(",", "")
    elif raw.count(",") > 1:
        if not _GROUPED.fullmatch(raw):
            return Parsed(message=NOT_A_NUMBER)
        raw = raw.replace(",", "")
    elif raw.count(",") == 1:
        whole, frac = raw.split(",")
        if len(frac) == 3 and whole not in ("", "0"):
            return Parsed(message=f"\u201c{raw}\u201d could mean {whole}{frac} or {whole}.{frac}. "
                                  "Type it without the comma, or with a point for decimals.")
        raw = raw.replace(",", ".")
    if not _PLAIN.fullmatch(raw):
        return Parsed(message=NOT_A_NUMBER)
    return Parsed(value=float(sign + raw), unit=unit)


def _grade_numeric(item: Numeric, response: Any) -> Result:
    parsed = parse_number(response)
    if parsed.value is None:
        return _invalid(1, parsed.message)
    ans = item.answer
    if parsed.unit:
        accepted = {_unit_key(u) for u in [ans.unit, *ans.unit_aliases] if u}
        if _unit_key(parsed.unit) not in accepted:
            if not ans.unit:
                return _invalid(1, f"Type the number only, without \u201c{parsed.unit}\u201d.")
            return _invalid(1, f"This answer is asked in {ans.unit}; you typed \u201c{parsed.unit}\u201d. "
                               f"Type the number in {ans.unit}.")
    value = parsed.value
    if not math.isfinite(value):
        return _invalid(1, NOT_A_NUMBER)
    if abs(value - ans.value) <= ans.tolerance + EPS:
        return _scored(1, 1, [])
    marks = [Mark(f"d{i + 1}", False) for i, d in enumerate(item.distractors)
             if abs(value - d.value) <= ans.tolerance + EPS]
    return _scored(0, 1, marks[:1])
