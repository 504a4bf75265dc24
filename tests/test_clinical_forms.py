"""The forms: static HTML has no controls and says it is for learning; live forms show messages and keep input."""

from __future__ import annotations

import re

import pytest

from her2course.clinical import DISCLAIMER, diarrhea_form, dose_form, ild_form, lvef_form, neratinib_form

FORMS = [lvef_form, diarrhea_form, neratinib_form, ild_form, dose_form]


@pytest.fixture(scope="module", params=FORMS, ids=lambda f: f.__name__)
def bundle(request):
    return request.param()._repr_mimebundle_()


def test_static_html_has_no_form_controls(bundle):
    assert not re.search(r"<\s*(input|button|select|textarea|form)\b", bundle["text/html"], re.I)


def test_static_html_has_disclaimer_tables_and_no_failed_examples(bundle):
    html = bundle["text/html"]
    assert DISCLAIMER in html
    assert "<table>" in html and "<caption" in html
    assert "(not available)" not in html


def test_plain_text_is_deterministic(bundle):
    text = bundle["text/plain"]
    assert DISCLAIMER in text and "0x" not in text


@pytest.mark.parametrize("factory", FORMS, ids=lambda f: f.__name__)
def test_repr_is_stable(factory):
    assert repr(factory()) == repr(factory()) and "object at" not in repr(factory())
    assert factory()._repr_mimebundle_()["text/html"] == factory()._repr_mimebundle_()["text/html"]


def test_live_widget_view_is_offered():
    b = lvef_form()._repr_mimebundle_()
    assert b["application/vnd.jupyter.widget-view+json"]["version_major"] == 2


def test_lvef_boundary_rows_in_the_book():
    html = lvef_form()._repr_mimebundle_()["text/html"]
    assert "10-point fall, exactly at the LLN" in html and "16-point fall" in html
    assert 'class="her2-figure"' in html and "alt=" in html


def test_dose_examples_include_tdxd_70kg():
    assert "5.4 mg/kg = 378 mg" in dose_form()._repr_mimebundle_()["text/html"]


def _fill(form, **values):
    _ = form.widget
    for k, v in values.items():
        form.inputs[k].value = v
    form.submit()
    return form.output.value


@pytest.mark.parametrize("value,words", [("120", "out of range"), ("", "empty"), ("abc", "must be a number"),
                                         ("-5", "out of range")])
def test_lvef_form_shows_message_and_keeps_input(value, words):
    form = lvef_form()
    out = _fill(form, baseline=value, current="50")
    assert 'role="alert"' in out and "baseline LVEF" in out and words in out
    assert form.inputs["baseline"].value == value and form.inputs["current"].value == "50"


def test_lvef_form_result_and_series():
    form = lvef_form()
    assert "hold and recheck in 4 weeks" in _fill(form, baseline="70", current="54")
    out = _fill(form, series="2026-01-05 64\n2026-04-06 47")
    assert "LVEF series" in out and "hold" in out


@pytest.mark.parametrize("weight,words", [("-5", "more than 0"), ("0", "more than 0"), ("400", "at most 350"),
                                          ("", "weight is needed"), ("70 kg", "without units")])
def test_dose_form_messages(weight, words):
    form = dose_form()
    _ = form.widget
    form.inputs["drug"].value = "trastuzumab-emtansine"
    out = _fill(form, weight=weight)
    assert 'role="alert"' in out and words in out and form.inputs["weight"].value == weight


def test_dose_form_regimens_follow_the_drug_and_compute():
    form = dose_form()
    _ = form.widget
    form.inputs["drug"].value = "trastuzumab-deruxtecan"
    gastric = next(v for label, v in form.inputs["regimen"].options if "Gastric" in label)
    form.inputs["regimen"].value = gastric
    assert "448 mg" in _fill(form, weight="70")
    out = _fill(form, drug="trastuzumab", weight="70", days_since="29")
    assert "give the loading dose again" in out


def test_other_forms_compute_and_complain():
    assert "grade 2" in _fill(diarrhea_form(), stools="4")
    assert "grade 3" in _fill(diarrhea_form(), stools="2", hospitalization_indicated=True)
    assert 'role="alert"' in _fill(diarrhea_form(), stools="-1")
    assert "permanently discontinue" in _fill(ild_form(), grade="2")
    assert 'role="alert"' in _fill(ild_form(), grade="7")
    assert "160 mg" in _fill(neratinib_form(), strategy="escalation", by="day", days="14")
    assert 'role="alert"' in _fill(neratinib_form(), start="tomorrow")
