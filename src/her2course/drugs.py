"""The knowledge base of HER2-targeted drugs (``data/drugs.yaml``).

Usage from a chapter::

    from her2course import drugs
    drugs.get("trastuzumab").brand_names
    drugs.by_class("ADC")
    drugs.class_table("TKI")          # a table the book shows
    drugs.prototype_table("trastuzumab")
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .errors import DataError, Problem
from .paths import Layout, package_layout
from .references import Bibliography, load_bibliography
from .tables import Table
from .yamlfile import validate_file

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DrugClass(StrEnum):
    ANTIBODY = "antibody"
    BISPECIFIC = "bispecific"
    ADC = "ADC"
    TKI = "TKI"

    @property
    def title(self) -> str:
        return {
            "antibody": "Monoclonal antibodies",
            "bispecific": "Bispecific antibodies",
            "ADC": "Antibody-drug conjugates",
            "TKI": "Tyrosine kinase inhibitors",
        }[self.value]


class Site(StrEnum):
    """Where on HER2 a drug acts (the pathway model and diagrams use these codes)."""

    ECD_II = "ECD-II"
    ECD_IV = "ECD-IV"
    ECD_II_IV = "ECD-II+IV"
    KINASE = "kinase"


class Route(StrEnum):
    IV = "IV"
    SC = "SC"
    ORAL = "oral"


class DoseStep(Strict):
    phase: Literal["loading", "maintenance", "escalation", "continuous"]
    amount: float = Field(gt=0)
    unit: Literal["mg/kg", "mg", "mg/m2"]
    route: Route
    frequency: str = Field(min_length=3, description="e.g. 'once', 'every 3 weeks', 'once daily', 'twice daily'")
    interval_days: int | None = Field(default=None, ge=1, le=84)
    days: str | None = Field(default=None, description="which days a step covers, e.g. 'days 1-7'")
    infusion_minutes: str | None = Field(default=None, pattern=r"^\d+(-\d+)?$")
    observe_minutes: str | None = Field(default=None, pattern=r"^\d+(-\d+)?$")
    companion: str | None = Field(default=None, description="a second component given in the same injection")
    note: str | None = None

    def describe(self) -> str:
        amount = f"{self.amount:g} {self.unit}"
        if self.companion:
            amount += f" + {self.companion}"
        text = f"{amount} {self.route.value} {self.frequency}"
        if self.days:
            text += f" ({self.days})"
        if self.infusion_minutes:
            kind = "inject over" if self.route is Route.SC else "infuse over"
            text += f", {kind} {self.infusion_minutes} min"
        if self.observe_minutes:
            text += f", observe {self.observe_minutes} min"
        return text


class Regimen(Strict):
    setting: str = Field(min_length=3)
    steps: list[DoseStep] = Field(min_length=1)
    given_with: str | None = None
    duration: str | None = None
    references: list[str] = Field(min_length=1)

    def describe(self) -> str:
        parts = [f"{s.phase}: {s.describe()}" if s.phase != "continuous" else s.describe() for s in self.steps]
        text = "; then ".join(parts)
        if self.given_with:
            text += f"; with {self.given_with}"
        if self.duration:
            text += f"; {self.duration}"
        return text


class Indication(Strict):
    text: str = Field(min_length=10)
    year: int = Field(ge=1998, le=2030)
    approval: Literal["regular", "accelerated", "not FDA-approved", "unconfirmed"]
    trials: list[str] = []
    references: list[str] = Field(min_length=1)


class Contraception(Strict):
    """Reproductive advice after the last dose, as the label states it (section 8.2 Lactation and 8.3)."""

    females: str | None = None
    males: str | None = None
    breastfeeding: str | None = Field(default=None, description="the label's advice on breastfeeding; None means "
                                      "the course has not recorded it and the table sends the reader to the label")
    references: list[str] = Field(min_length=1)


class Vial(Strict):
    amount_mg: float = Field(gt=0)
    form: str = Field(min_length=3)


class Label(Strict):
    reference: str
    revised: str = Field(description="YYYY-MM of the label revision the dosing was checked against")

    @field_validator("revised")
    @classmethod
    def _month(cls, value: str) -> str:
        if not _MONTH.match(value):
            raise ValueError(f"must be a year and month as YYYY-MM, got '{value}'")
        return value


class Flag(Strict):
    """An open item about a drug (a label not yet read in full, a number seen only in a secondary source), with the
    month it was last checked. Flags are for instructors: the "Currency notes" page lists them and learners' tables
    never show them; ``her2course check`` warns when one was last checked more than six months ago."""

    text: str = Field(min_length=10)
    as_of: str
    references: list[str] = []

    @field_validator("as_of")
    @classmethod
    def _month(cls, value: str) -> str:
        if not _MONTH.match(value):
            raise ValueError(f"must be a year and month as YYYY-MM, got '{value}'")
        return value


class Drug(Strict):
    id: str
    generic_name: str
    brand_names: list[str] = Field(min_length=1)
    other_names: list[str] = []
    biosimilars: list[str] = []
    drug_class: DrugClass
    molecule: str = Field(min_length=10)
    target: str
    binding_site: str
    site: Site
    mechanism: str = Field(min_length=40)
    routes: list[Route] = Field(min_length=1)
    regimens: list[Regimen] = Field(min_length=1)
    vials: list[Vial] = []
    administration: list[str] = Field(min_length=1)
    indications: list[Indication] = Field(min_length=1)
    boxed_warnings: list[str] = []
    key_toxicities: list[str] = Field(min_length=1)
    monitoring: list[str] = Field(min_length=1)
    hold_rules: list[str] = Field(min_length=1)
    interactions: list[str] = []
    contraception: Contraception | None = None
    key_trials: list[str] = []
    hazardous_drug: bool = False
    label: Label | None = None
    status: str | None = Field(default=None, min_length=10,
                               description="for a drug without FDA approval: where it stands (approved elsewhere, or "
                                           "investigational), shown beside its dose in the tables")
    references: list[str] = Field(min_length=1)
    flags: list[Flag] = []

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID.match(value):
            raise ValueError(f"must be lowercase words joined by hyphens, got '{value}'")
        return value

    @model_validator(mode="after")
    def _label_for_fda_drugs(self) -> Drug:
        fda = any(i.approval != "not FDA-approved" for i in self.indications)
        if fda and self.label is None:
            raise ValueError("an FDA-approved drug needs 'label' (its prescribing information and revision)")
        if not fda and self.status is None:
            raise ValueError("a drug without FDA approval needs 'status' (approved elsewhere, or investigational), "
                             "which the dose tables show beside its dose")
        return self

    @property
    def brand(self) -> str:
        return self.brand_names[0]

    @property
    def display_name(self) -> str:
        return f"{self.generic_name} ({', '.join(self.brand_names)})"

    @property
    def fda_approved(self) -> bool:
        return any(i.approval != "not FDA-approved" for i in self.indications)

    def all_reference_keys(self) -> list[tuple[str, list[str]]]:
        """Every (field, keys) pair, so a missing key can be reported with the field that cites it."""
        pairs: list[tuple[str, list[str]]] = [("references", self.references)]
        if self.label:
            pairs.append(("label.reference", [self.label.reference]))
        pairs += [(f"regimens[{i}].references", r.references) for i, r in enumerate(self.regimens)]
        pairs += [(f"indications[{i}].references", x.references) for i, x in enumerate(self.indications)]
        if self.contraception:
            pairs.append(("contraception.references", self.contraception.references))
        pairs += [(f"flags[{i}].references", f.references) for i, f in enumerate(self.flags) if f.references]
        return pairs


class DrugBase:
    """All drugs from one validated file."""

    def __init__(self, drugs: list[Drug], bib: Bibliography, path: Path):
        self.path = path
        self.bib = bib
        self._by_id = {d.id: d for d in drugs}

    def __iter__(self):
        return iter(self._by_id.values())

    def __len__(self) -> int:
        return len(self._by_id)

    def ids(self) -> list[str]:
        return list(self._by_id)

    def get(self, name: str) -> Drug:
        key = _normalise(name)
        for drug in self._by_id.values():
            names = [drug.id, drug.generic_name, *drug.brand_names, *drug.other_names]
            if key in {_normalise(n) for n in names}:
                return drug
        known = ", ".join(sorted(self._by_id))
        raise KeyError(f"no drug named '{name}' in {self.path.name}; known ids: {known}")

    def by_class(self, drug_class: str | DrugClass) -> list[Drug]:
        try:
            wanted = DrugClass(drug_class) if not isinstance(drug_class, DrugClass) else drug_class
        except ValueError:
            choices = ", ".join(c.value for c in DrugClass)
            raise KeyError(f"no drug class '{drug_class}'; classes are: {choices}") from None
        return [d for d in self._by_id.values() if d.drug_class is wanted]


def _normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def validate(layout: Layout) -> tuple[list[Drug], list[Problem]]:
    """Validate the drug file and its reference keys; return the drugs and every problem found."""
    return validate_file(layout.drugs, layout.bib, Drug, list_key="drugs",
                         references=lambda drug: drug.all_reference_keys())


def load(layout: Layout | None = None) -> DrugBase:
    """Load and validate; raise DataError listing every problem if anything is wrong."""
    layout = layout or package_layout()
    items, problems = validate(layout)
    if problems:
        raise DataError(problems)
    return DrugBase(items, load_bibliography(layout.bib), layout.drugs)


@lru_cache(maxsize=1)
def base() -> DrugBase:
    """The course's drug base (cached for the life of the process)."""
    return load()


