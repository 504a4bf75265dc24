"""`her2course check`: exit 0 on the course, exit 1 naming file, item and field on a broken copy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
