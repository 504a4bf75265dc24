"""The unfolding-case schema: a case is six stages, one per Clinical Judgment Measurement Model step, in order.

A case is one YAML file (``data/cases/<case-id>.yaml``)::

    id: lvef-trastuzumab                      # must match the file name
    title: ...
    drug: trastuzumab                         # a drug id in drugs.yaml
    setting: ...                              # one line: where and why the patient is treated
    patient: {name, age, summary}             # summary in Markdown
    learning_outcomes: {LO7.1: ..., ...}      # the outcomes this case's items use
    stages:                                   # exactly six, in CJMM order
      - step: recognize_cues
        title: ...
        narrative: ...                        # Markdown: what happens at this stage
        data:
          tables: [{caption, columns: [...], rows: [[...], ...], source}]
          trend: {label, unit, x_label, points: [[day, value], ...], reference_lines: [{value, label}]}
        item: {...}                           # one quiz item (quiz/schema.py); cjmm_step defaults to the stage's step

The item models are the quiz engine's own (single, sata, numeric, ordered, matrix, cloze, bowtie), so a case item is
graded, rendered and exported exactly like a bank item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ..quiz.schema import CJMM_STEPS, ID, Cell, DataTable, Item, Text, _Strict, cell_text

LO_KEY = re.compile(r"^LO\d+\.\d+$")
STAGES = len(CJMM_STEPS)
__all__ = ["Case", "Cell", "DataTable", "Stage", "StageData", "Trend", "cell_text"]
class ReferenceLine(_Strict):
    value: float
    label: Text


class Trend(_Strict):
    label: Text = Field(description="what is measured, e.g. 'LVEF'")
    unit: str = ""
    x_label: Text = "Day"
    points: list[tuple[float, float]] = Field(min_length=2, description="(day, value) pairs, days increasing")
    reference_lines: list[ReferenceLine] = Field(default=[], max_length=3)

    @field_validator("points")
    @classmethod
    def _increasing(cls, points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for n, (a, b) in enumerate(pairwise(points), start=2):
            if b[0] <= a[0]:
                raise ValueError(f"days must increase from point to point: point {n} (day {b[0]:g}) does not come "
                                 f"after day {a[0]:g}")
        return points


class StageData(_Strict):
    tables: list[DataTable] = Field(default_factory=list)
    trend: Trend | None = None

    @model_validator(mode="after")
    def _something(self) -> StageData:
        if not self.tables and self.trend is None:
            raise ValueError("a stage needs data: at least one table or a trend")
        return self


class StageHeader(_Strict):
    step: Literal[CJMM_STEPS]  # type: ignore[valid-type]
    title: Text
    narrative: Text
    data: StageData
    item: dict


class Patient(_Strict):
    name: Text
    age: int = Field(ge=18, le=110)
    summary: Text


class CaseHeader(_Strict):
    id: str = Field(pattern=ID)
    title: Text
    drug: str = Field(pattern=ID)
    setting: Text
    patient: Patient
    learning_outcomes: dict[str, Text] = Field(min_length=1)
    stages: list[dict] = Field(min_length=1)

    @field_validator("learning_outcomes")
    @classmethod
    def _keys(cls, outcomes: dict[str, str]) -> dict[str, str]:
        for key in outcomes:
            if not LO_KEY.match(key):
                raise ValueError(f"learning outcome key '{key}' should look like 'LO7.1'")
        return outcomes


@dataclass(frozen=True)
class Stage:
    number: int
    step: str
    title: str
    narrative: str
    data: StageData
    item: Item


@dataclass(frozen=True)
class Case:
    """One validated unfolding case."""

    path: Path
    id: str
    title: str
    drug: str
    setting: str
    patient: Patient
    learning_outcomes: dict[str, str]
    stages: tuple[Stage, ...] = field(default_factory=tuple)

    @property
    def items(self) -> tuple[Item, ...]:
        return tuple(s.item for s in self.stages)

    def stage(self, key: int | str) -> Stage:
        """A stage by number (1-6) or by CJMM step name."""
        for s in self.stages:
            if key in (s.number, s.step):
                return s
        raise KeyError(f"case '{self.id}' has no stage {key!r}")
