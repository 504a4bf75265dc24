"""Dose calculator: weight-based and fixed doses from drugs.yaml, vials, re-loading, reduction levels, bad input."""

from __future__ import annotations

import math

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from her2course import drugs
from her2course.clinical import calculate_dose, missed_dose, reduce_dose, vial_plan
from her2course.clinical import rules as rules_mod


def test_tdxd_70_kg_breast_dose_volume_and_vials():
    r = calculate_dose("trastuzumab-deruxtecan", 70)
    line = r.lines[0]
    assert (line.amount, line.dose_mg, line.volume_ml) == (5.4, 378.0, 18.9)
    assert line.vials.vials == ((100, 4),) and line.vials.left_over_mg == 22
    assert "discard" in line.vials.describe()
    assert r.action == "378 mg" and "label-enhertu" in r.reference


def test_tdxd_gastric_is_6_4():
    line = calculate_dose("Enhertu", 70, regimen="gastric").lines[0]
    assert (line.amount, line.dose_mg, line.vials.vials) == (6.4, 448.0, ((100, 5),))


def test_tdm1_combines_vial_sizes_for_least_waste():
    line = calculate_dose("Kadcyla", 68).lines[0]
    assert (line.dose_mg, line.volume_ml) == (244.8, 12.2)
    assert line.vials.vials == ((100, 1), (160, 1)) and line.vials.left_over_mg == 15.2


def test_trastuzumab_loading_and_maintenance_three_weekly():
    r = calculate_dose("trastuzumab", 70, regimen="single agent")
    (load, maint) = r.lines
    assert (load.dose_mg, load.volume_ml) == (560, 26.7)
    assert (maint.dose_mg, maint.volume_ml) == (420, 20.0)
    assert maint.vials.vials == ((420, 1),) and maint.vials.left_over_mg == 0


def test_trastuzumab_weekly():
    r = calculate_dose("Herceptin", 70, regimen="Metastatic breast")
    assert [ln.dose_mg for ln in r.lines] == [280, 140]


def test_multiple_dose_vial_leftover_is_not_called_waste():
    plan = calculate_dose("trastuzumab", 70, regimen="single agent").lines[0].vials
    assert plan.multiple_dose and "multiple-dose vial" in plan.describe()


@pytest.mark.parametrize("drug,amounts", [("pertuzumab", [840, 420]), ("Phesgo", [1200, 600]),
                                         ("Herceptin Hylecta", [600])])
@pytest.mark.parametrize("kg", [45, 70, 140])
def test_fixed_dose_agents_ignore_weight(drug, amounts, kg):
    r = calculate_dose(drug, kg)
    assert [ln.dose_mg for ln in r.lines] == amounts
    assert all("weight does not change it" in ln.note for ln in r.lines)
    assert r.action.startswith("fixed dose")


def test_fixed_dose_needs_no_weight_and_counts_vials_and_tablets():
    per = calculate_dose("pertuzumab")
    assert per.lines[0].vials.vials == ((420, 2),) and per.lines[0].volume_ml == 28
    ner = calculate_dose("neratinib").lines[0]
    assert ner.vials.vials == ((40, 6),) and ner.vials.unit == "tablet" and ner.volume_ml is None


def test_phesgo_loading_uses_the_loading_vial_not_two_maintenance_vials():
    assert calculate_dose("Phesgo").lines[0].vials.vials == ((1200, 1),)


@pytest.mark.parametrize("days,code", [(20, "not-due"), (21, "maintenance"), (28, "maintenance"), (29, "reload")])
def test_trastuzumab_three_weekly_missed_dose(days, code):
    r = missed_dose("trastuzumab", 70, days_since_last_dose=days)
    assert r.code == code
    if code == "reload":
        assert (r.dose.amount, r.dose.dose_mg) == (8, 560)
    if code == "maintenance":
        assert (r.dose.amount, r.dose.dose_mg) == (6, 420)


@pytest.mark.parametrize("days,code,amount", [(14, "maintenance", 2), (15, "reload", 4)])
def test_trastuzumab_weekly_missed_dose(days, code, amount):
    r = missed_dose("trastuzumab", 70, days_since_last_dose=days, schedule="weekly")
    assert (r.code, r.dose.amount) == (code, amount)


