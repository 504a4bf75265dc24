"""Class activities: discussion prompts per chapter and the patient-teaching rubric (criteria x levels, printable)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml

from her2course import check
from her2course.teaching import activities

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
HANDOUTS = re.compile(r"```\{admonition\} Handout: ([^\n]+)\n:class: handout")


def test_every_chapter_has_discussion_prompts():
    acts = activities.load()
    assert set(acts.discussion) == set(CHAPTERS)
    for chapter in CHAPTERS:
        prompts = activities.prompts_for(chapter)
        assert 2 <= len(prompts) <= 4, chapter
        number = chapter.split("-", 1)[0].lstrip("0")
        assert all(o.startswith(f"LO{number}.") for p in prompts for o in p.outcomes), chapter


def test_the_rubric_is_built_on_the_chapter_6_handouts():
    act = activities.load().teaching_activity
    chapter6 = nbformat.read(ROOT / "notebooks" / "06-nursing-care.ipynb", as_version=4)
    titles = [t.strip() for c in chapter6.cells if c.cell_type == "markdown" for t in HANDOUTS.findall(c.source)]
    assert titles and sorted(act.handouts) == sorted(titles)
    assert [lv.points for lv in act.levels] == sorted((lv.points for lv in act.levels), reverse=True)
    assert act.max_points == 3 * len(act.criteria)
    assert {"teachback", "report", "accuracy", "plain"} <= {c.id for c in act.criteria}


class _Table(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows: list[list[tuple[str, dict]]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td") and self.rows:
            self.rows[-1].append((tag, dict(attrs)))


def test_rubric_table_is_criteria_by_levels():
    act = activities.load().teaching_activity
    table = _Table()
    table.feed(activities.rubric_html())
    head, *body = table.rows
    assert len(head) == 1 + len(act.levels) and all(a.get("scope") == "col" for _, a in head)
    assert len(body) == len(act.criteria)
    assert all(r[0] == ("th", {"scope": "row"}) and len(r) == 1 + len(act.levels) for r in body)
    page = activities.rubric_page()
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en">' in page and "@media print" in page
    assert "<script" not in page and "http" not in page


def test_check_reports_a_rubric_cell_missing_and_a_bad_outcome(copy_layout):
    path = copy_layout.data_dir / "activities.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    del raw["teaching_activity"]["criteria"][0]["descriptors"]["developing"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    _, problems = check.run(copy_layout)
    assert len(problems) == 1
    assert "criterion 'prepare' must describe every level exactly once (missing: developing" in str(problems[0])
    raw["teaching_activity"]["criteria"][0]["descriptors"]["developing"] = "Asks late."
    raw["discussion"]["01-her2-biology"][0]["outcomes"] = ["LO9.9"]
    raw["discussion"]["02-drug-classes"][0]["references"] = ["ghost2099"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    _, problems = check.run(copy_layout)
    text = "\n".join(str(p) for p in problems)
    assert "item '01-her2-biology prompt 1': field 'outcomes': 'LO9.9' is not a learning outcome" in text
    assert "item '02-drug-classes prompt 1': field 'references': reference key 'ghost2099'" in text


@pytest.mark.book
def test_activities_page_shows_prompts_and_rubric(built_html):
    page = (built_html / "book" / "activities.html").read_text(encoding="utf-8")
    straight = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split()).translate(straight)
    acts = activities.load()
    assert 'id="tbl-teaching-rubric"' in page
    for criterion in acts.teaching_activity.criteria:
        assert re.search(rf'<th scope="row"[^>]*>{re.escape(criterion.label)}</th>', page), criterion.label
    for chapter, prompts in acts.discussion.items():
        for p in prompts:
            assert " ".join(p.prompt.split()) in text, chapter
            assert all(" ".join(x.split()) in text for x in p.look_for), chapter
    assert "Citation Not Found" not in text and 'href="references.html#' in page  # the sources are linked
