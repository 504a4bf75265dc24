"""The reading load of the built book (issue 16): core and enrichment words, estimated minutes, readability.

Everything is measured on the BUILT pages (the HTML Jupyter Book writes), so what is counted is what a student
meets. The same functions count the words for ``her2course words``, for the time estimates the book prints under
each chapter and section heading (``her2course.sphinxext``), for the two-week module page and for the tests.

What is counted (README.md, "Writing and editing", says the same):

- The text of a page is its article (``<article class="bd-article">``; a body fragment as it is).
- Counted: headings, prose (paragraphs, lists, admonitions, dropdowns such as a case's "What the nurse does"),
  tables (caption and cells), figure captions, and case text (a case's narrative, data tables and notes).
- Not counted: in-text citations and the "References" section; navigation (previous/next, the page's contents,
  header-link marks); code; images, their alt text and any text drawn inside a figure; the source line under a
  generated table (it names sources); quiz and case items (``.her2-quiz``: counted as practice items, by type,
  instead); the time-estimate lines themselves (``.her2-time``).
- A word is a run of characters between white space that holds at least one letter or digit: "HER2-low", "5.4" and
  "mg/kg" are one word each, a lone dash is none.
- Enrichment is every word inside an element with the class ``enrichment`` ("Go deeper" blocks, code cells tagged
  ``enrichment``, enrichment pages); the rest is core.
- Minutes: reading = words / ``reading.words_per_minute``; practice = the sum of ``practice_minutes`` of each item
  by its type (``data/course_shape.yaml``). Each is rounded to the nearest minute.
- Readability: the Flesch-Kincaid grade (``textstat``) of the core prose, meaning its paragraphs and list items
  (not headings, tables, captions, admonition titles or case data). A paragraph or item without an end mark is
  ended as one sentence, so a list of fragments is not read as one very long sentence.
"""

from __future__ import annotations

import html as html_lib
import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from bs4 import Comment
from pydantic import BaseModel, ConfigDict, Field

from .errors import DataError, Problem
from .paths import Layout, package_layout
from .references import load_bibliography, missing_keys
from .yamlfile import read_yaml, validate_model

# ------------------------------------------------------------------------------------------------ the data


class Reading(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    words_per_minute: int = Field(gt=50, lt=1000)
    references: list[str] = Field(min_length=1)


class Budget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    chapter: str = Field(pattern=r"^\d\d-[a-z0-9-]+$")
    core_words: int = Field(gt=0)


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reading: Reading
    practice_minutes: dict[str, float] = Field(min_length=1)
    max_core_grade: float = Field(gt=0, lt=20)
    max_key_terms: int = Field(gt=0)
    total_core_budget: int = Field(gt=0)
    budgets: list[Budget] = Field(default_factory=list)

    def budget(self, chapter: str) -> int | None:
        return next((b.core_words for b in self.budgets if b.chapter == chapter), None)


def validate(layout: Layout) -> tuple[list[Shape], list[Problem]]:
    """``her2course check``: the shape file is well formed, cites known sources, and its budgets fit the total."""
    from pydantic import ValidationError

    path = layout.data_dir / "course_shape.yaml"
    try:
        raw = read_yaml(path)
    except DataError as exc:
        return [], exc.problems
    try:
        shape = validate_model(Shape, raw)
    except ValidationError as exc:
        return [], [Problem(path, None, ".".join(str(p) for p in err["loc"]) or None, err["msg"])
                    for err in exc.errors()]
    problems = missing_keys(load_bibliography(layout.bib), path, "reading", "references", shape.reading.references)
    seen: set[str] = set()
    for b in shape.budgets:
        if b.chapter in seen:
            problems.append(Problem(path, b.chapter, "chapter", "this chapter has two budgets"))
        seen.add(b.chapter)
    total = sum(b.core_words for b in shape.budgets)
    if total > shape.total_core_budget:
        problems.append(Problem(path, None, "budgets", f"the chapter budgets add up to {total:,} words, more than "
                                                       f"total_core_budget ({shape.total_core_budget:,})"))
    return ([shape] if not problems else []), problems


@lru_cache(maxsize=4)
def _shape_at(data_dir: Path) -> Shape:
    raw = read_yaml(data_dir / "course_shape.yaml")
    return validate_model(Shape, raw)


def shape(layout: Layout | None = None) -> Shape:
    return _shape_at((layout or package_layout()).data_dir)


# ------------------------------------------------------------------------------------------------ measuring

# Elements whose text is never counted (see the module docstring).
NOT_COUNTED = ("script, style, pre, code, svg, img, .headerlink, .section-number, .bibtex-citation, "
               ".her2-table-source, .her2-time, .her2-time-ref, nav, .prev-next-area, .toctree-wrapper")
ITEMS = ".her2-quiz"  # quiz and case items, in data-spec
ENRICHMENT = "enrichment"
# Leaf blocks of prose for the readability grade.
_PROSE_EXCLUDE = ("table", "figcaption", "caption", "h1", "h2", "h3", "h4", "h5", "h6")
_END_MARK = re.compile(r"[.!?:;][\"'”’)\]]*$")
_WORD = re.compile(r"[A-Za-z0-9]")


def count_words(text: str) -> int:
    """Runs of characters between white space that hold a letter or digit."""
    return sum(1 for token in text.split() if _WORD.search(token))


@dataclass
class Load:
    """Words and practice items of one part of a page (a page, or one of its sections)."""

    core_words: int = 0
    enrichment_words: int = 0
    core_items: Counter = field(default_factory=Counter)
    enrichment_items: Counter = field(default_factory=Counter)

    def add(self, other: Load) -> None:
        self.core_words += other.core_words
        self.enrichment_words += other.enrichment_words
        self.core_items.update(other.core_items)
        self.enrichment_items.update(other.enrichment_items)


@dataclass
class Section:
    id: str
    title: str
    level: int
    load: Load


@dataclass
class PageLoad:
    title: str
    load: Load
    sections: list[Section]
    core_prose: list[str]
    handouts: list[tuple[str, str]]  # (title, text) of each patient handout (``.handout`` admonitions)
    enrichment_page: bool = False

    def section(self, section_id: str) -> Section | None:
        return next((s for s in self.sections if s.id == section_id), None)


def _soup(page_html: str):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_html, "html.parser")
    return soup.select_one("article.bd-article") or soup


