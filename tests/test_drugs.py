"""The drug knowledge base: the real file loads, and each kind of malformed data gets a precise message."""

from __future__ import annotations

import re

import pytest
import yaml

from her2course import drugs
from her2course.errors import DataError
from her2course.paths import Layout, package_layout

EXPECTED_IDS = {
    "trastuzumab", "trastuzumab-hyaluronidase", "pertuzumab", "pertuzumab-trastuzumab-hyaluronidase",
    "margetuximab", "zanidatamab", "trastuzumab-emtansine", "trastuzumab-deruxtecan", "disitamab-vedotin",
    "lapatinib", "neratinib", "tucatinib", "zongertinib", "sevabertinib", "pyrotinib", "poziotinib",
}


def _edit(layout: Layout, change) -> None:
    raw = yaml.safe_load(layout.drugs.read_text(encoding="utf-8"))
    change(raw["drugs"])
    layout.drugs.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")


def _problems(layout: Layout) -> list[str]:
    _, problems = drugs.validate(layout)
    return [str(p) for p in problems]


def test_real_file_is_valid_and_complete():
    kb = drugs.load(package_layout())
    assert set(kb.ids()) == EXPECTED_IDS
    for drug in kb:
        assert drug.references and drug.regimens and drug.key_toxicities


def test_lookup_by_id_brand_and_abbreviation():
    assert drugs.get("trastuzumab").brand == "Herceptin"
    assert drugs.get("HERCEPTIN").id == "trastuzumab"
    assert drugs.get("T-DXd").id == "trastuzumab-deruxtecan"
    assert drugs.get("t-dm1").id == "trastuzumab-emtansine"
    with pytest.raises(KeyError, match=r"no drug named 'herceptinn'.*known ids"):
        drugs.get("herceptinn")


def test_by_class_partitions_every_drug():
    classes = {c: drugs.by_class(c) for c in ("antibody", "bispecific", "ADC", "TKI")}
    assert sum(len(v) for v in classes.values()) == len(drugs.all_drugs())
    assert {d.id for d in classes["ADC"]} >= {"trastuzumab-emtansine", "trastuzumab-deruxtecan"}
    assert all(d.hazardous_drug for d in classes["ADC"])
    assert all(d.site.value == "kinase" for d in classes["TKI"])
    with pytest.raises(KeyError, match="no drug class 'vaccine'"):
        drugs.by_class("vaccine")


def test_key_doses_match_the_labels():
    """Spot checks of labelled doses a student must know (US prescribing information)."""
    tdxd = drugs.get("trastuzumab-deruxtecan")
    amounts = {s.amount for r in tdxd.regimens for s in r.steps}
    assert {5.4, 6.4} <= amounts
    tdm1 = drugs.get("trastuzumab-emtansine")
    assert any(s.amount == 3.6 and s.unit == "mg/kg" for r in tdm1.regimens for s in r.steps)
    her = drugs.get("trastuzumab")
    pairs = {(s.phase, s.amount) for r in her.regimens for s in r.steps}
    assert {("loading", 4.0), ("maintenance", 2.0), ("loading", 8.0), ("maintenance", 6.0)} <= pairs
    assert any(s.amount == 240 for r in drugs.get("neratinib").regimens for s in r.steps)
    assert any(s.amount == 300 for r in drugs.get("tucatinib").regimens for s in r.steps)


def test_tables_render_with_sources():
    table = drugs.class_table("ADC")
    html = table.to_html()
    assert "<caption" in html and 'scope="col"' in html and "Sources:" in html
    assert "trastuzumab deruxtecan" in table.to_text().lower()
    card = drugs.prototype_table("trastuzumab")
    assert 'scope="row"' in card.to_html()
    assert "Hold and stop rules" in card.to_text()
    with pytest.raises(KeyError, match="unknown table column"):
        drugs.drug_table(["trastuzumab"], ["nonsense"], caption="x")


def test_invalid_yaml_names_file_and_line(copy_layout):
    copy_layout.drugs.write_text("drugs:\n  - id: x\n    brand_names: [unclosed\n", encoding="utf-8")
    (problem,) = _problems(copy_layout)
    assert "drugs.yaml" in problem and "invalid YAML at line" in problem


def test_missing_file(copy_layout):
    copy_layout.drugs.unlink()
    (problem,) = _problems(copy_layout)
    assert problem.endswith("drugs.yaml: file not found")


def test_wrong_top_level_shape(copy_layout):
    copy_layout.drugs.write_text("- just a list\n", encoding="utf-8")
    (problem,) = _problems(copy_layout)
    assert "expected a mapping with a list under 'drugs'" in problem


def test_missing_field_names_drug_and_field(copy_layout):
    _edit(copy_layout, lambda ds: ds[0].pop("mechanism"))
    assert any(re.search(r"drugs\.yaml: item 'trastuzumab': field 'mechanism': required field is missing", p)
               for p in _problems(copy_layout))


def test_wrong_type_in_nested_field(copy_layout):
    def change(ds):
        ds[0]["regimens"][0]["steps"][0]["amount"] = "eight"
    _edit(copy_layout, change)
    problems = _problems(copy_layout)
    assert any("item 'trastuzumab': field 'regimens[0].steps[0].amount'" in p for p in problems), problems


