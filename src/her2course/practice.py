"""Chapter 3's evidence figures: the timeline of landmark trials and approvals (``data/timeline.yaml``) and the
routing of a patient by HER2 and hormone-receptor status (``data/routing.yaml``), each with an accessible table.
"""

from __future__ import annotations

import re
import textwrap
from functools import lru_cache
from itertools import pairwise
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .errors import DataError, Problem
from .figures import NARROW_LINE, NARROW_PT, NARROW_W, Figure, new_canvas, new_figure, wrap_to
from .paths import Layout, package_layout
from .references import load_bibliography, missing_keys
from .style import INK, OKABE_ITO
from .tables import Table
from .yamlfile import read_yaml, validate_file, validate_items

Kind = Literal["approval", "trial", "label-change", "access"]

# colour and marker per kind: colour is never the only cue
KIND_STYLE: dict[str, tuple[str, str, str]] = {
    "approval": (OKABE_ITO["blue"], "o", "US approval"),
    "trial": (OKABE_ITO["vermillion"], "s", "practice-changing trial"),
    "label-change": (OKABE_ITO["reddish_purple"], "^", "label change"),
    "access": (OKABE_ITO["bluish_green"], "D", "access and biosimilars"),
}


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    date: str = Field(pattern=r"^(19|20)\d\d(-(0[1-9]|1[0-2]))?$")
    label: str = Field(min_length=10)
    kind: Kind
    references: list[str] = Field(min_length=1)

    @property
    def year(self) -> int:
        return int(self.date[:4])


class Cell(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=10)
    references: list[str] = Field(min_length=1)


