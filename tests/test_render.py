"""Tables and figures: accessible HTML, escaping, deterministic SVG, alt text required."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from her2course import testing
from her2course.figures import Figure
from her2course.tables import Table


def test_table_escapes_and_labels():
    t = Table(caption="A <b>caption</b>", headers=["Drug", "Note"], rows=[["x", "<script>alert(1)</script>"]],
              source="Source: test")
    html = t.to_html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'role="region"' in html and 'tabindex="0"' in html and "aria-labelledby" in html
    assert t._repr_mimebundle_()["text/plain"].startswith("A <b>caption</b>")


def test_table_rejects_ragged_rows():
    with pytest.raises(ValueError, match="row 1 has 1 cells, expected 2"):
        Table(caption="c", headers=["a", "b"], rows=[["only one"]])


def test_figure_needs_alt_text():
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="alt text"):
        Figure(fig=fig, alt="", caption="c", name="n")


def test_spectrum_figure_is_deterministic_and_described():
    a, b = testing.spectrum_figure(), testing.spectrum_figure()
    assert a.svg() == b.svg()
    assert b"Created with matplotlib" not in a.svg()
    for word in ("HER2-ultralow", "HER2-low", "HER2-positive", "ISH amplified"):
        assert word in a.alt
    html = a.to_html()
    assert html.startswith('<figure class="her2-figure"') and "<figcaption>" in html


def test_ihc_table_covers_every_category():
    text = testing.ihc_table().to_text()
    for score in ("IHC score", "1+", "2+", "3+", "HER2-ultralow"):
        assert score in text
