"""The slides and the teaching-kit files in a real browser (Debian chromium through Playwright, axe-core from npm).

Every deck: nothing requested from outside the site and no script error; axe-core finds nothing serious or critical
over all its slides (reveal.js's print layout shows every slide and every revealed answer at once) in light and
dark mode; the keyboard alone moves through every slide and answer and back, and opens the overview. On a phone
(375 px) a deck fits without sideways scrolling. The speaker view opens with the notes. The printable quiz, its
answer key and the rubric pass axe too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from her2course.teaching.chapters import chapter_paths

pytestmark = [pytest.mark.book, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DECKS = [p.stem for p in chapter_paths(ROOT)]
AXE_RUN = """async () => {
  const r = await axe.run(document, { resultTypes: ["violations"] });
  return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
}"""


def _open(browser, url: str, base: str, **options):
    context = browser.new_context(**options)
    page = context.new_page()
    page.problems = []
    page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.problems.append(f"uncaught: {e}"))
    page.on("request", lambda r: page.problems.append(f"outside request: {r.url}")
            if not r.url.startswith((base, "data:", "blob:", "about:")) else None)
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
    page.goto(url, wait_until="load")
    page.wait_for_function("() => window.Reveal === undefined || Reveal.isReady()")
    return context, page


def _axe(page) -> list[dict]:
    if not AXE.exists():  # pragma: no cover
        pytest.skip("axe-core is not installed (make browser)")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(AXE_RUN)


@pytest.mark.parametrize("deck", DECKS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_slide_passes_axe_and_loads_nothing_from_outside(site_browser, site_url, deck, scheme):
    context, page = _open(site_browser, f"{site_url}slides/{deck}.html?print-pdf", site_url,
                          viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    assert page.evaluate("Reveal.isPrintView ? Reveal.isPrintView() : true")
    slides = page.evaluate("document.querySelectorAll('.slides > section').length")
    assert slides >= 8
    background = page.evaluate("getComputedStyle(document.querySelector('.reveal-viewport, body')).backgroundColor")
    assert (background == "rgb(20, 20, 20)") == (scheme == "dark"), background
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=1)
    assert page.problems == [], page.problems
    context.close()


@pytest.mark.parametrize("deck", DECKS)
def test_the_keyboard_moves_through_every_slide_and_answer(site_browser, site_url, deck):
    context, page = _open(site_browser, f"{site_url}slides/{deck}.html", site_url,
                          viewport={"width": 1280, "height": 800})
    total = page.evaluate("Reveal.getTotalSlides()")
    fragments = page.evaluate("document.querySelectorAll('.slides .fragment').length")
    assert fragments >= 2  # the questions' answers
    page.locator("body").focus()
    steps = 0
    while not (page.evaluate("Reveal.isLastSlide()") and not page.evaluate("Reveal.availableFragments().next")):
        before = page.evaluate("[Reveal.getIndices().h, Reveal.getIndices().f]")
        page.keyboard.press("ArrowRight")
        assert page.evaluate("[Reveal.getIndices().h, Reveal.getIndices().f]") != before, f"stuck at {before}"
        steps += 1
        assert steps <= total + fragments, "more key presses than slides and answers"
    assert steps == total - 1 + fragments
    # every slide has its own address (reveal.js writes it a moment after the slide changes)
    page.wait_for_function("() => location.hash.startsWith('#/')", timeout=5_000)
    page.keyboard.press("Escape")
    assert page.evaluate("Reveal.isOverview()")
    page.keyboard.press("Escape")
    page.keyboard.press("Home")
    assert page.evaluate("Reveal.getIndices().h") == 0
    assert page.problems == [], page.problems
    context.close()


@pytest.mark.parametrize("deck", DECKS)
def test_a_deck_fits_a_phone(site_browser, site_url, deck):
    context, page = _open(site_browser, f"{site_url}slides/{deck}.html", site_url,
                          viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=1)
    assert page.problems == [], page.problems
    context.close()


def test_the_speaker_view_opens_with_the_notes(site_browser, site_url):
    context, page = _open(site_browser, f"{site_url}slides/{DECKS[1]}.html#/1", site_url,
                          viewport={"width": 1280, "height": 800})
    notes = page.evaluate("Reveal.getSlideNotes()")
    assert notes and "NCLEX-RN" in notes  # the outcome slide's notes carry the outcome map
    outside = []
    context.on("request", lambda r: outside.append(r.url)
               if not r.url.startswith((site_url, "data:", "blob:", "about:")) else None)
    with context.expect_page() as popup:
        page.keyboard.press("s")
    speaker = popup.value
    speaker.wait_for_load_state()
    speaker.wait_for_function("() => document.body && document.body.innerText.includes('NCLEX-RN')", timeout=15_000)
    assert outside == [], outside
    context.close()


@pytest.mark.parametrize("name", ["her2-ch01-quiz.html", "her2-ch01-answer-key.html", "her2-teaching-rubric.html"])
def test_printable_files_pass_axe(site_browser, site_url, name):
    context, page = _open(site_browser, f"{site_url}teaching-kit/{name}", site_url,
                          viewport={"width": 1280, "height": 900})
    violations = _axe(page)
    assert violations == [], json.dumps(violations, indent=1)
    assert page.problems == [], page.problems
    assert page.pdf(format="Letter")[:4] == b"%PDF"  # prints
    context.close()


FIT = """() => {
  const height = Reveal.getConfig().height, over = [];
  Reveal.getSlides().forEach((slide, i) => {
    Reveal.slide(i);
    slide.querySelectorAll(".fragment").forEach((f) => f.classList.add("visible"));  // every answer shown
    if (slide.scrollHeight > height + 1) over.push(`slide ${i + 1}: ${slide.scrollHeight}px of ${height}px`);
  });
  return over;
}"""


@pytest.mark.parametrize("deck", DECKS)
def test_every_slide_fits_with_its_answer_shown_and_has_notes(site_browser, site_url, deck):
    """Nothing runs off the bottom of a slide (a tall table scrolls in its own region instead), and the speaker
    view has notes for every slide."""
    context, page = _open(site_browser, f"{site_url}slides/{deck}.html", site_url,
                          viewport={"width": 1280, "height": 800})
    without_notes = page.evaluate("""() => Reveal.getSlides().map((s, i) => [i + 1, Reveal.getSlideNotes(s)])
      .filter(([, n]) => !n || !n.trim()).map(([i]) => i)""")
    assert without_notes == [], f"slides without speaker notes: {without_notes}"
    assert page.evaluate(FIT) == []
    assert page.problems == [], page.problems
    context.close()


def test_the_keyboard_scrolls_a_tall_table_and_then_moves_on(site_browser, site_url):
    context, page = _open(site_browser, f"{site_url}slides/{DECKS[4]}.html", site_url,
                          viewport={"width": 1280, "height": 800})
    index = page.evaluate("""() => Reveal.getSlides().findIndex((s) => {
      const t = s.querySelector('.her2-table'); Reveal.slide(Reveal.getSlides().indexOf(s));
      return t && t.scrollHeight > t.clientHeight; })""")
    assert index >= 0, "the chapter 5 deck has no table taller than its slide any more: pick another deck"
    page.evaluate(f"Reveal.slide({index})")
    region = page.locator(".slides > section.present .her2-table").first
    region.focus()  # as Tab or a click would
    page.keyboard.press("ArrowDown")
    page.keyboard.press("PageDown")
    assert page.evaluate("Reveal.getIndices().h") == index  # still on the table's slide
    assert region.evaluate("(t) => t.scrollTop") > 0  # and the table scrolled
    page.keyboard.press("ArrowRight")
    assert page.evaluate("Reveal.getIndices().h") == index + 1  # left and right still move between slides
    assert page.problems == [], page.problems
    context.close()
