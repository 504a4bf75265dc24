"""Plain-language explanation of a simulation result: what each drug did, which route keeps a signal on, and
what an ADC's payload does (a separate cytotoxic effect, not a signalling block)."""

from __future__ import annotations

from .engine import Result
from .model import Model

_SURFACE = {
    "high": "amplified HER2, so plenty of it on the surface",
    "mutant": "mutant HER2 that keeps its extracellular part and is readily taken into the cell",
    "low": "HER2-low levels on the surface (IHC 1+, or 2+ without amplification)",
    "normal": "only the small amount of HER2 that a cell without any HER2 alteration carries",
    "none": "no full-length HER2 on the surface",
}
_SITE = {"ECD-II": "domain II", "ECD-IV": "domain IV", "kinase": "the kinase"}


def node_text(m: Model, nid: str) -> str:
    """How a node reads in a sentence or a path: 'HER2-HER3 pair', 'p95HER2', 'AKT'."""
    node = m.nodes[nid]
    if node.kind == "dimer":
        return nid.replace(":", "-") + " pair"
    if nid == "HER2-mut":
        return "mutant HER2"
    return nid


def _sentence(text: str) -> str:
    text = text.strip()
    first = text.split(" ", 1)[0]
    if not any(ch.isdigit() or ch.isupper() for ch in first):  # keep 'p95HER2', 'mTOR' as written
        text = text[:1].upper() + text[1:]
    return text + ("" if text.endswith(".") else ".")


