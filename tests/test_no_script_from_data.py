"""No script from data (issue 13, part 4): hostile strings in every data field that reaches a page run nothing.

A copy of the course data gets a script-carrying payload in every text field (tests/hostile_data.py): question
stems, options, rationales, units and titles, case narratives and table cells, drug names, notes and flags,
timeline, routing, monitoring, diary, testing and pathway labels and explanations, glossary terms and definitions.
Then, as the book does:

- every chapter's code cells run on that copy (tests/render_chapters.py) and the HTML of their outputs becomes a
  test page with the book's front end (mount.js, quiz.js, print.js, her2course.css), figures compacted as the
  book's build compacts them;
- the glossary page is built by Sphinx with the course's directive (her2course.sphinxext).

Debian chromium loads each page with window.alert (and confirm, prompt, print) replaced by a recorder and a
``dialog`` hook, shows every quiz answer, renders the print forms, inserts every sanitised HTML string of every
quiz spec as quiz.js would, opens every <details>; then no payload may have run, and no element from the data
may carry an event handler, a javascript: URL, a frame or a script.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hostile_data import ALERT, hostile_copy, identifier_copy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from localserve import serve

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "src" / "her2course" / "data"
BIB = ROOT / "book" / "references.bib"
STATIC = ROOT / "src" / "her2course" / "static"

SCAN = """() => {
  const bad = [];
  const urls = new Set(["href", "src", "action", "formaction", "xlink:href", "data", "srcdoc", "background",
                        "poster", "ping", "cite", "codebase", "dynsrc", "lowsrc"]);
  for (const el of document.querySelectorAll("*")) {
    const tag = el.localName.toLowerCase();
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      const value = a.value.replace(/[\\s\\u0000-\\u001f]/g, "").toLowerCase();
      if (name.startsWith("on")) bad.push(`<${tag} ${name}="${a.value.slice(0, 60)}">`);
      if ((urls.has(name) || name.endsWith(":href")) && /^(javascript|vbscript):/.test(value)) {
        bad.push(`<${tag} ${name}="${a.value.slice(0, 60)}">`);
      }
      if (name === "srcdoc") bad.push(`<${tag} srcdoc>`);
    }
    const frames = ["iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"];
    if (frames.includes(tag)) bad.push(`<${tag}>`);
    if (tag === "meta" && (el.getAttribute("http-equiv") || "").toLowerCase() === "refresh") bad.push("<meta refresh>");
    if (tag === "script" && /alert\\(/.test(el.textContent + (el.getAttribute("src") || ""))) {
      bad.push(`<script>${el.textContent.slice(0, 60)}`);
    }
  }
  return bad;
}"""

EXERCISE = """async () => {
  for (const b of document.querySelectorAll(".h2q-item button")) if (b.textContent === "Show answer") b.click();
  const box = document.createElement("div");
  box.id = "every-spec-html";
  document.body.append(box);
  const trusted = new Set(["html", "stem", "rationale", "explanation"]);
  const walk = (value, key) => {
    if (typeof value === "string") {
      if (trusted.has(key)) { const d = document.createElement("div"); d.innerHTML = value; box.append(d); }
    } else if (Array.isArray(value)) {
      for (const v of value) walk(v, key);
    } else if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value)) walk(v, k);
    }
  };
  let specs = 0;
  for (const host of document.querySelectorAll("div.her2-quiz[data-spec]")) {
    walk(JSON.parse(host.getAttribute("data-spec")), "");
    specs += 1;
  }
  if (window.her2course && window.her2course.preparePrint) window.her2course.preparePrint();
  for (const d of document.querySelectorAll("details")) d.open = true;
  for (const r of document.querySelectorAll(".her2-pathway-gallery input[type=radio]")) r.click();
  await new Promise((resolve) => setTimeout(resolve, 800));
  return { specs, quizzes: document.querySelectorAll("section.h2q").length };
}"""

RECORD = """
window.__fired = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__fired.push(`${name}(${String(args[0])})`); };
}
"""


def _page(title: str, body: str) -> str:
    return ('<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>' + title + "</title>"
            '<link rel="stylesheet" href="_static/her2course.css">'
            '<script type="module" src="_static/mount.js"></script>'
            '<script type="module" src="_static/print.js"></script></head>'
            f'<body><main><article class="bd-article"><h1>{title}</h1>{body}</article></main></body></html>')


def _build_glossary(layout, out: Path) -> Path:
    """The glossary page, built by Sphinx with the course's directive on the hostile glossary. The hostile terms
    fail `her2course check` (raw HTML), so the directive is handed them directly, as if the check were skipped."""
    from sphinx.application import Sphinx

    from her2course import glossary

    items, _ = glossary.validate(layout)
    hostile = tuple(sorted(items, key=lambda t: t.term.casefold()))
    src = out / "src"
    src.mkdir(parents=True)
    (src / "conf.py").write_text(
        'extensions = ["myst_parser", "sphinxcontrib.bibtex", "her2course.sphinxext"]\n'
        f"bibtex_bibfiles = [{str(BIB)!r}]\n"
        'bibtex_reference_style = "author_year"\n'
        'myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "substitution", "linkify"]\n'
        'html_theme = "basic"\n'
        "her2course_kit = False\n", encoding="utf-8")
    (src / "index.md").write_text("# Glossary\n\n```{her2-glossary}\n```\n\n```{bibliography}\n```\n", encoding="utf-8")
    # the instructor pages made from data/changes.yaml, as the book makes them
    (src / "what-changed.md").write_text("# What changed\n\n```{her2-what-changed}\n```\n", encoding="utf-8")
    (src / "currency-notes.md").write_text("# Currency notes\n\n```{her2-currency-notes}\n```\n", encoding="utf-8")
    # and the teaching kit's instructor pages made from data (activities, facilitator guides), as the book makes them
    for page in ("activities.md", "facilitator-guides.md"):
        shutil.copy(ROOT / "book" / page, src / page)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(glossary, "terms", lambda: hostile)
        mp.setenv("HER2COURSE_DATA_DIR", str(layout.data_dir))
        mp.setenv("HER2COURSE_BIB", str(layout.bib))
        app = Sphinx(str(src), str(src), str(out / "html"), str(out / "doctrees"), "html", status=None,
                     warning=None, freshenv=True)
        app.build()
    return out / "html"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from her2course.paths import root_layout
    from her2course.sitebuild import compact_figures

    work = tmp_path_factory.mktemp("hostile")
    root = work / "course"
    poisoner = hostile_copy(DATA, BIB, root)
    layout = root_layout(root)
    rendered = work / "rendered.json"
    env = {**os.environ, "HER2COURSE_DATA_DIR": str(layout.data_dir), "HER2COURSE_BIB": str(layout.bib),
           "MPLBACKEND": "Agg"}
    render = subprocess.Popen([sys.executable, str(ROOT / "tests" / "render_chapters.py"), str(rendered)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    glossary_html = _build_glossary(layout, work / "glossary")  # while the chapters render
    log, _ = render.communicate(timeout=600)
    assert render.returncode == 0, log[-4000:]
    result = json.loads(rendered.read_text(encoding="utf-8"))
    assert not result["errors"], result["errors"]

    site = work / "site"
    (site / "_static").mkdir(parents=True)
    for name in ("quiz.js", "mount.js", "print.js", "her2course.css"):
        shutil.copy(STATIC / name, site / "_static" / name)
    pages = []
    for chapter, outputs in result["pages"].items():
        body = "".join(f'<div class="cell_output docutils container">{compact_figures(h)}</div>' for h in outputs)
        (site / f"{chapter}.html").write_text(_page(chapter, body), encoding="utf-8")
        pages.append(f"{chapter}.html")
    shutil.copytree(glossary_html, site / "glossary")
    pages += ["glossary/index.html", "glossary/what-changed.html", "glossary/currency-notes.html",
              "glossary/activities.html", "glossary/facilitator-guides.html"]

    with serve(site) as url:
        yield {"url": url, "pages": pages, "site": site, "poisoner": poisoner, "layout": layout}


# data files whose text no page shows: a parametric range's unit and basis document the range for authors (the
# unit appears only in `her2course check` messages)
NOT_ON_A_PAGE = {"param_ranges"}


def test_the_hostile_copy_passes_the_check_but_for_raw_html_in_the_glossary(hostile_site):
    """Every payload sits in a field the schema accepts as text, so the pages below are what a course with such
    text would show; only the glossary, which is plain text, refuses raw HTML."""
    from her2course import check

    _, problems = check.run(hostile_site["layout"])
    assert problems
    other = [p for p in problems if "raw HTML is not allowed in the glossary" not in p.message]
    assert not other, "\n".join(map(str, other[:20]))
    assert {p.field for p in problems} >= {"term", "definition"}


def test_identifier_values_cannot_carry_a_payload(tmp_path):
    """The values left out of the hostile copy (ids, enum values, dates, reference keys...) are refused by the
    check when they carry a payload: no page can show one. A value whose parent is refused is not checked
    further, so keys the check has not named yet are planted again without the ones it named, until none is left
    (or a round names none: those got through)."""
    from her2course import check
    from her2course.paths import root_layout

    root = tmp_path / "course"
    shutil.copytree(DATA, root / "src" / "her2course" / "data")
    (root / "book").mkdir()
    shutil.copy(BIB, root / "book" / "references.bib")
    pending: set[str] | None = None
    rounds = 0
    while pending is None or pending:
        rounds += 1
        planted = identifier_copy(DATA, root / "src" / "her2course" / "data", pending)
        _, problems = check.run(root_layout(root))
        named = set()
        for file, keys in planted.items():
            said = [(re.sub(r"\[\d+\]", "", p.field or "").split("."), p.message)
                    for p in problems if Path(p.file).as_posix().endswith(file)]
            named |= {key for key in keys if any(key in field or key in message for field, message in said)}
        left = {key for keys in planted.values() for key in keys} - named
        assert left != pending, f"payloads the check let through: {sorted(left)}"
        pending = left
    assert rounds <= 6


def test_the_payloads_reach_the_pages(hostile_site):
    """The test is not vacuous: payloads from every data file are in the built pages (as text)."""
    poisoner = hostile_site["poisoner"]
    seen: set[int] = set()
    for page in hostile_site["pages"]:
        seen |= {int(n) for n in ALERT.findall((hostile_site["site"] / page).read_text(encoding="utf-8"))}
    files = {where.split(".", 1)[0].split("[", 1)[0] for where in poisoner.fields.values()} - NOT_ON_A_PAGE
    reached = {poisoner.fields[n].split(".", 1)[0].split("[", 1)[0] for n in seen if n in poisoner.fields}
    assert files - reached == set(), f"no field of these files reaches a page: {sorted(files - reached)}"
    assert len(seen) >= 0.6 * len(poisoner.fields), (len(seen), len(poisoner.fields))


def test_nothing_from_the_data_runs_in_the_browser(hostile_site, site_browser):
    fields = hostile_site["poisoner"].fields
    report, failures = {}, []
    for page_path in hostile_site["pages"]:
        context = site_browser.new_context()
        context.add_init_script(RECORD)
        page = context.new_page()
        dialogs: list[str] = []
        errors: list[str] = []
        page.on("dialog", lambda d, dialogs=dialogs: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
        page.goto(hostile_site["url"] + page_path)
        page.wait_for_load_state("load")
        counts = page.evaluate(EXERCISE)
        ran = page.evaluate("() => window.__fired") + dialogs
        bad = page.evaluate(SCAN)
        context.close()
        report[page_path] = counts
        if counts["quizzes"] != counts["specs"]:
            failures.append(f"{page_path}: not every quiz mounted ({counts})")
        if ran:
            where = sorted({fields.get(int(n), "?") for n in ALERT.findall(" ".join(ran))})
            failures.append(f"{page_path}: script from the data ran: {ran[:5]} (planted in {where[:10]})")
        if bad:
            failures.append(f"{page_path}: elements from the data that could run script: {bad[:8]}")
        if errors:
            failures.append(f"{page_path}: page errors {errors[:5]}")
    assert not failures, "\n".join(failures)
    assert sum(c["specs"] for c in report.values()) >= 10, report
