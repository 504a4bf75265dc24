"""``make bench``: build and test timings and sizes of the book, and the reading-experience budgets (issue 9).

Prints figures; asserts nothing (the tests hold the budgets). Reports
- cold build (force-execute) and warm rebuild, and ``make test`` time (skip with BENCH_SKIP_TEST=1);
- the "floor book": the same _toc.yml with every notebook cut to one trivial cell and every page to one
  paragraph, built cold with the same configuration; the real cold build as a ratio to it;
- where the real build's time goes: each notebook's execution time (myst-nb's own report) and the rest;
- page weight: every byte each page loads (HTML, CSS, JS, fonts, images), measured in chromium; the heaviest named;
- the course's own front-end (her2course.css, mount.js, quiz.js, print.js) in bytes, raw and gzipped;
- Lighthouse mobile performance and accessibility of the two heaviest chapter pages, served gzipped.
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import yaml
from booktoc import toc_files

from her2course import reading

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
BUILD = ROOT / "_build"
FLOOR = ROOT / "_floor"
FRONT_END = ["her2course.css", "mount.js", "quiz.js", "print.js"]
sys.path.insert(0, str(Path(__file__).resolve().parent))


def timed(cmd: list[str], cwd: Path = ROOT, **kw) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    return time.perf_counter() - start, out.stdout


def build_cmd(path: str = ".", config: Path | None = None) -> list[str]:
    extra = ["--config", str(config)] if config else []
    return [str(BIN / "jupyter-book"), "build", "-W", "-n", "--keep-going", *extra, path]


def cold_build(book: Path, *, config: Path | None = None, runs: int = 2) -> tuple[float, str]:
    """The fastest of ``runs`` cold builds (``_build`` removed each time) and its log. Taking the fastest run of
    each book keeps one-off stalls (a kernel that starts seconds late) from deciding the ratio."""
    best: tuple[float, str] | None = None
    for _ in range(runs):
        shutil.rmtree(book / "_build", ignore_errors=True)
        secs, log = timed(build_cmd(".", config), cwd=book)
        if best is None or secs < best[0]:
            best = (secs, log)
    assert best is not None
    return best


def no_execute_config(book: Path) -> Path:
    """A copy of the book's configuration with notebook execution off (the committed outputs are used): what the
    build costs without running any notebook."""
    config = yaml.safe_load((book / "_config.yml").read_text(encoding="utf-8"))
    config.setdefault("execute", {})["execute_notebooks"] = "off"
    path = book / "_bench_config_noexec.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def exec_times(log: str) -> list[tuple[str, float]]:
    """(notebook, seconds) from myst-nb's 'Executed notebook in N seconds' lines."""
    return [(Path(m.group(1)).stem, float(m.group(2)))
            for m in re.finditer(r"(\S+\.ipynb): Executed notebook in ([\d.]+) seconds", log)]


# ------------------------------------------------------------------------------------------------ floor book

def make_floor() -> Path:
    """_floor/: the real config and toc; each notebook one trivial cell (plus its title), each page one paragraph."""
    shutil.rmtree(FLOOR, ignore_errors=True)
    FLOOR.mkdir()
    shutil.copy(ROOT / "_config.yml", FLOOR / "_config.yml")
    shutil.copy(ROOT / "_toc.yml", FLOOR / "_toc.yml")
    (FLOOR / "src").symlink_to(ROOT / "src", target_is_directory=True)  # static files, templates, favicon
    (FLOOR / "book").mkdir()
    shutil.copy(ROOT / "book" / "references.bib", FLOOR / "book" / "references.bib")
    for n, stem in enumerate(toc_files(ROOT / "_toc.yml")):
        title = f"Floor page {n}"
        if (ROOT / f"{stem}.ipynb").exists():
            nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": [f"# {title}"]},
                            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                             "source": ["1 + 1"]}],
                  "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                               "language_info": {"name": "python"}},
                  "nbformat": 4, "nbformat_minor": 5}
            target = FLOOR / f"{stem}.ipynb"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(nb, indent=1), encoding="utf-8")
        else:
            target = FLOOR / f"{stem}.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(f"# {title}\n\nOne paragraph of text.\n", encoding="utf-8")
    return FLOOR


# ------------------------------------------------------------------------------------------------ page weight

