"""The learner's side: the answers of one assignment, from the progress database, as a results file to hand in.

The answer of an item is its latest scored attempt (an attempt the grader could mark: not an empty or unreadable
answer); ``revealed`` says whether the learner ever displayed that item's answer. No score is written: the
instructor's collector marks the answers.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..quiz import progress
from . import names
from .handin import ASSIGNMENT_ID, MAX_NAME, SCHEMA, SCHEMA_VERSION, ResultsError


def results(assignment: str, student: str, db: Path | None = None,
            assignment_items: Sequence[str] | None = None) -> dict[str, Any]:
    """The results record of one student for one assignment. Raises ResultsError, or progress.StoreError."""
    if not ASSIGNMENT_ID.match(assignment):
        raise ResultsError(f"'{assignment}' is not an assignment id (they look like asg-0123456789ab)")
    name = names.clean(student)
    if not names.visible(name):
        raise ResultsError("type your name first")
    if len(name) > MAX_NAME:
        raise ResultsError(f"your name is {len(name)} characters long; at most {MAX_NAME} fit in a results file")
    latest: dict[str, Any] = {}
    attempts: Counter[str] = Counter()
    revealed: set[str] = set()
    for r in progress.rows(db):
        if r["chapter"] != assignment:
            continue
        if r["event"] == "reveal":
            revealed.add(r["item"])
        elif r["status"] != "invalid":
            latest[r["item"]] = json.loads(r["response"])
            attempts[r["item"]] += 1
    wanted = list(assignment_items) if assignment_items is not None else sorted(latest)
    answers = {i: {"response": latest[i], "attempts": attempts[i], "revealed": i in revealed}
               for i in wanted if i in latest}
    return {
        "schema": SCHEMA,
        "schema_version": SCHEMA_VERSION,
        "assignment": assignment,
        "student": name,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "answers": answers,
    }


def default_name(assignment: str, student: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", names.clean(student)).strip("-").lower()[:60] or "student"
    return f"results-{assignment}-{slug}.json"


def export_results(assignment: str, student: str, out: Path | None = None, db: Path | None = None,
                   assignment_items: Sequence[str] | None = None) -> Path:
    """Write the results file (to ``out`` or ``results-<assignment>-<student>.json``) and return its path."""
    record = results(assignment, student, db, assignment_items)
    target = Path(out) if out else Path(default_name(assignment, record["student"]))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def answered(path: Path) -> int:
    return len(json.loads(path.read_text(encoding="utf-8"))["answers"])


# ------------------------------------------------------------------------------------------ notebook form

class HandIn:
    """A name box and a button that save the results file; a fixed text/plain for saved notebooks."""

    def __init__(self, assignment: str, items: Sequence[str] | None, folder: Path | None) -> None:
        import ipywidgets as w

        self.assignment, self.items, self.folder = assignment, list(items) if items else None, folder
        self.name = w.Text(description="Your name", placeholder="as your instructor knows it")
        self.button = w.Button(description="Save my results file", button_style="primary")
        self.message = w.HTML(value="")
        self.button.on_click(self.save)
        self.box = w.VBox([self.name, self.button, self.message])

    def save(self, _button: Any = None) -> Path | None:
        try:
            folder = self.folder or Path.cwd()
            target = folder / default_name(self.assignment, self.name.value)
            path = export_results(self.assignment, self.name.value, target, assignment_items=self.items)
        except progress.StoreError as exc:
            return self._fail(f"your answers cannot be read: {exc}")
        except ResultsError as exc:
            return self._fail(str(exc))
        except OSError as exc:
            return self._fail(f"the file cannot be written ({exc.strerror or type(exc).__name__}: "
                              f"{exc.filename or self.folder or Path.cwd()})")
        except Exception as exc:  # say something, always: an empty message helps nobody
            return self._fail(f"{type(exc).__name__}: {exc}")
        n = answered(path)
        total = f" of {len(self.items)}" if self.items else ""
        self.message.value = (f'<p role="status">Saved <code>{html.escape(str(path))}</code> with your answers to '
                              f"{n}{total} question{'s' if (len(self.items) if self.items else n) != 1 else ''}. "
                              "Hand in this file.</p>")
        return path

    def _fail(self, why: str) -> None:
        self.message.value = f'<p role="alert">Not saved: {html.escape(why or "unknown error")}</p>'
        return None

    def __repr__(self) -> str:
        return f"Hand-in form for assignment {self.assignment} (run the notebook to use it)."

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = self.box._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        data = dict(data)
        data["text/plain"] = repr(self)
        return data, dict(meta)


def hand_in(assignment: str, items: Sequence[str] | None = None, folder: Path | None = None) -> HandIn:
    """The "Save my results file" form of an assignment notebook."""
    return HandIn(assignment, items, folder)
