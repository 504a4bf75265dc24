"""Grading: the Python grader and the JavaScript grader run the same vectors; property tests for Python."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from her2course.quiz.grading import grade, max_score, parse_number
from her2course.quiz.schema import MODELS

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "quiz_vectors.json").read_text(encoding="utf-8"))
ITEMS = {raw["id"]: MODELS[raw["type"]].model_validate(raw) for raw in VECTORS["bank"]}


@pytest.mark.parametrize("case", VECTORS["cases"], ids=[f"{c['item']}: {c['note']}" for c in VECTORS["cases"]])
def test_python_grader_matches_the_vectors(case):
    assert grade(ITEMS[case["item"]], case["response"]).to_dict() == case["expected"]


def test_vectors_cover_every_type_and_status():
    types = {ITEMS[c["item"]].type for c in VECTORS["cases"]}
    assert types == set(MODELS)
    statuses = {c["expected"]["status"] for c in VECTORS["cases"]}
    assert statuses == {"correct", "partial", "incorrect", "invalid"}


def test_javascript_grader_matches_the_vectors():
    """Runs `node --test tests/js/` (quiz.js against the same vectors), so one pytest run covers both graders."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    run = subprocess.run([node, "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", "--test", "tests/js/"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert f"# pass {len(VECTORS['cases']) + 4}" in run.stdout


# --------------------------------------------------------------------------------------------- properties

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(item_id=st.sampled_from(sorted(ITEMS)), response=json_values)
def test_any_response_is_graded_without_error_within_bounds(item_id, response):
    item = ITEMS[item_id]
    r = grade(item, response)
    assert 0 <= r.score <= r.max == max_score(item)
    assert r.status in {"correct", "partial", "incorrect", "invalid"}
    assert (r.status == "invalid") == bool(r.message)
    if r.status == "correct":
        assert r.score == r.max


sata = ITEMS["t-sata"]
sata_ids = [o.id for o in sata.options]


@given(st.lists(st.sampled_from(sata_ids), min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_sata_order_and_repeats_never_matter(choice, rnd):
    shuffled = choice[:]
    rnd.shuffle(shuffled)
    assert grade(sata, choice) == grade(sata, shuffled) == grade(sata, sorted(set(choice)))


@given(st.sets(st.sampled_from(sata_ids), min_size=1))
def test_sata_score_is_ngn_plus_minus_with_floor(chosen):
    right = {o.id for o in sata.options if o.correct}
    r = grade(sata, sorted(chosen))
    assert r.score == max(0, len(chosen & right) - len(chosen - right))
    assert (r.status == "correct") == (chosen == right)


@given(st.sets(st.sampled_from(sata_ids), min_size=1), st.sampled_from(sata_ids))
def test_sata_adding_a_correct_option_never_lowers_the_score(chosen, extra):
    if next(o for o in sata.options if o.id == extra).correct:
        assert grade(sata, sorted(chosen | {extra})).score >= grade(sata, sorted(chosen)).score


@given(st.permutations([o.id for o in ITEMS["t-ordered"].options]))
def test_ordered_is_all_or_nothing(order):
    r = grade(ITEMS["t-ordered"], list(order))
    assert r.score == (1 if list(order) == [o.id for o in ITEMS["t-ordered"].options] else 0)
    assert len(r.marks) == len(order)


matrix = ITEMS["t-matrix"]


@given(st.fixed_dictionaries({r.id: st.sampled_from([c.id for c in matrix.columns]) for r in matrix.rows}))
def test_matrix_scores_one_per_correct_row(answers):
    assert grade(matrix, answers).score == sum(answers[r.id] == r.answer for r in matrix.rows)


@given(st.decimals(min_value=-10000, max_value=10000, places=2, allow_nan=False, allow_infinity=False))
def test_numeric_reads_points_and_commas_alike(value):
    text = f"{value:.2f}"
    point, comma = parse_number(text), parse_number(text.replace(".", ","))
    assert point.value == pytest.approx(float(value))
    assert comma.value == point.value
    assert grade(ITEMS["t-numeric"], text + " mg/kg") == grade(ITEMS["t-numeric"], text)


@given(st.text(alphabet=st.characters(categories=["L", "P", "S", "Z"]), max_size=10))
def test_numeric_text_without_digits_gets_a_message_never_a_wrong_mark(text):
    r = grade(ITEMS["t-numeric"], text)
    assert r.status == "invalid" and r.message


@pytest.mark.parametrize(("text", "value", "unit"), [
    ("5.4", 5.4, ""), ("5,4", 5.4, ""), ("5.4 mg/kg", 5.4, "mg/kg"), (" 12 ", 12.0, ""), ("1,000,000", 1e6, ""),
    ("0,125", 0.125, ""), ("-2", -2.0, ""), (".5", 0.5, ""), ("5.", 5.0, ""), ("10 %", 10.0, "%"),
])
def test_parse_number(text, value, unit):
    p = parse_number(text)
    assert (p.value, p.unit, p.message) == (value, unit, "")


@pytest.mark.parametrize(("text", "needle"), [
    ("", "Type your answer"), ("abc", "not a number"), ("1,250", "could mean 1250 or 1.250"), ("5..4", "not a number"),
    ("1.250,5", "mixes commas and points"), ("1,2,3", "not a number"),
])
def test_parse_number_messages(text, needle):
    p = parse_number(text)
    assert p.value is None and needle in p.message
