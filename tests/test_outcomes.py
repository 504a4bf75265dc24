"""The outcome map: every learning outcome mapped to NCLEX-RN, AACN and QSEN as data, checked; items inherit it; the
blueprint shows it; quiz selection filters by it."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from her2course import check, outcomes
from her2course.exports import Filters, select
from her2course.exports.blueprint import COLUMNS, csv_text
from her2course.exports.builder import blueprint
from her2course.exports.selection import all_entries

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "her2course" / "data"
NCLEX = ["Management of Care", "Safety and Infection Prevention and Control", "Health Promotion and Maintenance",
         "Psychosocial Integrity", "Basic Care and Comfort", "Pharmacological and Parenteral Therapies",
         "Reduction of Risk Potential", "Physiological Adaptation"]
QSEN = ["Patient-Centered Care", "Teamwork and Collaboration", "Evidence-Based Practice", "Quality Improvement",
        "Safety", "Informatics"]


def test_the_frameworks_hold_the_official_categories():
    fws = outcomes.frameworks()
    assert fws.nclex.names() == NCLEX
    assert len(fws.aacn.categories) == 10 and [c.number for c in fws.aacn.categories] == list(range(1, 11))
    assert fws.aacn.names()[0] == "Knowledge for Nursing Practice"
    assert fws.aacn.names()[3] == "Scholarship for the Nursing Discipline"
    assert fws.qsen.names() == QSEN
    assert "2026" in fws.nclex.edition and "2021" in fws.aacn.edition
    # the 2026 plan renamed one subcategory; the 2023 name is kept as "formerly" so old filters still work
    assert {c.formerly for c in fws.nclex.categories} == {"", "Safety and Infection Control"}


def test_every_outcome_of_the_banks_and_cases_is_mapped():
    found, problems = outcomes.collect()
    assert problems == [], [str(p) for p in problems]
    keys = {o.key for o in found}
    banks = {k for p in (DATA / "questions").glob("*.yaml")
             for k in yaml.safe_load(p.read_text(encoding="utf-8"))["learning_outcomes"]}
    cases = {k for p in (DATA / "cases").glob("*.yaml")
             for k in yaml.safe_load(p.read_text(encoding="utf-8"))["learning_outcomes"]}
    assert banks | cases == keys and len(keys) >= 42
    assert all(o.mapping is not None and o.mapping.nclex and o.mapping.aacn and o.mapping.qsen for o in found)


def test_every_chapter_outcome_is_mapped():
    """The outcomes each chapter lists at its top (notebooks) are mapped too."""
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cell = next(c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Learning outcomes"))
        keys = re.findall(r"\*\*(LO\d+\.\d+)\*\*", cell.source)
        assert len(keys) >= 2, path.name  # the core's outcomes (chapters 3 and 4 keep two or three, issue 16)
        assert all(outcomes.mapping_for(k) is not None for k in keys), (path.name, keys)


def _break(copy_layout, chapter: str, edit) -> list[str]:
    path = copy_layout.data_dir / "questions" / f"{chapter}.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(raw)
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    _, problems = check.run(copy_layout)
    return [str(p) for p in problems]


def test_check_rejects_an_unknown_category_name(copy_layout):
    def edit(raw):
        raw["outcome_map"]["LO2.5"]["nclex"] = ["Pharmacology"]
        raw["outcome_map"]["LO2.5"]["qsen"] = ["Safety", "Patient Safety"]
    problems = _break(copy_layout, "02-drug-classes", edit)
    assert len(problems) == 2, problems
    assert "02-drug-classes.yaml: item 'LO2.5': field 'outcome_map.LO2.5.nclex': 'Pharmacology' is not a category " \
        "of NCLEX-RN client needs" in problems[0]
    assert "Pharmacological and Parenteral Therapies" in problems[0]  # the allowed names are listed
    assert "'Patient Safety' is not a category of QSEN competencies" in problems[1]


def test_check_reports_an_unmapped_outcome_and_a_mapping_without_an_outcome(copy_layout):
    def edit(raw):
        del raw["outcome_map"]["LO1.3"]
        raw["outcome_map"]["LO1.9"] = raw["outcome_map"]["LO1.1"]
        raw["outcome_map"]["LO1.2"] = {"nclex": ["Physiological Adaptation"],
                                       "aacn": ["Knowledge for Nursing Practice"]}
    problems = _break(copy_layout, "01-her2-biology", edit)
    text = "\n".join(problems)
    assert "item 'LO1.3': field 'outcome_map.LO1.3': this learning outcome is not mapped" in text
    assert "item 'LO1.9': field 'outcome_map.LO1.9': maps an outcome that is not among the learning outcomes" in text
    assert "item 'LO1.2': field 'outcome_map.LO1.2.qsen': required" in text
    assert len(problems) == 3, problems


def test_check_reports_an_unmapped_case_outcome(copy_layout):
    path = copy_layout.data_dir / "case_outcomes.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    del raw["outcome_map"]["LO7.4"]
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    _, problems = check.run(copy_layout)
    assert [str(p) for p in problems] == [f"{path}: item 'LO7.4': field 'outcome_map.LO7.4': this learning outcome "
                                          "is not mapped to the NCLEX-RN, AACN and QSEN categories (add it under "
                                          "outcome_map)"]


def test_items_inherit_the_mapping_of_their_outcome():
    entries = all_entries()
    assert entries
    for e in entries:
        assert e.mapping == outcomes.mapping_for(e.item.learning_outcome) is not None, e.id


def test_names_slugs_and_domain_numbers_are_accepted():
    assert outcomes.resolve("nclex", "reduction-of-risk-potential") == "Reduction of Risk Potential"
    assert outcomes.resolve("nclex", "PSYCHOSOCIAL INTEGRITY") == "Psychosocial Integrity"
    assert outcomes.resolve("aacn", "5") == "Quality and Safety"
    for old in ("Safety and Infection Control", "safety-and-infection-control"):  # the 2023 test plan's name
        assert outcomes.resolve("nclex", old) == "Safety and Infection Prevention and Control"
    assert outcomes.resolve("qsen", "teamwork-and-collaboration") == "Teamwork and Collaboration"
    with pytest.raises(ValueError, match=r"unknown AACN category '11'.*quality-and-safety \(5\)"):
        outcomes.resolve("aacn", "11")


@pytest.mark.parametrize(("framework", "value"), [("nclex", "Psychosocial Integrity"), ("aacn", "6"),
                                                  ("qsen", "Informatics")])
def test_selection_filters_by_framework(framework, value):
    name = outcomes.resolve(framework, value)
    chosen = select(Filters.make(**{framework: [value]}))
    every = all_entries()
    expected = [e.id for e in every if name in e.mapping.get(framework)]
    assert chosen.item_ids == expected and 0 < len(expected) < len(every)


def test_filters_combine_with_the_others():
    chosen = select(Filters.make(chapters=["5"], nclex=["basic-care-and-comfort"], qsen=["safety"]))
    assert chosen.entries
    assert all(e.chapter == "05-toxicity-management" and "Basic Care and Comfort" in e.mapping.nclex
               and "Safety" in e.mapping.qsen for e in chosen.entries)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2course.cli", "quiz", *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def test_quiz_list_filters_and_rejects_unknown_categories():
    ok = _cli("list", "--nclex", "psychosocial-integrity", "--aacn", "Person-Centered Care")
    assert ok.returncode == 0, ok.stderr
    ids = [line.split()[0] for line in ok.stdout.splitlines()[2:-1]]
    assert ids and all("Psychosocial Integrity" in outcomes.mapping_for(e.item.learning_outcome).nclex
                       for e in all_entries() if e.id in ids)
    bad = _cli("list", "--qsen", "kindness")
    assert bad.returncode == 2
    assert "unknown QSEN category 'kindness'" in bad.stderr and "patient-centered-care" in bad.stderr


def test_quiz_build_writes_the_blueprint_csv(tmp_path):
    out = tmp_path / "bp.csv"
    result = _cli("build", "--chapter", "6", "--qsen", "teamwork-and-collaboration", "--format", "csv",
                  "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert tuple(rows[0]) == COLUMNS
    assert rows[1:] and all(r[1] == "06-nursing-care" and "Teamwork and Collaboration" in r[9] for r in rows[1:])


def test_blueprint_csv_carries_every_item_with_its_mapping():
    a = select(Filters())
    rows = list(csv.reader(io.StringIO(csv_text(a))))
    assert len(rows) == len(a.entries) + 1
    by_id = {e.id: e for e in a.entries}
    for row in rows[1:]:
        m = by_id[row[0]].mapping
        assert row[7] == "; ".join(m.nclex) and row[8] == "; ".join(m.aacn) and row[9] == "; ".join(m.qsen)


def test_blueprint_shows_the_mapping():
    html = blueprint()._repr_html_()
    for caption in ("Learning outcomes mapped to NCLEX-RN client needs", "Questions by NCLEX-RN client-needs category",
                    "Questions by AACN domain", "Questions by QSEN competency"):
        assert caption in html
    for name in NCLEX + QSEN:
        assert f">{name}<" in html  # every category is a row, zeros included


def test_an_outcome_listed_twice_is_mapped_once_or_the_same(copy_layout):
    """Chapter 7's outcomes may also appear in a question bank (if the cases' items join one): that is fine while
    the mapping is written once, or the same wherever it is written."""
    def edit(raw):
        raw["learning_outcomes"]["LO7.2"] = "Analyze cues by grading adverse events."
    assert _break(copy_layout, "06-nursing-care", edit) == []

    def differ(raw):
        raw["outcome_map"]["LO7.2"] = {"nclex": ["Basic Care and Comfort"], "aacn": ["Professionalism"],
                                       "qsen": ["Informatics"]}
    problems = _break(copy_layout, "06-nursing-care", differ)
    assert len(problems) == 1 and "field 'outcome_map.LO7.2': differs from the mapping of LO7.2" in problems[0]
