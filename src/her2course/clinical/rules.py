"""Numbers the clinical tools need that the drug schema (``drugs.yaml``) has no place for.

They live in ``data/clinical_rules.yaml`` (dose-reduction ladders, reconstituted concentrations, missed-dose
windows, the loperamide prophylaxis table), each with its reference keys and a ``verified`` flag: ``false`` means
the number could not be confirmed against the current label text when the file was written, and the tools say so.

``validate`` is registered in ``her2course check``: it checks the schema, the reference keys against the
bibliography and that every drug id exists in ``drugs.yaml``. The tools themselves (``load``) check the schema only,
so that a key still waiting in ``book/_pending`` does not stop a chapter from running.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import DataError, Problem
from ..paths import Layout, package_layout
from ..references import load_bibliography, missing_keys
from ..yamlfile import _field_path, _message, read_yaml, validate_model

FILE_NAME = "clinical_rules.yaml"
_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reduction(_Strict):
    """A dose-reduction ladder: the starting dose, then each reduction level in order."""

    id: str = Field(pattern=_ID)
    drug: str = Field(pattern=_ID)
    context: str = Field(min_length=3)
    unit: Literal["mg/kg", "mg"]
    levels: list[float] = Field(min_length=2)
    after_last: str = Field(min_length=3, description="what the label says when a further reduction is needed")
    re_escalate: bool = False
    verified: bool
    note: str | None = None
    references: list[str] = Field(min_length=1)

    @field_validator("levels")
    @classmethod
    def _descending(cls, levels: list[float]) -> list[float]:
        if any(b >= a for a, b in itertools.pairwise(levels)) or any(x <= 0 for x in levels):
            raise ValueError(f"levels must be positive and strictly decreasing, got {levels}")
        return levels


class Concentration(_Strict):
    """The drug concentration in the vial the nurse draws from (after reconstitution where there is one)."""

    id: str = Field(pattern=_ID)
    drug: str = Field(pattern=_ID)
    mg_per_ml: float = Field(gt=0, le=500)
    after: Literal["reconstitution", "none (ready-to-use solution)"]
    verified: bool
    note: str | None = None
    references: list[str] = Field(min_length=1)


class MissedDose(_Strict):
    """When a late dose needs the loading dose again.

    ``measure`` is either ``days-late`` (days after the dose was due; re-load when more than ``threshold_days``) or
    ``days-between-doses`` (days since the last dose; re-load when at least ``threshold_days``), as each label words it.
    """

    id: str = Field(pattern=_ID)
    drug: str = Field(pattern=_ID)
    context: str = Field(min_length=3)
    measure: Literal["days-late", "days-between-doses"]
    threshold_days: int = Field(ge=1, le=120)
    verified: bool
    note: str | None = None
    references: list[str] = Field(min_length=1)

    def reload(self, days_since_last: int, interval_days: int) -> bool:
        if self.measure == "days-late":
            return days_since_last - interval_days > self.threshold_days
        return days_since_last >= self.threshold_days

    def describe(self) -> str:
        if self.measure == "days-late":
            return f"re-load when the dose is more than {self.threshold_days} days late"
        weeks = self.threshold_days // 7
        return f"re-load when {self.threshold_days} days ({weeks} weeks) or more have passed since the last dose"


class LoperamideStep(_Strict):
    id: str = Field(pattern=_ID)
    day_from: int = Field(ge=1)
    day_to: int | None = Field(default=None, ge=1, description="None: until neratinib is stopped")
    dose_mg: float = Field(gt=0)
    frequency: str = Field(min_length=3)
    max_mg_per_day: float | None = Field(default=None, gt=0)
    text: str = Field(min_length=5)


class Loperamide(_Strict):
    id: str = Field(pattern=_ID)
    drug: str = Field(pattern=_ID)
    steps: list[LoperamideStep] = Field(min_length=1)
    goal: str = Field(min_length=5)
    verified: bool
    note: str | None = None
    references: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _contiguous(self) -> Loperamide:
        expected = 1
        for i, step in enumerate(self.steps):
            if step.day_from != expected:
                raise ValueError(f"steps[{i}] starts on day {step.day_from}, expected day {expected}")
            if step.day_to is None:
                if i != len(self.steps) - 1:
                    raise ValueError(f"steps[{i}] has no end day but is not the last step")
                break
            if step.day_to < step.day_from:
                raise ValueError(f"steps[{i}] ends before it starts")
            expected = step.day_to + 1
        return self


class ClinicalRules(_Strict):
    reductions: list[Reduction] = Field(min_length=1)
    concentrations: list[Concentration] = []
    missed_doses: list[MissedDose] = []
    loperamide: list[Loperamide] = []

    def all_items(self) -> list[Reduction | Concentration | MissedDose | Loperamide]:
        return [*self.reductions, *self.concentrations, *self.missed_doses, *self.loperamide]

    def sections(self) -> dict[str, list]:
        return {"reductions": self.reductions, "concentrations": self.concentrations,
                "missed_doses": self.missed_doses, "loperamide": self.loperamide}

    # -- look-ups the tools use
    def reductions_for(self, drug: str) -> list[Reduction]:
        return [r for r in self.reductions if r.drug == drug]

    def ladder(self, drug: str, start: float) -> Reduction | None:
        """The ladder of ``drug`` whose starting dose is ``start`` (None if the file has none)."""
        for r in self.reductions_for(drug):
            if abs(r.levels[0] - start) < 1e-9:
                return r
        return None

    def concentration(self, drug: str) -> Concentration | None:
        return next((c for c in self.concentrations if c.drug == drug), None)

    def missed_dose(self, rule_id: str) -> MissedDose:
        for m in self.missed_doses:
            if m.id == rule_id:
                return m
        raise KeyError(f"no missed-dose rule '{rule_id}' in {FILE_NAME}; known: {[m.id for m in self.missed_doses]}")

    def loperamide_plan(self, drug: str = "neratinib") -> Loperamide:
        for plan in self.loperamide:
            if plan.drug == drug:
                return plan
        raise KeyError(f"no loperamide plan for '{drug}' in {FILE_NAME}")


def path_for(layout: Layout) -> Path:
    return layout.data_dir / FILE_NAME


def _parse(path: Path) -> tuple[ClinicalRules | None, list[Problem]]:
    try:
        raw = read_yaml(path)
    except DataError as exc:
        return None, exc.problems
    try:
        return validate_model(ClinicalRules, raw), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            item = None
            if len(loc) >= 2 and isinstance(raw, dict) and isinstance(loc[1], int):
                entry = (raw.get(loc[0]) or [None] * (loc[1] + 1))[loc[1]]
                item = entry.get("id") if isinstance(entry, dict) else None
                item = f"{loc[0]}[{loc[1]}]" + (f" ({item})" if item else "")
                loc = loc[2:]
            problems.append(Problem(path, item, _field_path(loc), _message(err)))
        return None, problems


def validate(layout: Layout) -> tuple[list, list[Problem]]:
    """Schema, reference keys, and drug ids (against drugs.yaml) of the clinical rules file."""
    path = path_for(layout)
    rules, problems = _parse(path)
    if rules is None:
        return [], problems
    named = [(f"{section}/{item.id}", item) for section, group in rules.sections().items() for item in group]
    try:
        bib = load_bibliography(layout.bib)
        for name, item in named:
            problems += missing_keys(bib, path, name, "references", item.references)
    except DataError as exc:
        problems += exc.problems
    known = _drug_ids(layout)
    if known is not None:
        for name, item in named:
            if item.drug not in known:
                problems.append(Problem(path, name, "drug", f"no drug with id '{item.drug}' in drugs.yaml"))
    return rules.all_items(), problems


def _drug_ids(layout: Layout) -> set[str] | None:
    try:
        raw = read_yaml(layout.drugs)
    except DataError:
        return None  # the drugs validator reports that file's own problems
    if not isinstance(raw, dict) or not isinstance(raw.get("drugs"), list):
        return None
    return {d["id"] for d in raw["drugs"] if isinstance(d, dict) and isinstance(d.get("id"), str)}


def load(layout: Layout | None = None) -> ClinicalRules:
    """The rules file, schema-checked (reference keys are checked by ``her2course check``)."""
    path = path_for(layout or package_layout())
    rules, problems = _parse(path)
    if rules is None:
        raise DataError(problems)
    return rules


@lru_cache(maxsize=1)
def rules() -> ClinicalRules:
    return load()
