"""The instructor pages, filled from the data when Sphinx reads them (``her2course.sphinxext`` connects this).

A page in book/ holds its own prose and, on a line of its own, a marker such as ``<!-- her2: facilitator-guides -->``.
When Sphinx reads the page, the marker is replaced by MyST generated from the course data (headings, lists,
citations and accessible tables), so the generated parts are searchable and their citations resolve like any
other. The two lists of built files (slides and quiz files) depend on the files themselves; their markers become a
slot that is filled when the page is written, once the teaching kit's files exist (:func:`fill_slots`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

MARKER = re.compile(r"^<!--\s*her2:\s*([a-z-]+)\s*-->\s*$", re.M)
SLOT = re.compile(r'<div class="her2-kit-slot" data-her2-kit="([a-z-]+)"></div>')


def _raw(text: str) -> str:
    return "```{raw} html\n" + text + "\n```\n"


def _chapter_titles(root: Path) -> dict[str, str]:
    from .chapters import chapter_paths, read_chapter

    out = {}
    for path in chapter_paths(root):
        ch = read_chapter(path)
        out[ch.id] = f"Chapter {ch.number}: {ch.title}"
    return out


def _facilitator(root: Path) -> str:
    from . import facilitator

    rows = "".join(f'<tr><th scope="row"><a href="#case-{n}-{_slug(title)}">{html.escape(title)}</a></th>'
                   f"<td>{minutes}</td></tr>"
                   for n, (_, title, minutes) in enumerate(facilitator.timing_summary(), start=1))
    overview = ('<div class="her2-table her2-wrap" role="region" tabindex="0" aria-labelledby="tbl-case-overview">'
                '<table>'
                '<caption id="tbl-case-overview">The five cases and the time each takes in class</caption><thead><tr>'
                '<th scope="col">Case</th><th scope="col">Minutes (prebrief, six stages, debrief)</th></tr></thead>'
                f"<tbody>{rows}</tbody></table></div>")
    return _raw(overview) + "\n" + facilitator.all_guides_markdown()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _outcome_map(root: Path) -> str:
    from .. import outcomes
    from ..exports.mapping import category_table_html, outcome_table_html
    from ..exports.selection import all_entries

    fws = outcomes.frameworks()
    entries = all_entries()
    every = list(outcomes.all_outcomes().values())
    lines = ["## The frameworks\n"]
    for key in outcomes.FRAMEWORKS:
        fw = fws.get(key)
        names = "; ".join(fw.label(c.name) + (f" (formerly {c.formerly})" if c.formerly else "")
                          for c in fw.categories)
        note = f" {fw.note.strip()}" if fw.note else ""
        lines.append(f"- **{fw.title}** ({fw.edition}): {names}.{note} {{cite:p}}`{','.join(fw.references)}`")
    lines += ["\n## Every learning outcome\n",
              "The table lists every learning outcome of the chapters and of the unfolding cases (chapter 7), its "
              "categories in each framework, and how many questions of the question banks assess it. Chapter 7's "
              "questions are the cases' own items; they are counted here once the cases join the question banks.\n",
              _raw(outcome_table_html(entries, every)),
              "\n## Questions by category\n",
              "A question counts under every category of its outcome, so a column can add up to more than the number "
              "of questions. A category with no questions is one the course does not set out to assess.\n"]
    lines += [_raw(category_table_html(entries, key)) for key in outcomes.FRAMEWORKS]
    return "\n".join(lines)


def _discussion(root: Path) -> str:
    from . import activities

    return activities.discussion_markdown(_chapter_titles(root))


def _activity(root: Path) -> str:
    from . import activities

    return activities.activity_markdown()


def _slot(name: str) -> Callable[[Path], str]:
    return lambda root: _raw(f'<div class="her2-kit-slot" data-her2-kit="{name}"></div>')


GENERATORS: dict[str, Callable[[Path], str]] = {
    "facilitator-guides": _facilitator,
    "outcome-map": _outcome_map,
    "discussion-prompts": _discussion,
    "teaching-activity": _activity,
    "kit-slides": _slot("kit-slides"),
    "kit-slide-links": _slot("kit-slide-links"),
    "kit-files": _slot("kit-files"),
}


def expand(source: str, root: Path) -> str:
    """The page's source with every marker replaced; an unknown marker is an error naming the markers known."""

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in GENERATORS:
            raise ValueError(f"unknown marker 'her2: {name}' (known: {', '.join(GENERATORS)})")
        return GENERATORS[name](root)

    return MARKER.sub(one, source)


# ------------------------------------------------------------------------------------------------ built-file lists

def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def slide_links_html(manifest: dict[str, Any], to: Callable[[str], str]) -> str:
    """The decks as a plain list of links (the instructor guide); the table with their contents is on the teaching
    kit page, its one home."""
    from .kit import SLIDES_DIR

    items = "".join('<li><a href="' + to(SLIDES_DIR + "/" + d["html"]) + f'">Chapter {d["number"]} slides: '
                    + html.escape(d["title"]) + "</a></li>" for d in manifest["slides"])
    return f'<ul class="her2-kit-slide-links">{items}</ul>'


