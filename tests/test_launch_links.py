"""Launch links: off by default; with ``launch_buttons`` set in _config.yml every chapter page links to itself on a
named JupyterHub (through nbgitpuller) and on Binder.

The book is built here with a temporary copy of _config.yml that sets what the instructor guide's "Run it for a
class" tells instructors to set, and a short table of contents (the start page, two chapters, a page without a
notebook) to keep the build quick. The links are plain links: no outside script or style is loaded.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HUB = "https://hub.example.edu"
BINDER = "https://mybinder.org"
REPO = "https://github.com/example-org/her2-course"
CHAPTERS = ["notebooks/01-her2-biology", "notebooks/02-drug-classes"]
PAGES = ["book/index", "book/instructor-guide"]
LINK = re.compile(r'<a href="([^"]+)"[^>]*class="btn btn-sm dropdown-item"[^>]*title="Launch on ([^"]+)"')
MENU = 'class="dropdown dropdown-launch-buttons"'

sys.path.insert(0, str(ROOT / "tools"))


def launch_settings() -> dict:
    """What the guide says to add to _config.yml."""
    return {"repository": {"url": REPO, "branch": "main"},
            "launch_buttons": {"notebook_interface": "jupyterlab", "jupyterhub_url": HUB, "binderhub_url": BINDER}}


@pytest.fixture(scope="module")
def launch_book(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("launch")
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    for key, value in launch_settings().items():
        config[key] = {**config.get(key, {}), **value}
    (work / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    toc = {"format": "jb-book", "root": PAGES[0],
           "parts": [{"caption": "Chapters", "numbered": True, "chapters": [{"file": c} for c in CHAPTERS]},
                     {"caption": "For instructors", "chapters": [{"file": PAGES[1]}]}]}
    (work / "_toc.yml").write_text(yaml.safe_dump(toc, sort_keys=False), encoding="utf-8")
    # No -W: the short table of contents leaves the glossary and references out, so their links warn.
    build = subprocess.run([str(BIN / "jupyter-book"), "build", str(ROOT), "--config", str(work / "_config.yml"),
                            "--toc", str(work / "_toc.yml"), "--path-output", str(work)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return work / "_build" / "html"


def links(html: Path) -> dict[str, str]:
    """Launch provider -> URL, from a page's launch menu."""
    text = html.read_text(encoding="utf-8")
    return {provider: url.replace("&amp;", "&") for url, provider in LINK.findall(text)}


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_opens_itself_on_the_hub_through_nbgitpuller_and_on_binder(launch_book, chapter):
    found = links(launch_book / f"{chapter}.html")
    assert set(found) == {"JupyterHub", "Binder"}
    hub = urlsplit(found["JupyterHub"])
    assert f"{hub.scheme}://{hub.netloc}{hub.path}" == f"{HUB}/hub/user-redirect/git-pull"
    query = {k: v for k, [v] in parse_qs(hub.query).items()}
    # nbgitpuller clones REPO into ~/her2-course (the repository's name) and opens the chapter's JupyterLab copy
    # there (lab/, committed: key terms, citations and page links resolve in JupyterLab)
    copy = f"lab/{Path(chapter).name}.ipynb"
    assert (ROOT / copy).is_file()
    assert query == {"repo": REPO, "branch": "main", "urlpath": f"lab/tree/her2-course/{copy}"}
    assert found["Binder"] == f"{BINDER}/v2/gh/example-org/her2-course/main?urlpath=lab/tree/{copy}"


@pytest.mark.parametrize("page", PAGES)
def test_pages_without_a_notebook_have_nothing_to_launch(launch_book, page):
    assert MENU not in (launch_book / f"{page}.html").read_text(encoding="utf-8")


def test_launch_links_load_nothing_from_outside(launch_book):
    for html in [launch_book / f"{p}.html" for p in CHAPTERS + PAGES]:
        text = html.read_text(encoding="utf-8")
        scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', text)
        styles = re.findall(r'<link[^>]*\shref="([^"]+)"', text)
        assert [u for u in scripts + styles if urlsplit(u).scheme or u.startswith("//")] == [], html.name
        assert "thebe" not in " ".join(scripts).lower()  # live code (Thebe) stays off: only links


@pytest.mark.book
def test_launch_links_are_off_by_default(built_html):
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert not config["launch_buttons"].get("jupyterhub_url") and not config["launch_buttons"].get("binderhub_url")
    assert [p.name for p in built_html.rglob("*.html") if MENU in p.read_text(encoding="utf-8")] == []


@pytest.mark.browser
def test_the_launch_menu_works_by_keyboard_and_axe_finds_nothing(launch_book, site_browser):
    from localserve import serve

    axe = (ROOT / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
    run_axe = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
        .filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id)"""
    with serve(launch_book) as base:
        page = site_browser.new_page(viewport={"width": 1280, "height": 900})
        outside: list[str] = []
        page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((base, "data:")) else None)
        page.goto(base + "notebooks/01-her2-biology.html", wait_until="load")
        toggle = page.get_by_role("button", name="Launch interactive content")
        box = page.evaluate("""() => {
          const i = document.querySelector('.dropdown-launch-buttons .fa-rocket');
          const s = getComputedStyle(i, '::before');
          return {width: i.getBoundingClientRect().width, mask: s.maskImage || s.webkitMaskImage};
        }""")
        assert box["width"] > 0 and box["mask"].startswith("url("), box  # the icon is drawn, without Font Awesome
        page.add_script_tag(content=axe)
        assert page.evaluate(run_axe) == []
        toggle.focus()
        page.keyboard.press("Enter")
        menu = page.locator(".dropdown-launch-buttons .dropdown-menu")
        menu.wait_for(state="visible")
        assert toggle.get_attribute("aria-expanded") == "true"
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Binder"
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.textContent.trim()") == "JupyterHub"
        assert page.evaluate(run_axe) == []
        page.keyboard.press("Escape")
        menu.wait_for(state="hidden")
        page.close()
    assert outside == []
