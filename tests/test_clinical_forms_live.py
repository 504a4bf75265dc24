"""The live forms in JupyterLab: a result that no longer matches the inputs says so; fields are wide enough; results
cite by author and year, never by bibliography key."""

from __future__ import annotations

import re

import pytest

from her2course.clinical import diarrhea_form, dose_form, ild_form, lvef_form, neratinib_form
from her2course.clinical.forms import FIELD_WIDTH
from her2course.references import bibliography

FORMS = [lvef_form, diarrhea_form, neratinib_form, ild_form, dose_form]


def test_a_result_is_marked_out_of_date_when_an_input_changes_and_fresh_after_the_next_run():
    form = lvef_form()
    _ = form.widget
    form.inputs["baseline"].value, form.inputs["current"].value = "70", "54"
    form.submit()
    result = form.output.value
    assert not form.stale and "Out of date" not in result
    form.inputs["current"].value = "66"
    assert form.stale
    assert "Out of date" in form.output.value and "Check" in form.output.value
    assert result in form.output.value  # the old result is still there to compare, marked
    form.inputs["lln"].value = "55"  # a second change adds nothing more
    assert form.output.value.count("Out of date") == 1
    form.submit()
    assert not form.stale and "Out of date" not in form.output.value


def test_an_input_message_goes_out_of_date_too_and_nothing_is_marked_before_the_first_run():
    form = ild_form()
    _ = form.widget
    form.inputs["grade"].value = "1"
    assert not form.stale and "Out of date" not in form.output.value
    form.inputs["grade"].value = "9"
    form.submit()
    assert 'role="alert"' in form.output.value
    form.inputs["grade"].value = "2"
    assert form.stale and "Press Check to update it" in form.output.value


@pytest.mark.parametrize("factory", FORMS, ids=lambda f: f.__name__)
def test_text_fields_and_drop_downs_are_not_squeezed_by_their_labels(factory):
    form = factory()
    _ = form.widget
    for name, wd in form.inputs.items():
        kind = type(wd).__name__
        if kind in ("Text", "Textarea", "Dropdown"):
            assert wd.layout.width == FIELD_WIDTH["width"] and wd.layout.max_width == FIELD_WIDTH["max_width"], name
            assert wd.style.description_width == "initial", name  # the label is never cut short
        elif kind == "Checkbox":
            assert wd.layout.width == "auto", name


def test_tool_results_cite_author_and_year_never_keys():
    from her2course.clinical import ild_action, lvef_check

    bib = bibliography()
    for card in (lvef_check(70, 54, 50), ild_action(2)):
        text, page = card.to_text(), card.to_html()
        for key in card.reference:
            assert key not in text and key not in page
            assert bib.short(key) in text and bib.short(key) in page
    assert f"Source: {bib.short('label-herceptin')}" in lvef_check(70, 54, 50).to_text()
    form = neratinib_form()
    assert not re.search(r"Source: label-", form._repr_mimebundle_()["text/html"])
