"""The reading experience in a real browser (issue 9), on every built page.

One chromium for the module; three sweeps over every page, each in one browser context:
- desktop light and desktop dark (the mode stored the way the theme stores it), with axe-core;
- a phone (375 px wide, touch), with axe-core, the HTTP cache off so every byte a page loads is counted.
Each sweep records axe's serious and critical violations, console errors, failed or outside requests, sideways
scrolling and page weight; the tests below read those records. Then a few interactions: the quiz and the pathway
gallery by touch, the phone menu, the colour-mode button, offline search and the print form.
Debian chromium and PyPI playwright (never `playwright install`); axe-core from node_modules (make browser).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest

pytestmark = [pytest.mark.book, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BUDGET = 1_000_000  # bytes a page may load, uncompressed: its HTML and every CSS, JS, font and image file
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

AXE_RUN = """async () => {
  const r = await axe.run(document, { resultTypes: ["violations"] });
  return r.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
}"""
WEIGHT = """() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const res = performance.getEntriesByType("resource");
  return (nav ? nav.decodedBodySize : 0) + res.reduce((n, e) => n + (e.decodedBodySize || 0), 0);
}"""


def page_paths(built: Path) -> list[str]:
    return sorted(str(p.relative_to(built)) for p in built.rglob("*.html")
                  if not {"_static", "reports"} & set(p.relative_to(built).parts))


REFRESH = re.compile(r'http-equiv="Refresh" content="\d+;\s*url=([^"]+)"', re.I)


def redirect_target(built: Path, path: str, base: str) -> str | None:
    m = REFRESH.search((built / path).read_text(encoding="utf-8"))
    return urljoin(base + path, m.group(1)) if m else None


def pages_with(built: Path, marker: str) -> list[str]:
    return [p for p in page_paths(built) if marker in (built / p).read_text(encoding="utf-8")]


def sweep(browser, base: str, built: Path, paths: list[str], *, mode: str, options: dict,
          no_cache: bool = False) -> dict:
    if not AXE.exists():  # pragma: no cover
        pytest.skip("axe-core is not installed (make browser)")
    axe = AXE.read_text(encoding="utf-8")
    context = browser.new_context(**options)
    context.add_init_script(f'try {{ localStorage.setItem("mode", "{mode}"); '
                            f'localStorage.setItem("theme", "{mode}"); }} catch (e) {{}}')
    records = {}
    for path in paths:
        page = context.new_page()
        rec = {"errors": [], "outside": [], "failed": []}
        page.on("console", lambda m, rec=rec: rec["errors"].append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e, rec=rec: rec["errors"].append(f"uncaught: {e}"))
        page.on("request", lambda r, rec=rec: rec["outside"].append(r.url)
                if not r.url.startswith((base, "data:", "blob:")) else None)
        page.on("requestfailed", lambda r, rec=rec: rec["failed"].append(f"{r.url} ({r.failure})"))
        page.on("response", lambda r, rec=rec: rec["failed"].append(f"{r.url} (HTTP {r.status})")
                if r.status >= 400 else None)
        if no_cache:
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.goto(base + path, wait_until="load")
        target = redirect_target(built, path, base)
        if target:  # the root index.html only forwards to the start page: check the page it lands on
            page.wait_for_url(target, wait_until="load")
        rec["theme"] = page.evaluate("document.documentElement.dataset.theme")
        rec["width"] = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        rec["weight"] = page.evaluate(WEIGHT)
        rec["broken_images"] = page.evaluate("""async () => {
          const imgs = [...document.images];
          await Promise.all(imgs.map((i) => (i.decode ? i.decode().catch(() => null) : null)));
          return imgs.filter((i) => !i.naturalWidth).map((i) => `${i.alt.slice(0, 60)} (${i.src.slice(0, 40)})`);
        }""")
        page.add_script_tag(content=axe)
        rec["axe"] = page.evaluate(AXE_RUN)
        records[path] = rec
        page.close()
    context.close()
    return records


@pytest.fixture(scope="module")
def paths(built_html) -> list[str]:
    return page_paths(built_html)


@pytest.fixture(scope="module")
def light(site_browser, site_url, built_html, paths):
    return sweep(site_browser, site_url, built_html, paths, mode="light", options=DESKTOP)


@pytest.fixture(scope="module")
def dark(site_browser, site_url, built_html, paths):
    return sweep(site_browser, site_url, built_html, paths, mode="dark", options=DESKTOP)


@pytest.fixture(scope="module")
def phone(site_browser, site_url, built_html, paths):
    return sweep(site_browser, site_url, built_html, paths, mode="light", options=PHONE, no_cache=True)


def _violations(records: dict) -> dict:
    return {p: r["axe"] for p, r in records.items() if r["axe"]}


def test_axe_finds_nothing_serious_in_light_mode(light):
    assert all(r["theme"] == "light" for r in light.values())
    assert not _violations(light), json.dumps(_violations(light), indent=1)


def test_axe_finds_nothing_serious_in_dark_mode(dark):
    assert {p: r["theme"] for p, r in dark.items() if r["theme"] != "dark"} == {}
    assert not _violations(dark), json.dumps(_violations(dark), indent=1)


def test_axe_finds_nothing_serious_on_a_phone(phone):
    assert not _violations(phone), json.dumps(_violations(phone), indent=1)


def test_no_page_scrolls_sideways_on_a_phone(phone):
    wide = {p: r["width"] for p, r in phone.items() if r["width"][0] > r["width"][1]}
    assert not wide, f"scrollWidth > 375 px: {wide}"


def test_every_image_shows(phone):
    """Each <img> decodes (a figure whose SVG is not well-formed shows only its alt text)."""
    broken = {p: r["broken_images"] for p, r in phone.items() if r["broken_images"]}
    assert not broken, broken


def test_no_console_errors_and_no_failed_requests(light, dark, phone):
    bad = {f"{name}:{p}": r["errors"] + r["failed"] for name, records in (("light", light), ("dark", dark),
                                                                          ("phone", phone))
           for p, r in records.items() if r["errors"] or r["failed"]}
    assert not bad, bad


def test_no_page_requests_anything_from_outside_the_site(light, phone):
    outside = {p: r["outside"] for records in (light, phone) for p, r in records.items() if r["outside"]}
    assert not outside, outside


def test_every_page_stays_within_the_weight_budget(phone):
    weights = {p: r["weight"] for p, r in phone.items()}
    heaviest = max(weights, key=weights.get)
    assert all(w > 10_000 for w in weights.values()), weights  # the measurement saw the page's files
    over = {p: w for p, w in weights.items() if w > BUDGET}
    assert not over, f"over {BUDGET} bytes: {over} (heaviest: {heaviest}, {weights[heaviest]} bytes)"


# ------------------------------------------------------------------------------------------------ interactions

@pytest.fixture
def phone_page(site_browser):
    context = site_browser.new_context(**PHONE)
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def test_quiz_works_by_touch(phone_page, built_html, site_url):
    quiz_pages = pages_with(built_html, 'class="her2-quiz"')
    assert quiz_pages, "no page has a quiz"
    pg = phone_page
    pg.goto(site_url + quiz_pages[0], wait_until="networkidle")
    raw = pg.get_attribute("div.her2-quiz[data-spec]", "data-spec")
    spec = json.loads(raw)
    item = next(it for it in spec["items"] if it["type"] in ("single", "sata"))
    base = pg.eval_on_selector("div.her2-quiz[data-spec] .h2q", "e => e.id") or f"h2q-{spec['id']}"
    box = pg.locator(f"#{base}-{item['id']}")
    box.scroll_into_view_if_needed()
    right = next(o for o in item["options"] if o["correct"])
    box.locator("label", has_text=re.compile(re.escape(right["label"][:40]))).first.tap()
    box.get_by_role("button", name="Check answer").tap()
    feedback = pg.locator(f"#{base}-{item['id']}-feedback")
    feedback.wait_for()
    assert feedback.inner_text().strip(), "no feedback after answering by touch"
    assert not pg.errors, pg.errors


TARGETS = """() => {
  const out = [];
  const controls = ".h2q button, .h2q select, .h2q input, .her2-pathway-gallery input, .her2-pathway-gallery summary";
  for (const el of document.querySelectorAll(controls)) {
    const label = el.closest("label") || (el.id && document.querySelector(`label[for="${el.id}"]`));
    const r = (label || el).getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // not shown (another panel)
    const size = `${Math.round(r.width)}x${Math.round(r.height)}`;
    if (r.width < 24 || r.height < 24) out.push(`${location.pathname} ${el.tagName} ${el.id || el.className} ${size}`);
  }
  return out;
}"""


def test_touch_targets_of_quizzes_and_galleries_are_big_enough(phone_page, built_html, site_url):
    """WCAG 2.2 AA 2.5.8: every control at least 24 by 24 CSS px (a radio counts with its label)."""
    targets = pages_with(built_html, 'class="her2-quiz"')[:1] + pages_with(built_html, "her2-pathway-gallery")[:1]
    pg = phone_page
    small = []
    for path in targets:
        pg.goto(site_url + path, wait_until="networkidle")
        small += pg.evaluate(TARGETS)
    assert not small, small


def test_pathway_gallery_works_by_touch(phone_page, built_html, site_url):
    galleries = pages_with(built_html, "her2-pathway-gallery")
    if not galleries:
        pytest.skip("no page has a pathway gallery")
    pg = phone_page
    pg.goto(site_url + galleries[0], wait_until="networkidle")
    gallery = pg.locator(".her2-pathway-gallery").first
    summary = pg.locator("details.enrichment:has(.her2-pathway-gallery) > summary").first
    if summary.count():  # the gallery sits in a collapsed "Go deeper" block: open it as a reader would, by touch
        summary.tap()
    gallery.scroll_into_view_if_needed()
    visible = "g => [...g.querySelectorAll('.pg-panel')].filter(p => p.offsetParent !== null).map(p => p.id)"
    before = gallery.evaluate(visible)
    assert len(before) == 1, before
    drug_labels = gallery.locator("fieldset").first.locator("label")
    assert drug_labels.count() > 1
    drug_labels.nth(1).tap()
    after = gallery.evaluate(visible)
    assert len(after) == 1 and after != before, (before, after)
    assert not pg.errors, pg.errors


def test_phone_menu_opens_the_navigation_with_glossary_and_references(phone_page, built_html, site_url):
    chapter = pages_with(built_html, 'class="her2-quiz"')[0]
    pg = phone_page
    pg.goto(site_url + chapter, wait_until="networkidle")
    button = pg.locator("button.primary-toggle:visible").first
    assert button.get_attribute("aria-label"), "the menu button has no name"
    button.tap()
    dialog = pg.locator("#pst-primary-sidebar-modal")
    dialog.wait_for(state="visible")
    assert dialog.get_by_role("link", name="Glossary").first.is_visible()
    assert dialog.get_by_role("link", name="References").first.is_visible()
    assert not pg.errors, pg.errors


def test_colour_mode_button_cycles_and_is_remembered(site_browser, site_url):
    context = site_browser.new_context(**DESKTOP, color_scheme="light")
    pg = context.new_page()
    errors = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.goto(site_url + "book/index.html", wait_until="networkidle")
    assert pg.evaluate("document.documentElement.dataset.mode") == "auto"
    seen = []
    for _ in range(3):
        pg.locator(".theme-switch-button:visible").first.click()
        seen.append(pg.evaluate("[document.documentElement.dataset.mode, document.documentElement.dataset.theme]"))
    assert {m for m, _ in seen} == {"auto", "light", "dark"}, seen
    mode, theme = seen[-1]
    pg.reload(wait_until="networkidle")
    assert pg.evaluate("[document.documentElement.dataset.mode, document.documentElement.dataset.theme]") == \
        [mode, theme]
    assert not errors, errors
    context.close()


def test_search_works_offline(site_browser, site_url):
    context = site_browser.new_context(**DESKTOP)
    pg = context.new_page()
    outside = []
    pg.on("request", lambda r: outside.append(r.url) if not r.url.startswith((site_url, "data:")) else None)
    pg.goto(site_url + "book/index.html", wait_until="networkidle")
    pg.keyboard.press("Control+k")
    field = pg.locator("#pst-search-dialog input[type=search]")
    field.wait_for(state="visible")
    field.fill("trastuzumab")
    field.press("Enter")
    pg.wait_for_url(re.compile(r"search\.html\?q=trastuzumab"))
    results = pg.locator("#search-results ul.search li")
    results.first.wait_for(timeout=15_000)
    assert results.count() >= 2
    hrefs = results.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert any("notebooks/" in h for h in hrefs), hrefs
    assert not outside, outside
    context.close()


def test_print_form_of_a_chapter_with_a_quiz(site_browser, built_html, site_url):
    chapter = pages_with(built_html, 'class="her2-quiz"')[0]
    context = site_browser.new_context(**DESKTOP)
    pg = context.new_page()
    pg.goto(site_url + chapter, wait_until="networkidle")
    spec = json.loads(pg.get_attribute("div.her2-quiz[data-spec]", "data-spec"))
    pg.emulate_media(media="print")
    pg.evaluate("window.her2course.preparePrint()")
    shown = "sel => [...document.querySelectorAll(sel)].filter(e => e.offsetParent !== null || " \
            "getComputedStyle(e).display !== 'none').length"
    assert pg.evaluate(shown, ".her2-quiz-print") >= 1
    assert pg.evaluate(shown, "div.her2-quiz") == 0, "the interactive quiz still shows in print"
    for chrome in (".bd-sidebar-primary", ".bd-header-article", ".prev-next-footer", ".bd-sidebar-secondary"):
        assert pg.evaluate(shown, chrome) == 0, f"{chrome} shows in print"
    form = pg.locator(".her2-quiz-print").first
    assert form.locator("li.her2-qp-item").count() == len(spec["items"])
    answers = pg.locator(f"#answers-{re.sub(r'[^A-Za-z0-9_-]+', '-', spec['id'])}")
    assert answers.count() == 1 and answers.locator("li.her2-qp-item").count() == len(spec["items"])
    assert "Answer" in answers.inner_text()
    assert pg.pdf(format="A4")[:4] == b"%PDF"
    context.close()