def _in_enrichment(el) -> bool:
    return ENRICHMENT in (el.get("class") or []) or el.find_parent(class_=ENRICHMENT) is not None


def _heading_text(h) -> str:
    parts = [s for s in h.find_all(string=True) if not s.find_parent(class_=["headerlink", "section-number"])]
    return " ".join("".join(parts).split())


def _items(quiz_el) -> Counter:
    try:
        spec = json.loads(html_lib.unescape(quiz_el.get("data-spec") or "{}"))
    except ValueError:
        return Counter()
    found: Counter = Counter()
    for item in spec.get("items", []) if isinstance(spec, dict) else []:
        if isinstance(item, dict):
            found[str(item.get("type", "single"))] += 1
    return found


def _drop_references(root) -> None:
    for section in root.find_all("section"):
        heading = section.find(["h1", "h2", "h3"], recursive=False)
        if heading is not None and _heading_text(heading).casefold() in ("references", "bibliography"):
            section.decompose()


def measure(page_html: str) -> PageLoad:
    """The reading load of one built page (a whole page, or the body fragment Sphinx hands to a page template)."""
    root = _soup(page_html)
    h1 = root.find("h1")
    title = _heading_text(h1) if h1 else ""
    _drop_references(root)
    for quiz_el in root.select(ITEMS):  # a quiz's words are not read: it stands for its items, by type
        marker = root.new_tag("span", attrs={"class": "her2-items", "data-items": json.dumps(_items(quiz_el))})
        quiz_el.replace_with(marker)
    for el in root.select(NOT_COUNTED):
        el.decompose()
    enrichment_page = bool(root.select_one(".her2-enrichment-page"))

    def load_of(node) -> Load:
        out = Load()
        for text in node.find_all(string=True):
            if isinstance(text, Comment):
                continue
            n = count_words(str(text))
            if n and _in_enrichment(text.parent):
                out.enrichment_words += n
            elif n:
                out.core_words += n
        for marker in node.select(".her2-items"):
            items = Counter(json.loads(marker.get("data-items") or "{}"))
            (out.enrichment_items if _in_enrichment(marker) else out.core_items).update(items)
        return out

    sections = []
    for sec in root.find_all("section"):
        heading = sec.find(["h1", "h2", "h3"], recursive=False)
        if heading is not None and sec.get("id"):
            sections.append(Section(sec["id"], _heading_text(heading), int(heading.name[1]), load_of(sec)))

    prose = []
    for block in root.find_all(["p", "li", "dd"]):
        if block.name != "p" and block.find("p"):
            continue  # the paragraphs inside are the leaf blocks
        if _in_enrichment(block) or block.find_parent(list(_PROSE_EXCLUDE)):
            continue
        if "admonition-title" in (block.get("class") or []) or block.find_parent(class_="her2-case-table"):
            continue
        text = " ".join(block.get_text(" ").split())
        if count_words(text):
            prose.append(text if _END_MARK.search(text) else text + ".")

    handouts = []
    for box in root.select(".admonition.handout"):
        title_el = box.find(class_="admonition-title")
        body = [" ".join(el.get_text(" ").split()) for el in box.find_all(["p", "li"])
                if el is not title_el and not (el.name == "li" and el.find("p"))]
        handouts.append((_heading_text(title_el) if title_el else "",
                         " ".join(t if _END_MARK.search(t) else t + "." for t in body if count_words(t))))
    return PageLoad(title, load_of(root), sections, prose, handouts, enrichment_page)


