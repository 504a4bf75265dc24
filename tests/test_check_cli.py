"""`her2course check`: exit 0 on the course, exit 1 naming file, item and field on a broken copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "her2course.cli", "check", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def test_check_passes_on_the_course():
    result = _run(cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "No problems found." in result.stdout
    assert "drugs: 16 valid items" in result.stdout


def test_check_fails_on_a_broken_copy_run_from_inside_it(course_copy):
    drugs_file = course_copy / "src" / "her2course" / "data" / "drugs.yaml"
    raw = yaml.safe_load(drugs_file.read_text(encoding="utf-8"))
    raw["drugs"][0]["routes"] = ["intrathecal"]
    raw["drugs"][2]["references"].append("ghost2030")
    drugs_file.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    result = _run(cwd=course_copy / "src")
    assert result.returncode == 1
    assert "2 problems found" in result.stderr
    assert "drugs.yaml: item 'trastuzumab': field 'routes[0]'" in result.stderr
    assert f"item '{raw['drugs'][2]['id']}': field 'references': reference key 'ghost2030'" in result.stderr


def test_check_reports_a_broken_bibliography(course_copy):
    (course_copy / "book" / "references.bib").write_text("@article{broken,\n title = {no end\n", encoding="utf-8")
    result = _run("--root", str(course_copy), cwd=ROOT)
    assert result.returncode == 1
    assert "references.bib" in result.stderr


# ------------------------------------------------------------------------------------------ the check's gaps, closed

def _data(root: Path) -> Path:
    return root / "src" / "her2course" / "data"


def test_a_missing_data_file_is_named_and_root_is_that_copy(course_copy):
    """With drugs.yaml gone, `check --root <copy>` used to find no checkout there and silently check the
    installed package's data instead (exit 0)."""
    (_data(course_copy) / "drugs.yaml").unlink()
    result = _run("--root", str(course_copy), cwd=ROOT)
    assert result.returncode == 1, result.stdout
    assert f"Checked the course data in {_data(course_copy)}" in result.stdout
    assert f"{_data(course_copy) / 'drugs.yaml'}: file not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_missing_file_is_named_with_the_chapter_that_uses_it(course_copy):
    """Each single data file, a question bank and a case removed at once: each is named (banks and cases with the
    chapter notebook that uses them)."""
    from her2course import check
    from her2course.paths import root_layout

    shutil.copytree(ROOT / "notebooks", course_copy / "notebooks", ignore=shutil.ignore_patterns(".*"))
    data = _data(course_copy)
    singles = sorted(p.name for p in data.glob("*.yaml"))
    assert len(singles) >= 9
    for name in singles:
        (data / name).unlink()
    (data / "questions" / "03-therapy-in-practice.yaml").unlink()
    (data / "cases" / "ild-tdxd.yaml").unlink()
    _, problems = check.run(root_layout(course_copy))
    text = "\n".join(map(str, problems))
    for name in singles:
        assert f"{data / name}: file not found" in text, name
    assert (f"{data / 'questions' / '03-therapy-in-practice.yaml'}: file not found: the question bank "
            "'03-therapy-in-practice' is used by 03-therapy-in-practice.ipynb") in text
    assert (f"{data / 'cases' / 'ild-tdxd.yaml'}: file not found: the case 'ild-tdxd' is used by "
            "07-unfolding-cases.ipynb") in text


def test_an_empty_folder_of_banks_or_cases_is_a_problem(course_copy):
    from her2course import check
    from her2course.paths import root_layout

    for folder in ("questions", "cases"):
        shutil.rmtree(_data(course_copy) / folder)
    _, problems = check.run(root_layout(course_copy))
    text = "\n".join(map(str, problems))
    assert f"{_data(course_copy) / 'questions'}: no question bank files" in text
    assert f"{_data(course_copy) / 'cases'}: no case files" in text


def test_root_must_be_a_checkout(tmp_path):
    result = _run("--root", str(tmp_path), cwd=ROOT)
    assert result.returncode == 1
    assert "not a course checkout" in result.stderr and "Traceback" not in result.stderr


def test_a_missing_bibliography_is_one_message_not_a_traceback(course_copy):
    (course_copy / "book" / "references.bib").unlink()
    result = _run("--root", str(course_copy), cwd=ROOT)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"{course_copy / 'book' / 'references.bib'}: bibliography file not found" in result.stderr
    assert "1 problem found" in result.stderr, result.stderr[-3000:]


