"""Grading: the Python grader and the JavaScript grader run the same vectors; property tests for Python.

Beyond the hand-written vectors (tests/quiz_vectors.json), a seeded generator (tests/quiz_responses.py) makes
10,000 responses per item type: every one must be graded without an exception within the rules below, and
quiz.js must grade every one exactly as Python does (tests/js/compare_vectors.mjs).
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from her2course.quiz.grading import MAX_ANSWER_LENGTH, grade, max_score, parse_number
from her2course.quiz.schema import MODELS, Highlight, MatrixMulti, Numeric

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quiz_responses import response_for

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


JS_EXTRA_TESTS = 8  # the tests in tests/js/grading.test.mjs besides one per vector


def test_javascript_grader_matches_the_vectors():
    """Runs `node --test tests/js/` (quiz.js against the same vectors), so one pytest run covers both graders."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    run = subprocess.run([node, "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", "--test", "tests/js/"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert f"# pass {len(VECTORS['cases']) + JS_EXTRA_TESTS}" in run.stdout


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


@pytest.mark.parametrize(("text", "needle"), [
    ("5" * (MAX_ANSWER_LENGTH + 1), "too long"), ("1" * 64_000 + "..", "too long"), (True, "Type your answer"),
    (float("inf"), "not a number"), (float("nan"), "not a number"), (10**400, "not a number"), ([5.4], "Type"),
])
def test_parse_number_refuses_with_a_message(text, needle):
    p = parse_number(text)
    assert p.value is None and needle in p.message


@pytest.mark.parametrize("number", [5.4, 54, 0, -0.0, 1250, 1e21, 1e-7, 2**53 + 1])
def test_a_json_number_is_read_as_itself(number):
    """A response that arrives as a number (the live widget, a stored answer) is that number, however Python or
    JavaScript would print it (1e21, 1e-07)."""
    assert parse_number(number).value == float(number)


def test_reading_a_number_is_linear_in_its_length():
    """The patterns never backtrack: a million characters of the inputs that once took 33 s for 64,000 are read
    at once. The uncapped reader runs in a subprocess whose timeout is the failure (no time is asserted)."""
    code = (
        "from her2course.quiz.grading import read_number\n"
        "n = 1_000_000\n"
        "for s in ['1' * n + '..', '1' * n + ',', '1,' * (n // 2) + 'x', '.' * n + 'x', '1.' * (n // 2),\n"
        "          '1,234' * (n // 5) + '.5.', '1' * n + ' ' + 'x' * n, '+' + '9' * n]:\n"
        "    read_number(s)\n"
        "print('read')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "read" in run.stdout, run.stderr[-2000:]


def test_javascript_reads_numbers_in_linear_time_too():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    code = (
        'const { readNumber } = await import("./src/her2course/static/quiz.js");\n'
        "const n = 1000000; const r = (s, k) => s.repeat(k);\n"
        'for (const s of [r("1", n) + "..", r("1", n) + ",", r("1,", n / 2) + "x", r(".", n) + "x", r("1.", n / 2),\n'
        '                 r("1,234", n / 5) + ".5.", r("1", n) + " " + r("x", n)]) {\n'
        "  readNumber(s);\n"
        "}\n"
        'console.log("read");\n'
    )
    run = subprocess.run([node, "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", "--input-type=module", "-e", code],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and "read" in run.stdout, run.stderr[-2000:]


# --------------------------------------------------------------------------------------------- generated responses

PER_TYPE = 10_000
SEED = 20261207


def _items_by_type() -> dict[str, list]:
    """The vectors' test items and real items from the course's banks and cases, grouped by type."""
    from her2course.cases.loader import validate as validate_cases
    from her2course.paths import package_layout
    from her2course.quiz.bank import validate as validate_banks

    layout = package_layout()
    real = list(validate_banks(layout)[0])
    for case in validate_cases(layout)[0]:
        real += [stage.item for stage in case.stages]
    out: dict[str, list] = {t: [i for i in ITEMS.values() if i.type == t] for t in MODELS}
    rng = random.Random(SEED)
    for t in MODELS:
        of_type = sorted((i for i in real if i.type == t), key=lambda i: i.id)
        out[t] += rng.sample(of_type, min(5, len(of_type)))
    return out


@pytest.fixture(scope="module")
def generated() -> dict[str, list[tuple]]:
    """{type: [(item, response, well_formed)]}, PER_TYPE responses per item type, the same on every run."""
    rng = random.Random(SEED)
    out = {}
    for t, items in _items_by_type().items():
        out[t] = [(item, *response_for(item, rng)) for item in (rng.choice(items) for _ in range(PER_TYPE))]
    return out


@pytest.mark.parametrize("item_type", list(MODELS))
def test_generated_responses_are_graded_totally_and_consistently(generated, item_type):
    cases = generated[item_type]
    assert len(cases) >= 10_000
    statuses = set()
    for item, response, well_formed in cases:
        before = copy.deepcopy(response)
        r = grade(item, response)
        where = f"{item.id} {json.dumps(response)[:200]}"
        assert response == before, f"the grader changed the response: {where}"
        assert r.status in {"correct", "partial", "incorrect", "invalid"}, where
        assert 0 <= r.score <= r.max == max_score(item), where
        assert (r.status == "invalid") == bool(r.message), where
        assert {"correct": r.score == r.max, "incorrect": r.score == 0, "partial": 0 < r.score < r.max,
                "invalid": r.score == 0 and not r.marks}[r.status], where
        if well_formed:
            assert r.status != "invalid", f"{where}: {r.message}"
        keys = ({f"d{i + 1}" for i in range(len(item.distractors))} if isinstance(item, Numeric)
                else _option_keys(item))
        assert {m.key for m in r.marks} <= keys, where
        json.dumps(r.to_dict(), allow_nan=False)
        statuses.add(r.status)
    assert statuses >= {"correct", "incorrect", "invalid"}, statuses


def _option_keys(item) -> set[str]:
    keys = {o.id for o in getattr(item, "options", [])} | {r.id for r in getattr(item, "rows", [])}
    if isinstance(item, MatrixMulti):
        keys = {f"{r.id}:{c.id}" for r in item.rows for c in item.columns}
    if isinstance(item, Highlight):
        keys = {pid for pid, *_ in item.parts()}
    for part in [*getattr(item, "blanks", []), *getattr(item, "groups", [])]:
        keys |= {o.id for o in part.options}
    return keys


def test_javascript_grades_every_generated_response_as_python_does(generated, tmp_path):
    """All 100,000 generated responses, graded by quiz.js in node and compared field by field with Python."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    bank: dict[str, dict] = {}
    cases = []
    for triples in generated.values():
        for item, response, _ in triples:
            bank.setdefault(item.id, {"type": item.type, **item.model_dump(mode="json")})
            cases.append({"item": item.id, "response": response, "expected": grade(item, response).to_dict()})
    path = tmp_path / "generated_vectors.json"
    path.write_text(json.dumps({"bank": list(bank.values()), "cases": cases}, allow_nan=False), encoding="utf-8")
    run = subprocess.run([node, "--disable-warning=MODULE_TYPELESS_PACKAGE_JSON", "tests/js/compare_vectors.mjs",
                          str(path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert f"{len(cases)} responses graded alike" in run.stdout