class Category(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    test: str
    hr_positive: Cell
    hr_negative: Cell


def validate_timeline(layout: Layout) -> tuple[list[Event], list[Problem]]:
    path = layout.data_dir / "timeline.yaml"
    items, problems = validate_file(path, layout.bib, Event, list_key="events", id_field="label")
    for before, after in pairwise(items):
        same_year_months = before.year == after.year and len(before.date) == len(after.date) == 7
        if after.year < before.year or (same_year_months and after.date < before.date):
            problems.append(Problem(path, after.label, "date", f"{after.date} is listed after {before.date}: "
                                    "list events in date order"))
    return items, problems


def validate_routing(layout: Layout) -> tuple[list[Category], list[Problem]]:
    path = layout.data_dir / "routing.yaml"
    items, problems = validate_file(
        path, layout.bib, Category, list_key="categories",
        references=lambda c: [("hr_positive.references", c.hr_positive.references),
                              ("hr_negative.references", c.hr_negative.references)])
    try:
        raw = read_yaml(path)
    except DataError:
        return items, problems  # already reported by validate_file
    if isinstance(raw, dict) and raw.get("footnote") is not None:
        problems += _footnote_problems(path, layout.bib, raw["footnote"])
    return items, problems


def _footnote_problems(path, bib_path, section) -> list[Problem]:
    """The routing footnote is one Cell, validated like the categories' cells."""
    items, problems = validate_items(path, {"footnote": [section]}, Cell, list_key="footnote", id_field="text")
    if items:
        problems += missing_keys(load_bibliography(bib_path), path, "footnote", "references", items[0].references)
    return problems


@lru_cache(maxsize=1)
def events() -> tuple[Event, ...]:
    items, problems = validate_timeline(package_layout())
    if problems:
        raise DataError(problems)
    return tuple(items)


@lru_cache(maxsize=1)
def routing() -> tuple[tuple[Category, ...], Cell | None]:
    layout = package_layout()
    items, problems = validate_routing(layout)
    if problems:
        raise DataError(problems)
    raw = read_yaml(layout.data_dir / "routing.yaml")
    foot = Cell.model_validate(raw["footnote"]) if raw.get("footnote") else None
    return tuple(items), foot


def _short_cites(keys: list[str]) -> str:
    bib = load_bibliography(package_layout().bib)
    return "; ".join(bib.short(k) for k in dict.fromkeys(keys))


def _month(date: str) -> str:
    names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    return f"{names[int(date[5:7]) - 1]} {date[:4]}" if len(date) == 7 else date


# ---- timeline ---------------------------------------------------------------------------------------------------

def timeline_table() -> Table:
    evs = events()
    return Table(
        caption="Landmark trials and US approvals of HER2-targeted therapy",
        headers=["When", "Event", "Kind", "Sources"],
        rows=[[_month(e.date), e.label, KIND_STYLE[e.kind][2], _short_cites(e.references)] for e in evs],
        source="Dates of 2024-2026 events are as reported at the time of writing: verify against the current labels.",
    )


def _timeline_narrow(evs: tuple[Event, ...]):
    """The timeline for a phone: year, marker and the full label wrapped beside it; the key above, one per line."""
    x_year, x_axis, x_text = 34.0, 46.0, 58.0
    key_h = len(KIND_STYLE) * NARROW_LINE + 10
    rows = []
    y = key_h + 6
    for e in evs:
        lines = wrap_to(e.label, NARROW_W - x_text)
        rows.append((y, lines, e))
        y += len(lines) * NARROW_LINE + 7
    fig, ax = new_canvas(NARROW_W, y + 4)
    for j, (colour, marker, name) in enumerate(KIND_STYLE.values()):
        ky = 4 + (j + 0.5) * NARROW_LINE
        ax.scatter([x_axis], [ky], s=60, marker=marker, color=colour, edgecolors=INK, linewidths=0.8)
        ax.text(x_text, ky, name, ha="left", va="center", fontsize=NARROW_PT, color=INK)
    first_y = rows[0][0] + NARROW_LINE / 2
    last_y = rows[-1][0] + NARROW_LINE / 2
    ax.plot([x_axis, x_axis], [first_y - 8, last_y + 8], color="#666666", linewidth=1.2, zorder=1)
    last_year = None
    for top, lines, e in rows:
        colour, marker, _ = KIND_STYLE[e.kind]
        mid = top + NARROW_LINE / 2
        if e.year != last_year:
            ax.text(x_year, mid, str(e.year), ha="right", va="center", fontsize=NARROW_PT, fontweight="bold",
                    color=INK)
            last_year = e.year
        ax.scatter([x_axis], [mid], s=60, marker=marker, color=colour, edgecolors=INK, linewidths=0.8, zorder=3)
        ax.text(x_text, top, "\n".join(lines), ha="left", va="top", fontsize=NARROW_PT, color=INK,
                linespacing=1.18)
    return fig


def timeline_figure() -> Figure:
    """A vertical timeline, one row per event, marker shape and colour by kind (and a narrow drawing for phones)."""
    evs = events()
    n = len(evs)
    fig, ax = new_figure((8.2, 0.34 * n + 1.7))
    ax.set_xlim(0, 10)
    ax.set_ylim(n + 0.2, -2.3)
    ax.axis("off")
    ax.plot([1.55, 1.55], [-0.2, n - 0.6], color="#666666", linewidth=1.2, zorder=1)
    last_year = None
    for i, e in enumerate(evs):
        colour, marker, _ = KIND_STYLE[e.kind]
        if e.year != last_year:
            ax.text(1.25, i, str(e.year), ha="right", va="center", fontsize=10, fontweight="bold", color=INK)
            last_year = e.year
        ax.scatter([1.55], [i], s=60, marker=marker, color=colour, edgecolors=INK, linewidths=0.8, zorder=3)
        text = textwrap.shorten(e.label, width=84, placeholder="...")
        ax.text(1.85, i, text, ha="left", va="center", fontsize=9.2, color=INK)
    for j, (colour, marker, name) in enumerate(KIND_STYLE.values()):
        x, y = 0.3 + (j % 2) * 4.6, -1.75 + (j // 2) * 0.75
        ax.scatter([x], [y], s=60, marker=marker, color=colour, edgecolors=INK, linewidths=0.8)
        ax.text(x + 0.2, y, name, ha="left", va="center", fontsize=9, color=INK)
    counts = {k: sum(1 for e in evs if e.kind == k) for k in KIND_STYLE}
    alt = (
        f"Vertical timeline of {n} events in HER2-targeted therapy from {evs[0].year} to {evs[-1].year}: "
        + ", ".join(f"{counts[k]} {KIND_STYLE[k][2]}s" for k in KIND_STYLE if counts[k])
        + f". It begins with '{evs[0].label}' ({_month(evs[0].date)}) and ends with '{evs[-1].label}' "
        f"({_month(evs[-1].date)}). {sum(1 for e in evs if e.year >= 2019)} of the events fall in 2019 or later. "
        "Every event is listed in the table that follows the figure."
    )
    return Figure(fig=fig, alt=alt, name="her2-timeline", narrow=_timeline_narrow(evs),
                  caption="From one antibody to many drugs: landmark trials and US approvals. Marker shape and "
                          "color show the kind of event; the table below lists each event with its sources.")


# ---- routing -------------------------------------------------------------------------------------------------------

def routing_table() -> Table:
    cats, foot = routing()
    keys = [k for c in cats for k in (*c.hr_positive.references, *c.hr_negative.references)]
    source = f"Sources: {_short_cites(keys)}."
    if foot:
        source = f"{foot.text} ({_short_cites(foot.references)}). " + source
    return Table(
        caption="Targeted-therapy families by HER2 and hormone-receptor status (metastatic breast cancer, simplified)",
        headers=["HER2 result", "What the test shows", "Hormone-receptor-positive", "Hormone-receptor-negative"],
        rows=[[c.label, c.test, c.hr_positive.text, c.hr_negative.text] for c in cats],
        source=source,
    )


_GROUP = {"positive": (OKABE_ITO["vermillion"], "xx"), "low": (OKABE_ITO["bluish_green"], "//"),
          "ultralow": (OKABE_ITO["sky_blue"], ".."), "null": (OKABE_ITO["grey"], "")}


def _routing_narrow(cats: tuple[Category, ...], foot: Cell | None):
    """The routing for a phone: each HER2 category above its two routes, a solid arrow to the HR-positive options
    and a dashed arrow to the HR-negative ones, all text wrapped at 11 pt."""
    from matplotlib.patches import FancyBboxPatch

    pad, x_box, gap = 6.0, 26.0, 10.0
    title = wrap_to("Breast cancer: HER2 test (IHC, ISH) and hormone-receptor test", NARROW_W, NARROW_PT + 0.5)
    y = len(title) * NARROW_LINE + 12
    layout = []
    for c in cats:
        head = [c.label, *wrap_to(c.test, NARROW_W - 2 * pad - 8)]
        routes = [(word, wrap_to(cell.text, NARROW_W - x_box - 2 * pad)) for word, cell in
                  (("if HR-positive", c.hr_positive), ("if HR-negative", c.hr_negative))]
        top = y
        y += len(head) * NARROW_LINE + 2 * pad + gap
        boxes = []
        for word, lines in routes:
            boxes.append((y, word, lines))
            y += (len(lines) + 1) * NARROW_LINE + 2 * pad + gap
        layout.append((c, top, head, boxes))
        y += 8
    foot_lines = wrap_to(foot.text, NARROW_W) if foot else []
    height = y + len(foot_lines) * NARROW_LINE + 6
    fig, ax = new_canvas(NARROW_W, height)
    ax.text(NARROW_W / 2, 2, "\n".join(title), ha="center", va="top", fontsize=NARROW_PT + 0.5, fontweight="bold",
            color=INK, linespacing=1.18)
    for c, top, head, boxes in layout:
        colour, hatch = _GROUP[c.id] if c.id in _GROUP else (OKABE_ITO["grey"], "")
        h = len(head) * NARROW_LINE + 2 * pad
        ax.add_patch(FancyBboxPatch((1, top), NARROW_W - 2, h, boxstyle="round,pad=0,rounding_size=5", facecolor=colour,
                                    edgecolor=INK, hatch=hatch, linewidth=1.1, alpha=0.95))
        ax.text(NARROW_W / 2, top + pad, head[0], ha="center", va="top", fontsize=NARROW_PT, fontweight="bold",
                color=INK, bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                                 "alpha": 0.9})
        if len(head) > 1:
            ax.text(NARROW_W / 2, top + pad + NARROW_LINE, "\n".join(head[1:]), ha="center", va="top",
                    fontsize=NARROW_PT, color=INK, linespacing=1.18,
                    bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.9})
        for k, (btop, word, lines) in enumerate(boxes):
            bh = (len(lines) + 1) * NARROW_LINE + 2 * pad
            ax.add_patch(FancyBboxPatch((x_box, btop), NARROW_W - x_box - 1, bh, boxstyle="round,pad=0,rounding_size=5",
                                        facecolor="#fdfdfd", edgecolor=INK, linewidth=1.1))
            ax.text(x_box + pad, btop + pad, word, ha="left", va="top", fontsize=NARROW_PT, style="italic", color=INK)
            ax.text(x_box + pad, btop + pad + NARROW_LINE, "\n".join(lines), ha="left", va="top", fontsize=NARROW_PT,
                    color=INK, linespacing=1.18)
            x_line = 9.0 if k == 0 else 17.0  # solid route (HR-positive) and dashed route (HR-negative) side by side
            mid = btop + bh / 2
            ax.plot([x_line, x_line, x_box - 6], [top + h, mid, mid], color=INK, lw=1.3 if k == 0 else 1.0,
                    linestyle="-" if k == 0 else "--")
            ax.annotate("", xy=(x_box - 1, mid), xytext=(x_box - 7, mid),
                        arrowprops={"arrowstyle": "->", "color": INK, "lw": 1.3 if k == 0 else 1.0})
    if foot_lines:
        ax.text(NARROW_W / 2, height - 4, "\n".join(foot_lines), ha="center", va="bottom", fontsize=NARROW_PT,
                color=INK, style="italic", linespacing=1.18)
    return fig


