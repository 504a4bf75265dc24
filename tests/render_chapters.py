"""Run every chapter's code cells as the book does and keep the HTML each output shows in the static book.

    HER2COURSE_DATA_DIR=<data> python tests/render_chapters.py OUT.json

Each distinct code cell of notebooks/*.ipynb runs once, in order, in one IPython shell (what a kernel runs, without
the kernel); its displays and its result are formatted by IPython's display formatter, and the text/html of each
is what the html builders show (the book's nb_mime_priority_overrides put text/html first). Writes
{"pages": {notebook: [html, ...]}, "errors": [...]}. Used by tests/test_no_script_from_data.py.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output

ROOT = Path(__file__).resolve().parents[1]


def main(out: Path) -> None:
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.chdir(ROOT / "notebooks")
    shell = InteractiveShell.instance()
    results: list[dict] = []
    shell.displayhook.write_format_data = lambda data, metadata=None: results.append(dict(data))
    done: dict[str, list[str]] = {}
    pages: dict[str, list[str]] = {}
    errors: list[str] = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        page = pages.setdefault(path.stem, [])
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            if cell.source not in done:
                results.clear()
                with capture_output() as captured:
                    run = shell.run_cell(cell.source)
                if not run.success:
                    errors.append(f"{path.name}: {cell.source[:80]!r}: {run.error_in_exec or run.error_before_exec!r}")
                bundles = [*results, *(dict(o.data) for o in captured.outputs)]
                done[cell.source] = [b["text/html"] for b in bundles if "text/html" in b]
            page += done[cell.source]
    out.write_text(json.dumps({"pages": pages, "errors": errors}), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
