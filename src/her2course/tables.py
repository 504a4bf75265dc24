"""Accessible tables for the book and JupyterLab (HTML with caption and header scopes, plus plain text)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field


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
