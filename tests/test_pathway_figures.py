"""Image regression for the main pathway figures, and their alt text.

Baselines live in tests/baseline/pathway/. After an intended change, regenerate them with
``HER2COURSE_UPDATE_BASELINES=1 .venv/bin/python -m pytest tests/test_pathway_figures.py -o addopts=""``
and look at every changed image before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from matplotlib.testing.compare import compare_images

from her2course.pathway import figures
from her2course.style import RC

BASELINE = Path(__file__).parent / "baseline" / "pathway"
TOLERANCE = 2.0  # RMS on 0-255; absorbs anti-aliasing noise, catches moved or missing shapes

FIGURES = {
    "network": lambda: figures.network_figure(),
    "scenario-trastuzumab-p95": lambda: figures.scenario_figure(["trastuzumab"], ["HER2-amplification", "p95HER2"]),
    "scenario-lapatinib-pten": lambda: figures.scenario_figure(["lapatinib"], ["HER2-amplification", "PTEN-loss"]),
    "scenario-tp-ligand": lambda: figures.scenario_figure(["trastuzumab", "pertuzumab"], ["HER3-ligand"]),
    "family": lambda: figures.family_figure(),
    "domains": lambda: figures.domains_figure(),
    "adc-tdxd": lambda: figures.adc_figure("T-DXd"),
    "adc-tdm1": lambda: figures.adc_figure("T-DM1"),
    "scenario-tp-bypass": lambda: figures.bypass_figure(),
    "scenario-lapatinib-met": lambda: figures.scenario_figure(["lapatinib"], ["MET-amplification"]),
    "adc-resistance-tdxd": lambda: figures.adc_resistance_figure("T-DXd"),
    "adc-resistance-tdm1": lambda: figures.adc_resistance_figure("T-DM1"),
}


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_image_matches_baseline(name, tmp_path):
    fig = FIGURES[name]()
    actual = tmp_path / f"{name}.png"
    with matplotlib.rc_context(RC):
        fig.fig.savefig(actual, dpi=72, metadata={"Software": None})
    expected = BASELINE / f"{name}.png"
    if os.environ.get("HER2COURSE_UPDATE_BASELINES") == "1":
        BASELINE.mkdir(parents=True, exist_ok=True)
        expected.write_bytes(actual.read_bytes())
    assert expected.exists(), f"no baseline {expected}; set HER2COURSE_UPDATE_BASELINES=1 to create it"
    diff = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert diff is None, diff


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_alt_text_is_present_and_descriptive(name):
    fig = FIGURES[name]()
    assert len(fig.alt) > 120
    html = fig.to_html()
    assert 'alt="' in html and "<figcaption>" in html


def test_scenario_alt_text_comes_from_the_model():
    fig = figures.scenario_figure(["trastuzumab"], ["HER2-amplification", "p95HER2"])
    assert "trastuzumab" in fig.alt and "p95HER2" in fig.alt
    assert "domain IV" in fig.alt and "Proliferation ON, survival ON" in fig.alt
    fig = figures.scenario_figure(["lapatinib"], ["p95HER2"])
    assert "blocks the kinase of the p95HER2" in fig.alt and "Proliferation OFF, survival OFF" in fig.alt


def test_domains_alt_lists_every_drug_by_site():
    alt = figures.domains_figure().alt
    for name in ("pertuzumab", "trastuzumab", "T-DM1", "T-DXd", "zanidatamab", "lapatinib", "tucatinib",
                 "zongertinib"):
        assert name in alt


def test_svg_is_deterministic_and_white():
    a = figures.scenario_figure(["trastuzumab"], ["p95HER2"]).svg()
    b = figures.scenario_figure(["trastuzumab"], ["p95HER2"]).svg()
    assert a == b
    assert b"#ffffff" in a


def test_adc_figure_refuses_a_non_adc():
    with pytest.raises(ValueError, match="not an antibody-drug conjugate"):
        figures.adc_figure("trastuzumab")


def test_bypass_figure_alt_and_caption_come_from_the_model():
    fig = figures.bypass_figure()
    assert "trastuzumab and pertuzumab" in fig.alt and "MET amplification" in fig.alt
    assert "IGF-1R" in fig.alt and "MET" in fig.alt and "Proliferation ON, survival ON" in fig.alt
    assert "domain IV" in fig.alt
    assert "MET → RAS" in fig.caption or "IGF-1R → RAS" in fig.caption
    assert fig.name == "pathway-bypass"


def test_long_scenario_title_wraps_and_short_ones_do_not():
    from her2course.pathway import simulate

    short = figures.scenario_title(simulate(["trastuzumab"], ["HER2-amplification", "p95HER2"]))
    assert short == "Drug: trastuzumab\nCell: HER2 amplification + p95HER2"
    long = figures.scenario_title(simulate(["trastuzumab", "pertuzumab"],
                                           ["HER2-amplification", "IGF-1R", "MET-amplification"]))
    assert all(len(line) <= figures.TITLE_CHARS + 2 for line in long.split("\n"))
    assert long.count("\n") == 2


def test_bypass_receptors_are_drawn_only_with_their_alteration():
    plain = figures.network_figure().svg()
    assert b"IGF-" not in plain and b">MET<" not in plain
    assert b"MET" not in figures.scenario_figure(["trastuzumab"], ["HER2-amplification"]).svg()
    assert b"MET" in figures.scenario_figure(["trastuzumab"], ["MET-amplification"]).svg()


@pytest.mark.parametrize(("drug", "expected"), [
    ("T-DXd", ["Low or lost HER2", "Slow internalization", "Faulty lysosomal processing", "Payload pumped out",
               "DNA-repair changes", "Needs HER2 cells nearby", "DXd"]),
    ("T-DM1", ["Low or lost HER2", "Slow internalization", "Faulty lysosomal processing", "Payload pumped out",
               "ABCC1", "No bystander effect", "DM1"]),
])
def test_adc_resistance_figure_text_comes_from_the_data(drug, expected):
    fig = figures.adc_resistance_figure(drug)
    for text in expected:
        assert text in fig.alt, text
    assert "1. Bind" in fig.alt and "5. Bystander" in fig.alt and "crossed ring" in fig.alt
    points = figures.adc_resistance_points(drug)
    assert points and all(p["references"] for p in points)
    assert [p["label"] for p in points] == [p for p in expected if p in {q["label"] for q in points}]


def test_adc_resistance_figure_refuses_a_non_adc():
    with pytest.raises(ValueError, match="not an antibody-drug conjugate"):
        figures.adc_resistance_figure("lapatinib")
