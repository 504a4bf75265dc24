"""Tables on a phone (issue 15, part 2): the layout each kind of table gets, and the markup the book adds for it.
The browser test (test_site_browser.py) measures the result on every page at 375 px."""

from __future__ import annotations

import re

import pytest

from her2course import care, sitebuild
from her2course.cases.loader import load_case
from her2course.cases.render import stage_tables
from her2course.tables import Table, narrow_layout, text_px, widest_word_px

CASES = ["ild-tdxd", "lvef-trastuzumab", "neratinib-diarrhoea", "phesgo-reaction", "zongertinib-liver"]
PROSE = "given over 90 minutes the first time, then over 30 minutes if the first infusion went well"


def test_words_are_measured_in_the_widest_font_bold_wider():
    assert text_px("trastuzumab") > 60
    assert text_px("trastuzumab", bold=True) > text_px("trastuzumab")
    assert widest_word_px("Respiratory rate") == text_px("Respiratory")
    assert widest_word_px("B-31/NCCTG") == text_px("31/NCCTG"), "a browser breaks after a hyphen, not at a slash"


def test_two_columns_always_fit():
    assert narrow_layout(["", ""], [["Mechanism", PROSE * 3]]) == "fit"


def test_a_few_short_columns_fit():
    assert narrow_layout(["Date", "LVEF", "Action"], [["2026-01-05", "64%", "baseline"]]) == "fit"


def test_records_of_prose_are_stacked():
    rows = [["trastuzumab", "IV", PROSE, "cardiomyopathy; infusion reactions"]] * 3
    assert narrow_layout(["Drug", "Route", "Dose", "Toxicities"], rows) == "stack"


def test_a_grid_of_short_values_across_many_columns_scrolls():
    rows = [["3 Mar 2025 (baseline)", "64%", "none", "88 kg", "134/82"],
            ["2 Jun 2025", "61%", "none", "88 kg", "130/80"]]
    assert narrow_layout(["Date", "LVEF", "Symptoms", "Weight", "Blood pressure"], rows) == "scroll"


def test_case_data_never_scrolls():
    rows = [["Alanine aminotransferase", "112", "240", "310", "95", "88"]]
    assert narrow_layout(["Test", "Baseline", "Week 2", "Week 4", "Week 6", "Today"], rows, case_data=True,
                         row_headers=True) == "stack"
    assert narrow_layout(["Measure", "Baseline", "Today"], [["Pulse (beats/min)", "72", "88"]], case_data=True,
                         row_headers=True) == "fit"


def test_every_case_table_fits_or_stacks():
    layouts = {narrow_layout(t.headers, t.rows, case_data=True, row_headers=True)
               for cid in CASES for stage in load_case(cid).stages for t in stage_tables(load_case(cid), stage)}
    assert layouts <= {"fit", "stack"} and "fit" in layouts


def test_a_stacked_table_labels_every_value_with_its_column_and_keeps_table_roles():
    t = Table(caption="Drugs", headers=["Drug", "Route", 'Dose "as labeled"'],
              rows=[["trastuzumab", "IV", PROSE], ["tucatinib", "oral", PROSE]])
    html = sitebuild.reflow_tables(t.to_html())
    assert 'data-her2-layout="stack" role="table"' in html
    assert html.count('role="row"') == 3 and html.count('role="columnheader"') == 3
    assert html.count('data-label="Route"') == 2
    assert html.count('data-label="Dose &quot;as labeled&quot;"') == 2
    assert '<td role="cell">trastuzumab</td>' in html, "the first cell titles the card, without a label"
    assert 'class="her2-table "' in html and "her2-scroll-hint" not in html


def test_a_scrolling_grid_is_a_named_region_described_by_its_hint():
    html = sitebuild.reflow_tables(care.symptom_diary("t").to_html())
    regions = re.findall(r'<div class="her2-table her2-scroll" role="region" tabindex="0" aria-label="([^"]+)" '
                         r'aria-describedby="(her2-scroll-hint-\d+)">\s*<p class="her2-scroll-hint" id="\2">', html)
    assert [name for name, _ in regions] == ["Medicines by day", "Symptoms by day"]
    assert html.count('data-her2-layout="scroll"') == 2
    assert sitebuild.SCROLL_HINT in html


