"""Ready-made files in the built book: every file the teaching-kit page offers exists, opens as its format says,
was made by the same code as `her2course quiz build`, and is reused on the next build when nothing changed."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from her2course.exports import Filters, select
from her2course.teaching import kit

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.book


@pytest.fixture(scope="module")
def manifest() -> dict:
    saved = json.loads((ROOT / "_build" / ".doctrees" / "her2course-kit" / kit.MANIFEST).read_text(encoding="utf-8"))
    assert saved["digest"] == kit.digest(ROOT), "the kit in _build/html is not the one for these sources"
    return saved["manifest"]


def _links(page: Path) -> list[str]:
    return re.findall(r'href="([^"#]+)"', page.read_text(encoding="utf-8"))


def test_every_promised_file_exists(built_html, manifest):
    parts = {row["part"] for row in manifest["files"]}
    from her2course.exports.selection import chapters

    # the whole course, and each chapter with questions: every bank and the unfolding cases (chapter 7)
    assert "course" in parts and len(parts) == 1 + len(chapters())
    formats = {row["format"] for row in manifest["files"]}
    assert formats == {"canvas", "moodle-xml", "gift", "html", "csv"}
    for path in kit.expected_files(manifest):
        assert (built_html / path).is_file(), path


def test_every_download_link_on_the_teaching_kit_page_works(built_html, manifest):
    page = built_html / "book" / "teaching-kit.html"
    links = [h for h in _links(page) if "teaching-kit/" in h or "slides/" in h]
    wanted = {f"../{p}" for p in kit.expected_files(manifest)}
    assert wanted <= set(links), sorted(wanted - set(links))
    for href in links:
        assert (page.parent / href).resolve().is_file(), href
    text = page.read_text(encoding="utf-8")
    assert "her2-kit-slot" not in text  # every slot was filled
    for step in ("Import Course Content", "QTI .zip file", "Question bank", "Moodle XML format", "GIFT format"):
        assert step in text, step


def test_the_files_open_as_their_formats(built_html, manifest):
    folder = built_html / kit.KIT_DIR
    for row in manifest["files"]:
        path = folder / row["file"]
        if row["format"] == "canvas":
            with zipfile.ZipFile(path) as z:
                assert "imsmanifest.xml" in z.namelist()
        elif row["format"] == "moodle-xml":
            questions = [q for q in ET.parse(path).getroot() if q.get("type") != "category"]
            assert len(questions) >= row["questions"]
        elif row["format"] == "gift":
            assert path.read_text(encoding="utf-8").count("::") >= 2 * row["questions"]
        elif row["format"] == "csv":
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
            assert len(rows) == row["questions"] + 1
        elif row["format"] == "html":
            sheet = path.read_text(encoding="utf-8")
            key = (folder / row["answer_key"]).read_text(encoding="utf-8")
            assert 'content="student"' in sheet and 'content="answer-key"' in key
            assert "rationale" not in sheet.lower() and "Explanation." in key


def test_a_chapter_file_is_what_the_command_writes(built_html, manifest, tmp_path):
    """The same command, run in a terminal, gives the same bytes (GIFT and CSV: text formats without dates)."""
    for fmt in ("gift", "csv"):
        row = next(r for r in manifest["files"] if r["part"] == "ch03" and r["format"] == fmt)
        args = row["command"].split(" ", 1)[1]
        import shlex

        argv = shlex.split(args)
        argv[argv.index("--out") + 1] = str(tmp_path / row["file"])
        result = subprocess.run([sys.executable, "-m", "her2course.cli", *argv], capture_output=True, text=True,
                                timeout=120, cwd=ROOT)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / row["file"]).read_bytes() == (built_html / kit.KIT_DIR / row["file"]).read_bytes(), fmt


def test_gift_omissions_are_listed_on_the_page(built_html, manifest):
    course = next(r for r in manifest["files"] if r["part"] == "course" and r["format"] == "gift")
    assert course["skipped"], "GIFT always leaves out ordered items and bow-ties"
    assert course["questions"] + len(course["skipped"]) == course["total"] == len(select(Filters()).entries)
    page = (built_html / "book" / "teaching-kit.html").read_text(encoding="utf-8")
    assert all(f"<code>{item}</code>" in page for item in course["skipped"])


def test_the_kit_is_reused_when_nothing_changed(built_html, manifest, tmp_path):
    build = kit.KitBuild(ROOT, built_html, ROOT / "_build" / ".doctrees" / "her2course-kit")
    build.start()
    assert build.reused and build.wait() == manifest
    stale = kit.KitBuild(ROOT, tmp_path, ROOT / "_build" / ".doctrees" / "her2course-kit")
    assert stale._cached(kit.digest(ROOT)) is None  # the files are not in that folder: made again


def test_teaching_kit_pages_are_in_the_instructor_part(built_html):
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    instructors = next(p for p in toc["parts"] if p["caption"] == "For instructors")
    files = [c["file"] for c in instructors["chapters"]]
    for page in ("book/teaching-kit", "book/facilitator-guides", "book/activities", "book/outcome-map"):
        assert page in files
        assert (built_html / f"{page}.html").is_file()


def test_every_chapter_has_quiz_files_and_the_cases_carry_their_stage_data(built_html, manifest):
    """Every chapter has quiz files, chapter 7 included: its questions are the unfolding cases' stages, each with the
    client data its stage shows; the teaching-kit page says so and points to the facilitator guides."""
    from her2course.teaching.chapters import chapter_paths

    labels = {row["part_label"] for row in manifest["files"]}
    for path in chapter_paths(ROOT):
        assert any(label.startswith(f"Chapter {int(path.stem[:2])}:") for label in labels), path.stem
    page = (built_html / "book" / "teaching-kit.html").read_text(encoding="utf-8")
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "files hold the questions of the five unfolding cases" in text
    assert 'href="facilitator-guides.html"' in page
