"""The glossary: every key term of every chapter is defined once, and linked from its first use in the chapter."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from her2course import glossary, reading

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
TERM = re.compile(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`")


def _markdown(path: Path) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


# A "Go deeper" block: ```{admonition} Go deeper: ... up to the closing fence of the same length (three or more
# backticks or colons). Its text is enrichment, not core.
_DEEPER = re.compile(r"^(?P<fence>`{3,}|:{3,})\{admonition\} Go deeper:.*?^(?P=fence)\s*$", re.S | re.M)


def core_markdown(text: str) -> str:
    """The chapter's Markdown without its "Go deeper" blocks."""
    return _DEEPER.sub("", text)


def _sections(text: str) -> tuple[str, str]:
    """(the Key terms section, everything after it)."""
    match = re.search(r"^## Key terms\s*\n(.*?)(?=^## )", text, flags=re.S | re.M)
    assert match, "no '## Key terms' section"
    return match.group(1), text[match.end():]


def test_terms_are_unique_and_defined():
    names = [t.term.casefold() for t in glossary.terms()]
    assert len(names) == len(set(names)), "a glossary term is defined twice"
    assert all(len(t.definition) >= 20 for t in glossary.terms())


def test_core_markdown_leaves_out_go_deeper_blocks():
    text = ("core {term}`A`\n````{admonition} Go deeper: x\n:class: dropdown enrichment\n{term}`B`\n```{dropdown} y\n"
            "{term}`C`\n```\n````\nmore core\n```{admonition} Go deeper: z\n{term}`D`\n```\n")
    assert core_markdown(text) == "core {term}`A`\n\nmore core\n"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_every_key_term_has_an_entry_and_is_linked_in_the_core(chapter):
    """Each term of a chapter's "Key terms" list has a glossary entry and is linked in the chapter's core (outside
    its "Go deeper" blocks), so a student who reads only the core meets every key term."""
    known = {t.term.casefold() for t in glossary.terms()}
    key_section, body = _sections(core_markdown(_markdown(chapter)))
    key_terms = [t.strip() for t in TERM.findall(key_section)]
    assert len(key_terms) >= 5, "a chapter lists at least five key terms"
    missing = [t for t in key_terms if t.casefold() not in known]
    assert not missing, f"key terms without a glossary entry: {missing}"
    linked = {t.strip().casefold() for t in TERM.findall(body)}
    unlinked = [t for t in key_terms if t.casefold() not in linked]
    assert not unlinked, f"key terms never linked in the chapter's core: {unlinked}"


SPLIT = [b.chapter for b in reading.shape().budgets]


@pytest.mark.parametrize("chapter", [c for c in CHAPTERS if c.stem in SPLIT], ids=lambda c: c.stem)
def test_a_split_chapter_lists_at_most_fifteen_key_terms(chapter):
    """The core of a chapter names at most ``max_key_terms`` key terms (the chapters in the budget table of
    data/course_shape.yaml have been split into core and enrichment; the glossary keeps every term)."""
    key_section, _ = _sections(_markdown(chapter))
    key_terms = TERM.findall(key_section)
    limit = reading.shape().max_key_terms
    assert len(key_terms) <= limit, f"{len(key_terms)} key terms; at most {limit} in a chapter's core"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=[c.stem for c in CHAPTERS])
def test_every_term_link_resolves(chapter):
    known = {t.term.casefold() for t in glossary.terms()}
    targets = {t.strip() for t in TERM.findall(_markdown(chapter))}
    assert not [t for t in targets if t.casefold() not in known]


# ------------------------------------------------------------------------------------------------ no script from data

def test_raw_html_in_a_term_or_definition_is_refused(copy_layout):
    """The glossary is plain text: the check names each term and field that holds raw HTML (and the book, which
    reads the glossary through the same validation, refuses to build)."""
    import yaml

    path = copy_layout.data_dir / "glossary.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    unreferenced = next(t for t in raw["terms"]
                        if not any(t["term"] in u.get("see_also", []) for u in raw["terms"]))
    unreferenced["term"] += " <svg onload=alert(1)>"
    raw["terms"][0]["definition"] += ' <a href="javascript:alert(2)">more</a>'
    raw["terms"][1]["definition"] += " (LVEF < 50% and a ratio > 2 are text, not HTML)"
    path.write_text(yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), encoding="utf-8")
    _, problems = glossary.validate(copy_layout)
    found = {(p.item, p.field) for p in problems}
    assert found == {(unreferenced["term"], "term"), (raw["terms"][0]["term"], "definition")}, problems
    assert all("raw HTML is not allowed in the glossary" in p.message for p in problems)


@pytest.mark.parametrize("text", [
    "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "<javascript:alert(1)>", "{raw}`<b>`",
    "``` {eval-rst}", "$x$ {{ sub }}", ".. comment", "- a list", "# heading", "term : classifier",
    "a\n   b\n\n- c", "&lt;img&gt;", "back\\slash",
])
def test_glossary_text_reaches_myst_as_literal_text(text):
    """Every ASCII punctuation character is escaped and white space folded: MyST can read no markup in it."""
    import re as _re

    out = glossary.literal(text)
    assert "\n" not in out
    assert not _re.search(r"[!-/:-@\[-`{-~]", _re.sub(r"\\[!-/:-@\[-`{-~]", "", out)), out  # all escaped
    assert _re.sub(r"\\(.)", r"\1", out) == " ".join(text.split())


def test_roles_cannot_be_closed_by_their_content():
    assert glossary.role("term", "HER2-low") == "{term}`HER2-low`"
    assert glossary.role("term", "a`b") == "{term}``a`b``"
    assert glossary.role("cite:p", "``x") == "{cite:p}``` ``x ```"
    lines = glossary.myst_lines((glossary.Term(term="Odd <b>term</b>", definition="A definition with `ticks` and <i>",
                                               see_also=["x`y"], references=["k`1"]),))
    assert lines[0] == r"Odd \<b\>term\<\/b\>"
    assert lines[1] == r"   A definition with \`ticks\` and \<i\> {cite:p}``k`1`` See also: {term}``x`y``."
