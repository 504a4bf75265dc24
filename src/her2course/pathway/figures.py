"""The pathway figures as course ``Figure`` objects (SVG + alt text generated from the model + caption).

From a chapter::

    from her2course.pathway import figures
    figures.family_figure()
    figures.domains_figure()
    figures.network_figure()
    figures.scenario_figure(["trastuzumab"], ["HER2 amplification", "p95HER2"])
    figures.adc_figure("T-DXd")
"""

from __future__ import annotations

from collections.abc import Iterable

from ..figures import Figure
from . import draw
from .engine import Result, simulate
from .explain import _join, explain, node_text
from .model import Model, model


def scenario_title(result: Result) -> str:
    drugs = " + ".join(d.label for d in result.drugs) or "none"
    cell = " + ".join(a.name.split(" (")[0] for a in result.alterations) or "no alteration"
    return f"Drug: {drugs}\nCell: {cell}"


def scenario_alt(result: Result) -> str:
    """Alt text for a scenario diagram: what is drawn, from the model's result."""
    m = result.model
    drugs = _join([d.name for d in result.drugs]) or "no drug"
    cell = _join([a.name for a in result.alterations]) or "no alteration"
    parts = [f"HER2 signalling network diagram with {drugs}, in a cell with {cell}."]
    blocks = []
    for b in result.blocks:
        what = node_text(m, b.target)
        blocks.append(f"{b.drug.replace('-', ' ')} blocks the kinase of the {what}" if b.kind == "kinase"
                      else f"{b.drug.replace('-', ' ')} blocks the route into the {what} at domain {b.site[4:]}")
    if blocks:
        parts.append(_sentence_list("Blocks shown", blocks))
    on = [node_text(m, n) for n in result.active]
    parts.append(f"Nodes ON: {', '.join(on)}." if on else "No signalling node is ON.")
    out = result.outcomes
    parts.append(f"Proliferation {'ON' if out['proliferation'] else 'OFF'}, survival "
                 f"{'ON' if out['survival'] else 'OFF'}.")
    return " ".join(parts)


def _sentence_list(head: str, items: list[str]) -> str:
    return f"{head}: {'; '.join(dict.fromkeys(items))}."


def network_alt(m: Model) -> str:
    return (
        "HER2 signalling network diagram. Top: the ligands (EGF-type ligands, NRG1). Membrane: the receptors "
        f"{_join([n.id for n in m.nodes.values() if n.kind == 'receptor'])}. Below them the signalling units "
        f"{_join([node_text(m, n.id) for n in m.nodes.values() if n.kind in ('dimer', 'variant')])} "
        "(p95HER2 and mutant HER2 drawn dotted: present only with an alteration). Each unit feeds RAS and PI3K. "
        "Left arm: RAS → RAF → MEK → ERK → proliferation. Right arm: PI3K → PIP3 → AKT → survival, with AKT → "
        "mTOR → proliferation; PTEN damps PIP3."
    )


def network_figure() -> Figure:
    """The plain signalling network: every route the model knows."""
    m = model()
    return Figure(draw.network(None, title="The HER2 signalling network"), alt=network_alt(m),
                  caption="The HER2 signalling network: HER receptor pairs at the membrane switch on the RAS-MAPK "
                  "arm (proliferation) and the PI3K-AKT-mTOR arm (survival and growth).", name="pathway-network")


def scenario_figure(drugs: Iterable[str] = (), alterations: Iterable[str] = (), *, name: str | None = None) -> Figure:
    """The network for one scenario, with the drugs' blocks and the alterations' routes overlaid."""
    r = simulate(drugs, alterations)
    slug = name or "pathway-" + "-".join(r.drug_ids + r.alteration_ids or ["baseline"])
    return Figure(draw.network(r, title=scenario_title(r)), alt=scenario_alt(r), caption=explain(r), name=slug)


def family_figure() -> Figure:
    return Figure(
        draw.family(),
        alt=("The four HER family receptors side by side, each with extracellular domains I to IV, a membrane "
             "anchor and a kinase inside the cell. EGFR (HER1): ligand EGF-type, kinase active. HER2 (ERBB2): no "
             "known ligand, domain II arm always out, kinase active. HER3 (ERBB3): ligand NRG1, kinase weak "
             "(dashed). HER4 (ERBB4): ligand NRG1, kinase active."),
        caption="The HER receptor family. HER2 has no ligand but its pairing arm (domain II) is always out, which "
        "makes it every other receptor's preferred partner; HER3 binds a ligand but needs a partner's kinase.",
        name="her-family",
    )


def domains_figure() -> Figure:
    m = model()
    groups: dict[str, list[str]] = {"ECD-II": [], "ECD-IV": [], "kinase": []}
    for d in m.drugs.values():
        for s in d.antibody_sites or (("kinase",) if d.site == "kinase" else ()):
            groups[s].append(d.label)
    alt = (f"HER2 drawn as four stacked extracellular domains (I at the top, IV next to the membrane) above a "
           f"kinase inside the cell. Domain II, the pairing arm, is bound by {_join(groups['ECD-II'])}. Domain IV "
           f"is bound by {_join(groups['ECD-IV'])}. The kinase is blocked by {_join(groups['kinase'])}. A dashed "
           "line just above the membrane marks where p95HER2 is cut, losing domains I to IV.")
    return Figure(draw.domains(m), alt=alt,
                  caption="Where each HER2 drug acts: antibodies bind domain II or IV outside the cell; tyrosine "
                  "kinase inhibitors block the kinase inside it. p95HER2 lacks every antibody site.",
                  name="her2-domains")


def adc_figure(drug: str = "trastuzumab-deruxtecan") -> Figure:
    m = model()
    d = m.drug(drug)
    if d.adc is None:
        raise ValueError(f"{d.id} is not an antibody-drug conjugate; choose one of "
                         f"{', '.join(x.id for x in m.drugs.values() if x.adc)}")
    steps = "; ".join(f"{i}. {s.label}" for i, s in enumerate(m.adc_steps, 1))
    by = ("a dashed arrow carries payload dots into a neighbouring cell (bystander effect)" if d.adc.bystander
          else "a blunt arrow shows the payload stays in the cell (no bystander effect)")
    alt = (f"How {d.name} works, in numbered steps on a drawing of a HER2-positive cell and a neighbour: {steps}. "
           f"The payload is {d.adc.payload}; {by}.")
    caption = (f"{d.label}: the antibody delivers a cytotoxic payload ({d.adc.payload}). This killing is a separate "
               "effect from any signalling block.")
    return Figure(draw.adc(d.id, m), alt=alt, caption=caption, name=f"adc-{d.id}")
