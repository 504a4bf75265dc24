"""Tables computed from the pathway model: which drugs still switch the signals off in which cells."""

from __future__ import annotations

from collections.abc import Sequence

from ..references import bibliography
from ..tables import Table
from .engine import simulate
from .model import model


def _cell(drugs: Sequence[str], alterations: Sequence[str]) -> str:
    r = simulate(drugs, alterations)
    on = [name for name, value in r.outcomes.items() if value]
    if on:
        text = "persists: " + " and ".join(on)
    elif r.drugs and not r.blocks:
        text = "nothing to block (HER2 signaling at rest)"
    else:
        text = "signals off"
    if r.rescued:
        text += " (the kinase inhibitor only damps the ligand-driven pairs)"
    kills = [c for c in r.cytotoxic if c.kills_cell]
    if r.cytotoxic:
        text += "; payload kills the cell" if kills else "; no target for the payload"
    return text


def resistance_table(drug_sets: Sequence[Sequence[str]], alteration_sets: Sequence[Sequence[str]], *,
                     caption: str = "What the pathway model predicts for each drug in each kind of cell") -> Table:
    """One row per cell (set of alterations), one column per drug set; every cell computed by the model."""
    m = model()

    def drug_label(ds: Sequence[str]) -> str:
        return " + ".join(m.drug(d).label for d in ds) if ds else "no drug"

    def cell_label(alts: Sequence[str]) -> str:
        return (", ".join(m.alteration(a).name for a in alts) if alts
                else "no alteration (resting cell with normal HER2; not a HER2-low tumor)")

    rows = [[cell_label(alts), *(_cell(ds, alts) for ds in drug_sets)] for alts in alteration_sets]
    keys = [k for alts in alteration_sets for a in alts for k in m.alteration(a).references]
    bib = bibliography()
    cites = "; ".join(bib.short(k) for k in dict.fromkeys(keys))
    return Table(
        caption=caption,
        headers=["Cell", *(drug_label(ds) for ds in drug_sets)],
        rows=rows,
        source="Computed by the course's pathway model, a teaching simplification: real tumors respond in degrees, "
               f"not all or nothing. Sources for the alterations: {cites}.",
    )
