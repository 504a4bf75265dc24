"""Loading and validating unfolding cases; every problem names the file, the case and stage, and the field.

Problems read like the question banks' ones, for example::

    .../cases/lvef-trastuzumab.yaml: item 'lvef-trastuzumab, stage 3': field 'step': ...
    .../cases/lvef-trastuzumab.yaml: item 'lvef-trastuzumab, stage 5': field 'item.options[1].rationale': ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import DataError, Problem
from ..paths import Layout, package_layout
from ..quiz.bank import _loc, _msg
from ..quiz.schema import CJMM_STEPS, ITEM_TYPES, MODELS, Item
from ..tables import _slug
from ..yamlfile import load_named, read_yaml, validate_model
from .schema import STAGES, Case, CaseHeader, Stage, StageHeader

# NGN keeps the bow-tie a stand-alone item: never inside a case. The take-action stage asks which actions to take.
NOT_IN_A_CASE = {"bowtie": "NGN uses the bow-tie as a stand-alone item, not inside a case: use a matrix, a "
                           "multiple-response or a drop-down rationale item for this step"}
ACTION_STAGE = "take_action"
ACTION_TYPES = ("sata", "matrix", "matrix_multi", "single", "dropdown_rationale")


def cases_dir(layout: Layout) -> Path:
    return layout.data_dir / "cases"


def known_reference_keys(layout: Layout) -> tuple[set[str], list[Problem]]:
    """The keys in references.bib (as for the question banks: a chapter draft's new sources are cited in case
    data only once its book/_pending/*.bib has been merged)."""
    from ..references import load_bibliography

    try:
        return load_bibliography(layout.bib).keys(), []
    except DataError as exc:
        return set(), exc.problems


def drug_ids(layout: Layout) -> set[str] | None:
    """The drug ids in drugs.yaml (None when it cannot be read: the drugs validator reports that)."""
    try:
        raw = read_yaml(layout.drugs)
    except DataError:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("drugs"), list):
        return None
    return {d["id"] for d in raw["drugs"] if isinstance(d, dict) and isinstance(d.get("id"), str)}


def _stage_label(case_id: str, number: int) -> str:
    return f"{case_id}, stage {number}"


def _caption(case_name: str, number: int, caption: str) -> str:
    """The caption a table is rendered with (also its HTML id, so it must be unique on a page)."""
    return f"{case_name}, stage {number}: {caption}"


def parse_case(path: Path, raw: Any, bib_keys: set[str] | None = None,
               drugs: set[str] | None = None) -> tuple[Case | None, list[Problem]]:
    """Validate one case's parsed YAML; return the case (None if anything is wrong) and every problem found."""
    if not isinstance(raw, dict):
        got = type(raw).__name__
        return None, [Problem(path, None, None, f"expected a mapping with 'id', 'patient' and 'stages', got {got}")]
    label = raw.get("id") if isinstance(raw.get("id"), str) else path.stem
    try:
        header = validate_model(CaseHeader, raw)
    except ValidationError as exc:
        return None, [Problem(path, label, _loc(e["loc"]), _msg(e)) for e in exc.errors()]
    problems: list[Problem] = []
    cid = header.id
    if cid != path.stem:
        problems.append(Problem(path, cid, "id", f"'{cid}' should match the file name '{path.stem}'"))
    if drugs is not None and header.drug not in drugs:
        problems.append(Problem(path, cid, "drug", f"'{header.drug}' is not a drug id in drugs.yaml"))

    stages: list[Stage] = []
    seen_items: dict[str, int] = {}
    seen_captions: dict[str, int] = {}
    for number, entry in enumerate(header.stages, start=1):
        where = _stage_label(cid, number)
        if not isinstance(entry, dict):
            problems.append(Problem(path, where, None, f"expected a mapping, got {type(entry).__name__}"))
            continue
        try:
            stage = validate_model(StageHeader, entry)
        except ValidationError as exc:
            problems += [Problem(path, where, _loc(e["loc"]), _msg(e)) for e in exc.errors()]
            continue
        if number <= STAGES and stage.step != CJMM_STEPS[number - 1]:
            problems.append(Problem(path, where, "step", f"'{stage.step}' is out of order: stage {number} must be "
                                    f"'{CJMM_STEPS[number - 1]}' (the CJMM order is {', '.join(CJMM_STEPS)})"))
        for t in stage.data.tables:
            slug = _slug(_caption(header.patient.name, number, t.caption))
            if slug in seen_captions:
                problems.append(Problem(path, where, "data.tables", f"table caption '{t.caption}' is too like "
                                        f"another table's in stage {seen_captions[slug]}: captions become HTML ids "
                                        "and must differ near their start"))
            seen_captions.setdefault(slug, number)
        item, found = _parse_item(path, where, stage, header.learning_outcomes, bib_keys)
        problems += found
        if item is None:
            continue
        if item.type in NOT_IN_A_CASE:
            problems.append(Problem(path, where, "item.type", f"'{item.type}' in a case stage: "
                                    f"{NOT_IN_A_CASE[item.type]}"))
        if stage.step == ACTION_STAGE and item.type not in ACTION_TYPES:
            problems.append(Problem(path, where, "item.type", f"the take-action stage must ask which actions to take: "
                                    f"'{item.type}' cannot; use one of {', '.join(ACTION_TYPES)}"))
        if item.id in seen_items:
            problems.append(Problem(path, where, "item.id", f"duplicate item id '{item.id}' (also stage "
                                    f"{seen_items[item.id]})"))
        seen_items.setdefault(item.id, number)
        stages.append(Stage(number, stage.step, stage.title, stage.narrative, stage.data, item))

    if len(header.stages) != STAGES:
        steps = [s.get("step") for s in header.stages if isinstance(s, dict)]
        missing = [s for s in CJMM_STEPS if s not in steps]
        extra = f"; missing: {', '.join(missing)}" if missing else ""
        problems.append(Problem(path, cid, "stages", f"a case needs exactly {STAGES} stages, one per CJMM step in "
                                f"order ({', '.join(CJMM_STEPS)}); found {len(header.stages)}{extra}"))
    if problems:
        return None, problems
    case = Case(path=path, id=cid, title=header.title, drug=header.drug, setting=header.setting,
                patient=header.patient, learning_outcomes=dict(header.learning_outcomes), stages=tuple(stages))
    return case, []


def _parse_item(path: Path, where: str, stage: StageHeader, outcomes: dict[str, str],
                bib_keys: set[str] | None) -> tuple[Item | None, list[Problem]]:
    entry = dict(stage.item)
    step = entry.setdefault("cjmm_step", stage.step)
    if step != stage.step:
        return None, [Problem(path, where, "item.cjmm_step", f"'{step}' does not match the stage's step "
                              f"'{stage.step}' (leave it out: it defaults to the stage's step)")]
    kind = entry.get("type")
    model = MODELS.get(kind) if isinstance(kind, str) else None
    if model is None:
        what = "is missing" if kind is None else f"'{kind}' is not a question type"
        return None, [Problem(path, where, "item.type", f"{what}; use one of: {', '.join(ITEM_TYPES)}")]
    try:
        item = validate_model(model, entry)
    except ValidationError as exc:
        return None, [Problem(path, where, "item." + _loc(e["loc"]), _msg(e)) for e in exc.errors()]
    problems: list[Problem] = []
    if item.learning_outcome not in outcomes:
        problems.append(Problem(path, where, "item.learning_outcome", f"'{item.learning_outcome}' is not one of "
                                f"this case's learning outcomes ({', '.join(outcomes)})"))
    if bib_keys is not None:
        problems += [Problem(path, where, "item.reference", f"reference key '{k}' is not in references.bib")
                     for k in item.reference if k not in bib_keys]
    return (None if problems else item), problems  # type: ignore[return-value]


def validate(layout: Layout) -> tuple[list[Case], list[Problem]]:
    """Validate every case in ``data/cases`` (for ``her2course check``).

    Across cases: item ids are unique (and distinct from the question banks' ids), patient names differ (they
    prefix table captions, which become HTML ids), and a learning outcome key means the same text everywhere.
    """
    folder = cases_dir(layout)
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    keys, problems = known_reference_keys(layout)
    drugs = drug_ids(layout)
    bank_ids = _bank_item_ids(layout)
    cases: list[Case] = []
    owner: dict[str, str] = {}
    names: dict[str, str] = {}
    outcome_text: dict[str, tuple[str, str]] = {}
    for path in files:
        try:
            raw = read_yaml(path)
        except DataError as exc:
            problems += exc.problems
            continue
        case, found = parse_case(path, raw, keys, drugs)
        problems += found
        if case is None:
            continue
        for s in case.stages:
            iid = s.item.id
            where = _stage_label(case.id, s.number)
            if iid in owner:
                problems.append(Problem(path, where, "item.id", f"item id '{iid}' is also used in case "
                                        f"'{owner[iid]}'"))
            elif iid in bank_ids:
                problems.append(Problem(path, where, "item.id", f"item id '{iid}' is also used in the question "
                                        f"bank {bank_ids[iid]}"))
            owner.setdefault(iid, case.id)
        name = case.patient.name
        if name in names:
            problems.append(Problem(path, case.id, "patient.name", f"'{name}' is also the patient in case "
                                    f"'{names[name]}'; give each case its own patient"))
        names.setdefault(name, case.id)
        for key, text in case.learning_outcomes.items():
            if key in outcome_text and outcome_text[key][0] != text:
                problems.append(Problem(path, case.id, f"learning_outcomes.{key}", f"differs from the text of "
                                        f"{key} in case '{outcome_text[key][1]}'; an outcome must read the same in "
                                        "every case"))
            outcome_text.setdefault(key, (text, case.id))
        cases.append(case)
    return cases, problems


def _bank_item_ids(layout: Layout) -> dict[str, str]:
    folder = layout.data_dir / "questions"
    out: dict[str, str] = {}
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            raw = read_yaml(path)
        except DataError:
            continue
        items = raw.get("items") if isinstance(raw, dict) else None
        for it in items if isinstance(items, list) else []:
            if isinstance(it, dict) and isinstance(it.get("id"), str):
                out.setdefault(it["id"], path.name)
    return out


def case_ids(layout: Layout | None = None) -> list[str]:
    folder = cases_dir(layout or package_layout())
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def load_case(case_id: str | Path) -> Case:
    """The case for an id (``"lvef-trastuzumab"``) or a path to a case file; a DataError lists every problem.

    Reference keys and the drug id are checked by ``her2course check`` (as for the question banks), not here.
    """
    return load_named(case_id, cases_dir(package_layout()), "case", parse_case)
