"""The package as a hub or ``pip install`` puts it: a wheel, installed non-editable, away from the checkout.

Chapter 1 must run with no failing cell on such an install, with no environment variable pointing back at the
checkout: the package carries its bibliography (setup.py copies book/references.bib into the wheel).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_FILES = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "LICENSE-CONTENT"]

# Run in a separate interpreter whose only her2course is the installed wheel (PYTHONPATH comes before the
# editable checkout on sys.path): execute the notebook, then report where the package and its files came from.
RUNNER = """
import json, sys
import nbformat
from nbclient import NotebookClient

nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells.append(nbformat.v4.new_code_cell(
    "import json, her2course, her2course.paths as p\\n"
    "print(json.dumps({'package': her2course.__file__, 'bib': str(p.package_layout().bib)}))"))
NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True).execute()
code = [c for c in nb.cells if c.cell_type == "code"]
errors = [(i, o["ename"], o["evalue"]) for i, c in enumerate(code) for o in c.outputs if o.output_type == "error"]
where = json.loads(code[-1].outputs[0]["text"])
print(json.dumps({"cells": len(code) - 1, "errors": errors, **where}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built offline (no build isolation) from a copy of the checkout's build inputs."""
    src = tmp_path_factory.mktemp("source")
    for name in BUILD_FILES:
        shutil.copy(ROOT / name, src / name)
    shutil.copytree(ROOT / "src", src / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    (src / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", src / "book" / "references.bib")
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(src)], check=True, capture_output=True, text=True)
    [built] = out.glob("her2course-*.whl")
    return built


def test_the_wheel_carries_the_bibliography_byte_for_byte(wheel):
    with zipfile.ZipFile(wheel) as zf:
        assert zf.read("her2course/references.bib") == (ROOT / "book" / "references.bib").read_bytes()
        names = zf.namelist()
    assert "her2course/static/quiz.js" in names and "her2course/data/drugs.yaml" in names


def test_chapter_1_runs_without_a_failing_cell_from_a_non_editable_install(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True, capture_output=True, text=True)
    work = tmp_path / "student"  # away from the checkout, so nothing is found by walking up from here
    work.mkdir()
    notebook = work / "01-her2-biology.ipynb"
    shutil.copy(ROOT / "notebooks" / "01-her2-biology.ipynb", notebook)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HER2COURSE_")}
    env["PYTHONPATH"] = str(site)
    env["HER2COURSE_PROGRESS_DB"] = str(tmp_path / "progress.sqlite3")
    run = subprocess.run([sys.executable, "-c", RUNNER, str(notebook)], cwd=work, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert report["errors"] == []
    assert Path(report["package"]).is_relative_to(site), report  # the wheel's copy ran, not the checkout's
    assert Path(report["bib"]) == site / "her2course" / "references.bib"
    assert report["cells"] == len([c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"])