def page_weights(html: Path) -> dict[str, int]:
    """Bytes each page loads (uncompressed), measured in chromium with the cache off."""
    from lighthouse import serve_gzip
    from playwright.sync_api import sync_playwright

    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"]
    pages = sorted(str(p.relative_to(html)) for p in html.rglob("*.html")  # the root index.html only redirects
                   if not {"_static", "reports"} & set(p.relative_to(html).parts) and p != html / "index.html")
    weights = {}
    with serve_gzip(html) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        context = browser.new_context(viewport={"width": 375, "height": 812})
        for rel in pages:
            page = context.new_page()
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            page.goto(base + rel, wait_until="load")
            weights[rel] = page.evaluate("""() => {
              const nav = performance.getEntriesByType("navigation")[0];
              return (nav ? nav.decodedBodySize : 0) +
                performance.getEntriesByType("resource").reduce((n, e) => n + (e.decodedBodySize || 0), 0);
            }""")
            page.close()
        browser.close()
    return weights


def front_end(html: Path) -> tuple[int, int]:
    data = [(html / "_static" / name).read_bytes() for name in FRONT_END if (html / "_static" / name).exists()]
    return sum(map(len, data)), sum(len(gzip.compress(d, 9)) for d in data)


def main() -> int:
    rows: list[tuple[str, str]] = []
    make_floor()
    # without execution first (their _build is thrown away), then the cold builds that count
    real_noexec, _ = cold_build(ROOT, config=no_execute_config(ROOT), runs=1)
    floor_noexec, _ = cold_build(FLOOR, config=no_execute_config(FLOOR), runs=1)
    (ROOT / "_bench_config_noexec.yml").unlink()
    floor_cold, floor_log = cold_build(FLOOR)
    cold, log = cold_build(ROOT)
    os.utime(ROOT / "book" / "index.md")
    warm, _ = timed(build_cmd())
    html = BUILD / "html"
    notebooks = exec_times(log)
    floor_nbs = exec_times(floor_log)
    floor_exec = sum(s for _, s in floor_nbs)
    real_exec = sum(s for _, s in notebooks)
    floor_each = floor_exec / max(len(floor_nbs), 1)

    pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
    weights = page_weights(html)
    heaviest = max(weights, key=weights.get)
    fe_raw, fe_gz = front_end(html)
    largest = max(pages, key=lambda p: p.stat().st_size)

    rows += [
        ("cold build (force-execute; fastest of 2), s", f"{cold:.1f}"),
        ("warm rebuild after touching book/index.md, s", f"{warm:.1f}"),
        ("floor book cold build (same toc, trivial content; fastest of 2), s", f"{floor_cold:.1f}"),
        ("cold build / floor", f"{cold / floor_cold:.2f}"),
        ("  notebook execution (myst-nb's times), real vs floor, s", f"{real_exec:.1f} vs {floor_exec:.1f}"),
        ("  everything else (Sphinx, bibliography, theme), real vs floor, s",
         f"{cold - real_exec:.1f} vs {floor_cold - floor_exec:.1f}"),
        ("  cold build with execution off (committed outputs), real vs floor, s",
         f"{real_noexec:.1f} vs {floor_noexec:.1f}"),
    ]
    rows += [(f"  execute {name}, s (floor notebook: {floor_each:.1f})", f"{secs:.1f}") for name, secs in notebooks]
    rows += [
        ("notebooks", str(len(notebooks))),
        ("HTML pages", str(len(pages))),
        ("_build/html total, MB", f"{tree_size(html) / 1e6:.2f}"),
        (f"largest HTML file ({largest.relative_to(html)}), KB", f"{largest.stat().st_size / 1e3:.0f}"),
        (f"heaviest page, all it loads ({heaviest}), KB (budget 1000)", f"{weights[heaviest] / 1e3:.0f}"),
        ("course front-end (" + ", ".join(FRONT_END) + "), KB raw / gzip", f"{fe_raw / 1e3:.1f} / {fe_gz / 1e3:.1f}"),
    ]
    try:
        import lighthouse

        with lighthouse.serve_gzip(html) as base:
            for page in lighthouse.heaviest_chapters(html):
                scores = lighthouse.run(base + page)
                rows.append((f"Lighthouse mobile, gzipped: {page} (performance / accessibility)",
                             f"{scores['performance']} / {scores['accessibility']}"))
    except (SystemExit, subprocess.CalledProcessError, OSError) as exc:  # no node_modules: say so, go on
        rows.append(("Lighthouse", f"not run ({exc})"))
    if os.environ.get("BENCH_SKIP_TEST") != "1":
        test, _ = timed(["make", "test"])
        rows.append(("make test, s", f"{test:.1f}"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("\npage weights, KB: " + ", ".join(f"{k} {v / 1e3:.0f}" for k, v in sorted(weights.items())))
    # the reading load of the core path and its enrichment, per chapter (issue 16; also `her2course words`)
    print("\n" + reading.format_report(reading.report(html)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
