"""Learning outcomes mapped to the frameworks programs report against: NCLEX-RN client needs, AACN Essentials
domains and QSEN competencies (``data/frameworks.yaml``).

The mapping is data written next to the outcomes it maps:

- each question bank (``data/questions/<chapter>.yaml``) has an ``outcome_map`` beside its ``learning_outcomes``::

      outcome_map:
        LO2.5: {nclex: [Pharmacological and Parenteral Therapies], aacn: [Quality and Safety], qsen: [Safety]}

- the unfolding cases share chapter 7's outcomes, so their map is written once, in ``data/case_outcomes.yaml``.

An item inherits the categories of its learning outcome (:func:`mapping_for`); the blueprint, ``her2course quiz
list/build --nclex/--aacn/--qsen`` and the outcome-map page read them from here. ``her2course check`` rejects a
name that is not in frameworks.yaml, an outcome left unmapped and a mapping for an outcome that does not exist.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import DataError, Problem
from .paths import Layout, package_layout
from .yamlfile import load_model, read_model, read_yaml

FRAMEWORKS = ("nclex", "aacn", "qsen")
SHORT = {"nclex": "NCLEX-RN", "aacn": "AACN", "qsen": "QSEN"}
CASE_MAP_FILE = "case_outcomes.yaml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


CATEGORY_NAME = r"^[A-Za-z0-9][A-Za-z0-9 ,'()/&-]*$"


class Category(_Strict):
    # plain words: a category name is looked up by the outcome maps and the filters, and shown on instructor pages
    name: str = Field(min_length=2, pattern=CATEGORY_NAME)
    group: str = ""
    number: int | None = None
    formerly: str = Field("", pattern=rf"^$|{CATEGORY_NAME}",
                          description="the name in the framework's previous edition, still accepted as a filter")


class Framework(_Strict):
    title: str
    unit: str = Field(min_length=2, description="what one category is called: 'domain', 'competency'")
    edition: str
    references: list[str] = Field(min_length=1)
    note: str = ""
    categories: list[Category] = Field(min_length=2)

    def names(self) -> list[str]:
        return [c.name for c in self.categories]

    def label(self, name: str) -> str:
        """The name as shown in tables: AACN domains with their number ("2. Person-Centered Care")."""
        for c in self.categories:
            if c.name == name and c.number is not None:
                return f"{c.number}. {name}"
        return name


class Frameworks(_Strict):
    nclex: Framework
    aacn: Framework
    qsen: Framework

    def get(self, key: str) -> Framework:
        return getattr(self, key)


class Mapping(_Strict):
    """One outcome's categories in each framework (at least one each)."""

    nclex: list[str] = Field(min_length=1)
    aacn: list[str] = Field(min_length=1)
    qsen: list[str] = Field(min_length=1)

    def get(self, key: str) -> list[str]:
        return list(getattr(self, key))


@dataclass(frozen=True)
class Outcome:
    """A learning outcome, where it is written, and its mapping (None while unmapped)."""

    key: str
    text: str
    source: str  # the bank's chapter id, or "cases"
    mapping: Mapping | None


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# ----------------------------------------------------------------------------------------------- loading

def _frameworks_path(layout: Layout) -> Path:
    return layout.data_dir / "frameworks.yaml"


def frameworks(layout: Layout | None = None) -> Frameworks:
    """The three frameworks (cached until the file changes); a DataError names what is wrong."""
    return load_model(_frameworks_path(layout or package_layout()), Frameworks)


def resolve(framework: str, value: str, layout: Layout | None = None) -> str:
    """A category's exact name from what an instructor typed: the name in any capitals, its slug
    ("reduction-of-risk-potential"), the name in the framework's previous edition (``formerly``), or an AACN domain
    number ("5"). ValueError lists the accepted values."""
    fw = frameworks(layout).get(framework)
    wanted = value.strip()
    for c in fw.categories:
        names = [c.name] + ([c.formerly] if c.formerly else [])
        if any(wanted.lower() == n.lower() or slug(wanted) == slug(n) for n in names) or (
                c.number is not None and wanted == str(c.number)):
            return c.name
    allowed = ", ".join(slug(c.name) + (f" ({c.number})" if c.number is not None else "") for c in fw.categories)
    raise ValueError(f"unknown {SHORT[framework]} category '{value}' (use a name or one of: {allowed})")


