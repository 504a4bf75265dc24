"""The pathway figures as course ``Figure`` objects (SVG + alt text generated from the model + caption).

From a chapter::

    from her2course.pathway import figures
    figures.family_figure()
    figures.domains_figure()
    figures.network_figure()
    figures.scenario_figure(["trastuzumab"], ["HER2 amplification", "p95HER2"])
    figures.adc_figure("T-DXd")
    figures.bypass_figure()                        # IGF-1R and MET keep both arms on under trastuzumab + pertuzumab
    figures.scenario_figure(["trastuzumab", "pertuzumab"], ["HER2 amplification", "MET amplification"])
    figures.adc_resistance_figure("T-DXd")         # or "T-DM1"
    figures.adc_resistance_points("T-DXd")         # the same points as data, with reference keys
"""

from __future__ import annotations

from collections.abc import Iterable

from ..figures import Figure
from . import draw
from .engine import Result, simulate
from .explain import _join, explain, node_text
from .model import Model, model

TITLE_CHARS = 44  # a title line longer than this no longer fits the diagram's width at 11.5 pt


def _title_lines(head: str, parts: list[str]) -> str:
    """'Cell: a + b + c', broken after a ' +' when a line would be too wide for the diagram."""
    lines = [f"{head}: {parts[0]}"]
    for part in parts[1:]:
        if len(lines[-1]) + 3 + len(part) > TITLE_CHARS:
            lines[-1] += " +"
            lines.append(part)
        else:
            lines[-1] += f" + {part}"
    return "\n".join(lines)


def scenario_title(result: Result) -> str:
    drugs = [d.label for d in result.drugs] or ["none"]
    cell = [a.name.split(" (")[0] for a in result.alterations] or ["no alteration"]
    return f"{_title_lines('Drug', drugs)}\n{_title_lines('Cell', cell)}"


def scenario_alt(result: Result) -> str:
    """Alt text for a scenario diagram: what is drawn, from the model's result."""
    m = result.model
    drugs = _join([d.name for d in result.drugs]) or "no drug"
    cell = _join([a.name for a in result.alterations]) or "no alteration"
    parts = [f"HER2 signaling network diagram with {drugs}, in a cell with {cell}."]
    blocks = []
    for b in result.blocks:
        what = node_text(m, b.target)
        blocks.append(f"{b.drug.replace('-', ' ')} blocks the kinase of the {what}" if b.kind == "kinase"
                      else f"{b.drug.replace('-', ' ')} blocks the route into the {what} at domain {b.site[4:]}")
    if blocks:
        parts.append(_sentence_list("Blocks shown", blocks))
    if result.rescued:
        parts.append(_sentence_list("Damped but still ON", [
            f"{node_text(m, r.node)} despite {_join([d.replace('-', ' ') for d in r.drugs])}, kept forming by "
            f"{r.ligand}" for r in result.rescued]))
    on = [node_text(m, n) for n in result.active]
    parts.append(f"Nodes ON: {', '.join(on)}." if on else "No signaling node is ON.")
    out = result.outcomes
    parts.append(f"Proliferation {'ON' if out['proliferation'] else 'OFF'}, survival "
                 f"{'ON' if out['survival'] else 'OFF'}.")
    return " ".join(parts)


def _sentence_list(head: str, items: list[str]) -> str:
    return f"{head}: {'; '.join(dict.fromkeys(items))}."


def network_alt(m: Model) -> str:
    return (
        "HER2 signaling network diagram. Top: the ligands (EGF-type ligands, NRG1). Membrane: the receptors "
        f"{_join([n.id for n in m.nodes.values() if n.kind == 'receptor'])}. Below them the signaling units "
        f"{_join([node_text(m, n.id) for n in m.nodes.values() if n.kind in ('dimer', 'variant')])} "
        "(p95HER2 and mutant HER2 drawn dotted: present only with an alteration). Each unit feeds RAS and PI3K. "
        "Left arm: RAS → RAF → MEK → ERK → proliferation. Right arm: PI3K → PIP3 → AKT → survival, with AKT → "
        "mTOR → proliferation; PTEN damps PIP3."
    )


