"""Unfolding cases: the data validate, errors are named precisely, the keyed answers agree with the clinical rules
(her2course.clinical and drugs.yaml), and rendering is deterministic, kernel-free and offline."""

from __future__ import annotations

import base64
import copy
import html
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from her2course import check, drugs
from her2course.cases import case, case_ids, case_quiz, load_case
from her2course.cases.loader import ACTION_TYPES, parse_case, validate
from her2course.cases.render import CaseStudy, axis_word, stage_spec, trend_figure
from her2course.clinical import (
    calculate_dose,
    diarrhea_grade,
    ild_action,
    lvef_check,
    missed_dose,
    neratinib_diarrhea_action,
)
from her2course.paths import Layout
from her2course.quiz import grade
from her2course.quiz.schema import CJMM_STEPS
from her2course.quiz.widget import Quiz, fallback_html

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "her2course" / "data"
CASES = DATA / "cases"
BIB = ROOT / "book" / "references.bib"
EXPECTED = {"lvef-trastuzumab", "ild-tdxd", "neratinib-diarrhoea", "phesgo-reaction", "zongertinib-liver"}


# ---- helpers -------------------------------------------------------------------------------------------------------

def raw_case(case_id: str = "lvef-trastuzumab") -> dict:
    return yaml.safe_load((CASES / f"{case_id}.yaml").read_text(encoding="utf-8"))