def _raw_maps(layout: Layout) -> tuple[list[tuple[Path, str, dict[str, str], dict[str, Any]]], list[Problem]]:
    """(file, source, outcomes, raw outcome_map) for every bank and for the cases' shared outcomes."""
    out: list[tuple[Path, str, dict[str, str], dict[str, Any]]] = []
    problems: list[Problem] = []
    folder = layout.data_dir / "questions"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            raw = read_yaml(path)
        except DataError:
            continue  # the question-bank validator reports it
        if not isinstance(raw, dict):
            continue
        outcomes = raw.get("learning_outcomes") if isinstance(raw.get("learning_outcomes"), dict) else {}
        mapping = raw.get("outcome_map", {})
        if not isinstance(mapping, dict):
            problems.append(Problem(path, None, "outcome_map", "expected a mapping of outcome keys to categories"))
            mapping = {}
        out.append((path, path.stem, {str(k): str(v) for k, v in outcomes.items()}, mapping))
    case_outcomes, case_problems = _case_outcomes(layout)
    problems += case_problems
    case_path = layout.data_dir / CASE_MAP_FILE
    if case_outcomes or case_path.is_file():
        try:
            raw = read_yaml(case_path)
        except DataError as exc:
            problems += exc.problems
            raw = {}
        mapping = raw.get("outcome_map", {}) if isinstance(raw, dict) else None
        if not isinstance(mapping, dict):
            problems.append(Problem(case_path, None, "outcome_map", "expected a mapping of outcome keys to categories"))
            mapping = {}
        out.append((case_path, "cases", case_outcomes, mapping))
    return out, problems


def _case_outcomes(layout: Layout) -> tuple[dict[str, str], list[Problem]]:
    """The learning outcomes the case files declare (their text is checked by the case validator)."""
    folder = layout.data_dir / "cases"
    found: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            raw = read_yaml(path)
        except DataError:
            continue
        los = raw.get("learning_outcomes") if isinstance(raw, dict) else None
        if isinstance(los, dict):
            for k, v in los.items():
                found.setdefault(str(k), str(v))
    return found, []


def _check_mapping(path: Path, key: str, raw: Any, fw: Frameworks | None) -> tuple[Mapping | None, list[Problem]]:
    where = f"outcome_map.{key}"
    try:
        mapping = Mapping.model_validate(raw)
    except ValidationError as exc:
        msgs = []
        for e in exc.errors():
            field = ".".join(str(p) for p in e["loc"])
            if e["type"] == "missing":
                msgs.append(Problem(path, key, f"{where}.{field}", "required: name at least one category"))
            elif e["type"] == "extra_forbidden":
                msgs.append(Problem(path, key, f"{where}.{field}", f"unknown framework (use: {', '.join(FRAMEWORKS)})"))
            else:
                msgs.append(Problem(path, key, f"{where}.{field}", str(e["msg"])))
        return None, msgs
    problems: list[Problem] = []
    if fw is not None:
        for name in FRAMEWORKS:
            allowed = fw.get(name).names()
            values = mapping.get(name)
            for value in values:
                if value not in allowed:
                    problems.append(Problem(path, key, f"{where}.{name}", f"'{value}' is not a category of "
                                            f"{fw.get(name).title}; use one of: {'; '.join(allowed)}"))
            if len(set(values)) != len(values):
                problems.append(Problem(path, key, f"{where}.{name}", "a category is listed twice"))
    return (None if problems else mapping), problems


