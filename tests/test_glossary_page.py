"""The glossary page's A-Z list and the definitions the chapters show in place (issue 15, part 4). The pop-up itself
is tested in a browser (test_site_browser.py)."""

from __future__ import annotations

import json
import re

import pytest

from her2course import glossary, sphinxext
from her2course.myst import literal


def _groups():
    return sphinxext._letter_groups(glossary.myst_lines(), glossary.index_letter)


def test_letter_groups_keep_every_line_and_file_each_term_under_its_letter():
    groups = _groups()
    assert sum(len(lines) for lines in groups.values()) == len(glossary.myst_lines())
    terms = {literal(t.term) for t in glossary.terms()}  # each term as the directive is given it (shown as written)
    filed = [line for lines in groups.values() for line in lines if line.strip() and not line[:1].isspace()]
    assert sorted(filed) == sorted(terms)
    for letter, lines in groups.items():
        for line in lines:
            if line.strip() and not line[:1].isspace():
                assert glossary.index_letter(line) == letter
    assert list(groups) == sorted(groups)


@pytest.mark.parametrize("term,letter", [("HER2", "H"), ("p95HER2", "P"), ("5-FU", "#"), ("(x) y", "X")])
def test_index_letter(term, letter):
    assert glossary.index_letter(term) == letter


def test_the_jump_list_links_every_letter_with_terms_and_shows_the_others_inert():
    groups = _groups()
    nav = sphinxext._az_nav(groups)
    assert nav.startswith('<nav class="her2-glossary-az" aria-label="Glossary, A to Z"><ul>')
    links = re.findall(r'<a href="#glossary-([a-z]+)">([A-Z])</a>', nav)
    assert [letter for _, letter in links] == [k for k in groups if k.isalpha()]
    inert = re.findall(r'<li aria-hidden="true"><span class="her2-az-empty">([A-Z])</span></li>', nav)
    assert sorted(inert + [letter for _, letter in links]) == list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


@pytest.mark.book
def test_glossary_page_has_a_heading_for_each_letter_in_the_jump_list(built_html):
    page = (built_html / "book" / "glossary.html").read_text(encoding="utf-8")
    targets = re.findall(r'<nav class="her2-glossary-az".*?</nav>', page, re.S)
    assert len(targets) == 1
    for ident in re.findall(r'href="#(glossary-[a-z]+)"', targets[0]):
        assert re.search(rf'<h2 id="{ident}" class="her2-glossary-letter">[A-Z]</h2>', page), ident
    positions = [m.start() for m in re.finditer(r'<h2 id="glossary-', page)]
    assert positions == sorted(positions) and len(positions) >= 15
    assert page.count('<dt id="term-') == len(glossary.terms())


@pytest.mark.book
def test_every_term_link_in_the_book_has_its_definition_for_the_pop_up(built_html):
    data = json.loads((built_html / "_static" / "her2-glossary.json").read_text(encoding="utf-8"))
    page = (built_html / "book" / "glossary.html").read_text(encoding="utf-8")
    assert set(data) == set(re.findall(r'<dt id="(term-[^"]+)"', page))
    for ident, entry in data.items():
        assert entry["term"] and len(entry["definition"]) >= 20, ident
        assert "<" not in entry["definition"] and "{cite" not in entry["definition"], ident
    assert "[Hynes and Lane, 2005" in data["term-HER2"]["definition"], "citations read as on the page"
    linked = set()
    for html_page in (built_html / "notebooks").glob("*.html"):
        text = html_page.read_text(encoding="utf-8")
        linked |= set(re.findall(r'glossary\.html#(term-[^"]+)"><span class="xref std std-term">', text))
    assert linked and linked <= set(data), sorted(linked - set(data))


@pytest.mark.book
def test_the_reading_aids_load_only_where_they_are_used(built_html):
    for path in built_html.rglob("*.html"):
        if "_static" in path.parts or "slides" in path.parts or "teaching-kit" in path.parts:
            continue  # the teaching kit's reveal.js decks and files are not pages of the book
        text = path.read_text(encoding="utf-8")
        terms = "std-term" in text and 'class="xref std std-term"' in text
        figures = 'class="her2-figure"' in text or "her2-pathway-gallery" in text
        assert ("term-popup.js" in text) == terms, path
        assert ("figure-zoom.js" in text) == figures, path
