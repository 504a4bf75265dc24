"""Accessible tables for the book and JupyterLab (HTML with caption and header scopes, plus plain text), and how
a table is laid out on a phone.

On a screen up to 640 CSS px wide (a phone: a 343 px column at 375 px) each table of the book takes one of three
layouts, chosen by ``narrow_layout`` from its shape and applied when the book is built (``sitebuild``):

- ``fit``: the whole table in the column, its text wrapping (two columns, or a few columns of short values).
  A case study's data tables always fit or stack: the cue a learner must spot is never off-screen.
- ``stack``: each row becomes a card, the column headers labelling its values. For tables whose rows are records
  read one at a time (a drug, an event, a grade and its actions): on a phone a row of prose cells in a table that
  scrolls sideways is read a few words at a time, and a card keeps the row together. A table whose class list
  has ``her2-records`` says so itself when its values are short (the item analysis: an option and its counts).
- ``scroll``: the table keeps its grid and scrolls sideways inside its own box, its first column (the row header)
  staying in view, a shadow at the edge and a line of text saying that it scrolls. For grids of short values
  compared across many columns (counts by chapter and step, a diary to fill in day by day, a series of readings),
  where cards would turn every row into a long list and lose the comparison.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

Layout = Literal["fit", "stack", "scroll"]

# On a phone (her2course.css, max-width 640px) a table's text is 0.92rem (14.72 px) in cells with 0.5rem of padding
# either side and a 1 px border; a case study's data tables are set a little smaller and tighter (0.85rem, 0.35rem
# padding). Words are measured in DejaVu Sans, the widest of the fonts the book's font stack may use (and the one
# the browser tests render with), in bold for header cells.
NARROW_COLUMN_PX = 340  # the column of a 375 px phone is 343 px
NESTED_COLUMN_PX = 318  # inside an admonition or a Go deeper block that column is 321 px
FONT_PX, CELL_PX = 14.72, 17.0
CASE_FONT_PX, CASE_CELL_PX = 13.6, 12.2
SHORT_CELL = 12  # mean characters per cell of a grid of values (numbers, dates, doses)
FIT_CELL = 24  # mean characters per cell of a table that still reads well squeezed into the column


@lru_cache(maxsize=2)
def _font(bold: bool):
    from matplotlib.font_manager import FontProperties, findfont
    from matplotlib.ft2font import FT2Font

    return FT2Font(findfont(FontProperties(family="DejaVu Sans", weight="bold" if bold else "normal")))


@lru_cache(maxsize=8192)
def text_px(text: str, *, bold: bool = False, size_px: float = FONT_PX) -> float:
    """The width of ``text`` in CSS px, set in DejaVu Sans at ``size_px``."""
    font = _font(bold)
    font.set_size(size_px, 72)
    font.set_text(text, 0.0)
    return font.get_width_height()[0] / 64


def widest_word_px(text: str, *, bold: bool = False, size_px: float = FONT_PX) -> float:
    """The widest piece of ``text`` a browser cannot break (it breaks at spaces and after hyphens)."""
    return max((text_px(w, bold=bold, size_px=size_px) for w in re.findall(r"[^\s-]+-?|-", text)), default=0.0)


def narrow_layout(headers: Sequence[str], rows: Sequence[Sequence[str]], *, case_data: bool = False,
                  row_headers: bool = False, records: bool = False, column_px: float = NARROW_COLUMN_PX) -> Layout:
    """How a table with these headers and cells (plain text) is laid out on a phone (see the module notes), in a
    column ``column_px`` wide. Header cells (and, with ``row_headers``, each row's first cell) are bold. With
    ``records`` the table says its rows are records read one at a time even when its values are short (an option
    and its counts): it fits or stacks, never scrolls."""
    columns = max([len(headers), *(len(r) for r in rows)], default=0)
    if columns <= 2:
        return "fit"
    size, cell = (CASE_FONT_PX, CASE_CELL_PX) if case_data else (FONT_PX, CELL_PX)
    widths = [0.0] * columns
    for j, text in enumerate(headers[:columns]):
        widths[j] = widest_word_px(text, bold=True, size_px=size)
    for row in rows:
        for j, text in enumerate(row[:columns]):
            widths[j] = max(widths[j], widest_word_px(text, bold=row_headers and j == 0, size_px=size))
    fits = sum(widths) + cell * columns <= column_px
    cells = [c for r in rows for c in r]
    mean = sum(len(c.strip()) for c in cells) / max(1, len(cells))
    if fits and (case_data or mean <= FIT_CELL):
        return "fit"
    if case_data or records:
        return "stack"
    return "scroll" if columns >= 5 and mean <= SHORT_CELL else "stack"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


@dataclass(frozen=True)
class Table:
    caption: str
    headers: list[str]
    rows: list[list[str]]
    source: str = ""
    row_headers: bool = False
    classes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.headers):
                raise ValueError(
                    f"table '{self.caption}': row {i + 1} has {len(row)} cells, expected {len(self.headers)}"
                )

    def to_html(self) -> str:
        e = html.escape
        ident = f"tbl-{_slug(self.caption)}"
        out = [
            f'<div class="her2-table {" ".join(self.classes)}" role="region" tabindex="0" '
            f'aria-labelledby="{ident}">',
            "<table>",
            f'<caption id="{ident}">{e(self.caption)}</caption>',
        ]
        if any(h.strip() for h in self.headers):
            out.append("<thead><tr>" + "".join(f'<th scope="col">{e(h)}</th>' for h in self.headers) + "</tr></thead>")
        out.append("<tbody>")
        for row in self.rows:
            cells = []
            for j, cell in enumerate(row):
                if j == 0 and self.row_headers:
                    cells.append(f'<th scope="row">{e(cell)}</th>')
                else:
                    cells.append(f"<td>{e(cell)}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</tbody></table>")
        if self.source:
            out.append(f'<p class="her2-table-source">{e(self.source)}</p>')
        out.append("</div>")
        return "\n".join(out)

    def to_text(self) -> str:
        lines = [self.caption]
        if any(h.strip() for h in self.headers):
            lines.append(" | ".join(self.headers))
        lines += [" | ".join(row) for row in self.rows]
        if self.source:
            lines.append(self.source)
        return "\n".join(lines)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.to_html(), "text/plain": self.to_text()}
