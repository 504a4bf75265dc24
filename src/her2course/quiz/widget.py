"""The quiz object: an anywidget in a kernel, with a kernel-free text/html fallback for the static book.

In a kernel the front end (``static/quiz.js``) syncs ``responses`` ({item id: {response, attempts, checked,
revealed}}); every new attempt is graded here (the authoritative grader) and written to the progress database.
Python answers with ``saved`` ({item id: attempts stored}) and, when the store cannot be written, ``save_error``
(one line saying why, shown once in the quiz); attempts that could not be stored are kept and written with the
next one that can be. An assignment quiz (``spec["mode"] == "assignment"``, see :mod:`her2course.quiz.spec`)
carries no key in its spec: the browser only saves, and grading happens here alone.
In the static book the same quiz.js is mounted on the fallback ``<div data-spec=...>`` by ``static/mount.js``,
with a stand-in model that keeps the responses in localStorage.
"""

from __future__ import annotations

import html
import json
import warnings
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from . import progress
from .bank import Bank
from .grading import Result, grade, max_score
from .schema import Item

STATIC = Path(__file__).resolve().parents[1] / "static"
PLACEHOLDER = "Run this cell to load the quiz"


def spec_json(spec: dict[str, Any]) -> str:
    return json.dumps(spec, ensure_ascii=False, separators=(",", ":"))


def _attr(text: str) -> str:
    """Escape for a single-quoted attribute (double quotes in the JSON may stay as they are)."""
    return text.replace("&", "&amp;").replace("'", "&#39;").replace("<", "&lt;").replace(">", "&gt;")


def fallback_html(spec: dict[str, Any]) -> str:
    """The static rendering: a div that mount.js turns into the quiz, with visible text until it does."""
    n = len(spec["items"])
    return (
        f'<div class="her2-quiz" id="her2-quiz-{html.escape(spec["id"])}" '
        f"data-spec='{_attr(spec_json(spec))}'>"
        f'<p class="her2-quiz-placeholder"><strong>{html.escape(spec["title"])}</strong> '
        f"({n} question{'s' if n != 1 else ''}). {PLACEHOLDER}.</p></div>"
    )


def plain_text(spec: dict[str, Any]) -> str:
    n = len(spec["items"])
    return f"Quiz '{spec['title']}' ({spec['chapter']}, {n} question{'s' if n != 1 else ''}). {PLACEHOLDER}."


def _grade(item: Item, response: Any) -> Result:
    """The grader's result; an answer it cannot read is 'invalid' rather than an error that drops the batch."""
    try:
        return grade(item, response)
    except Exception:
        return Result("invalid", 0, max_score(item), "That answer could not be read. Answer again.")


