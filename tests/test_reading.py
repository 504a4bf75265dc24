"""The course's shape (issue 16): words counted on the built pages, core and enrichment, time estimates, budgets,
readability, and one home for every generated table."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from her2course import reading
from her2course.paths import Layout

ROOT = Path(__file__).resolve().parents[1]
SHAPE = reading.shape()
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def _page(body: str) -> str:
    return f'<html><body><nav>Contents here</nav><article class="bd-article">{body}</article></body></html>'


# ------------------------------------------------------------------------------------------------ counting rules

def test_what_counts_as_a_word():
    assert reading.count_words("HER2-low is 5.4 mg/kg - not 54") == 6  # the lone dash is not a word
    assert reading.count_words("  ") == 0


def test_prose_tables_and_captions_count_but_not_citations_references_code_or_navigation():
    page = _page("""
<section id="ch"><h1><span class="section-number">1. </span>Title here<a class="headerlink" href="#ch">#</a></h1>
<p>One two three <span class="bibtex-citation">[<a href="#x">Wolff et al., 2018</a>]</span>.</p>
<div class="her2-table"><table><caption>Four word caption here</caption><tr><td>cell one</td></tr></table>
<p class="her2-table-source">Computed by something. Source: a label.</p></div>
<figure><img alt="a long alt text that is never counted" src="x.svg"><figcaption>Two words</figcaption></figure>
<pre>code that is not counted</pre>
<p class="her2-time">About 3 min reading.</p>
<section id="references"><h2>References</h2><p>Every work cited is listed.</p></section>
</section>""")
    load = reading.measure(page).load
    # title (2) + prose (3) + caption (4) + cell (2) + figure caption (2)
    assert (load.core_words, load.enrichment_words) == (13, 0)


def test_enrichment_blocks_and_pages_are_counted_apart_and_quizzes_become_items():
    spec = json.dumps({"items": [{"type": "single"}, {"type": "single"}, {"type": "bowtie"}]})
    deeper_spec = json.dumps({"items": [{"type": "matrix"}]})
    page = _page(f"""
<section id="ch"><h1>Title</h1>
<section id="a"><h2>Core part</h2><p>one two three four</p>
<div class="dropdown enrichment admonition"><p class="admonition-title">Go deeper: more</p><p>five six seven</p></div>
<div class="her2-quiz" data-spec='{spec}'><p>Run this cell to load the quiz with many words</p></div>
</section>
<section id="b"><h2>Second</h2>
<details class="enrichment her2-deeper"><summary>Go deeper: a table</summary>
<table><tr><td>alpha beta</td></tr></table>
<div class="her2-quiz" data-spec='{deeper_spec}'></div></details>
</section></section>""")
    measured = reading.measure(page)
    assert measured.load.core_words == 1 + 2 + 4 + 1  # titles and core prose; the quiz's own text is not read
    assert measured.load.enrichment_words == 6 + 6  # title and text of each block
    assert measured.load.core_items == Counter({"single": 2, "bowtie": 1})
    assert measured.load.enrichment_items == Counter({"matrix": 1})
    assert measured.section("a").load.core_words == 2 + 4
    assert measured.section("b").load.core_words == 1
    assert not measured.enrichment_page
    whole = reading.measure(_page('<div class="enrichment her2-enrichment-page"><section id="p"><h1>Deep page'
                                  '</h1><p>three more words</p></section></div>'))
    assert whole.enrichment_page and whole.load.core_words == 0 and whole.load.enrichment_words == 5


def test_readability_ends_fragments_as_sentences_and_skips_tables_and_enrichment():
    page = _page("""<section id="ch"><h1>A heading that is not prose</h1>
