"""Shared look for every figure: the Okabe-Ito colour-blind-safe palette, matplotlib settings, and the dark-mode
counterpart of every colour a figure uses.

Figures are drawn once, for a white page. ``dark_variant`` gives each colour its counterpart on the book's dark
page, so one SVG can carry both palettes (``figures.svg_bytes`` writes them as CSS custom properties, switched by
``prefers-color-scheme``, which inside an ``<img>`` follows the page's ``color-scheme``):

- the paper (white) becomes the dark page's background and the ink (``INK``) its text colour, exactly;
- neutral greys and light tints are mirrored in lightness (OKLab), so a tinted box with ink on it becomes a dark
  tint with light ink on it, and a faint grid line stays faint;
- saturated colours keep their hue and chroma and are lightened only as far as they need to stand out from the dark
  background (4.5:1, so a label drawn in white on them still reads in dark mode, where it becomes dark).

Every colour keeps at least the contrast with the background it had on white (capped at 4.5:1), so a line that
could be seen on white can be seen on the dark page; tests/test_figure_palette.py checks the pairs the figures use.
"""

from __future__ import annotations

import math
from functools import lru_cache

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
    "grey": "#999999",
}

INK = "#1a1a1a"  # text and lines on white paper (contrast 17:1)
PAPER = "#ffffff"
# The book's dark page: sphinx-book-theme's --pst-color-background and pydata-sphinx-theme's --pst-color-text-base
# in dark mode (tests/test_site_browser.py checks that a figure's paper is the page's background).
DARK_PAPER = "#121212"
DARK_INK = "#ced6dd"

# One font stack for all text in a figure, written once per SVG instead of on every text element.
FONT_STACK = "'DejaVu Sans', 'Bitstream Vera Sans', Verdana, 'Segoe UI', Roboto, Arial, sans-serif"

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 11,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "svg.fonttype": "none",  # text stays text: a fraction of the bytes, selectable, and read by the browser's font
    "svg.hashsalt": "her2course",  # stable element ids, so re-running a chapter gives the same SVG
}


# ---- colour arithmetic (sRGB, WCAG 2.2 relative luminance, OKLab by Björn Ottosson, 2020) ----------------------

def _rgb(hex_colour: str) -> tuple[float, float, float]:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    if len(h) != 6:
        raise ValueError(f"not a #rrggbb colour: {hex_colour!r}")
    return tuple(int(h[i:i + 2], 16) / 255 for i in (0, 2, 4))  # type: ignore[return-value]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(min(1.0, max(0.0, c)) * 255):02x}" for c in rgb)


def _linear(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def luminance(hex_colour: str) -> float:
    r, g, b = (_linear(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _oklab(hex_colour: str) -> tuple[float, float, float]:
    r, g, b = (_linear(c) for c in _rgb(hex_colour))
    lms = (0.4122214708 * r + 0.5363325363 * g + 0.0514459929 * b,
           0.2119034982 * r + 0.6806995451 * g + 0.1073969566 * b,
           0.0883024619 * r + 0.2817188376 * g + 0.6299787005 * b)
    l_, m_, s_ = (math.copysign(abs(v) ** (1 / 3), v) for v in lms)
    return (0.2104542553 * l_ + 0.7936177850 * m_ - 0.0040720468 * s_,
            1.9779984951 * l_ - 2.4285922050 * m_ + 0.4505937099 * s_,
            0.0259040371 * l_ + 0.7827717662 * m_ - 0.8086757660 * s_)


def _from_oklab(lab: tuple[float, float, float]) -> tuple[float, float, float]:
    L, a, b = lab
    l_ = L + 0.3963377774 * a + 0.2158037573 * b
    m_ = L - 0.1055613458 * a - 0.0638541728 * b
    s_ = L - 0.0894841775 * a - 1.2914855480 * b
    lc, mc, sc = l_ ** 3, m_ ** 3, s_ ** 3
    return (4.0767416621 * lc - 3.3077115913 * mc + 0.2309699292 * sc,
            -1.2684380046 * lc + 2.6097574011 * mc - 0.3413193965 * sc,
            -0.0041960863 * lc - 0.7034186147 * mc + 1.7076147010 * sc)


def _in_gamut(L: float, a: float, b: float) -> str:
    """The sRGB colour nearest to (L, a, b) with the same lightness and hue (chroma reduced until it fits)."""
    lo, hi = 0.0, 1.0
    rgb = _from_oklab((L, a, b))
    if all(-1e-6 <= c <= 1 + 1e-6 for c in rgb):
        return _hex(tuple(_gamma(min(1.0, max(0.0, c))) for c in rgb))  # type: ignore[arg-type]
    for _ in range(24):
        mid = (lo + hi) / 2
        rgb = _from_oklab((L, a * mid, b * mid))
        if all(-1e-6 <= c <= 1 + 1e-6 for c in rgb):
            lo = mid
        else:
            hi = mid
    rgb = _from_oklab((L, a * lo, b * lo))
    return _hex(tuple(_gamma(min(1.0, max(0.0, c))) for c in rgb))  # type: ignore[arg-type]


def _lighten_until(L: float, a: float, b: float, target: float) -> str:
    """The colour with this hue, lightened (OKLab L raised) until its contrast with DARK_PAPER reaches ``target``."""
    colour = _in_gamut(L, a, b)
    while contrast(colour, DARK_PAPER) < target and L < 1.0:
        L = min(1.0, L + 0.01)
        colour = _in_gamut(L, a, b)
    return colour


@lru_cache(maxsize=256)
def dark_variant(hex_colour: str) -> str:
    """The colour to draw with on the dark page where ``hex_colour`` is drawn on white (see the module notes)."""
    colour = _hex(_rgb(hex_colour))
    if colour == PAPER:
        return DARK_PAPER
    if colour == INK:
        return DARK_INK
    L, a, b = _oklab(colour)
    chroma = math.hypot(a, b)
    keep = min(contrast(colour, PAPER), 4.5)  # what the colour achieved on white, capped at the AA text level
    if chroma < 0.04 or L > 0.85:  # a grey or a light tint: mirror its lightness between paper and ink
        paper, ink, L_light_ink = _oklab(DARK_PAPER), _oklab(DARK_INK), _oklab(INK)[0]
        t = min(1.0, (1 - L) / (1 - L_light_ink))  # 0 on white paper, 1 at the ink
        mirrored = paper[0] + t * (ink[0] - paper[0])
        if chroma < 0.04:  # greys take the slight hue of the dark page, as white takes its background
            a, b = paper[1] + t * (ink[1] - paper[1]), paper[2] + t * (ink[2] - paper[2])
        else:
            a, b = a * 0.8, b * 0.8
        return _lighten_until(min(1.0, mirrored + max(0.0, (1 - L) / (1 - L_light_ink) - 1) * 0.1), a, b, keep)
    return _lighten_until(L, a, b, max(keep, 4.5))