@pytest.mark.parametrize("drug,days,code,amount", [
    ("pertuzumab", 41, "maintenance", 420), ("pertuzumab", 42, "reload", 840),
    ("Phesgo", 41, "maintenance", 600), ("Phesgo", 42, "reload", 1200),
])
def test_six_week_rule(drug, days, code, amount):
    r = missed_dose(drug, days_since_last_dose=days)
    assert (r.code, r.dose.dose_mg) == (code, amount)


def test_trastuzumab_with_pertuzumab_uses_the_perjeta_window():
    assert missed_dose("trastuzumab", 70, days_since_last_dose=35, with_pertuzumab=True).code == "maintenance"
    r = missed_dose("trastuzumab", 70, days_since_last_dose=42, with_pertuzumab=True)
    assert r.code == "reload" and "label-perjeta" in r.reference
    with pytest.raises(ValueError, match="every 3 weeks"):
        missed_dose("trastuzumab", 70, days_since_last_dose=42, with_pertuzumab=True, schedule="weekly")


# ---- which label rule governs a late dose, and agreement of the tables and quiz keys with the tool --------------

@pytest.mark.parametrize("drug,with_p,rule,label,code", [
    ("trastuzumab", False, "trastuzumab", "Herceptin label", "reload"),          # 20 days late: more than 1 week
    ("trastuzumab", True, "trastuzumab-with-pertuzumab", "Perjeta label", "maintenance"),  # under 6 weeks
    ("pertuzumab", False, "pertuzumab", "Perjeta label", "maintenance"),
    ("Phesgo", False, "pertuzumab-trastuzumab-hyaluronidase", "Phesgo label", "maintenance"),
])
def test_at_41_days_each_regimen_follows_its_own_label(drug, with_p, rule, label, code):
    r = missed_dose(drug, 70, days_since_last_dose=41, with_pertuzumab=with_p)
    assert (r.rule, r.code) == (rule, code)
    assert label in r.governed_by and r.governed_by in r.reason
    assert ("Rule that applies", r.governed_by) in r.details()


def test_trastuzumab_alone_and_with_pertuzumab_part_company_between_29_and_41_days():
    for days in range(29, 42):
        assert missed_dose("trastuzumab", 70, days_since_last_dose=days).code == "reload"
        assert missed_dose("trastuzumab", 70, days_since_last_dose=days, with_pertuzumab=True).code == "maintenance"


def test_the_late_dose_table_in_the_book_is_the_tool_output():
    from her2course.clinical.forms import MISSED_DOSE_EXAMPLES, dose_form
    table = next(t for t in dose_form().tables() if t.caption.startswith("Late doses"))
    assert len(table.rows) == len(MISSED_DOSE_EXAMPLES)
    for row, (label, drug, schedule, days, with_p) in zip(table.rows, MISSED_DOSE_EXAMPLES, strict=True):
        r = missed_dose(drug, 70, days_since_last_dose=days, schedule=schedule, with_pertuzumab=with_p)
        assert row == [label, r.governed_by, schedule, str(days), r.action, r.dose.describe()]
    at_41 = {row[0]: row[4] for row in table.rows if row[3] == "41"}
    assert at_41 == {"Trastuzumab alone": "give the loading dose again",
                     "Trastuzumab with pertuzumab (IV)": "give the usual maintenance dose now",
                     "Pertuzumab (IV)": "give the usual maintenance dose now",
                     "Phesgo": "give the usual maintenance dose now"}
    assert "Herceptin" in table.source and "Perjeta" in table.source and "Phesgo" in table.source


# item id -> (bank, drug, days since the last dose, given with pertuzumab, weight for a numeric key)
LATE_DOSE_ITEMS = {
    "ch6-late-trastuzumab": ("06-nursing-care", "trastuzumab", 33, False, None),
    "ch6-late-trastuzumab-pertuzumab": ("06-nursing-care", "trastuzumab", 35, True, None),
    "ch2-calc-trast-reload": ("02-drug-classes", "trastuzumab", 35, False, 73),
}


