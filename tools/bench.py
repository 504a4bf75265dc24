"""``make bench``: what building and testing the course costs, and the reading-experience budgets (issues 9, 19).

Prints figures; asserts nothing (the tests hold the budgets). Reports
- ``make test`` wall time, split by phase: the environment check (virtual environment, chromium and npm packages:
  make's own prerequisites), ruff, ``her2course check``, the book build and pytest. Each recipe line of the real
  ``make test`` is timed through a shell wrapper (``make test SHELL=...``), so the split is of the run itself;
- ``make book`` after the environment exists (``_build`` removed first) and a rebuild after a prose edit in a
  chapter (one Markdown cell of chapter 1 changed, then restored);
- page weight: every byte each page loads (HTML, CSS, JS, fonts, images), measured in chromium; the heaviest named;
- the course's own front-end (her2course.css, mount.js, quiz.js, print.js) in bytes, raw and gzipped;
- Lighthouse mobile performance and accessibility of the two heaviest chapter pages, served gzipped.
Timings are the best of ``BENCH_RUNS`` runs (default 2): other work on the machine only ever makes a run slower.
Skip the ``make test`` runs with BENCH_SKIP_TEST=1.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from her2course import reading

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "_build"
FRONT_END = ["her2course.css", "mount.js", "quiz.js", "print.js"]
PROSE_EDIT = ROOT / "notebooks" / "01-her2-biology.ipynb"
RUNS = int(os.environ.get("BENCH_RUNS", "2"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# make runs every recipe line as `$(SHELL) -c LINE`: this shell runs it with bash and logs when it started and ended
TIMED_SHELL = r"""#!/bin/bash
start=$(date +%s.%N)
/bin/bash "$@"
code=$?
line="${*: -1}"
printf '%s %s %s\n' "$start" "$(date +%s.%N)" "${line//$'\n'/ }" >> "$BENCH_PHASE_LOG"
exit $code
"""
PHASES = [("ruff", "ruff check"), ("her2course check", "her2course check"), ("book build", "jupyter-book build"),
          ("pytest", "pytest")]


def timed(cmd: list[str], cwd: Path = ROOT, **kw) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if out.returncode:  # a failed run is not a timing: show why it failed
        print(out.stdout[-6000:], file=sys.stderr)
        raise SystemExit(f"{' '.join(cmd)} failed (exit {out.returncode})")
    return time.perf_counter() - start, out.stdout


def make_test_phases() -> dict[str, float]:
    """One ``make test``, its wall time and the wall time of each phase."""
    with tempfile.TemporaryDirectory() as tmp:
        shell, log = Path(tmp) / "timed-shell", Path(tmp) / "phases.log"
        shell.write_text(TIMED_SHELL, encoding="utf-8")
        shell.chmod(0o755)
        log.touch()
        total, output = timed(["make", "test", f"SHELL={shell}"], env={**os.environ, "BENCH_PHASE_LOG": str(log)})
        lines = [line.split(" ", 2) for line in log.read_text(encoding="utf-8").splitlines()]
    print("make test: " + output.strip().splitlines()[-1], flush=True)  # pytest's result line
    out = dict.fromkeys([name for name, _ in PHASES], 0.0)
    for start, end, command in lines:
        for name, needle in PHASES:
            if needle in command:
                out[name] += float(end) - float(start)
                break
    out = {"environment check (venv, chromium, npm packages)": total - sum(out.values()), **out}
    out["total"] = total
    return out


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    """The run with the shortest total (a whole run, so its phases add up)."""
    return min(runs, key=lambda r: r["total"])


def make_book_cold() -> float:
    shutil.rmtree(BUILD, ignore_errors=True)
    secs, _ = timed(["make", "book"])
    return secs


def prose_edit_rebuild() -> float:
    """Change one sentence in a Markdown cell of chapter 1, rebuild, put the notebook back as it was."""
    original = PROSE_EDIT.read_bytes()
    nb = json.loads(original)
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown" and len(c["source"]) > 1)
    cell["source"][-1] = cell["source"][-1].rstrip("\n") + " (An edited sentence.)"
    try:
        PROSE_EDIT.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        secs, _ = timed(["make", "book"])
    finally:
        PROSE_EDIT.write_bytes(original)
    timed(["make", "book"])  # and the book as committed again
    return secs


def tree_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


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
    if os.environ.get("BENCH_SKIP_TEST") != "1":
        runs = []
        for _ in range(RUNS):
            shutil.rmtree(BUILD, ignore_errors=True)  # as in CI: a fresh checkout has no _build
            runs.append(make_test_phases())
        phases = best(runs)
        rows.append((f"make test, s (best of {RUNS}: " + ", ".join(f"{r['total']:.0f}" for r in runs) + ")",
                     f"{phases['total']:.1f}"))
        rows += [(f"  {name}, s", f"{secs:.1f}") for name, secs in phases.items() if name != "total"]
    cold = min(make_book_cold() for _ in range(RUNS))
    rows.append((f"make book after the environment exists (_build removed; best of {RUNS}), s", f"{cold:.1f}"))
    edit = min(prose_edit_rebuild() for _ in range(RUNS))
    rows.append((f"make book after a prose edit in chapter 1 (best of {RUNS}), s", f"{edit:.1f}"))
    load = os.getloadavg()
    rows.append(("load average during the timings (1, 5, 15 min; 2 cores)", ", ".join(f"{x:.1f}" for x in load)))

    html = BUILD / "html"
    pages = [p for p in html.rglob("*.html") if "_static" not in p.parts]
    weights = page_weights(html)
    heaviest = max(weights, key=weights.get)
    fe_raw, fe_gz = front_end(html)
    largest = max(pages, key=lambda p: p.stat().st_size)
    rows += [
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
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("\npage weights, KB: " + ", ".join(f"{k} {v / 1e3:.0f}" for k, v in sorted(weights.items())))
    # the reading load of the core path and its enrichment, per chapter (issue 16; also `her2course words`)
    print("\n" + reading.format_report(reading.report(html)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
