"""Checks on the built book (make test builds it with -W before running these)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
EXTERNAL = re.compile(r"^(https?:)?//", re.I)


class _Resources(HTMLParser):
    """Collects every URL a page would fetch on load (scripts, styles, images, frames, fonts in link tags)."""

    def __init__(self):
        super().__init__()
        self.fetched: list[str] = []
        self.imgs: list[dict] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("script", "img", "iframe", "audio", "video", "source") and a.get("src"):
            self.fetched.append(a["src"])
        fetched_rels = ("stylesheet", "preload", "icon", "modulepreload")
        if tag == "link" and a.get("href") and (a.get("rel") or "") in fetched_rels:
            self.fetched.append(a["href"])
        if tag == "img":
            self.imgs.append(a)


def _pages(built: Path) -> list[Path]:
    return sorted(p for p in built.rglob("*.html") if "_static" not in p.parts)


def _parse(path: Path) -> _Resources:
    parser = _Resources()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_title_and_licence_footer(built_html):
    index = (built_html / "book" / "index.html").read_text(encoding="utf-8")
    assert "HER2-Targeted Therapy: An Interactive Course for Nurses" in index
    assert "CC BY 4.0" in index and "MIT" in index


def test_no_page_loads_anything_from_outside_the_site(built_html):
    offenders = {}
    for page in _pages(built_html):
        external = [u for u in _parse(page).fetched if EXTERNAL.match(u)]
        if external:
            offenders[str(page.relative_to(built_html))] = external
    assert not offenders, offenders


def test_no_cdn_inside_local_scripts_and_styles(built_html):
    cdn = re.compile(r"(cdn\.jsdelivr|unpkg\.com|cdnjs\.cloudflare|require\.js/2)", re.I)
    hits = [str(p.relative_to(built_html)) for p in built_html.rglob("*.html") if cdn.search(p.read_text("utf-8"))]
    assert not hits, f"pages mention a CDN: {hits}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_pages_show_output_but_no_code(built_html, chapter):
    page = built_html / "notebooks" / f"{chapter}.html"
    html = page.read_text(encoding="utf-8")
    assert "cell_input" not in html and "highlight-ipython3" not in html, "a code cell is visible"
    assert "cell_output" in html, "no cell output shown"
    assert "output traceback" not in html and "output stderr" not in html, "a cell printed an error"


def _with_enrichment(built_html: Path, chapter: str) -> list[Path]:
    """A chapter's page and its enrichment pages (notebooks/deeper-NN-*.html, issue 16)."""
    return [built_html / "notebooks" / f"{chapter}.html",
            *sorted((built_html / "notebooks").glob(f"deeper-{chapter[:2]}-*.html"))]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_pages_have_figures_with_alt_text_and_captioned_tables(built_html, chapter):
    """Every chapter, with its enrichment pages, has figures with descriptive alt text and captioned tables."""
    pages = _with_enrichment(built_html, chapter)
    imgs = [i for page in pages for i in _parse(page).imgs]
    figures = [i for i in imgs if i.get("src", "").startswith("data:image/svg+xml")]
    assert figures, "no figure"
    assert all(len(i.get("alt", "")) > 40 for i in imgs), "an image lacks descriptive alt text"
    html = "".join(page.read_text(encoding="utf-8") for page in pages)
    assert re.search(r"<table\b[^>]*>\s*<caption", html), "no captioned table"
    assert "Last reviewed" in pages[0].read_text(encoding="utf-8")


def test_glossary_and_references_pages(built_html):
    glossary = (built_html / "book" / "glossary.html").read_text(encoding="utf-8")
    assert 'id="term-HER2-low"' in glossary or "term-her2-low" in glossary.lower()
    refs = (built_html / "book" / "references.html").read_text(encoding="utf-8")
    assert "human epidermal growth factor receptor 2 testing in breast cancer" in refs.lower()


def test_widget_state_is_not_embedded(built_html):
    for page in _pages(built_html):
        assert "application/vnd.jupyter.widget-state+json" not in page.read_text(encoding="utf-8"), page


_ADMONITION = re.compile(r'<div class="([^"]*\badmonition\b[^"]*)">\s*<p class="admonition-title">(.*?)</p>', re.S)


def test_go_deeper_blocks_are_collapsed_enrichment(built_html):
    """Every "Go deeper" block renders collapsed (dropdown) with the class that lets core words be counted, every
    enrichment block is titled "Go deeper", and the page that holds one loads the script that collapses it."""
    found = {}
    for chapter in CHAPTERS + sorted(p.stem for p in (built_html / "notebooks").glob("deeper-*.html")):
        page = (built_html / "notebooks" / f"{chapter}.html").read_text(encoding="utf-8")
        blocks = [(set(cls.split()), re.sub(r"<[^>]+>", "", title)) for cls, title in _ADMONITION.findall(page)]
        for classes, title in blocks:
            deeper = title.startswith("Go deeper:")
            assert deeper == ("enrichment" in classes), f"{chapter}: '{title}' has classes {sorted(classes)}"
            if deeper:
                assert "dropdown" in classes, f"{chapter}: '{title}' is not collapsed"
                found.setdefault(chapter, []).append(title)
        if chapter in found:
            assert "togglebutton.js" in page, f"{chapter}: the dropdown script is not loaded"
    titles = " | ".join(t for ts in found.values() for t in ts)
    for topic in ("HER2-ultralow evidence", "HER2 loss in gastric cancer", "colorectal cancer",
                  "serous endometrial cancer", "conjugate after conjugate"):
        assert topic in titles, f"no 'Go deeper' block on {topic}"