def test_a_markdown_table_gets_the_layout_on_the_themes_container():
    md = ('<div class="pst-scrollable-table-container"><table class="table">\n<thead>\n<tr class="row-odd">'
          + "".join(f'<th class="head"><p>{h}</p></th>' for h in ["Date", "LVEF", "Symptoms", "Weight", "BP"])
          + "</tr>\n</thead>\n<tbody>\n<tr class=\"row-even\">"
          + "".join(f"<td><p>{c}</p></td>" for c in ["3 Mar 2025 (baseline)", "64%", "none", "88 kg", "134/82"])
          + "</tr>\n</tbody>\n</table>\n</div>")
    html = sitebuild.reflow_tables(md)
    assert html.startswith('<div class="pst-scrollable-table-container her2-scroll" role="region" tabindex="0" '
                           'aria-label="Table: Date, LVEF, Symptoms, Weight" aria-describedby="her2-scroll-hint-1">')
    assert sitebuild.reflow_tables(html) == html, "a page is transformed once"


def test_a_table_in_a_go_deeper_block_is_measured_against_its_narrower_column():
    """On a phone a Go deeper block or an admonition leaves 321 px, not 343: a diary that just fits the page's
    column is stacked inside the box (found in chapter 5: 333 px of table in a 321 px column)."""
    diary = Table(caption="Diary", headers=["Day", "Neratinib dose", "Stools/day", "Other findings"],
                  rows=[["10", "160 mg", "6 loose (2 days)", "Mild cramps; drinking well; no fever"],
                        ["18", "240 mg", "9 watery (1 day)", "Dizzy on standing; pulse 112"]]).to_html()
    assert 'data-her2-layout="fit"' in sitebuild.reflow_tables(diary)
    inside = sitebuild.reflow_tables(f'<details class="her2-deeper"><summary>Go deeper</summary>{diary}</details>'
                                     f'<div class="dropdown admonition"><div><p>x</p></div>{diary}</div>'
                                     f"<div><p>after</p></div>{diary}")
    assert inside.count('data-her2-layout="stack"') == 2 and inside.count('data-her2-layout="fit"') == 1, inside


def test_a_table_of_records_with_short_values_stacks_instead_of_scrolling():
    head = "".join(f'<th scope="col">{h}</th>' for h in ["Option", "Key", "Chosen", "Share", "Upper group",
                                                         "Lower group"])
    row = "".join(f"<td>{c}</td>" for c in ["right (28.9)", "right", "14", "46%", "8", "2"])
    grid = f"<table><thead><tr>{head}</tr></thead><tbody>{f'<tr>{row}</tr>' * 3}</tbody></table>"
    assert 'data-her2-layout="scroll"' in sitebuild.reflow_tables(grid)
    records = sitebuild.reflow_tables(grid.replace("<table>", '<table class="her2-records">'))
    assert 'data-her2-layout="stack"' in records and 'data-label="Lower group"' in records


def test_a_table_with_spanning_cells_is_never_stacked():
    t = ('<table><thead><tr><th colspan="2">Drug and route</th><th>Dose</th></tr></thead><tbody>'
         f"<tr><td>trastuzumab</td><td>IV</td><td>{PROSE}</td></tr></tbody></table>")
    assert 'data-her2-layout="scroll"' in sitebuild.reflow_tables(t)


@pytest.mark.parametrize("headers", [["", ""], ["Grade", "Nursing actions"]])
def test_two_column_tables_are_left_as_tables(headers):
    html = sitebuild.reflow_tables(Table(caption="c", headers=headers, rows=[["a", PROSE]]).to_html())
    assert 'data-her2-layout="fit"' in html and "role=\"row\"" not in html and "data-label" not in html
