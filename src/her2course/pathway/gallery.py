"""The kernel-free scenario gallery: every drug x cell combination a chapter offers, pre-rendered from the
model, switched with native radio buttons and CSS only (no JavaScript, no external requests).

From a chapter::

    from her2course.pathway import gallery
    gallery.gallery("resistance")          # default scenario table
    gallery.gallery("her2-lung", drug_sets=[[], ["T-DXd"], ["zongertinib"]], alteration_sets=[["exon 20"]])
    gallery.gallery("bypass", drug_sets=[[], ["trastuzumab", "pertuzumab"], ["lapatinib"]],
                    alteration_sets=[["HER2 amplification", "MET amplification"], ["HER2 amplification", "IGF-1R"]])

How it works: two fieldsets of radio buttons (drug, cell). Every panel is in the page; a scoped ``<style>`` uses
``:has()`` to show the one panel whose drug and cell radios are checked. Browsers without ``:has()`` (or
viewers that strip styles) show every panel in a list, so nothing is ever hidden behind a dead control.
"""

from __future__ import annotations

import gzip
import html
import re
from collections.abc import Iterable, Sequence

from . import draw
from .engine import Result, simulate
from .explain import explain_parts
from .figures import scenario_alt
from .svgtools import compact_svg, style_sheet

#: The default scenarios: the textbook resistance table.
DRUG_SETS: list[list[str]] = [
    [], ["trastuzumab"], ["pertuzumab"], ["trastuzumab", "pertuzumab"], ["lapatinib"], ["trastuzumab-deruxtecan"],
]
ALTERATION_SETS: list[list[str]] = [
    ["HER2-amplification"], ["HER2-amplification", "p95HER2"], ["HER2-amplification", "HER3-ligand"],
    ["HER2-amplification", "PIK3CA-mutation"], ["HER2-amplification", "PTEN-loss"], ["ERBB2-exon20ins"],
]

_E = html.escape


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "gallery"


def _as_sets(sets: Iterable[Sequence[str] | str]) -> list[list[str]]:
    return [[s] if isinstance(s, str) else list(s) for s in sets]


