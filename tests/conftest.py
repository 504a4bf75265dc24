"""Shared fixtures: a scratch copy of the course data, and the built book."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import settings

from her2course.paths import Layout

# Tests never assert wall-clock times: hypothesis's per-example deadline is off (on a loaded 2-core CI machine an
# example can take several times its usual time). Every property still runs its full number of examples.
settings.register_profile("course", deadline=None)
settings.load_profile("course")

ROOT = Path(__file__).resolve().parents[1]
BUILT = ROOT / "_build" / "html"


def pytest_configure(config):
    # Quiz answers go to a scratch progress store, never the user's own: a kernel re-running a chapter restores
    # saved answers (issue 15), so answers left in the user's store would change what the tests see.
    if not os.environ.get("HER2COURSE_PROGRESS_DB"):
        os.environ["HER2COURSE_PROGRESS_DB"] = str(Path(tempfile.mkdtemp(prefix="her2-tests-")) / "progress.sqlite3")
    config.addinivalue_line("markers", "book: needs the built book in _build/html (make test builds it first)")
    config.addinivalue_line("markers", "browser: drives Debian chromium through Playwright")


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A copy of the course's data files and bibliography in the layout of a checkout, safe to break."""
    root = tmp_path / "course"
    shutil.copytree(ROOT / "src" / "her2course" / "data", root / "src" / "her2course" / "data")
    (root / "book").mkdir(parents=True)
    shutil.copy(ROOT / "book" / "references.bib", root / "book" / "references.bib")
    return root


@pytest.fixture
def copy_layout(course_copy: Path) -> Layout:
    return Layout(data_dir=course_copy / "src" / "her2course" / "data", bib=course_copy / "book" / "references.bib")


@pytest.fixture(scope="session")
def built_html() -> Path:
    if not (BUILT / "index.html").is_file():
        pytest.fail("the book is not built: run 'make book' (make test builds it before running the tests)")
    return BUILT


# ---- the built book over http, and one Debian chromium per test module (tests/test_site_*.py) ----

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update"]


@pytest.fixture(scope="session")
def site_url(built_html):
    """The built book served on 127.0.0.1 (module scripts need http); yields the base URL ending in '/'."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(built_html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def site_browser():
    """Debian chromium through PyPI playwright (never `playwright install`), shared by one test module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():  # pragma: no cover
        pytest.skip("Debian chromium is not installed (make browser)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
