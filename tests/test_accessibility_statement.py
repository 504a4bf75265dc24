"""The accessibility statement says what the course conforms to, how it is tested (and says it as the tests do it),
its known limits, and how to report a barrier without a placeholder address."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "book" / "accessibility.md"


@pytest.fixture(scope="module")
def text() -> str:
    return " ".join(SOURCE.read_text(encoding="utf-8").split())


def test_it_states_the_standard(text):
    assert "WCAG" in text and "2.2" in text and "level AA" in text
    assert "{cite:p}`w3c2023wcag22`" in text


def test_the_testing_it_describes_is_what_the_tests_do(text):
    site = (ROOT / "tests" / "test_site_browser.py").read_text(encoding="utf-8")
    quiz = (ROOT / "tests" / "test_quiz_browser.py").read_text(encoding="utf-8")
    slides = (ROOT / "tests" / "test_slides_browser.py").read_text(encoding="utf-8")
    budget = int(re.search(r"^BUDGET = ([\d_]+)", site, re.M).group(1).replace("_", ""))
    width = int(re.search(r'^PHONE = \{"viewport": \{"width": (\d+)', site, re.M).group(1))
    assert f"{budget // 1_000_000} MB" in text and f"{width}-pixel" in text and f"{width} pixels" in text
    assert 'mode="light"' in site and 'mode="dark"' in site and "light mode" in text and "dark mode" in text
    assert "axe" in site and "axe-core" in text and "Playwright" in text and "Chromium" in text
    assert "def test_keyboard_only" in quiz and "keyboard alone" in text
    assert "24 by 24" in text and "r.width < 24" in site
    assert "print-pdf" in slides and "ArrowRight" in slides and "Every chapter's slides" in text
    assert "def test_every_slide_fits_with_its_answer_shown_and_has_notes" in slides and "have speaker notes" in text
    assert "def test_the_keyboard_scrolls_a_tall_table" in slides and "tall table is scrolled" in text
    assert "Lighthouse" in text and (ROOT / "tools" / "lighthouse.py").is_file()


def test_it_names_its_known_limits(text):
    for limit in ("SVG image", "JupyterLab", "PDF", "Automated checks find only some barriers"):
        assert limit in text, limit


def test_barriers_are_reported_to_the_repository_or_the_instructor(text):
    section = text.split("## How to report a barrier", 1)[1]
    assert "Open an issue in the course repository" in section and "instructor" in section
    assert not re.search(r"[\w.+-]+@[\w-]+\.\w+|example\.(com|org)|TODO|TBD|placeholder|XXX", text, re.I)


def test_it_is_in_the_table_of_contents():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [c["file"] for part in toc["parts"] for c in part["chapters"]]
    assert "book/accessibility" in files


@pytest.mark.book
def test_the_built_page_and_the_guide_link(built_html):
    page = built_html / "book" / "accessibility.html"
    assert page.is_file()
    guide = (built_html / "book" / "instructor-guide.html").read_text(encoding="utf-8")
    assert 'href="accessibility.html"' in guide
