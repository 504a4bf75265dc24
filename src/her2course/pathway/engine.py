"""Simulation: given drugs and alterations, which nodes are on, which edges carry signal, and what each drug did.

The rules (also stated at the top of data/pathway.yaml):

* an edge is *live* when its source is on and no chosen antibody binds a site listed in its ``blocked_by``;
* a node is on when a live activating edge (or a live alteration drive) reaches it, or it is ``default_on``,
  or it is ``basal`` and nothing that damps it is on; unless a chosen kinase inhibitor covers every kinase the
  node needs, in which case it is off and recorded as blocked, except that a unit fed by one of its
  ``ligand_rescue`` ligands stays on despite the inhibitor (recorded as rescued: ligand-driven HER2-HER3 signaling
  is damped but not switched off by a kinase inhibitor alone, as neuregulin rescued HER2-amplified cells from
  lapatinib in the laboratory);
* a receptor is on when a signalling unit it belongs to is on;
* ADC payloads and antibody-directed immune attack are separate effects computed from how much HER2 the cell
  shows on its surface; they never change the signalling state. A cell with no HER2 alteration shows the
  "normal" level, which no ADC is credited with killing; HER2-low disease is an alteration of its own.

Nodes are evaluated once each in topological order, so the result is deterministic and needs no iteration.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .model import OUTCOMES, SURFACE_ORDER, Alteration, DrugAction, Model, model


@dataclass(frozen=True)
class Block:
    """One place a drug stopped a signal that would otherwise flow."""

    drug: str
    kind: str  # "edge" (antibody at a site), "drive" (antibody on an alteration's route) or "kinase" (TKI)
    target: str  # node id the blocked signal was heading for (or the node itself for a kinase block)
    source: str  # node or alteration id the signal came from ("" for a kinase block)
    site: str  # ECD-II, ECD-IV or kinase
    note: str = ""


@dataclass(frozen=True)
class Rescue:
    """A unit that a kinase inhibitor would have switched off, kept signaling by a ligand (see ``ligand_rescue``)."""

    node: str
    ligand: str
    drugs: tuple[str, ...]  # the kinase inhibitors it escaped


@dataclass(frozen=True)
class Cytotoxic:
    """What an ADC's payload does in this cell (independent of signalling)."""

    drug: str
    surface: str  # how much HER2 the cell shows: high / mutant / low / none
    target_found: bool
    kills_cell: bool
    bystander: bool


@dataclass
class Result:
    drugs: list[DrugAction]
    alterations: list[Alteration]
    present: list[str]
    on: dict[str, bool]
    live_edges: list[tuple[str, str]]  # (source, target) incl. alteration drives (source = alteration id)
    blocks: list[Block]
    cytotoxic: list[Cytotoxic]
    immune: list[str]  # drugs whose Fc part can flag the cell for immune attack (antibody bound)
    surface: str
    reasons: dict[str, tuple[str, str]] = field(default_factory=dict)  # node -> (why, from)
    model: Model | None = None
    rescued: list[Rescue] = field(default_factory=list)

    @property
    def active(self) -> list[str]:
        """Active node ids in model order, outcomes excluded (they are reported separately)."""
        order = list(self.model.nodes) if self.model else self.present
        return [n for n in order if self.on.get(n) and n not in OUTCOMES]

    @property
    def outcomes(self) -> dict[str, bool]:
        return {o: bool(self.on.get(o)) for o in OUTCOMES}

    @property
    def drug_ids(self) -> list[str]:
        return [d.id for d in self.drugs]

    @property
    def alteration_ids(self) -> list[str]:
        return [a.id for a in self.alterations]

    def to_dict(self) -> dict:
        from .explain import explain

        return {
            "drugs": self.drug_ids,
            "alterations": self.alteration_ids,
            "active": self.active,
            "outcomes": self.outcomes,
            "explanation": explain(self),
        }


def _unique(items: Iterable) -> list:
    seen: dict = {}
    for item in items:
        seen.setdefault(item.id, item)
    return list(seen.values())


def resolve(drugs: Iterable[str] = (), alterations: Iterable[str] = (), m: Model | None = None):
    """Names (any case, alias or brand) -> the model's drug and alteration objects, in model order."""
    m = m or model()
    chosen_d = _unique(m.drug(n) for n in drugs)
    chosen_a = _unique(m.alteration(n) for n in alterations)
    d_order, a_order = list(m.drugs), list(m.alterations)
    return (sorted(chosen_d, key=lambda d: d_order.index(d.id)),
            sorted(chosen_a, key=lambda a: a_order.index(a.id)))