<ul><li><p>a fragment without an end mark</p></li><li><p>Another one!</p></li></ul>
<table><tr><td><p>table text is not prose</p></td></tr></table>
<div class="enrichment"><p>Deeper text is not core.</p></div></section>""")
    prose = reading.measure(page).core_prose
    assert prose == ["a fragment without an end mark.", "Another one!"]
    assert reading.grade(prose) is not None and reading.grade("") is None
    assert reading.grade("The cat sat. It was on the mat.") < reading.grade(
        "Pharmacokinetic heterogeneity complicates individualized antineoplastic administration considerably.")


def test_minutes_round_and_cost_each_item_type():
    assert reading.reading_minutes(SHAPE.reading.words_per_minute * 10) == 10
    assert reading.reading_minutes(0) == 0
    minutes = reading.practice_minutes(Counter({"single": 2, "bowtie": 1}))
    expected = 2 * SHAPE.practice_minutes["single"] + SHAPE.practice_minutes["bowtie"]
    assert minutes == int(expected + 0.5)
    # an item type the table does not know is costed at the dearest type, never at nothing
    assert reading.practice_minutes(Counter({"new-type": 1})) == round(max(SHAPE.practice_minutes.values()) + 0.01)
    assert reading.time_text(12, 8) == "About 12 min reading, 8 min practice"
    assert reading.time_text(0, 4) == "About 4 min practice"
    assert reading.time_text(0, 0) == "About 1 min reading"


def test_time_lines_go_under_the_title_and_each_major_section_only():
    words = SHAPE.reading.words_per_minute
    body = ('<section id="ch"><h1>Title<a class="headerlink" href="#ch">#</a></h1>'
            f'<section id="big"><h2>Big</h2><p>{"word " * (3 * words)}</p>'
            f'<div class="enrichment"><p>{"deep " * words}</p></div></section>'
            '<section id="small"><h2>Key terms</h2><p>a few words</p></section></section>')
    lines = reading.time_lines(reading.measure(body))
    assert set(lines) == {"ch", "big"}
    assert lines["big"] == "About 3 min reading."
    assert lines["ch"].startswith("About 3 min reading") and "add about 1 min" in lines["ch"]
    out = reading.insert_time_lines(body, lines)
    assert re.search(r'<h1>Title<a class="headerlink" href="#ch">#</a></h1>\n<p class="her2-time">About 3 min', out)
    assert re.search(r"<h2>Big</h2>\n<p class=\"her2-time\">About 3 min reading.</p>", out)
    assert out.replace(re.search(r'\n<p class="her2-time">[^<]*</p>', out).group(0), "", 1).count("her2-time") == 1
    # the lines are not words of the page: measuring again gives the same load
    assert reading.measure(out).load == reading.measure(body).load


def test_reading_references_are_filled_with_a_link_and_the_computed_time():
    words = SHAPE.reading.words_per_minute
    chapter = reading.measure(f'<section id="c"><h1>Chapter</h1><section id="s"><h2>Part</h2><p>{"w " * words * 4}'
                              '</p></section></section>')
    page = ("<p>" + reading.placeholder("time", "notebooks/01-x#s") + " and "
            + reading.placeholder("total", "notebooks/01-x#s; notebooks/01-x") + " and "
            + reading.placeholder("time", "notebooks/01-x#nope") + "</p>")
    out, problems = reading.fill_references(page, "book/plan", {"notebooks/01-x": chapter})
    assert '<a class="reference internal" href="../notebooks/01-x.html#s">Part</a> (about 4 min reading)' in out
    assert "about 8 min reading</span>" in out
    assert problems == ["reading-time reference 'notebooks/01-x#nope': page 'notebooks/01-x' has no section with "
                        "the id 'nope'"]
    again, _ = reading.fill_references(out, "book/plan", {"notebooks/01-x": chapter})
    assert again == out  # filling is repeatable (an incremental build fills the same page again)


def test_reading_time_all_counts_the_go_deeper_text_of_a_section_too():
    """A case kept in a "Go deeper" block is read in full in class: {reading-time-all} counts its enrichment words and
    items with the core, where {reading-time} gives the core alone."""
    words = SHAPE.reading.words_per_minute
    spec = json.dumps({"items": [{"type": "bowtie"}, {"type": "bowtie"}]})
    chapter = reading.measure(f'<section id="c"><h1>Chapter</h1><section id="case"><h2>Case</h2><p>{"w " * words}</p>'
                              f'<div class="enrichment"><p>{"d " * words * 5}</p>'
                              f"<div class=\"her2-quiz\" data-spec='{spec}'></div></div></section></section>")
    page = reading.placeholder("time", "notebooks/01-x#case") + reading.placeholder("all", "notebooks/01-x#case")
    out, problems = reading.fill_references(page, "book/plan", {"notebooks/01-x": chapter})
    assert not problems
    assert "(about 1 min reading)</span>" in out
    assert f"(about 6 min reading, {round(2 * SHAPE.practice_minutes['bowtie'])} min practice)</span>" in out


def test_shape_file_is_checked(copy_layout: Layout):
    path = copy_layout.data_dir / "course_shape.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    shapes, problems = reading.validate(copy_layout)
    assert shapes and not problems
    raw["budgets"].append({"chapter": "09-extra", "core_words": raw["total_core_budget"]})
    raw["reading"]["references"] = ["no-such-key"]
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    _, problems = reading.validate(copy_layout)
    messages = " | ".join(p.message for p in problems)
    assert "reference key 'no-such-key'" in messages and "more than total_core_budget" in messages
    raw["reading"]["words_per_minute"] = "200"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    _, problems = reading.validate(copy_layout)
    assert any("a number belongs here" in p.message for p in problems)


def test_budget_table_names_real_chapters_and_fits_the_total():
    assert {b.chapter for b in SHAPE.budgets} <= set(CHAPTERS)
    assert sum(b.core_words for b in SHAPE.budgets) <= SHAPE.total_core_budget


# ------------------------------------------------------------------------------------------------ the built book

@pytest.fixture(scope="module")
def chapter_report(built_html) -> dict[str, reading.ChapterReport]:
    return {r.chapter: r for r in reading.report(built_html)}


@pytest.mark.book
@pytest.mark.parametrize("budget", SHAPE.budgets, ids=lambda b: b.chapter)
def test_split_chapter_core_is_within_its_budget(chapter_report, budget):
    row = chapter_report[budget.chapter]
    assert row.core_words <= budget.core_words, (
        f"{budget.chapter}: {row.core_words:,} core words, budget {budget.core_words:,}: move more into 'Go deeper' "
        "blocks or an enrichment page")
    assert row.enrichment_words > 0, "a split chapter keeps its detail as enrichment"


@pytest.mark.book
def test_core_of_the_budgeted_chapters_is_within_the_total(chapter_report):
    """The total budget of the core (28,000 words for chapters 1-7); it covers every chapter in the budget table,
    which is all seven once each has been split."""
    core = sum(chapter_report[b.chapter].core_words for b in SHAPE.budgets)
    assert core <= SHAPE.total_core_budget


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_core_prose_reads_at_grade_12_or_below(chapter_report, chapter):
    grade = chapter_report[chapter].grade
    assert grade is not None and grade <= SHAPE.max_core_grade, f"{chapter}: Flesch-Kincaid grade {grade}"


@pytest.mark.book
def test_handouts_hold_their_stated_reading_level(chapter_report):
    """Chapter 6 states that its patient handouts read at grade 3 to 5, below the course's target of grade 6."""
    handouts = [(c, t, g) for c, row in chapter_report.items() for t, g in row.handouts]
    assert len(handouts) >= 3
    assert all(g is not None and g <= 6 for _, _, g in handouts), handouts


