"""``her2course pathway`` run as a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
EXE = Path(sys.executable).parent / "her2course"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXE), "pathway", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


@pytest.mark.parametrize(
    ("args", "prolif", "surv"),
    [
        (["--drug", "trastuzumab", "--alteration", "HER2-amplification"], False, False),
        (["--drug", "trastuzumab", "--alteration", "p95HER2"], True, True),
        (["--drug", "lapatinib", "--alteration", "p95HER2"], False, False),
        (["--drug", "TRASTUZUMAB", "--drug", "Pertuzumab", "--alteration", "her3-ligand"], False, False),
        (["--drug", "trastuzumab", "--alteration", "HER3-ligand"], True, True),
        (["--drug", "tucatinib", "--alteration", "PIK3CA-mutation", "--alteration", "HER2-amplification"], True, True),
        ([], False, False),
        (["--drug", "trastuzumab", "--drug", "pertuzumab", "--alteration", "HER2-amplification",
          "--alteration", "MET-amplification"], True, True),
        (["--drug", "lapatinib", "--alteration", "met amplification"], True, True),
        (["--alteration", "IGF1R-activation"], True, True),
    ],
)
def test_json(args, prolif, surv):
    proc = run(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"drugs", "alterations", "active", "outcomes", "explanation"}
    assert data["outcomes"] == {"proliferation": prolif, "survival": surv}
    assert isinstance(data["active"], list) and isinstance(data["explanation"], str) and data["explanation"]


def test_json_example_from_the_issue():
    data = json.loads(run("--drug", "trastuzumab", "--alteration", "p95HER2", "--json").stdout)
    assert data["drugs"] == ["trastuzumab"] and data["alterations"] == ["p95HER2"]
    assert {"HER2", "PI3K", "AKT", "ERK"} <= set(data["active"])


@pytest.mark.parametrize(("option", "name", "listed"), [("--drug", "aspirin", "tucatinib"),
                                                        ("--alteration", "BRCA1", "p95HER2")])
def test_unknown_name_exits_2_with_known_names(option, name, listed):
    proc = run(option, name, "--json")
    assert proc.returncode == 2
    assert name in proc.stderr and listed in proc.stderr
    assert proc.stdout == ""


def test_writes_png_and_svg(tmp_path):
    png, svg = tmp_path / "d.png", tmp_path / "d.svg"
    proc = run("--drug", "T-DXd", "--alteration", "p95HER2", "--png", str(png), "--svg", str(svg))
    assert proc.returncode == 0, proc.stderr
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert svg.read_bytes().lstrip().startswith(b"<?xml") and b"<svg" in svg.read_bytes()
    assert "Proliferation: ON" in proc.stdout


def test_bypass_alteration_text_output():
    proc = run("--drug", "trastuzumab", "--drug", "pertuzumab", "--alteration", "HER2 amplification",
               "--alteration", "MET-amplification")
    assert proc.returncode == 0, proc.stderr
    assert "MET → RAS → RAF → MEK → ERK → proliferation" in proc.stdout
    assert "Proliferation: ON; survival: ON" in proc.stdout


def test_unknown_alteration_lists_the_bypass_names():
    proc = run("--alteration", "ALK fusion")
    assert proc.returncode == 2
    assert "MET-amplification" in proc.stderr and "IGF1R-activation" in proc.stderr
