"""Matplotlib drawings of the model: the network (plain or with a scenario overlaid), the HER family, HER2's
domains with each drug's site, and the ADC path. Every function returns a matplotlib Figure; figures.py wraps
them with alt text and captions.

Legibility on a phone: figures are about 4.4 inches wide with 10-12 pt text, so at 375 px the text stays near
11 px. Colour is never the only cue: ON nodes are filled with a solid outline, OFF nodes are white with a dashed
grey outline, kinase blocks are hatched, antibody blocks are bars labelled with their domain, and alteration
routes are dashed.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from dataclasses import dataclass

import matplotlib
from matplotlib.figure import Figure as MplFigure
from matplotlib.patches import Circle, Ellipse, FancyArrowPatch, FancyBboxPatch
from matplotlib.path import Path

from ..style import INK, OKABE_ITO, RC
from .engine import Result
from .model import Model, model

OI = OKABE_ITO
GREY = "#6b6b6b"  # OFF outlines and text: 5.3:1 on white
FILL = {  # light tints of the Okabe-Ito colours, so dark text stays readable on them
    "ligand": "#F7DDA4", "receptor": "#F7DDA4", "dimer": "#F7DDA4", "variant": "#F4C7A3", "bypass": "#F4C7A3",
    "mapk": "#C4E5F8", "pi3k": "#B3E3D3", "suppressor": "#EDCBDD", "outcome": "#F7F1A8",
}
EDGE_COL = {"ligand": "#9A6A00", "receptor": "#9A6A00", "dimer": "#9A6A00", "variant": OI["vermillion"],
            "bypass": OI["vermillion"],
            "mapk": OI["blue"], "pi3k": "#00704F", "suppressor": "#A34D80", "outcome": "#7A7000"}
BLOCK = OI["blue"]
ALT = OI["vermillion"]
W, H = 1.8, 0.95  # node box in data units
BYPASS_W = 1.0  # receptors outside the HER family share the slot right of HER4, so they are narrower
WIDTH_IN = 4.4
ROMAN = {"ECD-II": "II", "ECD-IV": "IV"}


def _fig(width_units: float, height_units: float, *, width_in: float = WIDTH_IN):
    with matplotlib.rc_context(RC):
        fig = MplFigure(figsize=(width_in, width_in * height_units / width_units))
        ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width_units)
    ax.set_ylim(0, height_units)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.patch.set_facecolor("white")
    return fig, ax


def _size(m: Model, nid: str) -> tuple[float, float]:
    kind = m.nodes[nid].kind
    return (2.9, 1.05) if kind == "outcome" else (BYPASS_W, H) if kind == "bypass" else (W, H)


def _box(ax, m: Model, nid: str, state: str, *, y_shift: float = 0.0):
    """Draw one node. state: on | off | blocked | lost | ghost | plain."""
    node = m.nodes[nid]
    x, y = node.pos
    y += y_shift
    w, h = _size(m, nid)
    kind = node.kind
    text = node.label
    style = dict(lw=2.2, ls="-", ec=EDGE_COL[kind], fc=FILL[kind], hatch=None, tc=INK, weight="bold")
    if state == "off":
        style.update(lw=1.3, ls=(0, (3, 2)), ec=GREY, fc="white", tc=GREY, weight="normal")
    elif state == "blocked":
        style.update(lw=2.4, ec=BLOCK, fc="white", hatch="xx", tc=INK)
    elif state in ("lost", "ghost"):
        style.update(lw=1.2, ls=(0, (1, 2)), ec=GREY, fc="white", tc=GREY, weight="normal")
    elif state == "plain":
        style.update(lw=1.5, weight="normal")
    if kind == "outcome":
        if state in ("on", "off"):
            text = f"{text}\n{'ON' if state == 'on' else 'OFF'}"
        patch = Ellipse((x, y), w, h, lw=style["lw"], ls=style["ls"], ec=style["ec"], fc=style["fc"], zorder=3)
    else:
        rounding = 0.32 if kind in ("receptor", "dimer", "variant", "ligand", "bypass") else 0.08
        patch = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle=f"round,pad=0,rounding_size={rounding}",
                               lw=style["lw"], ls=style["ls"], ec=style["ec"], fc=style["fc"], zorder=3)
    if style["hatch"]:
        patch.set_hatch(style["hatch"])
        with matplotlib.rc_context({"hatch.color": "#9cc3e0", "hatch.linewidth": 1.0}):
            ax.add_patch(patch)
    else:
        ax.add_patch(patch)
    size = 10 if kind in ("ligand", "bypass") else 11
    t = ax.text(x, y, text, ha="center", va="center", fontsize=size, color=style["tc"],
                fontweight=style["weight"], zorder=5, linespacing=1.05)
    if state == "blocked":
        t.set_bbox(dict(boxstyle="round,pad=0.12", fc="white", ec="none", alpha=0.9))
    if state == "lost":
        ax.plot([x - w / 2 + 0.1, x + w / 2 - 0.1], [y - h / 2 + 0.1, y + h / 2 - 0.1], color=GREY, lw=1.4, zorder=4)
    # an arrow stops at the outer edge of the outline's stroke, half a line width outside the shape
    pad = style["lw"] / 2 * _units_per_point(ax)
    return Outline("ellipse" if kind == "outcome" else "box", x, y, w + 2 * pad, h + 2 * pad,
                   0.0 if kind == "outcome" else rounding + pad)


@dataclass(frozen=True)
class Outline:
    """A node's outline in data units: a box with rounded corners (radius r) or an ellipse, centred on (x, y),
    measured to the outer edge of its stroke.

    Arrows end where the straight line between two centres crosses the outlines. This is worked out here in
    closed form; matplotlib's own ``patchA``/``patchB`` clipping finds the same points by bisection, about ten
    times slower (it was three quarters of the time of every scenario diagram).
    """

    kind: str
    x: float
    y: float
    w: float
    h: float
    r: float = 0.0

    def exit_point(self, toward: tuple[float, float]) -> tuple[float, float]:
        """Where the ray from the centre toward a point leaves the outline (the centre if the point is it)."""
        dx, dy = toward[0] - self.x, toward[1] - self.y
        if dx == 0 and dy == 0:
            return self.x, self.y
        a, b = self.w / 2, self.h / 2
        if self.kind == "ellipse":
            t = 1 / math.sqrt((dx / a) ** 2 + (dy / b) ** 2)
            return self.x + t * dx, self.y + t * dy
        t = min(a / abs(dx) if dx else math.inf, b / abs(dy) if dy else math.inf)
        px, py = t * dx, t * dy
        r = min(self.r, a, b)
        if r > 0 and abs(px) > a - r and abs(py) > b - r:  # the ray meets a rounded corner
            cx, cy = math.copysign(a - r, dx), math.copysign(b - r, dy)
            # |t*d - c| = r, the far root (the ray starts inside the corner circle's square)
            dd = dx * dx + dy * dy
            dc = dx * cx + dy * cy
            disc = dc * dc - dd * (cx * cx + cy * cy - r * r)
            t = (dc + math.sqrt(max(disc, 0.0))) / dd
            px, py = t * dx, t * dy
        return self.x + px, self.y + py


def _units_per_point(ax) -> float:
    """Data units in one point (the axes fill the figure and have equal aspect)."""
    x0, x1 = ax.get_xlim()
    return (x1 - x0) / (ax.figure.get_figwidth() * 72)


def _arrow(ax, a, b, *, pa: Outline | None = None, pb: Outline | None = None, color=INK, lw=1.8, ls="-",
           style="-|>", z=2, scale=11):
    """A straight arrow from a to b, 2 pt short of both ends; with outlines, from the edge of pa to the edge of pb.
    At an outlined end the point is computed here, so matplotlib has no clipping or shrinking to search for
    (outlines are only passed in figures whose limits are final when the arrow is drawn)."""
    start = pa.exit_point(b) if pa else a
    end = pb.exit_point(a) if pb else b
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    gap = 2 * _units_per_point(ax)
    if length > 2 * gap:
        ux, uy = dx / length * gap, dy / length * gap
        if pa:
            start = (start[0] + ux, start[1] + uy)
        if pb:
            end = (end[0] - ux, end[1] - uy)
    arr = FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=scale, color=color, lw=lw, ls=ls,
                          shrinkA=0 if pa else 2, shrinkB=0 if pb else 2, zorder=z, capstyle="butt",
                          joinstyle="miter")
    ax.add_artist(arr)  # not add_patch: the limits are fixed, and updating them would build the path once more
    return arr


def _tag(ax, x, y, text, *, color=ALT, size=10):
    ax.text(x, y, text, ha="center", va="center", fontsize=size, color=INK, fontweight="bold", zorder=7,
            bbox=dict(boxstyle="round4,pad=0.22", fc="white", ec=color, lw=1.8))


def _block_marker(ax, src, dst, *, target_h, label):
    """A thick bar across the route just above the target box, with the domain it acts at."""
    (x0, y0), (x1, y1) = src, dst
    dx, dy = x1 - x0, y1 - y0
    length = (dx * dx + dy * dy) ** 0.5
    ux, uy = dx / length, dy / length
    # walk back from the target centre to a point 0.35 above its top edge
    back = (target_h / 2 + 0.38) / max(abs(uy), 1e-6)
    back = min(back, length * 0.6)
    cx, cy = x1 - ux * back, y1 - uy * back
    px, py = -uy * 0.5, ux * 0.5
    ax.plot([cx - px, cx + px], [cy - py, cy + py], color=BLOCK, lw=4.5, solid_capstyle="butt", zorder=6)
    ax.text(cx, cy, label, ha="center", va="center", fontsize=9, color="white",
            fontweight="bold", zorder=7, bbox=dict(boxstyle="round,pad=0.12", fc=BLOCK, ec="white", lw=1.0))


def network(result: Result | None = None, *, title: str | None = None, legend: bool = True) -> MplFigure:
    """The signalling network. Without a result: the plain map of every HER-family route. With one: the
    scenario's ON/OFF states, the drugs' blocks and the alterations' routes overlaid. Receptors outside the HER
    family (bypass) are drawn only when an alteration adds them, so the plain map and other scenarios stay as
    they were."""
    m = result.model if result else model()
    present = set(result.present) if result else {n for n in m.nodes if m.nodes[n].kind != "bypass"}
    with_bypass = any(m.nodes[n].kind == "bypass" for n in present)
    lines = title.count("\n") + 1 if title else 0
    top = 13.0 + 0.75 * lines
    bottom = -3.4 if legend else 0.0
    fig, ax = _fig(10.4, top - bottom)
    ax.set_xlim(-0.2, 10.2)
    ax.set_ylim(bottom, top)
    y_top = top - 0.1
    if title:
        ax.text(5.0, y_top, title, ha="center", va="top", fontsize=11.5, color=INK, fontweight="bold",
                linespacing=1.15)
    # the membrane
    ax.add_patch(FancyBboxPatch((-0.1, 10.05), 10.2, 0.7, boxstyle="square,pad=0", fc="#EEEEEE", ec="none",
                                zorder=0))
    if not with_bypass:  # the bypass receptors and their routes use this margin
        ax.text(10.05, 10.4, "cell\nmembrane", ha="right", va="center", fontsize=8.5, color=GREY, zorder=1)
        ax.text(10.05, 7.6, "inside\nthe cell", ha="right", va="center", fontsize=8.5, color=GREY, zorder=1)

    removed = {n for a in result.alterations for n in a.removes} if result else set()
    blocked_nodes = {b.target for b in result.blocks if b.kind == "kinase"} if result else set()
    patches = {}
    for nid, node in m.nodes.items():
        if result is None:
            if nid not in present:
                continue
            state = "ghost" if not node.present else "plain"
        elif nid in removed:
            state = "lost"
        elif nid not in present:
            continue
        elif nid in blocked_nodes and not result.on[nid]:
            state = "blocked"
        else:
            state = "on" if result.on[nid] else "off"
        patches[nid] = _box(ax, m, nid, state)

    live = set(result.live_edges) if result else set()
    # membership lines: receptor <-> the units it belongs to
    for nid, node in m.nodes.items():
        if nid not in patches:
            continue
        for r in node.members:
            if r in patches:
                _arrow(ax, m.nodes[r].pos, node.pos, pa=patches[r], pb=patches[nid], style="-", color="#BBBBBB",
                       lw=1.0, z=1)
    # signalling edges
    for e in m.edges:
        if e.source not in patches or e.target not in patches:
            continue
        a, b = m.nodes[e.source].pos, m.nodes[e.target].pos
        if m.nodes[e.source].kind == "bypass":
            _bypass_route(ax, m, e.source, e.target, live=(e.source, e.target) in live)
            continue
        if e.effect == "dampens":
            on = result is None or (result.on.get(e.source) and e.source not in removed)
            _arrow(ax, a, b, pa=patches[e.source], pb=patches[e.target], style="-[", color=EDGE_COL["suppressor"],
                   lw=2.0 if on else 1.0, ls="-" if on else (0, (2, 2)), scale=9)
            continue
        if result is None:
            _arrow(ax, a, b, pa=patches[e.source], pb=patches[e.target], lw=1.4)
        elif (e.source, e.target) in live:
            _arrow(ax, a, b, pa=patches[e.source], pb=patches[e.target], lw=2.2, z=2.5)
        else:
            _arrow(ax, a, b, pa=patches[e.source], pb=patches[e.target], color="#9a9a9a", lw=1.0, ls=(0, (2, 2)),
                   scale=8)
    if result is not None:
        # alteration routes and tags
        tagged: set = set()
        for alt in result.alterations:
            anchor = m.nodes[alt.anchor]
            ax_, ay_ = anchor.pos
            for drive in alt.drives:
                if drive.target == alt.anchor or drive.target not in patches:
                    continue
                is_live = (alt.id, drive.target) in live
                _arrow(ax, (ax_, ay_), m.nodes[drive.target].pos, pa=patches.get(alt.anchor),
                       pb=patches[drive.target], color=ALT, lw=3.0 if is_live else 1.6, ls=(0, (4, 2)), z=2.6,
                       scale=13)
            w, h = _size(m, alt.anchor)
            if anchor.kind == "bypass":
                # one tag over the bypass receptors (they sit side by side in a narrow slot)
                xs = [m.nodes[n].pos[0] for n in patches if m.nodes[n].kind == "bypass"]
                key = ("bypass-tag", alt.tag)
                if key not in tagged:
                    tagged.add(key)
                    _tag(ax, min(sum(xs) / len(xs), 10.1 - 0.13 * len(alt.tag)), ay_ + h / 2 + 0.12, alt.tag)
                continue
            _tag(ax, min(ax_ + w / 2 - 0.1, 10.1 - 0.13 * len(alt.tag)), ay_ + h / 2 + 0.12, alt.tag)
        # antibody blocks: a bar on each blocked route, labelled with the domain
        seen = set()
        for b in result.blocks:
            if b.kind == "kinase" or (b.source, b.target, b.site) in seen:
                continue
            seen.add((b.source, b.target, b.site))
            origin = b.source if b.source in m.nodes else m.alterations[b.source].anchor
            src = m.nodes[origin].pos
            _block_marker(ax, src, m.nodes[b.target].pos, target_h=H, label=ROMAN[b.site])
    if legend:
        _legend(ax, plain=result is None)
    return fig


def _bypass_route(ax, m: Model, source: str, target: str, *, live: bool):
    """A receptor outside the HER family sits right of HER4, so a straight arrow to RAS or PI3K would cross the
    HER2 units. Its routes run down its own trunk: into PI3K from the right, and along a corridor between the
    units and RAS/PI3K into RAS from above. The outer receptor turns lower and higher so the routes cross once.
    (The trunks pass the slot of mutant HER2; a cell with both an exon 20 insertion and a bypass receptor draws
    them behind its box.)"""
    bypass = sorted((n for n in m.nodes.values() if n.kind == "bypass"), key=lambda n: n.pos[0])
    k = [n.id for n in bypass].index(source)
    x, y = m.nodes[source].pos
    top = y - H / 2 - 0.05
    tx, ty = m.nodes[target].pos
    if live:
        style = dict(color=INK, lw=2.2, ls="-", scale=11)
    else:
        style = dict(color="#9a9a9a", lw=1.0, ls=(0, (2, 2)), scale=8)
    if m.nodes[target].kind == "pi3k":
        turn = ty + 0.2 - 0.4 * k  # inner 7.0, outer 6.6 for PI3K at 6.8
        verts = [(x, top), (x, turn), (tx + W / 2 + 0.06, turn)]
    else:
        corridor = ty + 0.85 + 0.2 * k  # between the unit row and RAS
        entry = tx + 0.65 - 0.25 * k
        verts = [(x, corridor), (entry, corridor), (entry, ty + H / 2 + 0.06)]
        ax.add_patch(Circle((x, corridor), 0.07, fc=style["color"], ec="none", zorder=2.6))
        if not any(e.source == source and m.nodes[e.target].kind == "pi3k" for e in m.edges):
            verts.insert(0, (x, top))
    path = Path(verts, [Path.MOVETO] + [Path.LINETO] * (len(verts) - 1))
    ax.add_patch(FancyArrowPatch(path=path, arrowstyle="-|>", mutation_scale=style["scale"], color=style["color"],
                                 lw=style["lw"], ls=style["ls"], zorder=2.5, capstyle="butt", joinstyle="miter"))


def _legend(ax, *, plain: bool):
    y0 = -1.05
    ax.plot([0, 10], [y0 + 0.75, y0 + 0.75], color="#DDDDDD", lw=1)
    items_plain = [
        ("box", "signaling step"), ("ghost", "present only with\nan alteration"),
        ("arrow", "passes the signal on"), ("damp", "PTEN damps PIP3"),
    ]
    items = [
        ("on", "ON"), ("off", "OFF"),
        ("bar", "antibody block at\ndomain II or IV"), ("hatch", "kinase blocked\nby a TKI"),
        ("alt", "alteration route"), ("tag", "alteration"),
    ]
    chosen = items_plain if plain else items
    for i, (kind, text) in enumerate(chosen):
        col, row = i % 2, i // 2
        x, y = 0.2 + col * 5.1, y0 - row * 1.05
        sx = x + 0.55
        if kind in ("on", "box"):
            ax.add_patch(FancyBboxPatch((sx - 0.5, y - 0.28), 1.0, 0.56, boxstyle="round,pad=0,rounding_size=0.1",
                                        lw=2.2 if kind == "on" else 1.5, ec=EDGE_COL["mapk"], fc=FILL["mapk"]))
        elif kind in ("off", "ghost"):
            ax.add_patch(FancyBboxPatch((sx - 0.5, y - 0.28), 1.0, 0.56, boxstyle="round,pad=0,rounding_size=0.1",
                                        lw=1.3, ls=(0, (3, 2)) if kind == "off" else (0, (1, 2)), ec=GREY, fc="white"))
        elif kind == "hatch":
            p = FancyBboxPatch((sx - 0.5, y - 0.28), 1.0, 0.56, boxstyle="round,pad=0,rounding_size=0.1", lw=2.2,
                               ec=BLOCK, fc="white", hatch="xx")
            with matplotlib.rc_context({"hatch.color": "#9cc3e0"}):
                ax.add_patch(p)
        elif kind == "bar":
            ax.plot([sx - 0.5, sx + 0.5], [y, y], color=INK, lw=1.5)
            ax.plot([sx, sx], [y - 0.35, y + 0.35], color=BLOCK, lw=4.2, solid_capstyle="butt")
        elif kind == "alt":
            _arrow(ax, (sx - 0.55, y), (sx + 0.55, y), color=ALT, lw=3.0, ls=(0, (4, 2)), scale=12)
        elif kind == "arrow":
            _arrow(ax, (sx - 0.55, y), (sx + 0.55, y), lw=1.6)
        elif kind == "damp":
            _arrow(ax, (sx - 0.55, y), (sx + 0.55, y), style="-[", color=EDGE_COL["suppressor"], lw=2.0, scale=9)
        elif kind == "tag":
            _tag(ax, sx, y, "tag", size=8.5)
        ax.text(x + 1.3, y, text, ha="left", va="center", fontsize=10.5, color=INK, linespacing=1.05)


# ---- HER family and HER2 domains ---------------------------------------------------------------------------

_FAMILY = [
    ("EGFR", "HER1", "EGF-type", "active"),
    ("HER2", "ERBB2", "none known", "active"),
    ("HER3", "ERBB3", "NRG1", "weak"),
    ("HER4", "ERBB4", "NRG1", "active"),
]


def _receptor(ax, x, y_mem, *, arm_out=False, weak_kinase=False, scale=1.0, labels=False):
    """A stylised receptor: four extracellular domains, membrane anchor, kinase. Returns domain centres."""
    s = scale
    centres = {}
    ys = [y_mem + 0.6 * s + i * 0.95 * s for i in range(4)][::-1]  # I top ... IV near membrane
    for name, yc in zip(("I", "II", "III", "IV"), ys, strict=True):
        dx = 0.45 * s if (arm_out and name == "II") else 0.0
        fc = "#FBE8C0" if name in ("II", "IV") else "#FFFFFF"
        ax.add_patch(FancyBboxPatch((x - 0.5 * s + dx, yc - 0.38 * s), 1.0 * s, 0.76 * s,
                                    boxstyle=f"round,pad=0,rounding_size={0.3 * s}", fc=fc, ec="#9A6A00", lw=1.6,
                                    zorder=3))
        ax.text(x + dx, yc, name, ha="center", va="center", fontsize=10 if s < 1.2 else 11, color=INK, zorder=4)
        centres[name] = (x + dx, yc)
    ax.plot([x, x], [y_mem + 0.22 * s, y_mem - 0.55 * s], color=INK, lw=2.2, zorder=2)
    kh = 1.1 * s
    ax.add_patch(FancyBboxPatch((x - 0.55 * s, y_mem - 0.55 * s - kh), 1.1 * s, kh,
                                boxstyle=f"round,pad=0,rounding_size={0.12 * s}",
                                fc="white" if weak_kinase else "#B3E3D3", ec="#00704F", lw=1.6,
                                ls=(0, (3, 2)) if weak_kinase else "-", zorder=3))
    ax.text(x, y_mem - 0.55 * s - kh / 2, "kinase", ha="center", va="center", fontsize=9 if s < 1.2 else 10.5,
            color=INK, zorder=4)
    centres["kinase"] = (x, y_mem - 0.55 * s - kh / 2)
    ax.plot([x, x], [y_mem - 0.55 * s - kh, y_mem - 1.2 * s - kh], color=INK, lw=1.6, zorder=2)
    return centres


def family() -> MplFigure:
    fig, ax = _fig(10.0, 12.0)
    ax.set_ylim(-1.4, 10.6)
    y_mem = 5.0
    ax.add_patch(FancyBboxPatch((0, y_mem - 0.2), 10, 0.4, boxstyle="square,pad=0", fc="#E6E6E6", ec="none"))
    ax.text(0.05, y_mem - 0.3, "membrane", ha="left", va="top", fontsize=8.5, color=GREY)
    for i, (name, gene, ligand, kinase) in enumerate(_FAMILY):
        x = 1.25 + i * 2.5
        _receptor(ax, x, y_mem, arm_out=name == "HER2", weak_kinase=kinase == "weak")
        ax.text(x, 10.45, name, ha="center", va="top", fontsize=12, fontweight="bold", color=INK)
        ax.text(x, 9.85, f"({gene})", ha="center", va="top", fontsize=9, color=GREY)
        ax.text(x, 1.5, f"ligand:\n{ligand}\nkinase:\n{kinase}", ha="center", va="top", fontsize=10, color=INK,
                linespacing=1.15)
    ax.annotate("arm II\nalways out", xy=(3.75 + 0.95, 5.0 + 0.6 + 2 * 0.95), xytext=(5.0, 9.3), fontsize=8.5,
                ha="center", va="center", color=INK,
                arrowprops=dict(arrowstyle="-|>", color=INK, lw=1.0, shrinkA=1, shrinkB=2))
    return fig


def domains(m: Model | None = None) -> MplFigure:
    """HER2's domains with the drugs that act at each site (read from the model)."""
    m = m or model()
    fig, ax = _fig(10.0, 15.0)
    y_mem = 5.6
    ax.add_patch(FancyBboxPatch((0, y_mem - 0.2), 10, 0.4, boxstyle="square,pad=0", fc="#E6E6E6", ec="none"))
    ax.text(9.9, y_mem + 0.3, "outside", ha="right", va="bottom", fontsize=8.5, color=GREY)
    ax.text(9.9, y_mem - 0.3, "inside", ha="right", va="top", fontsize=8.5, color=GREY)
    c = _receptor(ax, 1.9, y_mem, arm_out=True, scale=1.25)
    by_site: dict[str, list[str]] = {"ECD-II": [], "ECD-IV": [], "kinase": [], "other": []}
    for d in m.drugs.values():
        sites = d.antibody_sites or (("kinase",) if d.site == "kinase" else ("other",))
        for s in sites:
            by_site[s].append(d.label)
    blocks = [
        ("II", "Domain II (pairing arm)", by_site["ECD-II"], BLOCK),
        ("IV", "Domain IV (by the membrane)", by_site["ECD-IV"], BLOCK),
        ("kinase", "Kinase (inside the cell)", by_site["kinase"], "#00704F"),
    ]
    ys = {"II": 14.8, "IV": 11.9, "kinase": 3.9}
    for key, head, names, col in blocks:
        tx, ty = 4.0, ys[key]
        body = textwrap.fill(", ".join(names), 26)
        ax.text(tx, ty, head, ha="left", va="top", fontsize=10.5, fontweight="bold", color=INK)
        ax.text(tx, ty - 0.55, body, ha="left", va="top", fontsize=10, color=INK, linespacing=1.2)
        ax.annotate("", xy=(c[key][0] + 0.7, c[key][1]), xytext=(tx - 0.1, ty - 0.25),
                    arrowprops=dict(arrowstyle="-|>", color=col, lw=2.0, shrinkA=0, shrinkB=1))
    # where p95HER2 is cut
    ax.plot([0.3, 3.6], [y_mem + 0.42, y_mem + 0.42], color=ALT, lw=2.0, ls=(0, (4, 2)), zorder=6)
    ax.text(4.0, y_mem + 1.0, "p95HER2 is cut here:\ndomains I-IV are lost,\nso antibodies cannot bind",
            ha="left", va="bottom", fontsize=10, color=INK, linespacing=1.15)
    if by_site["other"]:
        ax.text(0.1, 0.2, textwrap.fill("Binds the extracellular part (domain not modeled): "
                                        + ", ".join(by_site["other"]), 44),
                ha="left", va="bottom", fontsize=10, color=INK)
    return fig


