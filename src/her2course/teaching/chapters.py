"""What the teaching kit reads from a chapter notebook: its title, learning outcomes, safety alerts and the cells
its author tagged for the slides.

Nothing here is typed twice: the slides follow the chapter as it is. A chapter's author marks a figure or table
cell for the slides with the cell tag ``slides`` (cell metadata only; the book ignores it). Safety alerts are the
admonitions titled "Safety alert" or "Clinical alert". MyST roles are turned into plain text for slides and
notes: a citation becomes "(Author year)", a glossary term its text.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

SLIDE_TAG = "slides"
ALERT_TITLE = re.compile(r"^(Safety alert|Clinical alert)\b", re.I)
_ADMONITION = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{admonition\}[ \t]*(?P<title>[^\n]*)\n(?P<body>.*?)\n(?P=fence)[ \t]*$", re.S | re.M)
_OUTCOME = re.compile(r"^\s*[-*]\s+\*\*(LO\d+\.\d+)\*\*\s+(.+?)\s*$", re.M)
_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*$", re.M)
_ROLE = re.compile(r"\{(?P<role>[a-z:]+)\}`(?P<text>[^`]*)`")
_OPTION_LINE = re.compile(r"^:[a-z-]+:.*$\n?", re.M)


@dataclass(frozen=True)
class Alert:
    title: str
    body: str  # Markdown with the roles already made plain
    section: str


@dataclass(frozen=True)
class TaggedCell:
    index: int
    source: str
    section: str
    title: str = ""  # the title of the Go deeper block the cell is in (metadata her2course.deeper), if any


@dataclass(frozen=True)
class Chapter:
    id: str
    number: int
    path: Path
    title: str
    outcomes: dict[str, str]
    setup: str
    alerts: tuple[Alert, ...] = field(default_factory=tuple)
    tagged: tuple[TaggedCell, ...] = field(default_factory=tuple)


def chapter_paths(root: Path) -> list[Path]:
    """The numbered chapter notebooks (``notebooks/NN-*.ipynb``), in order."""
    return sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def _cite_text(keys: str) -> str:
    from ..references import bibliography

    bib = bibliography()
    parts = [bib.short(k.strip()) if k.strip() in bib else k.strip() for k in keys.split(",") if k.strip()]
    return "(" + "; ".join(parts) + ")"


def plain_roles(text: str) -> str:
    """MyST roles as plain text: citations "(Author year)", terms and document links their visible text."""

    def one(m: re.Match[str]) -> str:
        role, inner = m.group("role"), m.group("text")
        if role.startswith("cite"):
            return _cite_text(inner)
        shown = re.match(r"^(.*?)\s*<[^>]*>\s*$", inner, re.S)
        return shown.group(1) if shown else inner

    return _ROLE.sub(one, text)


def _sections(cells: list[Any]) -> Iterator[tuple[int, Any, str]]:
    """Each cell with the title of the section it sits in (its nearest heading above, level 2 or deeper)."""
    section = ""
    for i, cell in enumerate(cells):
        if cell.cell_type == "markdown":
            heads = [m.group(2) for m in _HEADING.finditer(cell.source) if len(m.group(1)) >= 2]
            yield i, cell, section
            if heads:
                section = plain_roles(heads[-1])
            continue
        yield i, cell, section


def read_chapter(path: Path) -> Chapter:
    nb = nbformat.read(path, as_version=4)
    title = ""
    outcomes: dict[str, str] = {}
    setup = ""
    alerts: list[Alert] = []
    tagged: list[TaggedCell] = []
    for i, cell, section in _sections(nb.cells):
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "markdown":
            src = cell.source
            if not title:
                m = re.search(r"^#\s+(.+?)\s*$", src, re.M)
                title = plain_roles(m.group(1)) if m else ""
            if re.match(r"^##\s+Learning outcomes\s*$", src.lstrip().split("\n", 1)[0]):
                outcomes = {k: plain_roles(v) for k, v in _OUTCOME.findall(src)}
            here = section
            heads = [m.group(2) for m in _HEADING.finditer(src) if len(m.group(1)) >= 2]
            if heads:
                here = plain_roles(heads[0])
            for m in _ADMONITION.finditer(src):
                if ALERT_TITLE.match(m.group("title").strip()):
                    body = _OPTION_LINE.sub("", m.group("body")).strip()
                    alerts.append(Alert(plain_roles(m.group("title").strip()), plain_roles(body), here))
        elif cell.cell_type == "code":
            if "remove-cell" in tags and not setup:
                setup = cell.source
            if SLIDE_TAG in tags:
                deeper = cell.metadata.get("her2course", {}).get("deeper", "")
                tagged.append(TaggedCell(i, cell.source, section, deeper if isinstance(deeper, str) else ""))
    stem = path.stem
    return Chapter(id=stem, number=int(stem.split("-", 1)[0]), path=path, title=title, outcomes=outcomes,
                   setup=setup, alerts=tuple(alerts), tagged=tuple(tagged))


def evaluate(chapter: Chapter, cell: TaggedCell, namespace: dict[str, Any] | None = None) -> Any:
    """Run a tagged cell as the chapter runs it (after its setup cell) and return the value it displays.

    The cells are the course's own one-line calls into the package (the chapter notebooks are code of this
    repository, not data), so the slides show exactly what the chapter shows, drawn by the same functions.
    """
    ns = namespace if namespace is not None else {}
    if "__her2_setup__" not in ns:
        exec(compile(chapter.setup, f"{chapter.path.name}:setup", "exec"), ns)
        ns["__her2_setup__"] = True
    tree = ast.parse(cell.source, filename=f"{chapter.path.name}:cell{cell.index}")
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr):
        head = ast.Module(body=tree.body[:-1], type_ignores=[])
        exec(compile(head, f"{chapter.path.name}:cell{cell.index}", "exec"), ns)
        return eval(compile(ast.Expression(last.value), f"{chapter.path.name}:cell{cell.index}", "eval"), ns)
    exec(compile(tree, f"{chapter.path.name}:cell{cell.index}", "exec"), ns)
    return None


def case_call(cell: TaggedCell) -> str | None:
    """The case id when the cell is one call ``case("<id>")`` (chapter 7), else None. Such a cell becomes a case
    overview on the slides, built from the case data alone (the interactive case itself is worked in the chapter)."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Expr):
        return None
    call = tree.body[0].value
    if (isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "case"
            and len(call.args) == 1 and not call.keywords and isinstance(call.args[0], ast.Constant)
            and isinstance(call.args[0].value, str)):
        return call.args[0].value
    return None


def html_of(value: Any) -> str:
    """The text/html a displayed object gives the book (the same fallback the static pages show)."""
    if value is None:
        return ""
    bundle = getattr(value, "_repr_mimebundle_", None)
    if callable(bundle):
        got = bundle()
        data = got[0] if isinstance(got, tuple) else got
        if isinstance(data, dict) and data.get("text/html"):
            return str(data["text/html"])
    rich = getattr(value, "_repr_html_", None)
    return str(rich()) if callable(rich) else ""
