"""The real-Moodle check's own logic (tools/moodle/check.py), without a Moodle: what it grades, how it classifies
Moodle's marks, and that it passes quietly when no Moodle is given. `make moodle-check MOODLE=...` runs it for real.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from her2course.exports import Filters, select
from her2course.exports.cli import build
from her2course.quiz.grading import max_score

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def check():
    spec = importlib.util.spec_from_file_location("moodle_check", ROOT / "tools" / "moodle" / "check.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module             # its dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_without_moodle_it_says_so_and_passes(check, capsys, tmp_path: Path):
    assert check.main([]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "no Moodle given" in out
    assert check.main(["--moodle", str(tmp_path)]) == 2          # a folder without config.php is an error
    assert "has no config.php" in capsys.readouterr().err


def test_cases_cover_every_type_with_the_course_grade(check):
    entries = select(Filters()).entries
    labels = {}
    for e in entries:
        cases = check.cases(e.item)
        labels.setdefault(e.item.type, set()).update(c.label for c in cases)
        right = next(c for c in cases if c.label == "right")
        assert right.status == "correct" and right.score == max_score(e.item)
        assert next(c for c in cases if c.label == "wrong").score == 0
    assert {"partial"} <= labels["sata"] & labels["matrix"] & labels["cloze"] & labels["bowtie"]
    assert {"right, number only", "right number, wrong unit", "right, decimal comma"} <= labels["numeric"]


def _fake_results(check, path: Path, fmt: str, entries) -> dict:
    """What check.php returns when Moodle grades every response as the check predicts."""
    questions = {}
    for e in entries:
        if e.id not in check.names_in_file(path, fmt):
            continue
        top = max_score(e.item)
        graded = {}
        for c in check.cases(e.item):
            doc = check.predicted(e.item, c, fmt)
            fraction = doc[0] if doc and abs(c.score / top - doc[0]) > check.TOL else c.score / top
            graded[c.label] = {"fraction": fraction, "state": "graded", "summary": ""}
        questions[e.id] = {"defaultmark": float(top if fmt == "moodle-xml" else 1), "graded": graded}
    return {"moodle": "test", "files": [{"path": str(path), "error": None, "output": "", "questions": questions}]}


@pytest.mark.parametrize("fmt", ["moodle-xml", "gift"])
def test_compare_tells_known_differences_from_mismatches(check, tmp_path: Path, fmt: str):
    a = select(Filters.make(chapters=["2"]))
    path = tmp_path / f"q.{fmt}"
    build(a, fmt, path, quiet=True)
    files = [(path, fmt, list(a.entries))]
    results = _fake_results(check, path, fmt, a.entries)
    rows, known, mismatches = check.compare(files, results, tmp_path)
    assert not mismatches and rows[0].imported == rows[0].in_file
    assert rows[0].as_expected + rows[0].known == rows[0].in_file
    assert any("unit" in reason for reason in known)
    if fmt == "gift":
        assert any("GIFT has no syntax for a question's mark" in reason for reason in known)

    # a mark nobody predicted is a mismatch, and so is a question Moodle did not import
    questions = results["files"][0]["questions"]
    first = next(iter(questions))
    questions[first]["graded"]["right"]["fraction"] = 0.5
    del questions[list(questions)[-1]]
    rows, _, mismatches = check.compare(files, results, tmp_path)
    assert rows[0].mismatched == 1 and rows[0].imported == rows[0].in_file - 1
    assert any(f"{first} [right]: Moodle 0.5000" in m for m in mismatches)
    assert any("not imported" in m for m in mismatches)
    assert "total" in check.table(rows)[-1]