# ---- the ADC path --------------------------------------------------------------------------------------------


def _adc_icon(ax, x, y, s=1.0, z=6):
    """A Y-shaped antibody with payload dots."""
    ax.plot([x, x], [y, y + 0.55 * s], color=BLOCK, lw=3, zorder=z, solid_capstyle="round")
    ax.plot([x, x - 0.4 * s], [y + 0.55 * s, y + 1.0 * s], color=BLOCK, lw=3, zorder=z, solid_capstyle="round")
    ax.plot([x, x + 0.4 * s], [y + 0.55 * s, y + 1.0 * s], color=BLOCK, lw=3, zorder=z, solid_capstyle="round")
    for dx, dy in ((-0.22, 0.3), (0.22, 0.3)):
        ax.add_patch(Circle((x + dx * s, y + dy * s), 0.11 * s, fc=ALT, ec=INK, lw=0.6, zorder=z + 1))


def _number(ax, x, y, n):
    ax.add_patch(Circle((x, y), 0.32, fc="white", ec=INK, lw=1.6, zorder=9))
    ax.text(x, y, str(n), ha="center", va="center", fontsize=10.5, fontweight="bold", color=INK, zorder=10)


def adc(drug_id: str = "trastuzumab-deruxtecan", m: Model | None = None) -> MplFigure:
    m = m or model()
    d = m.drugs[drug_id]
    assert d.adc is not None, f"{drug_id} is not an ADC"
    bystander = d.adc.bystander
    steps = m.adc_steps
    fig, ax = _fig(10.0, 14.4)
    ax.text(5, 14.2, f"How {d.label} works: a separate, cytotoxic effect", ha="center", va="top", fontsize=11.5,
            fontweight="bold", color=INK)
    # target cell and neighbour
    ax.add_patch(Circle((3.6, 8.0), 3.1, fc="#FFF7E6", ec="#9A6A00", lw=2.0, zorder=1))
    ax.text(3.6, 5.55, "HER2-positive cell", ha="center", va="center", fontsize=9.5, color=INK, zorder=2)
    ax.add_patch(Circle((8.55, 7.3), 1.35, fc="#F4F4F4", ec=GREY, lw=1.6, ls=(0, (3, 2)), zorder=1))
    ax.text(8.55, 8.85, "neighbor\n(little or\nno HER2)", ha="center", va="bottom", fontsize=9, color=INK)
    # receptor on the surface and the ADC binding it
    ax.plot([3.6, 3.6], [10.75, 11.55], color="#9A6A00", lw=4, zorder=3)
    ax.add_patch(FancyBboxPatch((3.35, 11.45), 0.5, 0.5, boxstyle="round,pad=0,rounding_size=0.15", fc="#F7DDA4",
                                ec="#9A6A00", lw=1.5, zorder=4))
    ax.text(4.05, 11.1, "HER2", fontsize=9, ha="left", va="center", color=INK)
    _adc_icon(ax, 3.6, 12.0)
    _number(ax, 2.6, 12.3, 1)
    # endosome
    ax.add_patch(Circle((3.0, 9.0), 0.75, fc="white", ec=INK, lw=1.3, zorder=3))
    _adc_icon(ax, 3.0, 8.55, s=0.6, z=5)
    _arrow(ax, (3.5, 10.7), (3.2, 9.8), lw=1.6, z=6)
    _number(ax, 1.85, 9.6, 2)
    # lysosome releasing payload
    ax.add_patch(Circle((4.2, 7.1), 0.8, fc="#EDCBDD", ec="#A34D80", lw=1.5, zorder=3))
    for dx, dy in ((-0.3, 0.1), (0.05, -0.25), (0.3, 0.2)):
        ax.add_patch(Circle((4.2 + dx, 7.1 + dy), 0.11, fc=ALT, ec=INK, lw=0.6, zorder=5))
    _arrow(ax, (3.4, 8.3), (3.9, 7.8), lw=1.6, z=6)
    _number(ax, 5.35, 7.85, 3)
    # nucleus with DNA hit
    ax.add_patch(Circle((2.35, 6.6), 0.75, fc="#C4E5F8", ec=OI["blue"], lw=1.5, zorder=3))
    ax.text(2.35, 6.6, "DNA /\nmicro-\ntubules", ha="center", va="center", fontsize=7.5, color=INK, zorder=4)
    _arrow(ax, (3.5, 6.9), (3.1, 6.7), color=ALT, lw=2.2, z=6)
    _number(ax, 1.2, 7.4, 4)
    # bystander
    if bystander:
        _arrow(ax, (5.0, 7.0), (7.5, 7.3), color=ALT, lw=2.6, ls=(0, (4, 2)), z=6, scale=13)
        for px in (5.9, 6.6):
            ax.add_patch(Circle((px, 7.12 + (px - 5.0) * 0.12), 0.11, fc=ALT, ec=INK, lw=0.6, zorder=7))
        _number(ax, 6.3, 8.0, 5)
    else:
        _arrow(ax, (5.0, 7.0), (6.3, 7.15), color=GREY, lw=1.6, ls=(0, (2, 2)), z=6, style="-[", scale=10)
        _number(ax, 6.3, 8.0, 5)
    # the numbered steps as text, legible on a phone
    y = 4.3
    for i, st in enumerate(steps, 1):
        text = st.text
        if st.id == "bystander" and not bystander:
            text = f"No bystander effect: {d.adc.note}."
        if st.id == "kill":
            text = f"The payload, {d.adc.payload}, is {d.adc.payload_action}; the cell dies."
        wrapped = textwrap.fill(f"{st.label}: {text}", 42)
        _number(ax, 0.45, y - 0.05, i)
        ax.text(1.0, y + 0.15, wrapped, ha="left", va="top", fontsize=10, color=INK, linespacing=1.15)
        y -= 0.45 * (wrapped.count("\n") + 1) + 0.3
    ax.set_ylim(min(y, 0), 14.4)
    return fig



