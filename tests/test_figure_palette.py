"""Figures on any page: one SVG with a light and a dark palette (contrast kept in both), and a narrow drawing for
phones whose text is 11 CSS px or more (issue 15, parts 2 and 5)."""

from __future__ import annotations

import html
import re

import pytest

from her2course import care, practice, testing
from her2course.cases import render
from her2course.cases.loader import load_case
from her2course.figures import (
    NARROW_MEDIA,
    adaptive_colours,
    min_text_fraction,
    svg_data_uri,
    svg_from_data_uri,
)
from her2course.pathway import draw
from her2course.style import DARK_INK, DARK_PAPER, INK, OKABE_ITO, PAPER, contrast, dark_variant

PHONE_COLUMN_PX = 300  # narrower than the 343 px column of a 375 px phone
CASES = ["ild-tdxd", "lvef-trastuzumab", "neratinib-diarrhoea", "phesgo-reaction", "zongertinib-liver"]


def test_paper_and_ink_become_the_dark_page_and_its_text():
    assert dark_variant(PAPER) == DARK_PAPER and dark_variant("#FFF") == DARK_PAPER
    assert dark_variant(INK) == DARK_INK
    assert contrast(DARK_INK, DARK_PAPER) >= 7


@pytest.mark.parametrize("colour", sorted({*OKABE_ITO.values(), *draw.EDGE_COL.values(), draw.GREY, "#666666",
                                            "#9a9a9a", "#BBBBBB"}))
def test_every_colour_stands_out_on_the_dark_page_as_well_as_on_white(colour):
    on_white = contrast(colour, PAPER)
    on_dark = contrast(dark_variant(colour), DARK_PAPER)
    assert on_dark >= min(on_white, 4.5) - 0.05, (colour, dark_variant(colour), on_white, on_dark)


@pytest.mark.parametrize("fill", sorted(set(draw.FILL.values()) | {"#f3f4f5", "#fdfdfd", "#d9d9d9"}))
def test_ink_on_a_tinted_box_reads_in_both_modes(fill):
    assert contrast(INK, fill) >= 4.5
    assert contrast(dark_variant(INK), dark_variant(fill)) >= 4.5, (fill, dark_variant(fill))


@pytest.mark.parametrize("fill", [draw.BLOCK, OKABE_ITO["vermillion"]])
def test_white_text_on_a_saturated_box_reads_in_both_modes(fill):
    """White labels (the antibody bar's domain) turn dark in dark mode, and the box lightens enough for them."""
    assert contrast(PAPER, fill) >= 3.8
    assert contrast(dark_variant(PAPER), dark_variant(fill)) >= 4.5


def test_grey_labels_on_white_boxes_read_in_both_modes():
    assert contrast(draw.GREY, PAPER) >= 4.5
    assert contrast(dark_variant(draw.GREY), dark_variant(PAPER)) >= 4.5


def test_every_colour_of_a_figure_switches_with_the_colour_scheme():
    svg = practice.routing_figure().svg().decode()
    style, rest = svg.split("</style>", 1)
    assert "@media (prefers-color-scheme: dark)" in style
    assert not re.search(r"#[0-9a-fA-F]{6}\b", rest), "a colour outside the palette's custom properties"
    assert ' fill="#' not in svg and "font-family: 'DejaVu Sans', 'Bitstream" not in rest
    light = dict(re.findall(r"(--c\d+):(#[0-9a-f]{6})", style.split("@media")[0]))
    dark = dict(re.findall(r"(--c\d+):(#[0-9a-f]{6})", style.split("@media")[1]))
    assert light.keys() == dark.keys() and len(light) >= 5
    assert all(dark[k] == dark_variant(v) for k, v in light.items())


def test_adaptive_colours_moves_paint_attributes_into_style():
    out = adaptive_colours('<svg viewBox="0 0 10 10"><rect width="1" height="1" fill="#d55e00"/>'
                           '<path d="M0 0" style="stroke: #1a1a1a" fill="#ffffff"/></svg>')
    assert '<rect width="1" height="1" style="fill: var(--c0)"/>' in out
    assert 'style="stroke: var(--c1); fill: var(--c2)"' in out
    assert ":root{--c0:#d55e00;--c1:#1a1a1a;--c2:#ffffff}" in out


def test_min_text_fraction_reads_the_smallest_font_against_the_width():
    svg = ('<svg viewBox="0 0 200 50"><text style="font-size: 10px">a</text>'
           '<text style="font: bold 8px x">b</text></svg>')
    assert min_text_fraction(svg) == pytest.approx(8 / 200)
    assert min_text_fraction('<svg viewBox="0 0 200 50"><path d="M0 0"/></svg>') == 0.0


def _narrow_figures():
    figs = [practice.timeline_figure(), practice.routing_figure(), care.monitoring_figure()]
    for cid in CASES:
        c = load_case(cid)
        figs += [f for f in (render.trend_figure(c, s) for s in c.stages) if f is not None]
    return figs


@pytest.mark.parametrize("fig", _narrow_figures(), ids=lambda f: f.name)
def test_narrow_drawings_keep_their_text_at_11_px_on_a_phone(fig):
    narrow = fig.narrow_svg()
    assert narrow is not None
    assert min_text_fraction(narrow) * PHONE_COLUMN_PX >= 11, fig.name
    html = fig.to_html()
    source = re.search(r'<source media="([^"]+)" srcset="([^"]+)" data-min-text="([\d.]+)">', html)
    assert source and source.group(1) == NARROW_MEDIA
    assert " " not in source.group(2), "a space inside srcset ends the URL"
    assert svg_from_data_uri(source.group(2)) == narrow.decode()
    assert float(source.group(3)) == pytest.approx(min_text_fraction(narrow), abs=1e-5)
    assert re.search(r'<picture><source [^>]*><img src="data:image/svg\+xml,[^"]+" alt="[^"]{40,}"', html)


def test_narrow_timeline_keeps_every_label_whole():
    """The wide timeline shortens long labels; the narrow one wraps them, so nothing is cut off on a phone."""
    svg = practice.timeline_figure().narrow_svg().decode()
    text = "".join(re.sub(r"<[^>]+>", "", t) for t in re.findall(r"<text[^>]*>.*?</text>", svg, re.S))
    letters = "".join(html.unescape(text).split())  # lines may break at a space or after a hyphen
    for e in practice.events():
        assert "".join(e.label.split()) in letters, e.label


def test_a_figure_without_a_narrow_drawing_is_a_plain_image():
    html = testing.spectrum_figure().to_html()
    assert "<picture>" not in html and re.search(r'<img src="data:[^"]+" alt="[^"]+" decoding="async" '
                                                 r'data-min-text="0\.\d+">', html)
    assert svg_data_uri(b"<svg> a</svg>", srcset=True).endswith("%3Csvg%3E%20a%3C/svg%3E")