def grade(texts: list[str] | str) -> float | None:
    """Flesch-Kincaid grade of the given prose (``textstat``); None when there is none."""
    import textstat

    text = texts if isinstance(texts, str) else " ".join(texts)
    if not count_words(text):
        return None
    return round(float(textstat.flesch_kincaid_grade(text)), 1)


# ------------------------------------------------------------------------------------------------ minutes


def _round(minutes: float) -> int:
    return math.floor(minutes + 0.5) if minutes > 0 else 0


def reading_minutes(words: int, the_shape: Shape | None = None) -> int:
    s = the_shape or shape()
    return _round(words / s.reading.words_per_minute)


def practice_minutes(items: Counter, the_shape: Shape | None = None) -> int:
    s = the_shape or shape()
    default = max(s.practice_minutes.values())  # an item type the table does not know is costed at the dearest
    return _round(sum(s.practice_minutes.get(kind, default) * n for kind, n in items.items()))


def time_text(reading: int, practice: int) -> str:
    """'About 12 min reading, 8 min practice' (practice left out when there is none)."""
    parts = [f"{max(reading, 1)} min reading"] if reading or not practice else []
    if practice:
        parts.append(f"{practice} min practice")
    return "About " + ", ".join(parts)


def estimate(load: Load, *, enrichment: bool = False, the_shape: Shape | None = None) -> tuple[int, int]:
    """(reading, practice) minutes of the core of a load, or of its enrichment."""
    if enrichment:
        return reading_minutes(load.enrichment_words, the_shape), practice_minutes(load.enrichment_items, the_shape)
    return reading_minutes(load.core_words, the_shape), practice_minutes(load.core_items, the_shape)


# ------------------------------------------------------------------------------------------------ the book

# A section gets a time line under its heading when it is "major": a chapter's top-level section (h2) whose core
# takes at least this many minutes. The page itself always gets one under its title.
MAJOR_SECTION_MINUTES = 2


def timed_page(docname: str) -> bool:
    """Chapter pages (notebooks/NN-name) and enrichment pages get time estimates."""
    return bool(re.match(r"^notebooks/(\d\d|deeper-\d\d)-", docname))


def time_lines(page: PageLoad, the_shape: Shape | None = None) -> dict[str, str]:
    """section id -> the time line to print under its heading (the page's title section included)."""
    out: dict[str, str] = {}
    enrichment_page = page.enrichment_page
    for sec in page.sections:
        reading, practice = estimate(sec.load, enrichment=enrichment_page, the_shape=the_shape)
        if sec.level == 1:
            text = time_text(reading, practice)
            if not enrichment_page:
                extra_r, extra_p = estimate(sec.load, enrichment=True, the_shape=the_shape)
                if extra_r + extra_p:
                    text += f". The “Go deeper” parts add about {extra_r + extra_p} min"
            out[sec.id] = text + "."
        elif sec.level == 2 and reading + practice >= MAJOR_SECTION_MINUTES:
            out[sec.id] = time_text(reading, practice) + "."
    return out


def insert_time_lines(body: str, lines: dict[str, str]) -> str:
    """The body with each time line inserted right after the heading of its section (the HTML is otherwise left
    exactly as it was)."""
    for section_id, text in lines.items():
        pattern = re.compile(r'(<section\b[^>]*\bid="' + re.escape(section_id) + r'"[^>]*>\s*<h([1-6])\b.*?</h\2>)',
                             re.S)
        line = f'\n<p class="her2-time">{html_lib.escape(text)}</p>'
        body = pattern.sub(lambda m, line=line: m.group(1) + line, body, count=1)
    return body