def get(name: str) -> Drug:
    """A drug by id, generic name, brand name or abbreviation (case and punctuation ignored)."""
    return base().get(name)


def by_class(drug_class: str | DrugClass) -> list[Drug]:
    """Drugs of one class: 'antibody', 'bispecific', 'ADC' or 'TKI'."""
    return base().by_class(drug_class)


def all_drugs() -> list[Drug]:
    return list(base())


# ---- tables the chapters show ---------------------------------------------------------------------------------

_COLUMNS = {
    "drug": ("Drug (brand)", lambda d: d.display_name),
    "class": ("Class", lambda d: d.drug_class.title),
    "site": ("Where it acts", lambda d: d.binding_site),
    "route": ("Route", lambda d: ", ".join(r.value for r in d.routes)),
    "dose": ("Usual dose and schedule", lambda d: _dose_cell(d)),
    "toxicities": ("Key toxicities", lambda d: "; ".join(d.key_toxicities[:4])),
    "boxed": ("Boxed warnings", lambda d: "; ".join(d.boxed_warnings) or "none"),
    "first_approval": ("First FDA approval", lambda d: _first_approval(d)),
}


_WEIGHT_BAND = re.compile(r",\s*body weight (?P<band>.+)$")


def _dose_cell(drug: Drug) -> str:
    """The usual regimen; every weight band of it when the dose depends on weight (zongertinib: under 90 kg and 90 kg
    or more); the drug's status in front when it is not FDA-approved, so that a table of 'labeled doses' never passes
    a trial or foreign dose off as a US one."""
    first = drug.regimens[0]
    match = _WEIGHT_BAND.search(first.setting)
    if match:
        stem = first.setting[:match.start()]
        bands = [r for r in drug.regimens if r.setting.startswith(stem) and _WEIGHT_BAND.search(r.setting)]
        text = " | ".join(r.describe() for r in bands)
    else:
        text = first.describe()
    if not drug.fda_approved:
        text = f"{drug.status or 'Not FDA-approved'}. {text}"
    return text


