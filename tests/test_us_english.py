"""US English where a learner reads: the data files and the built book (text, alt text, quiz and case data).

Left alone, as the issue asks: titles of cited works (the bibliography and citation pop-ups), quotations
(<q>, <blockquote>), code, and identifiers (ids, classes, file names), which a learner does not read.
"""

from __future__ import annotations

import base64
import html
import json
import re
import urllib.parse
from pathlib import Path

import pytest
import yaml

from her2course import usenglish

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "her2course" / "data"
# Keys whose values are identifiers or citation keys, not text.
NOT_TEXT = {"id", "reference", "references", "learning_outcome", "cjmm_step", "tags", "answer", "source", "sources",
            "key", "keys", "drug", "drugs", "case", "chapter", "kind", "type", "difficulty", "step", "display",
            "next"}  # "next": the element id of an unfolding case's next stage


def _texts(node, key=""):
    if isinstance(node, dict):
        for k, v in node.items():
            if k not in NOT_TEXT:
                yield from _texts(v, k)
    elif isinstance(node, list):
        for v in node:
            yield from _texts(v, key)
    elif isinstance(node, str):
        yield key, node


def test_the_word_table_knows_the_course_words():
    found = dict(usenglish.british_words("Tumour diarrhoea, gastro-oesophageal oedema; signalling analyses"))
    assert found == {"Tumour": "tumor", "diarrhoea": "diarrhea", "gastro-oesophageal": "gastroesophageal",
                     "oedema": "edema", "signalling": "signaling"}
    assert usenglish.americanize("Tumour-agnostic DIARRHOEA") == "Tumor-agnostic DIARRHEA"
    assert usenglish.british_words("tumor diarrhea edema, subgroup analyses, axe-core") == []


@pytest.mark.parametrize("path", sorted(DATA.rglob("*.yaml")), ids=lambda p: str(p.relative_to(DATA)))
def test_data_files_use_us_spelling(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    bad = [(k, w) for k, text in _texts(data) for w, _ in usenglish.british_words(text)]
    assert not bad, f"{path.name}: British spellings (field, word): {bad[:20]}"


# ------------------------------------------------------------------------------------------ the built book

def _spec_texts(spec: str) -> list[str]:
    try:
        data = json.loads(spec)
    except ValueError:
        return [spec]
    out: list[str] = []

    def walk(node, key=""):
        if isinstance(node, dict):
            for k, v in node.items():
                if k not in NOT_TEXT:
                    walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str):
            out.append(node)

    walk(data)
    return out


def _svg_text(src: str) -> str:
    head, _, body = src.partition(",")
    raw = base64.b64decode(body).decode("utf-8", "replace") if ";base64" in head else urllib.parse.unquote(body)
    return " ".join(re.findall(r">([^<>]+)<", raw))


def page_text(page: Path) -> str:
    """What a reader meets on a page: visible text, alt and label text, quiz and case specs, figure text."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    for el in soup.select("script, style, code, pre, q, blockquote, .citation, .bibliography, "
                          "div.footnote, dl.citation, [role=doc-bibliography]"):
        el.decompose()
    parts = [soup.get_text(" ")]
    for el in soup.find_all(True):
        for attr in ("alt", "aria-label", "placeholder"):
            if el.get(attr):
                parts.append(el[attr])
        if el.get("data-spec"):
            parts += _spec_texts(html.unescape(el["data-spec"]))
        if el.name == "img" and el.get("src", "").startswith("data:image/svg+xml"):
            parts.append(_svg_text(el["src"]))
    return html.unescape("\n".join(parts))


def _pages(built: Path) -> list[Path]:
    return sorted(p for p in built.rglob("*.html") if "_static" not in p.parts and "_sources" not in p.parts
                  and p.name not in {"genindex.html", "search.html"})


@pytest.mark.book
def test_built_book_uses_us_spelling(built_html):
    offenders: dict[str, list[str]] = {}
    for page in _pages(built_html):
        words = sorted({w for w, _ in usenglish.british_words(page_text(page))})
        if words:
            offenders[str(page.relative_to(built_html))] = words
    assert not offenders, f"British spellings a learner reads (page: words): {offenders}"


def _stems(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("stem", "prompt") and isinstance(v, str):
                yield v
            else:
                yield from _stems(v)
    elif isinstance(node, list):
        for v in node:
            yield from _stems(v)


@pytest.mark.parametrize("path", sorted([*DATA.glob("questions/*.yaml"), *DATA.glob("cases/*.yaml")]),
                         ids=lambda p: p.name)
def test_question_stems_say_client_as_the_nclex_does(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    stems = list(_stems(data))
    assert stems, f"{path.name}: no question stems found"
    bad = [s[:80] for s in stems if re.search(r"\bpatients?\b", s, re.I)]
    assert not bad, f"{path.name}: stems that say 'patient' where NCLEX says 'client': {bad}"
