"""The pathway model as data: schema, loading and validation of ``data/pathway.yaml``.

Structure problems (unknown node, cycle, bad site) fail loading with file, item and field named. Reference keys
are checked by ``her2course check`` only (see :func:`validate`), so a bibliography that is still being merged
never stops a chapter from running.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..errors import DataError, Problem
from ..paths import Layout, package_layout
from ..yamlfile import read_yaml, validate_items

NodeKind = Literal["ligand", "receptor", "dimer", "variant", "bypass", "mapk", "pi3k", "suppressor", "outcome"]
SiteCode = Literal["ECD-II", "ECD-IV", "ECD-II+IV", "kinase"]
AntibodySite = Literal["ECD-II", "ECD-IV"]
Surface = Literal["high", "mutant", "low", "normal", "none"]
OUTCOMES = ("proliferation", "survival")
#: How much full-length HER2 an ADC can find, from most to least. "low" is HER2-low disease (IHC 1+ or 2+ without
#: amplification, chosen as an alteration); "normal" is the small amount a cell with no HER2 alteration carries.
SURFACE_ORDER: tuple[Surface, ...] = ("high", "mutant", "low", "normal", "none")

_ALIAS_CLEAN = re.compile(r"[^a-z0-9]")


def normalise(name: str) -> str:
    """Case, spaces and punctuation ignored: 'p95-HER2' == 'P95HER2' == 'p95 her2'."""
    return _ALIAS_CLEAN.sub("", name.lower())


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Node(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9:\-]*$")
    label: str = Field(min_length=1, description="short text drawn in the diagram (may contain a line break)")
    name: str = Field(min_length=3, description="plain-language name used in explanations and alt text")
    kind: NodeKind
    pos: tuple[float, float]
    present: bool = True
    default_on: bool = False
    basal: bool = False
    members: list[str] = []
    kinases: list[str] = []
    ligand_rescue: list[str] = Field(default=[], description="ligand nodes whose signal keeps this unit active "
                                                             "even when a kinase inhibitor covers its kinases")
    rescue_note: str | None = Field(default=None, description="why, in a sentence, for the explanation")
    escape: str | None = None
    description: str = Field(min_length=10)
    references: list[str] = Field(min_length=1)


class Edge(Strict):
    source: str
    target: str
    effect: Literal["activates", "dampens"] = "activates"
    blocked_by: list[AntibodySite] = []
    note: str | None = None
    references: list[str] = Field(min_length=1)

    @property
    def id(self) -> str:
        return f"{self.source}->{self.target}"


class Drive(Strict):
    """An edge from an alteration straight into a node."""

    target: str
    note: str = Field(min_length=5)
    blocked_by: list[AntibodySite] = []


class Alteration(Strict):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9\-]*$")
    name: str = Field(min_length=3)
    tag: str = Field(min_length=2, max_length=12, description="short word drawn beside the anchor node")
    aliases: list[str] = []
    anchor: str
    adds: list[str] = []
    removes: list[str] = []
    drives: list[Drive] = []
    her2_surface: Surface | None = None
    description: str = Field(min_length=20)
    references: list[str] = Field(min_length=1)


class ADC(Strict):
    payload: str
    payload_action: str = Field(min_length=10)
    linker: Literal["cleavable", "non-cleavable"]
    bystander: bool
    targets: list[Surface] = Field(min_length=1)
    note: str = Field(min_length=20)


class DrugAction(Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    short: str | None = Field(default=None, description="name used in diagrams (defaults to the id)")
    aliases: list[str] = []
    drug_class: Literal["antibody", "bispecific", "ADC", "TKI"]
    site: SiteCode | None
    fc_effector: bool = False
    kinase_targets: list[str] = []
    action: str = Field(min_length=15)
    mutant_note: str | None = None
    adc: ADC | None = None
    references: list[str] = Field(min_length=1)

    @field_validator("aliases")
    @classmethod
    def _no_empty(cls, value: list[str]) -> list[str]:
        if any(not normalise(a) for a in value):
            raise ValueError("aliases must contain letters or digits")
        return value

    @property
    def antibody_sites(self) -> tuple[str, ...]:
        """The extracellular sites this drug occupies ('ECD-II+IV' counts as both)."""
        sites = {"ECD-II": ("ECD-II",), "ECD-IV": ("ECD-IV",), "ECD-II+IV": ("ECD-II", "ECD-IV")}
        return sites.get(self.site or "", ())

    @property
    def name(self) -> str:
        """Display name: the id with spaces (e.g. 'trastuzumab deruxtecan')."""
        return self.id.replace("-", " ")

    @property
    def label(self) -> str:
        """Short name for diagrams ('T-DXd')."""
        return self.short or self.id


class Step(Strict):
    id: str
    label: str
    text: str = Field(min_length=10)


class ResistancePoint(Strict):
    """A place on the ADC path where the ADC can fail (drawn by figures.adc_resistance_figure)."""

    step: str = Field(description="the adc_steps id where it acts")
    label: str = Field(min_length=3, max_length=30, description="short text drawn in the figure")
    text: str = Field(min_length=20)
    drugs: list[str] = Field(default=[], description="ADC ids it applies to; empty means every ADC")
    references: list[str] = Field(min_length=1)

    @property
    def id(self) -> str:
        return f"{self.step}:{self.label}"

    def applies_to(self, drug_id: str) -> bool:
        return not self.drugs or drug_id in self.drugs


class Model:
    """The validated model: nodes, edges, alterations and drug actions, with name look-up."""

    def __init__(self, nodes, edges, alterations, drugs, steps, path: Path, resistance=()):
        self.path = path
        self.nodes: dict[str, Node] = {n.id: n for n in nodes}
        self.edges: list[Edge] = list(edges)
        self.alterations: dict[str, Alteration] = {a.id: a for a in alterations}
        self.drugs: dict[str, DrugAction] = {d.id: d for d in drugs}
        self.adc_steps: list[Step] = list(steps)
        self.adc_resistance: list[ResistancePoint] = list(resistance)
        self.order = topological_order(self.nodes, self.edges, self.alterations)

    # -- look-up by any name ----------------------------------------------------------------------------
    def drug(self, name: str) -> DrugAction:
        key = normalise(name)
        for d in self.drugs.values():
            if key in {normalise(n) for n in (d.id, d.name, *d.aliases)}:
                return d
        found = _from_drug_base(name)
        if found in self.drugs:
            return self.drugs[found]
        raise UnknownName("drug", name, self.drug_names())

    def alteration(self, name: str) -> Alteration:
        key = normalise(name)
        for a in self.alterations.values():
            if key in {normalise(n) for n in (a.id, a.name, *a.aliases)}:
                return a
        raise UnknownName("alteration", name, self.alteration_names())

    def drug_names(self) -> list[str]:
        return list(self.drugs)

    def alteration_names(self) -> list[str]:
        return list(self.alterations)

    def incoming(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.target == node_id]

    def resistance_points(self, drug_id: str) -> list[ResistancePoint]:
        """The ADC resistance points that apply to one ADC, in step order."""
        order = [s.id for s in self.adc_steps]
        points = [p for p in self.adc_resistance if p.applies_to(drug_id)]
        return sorted(points, key=lambda p: order.index(p.step))


class UnknownName(KeyError):
    """A drug or alteration the model does not know; the message lists the known ids."""

    def __init__(self, what: str, name: str, known: list[str]):
        self.what, self.name, self.known = what, name, known
        super().__init__(f"unknown {what} '{name}'; known {what}s: {', '.join(known)}")

    def __str__(self) -> str:
        return self.args[0]


def _from_drug_base(name: str) -> str | None:
    """Brand names and abbreviations the drug knowledge base knows (if it loads); None otherwise."""
    try:
        from .. import drugs

        return drugs.get(name).id
    except Exception:  # the drug base may be incomplete or invalid while it is being written
        return None


def topological_order(nodes: dict[str, Node], edges: list[Edge], alterations: dict[str, Alteration]) -> list[str]:
    """Nodes in an order where every edge points forward; raise ValueError on a cycle."""
    incoming: dict[str, set[str]] = {n: set() for n in nodes}
    for e in edges:
        incoming[e.target].add(e.source)
    # a receptor's state comes from the units it belongs to, so it follows them
    for n in nodes.values():
        for m in n.members:
            incoming[m].add(n.id)
    order: list[str] = []
    done: set[str] = set()
    pending = list(nodes)
    while pending:
        ready = [n for n in pending if incoming[n] <= done]
        if not ready:
            raise ValueError(f"the network has a cycle among: {', '.join(pending)}")
        for n in ready:
            order.append(n)
            done.add(n)
        pending = [n for n in pending if n not in done]
    return order


# ---- loading and validation -----------------------------------------------------------------------------------


def pathway_file(layout: Layout) -> Path:
    return layout.data_dir / "pathway.yaml"


def _structure_problems(path: Path, nodes, edges, alterations, drugs, steps=(), resistance=()) -> list[Problem]:
    problems: list[Problem] = []
    step_ids = {s.id for s in steps}
    adc_ids = {d.id for d in drugs if d.adc is not None}
    for i, r in enumerate(resistance):
        if r.step not in step_ids:
            problems.append(Problem(path, f"adc_resistance[{i}]", "step", f"unknown ADC step '{r.step}'"))
        for d in r.drugs:
            if d not in adc_ids:
                problems.append(Problem(path, f"adc_resistance[{i}]", "drugs", f"'{d}' is not an ADC in the model"))
    ids = {n.id for n in nodes}
    receptors = {n.id for n in nodes if n.kind == "receptor"}
    kinase_ids = receptors | {k for n in nodes for k in n.kinases}
    for n in nodes:
        for m in n.members:
            if m not in receptors:
                problems.append(Problem(path, n.id, "members", f"'{m}' is not a receptor node"))
        if n.kind in ("dimer", "variant") and not n.kinases:
            problems.append(Problem(path, n.id, "kinases", "a signalling unit must name the kinase(s) it needs"))
        ligands = {x.id for x in nodes if x.kind == "ligand"}
        for lig in n.ligand_rescue:
            if lig not in ligands:
                problems.append(Problem(path, n.id, "ligand_rescue", f"'{lig}' is not a ligand node"))
        if n.ligand_rescue and not n.rescue_note:
            problems.append(Problem(path, n.id, "rescue_note", "a unit with ligand_rescue needs a rescue_note"))
    for i, e in enumerate(edges):
        for end in ("source", "target"):
            if getattr(e, end) not in ids:
                problems.append(Problem(path, f"edges[{i}]", end, f"unknown node '{getattr(e, end)}'"))
    for a in alterations:
        for field in ("adds", "removes"):
            for n in getattr(a, field):
                if n not in ids:
                    problems.append(Problem(path, a.id, field, f"unknown node '{n}'"))
        if a.anchor not in ids:
            problems.append(Problem(path, a.id, "anchor", f"unknown node '{a.anchor}'"))
        for j, d in enumerate(a.drives):
            if d.target not in ids:
                problems.append(Problem(path, a.id, f"drives[{j}].target", f"unknown node '{d.target}'"))
    for d in drugs:
        if d.drug_class == "TKI" and (d.site != "kinase" or not d.kinase_targets):
            problems.append(Problem(path, d.id, "kinase_targets", "a TKI acts at site 'kinase' on named kinases"))
        if d.drug_class != "TKI" and d.kinase_targets:
            problems.append(Problem(path, d.id, "kinase_targets", "only TKIs block kinases"))
        if (d.drug_class == "ADC") != (d.adc is not None):
            problems.append(Problem(path, d.id, "adc", "ADCs (and only ADCs) need an 'adc' section"))
        for k in d.kinase_targets:
            if k not in kinase_ids:
                problems.append(Problem(path, d.id, "kinase_targets", f"unknown kinase '{k}'"))
    if not problems:
        try:
            topological_order({n.id: n for n in nodes}, edges, {a.id: a for a in alterations})
        except ValueError as exc:
            problems.append(Problem(path, None, "edges", str(exc)))
    names: dict[str, str] = {}
    for kind, items in (("drug", drugs), ("alteration", alterations)):
        for item in items:
            for alias in (item.id, *item.aliases):
                key = f"{kind}:{normalise(alias)}"
                if key in names and names[key] != item.id:
                    problems.append(Problem(path, item.id, "aliases", f"'{alias}' also names '{names[key]}'"))
                names[key] = item.id
    return problems


def _parse(path: Path) -> tuple[tuple, list[Problem]]:
    try:
        raw = read_yaml(path)
    except DataError as exc:
        return ((), (), (), (), (), ()), exc.problems
    problems: list[Problem] = []
    nodes, p = validate_items(path, raw, Node, list_key="nodes")
    problems += p
    alterations, p = validate_items(path, raw, Alteration, list_key="alterations")
    problems += p
    drugs, p = validate_items(path, raw, DrugAction, list_key="drugs")
    problems += p
    steps, p = validate_items(path, raw, Step, list_key="adc_steps")
    problems += p
    resistance: list[ResistancePoint] = []
    if isinstance(raw, dict) and isinstance(raw.get("adc_resistance"), list):
        for i, entry in enumerate(raw["adc_resistance"]):
            got, p = validate_items(path, {"r": [entry]}, ResistancePoint, list_key="r", id_field="_")
            problems += [Problem(path, f"adc_resistance[{i}]", q.field, q.message) for q in p]
            resistance += got
    edges: list[Edge] = []
    if isinstance(raw, dict) and isinstance(raw.get("edges"), list):
        # edges have no id of their own: name them by position and ends
        for i, entry in enumerate(raw["edges"]):
            label = (f"edges[{i}] ({entry.get('source')} -> {entry.get('target')})"
                     if isinstance(entry, dict) else f"edges[{i}]")
            got, p = validate_items(path, {"e": [entry]}, Edge, list_key="e", id_field="_")
            problems += [Problem(path, label, q.field, q.message) for q in p]
            edges += got
    else:
        problems.append(Problem(path, None, "edges", "expected a list under 'edges'"))
    if not problems:
        problems += _structure_problems(path, nodes, edges, alterations, drugs, steps, resistance)
    return (nodes, edges, alterations, drugs, steps, resistance), problems


def validate(layout: Layout) -> tuple[list, list[Problem]]:
    """For ``her2course check``: every structure problem, every missing reference key, and any drug whose
    site disagrees with drugs.yaml. Returns (the valid items, problems)."""
    from ..references import load_bibliography, missing_keys

    path = pathway_file(layout)
    (nodes, edges, alterations, drugs, steps, resistance), problems = _parse(path)
    items = [*nodes, *edges, *alterations, *drugs, *steps, *resistance]
    try:
        bib = load_bibliography(layout.bib)
    except DataError as exc:
        return items, problems + exc.problems
    for item in (*nodes, *alterations, *drugs):
        problems += missing_keys(bib, path, item.id, "references", item.references)
    for e in edges:
        problems += missing_keys(bib, path, e.id, "references", e.references)
    for r in resistance:
        problems += missing_keys(bib, path, r.id, "references", r.references)
    problems += site_disagreements(path, drugs, _drug_sites(layout))
    return items, problems


def _drug_sites(layout: Layout) -> dict[str, str]:
    """id -> site from drugs.yaml, read leniently (the drug file has its own validator)."""
    try:
        raw = read_yaml(layout.drugs)
    except DataError:
        return {}
    entries = raw.get("drugs") if isinstance(raw, dict) else None
    return {str(d["id"]): str(d.get("site")) for d in entries or [] if isinstance(d, dict) and "id" in d}


def site_disagreements(path: Path, drugs: list[DrugAction], sites: dict[str, str]) -> list[Problem]:
    """A problem for every drug whose site here differs from its site in drugs.yaml (drugs absent there are
    skipped: that file may still be growing)."""
    return [
        Problem(path, d.id, "site", f"'{d.site}' here but '{sites[d.id]}' in drugs.yaml")
        for d in drugs
        if d.id in sites and d.site is not None and sites[d.id] != d.site
    ]


def load(path: Path | None = None) -> Model:
    """Load and validate the structure; raise DataError listing every problem."""
    path = path or pathway_file(package_layout())
    (nodes, edges, alterations, drugs, steps, resistance), problems = _parse(path)
    if problems:
        raise DataError(problems)
    return Model(nodes, edges, alterations, drugs, steps, path, resistance)


@lru_cache(maxsize=1)
def model() -> Model:
    """The course's pathway model (cached)."""
    return load()
