"""Compact inline SVG for the gallery: text kept as <text> (no glyph outlines), coordinates rounded, unused ids
dropped and the rest prefixed so many diagrams can share one page without id clashes."""

from __future__ import annotations

import html
import io
import re

import matplotlib
from matplotlib.figure import Figure as MplFigure

from ..figures import close
from ..style import RC

FONT_STACK = "'DejaVu Sans', Verdana, 'Segoe UI', Roboto, Arial, sans-serif"


_G_TAG = re.compile(r"<g\b[^>]*>|</g>")


def _drop_bare_groups(s: str) -> str:
    """Remove ``<g>`` wrappers that carry no attribute (and their matching ``</g>``); they change nothing."""
    out: list[str] = []
    stack: list[bool] = []  # True when the open <g> was kept
    pos = 0
    for m in _G_TAG.finditer(s):
        out.append(s[pos:m.start()])
        tag = m.group(0)
        if tag == "</g>":
            if stack.pop():
                out.append(tag)
        else:
            keep = tag != "<g>"
            stack.append(keep)
            if keep:
                out.append(tag)
        pos = m.end()
    out.append(s[pos:])
    return "".join(out)


def _classes(s: str, styles: dict[str, str]) -> str:
    """Inline ``style="..."`` -> ``class="sN"``; ``styles`` (style text -> class name) is shared by every SVG on
    one page and written once as CSS by the caller (see :func:`style_sheet`)."""

    def swap(m: re.Match) -> str:
        style = re.sub(r"\s*([:;,])\s*", r"\1", m.group(1)).strip(";")
        if not style:
            return ""
        name = styles.setdefault(style, f"s{len(styles)}")
        return f' class="{name}"'

    return re.sub(r' style="([^"]*)"', swap, s)


def style_sheet(scope: str, styles: dict[str, str]) -> str:
    """The CSS for :func:`compact_svg`'s classes, scoped to one element (e.g. '#pg-resistance')."""
    rules = [f"{scope} svg *{{stroke-linejoin:round;stroke-linecap:butt}}"]
    rules += [f"{scope} .{name}{{{style}}}" for style, name in styles.items()]
    return "\n".join(rules)


def compact_svg(fig: MplFigure, *, prefix: str, label: str, styles: dict[str, str] | None = None) -> str:
    """The figure as inline SVG. With ``styles`` (a dict shared by the page), repeated inline styles become
    classes and the SVG's own global ``<style>`` is dropped: the page must include :func:`style_sheet`."""
    rc = dict(RC)
    rc["svg.fonttype"] = "none"
    buf = io.BytesIO()
    with matplotlib.rc_context(rc):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    close(fig)
    s = buf.getvalue().decode("utf-8")
    s = s[s.index("<svg"):]
    s = re.sub(r"<metadata>.*?</metadata>", "", s, flags=re.S)
    s = re.sub(r"font-family: [^;\"]*;?\s*", "", s)
    s = re.sub(r"(\d+\.\d)\d+", r"\1", s)  # 0.1 pt is far below a pixel
    s = re.sub(r"\.0(?=[\s\"),])", "", s)
    s = re.sub(r"\s*\n\s*", " ", s)
    s = re.sub(r">\s+<", "><", s)
    s = s.replace(' style=""', "")
    # the axes fill the figure, so clipping does nothing visible: drop it (saves ~20% per diagram)
    s = re.sub(r' clip-path="url\(#[^)]+\)"', "", s)
    s = re.sub(r"<clipPath .*?</clipPath>", "", s, flags=re.S)
    s = re.sub(r"<defs>\s*</defs>", "", s)
    referenced = set(re.findall(r"url\(#([^)]+)\)", s)) | set(re.findall(r'href="#([^"]+)"', s))

    def _id(match: re.Match) -> str:
        value = match.group(1)
        return f' id="{prefix}{value}"' if value in referenced else ""

    s = re.sub(r' id="([^"]+)"', _id, s)
    s = re.sub(r"url\(#([^)]+)\)", lambda mm: f"url(#{prefix}{mm.group(1)})", s)
    s = re.sub(r'href="#([^"]+)"', lambda mm: f'href="#{prefix}{mm.group(1)}"', s)
    s = re.sub(r"<g>(<g>)*</g>", "", s)
    if styles is not None:
        s = re.sub(r"<defs><style[^>]*>.*?</style></defs>", "", s, flags=re.S)
        s = re.sub(r"<style[^>]*>.*?</style>", "", s, flags=re.S)
        s = _classes(s, styles)
        s = _drop_bare_groups(s)
        s = re.sub(r"<defs></defs>", "", s)
        # path data: no spaces around command letters ('M 1 2 L 3 4 z ' -> 'M1 2L3 4z')
        s = re.sub(r' d="([^"]*)"', lambda mm: ' d="' + re.sub(r"\s*([A-Za-z])\s*", r"\1", mm.group(1)) + '"', s)
    # responsive root: drop the fixed size, keep the viewBox
    s = re.sub(r'<svg ([^>]*?)width="[^"]+" height="[^"]+" ', r"<svg \1", s, count=1)
    s = s.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "", 1) if "xlink:" not in s[200:] else s
    s = s.replace(' version="1.1"', "", 1)
    s = s.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label, quote=True)}" '
                  f'style="font-family: {FONT_STACK}" ', 1)
    return s