def collect(layout: Layout | None = None) -> tuple[list[Outcome], list[Problem]]:
    """Every learning outcome of the banks and the cases with its mapping, and every problem found."""
    layout = layout or package_layout()
    fw_path = _frameworks_path(layout)
    fw, problems = read_model(fw_path, Frameworks)
    if fw is not None:
        from .references import load_bibliography, missing_keys

        try:
            bib = load_bibliography(layout.bib)
            for name in FRAMEWORKS:
                problems += missing_keys(bib, fw_path, name, "references", fw.get(name).references)
        except DataError as exc:
            problems += exc.problems
        for name in FRAMEWORKS:
            names = fw.get(name).names()
            if len(set(names)) != len(names):
                problems.append(Problem(fw_path, name, "categories", "a category name is listed twice"))
    maps, more = _raw_maps(layout)
    problems += more
    # An outcome key may be listed in more than one place (chapter 7's outcomes by the cases and, should the cases'
    # items join a question bank, by that bank): it is mapped once, and any second mapping must say the same.
    found: dict[str, Outcome] = {}
    mapped_in: dict[str, Path] = {}
    listed_in: dict[str, Path] = {}
    for path, source, los, raw_map in maps:
        for key in raw_map:
            if key not in los:
                known = ", ".join(los) or "none"
                problems.append(Problem(path, str(key), f"outcome_map.{key}", f"maps an outcome that is not among "
                                        f"the learning outcomes here ({known})"))
        for key, text in los.items():
            listed_in.setdefault(key, path)
            mapping = None
            if key in raw_map:
                mapping, more = _check_mapping(path, key, raw_map[key], fw)
                problems += more
                if key in mapped_in and mapping is not None and found[key].mapping not in (None, mapping):
                    problems.append(Problem(path, key, f"outcome_map.{key}", f"differs from the mapping of {key} in "
                                            f"{mapped_in[key].name}; map an outcome once, or the same everywhere"))
                mapped_in.setdefault(key, path)
            if key not in found or (found[key].mapping is None and mapping is not None):
                found[key] = Outcome(key, text, source, mapping)
    for key in found:
        if key not in mapped_in:
            path = listed_in[key]
            problems.append(Problem(path, key, f"outcome_map.{key}", "this learning outcome is not mapped to the "
                                    "NCLEX-RN, AACN and QSEN categories (add it under outcome_map)"))
    return list(found.values()), problems


def validate(layout: Layout) -> tuple[list[Outcome], list[Problem]]:
    """For ``her2course check``: every outcome mapped, every name known (returns the mapped outcomes)."""
    outcomes, problems = collect(layout)
    return [o for o in outcomes if o.mapping is not None], problems


@lru_cache(maxsize=4)
def _by_key(data_dir: str, stamp: tuple[float, ...]) -> dict[str, Outcome]:
    layout = package_layout()
    outcomes, _ = collect(Layout(data_dir=Path(data_dir), bib=layout.bib))
    return {o.key: o for o in outcomes}


def _stamp(layout: Layout) -> tuple[float, ...]:
    files = [_frameworks_path(layout), layout.data_dir / CASE_MAP_FILE,
             *sorted((layout.data_dir / "questions").glob("*.yaml")),
             *sorted((layout.data_dir / "cases").glob("*.yaml"))]
    return tuple(p.stat().st_mtime if p.exists() else 0.0 for p in files)


def all_outcomes() -> dict[str, Outcome]:
    """Every outcome of the course by key (cached until a data file changes)."""
    layout = package_layout()
    return _by_key(str(layout.data_dir), _stamp(layout))


def mapping_for(outcome_key: str) -> Mapping | None:
    """The categories an item inherits from its learning outcome (None for an outcome not mapped yet)."""
    found = all_outcomes().get(outcome_key)
    return found.mapping if found else None


def matches(outcome_key: str, framework: str, wanted: Iterable[str]) -> bool:
    """Whether the outcome is mapped to any of ``wanted`` (exact names) in ``framework``."""
    mapping = mapping_for(outcome_key)
    return mapping is not None and bool(set(mapping.get(framework)) & set(wanted))
