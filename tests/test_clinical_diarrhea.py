"""CTCAE v5.0 diarrhea grades, the neratinib prevention plans and the neratinib dose rules for diarrhea."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from her2course.clinical import diarrhea_grade, escalation_steps, neratinib_diarrhea_action, neratinib_plan
from her2course.clinical.diarrhea import _step_days


@pytest.mark.parametrize("stools,grade", [(0, 0), (1, 1), (3, 1), (4, 2), (5, 2), (6, 2), (7, 3), (12, 3), (50, 3)])
def test_stool_count_boundaries(stools, grade):
    r = diarrhea_grade(stools)
    assert r.grade == grade
    assert r.reference[0] == "ctcae5"  # grade 2 adds the labels its actions quote
    assert r.nursing_actions


@pytest.mark.parametrize("stools,features,grade", [
    (1, {"limiting_instrumental_adl": True}, 2),
    (1, {"hospitalization_indicated": True}, 3),
    (5, {"limiting_self_care_adl": True}, 3),
    (8, {"life_threatening": True}, 4),
    (0, {"death": True}, 5),
    (0, {"ostomy": "mild"}, 1),
    (0, {"ostomy": "moderate"}, 2),
    (2, {"ostomy": "severe"}, 3),
    (9, {"ostomy": "mild"}, 3),          # highest wins
])
def test_features_raise_the_grade(stools, features, grade):
    assert diarrhea_grade(stools, **features).grade == grade


def test_incontinence_is_not_a_v5_criterion_but_is_flagged():
    r = diarrhea_grade(2, incontinence=True)
    assert r.grade == 1
    assert any("v4.03" in n for n in r.notes)


@pytest.mark.parametrize("value,msg", [(-1, "stools per day over baseline"), (2.5, "whole number"), ("", "empty"),
                                       ("lots", "must be a number"), (51, "0 to 50"), (None, "empty")])
def test_odd_stool_counts(value, msg):
    with pytest.raises(ValueError, match=msg):
        diarrhea_grade(value)


def test_odd_features():
    with pytest.raises(ValueError, match="ostomy output must be one of"):
        diarrhea_grade(1, ostomy="large")
    with pytest.raises(ValueError, match="hospitalization indicated must be yes or no"):
        diarrhea_grade(1, hospitalization_indicated="yes")


@given(st.integers(min_value=0, max_value=50), st.booleans(), st.booleans(), st.booleans())
def test_grade_never_drops_when_a_feature_is_added(stools, adl, hosp, life):
    base = diarrhea_grade(stools).grade
    more = diarrhea_grade(stools, limiting_instrumental_adl=adl, hospitalization_indicated=hosp,
                          life_threatening=life).grade
    assert more >= base


# ---- neratinib plans ----------------------------------------------------------------------------------------------

def _by_day(plan):
    return {r.day_from: r for r in plan.rows if r.day_to == r.day_from}


def test_loperamide_plan_day_by_day_switches_on_days_15_and_57():
    days = _by_day(neratinib_plan("loperamide", by="day", days=60))
    assert days[1].loperamide == days[14].loperamide == "4 mg three times daily"
    assert days[15].loperamide == days[56].loperamide == "4 mg twice daily"
    assert days[57].loperamide.startswith("4 mg as needed") and "16 mg" in days[57].loperamide
    assert all(r.neratinib.startswith("240 mg") for r in days.values())


def test_loperamide_plan_week_by_week():
    plan = neratinib_plan("loperamide")
    weeks = [r for r in plan.rows if r.day_to]
    assert weeks[0].period == "Week 1 (days 1-7)" and weeks[0].loperamide == "4 mg three times daily"
    assert weeks[2].loperamide == "4 mg twice daily" and weeks[7].loperamide == "4 mg twice daily"
    assert weeks[8].loperamide.startswith("4 mg as needed")
    assert plan.rows[-1].day_to is None and plan.reference == ("label-nerlynx",)


def test_escalation_calendar_comes_from_drugs_yaml():
    steps = escalation_steps()
    assert [(a, b, mg) for a, b, mg, _ in steps] == [(1, 7, 120), (8, 14, 160), (15, None, 240)]
    days = _by_day(neratinib_plan("escalation", by="day", days=21, start="2026-12-01"))
    assert days[7].neratinib.startswith("120 mg") and days[8].neratinib.startswith("160 mg")
    assert days[14].neratinib.startswith("160 mg") and days[15].neratinib.startswith("240 mg")
    assert days[8].date_from == dt.date(2026, 12, 8)


def test_plan_table_renders_with_dates_and_disclaimer():
    t = neratinib_plan("escalation", start="2026-12-01").table()
    assert t.headers[1] == "Dates" and "For learning only" in t.source


@pytest.mark.parametrize("text,days", [("week 1 (days 1-7)", (1, 7)), ("days 8 to 14", (8, 14)),
                                       ("week 3 onward (day 15 on)", (15, None)), ("from day 15 onwards", (15, None))])
def test_escalation_day_parsing(text, days):
    assert _step_days(text) == days


def test_unreadable_escalation_days():
    with pytest.raises(ValueError, match="days 1-7"):
        _step_days("the first week")


@pytest.mark.parametrize("kwargs,msg", [({"strategy": "none"}, "strategy"), ({"by": "month"}, "plan view"),
                                        ({"start": "1/12/2026"}, "YYYY-MM-DD"), ({"days": 3}, "days to show")])
def test_odd_plan_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        neratinib_plan(**kwargs)


@pytest.mark.parametrize("grade,days,complicated,recovery,dose,code,next_dose", [
    (1, 1, False, None, 240, "adjust-supportive-care", 240),
    (2, 4, False, None, 240, "adjust-supportive-care", 240),    # grade 2 under 5 days
    (2, 5, False, None, 240, "interrupt", None),                 # grade 2 for 5 days
    (3, 2, False, None, 240, "adjust-supportive-care", 240),    # grade 3 for 2 days or less
    (3, 3, False, None, 240, "interrupt", None),                 # grade 3 for more than 2 days
    (1, 1, True, None, 240, "interrupt", None),                  # complicated at any grade
    (3, 3, False, 7, 240, "interrupt", 240),                     # recovered in a week: same dose
    (3, 3, False, 8, 240, "interrupt", 200),                     # slower: one level lower
    (3, 3, False, 8, 160, "interrupt", 120),
    (3, 3, False, 8, 120, "discontinue", None),
    (2, 1, False, None, 120, "discontinue", None),               # recurs at 120 mg
    (4, 1, False, None, 240, "discontinue", None),
])
def test_neratinib_dose_rules(grade, days, complicated, recovery, dose, code, next_dose):
    r = neratinib_diarrhea_action(grade, days_at_grade=days, complicated=complicated, recovery_days=recovery,
                                  current_dose_mg=dose)
    assert (r.code, r.next_dose_mg) == (code, next_dose)
    assert r.reference == ("label-nerlynx",)


def test_neratinib_with_capecitabine_ladder():
    r = neratinib_diarrhea_action(3, days_at_grade=3, recovery_days=10, context="neratinib-capecitabine")
    assert r.next_dose_mg == 160


@pytest.mark.parametrize("kwargs,msg", [({"grade": 5}, "1 to 4"), ({"grade": 0}, "1 to 4"),
                                        ({"grade": 2, "current_dose_mg": 300}, "40 to 240"),
                                        ({"grade": 2, "context": "x"}, "context")])
def test_neratinib_odd_input(kwargs, msg):
    with pytest.raises(ValueError, match=msg):
        neratinib_diarrhea_action(**kwargs)


def test_grade_2_actions_state_each_labels_own_grade_2_rule():
    r = diarrhea_grade(5)
    text = " ".join(r.nursing_actions)
    assert r.grade == 2 and "from grade 2" not in text
    assert "neratinib is interrupted when grade 2 lasts 5 days or more" in text
    assert "lapatinib is interrupted at grade 1-2 only with complicating features" in text
    assert "tucatinib's diarrhea rules start at grade 3" in text and "T-DXd label has no grade 2 diarrhea rule" in text
    assert r.reference == ("ctcae5", "label-nerlynx", "label-tykerb", "label-tukysa", "label-enhertu")
    # the neratinib tool itself agrees: grade 2 for 4 days keeps the dose, 5 days interrupts
    assert neratinib_diarrhea_action(2, days_at_grade=4).code != "interrupt"
    assert neratinib_diarrhea_action(2, days_at_grade=5).code == "interrupt"