class Gallery:
    """Pre-rendered scenarios with radio-button controls; shows as HTML in the static book and in Jupyter."""

    def __init__(self, name: str, drug_sets=None, alteration_sets=None, *, intro: str | None = None,
                 css_classes: bool = True):
        self.name = name
        self.uid = "pg-" + _slug(name)
        self.drug_sets = _as_sets(DRUG_SETS if drug_sets is None else drug_sets)
        self.alteration_sets = _as_sets(ALTERATION_SETS if alteration_sets is None else alteration_sets)
        if not self.drug_sets or not self.alteration_sets:
            raise ValueError("a gallery needs at least one drug set and one alteration set")
        self.intro = intro
        # resolve every name now, so a typo fails when the chapter runs, with the known names listed
        self.results: dict[tuple[int, int], Result] = {
            (i, j): simulate(d, a)
            for i, d in enumerate(self.drug_sets) for j, a in enumerate(self.alteration_sets)
        }
        self._html: str | None = None
        # SVG inline style -> class, shared by every diagram of the gallery and written once in its <style>
        # (about 45% fewer bytes). css_classes=False keeps inline styles, for a viewer that strips <style>.
        self._styles: dict[str, str] | None = {} if css_classes else None

    # -- labels ---------------------------------------------------------------------------------------------
    def drug_label(self, i: int) -> str:
        r = self.results[(i, 0)]
        return " + ".join(d.label for d in r.drugs) or "no drug"

    def cell_label(self, j: int) -> str:
        r = self.results[(0, j)]
        return " + ".join(a.name.split(" (")[0] for a in r.alterations) or "no alteration"

    def scenario_labels(self) -> list[str]:
        return [f"{self.drug_label(i)} | {self.cell_label(j)}" for (i, j) in self.results]

    # -- HTML -----------------------------------------------------------------------------------------------
    def _css(self) -> str:
        g = f"#{self.uid}"
        show = ",\n".join(
            f"{g}:has(#{self.uid}-d{i}:checked):has(#{self.uid}-a{j}:checked) #{self.uid}-p{i}-{j}"
            for (i, j) in self.results
        )
        return f"""
{g}{{margin:1em 0;max-width:40rem}}
{g} fieldset{{border:1px solid currentColor;border-radius:8px;margin:0 0 .6em;padding:.3em .6em .5em}}
{g} legend{{font-weight:bold;padding:0 .3em}}
{g} label{{display:inline-flex;align-items:center;gap:.35em;margin:.2em .3em .2em 0;padding:.3em .7em .3em .45em;
border:1px solid currentColor;border-radius:999px;cursor:pointer;min-height:2.2em;line-height:1.2}}
{g} label:has(input:checked){{font-weight:bold;border-width:3px;padding:calc(.3em - 2px) calc(.7em - 2px)
calc(.3em - 2px) calc(.45em - 2px)}}
{g} input{{width:1.1em;height:1.1em;margin:0;accent-color:#0072B2}}
{g} input:focus-visible{{outline:3px solid #E69F00;outline-offset:2px}}
{g} label:has(input:focus-visible){{outline:3px solid #E69F00;outline-offset:2px}}
{g} .pg-panel{{border-top:1px solid currentColor;padding-top:.5em;margin-top:.5em}}
{g} .pg-title{{font-weight:bold;margin:.2em 0}}
{g} .pg-outcome{{margin:.2em 0 .5em}}
{g} .pg-card{{background:#fff;color:#1a1a1a;border-radius:8px;padding:8px;max-width:28rem}}
{g} .pg-card svg{{display:block;width:100%;height:auto}}
{g} .pg-explain p{{margin:.4em 0}}
@supports selector(:has(*)) {{
{g} .pg-panel{{display:none;border-top:0}}
{show}{{display:block}}
}}
{style_sheet(g, self._styles) if self._styles is not None else ""}
"""

    def _radios(self, kind: str, legend: str, labels: list[str]) -> str:
        name = f"{self.uid}-{kind}"
        items = "".join(
            f'<label><input type="radio" name="{name}" id="{self.uid}-{kind[0]}{k}" value="{k}"'
            f'{" checked" if k == 0 else ""}>{_E(text)}</label>'
            for k, text in enumerate(labels)
        )
        return f"<fieldset><legend>{_E(legend)}</legend>{items}</fieldset>"

    def _legend_svg(self) -> str:
        import matplotlib

        from ..style import RC

        with matplotlib.rc_context(RC):
            fig, ax = draw._fig(10.4, 3.4)
        ax.set_xlim(-0.2, 10.2)
        ax.set_ylim(-3.4, 0.0)
        draw._legend(ax, plain=False)
        return compact_svg(fig, prefix=f"{self.uid}-lg-", styles=self._styles,
                           label="Key: filled box with solid outline means ON; "
                           "white box with dashed gray outline means OFF; a blue bar labeled II or IV is an "
                           "antibody block at that domain; a hatched blue box is a kinase blocked by a TKI; a "
                           "dashed orange arrow is a route driven by an alteration; a tag names the alteration.")

    def _panel(self, i: int, j: int) -> str:
        r = self.results[(i, j)]
        pid = f"{self.uid}-p{i}-{j}"
        title = f"Drug: {self.drug_label(i)}. Cell: {self.cell_label(j)}."
        out = r.outcomes
        outcome = (f"Proliferation signal: <strong>{'ON' if out['proliferation'] else 'OFF'}</strong>. "
                   f"Survival signal: <strong>{'ON' if out['survival'] else 'OFF'}</strong>.")
        svg = compact_svg(draw.network(r, legend=False), prefix=f"{pid}-", label=scenario_alt(r),
                          styles=self._styles)
        paras = "".join(f"<p>{_E(p)}</p>" for p in explain_parts(r))
        return (f'<section class="pg-panel" id="{pid}" aria-labelledby="{pid}-t">'
                f'<p class="pg-title" id="{pid}-t">{_E(title)}</p><p class="pg-outcome">{outcome}</p>'
                f'<div class="pg-card">{svg}</div><div class="pg-explain">{paras}</div></section>')

    def to_html(self) -> str:
        if self._html is None:
            intro = self.intro or ("Pick a drug and a cell. The diagram and explanation below change to match "
                                   "(every combination was drawn in advance from the course's pathway model).")
            drugs = self._radios("drug", "Drug", [self.drug_label(i) for i in range(len(self.drug_sets))])
            cells = self._radios("alt", "Cell (alteration)",
                                 [self.cell_label(j) for j in range(len(self.alteration_sets))])
            panels = "".join(self._panel(i, j) for (i, j) in self.results)
            legend = f'<details><summary>Key to the diagrams</summary><div class="pg-card">{self._legend_svg()}' \
                     f"</div></details>"
            self._html = (
                f'<div class="her2-pathway-gallery" id="{self.uid}" role="group" '
                f'aria-label="Pathway scenario gallery: {_E(self.name)}"><style>{self._css()}</style>'
                f"<p>{_E(intro)}</p>{drugs}{cells}{legend}"
                f'<div class="pg-panels" aria-live="polite">{panels}</div></div>'
            )
        return self._html

    def size_report(self) -> dict[str, int]:
        data = self.to_html().encode("utf-8")
        return {"scenarios": len(self.results), "bytes": len(data), "gzip_bytes": len(gzip.compress(data, 9))}

    def __repr__(self) -> str:
        return (f"Pathway scenario gallery '{self.name}': {len(self.drug_sets)} drug choices x "
                f"{len(self.alteration_sets)} cells = {len(self.results)} pre-rendered scenarios")

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.to_html(), "text/plain": repr(self)}


def gallery(name: str = "pathway-scenarios", drug_sets=None, alteration_sets=None, *,
            intro: str | None = None, css_classes: bool = True) -> Gallery:
    """A kernel-free gallery of scenarios (defaults: the textbook resistance table). Each scenario costs about
    12 KB of HTML (``size_report()`` gives the total); ``css_classes=False`` keeps the diagrams' styles inline
    (about 20 KB a scenario) for a viewer that strips ``<style>`` elements."""
    return Gallery(name, drug_sets, alteration_sets, intro=intro, css_classes=css_classes)
