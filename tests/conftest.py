"""Shared fixtures: a scratch copy of the course data, and the built book."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from her2course.paths import Layout

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "_build" / "html"


def pytest_configure(config):
    config.addinivalue_line("markers", "book: needs the built book in _build/html (make test builds it first)")
    config.addinivalue_line("markers", "browser: drives Debian chromium through Playwright")


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A copy of the course's data files and bibliography in the layout of a checkout, safe to break."""
    root = tmp_path / "course"
    shutil.copytree(ROOT / "src" / "her2course" / "data", root / "src" / "her2course" / "data")
    (root / "book").mkdir(parents=True)
    shutil.copy(ROOT / "book" / "references.bib", root / "book" / "references.bib")
    return root


@pytest.fixture
def copy_layout(course_copy: Path) -> Layout:
    return Layout(data_dir=course_copy / "src" / "her2course" / "data", bib=course_copy / "book" / "references.bib")


@pytest.fixture(scope="session")
def built_html() -> Path:
    if not (BUILT / "index.html").is_file():
        pytest.fail("the book is not built: run 'make book' (make test builds it before running the tests)")
    return BUILT
