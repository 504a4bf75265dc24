"""The question-bank schema: one pydantic model per item type, validated field by field.

A bank is one YAML file per chapter (``data/questions/<chapter-id>.yaml``)::

    chapter: 01-her2-biology
    title: Check your understanding
    learning_outcomes: {LO1.1: Describe ..., ...}
    items: [ {id, type, stem, ..., explanation, learning_outcome, cjmm_step, difficulty, reference, tags}, ...]

Item types and the fields they add:

- ``single``  options [{id, text, correct, rationale}], exactly one correct.
- ``sata``    options as above, at least one correct (NGN +/- scoring).
- ``numeric`` answer {value, tolerance, unit, unit_aliases, rounding}, rationale (the worked solution),
  distractors [{value, rationale}] (common wrong results, explained when a learner gives one).
- ``ordered`` options [{id, text, rationale}] written in the correct order (the learner sees them shuffled).
- ``matrix``  columns [{id, text}], rows [{id, text, answer: column id, rationale}] (one choice per row).
- ``cloze``   text with ``{{blank-id}}`` placeholders, blanks [{id, options: [{id, text, correct, rationale}]}].
- ``bowtie``  groups: three of them (actions to take, the condition, parameters to monitor), each
  {id, label, choose, options [{id, text, correct, rationale}]} with exactly ``choose`` correct options.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

ID = r"^[a-z0-9]+([-_.][a-z0-9]+)*$"
CJMM_STEPS = (
    "recognize_cues",
    "analyze_cues",
    "prioritize_hypotheses",
    "generate_solutions",
    "take_action",
    "evaluate_outcomes",
)
CJMM_LABELS = {
    "recognize_cues": "Recognize cues",
    "analyze_cues": "Analyze cues",
    "prioritize_hypotheses": "Prioritize hypotheses",
    "generate_solutions": "Generate solutions",
    "take_action": "Take action",
    "evaluate_outcomes": "Evaluate outcomes",
}
ITEM_TYPES = ("single", "sata", "numeric", "ordered", "matrix", "cloze", "bowtie")
TYPE_LABELS = {
    "single": "Choose the one best answer.",
    "sata": "Select all that apply.",
    "numeric": "Type a number.",
    "ordered": "Put the steps in order.",
    "matrix": "Choose one answer in each row.",
    "cloze": "Choose an option for each blank.",
    "bowtie": "Complete the bow-tie.",
}
BLANK = re.compile(r"\{\{\s*([a-z0-9]+(?:[-_.][a-z0-9]+)*)\s*\}\}")

Text = Annotated[str, Field(min_length=1)]
Rationale = Annotated[str, Field(min_length=3, description="why this option is right or wrong")]


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


Keys = Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_as_list), Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Strict):
    """An option that is right or wrong (single, sata, cloze blanks, bow-tie groups)."""

    id: str = Field(pattern=ID)
    text: Text
    correct: bool = False
    rationale: Rationale


class Step(_Strict):
    id: str = Field(pattern=ID)
    text: Text
    rationale: Rationale


class Column(_Strict):
    id: str = Field(pattern=ID)
    text: Text


class Row(_Strict):
    id: str = Field(pattern=ID)
    text: Text
    answer: str
    rationale: Rationale


class Blank(_Strict):
    id: str = Field(pattern=ID)
    options: list[Choice] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _one_correct(cls, options: list[Choice]) -> list[Choice]:
        return _exactly_one_correct(options, "a blank")


class Group(_Strict):
    id: str = Field(pattern=ID)
    label: Text
    choose: int = Field(ge=1)
    options: list[Choice] = Field(min_length=2)

    @model_validator(mode="after")
    def _counts(self) -> Group:
        n = sum(o.correct for o in self.options)
        if n != self.choose:
            raise ValueError(f"group '{self.id}' must have exactly {self.choose} correct option(s), found {n}")
        if self.choose >= len(self.options):
            raise ValueError(f"group '{self.id}' needs more options than it asks the learner to choose")
        return self


class NumericAnswer(_Strict):
    value: float
    tolerance: float = Field(ge=0)
    unit: str = ""
    unit_aliases: list[str] = []
    rounding: Text = Field(description="the rounding rule stated to the learner, e.g. 'Round to one decimal place.'")


class Distractor(_Strict):
    value: float
    rationale: Rationale


def _unique_ids(entries: list) -> None:
    seen: set[str] = set()
    for e in entries:
        if e.id in seen:
            raise ValueError(f"option id '{e.id}' is used twice")
        seen.add(e.id)


def _exactly_one_correct(options: list, what: str) -> list:
    """Unique option ids and exactly one correct option (single-best-answer items and cloze blanks)."""
    _unique_ids(options)
    n = sum(o.correct for o in options)
    if n != 1:
        raise ValueError(f"{what} needs exactly one correct option, found {n}")
    return options


class ItemBase(_Strict):
    id: str = Field(pattern=ID)
    type: str
    stem: Text
    explanation: Text
    learning_outcome: Text
    cjmm_step: Literal[CJMM_STEPS]  # type: ignore[valid-type]
    difficulty: Literal["easy", "medium", "hard"]
    reference: Keys
    tags: list[str] = []


class Single(ItemBase):
    type: Literal["single"]
    options: list[Choice] = Field(min_length=2)

    @field_validator("options")
    @classmethod
    def _exactly_one(cls, options: list[Choice]) -> list[Choice]:
        return _exactly_one_correct(options, "a single-best-answer item")


class Sata(ItemBase):
    type: Literal["sata"]
    options: list[Choice] = Field(min_length=3)

    @field_validator("options")
    @classmethod
    def _at_least_one(cls, options: list[Choice]) -> list[Choice]:
        _unique_ids(options)
        if not any(o.correct for o in options):
            raise ValueError("a select-all-that-apply item needs at least one correct option, found none")
        return options


class Numeric(ItemBase):
    type: Literal["numeric"]
    answer: NumericAnswer
    rationale: Rationale
    distractors: list[Distractor] = []


class Ordered(ItemBase):
    type: Literal["ordered"]
    options: list[Step] = Field(min_length=3, description="the steps, written in the correct order")

    @field_validator("options")
    @classmethod
    def _ids(cls, options: list[Step]) -> list[Step]:
        _unique_ids(options)
        return options


class Matrix(ItemBase):
    type: Literal["matrix"]
    columns: list[Column] = Field(min_length=2)
    rows: list[Row] = Field(min_length=2)

    @field_validator("columns", "rows")
    @classmethod
    def _ids(cls, entries: list) -> list:
        _unique_ids(entries)
        return entries

    @field_validator("rows")
    @classmethod
    def _answers(cls, rows: list[Row], info) -> list[Row]:
        columns = {c.id for c in info.data.get("columns", [])}
        if columns:
            for row in rows:
                if row.answer not in columns:
                    raise ValueError(f"row '{row.id}' answers '{row.answer}', which is not a column id")
        return rows


class Cloze(ItemBase):
    type: Literal["cloze"]
    text: Text = Field(description="the passage, with {{blank-id}} where each drop-down goes")
    blanks: list[Blank] = Field(min_length=1)

    @field_validator("blanks")
    @classmethod
    def _placed(cls, blanks: list[Blank], info) -> list[Blank]:
        _unique_ids(blanks)
        text = info.data.get("text")
        if text is None:
            return blanks
        placed = BLANK.findall(text)
        ids = [b.id for b in blanks]
        for b in ids:
            if placed.count(b) != 1:
                raise ValueError(f"blank '{b}' must appear exactly once in the text as {{{{{b}}}}}")
        for p in placed:
            if p not in ids:
                raise ValueError(f"the text has {{{{{p}}}}} but no blank with id '{p}'")
        ids_all = [o.id for b in blanks for o in b.options]
        if len(ids_all) != len(set(ids_all)):
            raise ValueError("option ids must be unique across all blanks")
        return blanks


class Bowtie(ItemBase):
    type: Literal["bowtie"]
    groups: list[Group] = Field(
        min_length=3, max_length=3, description="actions to take, the condition most likely, parameters to monitor"
    )

    @field_validator("groups")
    @classmethod
    def _ids(cls, groups: list[Group]) -> list[Group]:
        _unique_ids(groups)
        ids = [o.id for g in groups for o in g.options]
        if len(ids) != len(set(ids)):
            raise ValueError("option ids must be unique across the three groups")
        return groups


Item = Single | Sata | Numeric | Ordered | Matrix | Cloze | Bowtie
MODELS: dict[str, type[ItemBase]] = {
    "single": Single,
    "sata": Sata,
    "numeric": Numeric,
    "ordered": Ordered,
    "matrix": Matrix,
    "cloze": Cloze,
    "bowtie": Bowtie,
}


class BankHeader(_Strict):
    chapter: str = Field(pattern=ID)
    title: str = "Check your understanding"
    learning_outcomes: dict[str, str] = {}
    # each outcome's NCLEX-RN, AACN and QSEN categories; checked against data/frameworks.yaml by her2course.outcomes
    outcome_map: dict[str, dict] = {}
    items: list[dict] = Field(min_length=1)
