"""Shared look for every figure: the Okabe-Ito colour-blind-safe palette and matplotlib settings."""

from __future__ import annotations

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

INK = "#1a1a1a"  # text on the white figure card (contrast 17:1)

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
