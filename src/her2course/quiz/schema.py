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
- ``highlight`` the parts of a passage or the rows of a table that matter, selected like options: either
  ``text`` with ``{{span-id}}`` placeholders and spans [{id, text, correct, rationale}], or
  ``table`` {caption, columns, rows [{id, cells, correct, rationale}]}; at least one correct part.
- ``matrix_multi`` (NGN "matrix multiple response" / "multiple response grouping") columns [{id, text}],
  rows [{id, text, answers: [column id, ...], rationale}]: each row may take several columns.
- ``dropdown_rationale`` a sentence with two (dyad: "The client is at risk for [A] as evidenced by [B]") or three
  (triad: "[A] because of [B] and [C]") drop-downs, written like a cloze: text and blanks. The first blank in the
  text is the claim; the others are its reasons.

Any item may also carry ``data``: a table of values over time (``{caption, columns, rows, source}``, the first
column naming what is measured and at least two time-point columns). NGN calls such an item a *trend* item: the
learner answers it, in whatever response format it has, by reading the data across time points.

Scoring follows the three rules NCSBN uses for the Next Generation NCLEX (NCSBN, "What are the current scoring
models?", NCLEX help center article 14690447982359; W. Muntean, "Next Generation NCLEX: item types and scoring",
NCSBN NCLEX conference 2022), implemented in :mod:`her2course.quiz.grading`:

- 0/1: one point per correct choice where the learner picks a stated number (single, cloze, matrix, bowtie);
  ordered response is scored all or nothing (one point).
- +/-: one point for each correct option chosen, one taken off for each wrong one, never below zero (sata and
  highlight over the whole item; matrix_multi row by row, each row a select-all question of its own, its floor at
  zero, the rows summed).
- rationale: a point only for a correctly paired claim and reason. Dyad: one point when both drop-downs are
  right. Triad: the claim pairs with each reason, one point for claim and first reason both right and one for
  claim and second reason both right (0, 1 or 2 points); a wrong claim scores nothing.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

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
ITEM_TYPES = ("single", "sata", "numeric", "ordered", "matrix", "cloze", "bowtie", "highlight", "matrix_multi",
              "dropdown_rationale")
TYPE_LABELS = {
    "single": "Choose the one best answer.",
    "sata": "Select all that apply.",
    "numeric": "Type a number.",
    "ordered": "Put the steps in order.",
    "matrix": "Choose one answer in each row.",
    "cloze": "Choose an option for each blank.",
    "bowtie": "Complete the bow-tie.",
    "highlight": "Select every part that applies.",
    "matrix_multi": "Choose every answer that applies in each row.",
    "dropdown_rationale": "Choose an option for each blank to complete the sentence.",
}
# The types scored +/- (each wrong choice takes a point away): the quiz explains the rule at the first one.
PLUS_MINUS = ("sata", "highlight", "matrix_multi")
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


Cell = int | float | str


def cell_text(value: Cell) -> str:
    """A table cell as shown: whole floats without '.0'."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class DataTable(_Strict):
    """A table of data (a case stage's, or a trend item's)."""

    caption: Text
    columns: list[Text] = Field(min_length=1)
    rows: list[list[Cell]] = Field(min_length=1)
    source: str = ""

    @model_validator(mode="after")
    def _row_lengths(self) -> DataTable:
        for i, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(f"table '{self.caption}': row {i} has {len(row)} cells, expected "
                                 f"{len(self.columns)} (one per column)")
        return self

    def row(self, label: str) -> list[Cell]:
        """The row whose first cell is ``label`` (for tests and tools that read the data)."""
        for r in self.rows:
            if cell_text(r[0]) == label:
                return r
        raise KeyError(f"table '{self.caption}' has no row '{label}'")

    def value(self, label: str, column: str) -> Cell:
        return self.row(label)[self.columns.index(column)]


class TrendData(DataTable):
    """An item's data across time points: the first column names what is measured, each other column is a time."""

    @model_validator(mode="after")
    def _time_points(self) -> TrendData:
        if len(self.columns) < 3:
            raise ValueError(f"trend data '{self.caption}' needs at least two time-point columns after the first "
                             f"(what is measured); found {len(self.columns) - 1}")
        return self


class MultiRow(_Strict):
    id: str = Field(pattern=ID)
    text: Text
    answers: Keys = Field(description="the column ids that apply to this row")
    rationale: Rationale


class TableRow(_Strict):
    """A row of a highlight table: selectable as a whole."""

    id: str = Field(pattern=ID)
    cells: list[Cell] = Field(min_length=1)
    correct: bool = False
    rationale: Rationale


class HighlightTable(_Strict):
    caption: Text
    columns: list[Text] = Field(min_length=1)
    rows: list[TableRow] = Field(min_length=3)

    @model_validator(mode="after")
    def _rows(self) -> HighlightTable:
        _unique_ids(self.rows)
        for r in self.rows:
            if len(r.cells) != len(self.columns):
                raise ValueError(f"row '{r.id}' has {len(r.cells)} cells, expected {len(self.columns)} (one per "
                                 "column)")
        return self


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


def _rows_answer_columns(rows: list, info: Any) -> list:
    """A matrix's rows answer only with its column ids, none twice (one answer per row, or several)."""
    columns = {c.id for c in info.data.get("columns", [])}
    if columns:
        for row in rows:
            given = list(row.answers) if hasattr(row, "answers") else [row.answer]
            for a in given:
                if a not in columns:
                    raise ValueError(f"row '{row.id}' answers '{a}', which is not a column id")
            if len(set(given)) != len(given):
                raise ValueError(f"row '{row.id}' lists a column twice in its answers")
    return rows


