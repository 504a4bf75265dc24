"""Question banks: the schema rejects each kind of error with file, item id and field; the chapter 1 bank is sound."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml

from her2course import check
from her2course.paths import Layout
from her2course.quiz.bank import load_bank, parse_bank, validate
from her2course.quiz.schema import CJMM_STEPS, ITEM_TYPES, KNOWLEDGE

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "quiz_vectors.json").read_text(encoding="utf-8"))
BIB = ROOT / "book" / "references.bib"


def bank_dict(items: list[dict]) -> dict:
    return {"chapter": "zz-bank", "title": "T", "learning_outcomes": VECTORS["learning_outcomes"], "items": items}


def good_items() -> list[dict]:
    return copy.deepcopy(VECTORS["bank"])


def write_layout(tmp_path: Path, items: list[dict]) -> Layout:
    data = tmp_path / "data"
    (data / "questions").mkdir(parents=True)
    (data / "questions" / "zz-bank.yaml").write_text(yaml.safe_dump(bank_dict(items), sort_keys=False))
    return Layout(data_dir=data, bib=BIB)


def problems_for(tmp_path: Path, items: list[dict]) -> list[tuple[str | None, str | None, str]]:
    _, problems = validate(write_layout(tmp_path, items))
    for p in problems:
        assert Path(p.file).name == "zz-bank.yaml"
    return [(p.item, p.field, p.message) for p in problems]


def test_test_bank_is_valid(tmp_path):
    items, problems = validate(write_layout(tmp_path, good_items()))
    assert problems == []
    assert {i.type for i in items} == set(ITEM_TYPES)


def test_single_with_two_correct_is_rejected(tmp_path):
    items = good_items()
    items[0]["options"][0]["correct"] = True
    [(item, field, msg)] = problems_for(tmp_path, items)
    assert (item, field) == ("t-single", "options")
    assert "exactly one correct option, found 2" in msg


def test_sata_with_none_correct_is_rejected(tmp_path):
    items = good_items()
    for o in items[1]["options"]:
        o["correct"] = False
    [(item, field, msg)] = problems_for(tmp_path, items)
    assert (item, field) == ("t-sata", "options")
    assert "at least one correct option" in msg


@pytest.mark.parametrize(("index", "path", "field"), [
    (0, ("options", 2), "options[2].rationale"),
    (1, ("options", 0), "options[0].rationale"),
    (4, ("options", 1), "options[1].rationale"),
    (5, ("rows", 0), "rows[0].rationale"),
    (6, ("blanks", 1, "options", 0), "blanks[1].options[0].rationale"),
    (7, ("groups", 2, "options", 3), "groups[2].options[3].rationale"),
])
def test_an_option_without_rationale_is_rejected(tmp_path, index, path, field):
    items = good_items()
    target = items[index]
    for step in path:
        target = target[step]
    del target["rationale"]
    [(item, got_field, msg)] = problems_for(tmp_path, items)
    assert (item, got_field) == (items[index]["id"], field)
    assert msg == "required field is missing"


def test_unknown_reference_key_is_rejected(tmp_path):
    items = good_items()
    items[2]["reference"] = ["wolff2018", "nosuchkey1999"]
    [(item, field, msg)] = problems_for(tmp_path, items)
    assert (item, field) == ("t-numeric", "reference")
    assert "nosuchkey1999" in msg


def test_duplicate_id_is_rejected(tmp_path):
    items = good_items()
    items[3]["id"] = "t-single"
    found = problems_for(tmp_path, items)
    assert ("t-single", "id", "duplicate id (also item #1)") in found


def test_bad_type_is_rejected(tmp_path):
    items = good_items()
    items[0]["type"] = "essay"
    [(item, field, msg)] = problems_for(tmp_path, items)
    assert (item, field) == ("t-single", "type")
    assert "'essay' is not a question type" in msg and "bowtie" in msg


@pytest.mark.parametrize(("mutate", "field", "needle"), [
    (lambda it: it[0].update(cjmm_step="guess"), "cjmm_step", "recognize_cues"),
    (lambda it: it[0].update(learning_outcome="LO9.9"), "learning_outcome", "LO9.9"),
    (lambda it: it[0].update(difficulty="trivial"), "difficulty", "easy"),
    (lambda it: it[0].update(colour="red"), "colour", "unknown field"),
    (lambda it: it[0].pop("explanation"), "explanation", "missing"),
    (lambda it: it[5]["rows"][0].update(answer="maybe"), "rows", "not a column id"),
    (lambda it: it[6].update(text="No blanks here."), "blanks", "must appear exactly once"),
    (lambda it: it[6]["blanks"][0]["options"][1].update(correct=True), "blanks[0].options", "exactly one correct"),
    (lambda it: it[7]["groups"][0]["options"][1].update(correct=True), "groups[0]", "exactly 2 correct"),
    (lambda it: it[2]["answer"].pop("rounding"), "answer.rounding", "missing"),
    # highlight: text and spans agree, in order, with a part to select; or a table whose rows fit its columns
    (lambda it: it[8].update(text="No spans here {{h1}}."), "(item)", "span 'h2' must appear exactly once"),
    (lambda it: it[8]["spans"].reverse(), "(item)", "list the spans in the order the text places them"),
    (lambda it: [sp.update(correct=False) for sp in it[8]["spans"]], "(item)", "at least one part"),
    (lambda it: it[8].update(table=it[9]["table"]), "(item)", "either 'text' with 'spans' or a 'table'"),
    (lambda it: it[9]["table"]["rows"][0]["cells"].append("extra"), "table", "row 'r1' has 3 cells, expected 2"),
    (lambda it: it[9]["table"].update(rows=it[9]["table"]["rows"][:2]), "table.rows", "at least 3"),
    # matrix_multi: every answer a column, at least one per row
    (lambda it: it[10]["rows"][0].update(answers=["c1", "c9"]), "rows", "answers 'c9', which is not a column id"),
    (lambda it: it[10]["rows"][0].update(answers=[]), "rows[0].answers", "at least 1"),
    (lambda it: it[10]["rows"][0].update(answers=["c1", "c1"]), "rows", "lists a column twice"),
    # drop-down rationale: two or three blanks, claim first, one key each
    (lambda it: it[11]["blanks"].reverse(), "blanks", "list the blanks in the order the text places them"),
    (lambda it: it[12]["blanks"].append({"id": "why3", "options": it[12]["blanks"][2]["options"]}), "blanks",
     "at most 3"),
    (lambda it: it[11]["blanks"][1]["options"][0].update(correct=True), "blanks[1].options", "exactly one correct"),
    # trend data: two time points at least, rows as long as the columns
    (lambda it: it[13]["data"].update(columns=["Measure", "Day 1"], rows=[["Heart rate", 72]]), "data",
     "at least two time-point columns"),
    (lambda it: it[13]["data"]["rows"][0].pop(), "data", "row 1 has 3 cells, expected 4"),
])
def test_other_errors_name_the_field(tmp_path, mutate, field, needle):
    items = good_items()
    mutate(items)
    found = problems_for(tmp_path, items)
    assert any(f == field and needle in m for _, f, m in found), found


def test_every_problem_in_a_file_is_reported_at_once(tmp_path):
    items = good_items()
    items[0]["options"][0]["correct"] = True
    items[1]["type"] = "nope"
    items[2]["reference"] = ["missing-key"]
    assert len(problems_for(tmp_path, items)) == 3


def test_ids_must_be_unique_across_banks(tmp_path):
    layout = write_layout(tmp_path, good_items())
    other = bank_dict(good_items()[:1])
    other["chapter"] = "zz-other"
    (layout.data_dir / "questions" / "zz-other.yaml").write_text(yaml.safe_dump(other))
    _, problems = validate(layout)
    assert [(Path(p.file).name, p.item, p.field) for p in problems] == [("zz-other.yaml", "t-single", "id")]


def test_yaml_syntax_error_names_the_file(tmp_path):
    layout = write_layout(tmp_path, good_items())
    (layout.data_dir / "questions" / "zz-bank.yaml").write_text("items: [\n  - id: x\n  bad")
    _, problems = validate(layout)
    assert problems and "invalid YAML" in problems[0].message


def test_check_command_reports_file_item_and_field(tmp_path):
    """`her2course check --root` on a copy of the course with a broken bank: exit 1, precise messages."""
    root = tmp_path / "course"
    shutil.copytree(ROOT / "src" / "her2course" / "data", root / "src" / "her2course" / "data")
    (root / "book").mkdir()
    shutil.copy(BIB, root / "book" / "references.bib")
    items = good_items()
    items[0]["options"][0]["correct"] = True  # single with two correct
    for o in items[1]["options"]:
        o["correct"] = False  # sata with none
    del items[4]["options"][0]["rationale"]  # option without rationale
    items[2]["reference"] = ["nosuchkey1999"]
    items[3]["id"] = "t-single"  # duplicate id
    items[5]["type"] = "essay"
    (root / "src" / "her2course" / "data" / "questions" / "zz-bank.yaml").write_text(
        yaml.safe_dump(bank_dict(items), sort_keys=False))
    run = subprocess.run([sys.executable, "-m", "her2course.cli", "check", "--root", str(root)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout + run.stderr
    err = run.stderr
    bank = str(root / "src" / "her2course" / "data" / "questions" / "zz-bank.yaml")
    for item, field in [("t-single", "options"), ("t-sata", "options"), ("t-ordered", "options[0].rationale"),
                        ("t-numeric", "reference"), ("t-single", "id"), ("t-matrix", "type")]:
        assert f"{bank}: item '{item}': field '{field}'" in err, (item, field, err)


def test_questions_are_registered_with_check():
    assert "questions" in check.VALIDATORS


def test_parse_bank_rejects_a_non_mapping():
    bank, problems = parse_bank(Path("x.yaml"), ["not", "a", "bank"])
    assert bank is None and "expected a mapping" in problems[0].message


# ------------------------------------------------------------------------------------- the chapter 1 bank

def test_chapter_one_bank_meets_the_brief():
    bank = load_bank("01-her2-biology")
    assert len(bank.items) >= 15
    types = Counter(i.type for i in bank.items)
    assert len(types) >= 5 and {"matrix", "bowtie"} <= set(types)
    assert {i.cjmm_step for i in bank.items} == set(CJMM_STEPS) | {KNOWLEDGE}  # clinical items cover all six steps
    assert {i.learning_outcome for i in bank.items} == {f"LO1.{n}" for n in range(1, 7)}
    assert set(bank.learning_outcomes) == {f"LO1.{n}" for n in range(1, 7)}


def test_all_banks_pass_check_against_the_bibliography():
    """Every reference key must be in book/references.bib ."""
    _, problems = validate(Layout(data_dir=ROOT / "src" / "her2course" / "data", bib=BIB))
    assert problems == [], "\n".join(map(str, problems))


def test_the_course_banks_hold_highlight_and_trend_items():
    """Issue 17: at least 4 stand-alone highlight or trend items across the chapter banks (the cases' trend stages
    come on top), with a highlight in text and one in a table, each built around a client."""
    from her2course.exports.selection import chapters

    items = [it for ch in chapters() if not ch.startswith("07-") for it in load_bank(ch).items]
    highlight = [it for it in items if it.type == "highlight"]
    trend = [it for it in items if it.data is not None]
    assert len(highlight) + len(trend) >= 4
    assert any(it.table is not None for it in highlight) and any(it.text is not None for it in highlight)
    for it in highlight + trend:
        assert it.cjmm_step in CJMM_STEPS and "client" in it.stem, it.id