def _join(items: list[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _display(drug_id: str) -> str:
    return drug_id.replace("-", " ")


def path_to(result: Result, nid: str) -> tuple[list[str], str]:
    """The chain of nodes that keeps ``nid`` on, from its origin; and the origin's description."""
    m = result.model
    chain = [nid]
    origin = ""
    seen = {nid}
    current = nid
    while True:
        why, src = result.reasons.get(current, ("", ""))
        if why == "input" and src in m.nodes and src not in seen:
            chain.append(src)
            seen.add(src)
            current = src
            continue
        if why == "input" and src in m.alterations:
            origin = m.alterations[src].name
        elif why == "basal":
            origin = "PTEN loss, as background PIP3 is no longer cleared"
        elif why == "default":
            owner = [a.name for a in result.alterations if current in a.adds]
            origin = owner[0] if owner else ""
        break
    return list(reversed(chain)), origin


def _path_text(result: Result, nid: str, outcome: str) -> str:
    chain, origin = path_to(result, nid)
    text = " → ".join([*(node_text(result.model, n) for n in chain), outcome])
    return f"{text}, set off by {origin}" if origin else text


def _origins(result: Result, nid: str) -> str:
    return path_to(result, nid)[1]


def explain_parts(result: Result) -> list[str]:
    """The explanation as short paragraphs (the CLI joins them; the gallery shows them one per line)."""
    m = result.model
    parts: list[str] = []
    # 1. the cell and the drugs
    if result.alterations:
        parts.append(f"The cell: {_join([a.name for a in result.alterations])}.")
    else:
        parts.append("The cell: no alteration: the small, normal amount of HER2 and no excess ligand (not a HER2-low "
                     "tumor, which is a separate choice).")
    if not result.drugs:
        parts.append("No drug is given.")

    # 2. what each drug does here
    live_sources = {src for src, _ in result.live_edges}
    for d in result.drugs:
        blocks = [b for b in result.blocks if b.drug == d.id]
        rescues = [r for r in result.rescued if d.id in r.drugs]
        text = f"{_display(d.id)} {d.action}."
        if rescues:
            units = _join([node_text(m, r.node) for r in rescues])
            text += f" Here it damps but does not switch off the {units}, which {rescues[0].ligand} keeps forming"
            if blocks:
                kinases = [node_text(m, b.target) for b in blocks if b.kind == "kinase"]
                if kinases:
                    text += "; it does switch off the kinase of the " + _join(kinases)
            text += "."
        elif blocks:
            routes = [f"the route where {b.note}" for b in blocks if b.kind in ("edge", "drive")]
            kinases = [node_text(m, b.target) for b in blocks if b.kind == "kinase"]
            done = []
            if routes:
                done.append("blocks " + _join(routes))
            if kinases:
                done.append("switches off the kinase of the " + _join(kinases))
            text += f" Here it {' and '.join(done)}."
        elif d.antibody_sites or d.kinase_targets:
            if any(result.outcomes.values()):
                text += " Here it has nothing to block."
            elif result.blocks:
                text += " Here it has nothing left to block: the other drug closes the routes this cell uses."
            else:
                text += " Here it has nothing to block: no HER2-family signal is running."
        parts.append(_sentence(text))

    # 3. the result
    on = [o for o, v in result.outcomes.items() if v]
    if not on:
        if result.blocks:
            parts.append("Result: proliferation and survival signals are OFF, because every route that drove "
                         "them is blocked.")
        else:
            parts.append("Result: nothing drives HER2-family signaling in this cell, so proliferation and "
                         "survival signals are OFF.")
            if result.surface == "low":
                parts.append("HER2 does not drive a HER2-low tumor: it grows through other drivers (often the "
                             "estrogen receptor) that the model does not draw, so OFF here means only that HER2 "
                             "signaling is at rest.")
    else:
        lead = "Result: signaling persists." if result.drugs else "Result: signaling is ON."
        lines = [lead]
        for o in ("proliferation", "survival"):
            if result.outcomes[o]:
                src = result.reasons[o][1]
                lines.append(f"{o.capitalize()} stays ON through {_path_text(result, src, o)}.")
            else:
                lines.append(f"{o.capitalize()} is OFF.")
        parts.append(" ".join(lines))
        if result.drugs:
            parts += _escapes(result, live_sources)

    # 4. separate effects: ADC payload and immune attack
    for c in result.cytotoxic:
        d = m.drugs[c.drug]
        adc = d.adc
        name = _display(d.id)
        text = (f"Cytotoxic effect (separate from signaling, not a signaling block): {name} carries "
                f"{adc.payload}, {adc.payload_action}. ")
        if c.target_found:
            text += (f"This cell shows {_SURFACE[c.surface]}, so the ADC binds, is taken inside and releases its "
                     "payload, which kills the cell")
            text += " even though its growth signals stay on. " if on else ". "
            text += ("The payload can also leak out and kill neighboring cells (bystander effect)."
                     if c.bystander else "The payload stays inside the cell that took it up (no bystander effect).")
        elif c.surface == "none":
            text += ("This cell has no HER2 extracellular domain for it to bind (p95HER2 has lost it), so the ADC "
                     "has no target: it is not taken up and releases no payload here.")
            if adc.bystander:
                text += (" Only payload set free in HER2-expressing neighboring cells could reach it "
                         "(bystander effect).")
        else:
            text += (f"This cell shows {_SURFACE[c.surface]}, too little for {name} in the model, so it releases "
                     "no payload here.")
            if c.surface == "normal" and "low" in adc.targets:
                text += " A HER2-low tumor cell (IHC 1+ or 2+) is a different cell: choose HER2-low to see it."
        parts.append(text)
    if result.immune:
        names = _join([_display(i) for i in result.immune])
        parts.append(f"Immune effect (not a signal): {names} can also mark the cell for attack by immune cells "
                     "(antibody-dependent cell-mediated cytotoxicity).")
    return parts


def _escapes(result: Result, live_sources: set[str]) -> list[str]:
    """Why the drugs given did not shut the remaining routes."""
    m = result.model
    out: list[str] = []
    given_sites = {s for d in result.drugs for s in d.antibody_sites}
    tkis = [d for d in result.drugs if d.kinase_targets]
    rescued = {r.node: r for r in result.rescued}
    for nid in result.active:
        node = m.nodes[nid]
        if nid in rescued:
            r = rescued[nid]
            out.append(_sentence(f"The {node_text(m, nid)} keeps signaling despite "
                                 f"{_join([_display(d) for d in r.drugs])}: {node.rescue_note}"))
        if node.kind == "variant" and node.escape and any(d.antibody_sites for d in result.drugs):
            out.append(_sentence(f"{node_text(m, nid)} escapes the antibodies: {node.escape}"))
        if node.kind == "bypass":
            # a receptor beside the HER family: no HER2 drug reaches it, whatever its class
            feeds = _join([node_text(m, e.target) for e in m.edges if e.source == nid])
            out.append(_sentence(f"{node_text(m, nid)} keeps feeding {feeds} beside HER2, so blocking HER2 does "
                                 f"not switch it off: {node.escape}"))
            continue
        if node.kinases and tkis:
            for d in tkis:
                missing = [k for k in node.kinases if k not in d.kinase_targets]
                if missing and d.mutant_note and "HER2-mut" in missing:
                    out.append(_sentence(f"{_display(d.id)} does not switch off mutant HER2 in the model: "
                                         f"{d.mutant_note}"))
                elif missing:
                    out.append(_sentence(f"{_display(d.id)} does not block the "
                                         f"{_join([k for k in missing])} kinase, so the {node_text(m, nid)} "
                                         "keeps signaling"))
        # ligand or amplification routes that need an antibody site nobody gave
        for e in m.incoming(nid):
            if e.source in live_sources and e.blocked_by and not set(e.blocked_by) & given_sites:
                sites = _join([_SITE[s] for s in e.blocked_by])
                examples = _join([_display(d.id) for d in m.drugs.values()
                                  if set(e.blocked_by) & set(d.antibody_sites) and d.drug_class == "antibody"][:1])
                out.append(_sentence(f"The route where {e.note} is blocked only by an antibody at {sites} "
                                     f"(such as {examples}), and none was given"))
        for a in result.alterations:
            for drive in a.drives:
                if drive.target == nid and (a.id, nid) in set(result.live_edges) and drive.blocked_by:
                    sites = _join([_SITE[s] for s in drive.blocked_by])
                    out.append(_sentence(f"The route where {drive.note} is blocked only by an antibody at "
                                         f"{sites}, and none was given"))
    # alterations below the receptor
    roots = set()
    for o in ("proliferation", "survival"):
        if result.outcomes[o]:
            roots.add(_origins(result, result.reasons[o][1]))
    for a in result.alterations:
        below = m.nodes[a.anchor].kind in ("pi3k", "suppressor", "mapk")
        if below and any(r.startswith(a.name.split(" (")[0]) for r in roots):
            out.append(f"{a.name} acts below HER2, where no HER2 drug reaches, so blocking HER2 cannot switch "
                       "off its signal.")
    return list(dict.fromkeys(out))


def explain(result: Result) -> str:
    """One plain-language paragraph."""
    return " ".join(explain_parts(result))