def _first_approval(drug: Drug) -> str:
    years = [i.year for i in drug.indications if i.approval != "not FDA-approved"]
    return str(min(years)) if years else "not FDA-approved"


def _cite(bib: Bibliography, keys: list[str]) -> str:
    return "; ".join(bib.short(k) for k in dict.fromkeys(keys))


def class_table(drug_class: str | DrugClass, columns: list[str] | None = None, *, caption: str | None = None) -> Table:
    """One row per drug of a class."""
    chosen = base().by_class(drug_class)
    cls = chosen[0].drug_class if chosen else DrugClass(drug_class)
    return drug_table([d.id for d in chosen], columns, caption=caption or f"{cls.title}: the drugs at a glance")


def drug_table(ids: list[str], columns: list[str] | None = None, *, caption: str) -> Table:
    """One row per named drug, with the chosen columns (see ``_COLUMNS``), and the sources beneath."""
    columns = columns or ["drug", "site", "route", "dose", "toxicities"]
    unknown = [c for c in columns if c not in _COLUMNS]
    if unknown:
        raise KeyError(f"unknown table column(s) {unknown}; choose from {sorted(_COLUMNS)}")
    kb = base()
    chosen = [kb.get(i) for i in ids]
    rows = [[_COLUMNS[c][1](d) for c in columns] for d in chosen]
    keys = [k for d in chosen for k in ([d.label.reference] if d.label else d.references)]
    return Table(
        caption=caption,
        headers=[_COLUMNS[c][0] for c in columns],
        rows=rows,
        source=f"Sources: {_cite(kb.bib, keys)}. Doses are the US labeled adult doses"
               + ("; a drug without FDA approval is marked as such, and its dose is the trial or foreign dose the "
                  "course cites" if any(not d.fda_approved for d in chosen) else "")
               + "; check the current label.",
    )