def _quote(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_number_in_quotes_is_refused_wherever_a_number_belongs(course_copy):
    """pydantic would read "5.4" as 5.4 (and true as 1): a typing slip in the data that would pass unseen."""
    from her2course import check
    from her2course.paths import root_layout

    data = _data(course_copy)
    _quote(data / "drugs.yaml", "{phase: loading, amount: 4, unit: mg/kg", '{phase: loading, amount: "4", unit: mg/kg')
    _quote(data / "questions" / "02-drug-classes.yaml", "    value: 1160\n", '    value: "1160"\n')
    _quote(data / "cases" / "ild-tdxd.yaml", "  age: 58\n", "  age: '58'\n")
    _quote(data / "clinical_rules.yaml", "  threshold_days: 7\n", "  threshold_days: true\n")
    _quote(data / "pathway.yaml", "    pos: [1.0,", '    pos: ["1.0",')
    _, problems = check.run(root_layout(course_copy))
    text = "\n".join(map(str, problems))
    assert len(problems) == 5, text
    number = "a number belongs here, not"
    assert f"drugs.yaml: item 'trastuzumab': field 'regimens[0].steps[0].amount': {number} the text '4'" in text
    assert f"02-drug-classes.yaml: item 'ch2-zanidatamab-dose': field 'answer.value': {number} the text '1160'" in text
    assert f"ild-tdxd.yaml: item 'ild-tdxd': field 'patient.age': {number} the text '58'" in text
    assert f"clinical_rules.yaml: item 'missed_doses[0] (trastuzumab)': field 'threshold_days': {number} true" in text
    assert f"pathway.yaml: item 'EGF': field 'pos[0]': {number} the text '1.0'" in text


def _merge_bomb(levels: int = 40) -> str:
    """About 1.5 KB of merge keys that double at each level (once 120 s into MemoryError)."""
    lines = ["l0: &l0 {k0: v, k1: v}"]
    lines += [f"l{i}: &l{i} {{<<: [*l{i - 1}, *l{i - 1}], x{i}: 1}}" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def _laughs() -> str:
    """The classic billion laughs: nine aliases of nine aliases, nine levels deep."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(96 + i), chr(97 + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_yaml_bombs_and_deep_nesting_are_refused_with_a_message(course_copy):
    """Each file is refused by name, quickly: the subprocess's timeout is the failure (a bomb ran for minutes into
    MemoryError; 50,000 brackets crashed the process with a segmentation fault)."""
    from her2course.yamlfile import MAX_BYTES

    data = _data(course_copy)
    planted = {
        "drugs.yaml": (_merge_bomb(), "aliases expand it to more than"),
        "glossary.yaml": (_laughs(), "aliases expand it to more than"),
        "questions/01-her2-biology.yaml": ("[" * 50_000 + "]" * 50_000 + "\n", "nests more than"),
        "cases/ild-tdxd.yaml": ("- " * 50_000 + "x\n", "nests more than"),
        "timeline.yaml": ("events:\n" + "- {date: '2000-01', label: x}\n" * (MAX_BYTES // 28 + 1000),
                          f"data files may hold at most {MAX_BYTES:,}"),
        "routing.yaml": ("a: &a [*a]\n", "refers to a value that contains it"),
    }
    assert len(_merge_bomb()) < 2000 and len(_laughs()) < 500
    for name, (text, _) in planted.items():
        (data / name).write_text(text, encoding="utf-8")
    result = _run("--root", str(course_copy), cwd=ROOT)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "Traceback" not in result.stderr and "MemoryError" not in result.stderr
    for name, (_, reason) in planted.items():
        lines = [line for line in result.stderr.splitlines() if f"{data / name}: " in line]
        assert lines and all(reason in line for line in lines), (name, lines or result.stderr[-3000:])


def test_read_yaml_refuses_each_bomb_and_still_reads_aliases_that_are_fine(tmp_path):
    from her2course.errors import DataError
    from her2course.yamlfile import read_yaml

    path = tmp_path / "x.yaml"
    path.write_text("base: &b {dose: 4, unit: mg/kg}\nloading: {<<: *b, dose: 8}\nrepeat: [*b, *b]\n", encoding="utf-8")
    assert read_yaml(path) == {"base": {"dose": 4, "unit": "mg/kg"}, "loading": {"dose": 8, "unit": "mg/kg"},
                               "repeat": [{"dose": 4, "unit": "mg/kg"}] * 2}
    for text, reason in [(_merge_bomb(), "aliases expand"), (_laughs(), "aliases expand"),
                         ("[" * 51 + "]" * 51, "nests more than 50"), ("x: *nothing\n", "is not defined"),
                         ("!!python/object:os.system x", "could not determine a constructor")]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(DataError) as caught:
            read_yaml(path)
        assert str(path) in str(caught.value) and reason in str(caught.value), str(caught.value)
