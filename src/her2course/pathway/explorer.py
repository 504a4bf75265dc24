"""The live explorer (needs a kernel): checkboxes for drugs and alterations redraw the scenario diagram and its
plain-language explanation. In the static book the same object shows its kernel-free fallback: the scenario
gallery (design.md, "Interactivity that works everywhere").

From a chapter::

    from her2course.pathway import explorer
    explorer.explorer()
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from .engine import simulate
from .explain import explain_parts
from .figures import scenario_alt, scenario_title
from .gallery import ALTERATION_SETS, DRUG_SETS, Gallery
from .model import model


class Explorer(widgets.VBox):
    """Checkboxes (drugs, alterations) -> diagram + explanation; ``text/html`` fallback = a Gallery."""

    def __init__(self, name: str = "pathway-explorer", drugs: list[str] | None = None,
                 alterations: list[str] | None = None, *, drug_sets=None, alteration_sets=None,
                 preset_drugs: tuple[str, ...] = ("trastuzumab",),
                 preset_alterations: tuple[str, ...] = ("HER2-amplification",)):
        m = model()
        drug_ids = [m.drug(d).id for d in drugs] if drugs else list(m.drugs)
        alt_ids = [m.alteration(a).id for a in alterations] if alterations else list(m.alterations)
        preset_d = {m.drug(d).id for d in preset_drugs}
        preset_a = {m.alteration(a).id for a in preset_alterations}
        self.name = name
        self.drug_boxes = {
            d: widgets.Checkbox(value=d in preset_d, description=m.drugs[d].label, indent=False,
                                layout=widgets.Layout(width="auto", margin="2px 1.25em 2px 0"))
            for d in drug_ids
        }
        self.alteration_boxes = {
            a: widgets.Checkbox(value=a in preset_a, description=m.alterations[a].name, indent=False,
                                layout=widgets.Layout(width="auto", margin="2px 1.25em 2px 0"))
            for a in alt_ids
        }
        # Boxes as wide as their labels, wrapping onto new lines: a fixed grid column cut the longer labels short
        # ("p95HER2 (truncated HE..."), since ipywidgets never wraps a checkbox label.
        flow = widgets.Layout(flex_flow="row wrap", width="100%")
        drug_panel = widgets.HBox(list(self.drug_boxes.values()), layout=flow)
        alt_panel = widgets.HBox(list(self.alteration_boxes.values()), layout=flow)
        self.view = widgets.HTML()
        self.status = widgets.HTML()
        super().__init__([
            widgets.HTML("<strong>Drugs</strong> (tick any)"), drug_panel,
            widgets.HTML("<strong>Cell alterations</strong> (tick any)"), alt_panel,
            self.status, self.view,
        ])
        self.fallback = Gallery(name, DRUG_SETS if drug_sets is None else drug_sets,
                                ALTERATION_SETS if alteration_sets is None else alteration_sets)
        for box in (*self.drug_boxes.values(), *self.alteration_boxes.values()):
            box.observe(self._update, names="value")
        self._update()

    @property
    def selected_drugs(self) -> list[str]:
        return [d for d, b in self.drug_boxes.items() if b.value]

    @property
    def selected_alterations(self) -> list[str]:
        return [a for a, b in self.alteration_boxes.items() if b.value]

    def render(self) -> str:
        """The diagram and explanation for the ticked boxes, as HTML (what the widget shows)."""
        from ..figures import Figure
        from . import draw

        r = simulate(self.selected_drugs, self.selected_alterations)
        fig = Figure(draw.network(r, title=scenario_title(r)), alt=scenario_alt(r), caption="", name="explorer")
        out = r.outcomes
        self.status.value = (
            f'<p role="status">Proliferation signal: <strong>{"ON" if out["proliferation"] else "OFF"}</strong>. '
            f'Survival signal: <strong>{"ON" if out["survival"] else "OFF"}</strong>.</p>'
        )
        text = "".join(f"<p>{html.escape(p)}</p>" for p in explain_parts(r))
        return (f'<div style="background:#fff;color:#1a1a1a;border-radius:8px;padding:8px;max-width:30rem">'
                f"{fig.to_html()}</div>{text}")

    def _update(self, change=None) -> None:
        self.view.value = self.render()

    def __repr__(self) -> str:
        return (f"Pathway explorer '{self.name}' ({len(self.drug_boxes)} drugs, {len(self.alteration_boxes)} "
                "alterations): run the notebook to use it; the static book shows the scenario gallery")

    def _repr_mimebundle_(self, **kwargs):
        data = super()._repr_mimebundle_(**kwargs) or {}
        data["text/plain"] = repr(self)
        data["text/html"] = self.fallback.to_html()
        return data


def explorer(name: str = "pathway-explorer", **kwargs) -> Explorer:
    """The live explorer (with the scenario gallery as its static fallback)."""
    return Explorer(name, **kwargs)