def problems_for(tmp_path: Path, raw: dict, name: str = "lvef-trastuzumab") -> list[tuple[str | None, str | None, str]]:
    """Validate one (broken) case through the same path as ``her2course check``; every problem names the file."""
    data = tmp_path / "data"
    (data / "cases").mkdir(parents=True, exist_ok=True)
    (data / "cases" / f"{name}.yaml").write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True),
                                                 encoding="utf-8")
    (data / "drugs.yaml").write_text((DATA / "drugs.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    _, problems = validate(Layout(data_dir=data, bib=BIB))
    for p in problems:
        assert Path(p.file).name == f"{name}.yaml", str(p)
    return [(p.item, p.field, p.message) for p in problems]


def correct(item, option_id: str) -> bool:
    return next(o for o in item.options if o.id == option_id).correct


def group_correct(item, group_id: str) -> set[str]:
    group = next(g for g in item.groups if g.id == group_id)
    return {o.id for o in group.options if o.correct}


def blank_answer(item, blank_id: str) -> str:
    blank = next(b for b in item.blanks if b.id == blank_id)
    return next(o.id for o in blank.options if o.correct)


def matrix_answer(item, row_id: str) -> str:
    return next(r.answer for r in item.rows if r.id == row_id)


def keyed_response(item):
    """The response the answer key gives full marks."""
    if item.type == "single":
        return next(o.id for o in item.options if o.correct)
    if item.type == "sata":
        return [o.id for o in item.options if o.correct]
    if item.type == "numeric":
        return str(item.answer.value)
    if item.type == "ordered":
        return [o.id for o in item.options]
    if item.type == "matrix":
        return {r.id: r.answer for r in item.rows}
    if item.type in ("cloze", "dropdown_rationale"):
        return {b.id: next(o.id for o in b.options if o.correct) for b in item.blanks}
    if item.type == "matrix_multi":
        return {r.id: list(r.answers) for r in item.rows}
    if item.type == "highlight":
        return [pid for pid, _text, right, *_ in item.parts() if right]
    return {g.id: [o.id for o in g.options if o.correct] for g in item.groups}


def ctcae_transaminase_grade(value: float, uln: float) -> int:
    """CTCAE v5.0 ALT/AST increased, baseline normal: >ULN-3, >3-5, >5-20, >20 x ULN."""
    ratio = value / uln
    return 0 if ratio <= 1 else 1 if ratio <= 3 else 2 if ratio <= 5 else 3 if ratio <= 20 else 4


def pneumonitis_grade(symptoms: bool, limits_self_care: bool, oxygen: bool, life_threatening: bool = False) -> int:
    """CTCAE v5.0 pneumonitis, the features the ILD case records (see clinical/ild.py GRADE_TEXT)."""
    if life_threatening:
        return 4
    if limits_self_care or oxygen:
        return 3
    return 2 if symptoms else 1


# ---- the course's cases ------------------------------------------------------------------------------------------

def test_every_case_validates_with_references_and_drugs():
    cases, problems = validate(Layout(data_dir=DATA, bib=BIB))
    assert problems == [], "\n".join(map(str, problems))
    assert {c.id for c in cases} == EXPECTED == set(case_ids())


def test_cases_are_registered_with_her2course_check():
    assert "cases" in check.VALIDATORS
    counts, problems = check.run(Layout(data_dir=DATA, bib=BIB))
    assert counts["cases"] == len(EXPECTED)
    assert not [p for p in problems if "/cases/" in str(p.file)]


@pytest.mark.parametrize("case_id", sorted(EXPECTED))
def test_six_stages_in_cjmm_order_with_a_matrix_no_bowtie_and_an_action_choice_at_stage_5(case_id):
    c = load_case(case_id)
    assert [s.step for s in c.stages] == list(CJMM_STEPS)
    assert [s.item.cjmm_step for s in c.stages] == list(CJMM_STEPS)
    assert [s.number for s in c.stages] == [1, 2, 3, 4, 5, 6]
    types = {s.item.type for s in c.stages}
    assert "bowtie" not in types  # NGN keeps the bow-tie stand-alone (the chapter banks hold them)
    assert types & {"matrix", "matrix_multi"}
    # stage 5 is a real choice among actions: several options, some of them wrong, none of them shown as done
    act = c.stage("take_action").item
    assert act.type in ACTION_TYPES
    choices = ([o.correct for o in act.options] if hasattr(act, "options") else
               [r.answer == "indicated" for r in act.rows] if act.type == "matrix" else
               [o.correct for b in act.blanks for o in b.options])
    assert sum(choices) >= 1 and len(choices) - sum(choices) >= 2, act.id
    assert set(c.learning_outcomes) == {f"LO7.{n}" for n in range(1, 7)}
    for s in c.stages:
        assert s.data.tables or s.data.trend is not None
    # the data change from stage to stage
    shown = [json.dumps(s.data.model_dump(), sort_keys=True) for s in c.stages]
    assert len(set(shown)) == len(shown)


def test_all_item_types_are_used_across_the_cases():
    types = {s.item.type for cid in EXPECTED for s in load_case(cid).stages}
    assert types == {"single", "sata", "numeric", "matrix", "matrix_multi", "cloze", "dropdown_rationale"}


@pytest.mark.parametrize("case_id", sorted(EXPECTED))
def test_every_keyed_answer_scores_full_marks_with_the_quiz_grader(case_id):
    for s in load_case(case_id).stages:
        result = grade(s.item, keyed_response(s.item))
        assert (result.status, result.score) == ("correct", result.max), (s.item.id, result)


# ---- clinical agreement -----------------------------------------------------------------------------------------

def test_lvef_case_follows_the_trastuzumab_label():
    c = load_case("lvef-trastuzumab")
    trend = c.stage("analyze_cues").data.trend
    (_, baseline), *_, (_, current) = trend.points
    lln = next(r.value for r in trend.reference_lines if "lower limit" in r.label)
    result = lvef_check(baseline, current, lln)
    assert result.code == "hold"
    # the numeric item's answer is the fall the rule uses
    assert c.stage("analyze_cues").item.answer.value == result.drop == 14
    # the plan marks holding (and a 4-week recheck) indicated, continuing, reducing and stopping contraindicated
    plan = c.stage("generate_solutions").item
    assert [r.id for r in plan.rows if r.answer == "indicated"] == ["hold", "echo", "teach"]
    assert {matrix_answer(plan, r) for r in ("give", "reduce", "stop")} == {"contraindicated"}
    assert "4 weeks" in result.action
    # four weeks into the hold the reading lets trastuzumab resume ...
    later = c.stage("evaluate_outcomes").data.trend.points[-1]
    weeks_held = (later[0] - 168) / 7  # the hold began on day 168 (stage 5 narrative)
    assert "day 168" in c.stage("evaluate_outcomes").narrative
    assert lvef_check(baseline, later[1], lln, weeks_held=weeks_held).code == "continue"
    # ... with a re-loading dose, because the last dose (day 147) is more than a week late
    last_dose = 147
    reload = missed_dose("trastuzumab", 70, days_since_last_dose=int(later[0] - last_dose))
    assert reload.code == "reload" and reload.dose.dose_mg == 560
    evaluate = c.stage("evaluate_outcomes").item
    assert correct(evaluate, "resume-reload") and not correct(evaluate, "resume-maint")
    assert "560 mg" in next(o.text for o in evaluate.options if o.id == "resume-reload")
    # today's maintenance order matches drugs.yaml (6 mg/kg x 70 kg)
    doses = {ln.amount: ln.dose_mg for ln in calculate_dose("trastuzumab", 70, regimen=0).lines}
    assert doses[6] == 420
    assert "420 mg (6 mg/kg" in c.stage("generate_solutions").data.tables[0].value("Ordered today", "Detail")


def test_ild_case_follows_the_enhertu_label():
    c = load_case("ild-tdxd")
    table = c.stage("analyze_cues").data.tables[0]
    grade_now = pneumonitis_grade(
        symptoms=table.value("Symptoms present?", "Answer").startswith("yes"),
        limits_self_care=table.value("Self-care (washing, dressing, toileting)", "Answer") != "independent",
        oxygen=table.value("Oxygen needed at rest?", "Answer") != "no",
    )
    assert grade_now == 2
    cloze = c.stage("analyze_cues").item
    assert blank_answer(cloze, "grade") == f"grade-{grade_now}"
    assert ild_action(grade_now).code == "discontinue"
    plan = c.stage("generate_solutions").item
    assert blank_answer(plan, "plan") == "plan-stop"
    assert ild_action(1).code == "interrupt"  # the distractor "interrupt ... then restart" is the grade 1 rule
    assert "grade 1" in next(o.rationale for b in plan.blanks for o in b.options if o.id == "plan-interrupt")
    assert blank_answer(plan, "why1") == "why-symptoms"
    # after grade 2 ILD nothing restarts, whatever the timing
    evaluate = c.stage("evaluate_outcomes").item
    assert [o.id for o in evaluate.options if o.correct] == ["improving"]
    assert ild_action(1, days_to_resolution=14).code == "resume-same-dose"  # why 'restart-same' is tempting
    # the planned dose matches drugs.yaml: 5.4 mg/kg x 60 kg
    dose = calculate_dose("trastuzumab-deruxtecan", 60).lines[0].dose_mg
    assert dose == 324
    assert "324 mg (5.4 mg/kg × 60 kg)" in c.stage("generate_solutions").data.tables[0].value("Planned today",
                                                                                                 "Detail")


def test_neratinib_case_stool_counts_give_the_grades_and_actions_the_items_say():
    c = load_case("neratinib-diarrhoea")
    stage = c.stage("analyze_cues")
    baseline = next(r.value for r in stage.data.trend.reference_lines if "baseline" in r.label)
    diary = stage.data.tables[0]
    grades = {}
    for row in diary.rows:
        day = int(str(row[0]).split()[-1])
        grades[day] = diarrhea_grade(int(row[1]) - int(baseline)).grade
    matrix = stage.item
    for r in matrix.rows:
        day = int(r.id.split("-")[1])
        assert r.answer == f"grade-{grades[day]}", r.id
    # the trend plots the diary
    assert [(int(d), int(v)) for d, v in stage.data.trend.points] == [(int(str(r[0]).split()[-1]), r[1])
                                                                      for r in diary.rows]
    days_grade3 = sum(1 for g in grades.values() if g == 3)
    assert days_grade3 == 3
    action = neratinib_diarrhea_action(3, days_at_grade=days_grade3, complicated=True)
    assert action.code == "interrupt"
    assert neratinib_diarrhea_action(3, days_at_grade=days_grade3).code == "interrupt"  # even without dehydration
    plan = c.stage("generate_solutions").item
    assert {r.id: set(r.answers) for r in plan.rows}["stools"] == {"interrupt", "loperamide"}
    # the pump rate: 1,000 mL over 2 hours, as ordered in the stage 5 narrative
    assert "1,000 mL IV over 2 hours" in " ".join(c.stage("take_action").narrative.split())
    act = c.stage("take_action").item
    assert correct(act, "pump") and f"{1000 // 2} mL/h" in next(o.text for o in act.options if o.id == "pump")
    assert not correct(act, "pump-fast")
    # recovery: back to grade 1 on day 13, 3 days after the interruption on day 10
    evaluate = c.stage("evaluate_outcomes")
    table = evaluate.data.tables[0]
    now = diarrhea_grade(int(table.value("Stools in 24 hours", "Day 14")) - int(baseline)).grade
    assert blank_answer(evaluate.item, "grade") == f"now-g{now}"
    later = dict(evaluate.data.trend.points)
    recovered_on = min(d for d, v in later.items() if d > 10 and diarrhea_grade(int(v - baseline)).grade <= 1)
    assert recovered_on == 13
    restart = neratinib_diarrhea_action(3, days_at_grade=3, complicated=True, recovery_days=recovered_on - 10)
    assert restart.next_dose_mg == 240
    assert blank_answer(evaluate.item, "dose") == "dose-240"
    # the loperamide numbers match drugs.yaml
    ner = drugs.get("neratinib")
    assert "16 mg/day" in ner.regimens[0].given_with and "4 mg three times daily on days 1-14" in \
        ner.regimens[0].given_with
    assert "4 mg three times a day on days 1-14" in c.patient.summary


def test_phesgo_case_matches_drugs_yaml_and_the_reload_rule():
    c = load_case("phesgo-reaction")
    phesgo = drugs.get("pertuzumab-trastuzumab-hyaluronidase")
    loading = next(s for s in phesgo.regimens[0].steps if s.phase == "loading")
    text = c.stage("recognize_cues").narrative
    assert f"{loading.amount:,.0f} mg pertuzumab" in text  # 1,200 mg
    assert "15 mL" in loading.companion and "15 mL" in text
    assert f"about {loading.infusion_minutes}\n      minutes" in text or f"about {loading.infusion_minutes} minutes" \
        in " ".join(text.split())
    assert f"at least {loading.observe_minutes} minutes of observation" in " ".join(text.split())
    # 49 days since the last IV doses: the loading dose is given again
    result = missed_dose("pertuzumab-trastuzumab-hyaluronidase", days_since_last_dose=49)
    assert result.code == "reload" and result.dose.dose_mg == loading.amount
    assert "49 days" in c.patient.summary
    # the label stops Phesgo for anaphylaxis
    assert any("anaphylaxis" in r and r.startswith("Stop") for r in phesgo.hold_rules)
    assert blank_answer(c.stage("evaluate_outcomes").item, "future") == "fut-stop"
    assert correct(c.stage("prioritize_hypotheses").item, "anaphylaxis")
    # observation after a maintenance dose is the 15-minute distractor
    maint = next(s for s in phesgo.regimens[0].steps if s.phase == "maintenance")
    assert maint.observe_minutes == "15"


def test_zongertinib_case_grades_and_doses_match_ctcae_and_drugs_yaml():
    c = load_case("zongertinib-liver")
    zon = drugs.get("zongertinib")
    labs = c.stage("recognize_cues").data.tables[0]
    alt = float(labs.value("ALT (U/L)", "Week 6"))
    bili = float(labs.value("Total bilirubin (mg/dL)", "Week 6"))
    uln_alt, uln_bili = 40, 1.2  # the reference ranges in the patient summary
    assert "ALT 7-40 U/L" in c.patient.summary and "0.2-1.2 mg/dL" in c.patient.summary
    assert ctcae_transaminase_grade(alt, uln_alt) == 3
    assert bili <= uln_bili  # no bilirubin rise: interrupt, not stop
    numeric = c.stage("analyze_cues").item
    assert numeric.answer.value == round(alt / uln_alt, 1)
    rule = next(r for r in zon.hold_rules if r.startswith("Liver"))
    assert "grade 3 or 4 ALT/AST without a rise in bilirubin: interrupt" in rule
    plan = c.stage("generate_solutions").item
    assert (blank_answer(plan, "plan"), blank_answer(plan, "why")) == ("plan-interrupt", "why-g3")
    # dose: 120 mg under 90 kg, one level lower is 60 mg
    regimen = next(r for r in zon.regimens if "under 90 kg" in r.setting)
    assert regimen.steps[0].amount == 120 and "74 kg" in c.patient.summary
    assert "Dose reduction: 60 mg" in regimen.duration
    later = c.stage("evaluate_outcomes").data.tables[0]
    assert ctcae_transaminase_grade(float(later.value("ALT (U/L)", "Week 8")), uln_alt) == 1
    assert ctcae_transaminase_grade(float(later.value("AST (U/L)", "Week 8")), 40) == 1
    evaluate = c.stage("evaluate_outcomes").item
    assert [o.id for o in evaluate.options if o.correct] == ["restart-60"]
    # monitoring schedule as drugs.yaml says
    assert any("every 2 weeks for the first 12 weeks" in m for m in zon.monitoring)


# ---- bad case files: precise messages -------------------------------------------------------------------------------

def test_a_missing_stage_is_named(tmp_path):
    raw = raw_case()
    del raw["stages"][4]
    problems = problems_for(tmp_path, raw)
    assert ("lvef-trastuzumab", "stages", "a case needs exactly 6 stages, one per CJMM step in order "
            f"({', '.join(CJMM_STEPS)}); found 5; missing: take_action") in problems
    assert ("lvef-trastuzumab, stage 5", "step", "'evaluate_outcomes' is out of order: stage 5 must be 'take_action' "
            f"(the CJMM order is {', '.join(CJMM_STEPS)})") in problems


def test_stages_in_the_wrong_order_are_named(tmp_path):
    raw = raw_case()
    raw["stages"][2], raw["stages"][3] = raw["stages"][3], raw["stages"][2]
    problems = problems_for(tmp_path, raw)
    assert [(i, f) for i, f, _ in problems] == [("lvef-trastuzumab, stage 3", "step"),
                                                ("lvef-trastuzumab, stage 4", "step")]
    assert problems[0][2].startswith("'generate_solutions' is out of order: stage 3 must be 'prioritize_hypotheses'")


def test_an_item_step_that_contradicts_its_stage_is_named(tmp_path):
    raw = raw_case()
    raw["stages"][0]["item"]["cjmm_step"] = "take_action"
    [(item, field, msg)] = problems_for(tmp_path, raw)
    assert (item, field) == ("lvef-trastuzumab, stage 1", "item.cjmm_step")
    assert "does not match the stage's step 'recognize_cues'" in msg


@pytest.mark.parametrize(("stage", "mutate", "field", "message"), [
    (0, lambda it: it["options"][4].pop("rationale"), "item.options[4].rationale", "required field is missing"),
    (0, lambda it: it.update(type="essay"), "item.type", "'essay' is not a question type"),
    (2, lambda it: it["rows"][0].update(answer="maybe"), "item.rows", "row 'ctrcd' answers 'maybe'"),
    (3, lambda it: it["rows"][0].update(answer="maybe"), "item.rows", "row 'hold' answers 'maybe'"),
    (5, lambda it: [o.update(correct=True) for o in it["options"]], "item.options",
     "exactly one correct option, found 4"),
    (1, lambda it: it.update(colour="red"), "item.colour", "unknown field"),
    (4, lambda it: it.update(learning_outcome="LO9.9"), "item.learning_outcome",
     "'LO9.9' is not one of this case's learning outcomes"),
])
def test_item_errors_name_case_stage_and_field(tmp_path, stage, mutate, field, message):
    raw = raw_case()
    mutate(raw["stages"][stage]["item"])
    problems = problems_for(tmp_path, raw)
    assert any(i == f"lvef-trastuzumab, stage {stage + 1}" and f == field and message in m
               for i, f, m in problems), problems


def test_an_unknown_reference_key_is_named(tmp_path):
    raw = raw_case()
    raw["stages"][1]["item"]["reference"] = ["label-herceptin", "ghost2030"]
    [(item, field, msg)] = problems_for(tmp_path, raw)
    assert (item, field) == ("lvef-trastuzumab, stage 2", "item.reference")
    assert msg.startswith("reference key 'ghost2030' is not in references.bib")


@pytest.mark.parametrize(("mutate", "item", "field", "message"), [
    (lambda r: r["stages"][0]["data"]["tables"][0]["rows"][0].append("extra"), "lvef-trastuzumab, stage 1",
     "data.tables[0]", "table 'vital signs and weight': row 1 has 5 cells, expected 4 (one per column)"),
    (lambda r: r["stages"][0]["data"]["trend"]["points"].append([100, 50]), "lvef-trastuzumab, stage 1",
     "data.trend.points", "days must increase from point to point: point 4 (day 100) does not come after day 164"),
    (lambda r: r["stages"][2].update(data={}), "lvef-trastuzumab, stage 3", "data",
     "a stage needs data: at least one table or a trend"),
    (lambda r: r["stages"][0].pop("narrative"), "lvef-trastuzumab, stage 1", "narrative",
     "required field is missing"),
    (lambda r: r.update(drug="herceptin"), "lvef-trastuzumab", "drug", "'herceptin' is not a drug id in drugs.yaml"),
    (lambda r: r["learning_outcomes"].update({"outcome 8": "x"}), "lvef-trastuzumab", "learning_outcomes",
     "learning outcome key 'outcome 8' should look like 'LO7.1'"),
])
def test_data_errors_name_case_stage_and_field(tmp_path, mutate, item, field, message):
    raw = raw_case()
    mutate(raw)
    problems = problems_for(tmp_path, raw)
    assert (item, field, message) in problems, problems


BOWTIE = {
    "id": "ch7-lvef-plan", "type": "bowtie", "stem": "Complete the bow-tie.", "explanation": "Hold and recheck.",
    "learning_outcome": "LO7.4", "difficulty": "easy", "reference": ["label-herceptin"],
    "groups": [
        {"id": "actions", "label": "Actions to take", "choose": 2, "options": [
            {"id": f"a{n}", "text": f"Action {n}", "correct": n < 2, "rationale": "Why."} for n in range(5)]},
        {"id": "condition", "label": "Condition most likely", "choose": 1, "options": [
            {"id": f"c{n}", "text": f"Condition {n}", "correct": n == 0, "rationale": "Why."} for n in range(4)]},
        {"id": "monitor", "label": "Parameters to monitor", "choose": 2, "options": [
            {"id": f"m{n}", "text": f"Parameter {n}", "correct": n < 2, "rationale": "Why."} for n in range(5)]}]}


def test_a_bowtie_inside_a_case_stage_is_rejected(tmp_path):
    raw = raw_case()
    raw["stages"][3]["item"] = copy.deepcopy(BOWTIE)
    [(item, field, msg)] = problems_for(tmp_path, raw)
    assert (item, field) == ("lvef-trastuzumab, stage 4", "item.type")
    assert msg.startswith("'bowtie' in a case stage: NGN uses the bow-tie as a stand-alone item")


def test_the_take_action_stage_must_offer_a_choice_of_actions(tmp_path):
    raw = raw_case()
    stage5 = raw["stages"][4]["item"]
    raw["stages"][4]["item"] = {
        "id": stage5["id"], "type": "numeric", "stem": "What is the pump rate in mL/h?", "explanation": "1000/2.",
        "learning_outcome": "LO7.4", "difficulty": "easy", "reference": ["label-herceptin"],
        "rationale": "The liter runs over 2 hours.",
        "answer": {"value": 500, "unit": "mL/h", "tolerance": 0, "rounding": "Give a whole number."}}
    problems = problems_for(tmp_path, raw)
    assert ("lvef-trastuzumab, stage 5", "item.type",
            "the take-action stage must ask which actions to take: 'numeric' cannot; use one of "
            + ", ".join(ACTION_TYPES)) in problems, problems


def test_file_name_and_id_must_match(tmp_path):
    [(item, field, msg)] = problems_for(tmp_path, raw_case(), name="lvef-copy")
    assert (item, field, msg) == ("lvef-trastuzumab", "id", "'lvef-trastuzumab' should match the file name "
                                  "'lvef-copy'")


def test_ids_and_patients_must_be_unique_across_cases(tmp_path):
    data = tmp_path / "data"
    (data / "cases").mkdir(parents=True)
    for name in ("lvef-trastuzumab", "lvef-copy"):
        raw = raw_case()
        raw["id"] = name
        (data / "cases" / f"{name}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    _, problems = validate(Layout(data_dir=data, bib=BIB))
    messages = [str(p) for p in problems]
    assert any("item 'lvef-trastuzumab, stage 1': field 'item.id': item id 'ch7-lvef-cues' is also used in case "
               "'lvef-copy'" in m for m in messages), messages
    assert any("field 'patient.name': 'Elena Petrova' is also the patient in case 'lvef-copy'" in m
               for m in messages), messages


def test_yaml_that_is_not_a_case_is_named(tmp_path):
    path = tmp_path / "x.yaml"
    case_obj, problems = parse_case(path, ["a", "list"])
    assert case_obj is None and "expected a mapping with 'id', 'patient' and 'stages', got list" in str(problems[0])


def test_load_case_reports_an_unknown_id():
    from her2course.errors import DataError

    with pytest.raises(DataError, match=r"no case 'nope'.*lvef-trastuzumab"):
        load_case("nope")


# ---- rendering ----------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def studies() -> dict[str, CaseStudy]:
    return {cid: case(cid) for cid in sorted(EXPECTED)}


def test_rendering_is_deterministic(studies):
    for cid, study in studies.items():
        again = case(cid)
        assert study.to_html() == again.to_html()
        assert [f.svg() if f else None for f in study.figures] == [f.svg() if f else None for f in again.figures]
        assert "0x" not in study._repr_mimebundle_()[0]["text/plain"]


def test_mimebundle_has_widget_view_static_html_and_fixed_text(studies):
    study = studies["lvef-trastuzumab"]
    data, _ = study._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"] == repr(study) == (
        "Case study 'Adjuvant trastuzumab with a falling LVEF' (lvef-trastuzumab): Elena Petrova, 6 stages, one "
        "question per clinical judgment step. Run this cell to load the questions.")
    assert data["text/html"] == study.to_html()


def test_each_stage_shows_data_then_its_question_from_the_quiz_engine(studies):
    for cid, study in studies.items():
        c = study.case
        page = study.to_html()
        positions = []
        for s, spec in zip(c.stages, study.specs, strict=True):
            assert spec == stage_spec(c, s)
            assert spec["id"] == f"{cid}-stage-{s.number}"
            assert [i["id"] for i in spec["items"]] == [s.item.id] and spec["items"][0]["cjmm_step"] == s.step
            head = page.index(f'id="her2-case-{cid}-stage-{s.number}-title"')
            quiz_div = page.index(fallback_html(spec))
            tables = [page.index(t, head) for t in re.findall(r'<div class="her2-table[^>]*>', page[head:quiz_div])]
            assert (s.data.tables and tables) or not s.data.tables
            if s.data.trend is not None:
                assert head < page.index(f'id="fig-{cid}-stage-{s.number}"') < quiz_div
            positions.append(quiz_div)
        assert positions == sorted(positions)
        assert page.count('class="her2-quiz"') == 6


def test_live_view_interleaves_stage_html_and_quiz_widgets(studies):
    import ipywidgets

    study = studies["neratinib-diarrhoea"]
    kids = study.children
    assert len(kids) == 14 and isinstance(kids[0], ipywidgets.HTML) and kids[1] is study.show_all
    assert all(isinstance(k, ipywidgets.HTML) for k in kids[2::2])
    assert all(isinstance(k, Quiz) for k in kids[3::2])
    assert [q.spec for q in kids[3::2]] == study.specs
    assert "her2-case" in study._dom_classes


def test_in_a_kernel_stage_n_plus_1_appears_only_after_stage_n_is_answered(studies):
    study = case("ild-tdxd")

    def shown() -> list[bool]:
        return [v[0].layout.display != "none" and v[1].layout.display != "none" for v in study.stage_views]

    assert shown() == [True, False, False, False, False, False]
    for n, (q, stage) in enumerate(zip(study.quizzes, study.case.stages, strict=True)):
        q.responses = {stage.item.id: {"response": keyed_response(stage.item), "attempts": 1, "checked": True,
                                       "revealed": False}}
        assert shown() == [i <= n + 1 for i in range(6)], n
    # a revealed answer counts as answered too; "Show all stages" shows everything at once and can be undone
    fresh = case("lvef-trastuzumab")
    fresh.quizzes[0].responses = {"ch7-lvef-cues": {"revealed": True}}
    assert fresh.visible() == [True, True, False, False, False, False]
    fresh.show_all.value = True
    assert fresh.visible() == [True] * 6
    fresh.show_all.value = False
    assert fresh.visible() == [True, True, False, False, False, False]


def _stage_text(stage) -> str:
    parts = [stage.title, stage.narrative]
    for t in stage.data.tables:
        parts += [t.caption, *map(str, t.columns), *(str(v) for row in t.rows for v in row)]
    return " ".join(" ".join(parts).lower().split())


def _keyed_texts(item) -> list[str]:
    if item.type in ("single", "sata"):
        return [o.text for o in item.options if o.correct]
    if item.type in ("cloze", "dropdown_rationale"):
        return [o.text for b in item.blanks for o in b.options if o.correct]
    if item.type == "matrix":
        return [f"{r.text} {next(c.text for c in item.columns if c.id == r.answer)}" for r in item.rows]
    if item.type == "numeric":
        return [f"{item.answer.value:g} {item.answer.unit}".strip()]
    return []


@pytest.mark.parametrize("case_id", sorted(EXPECTED))
def test_no_stage_gives_away_the_answer_of_a_later_stage(case_id):
    c = load_case(case_id)
    for later in c.stages:
        keys = [" ".join(k.lower().split()) for k in _keyed_texts(later.item)]
        for earlier in c.stages[: later.number - 1]:
            text = _stage_text(earlier)
            for key in keys:
                if len(key) > 12:  # a whole answer phrase (a bare dose such as "240 mg" can be today's order)
                    assert key not in text, (later.item.id, key, f"stage {earlier.number}")


def test_named_answers_appear_only_in_stages_after_they_are_asked():
    # the decisive words of the later answers are not in the earlier stages' story or data
    checks = {
        "ild-tdxd": [("grade 2", 2), ("discontinu", 4), ("corticosteroid", 4), ("prednisolone", 4)],
        "lvef-trastuzumab": [("hold", 4), ("held", 4), ("cardiomyopathy", 3)],
        "neratinib-diarrhoea": [("grade 3", 2), ("interrupt", 4), ("500 ml/h", 5)],
        "phesgo-reaction": [("anaphylaxis", 3), ("epinephrine", 4), ("second dose", 5)],
        "zongertinib-liver": [("grade 3", 2), ("interrupt", 4), ("60 mg", 6)],
    }
    for cid, words in checks.items():
        c = load_case(cid)
        for word, asked in words:
            for s in c.stages[: asked - 1]:
                assert not re.search(rf"\b{re.escape(word)}", _stage_text(s)), (cid, word, s.number)


def test_answers_in_a_stage_reach_the_python_grader(studies, tmp_path, monkeypatch):
    from her2course.quiz import progress

    monkeypatch.setenv(progress.ENV, str(tmp_path / "progress.sqlite3"))
    study = case("neratinib-diarrhoea")
    q = study.quizzes[4]  # the actions at stage 5
    q.responses = {"ch7-ner-act": {"response": ["pump", "stool", "potassium", "standing"], "attempts": 1,
                                   "checked": True, "revealed": False}}
    assert study.score == (4, 4)
    rows = progress.rows(tmp_path / "progress.sqlite3")
    assert [(r["chapter"], r["item"], r["status"]) for r in rows] == [("neratinib-diarrhoea", "ch7-ner-act",
                                                                       "correct")]


def test_figures_have_alt_text_generated_from_the_data(studies):
    for study in studies.values():
        for s, fig in zip(study.case.stages, study.figures, strict=True):
            if s.data.trend is None:
                assert fig is None
                continue
            word = axis_word(s.data.trend)
            for day, value in s.data.trend.points:
                assert f"{word} {day:g}: {value:g}" in fig.alt
            for line in s.data.trend.reference_lines:
                assert line.label in fig.alt
            assert fig.alt in html.unescape(study.to_html())


def test_static_html_is_offline_and_ids_are_unique_on_one_page(studies):
    page = "\n".join(s.to_html() for s in studies.values())
    uris = re.findall(r'src="(data:[^"]*)"', page)
    assert len(uris) == sum(f is not None for s in studies.values() for f in s.figures)
    narrow = re.findall(r'srcset="(data:[^"]*)"', page)  # each figure's drawing for phones
    assert len(narrow) == len(uris)
    uris += narrow
    outside = re.sub(r'src(?:set)?="data:[^"]*"', 'src=""', page)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|<script|<iframe|<link", outside, re.I)
    for uri in uris:
        head, _, body = uri.partition(",")
        assert head.startswith("data:image/svg+xml")
        svg = base64.b64decode(body).decode("utf-8") if head.endswith(";base64") else unquote(body)
        # XML namespace names (http://www.w3.org/...) are identifiers, never fetched; nothing else may be a URL
        assert not re.findall(r"https?://(?!www\.w3\.org/)", svg)
        assert not re.search(r"""href=["']https?://""", svg)
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    # the quiz engine's spec carries no link either
    for study in studies.values():
        for spec in study.specs:
            assert "http" not in json.dumps(spec)


def test_case_quiz_builds_the_six_items_in_order():
    q = case_quiz("phesgo-reaction")
    assert [i["cjmm_step"] for i in q.spec["items"]] == list(CJMM_STEPS)
    assert q.spec["id"] == "phesgo-reaction" and len(q.spec["items"]) == 6


def test_trend_figure_is_none_without_a_trend():
    c = load_case("lvef-trastuzumab")
    assert trend_figure(c, c.stage("prioritize_hypotheses")) is None
    assert trend_figure(c, c.stage("recognize_cues")).name == "lvef-trastuzumab-stage-1"


def test_case_accepts_a_path(tmp_path):
    raw = copy.deepcopy(raw_case("zongertinib-liver"))
    path = tmp_path / "zongertinib-liver.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert case(str(path)).case.title == load_case("zongertinib-liver").title


# ---- the chapter 4 case (prose in the notebook): stage 4 acts on grade 2 bilirubin on tucatinib ----------------

def _ctcae5_bilirubin_grade(times_uln: float) -> int:
    """CTCAE v5.0 blood bilirubin increased, baseline normal: >ULN-1.5, >1.5-3.0, >3.0-10.0, >10.0 x ULN."""
    return 0 if times_uln <= 1 else 1 if times_uln <= 1.5 else 2 if times_uln <= 3 else 3 if times_uln <= 10 else 4


def test_chapter_4_case_stage_4_holds_tucatinib_for_grade_2_bilirubin():
    nb = json.loads((ROOT / "notebooks" / "deeper-04-resistance-biology.ipynb").read_text(encoding="utf-8"))
    source = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    stage = source.split("### Stage 4: changing goals", 1)[1].split("\n## ", 1)[0]
    table, actions = stage.split("```{dropdown}", 1)
    bili = float(re.search(r"\| Bilirubin \| Normal \| ([\d.]+) times upper limit of normal \|", table).group(1))
    alt = float(re.search(r"\| ALT \| Normal \| ([\d.]+) times upper limit of normal \|", table).group(1))
    assert _ctcae5_bilirubin_grade(bili) == 2
    # the tucatinib card (drugs.yaml) holds for grade 2 bilirubin, and stops for ALT/AST > 3 x ULN with bilirubin > 2
    rules = " ".join(drugs.get("tucatinib").hold_rules)
    assert "grade 2 bilirubin (over 1.5 to 3 times normal): hold until grade 1 or better, same dose" in rules
    assert "ALT or AST over 3 times normal together with bilirubin over 2 times normal" in rules
    assert not (alt > 3 and bili > 2)  # so the case holds, it does not stop
    first = next(line for line in actions.splitlines() if line.startswith("- "))
    assert first.startswith("- Acts first on the bilirubin") and "grade 2" in first
    assert "hold tucatinib until the bilirubin is grade 1 or better, then resume at the same dose" in first
    assert "calls the oncologist today" in first and "not to take more tucatinib" in first
    # the chapter 4 item about this stage agrees: third-line tucatinib, palliative care already involved
    from her2course.quiz.bank import load_bank
    item = next(i for i in load_bank("04-resistance").items if i.id == "ch4-goals-evaluate")
    assert "third-line tucatinib" in " ".join(item.stem.split())
    assert "existing palliative care involvement" in stage
    key = next(o for o in item.options if o.correct)
    assert "starting with the palliative care team" not in key.text
    assert "see more of the palliative care team" in key.text


def test_phesgo_case_stops_the_injection_calls_for_help_and_gives_epinephrine_first():
    c = load_case("phesgo-reaction")
    first = " ".join(c.stage("recognize_cues").narrative.split())
    # at the first systemic sign (minute 6) the injection stops, the needle comes out and help is called
    assert "stops the injection at once, withdraws the needle" in first and "calls out for help" in first
    for s in c.stages:
        assert "needle is still in" not in " ".join(s.narrative.split())
    # the minute-7 findings are the pattern of anaphylaxis, and epinephrine is given at minute 7, repeated 5 minutes on
    plan = c.stage("generate_solutions").item
    assert matrix_answer(plan, "epi") == "indicated" and matrix_answer(plan, "antihistamine") == "contraindicated"
    order = c.stage("generate_solutions").narrative
    assert "0.5 mg" in order and "5 minutes" in order
    assert blank_answer(c.stage("take_action").item, "act") == "act-repeat"
    last = " ".join(c.stage("evaluate_outcomes").narrative.split())
    first_epi = int(re.search(r"epinephrine at minute (\d+)", last).group(1))
    repeat = int(re.search(r"at minute (\d+), because", last).group(1))
    assert first_epi - 6 <= 1 and repeat - first_epi == 5
    # the trend and the tables tell the same story at minute 7
    assert tuple(c.stage("analyze_cues").data.trend.points[-1]) == (7, 88)
    assert c.stage("analyze_cues").data.tables[0].value("Blood pressure (mmHg)", "At minute 7") == "88/54"