def routing_figure() -> Figure:
    """Rows = HER2 categories; each points to its options when HR-positive and when HR-negative (and a narrow
    drawing for phones: each category above its two routes)."""
    from matplotlib.patches import FancyBboxPatch

    cats, foot = routing()
    row_h = 2.3
    n = len(cats)
    fig, ax = new_figure((8.4, 1.05 * row_h * n + 2.2))
    ax.set_xlim(0, 12)
    ax.set_ylim(-(n * row_h) - 2.0, 1.6)
    ax.axis("off")
    ax.text(6, 1.1, "Breast cancer: HER2 test (IHC, ISH) and hormone-receptor test", ha="center", va="center",
            fontsize=11, fontweight="bold", color=INK)
    ax.text(5.9, 0.35, "if HR-positive", ha="center", va="center", fontsize=9.5, style="italic", color=INK)
    ax.text(9.95, 0.35, "if HR-negative", ha="center", va="center", fontsize=9.5, style="italic", color=INK)

    def box(x, y, w, h, text, face, hatch="", width=24, bold=False):
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0.05", facecolor=face, edgecolor=INK,
                                    hatch=hatch, linewidth=1.1, alpha=0.95))
        wrapped = "\n".join(textwrap.wrap(text, width=width))
        ax.text(x + w / 2, y + h / 2, wrapped, ha="center", va="center", fontsize=8.8, color=INK,
                fontweight="bold" if bold else "normal",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})

    for i, c in enumerate(cats):
        top = -i * row_h
        y = top - row_h + 0.3
        colour, hatch = _GROUP[c.id] if c.id in _GROUP else (OKABE_ITO["grey"], "")
        box(0.1, y, 2.6, row_h - 0.5, f"{c.label}: {c.test}", colour, hatch, width=18, bold=False)
        box(3.6, y, 4.6, row_h - 0.5, c.hr_positive.text, "#fdfdfd", width=38)
        box(8.5, y, 3.4, row_h - 0.5, c.hr_negative.text, "#fdfdfd", width=27)
        mid = y + (row_h - 0.5) / 2
        ax.annotate("", xy=(3.55, mid), xytext=(2.8, mid), arrowprops={"arrowstyle": "->", "color": INK, "lw": 1.3})
        # HR-negative route: dashed, run through the gap under the row so it never crosses a box
        low = y + 0.25
        gap = y - 0.22
        ax.plot([2.75, 3.15, 3.15, 8.2, 8.2], [low, low, gap, gap, low], color=INK, lw=1.0, linestyle="--")
        ax.annotate("", xy=(8.45, low), xytext=(8.2, low), arrowprops={"arrowstyle": "->", "color": INK, "lw": 1.0})
    if foot:
        ax.text(6, -(n * row_h) - 0.9, "\n".join(textwrap.wrap(foot.text, width=95)), ha="center", va="center",
                fontsize=9, color=INK, style="italic")
    alt = (
        "Decision figure. A breast cancer is tested for HER2 and hormone receptors. "
        + " ".join(
            f"{c.label} ({c.test}): if hormone-receptor-positive, {c.hr_positive.text}; "
            f"if hormone-receptor-negative, {c.hr_negative.text}."
            for c in cats
        )
        + (f" {foot.text}" if foot else "")
    )
    alt = re.sub(r"\s+", " ", alt)
    return Figure(fig=fig, alt=alt, name="her2-routing", narrow=_routing_narrow(cats, foot),
                  caption="How HER2 and hormone-receptor status route a patient with metastatic breast cancer among "
                          "targeted-therapy families (simplified; solid arrow: HR-positive, dashed arrow: "
                          "HR-negative). Lines of therapy and conditions are in the text and the labels.")
