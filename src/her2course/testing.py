"""HER2 test categories (``data/testing.yaml``): the table and figure the biology chapter shows."""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import DataError, Problem
from .figures import Figure, new_figure
from .paths import Layout, package_layout
from .references import load_bibliography
from .style import OKABE_ITO
from .tables import Table
from .yamlfile import validate_file

Group = Literal["negative", "ultralow", "low", "positive"]


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    ihc: str
    ish: str
    staining: str = Field(min_length=10)
    status: str
    group: Group
    next_step: str
    therapy: str
    references: list[str] = Field(min_length=1)


def validate(layout: Layout) -> tuple[list[Category], list[Problem]]:
    return validate_file(layout.testing, layout.bib, Category, list_key="categories")


@lru_cache(maxsize=1)
def categories() -> tuple[Category, ...]:
    items, problems = validate(package_layout())
    if problems:
        raise DataError(problems)
    return tuple(items)


def ihc_table() -> Table:
    """The breast HER2 scoring table: IHC score, ISH, what the pathologist sees, the category, what follows."""
    bib = load_bibliography(package_layout().bib)
    keys = list(dict.fromkeys(k for c in categories() for k in c.references))
    return Table(
        caption="HER2 test results in breast cancer and what each one means for treatment",
        headers=["IHC score", "ISH", "What the pathologist sees", "Category", "Next step", "HER2-directed options"],
        rows=[[c.ihc, c.ish, c.staining, c.status, c.next_step, c.therapy] for c in categories()],
        source="Sources: " + "; ".join(bib.short(k) for k in keys) + ".",
    )


_GROUP_STYLE = {
    "negative": (OKABE_ITO["grey"], ""),
    "ultralow": (OKABE_ITO["sky_blue"], ".."),
    "low": (OKABE_ITO["bluish_green"], "//"),
    "positive": (OKABE_ITO["vermillion"], "xx"),
}


def spectrum_figure() -> Figure:
    """The HER2 expression spectrum as a row of boxes, one per test result, shaded and patterned by category."""
    from matplotlib.patches import FancyBboxPatch

    cats = categories()
    fig, ax = new_figure((8.6, 3.3))
    ax.set_xlim(0, len(cats))
    ax.set_ylim(-1.45, 1.75)
    ax.axis("off")
    for i, c in enumerate(cats):
        colour, hatch = _GROUP_STYLE[c.group]
        ax.add_patch(FancyBboxPatch((i + 0.06, 0.0), 0.88, 1.0, boxstyle="round,pad=0.02", facecolor=colour,
                                    edgecolor="#1a1a1a", hatch=hatch, linewidth=1.2, alpha=0.9))
        label = f"IHC {c.ihc}".replace(" with membrane staining", "\nwith faint\nstaining")
        if c.ish in ("amplified", "not amplified"):
            sign = "+" if c.ish == "amplified" else "\u2212"
            label += f"\nISH {sign}"
        ax.text(i + 0.5, 0.5, label, ha="center", va="center", fontsize=10, fontweight="bold",
                bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.9})
        ax.text(i + 0.5, -0.22, c.status.split(" (")[0], ha="center", va="top", fontsize=9.5)
    ax.annotate("", xy=(len(cats) - 0.05, 1.35), xytext=(0.05, 1.35),
                arrowprops={"arrowstyle": "->", "linewidth": 1.5, "color": "#1a1a1a"})
    ax.text(len(cats) / 2, 1.5, "more HER2 protein on the cell surface", ha="center", va="bottom", fontsize=10)
    ax.text(len(cats) / 2, -1.0,
            "gray: negative   dotted blue: ultralow   striped green: low   crossed red: positive",
            ha="center", va="center", fontsize=9, style="italic")
    alt = (
        "Six boxes in a row, left to right along an arrow labeled more HER2 protein on the cell surface: "
        + "; ".join(f"IHC {c.ihc}{' with ISH ' + c.ish if c.ish != 'not needed' else ''} is {c.status}" for c in cats)
        + "."
    )
    return Figure(fig=fig, alt=alt, name="her2-spectrum",
                  caption="The HER2 spectrum in breast cancer. The test result places a tumor in one category, and "
                          "the category decides which HER2-directed drugs may be offered.")