class Quiz(anywidget.AnyWidget):
    """A chapter quiz. Build it with :func:`her2course.quiz.quiz`."""

    _esm = STATIC / "quiz.js"
    spec = traitlets.Dict().tag(sync=True)
    responses = traitlets.Dict().tag(sync=True)
    saved = traitlets.Dict().tag(sync=True)
    save_error = traitlets.Unicode("").tag(sync=True)

    def __init__(self, spec: dict[str, Any], bank: Bank, **kwargs: Any) -> None:
        self._items: dict[str, Item] = {it.id: it for it in bank.items}
        self._recorded: dict[str, int] = {}
        self._revealed: set[str] = set()
        self._pending: list[progress.Attempt] = []
        self.results: dict[str, Result] = {}
        self.progress_error: str | None = None
        super().__init__(spec=spec, **kwargs)
        self._restore()

    def _restore(self) -> None:
        """Show the learner's stored answers again (a re-run cell, a reopened notebook), from the progress store.

        A store that cannot be read restores nothing here, silently: the first answer that cannot be saved says
        why, once (see ``_store``).
        """
        try:
            stored = progress.saved_answers(self.spec["chapter"], self.spec["id"])
        except Exception:
            return
        assignment = self.spec.get("mode") == "assignment"
        state: dict[str, Any] = {}
        for spec_item in self.spec.get("items", []):
            item, saved = self._items.get(spec_item["id"]), stored.get(spec_item["id"])
            if item is None or saved is None:
                continue
            entry: dict[str, Any] = {"response": saved.response, "attempts": saved.attempt,
                                     "checked": saved.attempt > 0, "revealed": saved.revealed}
            if saved.attempt > 0:
                result = _grade(item, saved.response)
                if result.status != "invalid":
                    self.results[item.id] = result
                if not assignment:
                    entry["last"] = {"score": result.score, "status": result.status}
            self._recorded[item.id] = saved.attempt
            if saved.revealed:
                self._revealed.add(item.id)
            state[item.id] = entry
        if state:
            self.responses = state
            self.saved = {k: v["attempts"] for k, v in state.items() if v["attempts"]}

    # -- representations: deterministic, and the static fallback next to the widget view
    def __repr__(self) -> str:
        return plain_text(self.spec)

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = super()._repr_mimebundle_(**kwargs)
        data, meta = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
        data = dict(data)
        data["text/plain"] = plain_text(self.spec)
        data["text/html"] = fallback_html(self.spec)
        return data, dict(meta)

    def fallback_html(self) -> str:
        return fallback_html(self.spec)

    # -- answers from the front end
    @property
    def score(self) -> tuple[int, int]:
        """(points, maximum) over the questions checked so far, from the Python grader."""
        return sum(r.score for r in self.results.values()), sum(r.max for r in self.results.values())

    @traitlets.observe("responses")
    def _on_responses(self, change: dict[str, Any]) -> None:
        entries: list[progress.Attempt] = []
        new = change["new"] or {}
        gone = (set(self._recorded) | self._revealed) - set(new)
        cleared = any(self._recorded.get(k) or k in self._revealed for k in gone)
        for item_id, state in new.items():
            item = self._items.get(item_id)
            if item is None or not isinstance(state, dict):
                continue
            attempts = state.get("attempts") if isinstance(state.get("attempts"), int) else 0
            if attempts > self._recorded.get(item_id, 0):
                self._recorded[item_id] = attempts
                result = _grade(item, state.get("response"))
                if result.status != "invalid":
                    self.results[item_id] = result
                entries.append(progress.Attempt(self.spec["chapter"], self.spec["id"], item_id, item.type,
                                                "attempt", attempts, result.status, result.score, result.max,
                                                state.get("response")))
            elif attempts == 0 and self._recorded.get(item_id):
                cleared = True
                self._recorded[item_id] = 0  # the learner reset the quiz
                self.results.pop(item_id, None)
                self._revealed.discard(item_id)
            if state.get("revealed") and item_id not in self._revealed:
                self._revealed.add(item_id)
                entries.append(progress.Attempt(self.spec["chapter"], self.spec["id"], item_id, item.type,
                                                "reveal", attempts, "revealed", 0, 0, state.get("response")))
        for item_id in gone:
            self._recorded.pop(item_id, None)
            self.results.pop(item_id, None)
            self._revealed.discard(item_id)
        stale = {k for k in self.saved if not self._recorded.get(k)}
        if stale:
            self.saved = {k: v for k, v in self.saved.items() if k not in stale}
        if cleared:
            self._forget()
        if entries:
            self._store(entries)

    def _forget(self) -> None:
        """The learner cleared the quiz: the store notes it, so a re-run does not bring those answers back."""
        try:
            progress.record_reset(self.spec["chapter"], self.spec["id"])
        except Exception as exc:  # nothing is lost; the quiz says why the store cannot be written
            self.save_error = str(exc) if isinstance(exc, progress.StoreError) else f"{type(exc).__name__}: {exc}"

    def _store(self, entries: list[progress.Attempt]) -> None:
        """Write the new attempts (and any that failed before); on failure keep them and say why, once."""
        batch = self._pending + entries
        try:
            progress.record(batch)
        except Exception as exc:  # never lose the learner's session over a database problem
            self._pending = batch
            reason = str(exc) if isinstance(exc, progress.StoreError) else f"{type(exc).__name__}: {exc}"
            if reason != self.progress_error:
                warnings.warn(f"Could not save quiz progress: {reason}", stacklevel=3)
            self.progress_error = reason
            self.save_error = reason
            return
        self._pending = []
        self.progress_error = None
        self.save_error = ""
        done = dict(self.saved)
        for a in batch:
            if a.event == "attempt":
                done[a.item] = max(done.get(a.item, 0), a.attempt)
        self.saved = done