def test_negative_dose_rejected(copy_layout):
    def change(ds):
        ds[0]["regimens"][0]["steps"][0]["amount"] = -4
    _edit(copy_layout, change)
    assert any("greater than 0" in p for p in _problems(copy_layout))


def test_unknown_field_and_bad_enum(copy_layout):
    def change(ds):
        ds[1]["dosage"] = "x"
        ds[2]["drug_class"] = "vaccine"
    _edit(copy_layout, change)
    problems = _problems(copy_layout)
    assert any("field 'dosage': unknown field" in p for p in problems)
    assert any("field 'drug_class'" in p and "antibody" in p for p in problems)


def test_missing_reference_key_names_the_citing_field(copy_layout):
    _edit(copy_layout, lambda ds: ds[0]["references"].append("nosuchkey2099"))
    problems = _problems(copy_layout)
    assert any("item 'trastuzumab': field 'references': reference key 'nosuchkey2099' is not in references.bib"
               in p for p in problems), problems


def test_duplicate_id_and_bad_label_month(copy_layout):
    def change(ds):
        ds[1]["id"] = ds[0]["id"]
        ds[0]["label"]["revised"] = "March 2024"
    _edit(copy_layout, change)
    problems = _problems(copy_layout)
    assert any("duplicate id" in p for p in problems)
    assert any("field 'label.revised'" in p and "YYYY-MM" in p for p in problems)


def test_every_problem_is_reported_not_just_the_first(copy_layout):
    def change(ds):
        ds[0].pop("target")
        ds[3].pop("routes")
        ds[5]["references"] = ["missing-a"]
    _edit(copy_layout, change)
    assert len(_problems(copy_layout)) >= 3
    with pytest.raises(DataError, match="problems in the course data"):
        drugs.load(copy_layout)


def test_contraception_table_carries_the_breastfeeding_advice_from_the_data():
    table = drugs.contraception_table()
    assert table.headers[-1] == "Breastfeeding"
    rows = {row[0]: row for row in table.rows}
    kb = drugs.base()
    for drug in kb:
        if not (drug.contraception and drug.fda_approved):
            continue
        cell = rows[drug.display_name][3]
        if drug.contraception.breastfeeding:
            assert cell == drug.contraception.breastfeeding
        else:  # never a blank cell, never an invented window: the reader is sent to the label
            assert cell == drugs.BREASTFEEDING_NOT_RECORDED
    # the conjugates' and the TKIs' windows as the labels state them
    assert "7 months" in rows[drugs.get("T-DXd").display_name][3]
    assert "7 months" in rows[drugs.get("T-DM1").display_name][3]
    assert "1 month" in rows[drugs.get("neratinib").display_name][3]
    assert "1 week" in rows[drugs.get("tucatinib").display_name][3]
    # the prototype card names the row for what it holds
    card = {row[0]: row[1] for row in drugs.prototype_table("T-DXd").rows}
    assert "breastfeeding: do not breastfeed" in card["Contraception and breastfeeding"]


# ---- dose tables: weight bands shown, and drugs without FDA approval marked --------------------------------------

def _dose_of(table, generic: str) -> str:
    col = table.headers.index("Usual dose and schedule")
    return next(r[col] for r in table.rows if r[0].startswith(generic))


@pytest.mark.parametrize("table", [
    lambda: drugs.class_table("TKI"),                                       # chapter 2
    lambda: drugs.drug_table(["lapatinib", "neratinib", "tucatinib", "zongertinib", "sevabertinib"],
                             ["drug", "route", "dose"], caption="oral"),      # chapter 6
], ids=["ch2-class-table", "ch6-oral-table"])
def test_zongertinib_rows_show_both_weight_bands_and_their_reduction_steps(table):
    cell = _dose_of(table(), "zongertinib")
    zon = drugs.get("zongertinib")
    assert [r.steps[0].amount for r in zon.regimens] == [120, 180]
    assert "120 mg oral once daily" in cell and "180 mg oral once daily" in cell
    assert "under 90 kg" in cell and "90 kg or more" in cell
    assert "Dose reduction: 60 mg, then stop" in cell and "Dose reductions: 120 mg, then 60 mg, then stop" in cell


def test_drugs_without_fda_approval_are_marked_in_dose_tables():
    tki, adc = drugs.class_table("TKI"), drugs.class_table("ADC")
    assert _dose_of(adc, "disitamab vedotin").startswith("Approved in China only")
    assert _dose_of(tki, "pyrotinib").startswith("Approved in China only")
    assert _dose_of(tki, "poziotinib").startswith("Investigational")
    for d in drugs.all_drugs():
        table = drugs.drug_table([d.id], caption="x")
        cell = _dose_of(table, d.generic_name)
        assert (d.status is not None and cell.startswith(d.status)) == (not d.fda_approved), d.id
        assert ("without FDA approval" in table.source) == (not d.fda_approved), d.id
    assert "without FDA approval is marked" in tki.source


def test_a_drug_without_fda_approval_needs_a_status(copy_layout):
    _edit(copy_layout, lambda ds: next(d for d in ds if d["id"] == "poziotinib").pop("status"))
    assert any("item 'poziotinib'" in p and "needs 'status'" in p for p in _problems(copy_layout))