# ---- where the ADC path can fail -------------------------------------------------------------------------------

_RES_WRAP = 44  # characters per line of 10 pt text in the text column (about 8 data units wide)
_LINE = 0.37  # one 10 pt line (linespacing 1.15) in data units at 4.4 inches for 10 units


def adc_step_text(d, step) -> str:
    """The step's plain-language text for one ADC (the kill and bystander steps depend on the payload)."""
    if step.id == "kill":
        return f"The payload, {d.adc.payload}, is {d.adc.payload_action}; the cell dies."
    if step.id == "bystander" and not d.adc.bystander:
        return "No bystander effect: the payload stays in the cell that took it up."
    return step.text


def _cross(ax, x, y, r=0.22, z=6):
    """The resistance marker: a vermillion ring with a cross (shape, not only colour, says 'fails here')."""
    ax.add_patch(Circle((x, y), r, fc="white", ec=ALT, lw=2.2, zorder=z))
    k = r * 0.55
    for sx in (-1, 1):
        ax.plot([x - k, x + k], [y - sx * k, y + sx * k], color=ALT, lw=2.0, zorder=z + 1, solid_capstyle="round")


def adc_resistance(drug_id: str = "trastuzumab-deruxtecan", m: Model | None = None) -> MplFigure:
    """The ADC path as numbered steps down a solid blue line; each resistance point from the model hangs off its
    step on a dashed vermillion branch ending in a crossed ring."""
    m = m or model()
    d = m.drugs[drug_id]
    assert d.adc is not None, f"{drug_id} is not an ADC"
    points = m.resistance_points(drug_id)
    x_spine, x_text, x_mark, x_res = 0.55, 1.1, 1.45, 1.85
    # lay out top-down first (y measured downwards from 0), then draw in a figure of the right height
    rows: list[tuple] = []
    y = 1.75  # below the two-line title
    for i, st in enumerate(m.adc_steps, 1):
        body = textwrap.fill(adc_step_text(d, st), _RES_WRAP + 4)
        rows.append(("step", i, st.label, body, y))
        y += 0.5 + _LINE * (body.count("\n") + 1) + 0.25
        for p in (p for p in points if p.step == st.id):
            text = textwrap.fill(" ".join(p.text.split()), _RES_WRAP)
            rows.append(("point", i, p.label, text, y))
            y += 0.45 + _LINE * (text.count("\n") + 1) + 0.3
        y += 0.2
    legend_top = y + 0.1
    height = legend_top + 1.9
    fig, ax = _fig(10.0, height)
    ax.set_ylim(-height, 0)  # draw with y = -distance from the top

    ax.text(5.0, -0.15, f"Where {d.label} can fail:\nresistance at each step", ha="center", va="top",
            fontsize=11.5, fontweight="bold", color=INK, linespacing=1.15)
    steps_y = [-r[4] - 0.2 for r in rows if r[0] == "step"]
    for a, b in itertools.pairwise(steps_y):
        _arrow(ax, (x_spine, a - 0.32), (x_spine, b + 0.32), color=BLOCK, lw=2.6, z=3, scale=13)
    for kind, i, label, text, top in rows:
        yy = -top
        if kind == "step":
            _number(ax, x_spine, yy - 0.2, i)
            ax.text(x_text, yy - 0.2, label, ha="left", va="center", fontsize=11.5, fontweight="bold", color=INK)
            ax.text(x_text, yy - 0.55, text, ha="left", va="top", fontsize=10, color=INK, linespacing=1.15)
        else:
            ax.plot([x_spine, x_mark - 0.22], [yy - 0.2, yy - 0.2], color=ALT, lw=1.8, ls=(0, (3, 2)), zorder=2)
            _cross(ax, x_mark, yy - 0.2)
            ax.text(x_res, yy - 0.2, label, ha="left", va="center", fontsize=10.5, fontweight="bold", color=INK,
                    bbox=dict(boxstyle="round,pad=0.15", fc="#FBE3D1", ec="none"))
            ax.text(x_res, yy - 0.55, text, ha="left", va="top", fontsize=10, color=INK, linespacing=1.15)
    # key
    y0 = -legend_top
    ax.plot([0.1, 9.9], [y0, y0], color="#DDDDDD", lw=1)
    _arrow(ax, (0.25, y0 - 0.6), (1.05, y0 - 0.6), color=BLOCK, lw=2.6, scale=13)
    ax.text(1.3, y0 - 0.6, "the ADC's path, step by step", ha="left", va="center", fontsize=10, color=INK)
    ax.plot([0.25, 0.85], [y0 - 1.3, y0 - 1.3], color=ALT, lw=1.8, ls=(0, (3, 2)))
    _cross(ax, 1.07, y0 - 1.3)
    ax.text(1.45, y0 - 1.3, "resistance point: where the step can fail", ha="left", va="center", fontsize=10,
            color=INK)
    return fig
