"""Turn a chapter draft written as MyST Markdown into a chapter notebook (an authoring aid).

A line ``<!-- CELL: expression -->`` becomes a code cell that displays ``expression`` (tagged so the book shows
only its output, and collapsed in JupyterLab). Markdown is split into one cell per ``##`` section. The first cell
imports the package (removed from the book). Run ``make notebooks`` afterwards to execute the new notebook.

    python tools/draft_to_notebook.py draft.md notebooks/01-her2-biology.ipynb --setup "from her2course import drugs"
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

MARKER = re.compile(r"^<!--\s*CELL:\s*(.+?)\s*-->\s*$")


def code_cell(source: str, tags: list[str]) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.metadata = {"tags": tags, "jupyter": {"source_hidden": True}}
    return cell


def convert(text: str, setup_code: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    cells = []
    buffer: list[str] = []

    def flush():
        body = "\n".join(buffer).strip("\n")
        if body.strip():
            cells.append(nbformat.v4.new_markdown_cell(body))
        buffer.clear()

    fence = ""  # the backtick or colon run that opened the fence we are in, if any
    for line in text.splitlines():
        run = re.match(r"^(`{3,}|:{3,})", line.strip())
        if run and not fence:
            fence = run.group(1)
        elif fence and line.strip() == fence:
            fence = ""
        in_fence = bool(fence)
        match = MARKER.match(line)
        if match and not in_fence:
            flush()
            cells.append(code_cell(match.group(1), ["remove-input"]))
            continue
        if line.startswith("## ") and not in_fence:
            flush()
        buffer.append(line)
    flush()
    setup = code_cell(setup_code, ["remove-cell"])
    nb.cells = [setup, *cells]
    return nb


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("draft", type=Path)
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--setup", default="from her2course import drugs", help="the (hidden) first code cell")
    args = parser.parse_args(argv)
    text = re.sub(r"\n```yaml glossary\n.*?\n```\n?", "\n", args.draft.read_text(encoding="utf-8"), flags=re.S)
    nb = convert(text, args.setup.replace("\\n", "\n"))
    nbformat.validate(nb)
    nbformat.write(nb, args.notebook)
    print(f"wrote {args.notebook} ({len(nb.cells)} cells)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
