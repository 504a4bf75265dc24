"""What every exporter shares: the report of what was exported or skipped, progress, byte-stable zips."""

from __future__ import annotations

import html
import sys
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..quiz import markup
from ..quiz.schema import BLANK, Highlight, Item, TrendData, cell_text
from .selection import Assignment, Entry

T = TypeVar("T")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip can hold: no build date in any file


@dataclass
class ExportReport:
    """Which items went into a file, which were skipped (by id, with the reason) and which were adapted."""

    format: str
    assignment: str
    outputs: list[Path] = field(default_factory=list)
    exported: list[str] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"Assignment {self.assignment}: {len(self.exported)} item(s) exported as {self.format}"]
        out += [f"  wrote {p}" for p in self.outputs]
        if self.skipped:
            out.append(f"Skipped {len(self.skipped)} item(s) that {self.format} cannot express:")
            out += [f"  - {k}: {v}" for k, v in self.skipped.items()]
        if self.notes:
            out.append(f"Adapted {len(self.notes)} item(s) to what {self.format} can express:")
            out += [f"  - {k}: {v}" for k, v in self.notes.items()]
        return out


def progress(entries: Sequence[Entry], label: str, quiet: bool = False) -> Iterator[Entry]:
    """Yield the entries, counting them on stderr ('canvas: 12/40 ch2-...'); quiet for library calls."""
    n = len(entries)
    tty = sys.stderr.isatty()
    for i, e in enumerate(entries, start=1):
        if not quiet:
            if tty:
                sys.stderr.write(f"\r{label}: {i}/{n} {e.id[:48]:<48}")
                if i == n:
                    sys.stderr.write("\n")
            elif i == n or i % 10 == 0:
                sys.stderr.write(f"{label}: {i}/{n}\n")
            sys.stderr.flush()
        yield e


def write_zip(path: Path, files: Sequence[tuple[str, bytes]]) -> None:
    """A zip whose bytes depend only on the names and contents given (fixed dates, modes and order)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.create_system = 3
            if name.endswith("/"):
                info.external_attr = (0o40755 << 16) | 0x10
                zf.writestr(info, b"")
                continue
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)


def one_line(html_text: str) -> str:
    """HTML on one line (formats where a newline or a blank line ends the question)."""
    return " ".join(html_text.split())


def block(text: str) -> str:
    return markup.block(text)


def inline(text: str) -> str:
    return markup.inline(text)


def inline_keep(text: str) -> str:
    """Inline HTML of a fragment between two blanks, keeping the space at either end."""
    return markup.inline_keep(text)


def plain(text: str) -> str:
    """The text with all markup removed, on one line: for fields an LMS shows as plain text."""
    return " ".join(markup.plain(text).split())


def plain_html(text: str) -> str:
    """The plain text, escaped for a field the LMS reads as HTML (so '<' in the data stays text, never a tag)."""
    return html.escape(plain(text), quote=False)


def sanitize(html_text: str) -> str:
    """HTML from another library (text2qti's Markdown), cut down to the course's allow-list."""
    return markup.clean(html_text)


def _ends_sentence(text: str) -> bool:
    return plain(text).rstrip("\"'\u201d\u2019)] ")[-1:] in (".", "?", "!", ":", "\u2026")


def rationale_list(pairs: Sequence[tuple[str, str]], ordered: bool = False) -> str:
    """Each row or step (bold) with why it belongs there, as an HTML list for an LMS's general feedback.

    A row that already ends as a sentence is followed by its rationale directly ("... outside the cell. First:
    ligand binding ..."); a label gets a colon ("Trastuzumab: binds subdomain IV").
    """
    tag = "ol" if ordered else "ul"
    lines = "".join(f"<li><strong>{inline(text)}</strong>{' ' if _ends_sentence(text) else ': '}"
                    f"{inline(why)}</li>" for text, why in pairs)
    return f"<{tag}>{lines}</{tag}>"


def number(value: float) -> str:
    """5.0 -> '5', 5.40 -> '5.4' (never an exponent for the values a dose calculation gives)."""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return text


def header_comment(assignment: Assignment) -> str:
    return (f"Assignment {assignment.id} ({len(assignment.entries)} items, seed {assignment.seed}): "
            f"{assignment.title}")


def data_html(data: TrendData | None) -> str:
    """A trend item's values over time as an accessible HTML table (caption, column and row headers; text escaped)."""
    if data is None:
        return ""
    e = html.escape

    def cell(i: int, value) -> str:
        return f'<th scope="row">{e(cell_text(value))}</th>' if i == 0 else f"<td>{e(cell_text(value))}</td>"

    head = "".join(f'<th scope="col">{e(c)}</th>' for c in data.columns)
    rows = "".join("<tr>" + "".join(cell(i, c) for i, c in enumerate(row)) + "</tr>" for row in data.rows)
    return (f'<table class="data"><caption>{e(data.caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def question_html(item: Item) -> str:
    """The stem as HTML, followed by the item's data table (a trend item) where it has one."""
    return block(item.stem) + data_html(item.data)


def passage(text: str, fill) -> str:
    """A cloze, drop-down rationale or highlight passage as inline HTML, each {{id}} replaced by fill(id)."""
    out, pos = "", 0
    for m in BLANK.finditer(text):
        out += inline_keep(text[pos:m.start()]) + fill(m.group(1))
        pos = m.end()
    return out + inline_keep(text[pos:])


def highlight_html(item: Highlight) -> str:
    """What a highlight item asks the learner to look at, for a format with no highlighting: the passage with each
    selectable part in bold and in brackets, or the table with its rows. The parts follow as the options."""
    if item.table is not None:
        t = item.table
        head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in t.columns)
        rows = "".join("<tr>" + "".join(f"<td>{html.escape(cell_text(c))}</td>" for c in r.cells) + "</tr>"
                       for r in t.rows)
        return (f"<table><caption>{html.escape(t.caption)}</caption><thead><tr>{head}</tr></thead>"
                f"<tbody>{rows}</tbody></table><p>Select each row that matters (the rows are listed below).</p>")
    spans = {sp.id: sp for sp in item.spans}
    text = passage(item.text or "", lambda sid: f"<strong>[{inline(spans[sid].text)}]</strong>")
    return f"<p>{text}</p><p>Select each part in brackets that matters (the parts are listed below).</p>"
