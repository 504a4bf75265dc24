"""The kernel-free scenario gallery and the live explorer's static fallback."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from html.parser import HTMLParser

import pytest

from her2course.pathway import explorer as explorer_mod
from her2course.pathway import gallery as gallery_mod


@pytest.fixture(scope="module")
def small():
    return gallery_mod.gallery("Test gallery", drug_sets=[[], ["trastuzumab"], ["lapatinib"]],
                               alteration_sets=[["HER2-amplification"], ["HER2-amplification", "p95HER2"]])


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            self.attrs.append((k, v or ""))
            if k == "id":
                self.ids.append(v)


def test_every_scenario_has_a_panel_and_a_rule(small):
    html = small.to_html()
    for i in range(3):
        for j in range(2):
            pid = f"pg-test-gallery-p{i}-{j}"
            assert f'id="{pid}"' in html
            assert f"#pg-test-gallery-d{i}:checked):has(#pg-test-gallery-a{j}:checked) #{pid}" in html
    assert html.count('type="radio"') == 5
    assert html.count("<svg") == 6 + 1  # six panels and the key


def test_default_gallery_covers_the_textbook_table():
    g = gallery_mod.gallery("resistance")
    labels = g.scenario_labels()
    assert len(labels) == len(gallery_mod.DRUG_SETS) * len(gallery_mod.ALTERATION_SETS)
    assert "trastuzumab | HER2 amplification + p95HER2" in labels
    html = g.to_html()
    for text in ("trastuzumab + pertuzumab", "T-DXd", "PTEN loss", "PIK3CA activating mutation"):
        assert text in html
    size = g.size_report()
    assert size["gzip_bytes"] < 80_000, size
    assert size["bytes"] < 500_000, size  # 36 scenarios; about 730 KB before styles became shared classes


def test_a_chapter_gallery_of_twelve_scenarios_stays_under_250_kb():
    sets = dict(drug_sets=[[], ["trastuzumab", "pertuzumab"], ["tucatinib"], ["T-DXd"]],
                alteration_sets=[["HER2 amplification"], ["HER2 amplification", "p95HER2"],
                                 ["HER2 amplification", "MET amplification"]])
    g = gallery_mod.gallery("twelve", **sets)
    size = g.size_report()
    assert size["scenarios"] == 12 and size["bytes"] < 200_000, size
    inline = gallery_mod.gallery("twelve", css_classes=False, **sets)
    assert inline.size_report()["bytes"] > size["bytes"]
    html, plain = g.to_html(), inline.to_html()
    # shared classes: no inline style on SVG shapes, and the rules are scoped to this gallery
    assert not re.search(r"<(path|text)[^>]* style=", html)
    assert "#pg-twelve .s0{" in html and "#pg-twelve svg *{" in html
    assert re.search(r"<path[^>]* style=", plain) and "#pg-twelve .s0{" not in plain
    for cls in set(re.findall(r'class="(s\d+)"', html)):
        assert f"#pg-twelve .{cls}{{" in html, cls


def test_bypass_gallery_explains_the_route():
    g = gallery_mod.gallery("bypass", drug_sets=[["trastuzumab", "pertuzumab"], ["lapatinib"]],
                            alteration_sets=[["HER2 amplification", "MET amplification"], ["IGF-1R"]])
    html = g.to_html()
    assert "MET keeps feeding RAS and PI3K beside HER2" in html
    assert "IGF-1R keeps feeding RAS and PI3K beside HER2" in html
    assert html.count("Proliferation signal: <strong>ON</strong>") == 4


def test_no_external_requests_no_script(small):
    html = small.to_html()
    assert "<script" not in html.lower()
    assert not re.search(r"(src|href)=\"(https?:)?//", html)
    assert "url(http" not in html and "@import" not in html
    urls = re.findall(r"https?://[^\s\"'<>)]+", html)
    assert set(urls) <= {"http://www.w3.org/2000/svg"}, urls


def test_ids_are_unique_and_controls_labelled(small):
    p = _Collect()
    p.feed(small.to_html())
    assert len(p.ids) == len(set(p.ids))
    assert p.tags.count("fieldset") == 2 and p.tags.count("legend") == 2
    # every radio sits inside a label (implicitly labelled)
    assert re.findall(r"<label><input type=\"radio\"", small.to_html()).__len__() == 5


def test_panels_carry_explanation_outcome_and_alt(small):
    html = small.to_html()
    assert 'aria-live="polite"' in html
    assert html.count('role="img" aria-label="HER2 signaling network diagram') == 6
    assert "Proliferation signal: <strong>ON</strong>" in html
    assert "p95HER2 escapes the antibodies" in html


def test_repr_is_fixed_and_html_is_deterministic(small):
    bundle = small._repr_mimebundle_()
    assert bundle["text/plain"] == ("Pathway scenario gallery 'Test gallery': 3 drug choices x 2 cells = "
                                    "6 pre-rendered scenarios")
    again = gallery_mod.gallery("Test gallery", drug_sets=[[], ["trastuzumab"], ["lapatinib"]],
                                alteration_sets=[["HER2-amplification"], ["HER2-amplification", "p95HER2"]])
    assert again.to_html() == bundle["text/html"]
    assert not re.search(r"0x[0-9a-f]{6,}", bundle["text/plain"])


def test_bad_name_fails_when_the_chapter_runs():
    with pytest.raises(KeyError, match="known drugs"):
        gallery_mod.gallery("x", drug_sets=[["herceptinn"]], alteration_sets=[["p95HER2"]])


def test_explorer_widget_has_fixed_text_and_static_fallback():
    ex = explorer_mod.explorer("explorer-test", drug_sets=[["trastuzumab"]], alteration_sets=[["p95HER2"]])
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"].startswith("Pathway explorer 'explorer-test'")
    assert 'class="her2-pathway-gallery"' in bundle["text/html"]
    assert repr(ex) == bundle["text/plain"]
    # ticking boxes redraws the diagram and explanation
    ex.drug_boxes["trastuzumab"].value = False
    ex.drug_boxes["lapatinib"].value = True
    ex.alteration_boxes["HER2-amplification"].value = False
    ex.alteration_boxes["p95HER2"].value = True
    assert "switches off the kinase of the p95HER2" in ex.view.value
    assert "Proliferation signal: <strong>OFF</strong>" in ex.status.value
    ex.close()


# ---- the gallery in a real browser, without a kernel ---------------------------------------------------------


@pytest.fixture
def served(tmp_path, small):
    page = tmp_path / "index.html"
    page.write_text("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Gallery test</title>"
                    "<meta name='viewport' content='width=device-width, initial-scale=1'></head>"
                    f"<body><main>{small.to_html()}</main></body></html>", encoding="utf-8")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    server.shutdown()
    server.server_close()


@pytest.mark.browser
def test_gallery_in_browser_mouse_and_keyboard(served):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update"])
        try:
            page = browser.new_page(viewport={"width": 375, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(served)

            def visible() -> list[str]:
                return page.eval_on_selector_all(
                    ".pg-panel", "els => els.filter(e => getComputedStyle(e).display !== 'none').map(e => e.id)")

            assert visible() == ["pg-test-gallery-p0-0"]
            # mouse
            page.get_by_role("radio", name="trastuzumab", exact=True).click()
            page.get_by_role("radio", name="HER2 amplification + p95HER2", exact=True).click()
            assert visible() == ["pg-test-gallery-p1-1"]
            panel = page.locator("#pg-test-gallery-p1-1")
            assert "p95HER2 escapes the antibodies" in panel.inner_text()
            # keyboard: focus the drug group, arrow to the next option
            page.get_by_role("radio", name="trastuzumab", exact=True).focus()
            page.keyboard.press("ArrowRight")
            assert page.evaluate("document.activeElement.id") == "pg-test-gallery-d2"
            assert visible() == ["pg-test-gallery-p2-1"]
            assert "switches off the kinase" in page.locator("#pg-test-gallery-p2-1").inner_text()
            outline = page.evaluate(
                "getComputedStyle(document.activeElement.closest('label')).outlineStyle")
            assert outline == "solid"  # visible focus
            page.keyboard.press("Tab")  # to the cell group
            page.keyboard.press("ArrowLeft")
            assert visible() == ["pg-test-gallery-p2-0"]
            # the diagram fits a phone screen
            width = page.eval_on_selector("#pg-test-gallery-p2-0 svg", "e => e.getBoundingClientRect().width")
            assert 200 < width <= 375
            assert all(u.startswith("http://127.0.0.1") for u in requests), requests
        finally:
            browser.close()