@pytest.mark.parametrize("item_id", sorted(LATE_DOSE_ITEMS))
def test_late_dose_quiz_keys_match_the_tool(item_id):
    from her2course.quiz.bank import load_bank
    bank, drug, days, with_p, kg = LATE_DOSE_ITEMS[item_id]
    item = next(i for i in load_bank(bank).items if i.id == item_id)
    # the stem states the regimen the tool is asked about
    stem = " ".join(item.stem.split())
    assert ("pertuzumab" in stem) and (("no pertuzumab" in stem) != with_p)
    assert f"{days} days ago" in stem or f"{days // 7} weeks ago" in stem
    r = missed_dose(drug, kg or 70, days_since_last_dose=days, with_pertuzumab=with_p)
    if item.type == "numeric":
        assert item.answer.value == r.dose.dose_mg == 584
    else:
        keyed = [o for o in item.options if o.correct]
        assert [o.id for o in keyed] == [{"reload": "reload", "maintenance": "maint"}[r.code]]
        amount = f"{r.dose.amount:g} mg/kg"
        assert amount in keyed[0].text


def test_missed_dose_for_an_uncovered_drug():
    with pytest.raises(ValueError, match="no missed-dose rule"):
        missed_dose("Kadcyla", 70, days_since_last_dose=30)


@pytest.mark.parametrize("drug,current,start,code,nxt", [
    ("Kadcyla", 3.6, None, "reduce", 3.0), ("Kadcyla", 3.0, None, "reduce", 2.4), ("Kadcyla", 2.4, None,
                                                                                     "discontinue", None),
    ("Enhertu", 5.4, 5.4, "reduce", 4.4), ("Enhertu", 3.2, 5.4, "discontinue", None),
    ("Enhertu", 6.4, 6.4, "reduce", 5.4), ("Enhertu", 4.4, 6.4, "discontinue", None),
    ("neratinib", 240, None, "reduce", 200), ("pertuzumab", 420, None, "no-reduction", None),
])
def test_reduction_levels(drug, current, start, code, nxt):
    r = reduce_dose(drug, current, start=start)
    assert (r.code, r.next_level) == (code, nxt)


def test_unknown_level_is_rejected():
    with pytest.raises(ValueError, match="not a level"):
        reduce_dose("Kadcyla", 3.3)


@pytest.mark.parametrize("value,msg", [(0, "more than 0 and at most 350 kg"), (-5, "more than 0"),
                                       (351, "at most 350"), ("", None), ("seventy", "must be a number"),
                                       ("70kg", "without units"), ("70,5", "point"), (True, "must be a number")])
def test_odd_weights(value, msg):
    if msg is None:  # empty weight on an mg/kg drug: the message says weight is needed and the range
        with pytest.raises(ValueError, match=r"weight is needed.*350 kg"):
            calculate_dose("Kadcyla", value)
        return
    with pytest.raises(ValueError, match=msg):
        calculate_dose("Kadcyla", value)


def test_unknown_drug_and_regimen():
    with pytest.raises(KeyError, match="no drug named"):
        calculate_dose("aspirin", 70)
    with pytest.raises(ValueError, match="no trastuzumab-deruxtecan regimen matches"):
        calculate_dose("T-DXd", 70, regimen="ovarian")
    with pytest.raises(ValueError, match=r"matches .* regimens"):
        calculate_dose("T-DXd", 70, regimen="breast")
    with pytest.raises(ValueError, match="regimen number"):
        calculate_dose("T-DXd", 70, regimen=99)


def test_doses_come_from_the_data_file_not_the_code(copy_layout):
    """Change T-DXd's dose and vial size in a copy of drugs.yaml: the calculator follows the data."""
    raw = yaml.safe_load(copy_layout.drugs.read_text(encoding="utf-8"))
    tdxd = next(d for d in raw["drugs"] if d["id"] == "trastuzumab-deruxtecan")
    for step in tdxd["regimens"][0]["steps"]:
        step["amount"] = 5.0
    tdxd["vials"] = [{"amount_mg": 50, "form": "single-dose vial (test)"}]
    copy_layout.drugs.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    kb = drugs.load(copy_layout)
    line = calculate_dose("trastuzumab-deruxtecan", 70, kb=kb).lines[0]
    assert (line.dose_mg, line.vials.vials) == (350, ((50, 7),))


