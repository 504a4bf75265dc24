"""Chapter 6's tools: the monitoring data and figure, and the printable diary (unit and browser tests)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
import yaml

from her2course import care

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "_build" / "html"


def test_monitoring_data_is_valid_and_rendered():
    figure = care.monitoring_figure()
    assert "LVEF" in figure.alt and "before the first dose" in figure.alt
    table = care.monitoring_table()
    assert len(table.rows) >= 10 and all(row[3] for row in table.rows)


def test_monitoring_errors_name_the_check_and_field(copy_layout):
    path = copy_layout.data_dir / "monitoring.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["checks"][0]["when"].append("fortnightly")
    raw["checks"][1]["drugs"].append("herceptinn")
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    messages = [str(p) for p in care.validate_monitoring(copy_layout)[1]]
    first, second = raw["checks"][0]["check"], raw["checks"][1]["check"]
    assert any(f"item '{first}': field 'when': 'fortnightly' is not one of the timepoints" in m for m in messages)
    assert any(f"item '{second}': field 'drugs': 'herceptinn' is not a drug id" in m for m in messages)


def test_diary_html_is_labelled_and_escapes_nothing_from_the_learner():
    html = care.symptom_diary("t").to_html()
    import re

    inputs = re.findall(r"<input[^>]*>", html)
    labelled = [i for i in inputs if "aria-label=" in i or re.search(r'id="([^"]+)"', i).group(1) in
                re.findall(r'<label for="([^"]+)"', html)]
    assert inputs and len(labelled) == len(inputs)
    assert "Call the team at once" in html and "localStorage" in html and "Print this diary" in html
    with pytest.raises(ValueError, match="days must be between 1 and 14"):
        care.symptom_diary("t", days=0)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.mark.book
@pytest.mark.browser
def test_diary_keeps_what_was_typed_and_prints_alone(tmp_path):
    from playwright.sync_api import sync_playwright

    page_file = BUILT / "notebooks" / "06-nursing-care.html"
    if not page_file.is_file():
        pytest.fail("the book is not built: run 'make book' (make test builds it before the tests)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(BUILT)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/notebooks/06-nursing-care.html"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update"])
            page = browser.new_page()
            page.goto(url)
            page.fill("#her2-diary-ch06-h0", "<b>Ana</b>")
            page.fill("#her2-diary-ch06-s1-0", "3, watery")
            page.reload()
            assert page.input_value("#her2-diary-ch06-h0") == "<b>Ana</b>"
            assert page.input_value("#her2-diary-ch06-s1-0") == "3, watery"
            page.evaluate("window.print = () => {}")
            page.locator(".her2-diary-print").first.click(timeout=10000)
            page.emulate_media(media="print")
            pdf = tmp_path / "diary.pdf"
            page.pdf(path=str(pdf), landscape=True)
            pages = pdf.read_bytes().count(b"/Type /Page") - pdf.read_bytes().count(b"/Type /Pages")
            assert 1 <= pages <= 3, f"the diary should print on its own, got {pages} pages"
            page.emulate_media(media="screen")
            page.evaluate("window.dispatchEvent(new Event('afterprint'))")
            assert page.locator(".her2-print-root").count() == 0
            page.on("dialog", lambda d: d.accept())
            page.click(".her2-diary-clear")
            page.reload()
            assert page.input_value("#her2-diary-ch06-h0") == ""
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
