"""The outcome map in the blueprint: each learning outcome with its NCLEX-RN, AACN and QSEN categories and the
number of questions that inherit them, and the questions counted by category and chapter.

Used by the instructor notebook's blueprint (``exports.builder.Blueprint``) and by the book's outcome-map page.
An item counts under every category of its outcome, so a column can sum to more than the number of questions.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence

from .. import outcomes
from .selection import Entry


def _list(names: Sequence[str], fw: outcomes.Framework | None = None) -> str:
    if not names:
        return '<span class="her2-unmapped">not mapped</span>'
    return "<br>".join(html.escape(fw.label(n) if fw else n) for n in names)


def outcome_table_html(entries: Sequence[Entry], all_outcomes: Sequence[outcomes.Outcome] | None = None) -> str:
    """Every learning outcome (of the course, or those the entries use) with its mapping and question count."""
    fws = outcomes.frameworks()
    counts = Counter(e.item.learning_outcome for e in entries)
    rows_src = list(all_outcomes) if all_outcomes is not None else [
        o for o in outcomes.all_outcomes().values() if o.key in counts]
    head = "".join(f'<th scope="col">{html.escape(fws.get(fw).title)}</th>' for fw in outcomes.FRAMEWORKS)
    rows = []
    for o in rows_src:
        m = o.mapping
        cells = "".join(f"<td>{_list(m.get(fw) if m else [], fws.get(fw))}</td>" for fw in outcomes.FRAMEWORKS)
        rows.append(f'<tr><th scope="row"><strong>{html.escape(o.key)}</strong> {html.escape(o.text)}</th>{cells}'
                    f"<td>{counts.get(o.key, 0)}</td></tr>")
    return ('<div class="her2-table her2-wrap" role="region" tabindex="0" aria-labelledby="tbl-outcome-map">'
            '<table class="her2-blueprint her2-outcome-map"><caption id="tbl-outcome-map">Learning outcomes mapped to '
            "NCLEX-RN client needs, AACN Essentials domains and QSEN competencies, with the number of questions "
            f'written for each</caption><thead><tr><th scope="col">Learning outcome</th>{head}'
            f'<th scope="col">Questions</th></tr></thead><tbody>{"".join(rows)}</tbody></table></div>')


def category_table_html(entries: Sequence[Entry], framework: str) -> str:
    """Questions by category (rows, every category of the framework, zeros included) and chapter (columns)."""
    fw = outcomes.frameworks().get(framework)
    chapters = list(dict.fromkeys(e.chapter for e in entries))
    counts: Counter[tuple[str, str]] = Counter()
    for e in entries:
        m = e.mapping
        for name in m.get(framework) if m else []:
            counts[(name, e.chapter)] += 1
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in chapters)
    rows = []
    for c in fw.categories:
        total = sum(counts[(c.name, ch)] for ch in chapters)
        group = f' <span class="her2-category-group">({html.escape(c.group)})</span>' if c.group and c.group != c.name \
            else ""
        rows.append(f'<tr><th scope="row">{html.escape(fw.label(c.name))}{group}</th>'
                    + "".join(f"<td>{counts[(c.name, ch)] or ''}</td>" for ch in chapters)
                    + f"<td><strong>{total}</strong></td></tr>")
    ident = f"tbl-questions-by-{framework}"
    what = f"{outcomes.SHORT[framework]} {html.escape(fw.unit)}"
    return (f'<div class="her2-table her2-wrap" role="region" tabindex="0" aria-labelledby="{ident}">'
            f'<table class="her2-blueprint"><caption id="{ident}">Questions by {what} and chapter ({len(entries)} '
            "questions; a question counts under every category of its outcome)</caption>"
            f'<thead><tr><th scope="col">{what}</th>{head}<th scope="col">Total</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


def mapping_html(entries: Sequence[Entry]) -> str:
    """The outcome map of the entries and the three category tables (the blueprint's second half)."""
    return outcome_table_html(entries) + "".join(category_table_html(entries, fw) for fw in outcomes.FRAMEWORKS)