@settings(max_examples=200, deadline=None)
@given(kg=st.floats(min_value=30, max_value=350, allow_nan=False))
def test_weight_based_dose_property(kg):
    line = calculate_dose("Kadcyla", kg).lines[0]
    assert abs(line.dose_mg - 3.6 * kg) <= 0.05 + 1e-9
    assert line.vials.total_mg >= 3.6 * kg - 1e-6
    assert abs(line.volume_ml - 3.6 * kg / 20) <= 0.05 + 1e-9


@settings(max_examples=200, deadline=None)
@given(dose=st.floats(min_value=1, max_value=3000, allow_nan=False))
def test_vial_plan_is_minimal(dose):
    drug = drugs.get("trastuzumab-emtansine")
    plan = vial_plan(drug, dose)
    best = min(a * 100 + b * 160 for a in range(math.ceil(dose / 100) + 1) for b in range(math.ceil(dose / 160) + 1)
               if a * 100 + b * 160 >= dose)
    assert plan.total_mg == best


def test_clinical_rules_file_validates_against_the_course(copy_layout):
    items, problems = rules_mod.validate(copy_layout)
    assert items and problems == []


def test_clinical_rules_problems_name_file_item_and_field(copy_layout):
    path = rules_mod.path_for(copy_layout)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["reductions"][0]["levels"] = [3.6, 3.6]
    raw["concentrations"][0]["drug"] = "ghost-drug"
    raw["missed_doses"][0]["references"] = ["ghost2030"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    _, problems = rules_mod.validate(copy_layout)
    text = "\n".join(str(p) for p in problems)
    assert "clinical_rules.yaml: item 'reductions[0] (trastuzumab-emtansine)': field 'levels'" in text
    path.write_text(yaml.safe_dump({**raw, "reductions": yaml.safe_load(
        (rules_mod.path_for(rules_mod.package_layout())).read_text())["reductions"]}, sort_keys=False),
        encoding="utf-8")
    _, problems = rules_mod.validate(copy_layout)
    text = "\n".join(str(p) for p in problems)
    assert "item 'concentrations/trastuzumab': field 'drug': no drug with id 'ghost-drug'" in text
    assert "item 'missed_doses/trastuzumab': field 'references': reference key 'ghost2030'" in text


def test_reduction_table_lists_every_ladder_and_marks_unconfirmed_levels():
    from her2course.clinical import reduction_table

    rules = rules_mod.rules()
    table = reduction_table()
    assert len(table.rows) == len(rules.reductions)
    tdm1 = next(row for row in table.rows if row[0].startswith("ado-trastuzumab emtansine"))
    assert tdm1[2] == "3.6 mg/kg -> 3 mg/kg -> 2.4 mg/kg" and "discontinue" in tdm1[3]
    starred = [row for row in table.rows if row[2].endswith(" *")]
    assert len(starred) == sum(not r.verified for r in rules.reductions)
    assert ("not yet confirmed" in table.source) == bool(starred)
    assert "Kadcyla label" in table.source


@pytest.mark.parametrize("current,start,code,nxt", [
    (180, 180, "reduce", 120), (120, 180, "reduce", 60), (60, 180, "discontinue", None),
    (120, 120, "reduce", 60), (60, 120, "discontinue", None),
])
def test_zongertinib_reduction_levels_follow_the_weight_band(current, start, code, nxt):
    r = reduce_dose("zongertinib", current, start=start)
    assert (r.code, r.next_level) == (code, nxt)
    assert r.reference == ("label-hernexeos",)
    if code == "discontinue":
        assert "60 mg once daily" in r.reason


def test_zongertinib_ladders_agree_with_the_drug_card():
    from her2course import drugs
    zon = drugs.get("zongertinib")
    for reg in zon.regimens:
        start = reg.steps[0].amount
        r = reduce_dose("zongertinib", start, start=start)
        steps = ", then ".join(f"{x:g} mg" for x in r.levels[1:])
        assert f"{steps}, then stop" in reg.duration, (start, reg.duration)
