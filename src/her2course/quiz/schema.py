"""The question-bank schema: one pydantic model per item type, validated field by field.

A bank is one YAML file per chapter (``data/questions/<chapter-id>.yaml``)::

    chapter: 01-her2-biology
    title: Check your understanding
    learning_outcomes: {LO1.1: Describe ..., ...}
    items: [ {id, type, stem, ..., explanation, learning_outcome, cjmm_step, difficulty, reference, tags}, ...]

``cjmm_step`` is the Clinical Judgment Measurement Model step an item measures, for items built around a client
situation, or ``knowledge`` for recall items that present no client (``her2course quiz lint`` checks which is which).

Item types and the fields they add:

- ``single``  options [{id, text, correct, rationale}], exactly one correct.
- ``sata``    options as above, at least one correct (NGN +/- scoring).
- ``numeric`` answer {value, tolerance, unit, unit_aliases, rounding}, rationale (the worked solution),
  distractors [{value, rationale}] (common wrong results, explained when a learner gives one). A numeric item
  may be parametric: ``params`` (the values drawn per exam form, each with its practice value and its range)
  and ``compute`` (the key and the distractors, computed by the course's clinical calculators); its texts then
  hold ``{{name}}`` placeholders. See :mod:`her2course.quiz.forms`.
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
    "knowledge": "Knowledge (no client situation)",
}
# An item built around a client situation names the CJMM step it measures; a recall item is a knowledge item.
KNOWLEDGE = "knowledge"
CJMM_CHOICES = (*CJMM_STEPS, KNOWLEDGE)
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


VALUE_NAME = r"^[a-z][a-z0-9_]*$"
Arg = str | float | int | bool


class Param(_Strict):
    """A value drawn per exam form: a range on a grid (min, max, step) or a list of choices, inside a named range
    of ``data/param_ranges.yaml``. ``value`` is the practice version's (the book's)."""

    value: float
    within: str = Field(pattern=ID, description="the id of a range in data/param_ranges.yaml")
    min: float | None = None
    max: float | None = None
    step: float | None = Field(default=None, gt=0)
    choices: list[float] = []

    @model_validator(mode="after")
    def _shape(self) -> Param:
        ranged = (self.min, self.max, self.step)
        if self.choices:
            if any(v is not None for v in ranged):
                raise ValueError("give either choices or min, max and step, not both")
            if len(set(self.choices)) < 2:
                raise ValueError("choices must hold at least two different values")
            if self.value not in self.choices:
                raise ValueError(f"value {self.value:g} is not one of the choices")
            return self
        if any(v is None for v in ranged):
            raise ValueError("give min, max and step (or a list of choices)")
        assert self.min is not None and self.max is not None and self.step is not None
        if self.min >= self.max:
            raise ValueError(f"min {self.min:g} must be less than max {self.max:g}")
        if not self.min <= self.value <= self.max:
            raise ValueError(f"value {self.value:g} is outside min {self.min:g} to max {self.max:g}")
        for name, x in (("value", self.value), ("max", self.max)):
            k = (x - self.min) / self.step
            if abs(k - round(k)) > 1e-6:
                raise ValueError(f"{name} {x:g} is not on the grid min {self.min:g} + a whole number of steps "
                                 f"of {self.step:g}")
        return self


class Calc(_Strict):
    """One computed value: a function of :data:`her2course.quiz.forms.FUNCTIONS` with its arguments (literals, or
    ``$name`` for a parameter or an earlier value), the result field to ``pick`` and an optional ``round``
    (decimal places, half up)."""

    fn: str = Field(pattern=VALUE_NAME)
    args: dict[str, Arg] = {}
    pick: str | None = None
    round: int | None = Field(default=None, ge=-3, le=4)


class Compute(_Strict):
    """How a parametric item's numbers are computed: named values (in order), which one is the key, which ones
    are the distractors (in the order of the item's ``distractors``), and which must keep their practice value
    in every form (``same``: the clinical branch the rationale describes, e.g. 're-load', 'grade 3')."""

    values: dict[str, Calc] = Field(min_length=1)
    key: str
    distractors: list[str] = []
    same: list[str] = []


class Form(_Strict):
    """Set by the course, never written in a bank: the templates of a parametric item's texts and the values its
    texts were filled with (``seed`` None: the practice version, with the authored values)."""

    stem: str
    explanation: str
    rationale: str
    distractors: tuple[str, ...]
    seed: int | None
    values: dict[str, float]


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
    cjmm_step: Literal[CJMM_CHOICES]  # type: ignore[valid-type]
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
    params: dict[str, Param] = {}
    compute: Compute | None = None
    form: Form | None = None

    @field_validator("params")
    @classmethod
    def _param_names(cls, params: dict[str, Param]) -> dict[str, Param]:
        for name in params:
            if not re.match(VALUE_NAME, name):
                raise ValueError(f"parameter name '{name}' must be lower case letters, digits and _ (a letter first)")
        return params

    @field_validator("form", mode="before")
    @classmethod
    def _not_authored(cls, form: object) -> object:
        if form is not None:
            raise ValueError("'form' is set by the course when it fills in a parametric item; do not write it")
        return form

    @model_validator(mode="after")
    def _parametric(self) -> Numeric:
        if bool(self.params) != (self.compute is not None):
            raise ValueError("a parametric item needs both 'params' and 'compute'")
        if self.compute is not None and len(self.compute.distractors) != len(self.distractors):
            raise ValueError(f"compute.distractors names {len(self.compute.distractors)} value(s) but the item has "
                             f"{len(self.distractors)} distractor(s): name one computed value for each, in order")
        return self

    @property
    def parametric(self) -> bool:
        return self.compute is not None


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
