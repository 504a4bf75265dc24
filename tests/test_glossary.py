"""The glossary: every key term of every chapter is defined once, and linked from its first use in the chapter."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from her2course import glossary

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
TERM = re.compile(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`")


def _markdown(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _sections(text: str) -> tuple[str, str]:
    """(the Key terms section, everything after it)."""
    match = re.search(r"^## Key terms\s*\n(.*?)(?=^## )", text, flags=re.S | re.M)
    assert match, "no '## Key terms' section"
    return match.group(1), text[match.end():]


def test_terms_are_unique_and_defined():
    names = [t.term.casefold() for t in glossary.terms()]
    assert len(names) == len(set(names)), "a glossary term is defined twice"
    assert all(len(t.definition) >= 20 for t in glossary.terms())


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_every_key_term_has_an_entry_and_is_linked_in_the_body(chapter):
    known = {t.term.casefold() for t in glossary.terms()}
    key_section, body = _sections(_markdown(chapter))
    key_terms = [t.strip() for t in TERM.findall(key_section)]
    assert len(key_terms) >= 5, "a chapter lists at least five key terms"
    missing = [t for t in key_terms if t.casefold() not in known]
    assert not missing, f"key terms without a glossary entry: {missing}"
    linked = {t.strip().casefold() for t in TERM.findall(body)}
    unlinked = [t for t in key_terms if t.casefold() not in linked]
    assert not unlinked, f"key terms never linked in the chapter body: {unlinked}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_every_term_link_resolves(chapter):
    known = {t.term.casefold() for t in glossary.terms()}
    targets = {t.strip() for t in TERM.findall(_markdown(chapter))}
    assert not [t for t in targets if t.casefold() not in known]