@pytest.mark.book
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_and_major_section_shows_its_computed_time(built_html, chapter):
    """The line under each heading is the one computed from the page as built (so it cannot be typed by hand or go
    stale), and it stands right under the title and under each major section's heading."""
    from bs4 import BeautifulSoup

    html = (built_html / "notebooks" / f"{chapter}.html").read_text(encoding="utf-8")
    printed = {}
    for line in BeautifulSoup(html, "html.parser").select("p.her2-time"):
        heading = line.find_previous_sibling()
        assert heading is not None and heading.name in ("h1", "h2"), f"a time line not under a heading: {line}"
        printed[heading.parent["id"]] = line.get_text()
    expected = reading.time_lines(reading.measure(html))
    assert printed == expected
    title_id = BeautifulSoup(html, "html.parser").select_one("article.bd-article h1").parent["id"]
    assert title_id in printed, "no time estimate under the chapter's title"


@pytest.mark.book
def test_enrichment_cells_and_pages_are_marked_and_collapsed(built_html):
    pages = [p for p in built_html.rglob("*.html") if "_static" not in p.parts]
    cells = 0
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for m in re.finditer(r'<details class="([^"]*)"[^>]*>\s*<summary[^>]*>([^<]*)</summary>', html):
            if "enrichment" in m.group(1).split():
                cells += 1
                assert m.group(2).startswith("Go deeper"), f"{page.name}: enrichment summary '{m.group(2)}'"
    assert cells, "no code-cell enrichment block in the book"
    deeper_pages = sorted((built_html / "notebooks").glob("deeper-*.html"))
    assert deeper_pages, "no enrichment page"
    for page in deeper_pages:
        assert 'class="enrichment her2-enrichment-page"' in page.read_text(encoding="utf-8"), page.name


# ------------------------------------------------------------------------------------------------ one home per table

def _tables(built: Path) -> list[tuple[str, str, str, str]]:
    """(page, table id, caption, normalized text) of every table a learner reads."""
    from bs4 import BeautifulSoup

    out = []
    for page in sorted(built.rglob("*.html")):
        if "_static" in page.parts or page.name in {"genindex.html", "search.html"}:
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        article = soup.select_one("article.bd-article")
        for table in article.find_all("table") if article else []:
            if table.find_parent(class_="her2-quiz"):
                continue
            caption = table.find("caption")
            out.append((str(page.relative_to(built)), (caption.get("id") if caption else "") or "",
                        " ".join(caption.get_text(" ").split()) if caption else "",
                        " ".join(table.get_text(" ").split())))
    return out


@pytest.mark.book
def test_no_table_is_rendered_twice(built_html):
    """One home for every table: the same caption, id or content on two pages (or twice on one) is a copy, which
    should be a link to the table's home instead."""
    seen: dict[str, str] = {}
    copies = []
    for page, table_id, caption, text in _tables(built_html):
        for key in (f"id:{table_id}" if table_id else "", f"caption:{caption}" if caption else "", f"text:{text}"):
            if not key:
                continue
            if key in seen:
                copies.append(f"{key[:90]} on {seen[key]} and {page}")
            else:
                seen[key] = page
    assert not copies, "tables rendered more than once:\n" + "\n".join(copies)
