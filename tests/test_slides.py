"""Slides: a deck notebook per chapter made from the chapter and the data, converted by nbconvert to reveal.js with
nothing fetched from outside (reveal.js vendored from npm), speaker notes and a reveal step for every question."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from her2course.quiz.bank import load_bank
from her2course.teaching import slides
from her2course.teaching.chapters import chapter_paths, plain_roles, read_chapter

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = [p.stem for p in chapter_paths(ROOT)]
EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def chapter1():
    return read_chapter(ROOT / "notebooks" / "01-her2-biology.ipynb")


@pytest.fixture(scope="module")
def deck1(chapter1):
    return slides.build_deck(chapter1)


@pytest.fixture(scope="module")
def html1(deck1):
    return slides.to_html(deck1)


def test_every_chapter_gives_the_kit_what_it_needs():
    assert len(CHAPTERS) == 7
    for path in chapter_paths(ROOT):
        ch = read_chapter(path)
        # a chapter lists the outcomes its core teaches (chapters 3 and 4 keep two or three; the rest are on their
        # enrichment pages, issue 16)
        assert ch.title and len(ch.outcomes) >= 2, ch.id
        assert ch.tagged, f"{ch.id}: no cell tagged 'slides'"
        if ch.number <= 6:
            assert ch.alerts, f"{ch.id}: no safety alert found"
            assert set(ch.outcomes) <= set(load_bank(ch.id).learning_outcomes), ch.id


def test_roles_become_plain_text():
    text = plain_roles("Read the {term}`LVEF <Left ventricular ejection fraction>` and {term}`SBAR` "
                       "{cite:p}`label-herceptin,lyon2022`.")
    assert text.startswith("Read the LVEF and SBAR (")
    assert "{" not in text and "Lyon" in text


def test_deck_holds_outcomes_figures_alerts_questions_and_notes(chapter1, deck1):
    sources = [c.source for c in deck1.cells]
    types = [c.metadata["slideshow"]["slide_type"] for c in deck1.cells]
    assert types[0] == "skip" and deck1.cells[0].source == chapter1.setup  # the deck runs in JupyterLab too
    assert any("Learning outcomes" in s and all(k in s for k in chapter1.outcomes) for s in sources)
    figures = [c for c in deck1.cells if c.cell_type == "code" and c.outputs]
    assert len(figures) == len(chapter1.tagged)
    assert all(f.outputs[0]["data"]["text/html"].strip() for f in figures)
    assert sum("her2-slide-alert" in s for s in sources) == len(chapter1.alerts)
    questions = [i for i, s in enumerate(sources) if "Check your understanding:" in s and types[i] == "slide"]
    assert 2 <= len(questions) <= 3
    for i in questions:  # the answer is a fragment (revealed on the next key press), the rationales are notes
        assert types[i + 1] == "fragment" and "her2-slide-answer" in sources[i + 1]
        assert types[i + 2] == "notes" and sources[i + 2].count("Wrong:") >= 2
    slides = [[]]  # the cells of each slide: it starts at a "slide" cell and runs to the next one
    for t in types[1:]:
        if t == "slide":
            slides.append([])
        slides[-1].append(t)
    assert all(group[0] == "slide" and "notes" in group for group in slides[1:]), slides  # every slide has notes


def test_questions_come_from_the_bank_with_a_fixed_shuffled_order():
    bank = load_bank("02-drug-classes")
    chosen = slides.pick_questions(bank.items)
    assert 2 <= len(chosen) <= 3 and all(it in bank.items for it in chosen)
    assert len({it.learning_outcome for it in chosen}) == len(chosen)
    orders = [[o.id for o in slides.option_order(it)] for it in chosen]
    assert orders == [[o.id for o in slides.option_order(it)] for it in chosen]  # the same on every build
    assert any(order != [o.id for o in it.options] for order, it in zip(orders, chosen, strict=True))


def test_html_uses_the_vendored_reveal_and_nothing_from_outside(html1):
    assert not EXTERNAL.search(html1), EXTERNAL.search(html1)
    for gone in ("require.js", "requirejs", "mathjax", "MathJax", "unpkg", "cdnjs", "jsdelivr", "jquery", "mermaid",
                 "widget"):
        assert gone not in html1, gone
    for needed in ('src="reveal.js/dist/reveal.js"', 'src="reveal.js/dist/plugin/notes.js"',
                   'href="reveal.js/dist/reveal.css"', 'href="reveal.js/dist/theme/her2.css"', 'src="her2-slides.js"',
                   '<aside class="notes">', 'class="fragment"', '<html lang="en">', "<main>"):
        assert needed in html1, needed
    # nbconvert makes every notebook cell wrapper a tab stop when the body has the class jp-Notebook: not here
    assert not re.search(r'<div class="jp-[^"]*"[^>]*tabindex', html1)


def test_case_cells_become_case_overviews():
    ch7 = read_chapter(ROOT / "notebooks" / "07-unfolding-cases.ipynb")
    deck = slides.build_deck(ch7)
    text = "\n".join(c.source for c in deck.cells)
    assert text.count("The six stages, one per clinical-judgment step") == len(ch7.tagged) == 5
    assert "Check your understanding: 1 of" in text  # from the cases' own items


def test_a_figure_from_a_go_deeper_block_is_titled_by_the_block_and_its_long_caption_is_spoken():
    """Chapter 4's escape-routes figure sits in a Go deeper block after "Special considerations": the slide takes
    the block's title, and the figure's long explanatory caption (over 40 words) moves to the speaker notes, so the
    slide keeps to its height."""
    ch4 = read_chapter(ROOT / "notebooks" / "04-resistance.ipynb")
    bypass = next(t for t in ch4.tagged if "bypass_figure" in t.source)
    assert bypass.title.startswith("the escape routes")
    cells = slides.build_deck(ch4).cells
    at = next(i for i, c in enumerate(cells) if c.cell_type == "code" and "bypass_figure" in c.source)
    assert "The escape routes a resistant cell uses" in cells[at - 1].source
    shown = cells[at].outputs[0]["data"]["text/html"]
    assert "<figcaption" not in shown and "<img" in shown
    assert "The chapter's caption: The cell: HER2 amplification" in cells[at + 1].source


def test_missing_reveal_is_named(tmp_path):
    with pytest.raises(slides.SlidesError, match=r"reveal.js is not installed .* run `npm ci`"):
        slides.reveal_source(tmp_path)


@pytest.mark.book
def test_built_book_has_every_deck_linked_from_the_instructor_guide(built_html):
    guide = (built_html / "book" / "instructor-guide.html").read_text(encoding="utf-8")
    for chapter in CHAPTERS:
        deck = built_html / "slides" / f"{chapter}.html"
        assert deck.is_file() and (built_html / "slides" / f"{chapter}.ipynb").is_file()
        assert f'href="../slides/{chapter}.html"' in guide, chapter
    for name in slides.REVEAL_FILES:
        assert (built_html / "slides" / "reveal.js" / name).is_file(), name
    theme = (built_html / "slides" / "reveal.js" / "dist" / "theme" / "her2.css").read_text(encoding="utf-8")
    assert "@import" not in theme and "fonts.googleapis" not in theme


def test_kit_command_says_what_is_missing(tmp_path):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "her2course.cli", "kit", "--out", str(tmp_path / "out"),
                             "--root", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "error: reveal.js is not installed" in result.stderr and "npm ci" in result.stderr


def test_the_kit_is_made_again_only_when_its_inputs_change():
    from her2course.teaching import kit

    names = {p.relative_to(ROOT).as_posix() for p in kit.input_files(ROOT)}
    assert "src/her2course/data/questions/01-her2-biology.yaml" in names
    assert "notebooks/01-her2-biology.ipynb" in names and "book/references.bib" in names
    assert "src/her2course/teaching/templates/her2-reveal/index.html.j2" in names
    assert not any(n.startswith(("src/her2course/data/facilitator/", "src/her2course/static/")) for n in names)
    assert kit.digest(ROOT) == kit.digest(ROOT)