def her2_surface(alterations: list[Alteration]) -> str:
    """How much full-length HER2 the cell shows: the strongest level any alteration sets; 'normal' (the small
    amount of an unaltered cell, not HER2-low disease) when none sets one."""
    levels = [a.her2_surface for a in alterations if a.her2_surface]
    if not levels:
        return "normal"
    return min(levels, key=SURFACE_ORDER.index)


def simulate(drugs: Iterable[str] = (), alterations: Iterable[str] = (), m: Model | None = None) -> Result:
    """Run the model for the named drugs and alterations (both may be empty)."""
    m = m or model()
    chosen_d, chosen_a = resolve(drugs, alterations, m)
    added = {n for a in chosen_a for n in a.adds}
    removed = {n for a in chosen_a for n in a.removes}
    present = [n for n in m.order if (m.nodes[n].present or n in added) and n not in removed]
    present_set = set(present)
    sites = {s: d.id for d in chosen_d for s in d.antibody_sites}
    sites_by = {s: [d.id for d in chosen_d if s in d.antibody_sites] for s in ("ECD-II", "ECD-IV")}
    tkis = [d for d in chosen_d if d.kinase_targets]

    on: dict[str, bool] = {}
    live: list[tuple[str, str]] = []
    blocks: list[Block] = []
    rescued: list[Rescue] = []
    reasons: dict[str, tuple[str, str]] = {}
    for nid in present:
        node = m.nodes[nid]
        if node.kind == "receptor":
            units = [u for u in present if nid in m.nodes[u].members and on.get(u)]
            on[nid] = bool(units)
            if units:
                reasons[nid] = ("member", units[0])
            continue
        feeding: list[str] = []
        damped = False
        for e in m.incoming(nid):
            if e.source not in present_set or not on.get(e.source):
                continue
            if e.effect == "dampens":
                damped = True
                continue
            hit = [s for s in e.blocked_by if s in sites]
            if hit:
                blocks += [Block(d, "edge", nid, e.source, s, e.note or "") for s in hit for d in sites_by[s]]
                continue
            feeding.append(e.source)
        for a in chosen_a:
            for drive in a.drives:
                if drive.target != nid:
                    continue
                hit = [s for s in drive.blocked_by if s in sites]
                if hit:
                    blocks += [Block(d, "drive", nid, a.id, s, drive.note) for s in hit for d in sites_by[s]]
                    continue
                feeding.append(a.id)
        state = bool(feeding) or node.default_on or (node.basal and not damped)
        if feeding:
            reasons[nid] = ("input", feeding[0])
        elif node.default_on:
            reasons[nid] = ("default", "")
        elif state:
            reasons[nid] = ("basal", next((e.source for e in m.incoming(nid) if e.effect == "dampens"), ""))
        if state and node.kinases:
            stoppers = [d for d in tkis if set(node.kinases) <= set(d.kinase_targets)]
            rescuer = next((src for src in feeding if src in node.ligand_rescue), None)
            if stoppers and rescuer:
                rescued.append(Rescue(nid, rescuer, tuple(d.id for d in stoppers)))
                reasons[nid] = ("input", rescuer)
            elif stoppers:
                blocks += [Block(d.id, "kinase", nid, "", "kinase") for d in stoppers]
                state = False
                reasons.pop(nid, None)
        on[nid] = state
        if state:
            live += [(src, nid) for src in feeding]
    # edges out of receptors are not signalling edges; receptor state follows its units (computed above)

    surface = her2_surface(chosen_a)
    cytotoxic = []
    for d in chosen_d:
        if d.adc is None:
            continue
        found = surface in d.adc.targets
        cytotoxic.append(Cytotoxic(d.id, surface, found, found, found and d.adc.bystander))
    immune = [d.id for d in chosen_d if d.fc_effector and d.antibody_sites and surface in ("high", "mutant")]
    return Result(chosen_d, chosen_a, present, on, live, blocks, cytotoxic, immune, surface, reasons, m, rescued)


def run(drugs: Iterable[str] = (), alterations: Iterable[str] = ()) -> dict:
    """The CLI's JSON object: drugs, alterations, active, outcomes, explanation."""
    return simulate(drugs, alterations).to_dict()