def _blanks_placed(blanks: list, info: Any, in_order: bool = False) -> list:
    """Each blank placed once in the item's text (in order, with ``in_order``); option ids unique across blanks."""
    _unique_ids(blanks)
    text = info.data.get("text")
    if text is not None:
        _placed_once(text, [b.id for b in blanks], "blank", in_order=in_order)
    ids_all = [o.id for b in blanks for o in b.options]
    if len(ids_all) != len(set(ids_all)):
        raise ValueError("option ids must be unique across all blanks")
    return blanks


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
    data: TrendData | None = Field(default=None, description="values across time points: makes it a trend item")


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
        return _rows_answer_columns(rows, info)


class Cloze(ItemBase):
    type: Literal["cloze"]
    text: Text = Field(description="the passage, with {{blank-id}} where each drop-down goes")
    blanks: list[Blank] = Field(min_length=1)

    @field_validator("blanks")
    @classmethod
    def _placed(cls, blanks: list[Blank], info) -> list[Blank]:
        return _blanks_placed(blanks, info)


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


def _placed_once(text: str, ids: list[str], what: str, in_order: bool = False) -> None:
    """Every id appears exactly once in the text as {{id}}, and every {{...}} in the text is one of them; with
    ``in_order``, the ids are listed in the order the text places them."""
    placed = BLANK.findall(text)
    for b in ids:
        if placed.count(b) != 1:
            raise ValueError(f"{what} '{b}' must appear exactly once in the text as {{{{{b}}}}}")
    for p in placed:
        if p not in ids:
            raise ValueError(f"the text has {{{{{p}}}}} but no {what} with id '{p}'")
    if in_order and placed != ids:
        raise ValueError(f"list the {what}s in the order the text places them ({', '.join(placed)})")


class Highlight(ItemBase):
    type: Literal["highlight"]
    text: str | None = Field(default=None, description="a passage with {{span-id}} where each selectable part is")
    spans: list[Choice] = Field(default=[], description="the selectable parts of the text, in any order")
    table: HighlightTable | None = Field(default=None, description="or a table whose rows are selectable")

    @model_validator(mode="after")
    def _shape(self) -> Highlight:
        if (self.text is None) == (self.table is None):
            raise ValueError("a highlight item needs either 'text' with 'spans' or a 'table', not both")
        if self.text is not None:
            if len(self.spans) < 3:
                raise ValueError(f"a highlight text needs at least 3 spans to select from, found {len(self.spans)}")
            _unique_ids(self.spans)
            _placed_once(self.text, [s.id for s in self.spans], "span", in_order=True)
        elif self.spans:
            raise ValueError("'spans' belong to a highlight text; a table's rows are its selectable parts")
        if not any(c for _, _, c, _ in self.parts()):
            raise ValueError("a highlight item needs at least one part that should be selected, found none")
        return self

    def parts(self) -> list[tuple[str, str, bool, str]]:
        """(id, text, correct, rationale) of each selectable part, in reading order (spans are listed in text
        order; a table row's text is its cells as 'column: value', joined by semicolons)."""
        if self.table is not None:
            cols = self.table.columns
            return [(r.id, "; ".join(f"{c}: {cell_text(v)}" for c, v in zip(cols, r.cells, strict=True)),
                     r.correct, r.rationale) for r in self.table.rows]
        return [(sp.id, sp.text, sp.correct, sp.rationale) for sp in self.spans]


class MatrixMulti(ItemBase):
    type: Literal["matrix_multi"]
    columns: list[Column] = Field(min_length=2)
    rows: list[MultiRow] = Field(min_length=2)

    @field_validator("columns", "rows")
    @classmethod
    def _ids(cls, entries: list) -> list:
        _unique_ids(entries)
        return entries

    @field_validator("rows")
    @classmethod
    def _answers(cls, rows: list[MultiRow], info) -> list[MultiRow]:
        return _rows_answer_columns(rows, info)


class DropdownRationale(ItemBase):
    type: Literal["dropdown_rationale"]
    text: Text = Field(description="the sentence, with {{blank-id}} where each drop-down goes: the claim first")
    blanks: list[Blank] = Field(min_length=2, max_length=3, description="two (dyad) or three (triad) drop-downs")

    @field_validator("blanks")
    @classmethod
    def _placed(cls, blanks: list[Blank], info) -> list[Blank]:
        return _blanks_placed(blanks, info, in_order=True)  # the claim first


Item = Single | Sata | Numeric | Ordered | Matrix | Cloze | Bowtie | Highlight | MatrixMulti | DropdownRationale
MODELS: dict[str, type[ItemBase]] = {
    "single": Single,
    "sata": Sata,
    "numeric": Numeric,
    "ordered": Ordered,
    "matrix": Matrix,
    "cloze": Cloze,
    "bowtie": Bowtie,
    "highlight": Highlight,
    "matrix_multi": MatrixMulti,
    "dropdown_rationale": DropdownRationale,
}


def is_trend(item: ItemBase) -> bool:
    """An item whose data span several time points (NGN's trend item), whatever its response format."""
    return item.data is not None


class BankHeader(_Strict):
    chapter: str = Field(pattern=ID)
    title: str = "Check your understanding"
    learning_outcomes: dict[str, str] = {}
    # each outcome's NCLEX-RN, AACN and QSEN categories; checked against data/frameworks.yaml by her2course.outcomes
    outcome_map: dict[str, dict] = {}
    items: list[dict] = Field(min_length=1)
