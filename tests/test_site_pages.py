"""The reading experience, read from the built HTML (issue 9): headings, alt text, link text, reference links,
what each page loads. The browser checks of the same budgets are in test_site_browser.py."""

from __future__ import annotations

import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.book

GENERIC_LINK_TEXT = {"here", "click here", "click", "link", "this link", "more", "read more", "this", "this page",
                     "go", "page", "details"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def pages(built: Path) -> list[Path]:
    return sorted(p for p in built.rglob("*.html") if not {"_static", "reports"} & set(p.relative_to(built).parts))


def content_pages(built: Path) -> list[Path]:
    """Pages with a main region (the root index.html is only a redirect)."""
    return [p for p in pages(built) if 'id="main-content"' in p.read_text(encoding="utf-8")]


def chapters(built: Path) -> list[Path]:
    return [p for p in content_pages(built) if p.parent.name in ("notebooks", "book")]


class Page(HTMLParser):
    """Headings, images, links and fetched assets of a page; tracks whether we are in the main region or in
    content hidden on screen (print-only blocks)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, in article, hidden)
        self.headings: list[tuple[int, str]] = []
        self.imgs: list[dict[str, str | None]] = []
        self.svgs: list[dict[str, str | None]] = []
        self.links: list[dict] = []
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._heading: list | None = None
        self._link: dict | None = None

    @property
    def in_article(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    @property
    def hidden(self) -> bool:
        return bool(self.stack) and self.stack[-1][2]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        article = self.in_article or (tag == "main" and a.get("id") == "main-content")
        hidden = self.hidden or "her2-print-only" in classes or "onlyprint" in classes or "hidden" in a
        if tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        if tag == "link" and "stylesheet" in (a.get("rel") or ""):
            self.styles.append(a.get("href") or "")
        if tag == "img":
            self.imgs.append(a)
        if tag == "svg" and a.get("role") == "img":
            self.svgs.append(a)
        if article and not hidden and re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        if tag == "a" and a.get("href") is not None and not hidden:
            self._link = {"attrs": a, "text": "", "article": article}
            if tag in VOID:
                return
        if tag in VOID:
            if tag == "img" and self._link is not None:
                self._link["text"] += " " + (a.get("alt") or "")
            return
        self.stack.append((tag, article, hidden))

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._heading[0], self._heading[1].strip()))
            self._heading = None
        if tag == "a" and self._link is not None:
            self.links.append(self._link)
            self._link = None
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self._heading is not None:
            self._heading[1] += data
        if self._link is not None:
            self._link["text"] += data


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_every_content_page_is_found(built_html):
    found = {str(p.relative_to(built_html)) for p in content_pages(built_html)}
    assert {"book/index.html", "book/glossary.html", "book/references.html", "search.html"} <= found
    assert any(f.startswith("notebooks/") for f in found)


def test_heading_levels_never_skip(built_html):
    problems = {}
    for path in content_pages(built_html):
        heads = parse(path).headings
        rel = str(path.relative_to(built_html))
        if not heads or heads[0][0] != 1 or sum(1 for lvl, _ in heads if lvl == 1) != 1:
            problems[rel] = f"the article must open with its one h1: {heads[:3]}"
            continue
        for (prev, _), (lvl, text) in itertools.pairwise(heads):
            if lvl > prev + 1:
                problems.setdefault(rel, f"h{prev} is followed by h{lvl} ({text!r})")
    assert not problems, problems


def test_every_image_has_alt_text(built_html):
    missing = {}
    for path in pages(built_html):
        page = parse(path)
        bad = [i.get("src", "")[:60] for i in page.imgs if not (i.get("alt") or "").strip()
               and i.get("aria-hidden") != "true" and i.get("role") != "presentation"]
        bad += [s.get("id") or "svg" for s in page.svgs if not (s.get("aria-label") or s.get("aria-labelledby"))]
        if bad:
            missing[str(path.relative_to(built_html))] = bad
    assert not missing, missing


def test_link_text_says_where_it_goes(built_html):
    vague = {}
    for path in content_pages(built_html):
        for link in parse(path).links:
            a = link["attrs"]
            classes = (a.get("class") or "").split()
            if "headerlink" in classes:  # the pilcrow-style permalink after each heading: titled "Link to this heading"
                assert a.get("title"), path
                continue
            name = " ".join((a.get("aria-label") or link["text"] or a.get("title") or "").split()).strip()
            if not name or name.lower().strip(".:!") in GENERIC_LINK_TEXT:
                vague.setdefault(str(path.relative_to(built_html)), []).append((a.get("href"), name))
    assert not vague, vague


def test_glossary_and_references_linked_from_every_page(built_html):
    glossary = built_html / "book" / "glossary.html"
    references = built_html / "book" / "references.html"
    assert glossary.is_file() and references.is_file()
    missing = {}
    for path in content_pages(built_html):
        html = path.read_text(encoding="utf-8")
        footer = re.search(r'<nav class="her2-reference-links"[^>]*>(.*?)</nav>', html, re.S)
        sidebar = re.search(r'<nav class="bd-links bd-docs-nav"[^>]*>(.*?)</nav>', html, re.S)
        for where, block in (("footer", footer), ("left navigation", sidebar)):
            hrefs = re.findall(r'href="([^"#]*)', block.group(1)) if block else []
            targets = {(path.parent / h).resolve() for h in hrefs if h}
            if glossary.resolve() not in targets and path != glossary:
                missing.setdefault(str(path.relative_to(built_html)), []).append(f"glossary ({where})")
            if references.resolve() not in targets and path != references:
                missing.setdefault(str(path.relative_to(built_html)), []).append(f"references ({where})")
    assert not missing, missing


def test_pages_load_only_what_they_use(built_html):
    for path in pages(built_html):
        page = parse(path)
        rel = str(path.relative_to(built_html))
        assert not any("fontawesome" in s for s in page.scripts), f"{rel} loads the Font Awesome script"
        searchy = [s for s in page.scripts if "searchindex.js" in s]
        if path.name != "search.html":
            assert not searchy, f"{rel} loads the search index (only search.html needs it)"
        if 'id="main-content"' in path.read_text(encoding="utf-8"):
            assert any(s.split("?")[0].endswith("her2course.css") for s in page.styles), rel
            assert sum(1 for s in page.scripts if s.split("?")[0].endswith("/print.js")) == 1, rel
        quiz = 'class="her2-quiz"' in path.read_text(encoding="utf-8")
        mounts = sum(1 for s in page.scripts if s.split("?")[0].endswith("/mount.js"))
        assert mounts == (1 if quiz else 0), f"{rel}: mount.js loaded {mounts} times (quiz on page: {quiz})"


def test_site_css_and_js_fetch_nothing_from_outside(built_html):
    remote = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"]|import\s*\(?\s*['"]|from\s+['"])(?:https?:)?//""", re.I)
    offenders = [str(p.relative_to(built_html)) for p in (built_html / "_static").rglob("*")
                 if p.suffix in (".css", ".js") and p.name != "fontawesome.js" and remote.search(p.read_text("utf-8"))]
    assert not offenders, offenders


def test_print_stylesheet_and_print_script_are_in_place(built_html):
    css = (built_html / "_static" / "her2course.css").read_text(encoding="utf-8")
    print_rules = css[css.index("@media print"):]
    for needle in (".her2-print-only", "div.her2-quiz", ".bd-sidebar-primary", "break-inside: avoid",
                   'attr(href)', ".her2-print-answers"):
        assert needle in print_rules, needle
    js = (built_html / "_static" / "print.js").read_text(encoding="utf-8")
    assert "beforeprint" in js and "renderPrintForms" in js and "preparePrint" in js


def test_theme_css_was_purged_but_keeps_what_pages_use(built_html):
    theme = (built_html / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    assert len(theme) < 200_000, "the theme's style sheet was not purged"
    for selector in (".bd-sidebar-primary", ".theme-switch-button", ".admonition", "html[data-theme=dark]",
                     ".search-button-field", ".prev-next-area"):
        assert selector in theme, selector