def network_figure() -> Figure:
    """The plain signalling network: every HER-family route. Receptors outside the HER family (IGF-1R, MET)
    appear only in scenarios with the alteration that switches them on (see :func:`bypass_figure`)."""
    m = model()
    return Figure(draw.network(None, title="The HER2 signaling network"), alt=network_alt(m),
                  caption="The HER2 signaling network: HER receptor pairs at the membrane switch on the RAS-MAPK "
                  "arm (proliferation) and the PI3K-AKT-mTOR arm (survival and growth).", name="pathway-network")


def bypass_figure(drugs: Iterable[str] = ("trastuzumab", "pertuzumab"),
                  alterations: Iterable[str] = ("HER2-amplification", "IGF1R-activation", "MET-amplification"),
                  *, name: str = "pathway-bypass") -> Figure:
    """Bypass signalling: HER2 blocked, while receptors outside the HER family (IGF-1R, MET) keep both arms on.
    The same drawing as :func:`scenario_figure`, with defaults for the chapter's bypass section."""
    return scenario_figure(drugs, alterations, name=name)


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
    by = ("a dashed arrow carries payload dots into a neighboring cell (bystander effect)" if d.adc.bystander
          else "a blunt arrow shows the payload stays in the cell (no bystander effect)")
    alt = (f"How {d.name} works, in numbered steps on a drawing of a HER2-positive cell and a neighbor: {steps}. "
           f"The payload is {d.adc.payload}; {by}.")
    caption = (f"{d.label}: the antibody delivers a cytotoxic payload ({d.adc.payload}). This killing is a separate "
               "effect from any signaling block.")
    return Figure(draw.adc(d.id, m), alt=alt, caption=caption, name=f"adc-{d.id}")


def adc_resistance_points(drug: str = "trastuzumab-deruxtecan") -> list[dict]:
    """The resistance points drawn by :func:`adc_resistance_figure`, as data (step, label, text, references),
    so a chapter can cite exactly what the figure shows."""
    m = model()
    d = _adc(m, drug)
    return [{"step": p.step, "label": p.label, "text": " ".join(p.text.split()), "references": list(p.references)}
            for p in m.resistance_points(d.id)]


def _lower_first(text: str) -> str:
    """'Low or lost HER2' -> 'low or lost HER2', but 'DNA-repair changes' stays as written."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


def _adc(m: Model, drug: str):
    d = m.drug(drug)
    if d.adc is None:
        raise ValueError(f"{d.id} is not an antibody-drug conjugate; choose one of "
                         f"{', '.join(x.id for x in m.drugs.values() if x.adc)}")
    return d


def adc_resistance_figure(drug: str = "trastuzumab-deruxtecan") -> Figure:
    """Where an ADC can fail: its path (bind, internalize, release, kill, bystander) with each resistance point
    from data/pathway.yaml (adc_resistance) marked at its step."""
    m = model()
    d = _adc(m, drug)
    steps = []
    for i, st in enumerate(m.adc_steps, 1):
        here = [p for p in m.resistance_points(d.id) if p.step == st.id]
        text = f"{i}. {st.label}: {draw.adc_step_text(d, st)}"
        for p in here:
            text += f" Resistance point, {p.label}: {' '.join(p.text.split())}"
        steps.append(text)
    alt = (f"Where {d.name} ({d.label}) can fail. Its path runs down a solid blue line in five numbered steps; each "
           "resistance point hangs off its step on a dashed orange-red branch ending in a crossed ring. "
           + " ".join(s if s.endswith(".") else s + "." for s in steps))
    step_label = {st.id: st.label.lower() for st in m.adc_steps}
    labels = _join([f"{_lower_first(p.label)} ({step_label[p.step]})" for p in m.resistance_points(d.id)])
    caption = (f"Where {d.label} can fail, step by step: {labels}. Apart from HER2 level, these mechanisms come "
               "from laboratory studies and small patient series and are not tested in routine care.")
    return Figure(draw.adc_resistance(d.id, m), alt=alt, caption=caption, name=f"adc-resistance-{d.id}")
