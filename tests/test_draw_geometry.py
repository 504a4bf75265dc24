"""Arrow end points computed in closed form (pathway diagrams), and figures made without pyplot."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from her2course.pathway.draw import Outline


def on_rounded_box(o: Outline, x: float, y: float) -> bool:
    """Is (x, y) on the outline of the rounded box (within 1e-9)?"""
    a, b, r = o.w / 2, o.h / 2, o.r
    dx, dy = abs(x - o.x), abs(y - o.y)
    if dx > a - r and dy > b - r:  # corner arc
        return math.isclose(math.hypot(dx - (a - r), dy - (b - r)), r, abs_tol=1e-9)
    return math.isclose(dx, a, abs_tol=1e-9) or math.isclose(dy, b, abs_tol=1e-9)


def test_straight_rays_leave_through_the_middle_of_a_side():
    box = Outline("box", 2.0, 3.0, 2.0, 1.0, 0.3)
    assert box.exit_point((10.0, 3.0)) == pytest.approx((3.0, 3.0))
    assert box.exit_point((2.0, -5.0)) == pytest.approx((2.0, 2.5))
    assert box.exit_point((-4.0, 3.0)) == pytest.approx((1.0, 3.0))


@pytest.mark.parametrize("angle", [i * 7.5 for i in range(48)])
def test_every_exit_point_lies_on_the_outline_along_the_ray(angle):
    box = Outline("box", 1.0, -2.0, 1.8, 0.95, 0.32)
    far = (box.x + 10 * math.cos(math.radians(angle)), box.y + 10 * math.sin(math.radians(angle)))
    x, y = box.exit_point(far)
    assert on_rounded_box(box, x, y), (angle, x, y)
    # on the ray from the centre toward the far point, not behind it
    cross = (x - box.x) * (far[1] - box.y) - (y - box.y) * (far[0] - box.x)
    dot = (x - box.x) * (far[0] - box.x) + (y - box.y) * (far[1] - box.y)
    assert abs(cross) < 1e-9 and dot > 0


def test_a_diagonal_ray_meets_the_rounded_corner_not_the_square_corner():
    box = Outline("box", 0.0, 0.0, 2.0, 2.0, 0.5)
    x, y = box.exit_point((5.0, 5.0))
    expected = 0.5 + 0.5 / math.sqrt(2)  # centre of the corner arc (0.5, 0.5) plus r along the diagonal
    assert (x, y) == pytest.approx((expected, expected))
    assert x < 1.0  # inside the square corner


@pytest.mark.parametrize("angle", [0, 30, 60, 90, 135, 200, 300])
def test_ellipse_exit_points_satisfy_the_ellipse_equation(angle):
    e = Outline("ellipse", 5.0, 1.0, 2.9, 1.05)
    x, y = e.exit_point((5.0 + math.cos(math.radians(angle)), 1.0 + math.sin(math.radians(angle))))
    assert ((x - 5.0) / 1.45) ** 2 + ((y - 1.0) / 0.525) ** 2 == pytest.approx(1.0)


def test_a_ray_toward_the_centre_itself_stays_at_the_centre():
    assert Outline("box", 1.0, 1.0, 2.0, 1.0, 0.2).exit_point((1.0, 1.0)) == (1.0, 1.0)


def test_chapter_figures_are_made_without_pyplot():
    """No figure is registered with pyplot, so nothing leaks between cells and pyplot is never imported."""
    code = (
        "import sys\n"
        "from her2course import care, practice, testing\n"
        "from her2course.pathway import figures, gallery\n"
        "from her2course.cases import case\n"
        "figures.network_figure().to_html(); figures.adc_figure('T-DXd').to_html()\n"
        "practice.timeline_figure().to_html(); care.monitoring_figure().to_html()\n"
        "testing.spectrum_figure().to_html(); case('lvef-trastuzumab')._repr_mimebundle_()\n"
        "gallery.gallery('g', drug_sets=[['trastuzumab']], alteration_sets=[['p95HER2']]).to_html()\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
