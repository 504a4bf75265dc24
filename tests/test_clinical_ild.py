"""T-DXd ILD/pneumonitis: grade -> action, the 28-day boundary and the reduction levels."""

from __future__ import annotations

import pytest

from her2course.clinical import ild_action


def test_grade_1_unresolved_interrupts_and_suggests_steroids():
    r = ild_action(1)
    assert r.code == "interrupt" and "grade 0" in r.action and "0.5 mg/kg" in r.steroids
    assert r.reference == ("label-enhertu",)


@pytest.mark.parametrize("days,code", [(0, "resume-same-dose"), (27, "resume-same-dose"), (28, "resume-same-dose"),
                                       (29, "resume-reduced"), (60, "resume-reduced")])
def test_grade_1_the_28_day_boundary(days, code):
    assert ild_action(1, days_to_resolution=days).code == code


@pytest.mark.parametrize("dose,gastric,nxt,code", [
    (5.4, False, 4.4, "resume-reduced"), (4.4, False, 3.2, "resume-reduced"), (3.2, False, None, "discontinue"),
    (6.4, True, 5.4, "resume-reduced"), (5.4, True, 4.4, "resume-reduced"), (4.4, True, None, "discontinue"),
])
def test_grade_1_slow_resolution_reduces_one_level(dose, gastric, nxt, code):
    r = ild_action(1, days_to_resolution=35, current_dose_mg_per_kg=dose, gastric=gastric)
    assert (r.code, r.next_dose_mg_per_kg) == (code, nxt)


@pytest.mark.parametrize("grade", [2, 3, 4])
def test_grade_2_or_more_discontinues_with_steroids(grade):
    r = ild_action(grade, days_to_resolution=5)
    assert r.code == "discontinue" and r.action == "permanently discontinue T-DXd"
    assert "1 mg/kg" in r.steroids and "14 days" in r.steroids


@pytest.mark.parametrize("kwargs,msg", [({"grade": 0}, "1 to 4"), ({"grade": 5}, "1 to 4"), ({"grade": "II"}, "number"),
                                        ({"grade": 1.5}, "whole number"),
                                        ({"grade": 1, "days_to_resolution": -2}, "days from onset"),
                                        ({"grade": 1, "days_to_resolution": 30, "current_dose_mg_per_kg": 5.0},
                                         "not a level"),
                                        ({"grade": 1, "days_to_resolution": 30, "current_dose_mg_per_kg": 6.4},
                                         "not a level")])
def test_odd_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        ild_action(**kwargs)