def prototype_table(name: str) -> Table:
    """The nursing prototype card for one drug, as a two-column table."""
    kb = base()
    d = kb.get(name)
    rows: list[list[str]] = [
        ["Class", f"{d.drug_class.title}: {d.molecule}"],
        ["Target and site", f"{d.target}; {d.binding_site}"],
        ["Mechanism", d.mechanism],
        ["Route and dose", " | ".join(f"{r.setting}: {r.describe()}" for r in d.regimens)],
        ["Administration", " ".join(d.administration)],
        ["Boxed warnings", "; ".join(d.boxed_warnings) or "none"],
        ["Key toxicities", "; ".join(d.key_toxicities)],
        ["Monitoring", " ".join(d.monitoring)],
        ["Hold and stop rules", " ".join(d.hold_rules)],
    ]
    if d.interactions:
        rows.append(["Interactions", " ".join(d.interactions)])
    if d.contraception:
        parts = [f"females: {d.contraception.females}" if d.contraception.females else "",
                 f"males: {d.contraception.males}" if d.contraception.males else "",
                 f"breastfeeding: {d.contraception.breastfeeding}" if d.contraception.breastfeeding else ""]
        label = "Contraception and breastfeeding" if d.contraception.breastfeeding else "Contraception"
        rows.append([label, "; ".join(p for p in parts if p)])
    kinds = {"accelerated": ", accelerated"}  # an unconfirmed approval type is an instructor currency note
    rows.append(["Approved uses (first US approval)",
                 " ".join(f"{i.text} ({i.year}{kinds.get(i.approval, '')})." for i in d.indications)])
    if d.key_trials:
        rows.append(["Key trials", ", ".join(d.key_trials)])
    keys = ([d.label.reference] if d.label else []) + d.references
    source = f"Sources: {_cite(kb.bib, keys)}"
    if d.label:
        source += f" (label revision {d.label.revised})"
    # open items (flags) are for instructors: the "Currency notes" page lists them, this learner table does not
    return Table(caption=f"Prototype: {d.display_name}", headers=["", ""], rows=rows, source=source + ".",
                 row_headers=True)


def class_overview_table() -> Table:
    """One row per drug class: its members, where they act on HER2, and how they are given."""
    kb = base()
    rows = []
    for cls in DrugClass:
        members = kb.by_class(cls)
        if not members:
            continue
        sites = list(dict.fromkeys(d.binding_site for d in members))
        routes = list(dict.fromkeys(r.value for d in members for r in d.routes))
        rows.append([cls.title, ", ".join(d.generic_name for d in members), "; ".join(sites), ", ".join(routes)])
    keys = [d.label.reference if d.label else d.references[0] for d in kb]
    return Table(
        caption="The four classes of HER2-targeted drugs",
        headers=["Class", "Drugs", "Where they act", "Route"],
        rows=rows,
        source=f"Sources: {_cite(kb.bib, keys)}.",
    )


def contraception_table(ids: list[str] | None = None) -> Table:
    """Embryo-fetal toxicity and lactation: each drug's contraception windows and breastfeeding advice after the last
    dose, as its label states it."""
    kb = base()
    chosen = [kb.get(i) for i in ids] if ids else [d for d in kb if d.contraception and d.fda_approved]
    rows = []
    keys: list[str] = []
    for d in chosen:
        c = d.contraception
        if c is None:
            rows.append([d.display_name, *[NOT_IN_DATA] * 3])
            continue
        rows.append([d.display_name, c.females or "not stated in the label", c.males or "not stated in the label",
                     c.breastfeeding or BREASTFEEDING_NOT_RECORDED])
        keys += c.references
    return Table(
        caption="Contraception and breastfeeding after the last dose, by drug (US labels)",
        headers=["Drug (brand)", "Patients who could become pregnant", "Male patients with such partners",
                 "Breastfeeding"],
        rows=rows,
        source=f"Sources: {_cite(kb.bib, keys)}. Windows differ between drugs: check the current label.",
    )


NOT_IN_DATA = "not stated in the course data"
BREASTFEEDING_NOT_RECORDED = "not listed here: read the Lactation section (8.2) of the current label"
