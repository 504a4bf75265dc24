"""LVEF monitor: the Herceptin rule at every integer baseline x current, its boundaries, series, the plot, bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from her2course.clinical import DISCLAIMER, lvef_check, lvef_figure, lvef_series


def oracle(baseline: int, current: int, lln: int) -> str:
    """Independent statement of the label: hold when the current value is at or under one of two ceilings."""
    ceiling_16 = baseline - 16                      # a fall of 16 points or more
    ceiling_lln = min(lln - 1, baseline - 10)       # below the LLN (integers: at most LLN - 1) and a fall of >= 10
    return "hold" if current <= ceiling_16 or current <= ceiling_lln else "continue"


GRID = [(b, c, lln) for lln in (50, 53, 55) for b in range(40, 76) for c in range(30, 76)]


@pytest.mark.parametrize("lln", [50, 53, 55])
def test_every_integer_pair_matches_the_oracle(lln):
    mismatches = [(b, c) for b in range(40, 76) for c in range(30, 76)
                  if lvef_check(b, c, lln).code != oracle(b, c, lln)]
    assert mismatches == []
    assert len(GRID) == 3 * 36 * 46


@pytest.mark.parametrize("baseline,current,lln,code", [
    (70, 55, 50, "continue"),   # 15-point fall above the LLN
    (70, 54, 50, "hold"),       # 16-point fall
    (80, 64, 50, "hold"),       # 16-point fall, still far above the LLN
    (60, 50, 50, "continue"),   # 10-point fall, exactly at the LLN: at is not below
    (59, 49, 50, "hold"),       # 10-point fall, one point below the LLN
    (58, 49, 50, "continue"),   # 9-point fall below the LLN
    (65, 55, 55, "continue"),   # at an LLN of 55
    (65, 54, 55, "hold"),       # 11 points, below an LLN of 55
    (60.1, 50.1, 50, "continue"),  # decimals: exactly 10.0 points, not 9.999...
    (60.0, 49.9, 50, "hold"),
    (50.5, 40.6, 50, "continue"),  # 9.9 points
])
def test_boundaries(baseline, current, lln, code):
    r = lvef_check(baseline, current, lln)
    assert r.code == code
    report = current < lln or baseline - current >= 10 - 1e-9  # abnormal result: goes to the prescriber today
    expected = ("hold and recheck in 4 weeks" if code == "hold" else
                "continue and report to the prescriber" if report else "continue")
    assert r.action == expected
    assert r.reference[0] == "label-herceptin" and r.reason


@pytest.mark.parametrize("weeks,current,code", [
    (3, 60, "hold"),          # recovered but held < 4 weeks
    (4, 55, "continue"),      # recovered at 4 weeks (fall 9, above LLN)
    (8, 50, "continue"),      # at the LLN with a 14-point fall at 8 weeks: resume
    (8, 49, "discontinue"),   # still below the LLN at the 8-week check: the window has closed
    (7, 49, "hold"),          # one more check is possible, at week 8
    (6, 48, "hold"),
    (8.1, 49, "discontinue"),  # beyond 8 weeks
    (9, 48, "discontinue"),
    (9, 60, "discontinue"),   # recovery only after 8 weeks is outside the label's window
])
def test_resume_and_persistent_decline(weeks, current, code):
    assert lvef_check(64, current, 50, weeks_held=weeks).code == code


def test_resume_needs_fall_of_15_or_less():
    assert lvef_check(70, 55, 50, weeks_held=4).code == "continue"   # fall 15
    assert lvef_check(70, 54, 50, weeks_held=4).code == "hold"       # fall 16, above the LLN


def test_more_than_three_holds_means_discontinue():
    assert lvef_check(64, 46, 50, previous_holds=2).code == "hold"
    r = lvef_check(64, 46, 50, previous_holds=3)
    assert r.code == "discontinue" and "more than 3" in r.reason


@pytest.mark.parametrize("rule,baseline,current,code", [
    ("pertuzumab-metastatic", 60, 46, "continue"),
    ("pertuzumab-metastatic", 55, 45, "hold"),      # 40-45 with a 10-point fall
    ("pertuzumab-metastatic", 54, 45, "continue"),  # 40-45 with a 9-point fall
    ("pertuzumab-metastatic", 50, 40, "hold"),
    ("pertuzumab-metastatic", 45, 39, "hold"),      # below 40 whatever the fall
    ("pertuzumab-early", 60, 50, "continue"),       # 50 is not below 50
    ("pertuzumab-early", 60, 49, "hold"),
    ("pertuzumab-early", 58, 49, "continue"),       # 9-point fall
])
def test_pertuzumab_rules(rule, baseline, current, code):
    r = lvef_check(baseline, current, rule=rule)
    assert r.code == code
    assert r.reference[:2] == ("label-perjeta", "label-phesgo")
    if code == "hold":
        assert r.action == "hold and recheck in 3 weeks"


def test_pertuzumab_recheck():
    assert lvef_check(60, 47, rule="pertuzumab-metastatic", held_lvef=44).code == "continue"
    assert lvef_check(60, 43, rule="pertuzumab-metastatic", held_lvef=44).code == "discontinue"
    assert lvef_check(60, 44, rule="pertuzumab-metastatic", held_lvef=44).code == "discontinue"
    assert lvef_check(60, 45, rule="pertuzumab-metastatic", held_lvef=42).code == "hold"


def test_series_hold_then_resume():
    r = lvef_series([("2026-01-05", 64), ("2026-04-06", 47), ("2026-05-04", 50), ("2026-06-01", 55)])
    assert [s.result.code for s in r.steps[1:]] == ["hold", "continue", "continue"]
    assert r.code == "continue" and r.holds == 1


def test_series_persistent_decline_stops_and_text_input():
    text = "2026-01-05 64\n2026-04-06 47\n2026-05-04 48\n2026-06-01 49\n2026-06-08 49\n2026-07-06 60"
    r = lvef_series(text)
    # held on 6 April; not recovered at week 4 (4 May) or at week 8 (1 June): stop at the 8-week check
    assert [s.result.code for s in r.steps[1:]] == ["hold", "hold", "discontinue"]
    assert len(r.steps) == 4  # nothing after the stop
    assert "8 weeks" in r.reason


def test_series_fourth_hold_discontinues():
    readings, day = [(dt.date(2026, 1, 1), 64)], dt.date(2026, 1, 1)
    for _ in range(4):
        day += dt.timedelta(days=30)
        readings.append((day, 46))
        day += dt.timedelta(days=30)
        readings.append((day, 60))
    r = lvef_series(readings)
    assert r.code == "discontinue" and r.holds == 3


def test_series_is_sorted_by_date():
    r = lvef_series([("2026-04-06", 47), ("2026-01-05", 64)])
    assert r.steps[0].lvef == 64 and r.code == "hold"


def test_figure_has_generated_alt_text():
    fig = lvef_figure([("2026-01-05", 62), ("2026-04-06", 44), ("2026-05-04", 52)])
    assert "Baseline 62%" in fig.alt and "16-point fall (46%)" in fig.alt and "lowest 44%" in fig.alt
    html = fig.to_html()
    assert html.startswith('<figure class="her2-figure"') and "data:image/svg+xml," in html
    assert "For learning only" in fig.caption
    assert fig.svg() == lvef_figure([("2026-01-05", 62), ("2026-04-06", 44), ("2026-05-04", 52)]).svg()


@pytest.mark.parametrize("kwargs,field", [
    ({"baseline": 120, "current": 50}, "baseline LVEF"),
    ({"baseline": 4, "current": 50}, "baseline LVEF"),
    ({"baseline": 60, "current": 91}, "current LVEF"),
    ({"baseline": "", "current": 50}, "baseline LVEF is empty"),
    ({"baseline": None, "current": 50}, "baseline LVEF is empty"),
    ({"baseline": "abc", "current": 50}, "baseline LVEF must be a number"),
    ({"baseline": "55 %", "current": 50}, "baseline LVEF must be a number"),
    ({"baseline": "5,5", "current": 50}, "use a point"),
    ({"baseline": True, "current": 50}, "baseline LVEF must be a number"),
    ({"baseline": float("nan"), "current": 50}, "finite"),
    ({"baseline": [60], "current": 50}, "baseline LVEF must be a number"),
    ({"baseline": 60, "current": 50, "lln": 70}, "lower limit of normal"),
    ({"baseline": 60, "current": 50, "rule": "perjeta"}, "rule must be one of"),
    ({"baseline": 60, "current": 50, "weeks_held": -1}, "weeks held"),
])
def test_odd_input_is_rejected_with_the_field_and_range(kwargs, field):
    with pytest.raises(ValueError) as err:
        lvef_check(**kwargs)
    assert field in str(err.value)
    if "range" in str(err.value) or "empty" in str(err.value):
        assert "5 to 90%" in str(err.value) or "40 to 60%" in str(err.value) or "0 to 52" in str(err.value)


@pytest.mark.parametrize("readings,msg", [
    ([("2026-01-05", 62)], "at least two"),
    ("2026-01-05 62\nnot a line at all", "line 2"),
    ([("05/01/2026", 62), ("2026-02-01", 60)], "YYYY-MM-DD"),
    ([("2026-01-05", 62), ("2026-01-05", 60)], "same date"),
    ([("2026-01-05", 62), ("2026-02-05", 160)], "readings item 2 LVEF"),
])
def test_odd_series(readings, msg):
    with pytest.raises(ValueError, match=msg):
        lvef_series(readings)


def test_result_renders_with_disclaimer_and_plain_repr():
    r = lvef_check(62, 46)
    bundle = r._repr_mimebundle_()
    assert DISCLAIMER in bundle["text/plain"] and DISCLAIMER in bundle["text/html"]
    assert "0x" not in repr(r)


lvefs = st.integers(min_value=5, max_value=90)


@given(b=lvefs, c=lvefs, lower=st.integers(min_value=0, max_value=20), lln=st.integers(min_value=40, max_value=60))
def test_a_lower_reading_is_never_treated_more_leniently(b, c, lower, lln):
    c2 = max(5, c - lower)
    if lvef_check(b, c, lln).code == "hold":
        assert lvef_check(b, c2, lln).code == "hold"


@given(b=lvefs, c=lvefs)
def test_a_rise_never_holds(b, c):
    if c >= b:
        assert lvef_check(b, c).code == "continue"


# ---- the 8-week window, reporting to the prescriber, wording of a rise, the chapter 5 worked series -------------

def test_not_recovered_at_the_8_week_check_means_stopping_not_another_recheck():
    r = lvef_check(64, 49, 50, weeks_held=8)
    assert r.code == "discontinue" and r.action == "discontinue"
    assert "recheck in" not in r.action and "no further recheck" in r.reason and "prescriber" in r.reason


@pytest.mark.parametrize("weeks,action", [(0, "hold and recheck in 4 weeks"), (2, "hold and recheck in 2 weeks"),
                                          (4, "hold and recheck in 4 weeks"), (6, "hold and recheck in 2 weeks"),
                                          (7, "hold and recheck in 1 week")])
def test_the_checks_of_a_hold_fall_at_week_4_and_week_8(weeks, action):
    assert lvef_check(64, 47, 50, weeks_held=weeks).action == action


@given(weeks=st.floats(min_value=0, max_value=52, allow_nan=False), c=lvefs)
def test_no_recheck_is_ever_scheduled_beyond_the_8_week_window(weeks, c):
    r = lvef_check(64, c, 50, weeks_held=weeks)
    if r.code == "hold":
        due = float(r.action.split("recheck in ")[1].split()[0])
        assert weeks + due <= 8 + 0.05  # the action rounds the weeks to 0.1


@pytest.mark.parametrize("baseline,current,reported", [
    (55, 48, True),    # 7-point fall to below the LLN: no hold, but an abnormal result
    (58, 49, True),    # 9 points, below the LLN
    (70, 55, True),    # 15-point fall, above the LLN
    (60, 55, False),   # 5-point fall, normal value
    (65, 70, False),   # a rise
])
def test_a_result_below_the_lln_or_a_10_point_fall_prompts_a_report(baseline, current, reported):
    r = lvef_check(baseline, current, 50)
    assert r.code == "continue"
    assert (r.action == "continue and report to the prescriber") == reported
    assert ("report the result to the prescriber today" in r.reason) == reported
    assert ("lyon2022" in r.reference) == reported


def test_pertuzumab_rules_also_prompt_a_report_below_the_lln():
    r = lvef_check(58, 49, rule="pertuzumab-early")
    assert (r.code, r.action) == ("continue", "continue and report to the prescriber")


def test_a_rise_is_worded_as_a_rise_never_a_negative_fall():
    r = lvef_check(65, 70)
    text = r.to_text()
    assert "a rise of 5 points" in r.reason and "-5" not in text and "fall of -" not in text
    assert "no change" in lvef_check(60, 60).reason
    from her2course.clinical import lvef_form
    html = lvef_form()._repr_mimebundle_()["text/html"]
    assert "fall of -" not in html and "a rise of 5 points" in html


def test_chapter_5_worked_series_is_the_case_and_the_form_example():
    import json
    from pathlib import Path

    from her2course.clinical import WORKED_SERIES
    from her2course.clinical.forms import LvefForm
    assert list(WORKED_SERIES) == LvefForm.EXAMPLE_SERIES
    nb = json.loads((Path(__file__).resolve().parents[1] / "notebooks" / "05-toxicity-management.ipynb").read_text())
    cells = ["".join(c["source"]) for c in nb["cells"]]
    assert any("lvef_figure(clinical.WORKED_SERIES" in c for c in cells)
    case = next(c for c in cells if "## Unfolding case: Amara Osei" in c)
    prose = next(c for c in cells if "### A worked series" in c)
    r = lvef_series(list(WORKED_SERIES))
    base, *_ = WORKED_SERIES
    held = next(s for s in r.steps[1:] if s.result.code == "hold")
    resumed = next(s for s in r.steps[1:] if s.date > held.date)
    months = (held.date.year - 2025) * 12 + held.date.month - dt.date.fromisoformat(base[0]).month
    assert months == 6 and "6-month echocardiogram" in case and "A scan at 6 months showed 47%" in prose
    assert f"| {held.lvef:g}% |" in case and f"| {resumed.lvef:g}% |" in case
    assert (resumed.date - held.date).days == 28 and f"Four weeks later the LVEF was {resumed.lvef:g}%" in prose
    assert resumed.result.code == "continue"
