"""Compact inline SVG for the gallery: text kept as <text> (no glyph outlines), coordinates rounded, unused ids
dropped and the rest prefixed so many diagrams can share one page without id clashes."""

from __future__ import annotations

import html
import io
import re

import matplotlib
from matplotlib.figure import Figure as MplFigure

from ..style import RC

FONT_STACK = "'DejaVu Sans', Verdana, 'Segoe UI', Roboto, Arial, sans-serif"


def compact_svg(fig: MplFigure, *, prefix: str, label: str) -> str:
    rc = dict(RC)
    rc["svg.fonttype"] = "none"
    buf = io.BytesIO()
    with matplotlib.rc_context(rc):
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    matplotlib.pyplot.close(fig)
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
    # responsive root: drop the fixed size, keep the viewBox
    s = re.sub(r'<svg ([^>]*?)width="[^"]+" height="[^"]+" ', r"<svg \1", s, count=1)
    s = s.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "", 1) if "xlink:" not in s[200:] else s
    s = s.replace(' version="1.1"', "", 1)
    s = s.replace("<svg ", f'<svg role="img" aria-label="{html.escape(label, quote=True)}" '
                  f'style="font-family: {FONT_STACK}" ', 1)
    return s