def slides_html(manifest: dict[str, Any], to: Callable[[str], str]) -> str:
    from .kit import SLIDES_DIR

    rows = []
    for d in manifest["slides"]:
        label = f"Chapter {d['number']}: {d['title']}"
        deck, notebook = to(f"{SLIDES_DIR}/{d['html']}"), to(f"{SLIDES_DIR}/{d['notebook']}")
        rows.append(
            f'<tr><th scope="row">{html.escape(label)}</th>'
            f'<td><a href="{deck}">Chapter {d["number"]} slides</a></td>'
            f"<td>{d['slides']} slides: {d['figures']} figures or tables, {d['alerts']} safety alerts, "
            f"{d['questions']} questions</td>"
            f'<td><a href="{notebook}" download>Chapter {d["number"]} deck notebook (.ipynb)</a></td></tr>')
    version = manifest["slides"][0]["reveal"] if manifest["slides"] else ""
    return ('<div class="her2-table her2-wrap" role="region" tabindex="0" aria-labelledby="tbl-kit-slides"><table>'
            f'<caption id="tbl-kit-slides">Slides for each chapter (reveal.js {html.escape(version)}, included: '
            'they work offline)</caption><thead><tr><th scope="col">Chapter</th><th scope="col">Slides</th>'
            '<th scope="col">What is in them</th><th scope="col">To edit</th></tr></thead><tbody>'
            + "".join(rows) + "</tbody></table></div>")


SHORT = {"canvas": "Canvas .zip", "moodle-xml": "Moodle XML", "gift": "GIFT", "html": "Quiz to print",
         "csv": "Blueprint CSV"}


def files_html(manifest: dict[str, Any], to: Callable[[str], str]) -> str:
    from .kit import FORMATS, KIT_DIR

    by_part: dict[str, list[dict[str, Any]]] = {}
    labels: dict[str, str] = {}
    for row in manifest["files"]:
        by_part.setdefault(row["part"], []).append(row)
        labels[row["part"]] = row["part_label"]
    head = "".join(f'<th scope="col">{html.escape(f.label)}</th>' for f in FORMATS)
    body = []
    skipped: list[str] = []
    commands: list[str] = []
    for part, rows in by_part.items():
        cells = []
        for row in rows:
            count = (f"{row['questions']} questions" if row["questions"] == row["total"]
                     else f"{row['questions']} of {row['total']} questions")
            # the accessible name starts with the visible words (WCAG 2.5.3), then says which file it is
            what = f"{SHORT[row['format']]}: {labels[part]}, {row['label']}"
            href = to(f"{KIT_DIR}/{row['file']}")
            link = (f'<a href="{href}" download="{html.escape(row["file"])}" aria-label="{html.escape(what)}">'
                    f'{html.escape(SHORT[row["format"]])}</a>')
            extra = ""
            if row.get("answer_key"):
                key_href = to(f"{KIT_DIR}/{row['answer_key']}")
                extra = (f'<br><a href="{key_href}" download="{html.escape(row["answer_key"])}" '
                         f'aria-label="Answer key: {html.escape(labels[part])}">Answer key</a> '
                         f'({_size(row["answer_key_bytes"])})')
            cells.append(f"<td>{link}<br>{count}, {_size(row['bytes'])}{extra}</td>")
            if row["skipped"] and part == "course":
                skipped += [f"<li><code>{html.escape(k)}</code>: {html.escape(v)}</li>"
                            for k, v in row["skipped"].items()]
            commands.append(row["command"])
        body.append(f'<tr><th scope="row">{html.escape(labels[part])}</th>{"".join(cells)}</tr>')
    table = ('<div class="her2-table her2-wrap her2-kit-files" role="region" tabindex="0" '
             'aria-labelledby="tbl-kit-files">'
             '<table><caption id="tbl-kit-files">Ready-made quiz files, for the whole course and for each chapter'
             f'</caption><thead><tr><th scope="col">Questions from</th>{head}</tr></thead><tbody>{"".join(body)}'
             "</tbody></table></div>")
    notes = ""
    if skipped:
        notes += ("<details><summary>Questions the GIFT files leave out, and why (the Moodle XML files keep them)"
                  f"</summary><ul>{''.join(skipped)}</ul></details>")
    notes += ("<details><summary>The commands that made these files (to make your own selection in a terminal)"
              "</summary><pre><code>" + html.escape("\n".join(commands)) + "</code></pre></details>")
    rubric_href = to(f"{KIT_DIR}/{manifest['rubric']}")
    rubric = (f'<p>The patient-teaching rubric as a page of its own, to print: <a href="{rubric_href}" download>'
              f'{html.escape(manifest["rubric"])}</a>.</p>')
    return table + notes + rubric


def fill_slots(body: str, manifest: dict[str, Any], to: Callable[[str], str]) -> str:
    makers = {"kit-slides": slides_html, "kit-slide-links": slide_links_html, "kit-files": files_html}
    return SLOT.sub(lambda m: makers[m.group(1)](manifest, to), body)