def chapter_pages(build_dir: Path) -> list[tuple[str, Path]]:
    """(docname, file) of every timed page in a built book, in name order."""
    out = []
    for path in sorted((build_dir / "notebooks").glob("*.html")):
        docname = f"notebooks/{path.stem}"
        if timed_page(docname):
            out.append((docname, path))
    return out


def measure_file(path: Path) -> PageLoad:
    return measure(path.read_text(encoding="utf-8"))


@dataclass
class ChapterReport:
    chapter: str
    title: str
    core_words: int
    enrichment_words: int
    core_minutes: tuple[int, int]
    enrichment_minutes: tuple[int, int]
    grade: float | None
    budget: int | None
    handouts: list[tuple[str, float | None]]

    def as_dict(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "title": self.title, "core_words": self.core_words,
                "enrichment_words": self.enrichment_words, "core_reading_min": self.core_minutes[0],
                "core_practice_min": self.core_minutes[1], "enrichment_reading_min": self.enrichment_minutes[0],
                "enrichment_practice_min": self.enrichment_minutes[1], "core_fk_grade": self.grade,
                "budget": self.budget, "handouts": [{"title": t, "fk_grade": g} for t, g in self.handouts]}


def chapter_of(docname: str) -> str:
    """notebooks/deeper-02-drug-cards -> 02; notebooks/02-drug-classes -> 02-drug-classes's number, 02."""
    m = re.match(r"^notebooks/(?:deeper-)?(\d\d)-", docname)
    return m.group(1) if m else ""


def report(build_dir: Path, the_shape: Shape | None = None) -> list[ChapterReport]:
    """Per chapter (its page and its enrichment pages together): core and enrichment words and minutes, the grade of
    the core prose, the chapter's budget, and the grade of each handout."""
    s = the_shape or shape()
    pages = chapter_pages(build_dir)
    if not pages:
        raise DataError([Problem(build_dir, None, None, "no built chapter pages here (notebooks/NN-*.html): build "
                                                        "the book first (make book)")])
    chapters: dict[str, str] = {chapter_of(d): d.split("/", 1)[1] for d, _ in pages
                                if not d.startswith("notebooks/deeper-")}
    loads: dict[str, Load] = {}
    prose: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    handouts: dict[str, list[tuple[str, float | None]]] = {}
    for docname, path in pages:
        number = chapter_of(docname)
        page = measure_file(path)
        load = loads.setdefault(number, Load())
        if page.enrichment_page:  # every word of an enrichment page is enrichment, whatever its blocks say
            load.add(Load(enrichment_words=page.load.core_words + page.load.enrichment_words,
                          enrichment_items=page.load.core_items + page.load.enrichment_items))
        else:
            load.add(page.load)
            prose.setdefault(number, []).extend(page.core_prose)
            titles[number] = page.title
        handouts.setdefault(number, []).extend((t, grade(text)) for t, text in page.handouts)
    out = []
    for number in sorted(loads):
        name = chapters.get(number, number)
        load = loads[number]
        out.append(ChapterReport(name, titles.get(number, ""), load.core_words, load.enrichment_words,
                                 estimate(load, the_shape=s), estimate(load, enrichment=True, the_shape=s),
                                 grade(prose.get(number, [])), s.budget(name), handouts.get(number, [])))
    return out


def format_report(rows: list[ChapterReport], the_shape: Shape | None = None) -> str:
    s = the_shape or shape()
    head = (f"{'chapter':<26} {'core':>7} {'budget':>7} {'enrich':>7} {'core min (read+practice)':>25} "
            f"{'enrich min':>11} {'FK core':>8}")
    lines = [head, "-" * len(head)]
    for r in rows:
        budget = f"{r.budget:,}" if r.budget else "-"
        over = " OVER" if r.budget and r.core_words > r.budget else ""
        lines.append(f"{r.chapter:<26} {r.core_words:>7,} {budget:>7} {r.enrichment_words:>7,} "
                     f"{f'{r.core_minutes[0]} + {r.core_minutes[1]}':>25} "
                     f"{f'{r.enrichment_minutes[0]} + {r.enrichment_minutes[1]}':>11} "
                     f"{(f'{r.grade:.1f}' if r.grade is not None else '-'):>8}{over}")
    core = sum(r.core_words for r in rows)
    core_min = f"{sum(r.core_minutes[0] for r in rows)} + {sum(r.core_minutes[1] for r in rows)}"
    more_min = f"{sum(r.enrichment_minutes[0] for r in rows)} + {sum(r.enrichment_minutes[1] for r in rows)}"
    lines.append("-" * len(head))
    lines.append(f"{'total':<26} {core:>7,} {s.total_core_budget:>7,} {sum(r.enrichment_words for r in rows):>7,} "
                 f"{core_min:>25} {more_min:>11}")
    for r in rows:
        for title, g in r.handouts:
            lines.append(f"handout ({r.chapter}): {title}: FK grade {g if g is not None else '-'}")
    lines.append(f"Reading at {s.reading.words_per_minute} words a minute; practice minutes per item type: "
                 + ", ".join(f"{k} {v:g}" for k, v in s.practice_minutes.items())
                 + f". Core prose target: FK grade {s.max_core_grade:g} or below.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------ reading lists

# The {reading-time}, {reading-time-all} and {reading-total} roles of the two-week module page leave a placeholder;
# once every page is written, ``fill_references`` replaces it with the section's title, a link and its computed time
# ({reading-time-all}: core and "Go deeper" text together, for a case a class reads in full).
REF_SPAN = re.compile(r'<span class="her2-time-ref" data-kind="(time|all|total)" data-ref="([^"]*)">.*?</span>', re.S)


def placeholder(kind: str, refs: str) -> str:
    return (f'<span class="her2-time-ref" data-kind="{kind}" data-ref="{html_lib.escape(refs, quote=True)}">'
            f'(time computed when the book is built)</span>')


def parse_ref(ref: str) -> tuple[str, str]:
    """'notebooks/01-her2-biology#testing-her2' -> ('notebooks/01-her2-biology', 'testing-her2')."""
    doc, _, section = ref.strip().partition("#")
    return doc.strip().removesuffix(".ipynb").removesuffix(".md").removesuffix(".html"), section.strip()


def resolve(ref: str, pages: dict[str, PageLoad], the_shape: Shape | None = None,
            whole: bool = False) -> tuple[str, int, int]:
    """(title, reading minutes, practice minutes) of a page or one of its sections; KeyError naming what is
    missing. The minutes are the core's, or the enrichment's on an enrichment page; with ``whole``, of core and
    enrichment together (a case in a "Go deeper" block, read in full)."""
    doc, section_id = parse_ref(ref)
    if doc not in pages:
        raise KeyError(f"no built page '{doc}'")
    page = pages[doc]
    if section_id:
        sec = page.section(section_id)
        if sec is None:
            raise KeyError(f"page '{doc}' has no section with the id '{section_id}'")
        title, load = sec.title, sec.load
    else:
        title, load = page.title, page.load
    if whole:
        both = Load(core_words=load.core_words + load.enrichment_words,
                    core_items=load.core_items + load.enrichment_items)
        reading, practice = estimate(both, the_shape=the_shape)
    else:
        reading, practice = estimate(load, enrichment=page.enrichment_page, the_shape=the_shape)
    return title, reading, practice


def fill_references(page_html: str, from_doc: str, pages: dict[str, PageLoad],
                    the_shape: Shape | None = None) -> tuple[str, list[str]]:
    """The page with each reading-time placeholder filled in; and a message for each reference that names no built
    page or section."""
    import posixpath

    problems: list[str] = []

    def fill(m: re.Match[str]) -> str:
        kind, refs = m.group(1), html_lib.unescape(m.group(2))
        try:
            if kind in ("time", "all"):
                doc, section_id = parse_ref(refs)
                title, reading, practice = resolve(refs, pages, the_shape, whole=kind == "all")
                href = posixpath.relpath(f"{doc}.html", posixpath.dirname(from_doc) or ".")
                href += f"#{section_id}" if section_id else ""
                inner = (f'<a class="reference internal" href="{html_lib.escape(href, quote=True)}">'
                         f'{html_lib.escape(title)}</a> ({html_lib.escape(time_text(reading, practice).lower())})')
            else:
                totals = [resolve(r, pages, the_shape) for r in refs.split(";") if r.strip()]
                inner = html_lib.escape(time_text(sum(t[1] for t in totals), sum(t[2] for t in totals)).lower())
        except KeyError as exc:
            problems.append(f"reading-time reference '{refs}': {exc.args[0]}")
            inner = "(time not available)"
        return (f'<span class="her2-time-ref" data-kind="{kind}" data-ref="{html_lib.escape(refs, quote=True)}">'
                f"{inner}</span>")

    return REF_SPAN.sub(fill, page_html), problems
