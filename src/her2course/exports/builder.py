"""The instructor notebook's pieces: the blueprint table and the quiz builder (ipywidgets).

Both have a fixed ``text/plain``. The builder's ``text/html`` fallback (what the static book shows, where no
kernel runs) is the blueprint of the whole bank and the equivalent CLI commands, never controls that do nothing.
"""

from __future__ import annotations

import html
import shlex
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..quiz.schema import CJMM_CHOICES, CJMM_LABELS, CJMM_STEPS, ITEM_TYPES, KNOWLEDGE
from .selection import DEFAULT_SEED, DIFFICULTIES, Entry, Filters, all_entries, bank_dir_from, chapters, select

FORMATS = {"canvas": ".zip", "moodle-xml": ".xml", "gift": ".gift", "html": ".html", "pdf": ".pdf",
           "notebook": ".ipynb", "csv": ".csv"}


def blueprint_html(entries: Sequence[Entry]) -> str:
    """Items by chapter x learning outcome (rows) x kind (columns): the six clinical-judgment steps, their sum
    (the clinical-judgment items, each built around a client situation), then the knowledge (recall) items."""
    counts: Counter[tuple[str, str, str]] = Counter((e.chapter, e.item.learning_outcome, e.item.cjmm_step)
                                                    for e in entries)
    outcomes: dict[tuple[str, str], str] = {}
    for e in entries:
        outcomes.setdefault((e.chapter, e.item.learning_outcome), e.outcome_text)

    def cells(n: Callable[[str], int], total_row: bool = False) -> str:
        def td(v: int) -> str:  # a total row shows every count, in bold; other rows leave zeros blank
            return f"<td><strong>{v}</strong></td>" if total_row else f"<td>{v or ''}</td>"

        clinical = sum(n(s) for s in CJMM_STEPS)
        return "".join(td(n(s)) for s in CJMM_STEPS) + f"<td><strong>{clinical}</strong></td>{td(n(KNOWLEDGE))}"

    head = "".join(f'<th scope="col">{CJMM_LABELS[s]}</th>' for s in CJMM_STEPS)
    head += '<th scope="col">Clinical judgment (all steps)</th><th scope="col">Knowledge (no client situation)</th>'
    rows = []
    for (chapter, lo), text in outcomes.items():
        total = sum(counts[(chapter, lo, s)] for s in CJMM_CHOICES)
        rows.append(f'<tr><td>{html.escape(chapter)}</td><th scope="row">{html.escape(lo)}: {html.escape(text)}'
                    f"</th>{cells(lambda s, c=chapter, o=lo: counts[(c, o, s)])}<td><strong>{total}</strong></td></tr>")
    foot = cells(lambda s: sum(v for k, v in counts.items() if k[2] == s), total_row=True)
    return ('<table class="her2-blueprint"><caption>Questions by chapter, learning outcome and kind: the '
            "clinical-judgment step of items built around a client situation, or knowledge (recall) "
            f'({len(entries)} questions)</caption><thead><tr><th scope="col">Chapter</th>'
            f'<th scope="col">Learning outcome</th>{head}<th scope="col">Total</th></tr></thead><tbody>'
            + "".join(rows) + f'</tbody><tfoot><tr><th scope="row" colspan="2">Total</th>{foot}'
            f"<td><strong>{len(entries)}</strong></td></tr></tfoot></table>")


def types_html(entries: Sequence[Entry]) -> str:
    """Items by chapter x item type."""
    counts = Counter((e.chapter, e.item.type) for e in entries)
    chs = list(dict.fromkeys(e.chapter for e in entries))
    head = "".join(f'<th scope="col">{t}</th>' for t in ITEM_TYPES)
    rows = "".join(f'<tr><th scope="row">{html.escape(c)}</th>'
                   + "".join(f"<td>{counts[(c, t)] or ''}</td>" for t in ITEM_TYPES)
                   + f"<td><strong>{sum(counts[(c, t)] for t in ITEM_TYPES)}</strong></td></tr>" for c in chs)
    return (f'<table class="her2-blueprint"><caption>Questions by chapter and item type</caption><thead><tr>'
            f'<th scope="col">Chapter</th>{head}<th scope="col">Total</th></tr></thead><tbody>{rows}</tbody></table>')


class Blueprint:
    """The blueprint as a displayable object (HTML table; a short fixed text/plain)."""

    def __init__(self, entries: Sequence[Entry] | None = None) -> None:
        self.entries = list(entries) if entries is not None else all_entries()

    def __repr__(self) -> str:
        # fixed text (no counts): the banks grow, and nbval compares text/plain
        return ("Blueprint of the question banks: items by chapter, learning outcome and kind (clinical-judgment "
                "step, or knowledge).")

    def _repr_html_(self) -> str:
        from .mapping import mapping_html

        return blueprint_html(self.entries) + types_html(self.entries) + mapping_html(self.entries)


def blueprint(entries: Sequence[Entry] | None = None) -> Blueprint:
    return Blueprint(entries)


def cli_examples() -> list[str]:
    return [
        "her2course quiz list --chapter 2 --type numeric",
        "her2course quiz build --chapter 2 --count 10 --seed 1 --format canvas --out quiz.zip "
        "--answer-key key.html",
        "her2course quiz build --cjmm take_action --format moodle-xml --out quiz.xml",
        "her2course quiz build --chapter 1 --format gift --out quiz.gift",
        "her2course quiz build --count 15 --seed 3 --format pdf --out quiz.pdf --answer-key key.pdf",
        "her2course quiz build --chapter 5 --format notebook --out quiz.ipynb",
        "her2course results collect handed-in/ --assignment-notebook quiz.ipynb --csv grades.csv",
        "her2course results analyze handed-in/ --assignment-notebook quiz.ipynb --out item-analysis",
    ]


class QuizBuilder:
    """Filter the banks, preview the count and blueprint, and export (a kernel is needed for the controls)."""

    def __init__(self, folder: str | Path = "exports", bank_dir: str | Path | None = None) -> None:
        import ipywidgets as w

        self.folder = Path(folder)
        self.bank_dir = bank_dir_from(bank_dir)  # a private bank folder (or $HER2COURSE_BANK_DIR); None: the course's
        self.entries = all_entries(self.bank_dir)
        layout = w.Layout(width="auto")
        self.chapter = w.SelectMultiple(options=chapters(self.bank_dir), description="Chapters", rows=5,
                                        layout=layout)
        self.type = w.SelectMultiple(options=ITEM_TYPES, description="Item types", rows=7, layout=layout)
        self.cjmm = w.SelectMultiple(options=[(CJMM_LABELS[s], s) for s in CJMM_CHOICES], description="CJMM step",
                                     rows=7, layout=layout)
        self.difficulty = w.SelectMultiple(options=DIFFICULTIES, description="Difficulty", rows=3, layout=layout)
        self.tags = w.Text(description="Tags", placeholder="comma-separated, any of them")
        from .. import outcomes

        fws = outcomes.frameworks()
        self.frameworks = {fw: w.SelectMultiple(options=fws.get(fw).names(), description=outcomes.SHORT[fw], rows=5,
                                                layout=layout) for fw in outcomes.FRAMEWORKS}
        self.count = w.BoundedIntText(value=0, min=0, max=len(self.entries), description="Count",
                                      tooltip="0 takes every matching question")
        self.seed = w.IntText(value=DEFAULT_SEED, description="Seed")
        self.format = w.Dropdown(options=list(FORMATS), value="canvas", description="Format")
        self.key = w.Checkbox(value=True, description="Also write the answer key (HTML)")
        self.export_button = w.Button(description="Export", button_style="primary")
        self.preview = w.HTML()
        self.message = w.HTML()
        for control in (self.chapter, self.type, self.cjmm, self.difficulty, self.tags, self.count, self.seed,
                        *self.frameworks.values()):
            control.observe(lambda _change: self.refresh(), names="value")
        self.export_button.on_click(lambda _b: self.export())
        self.box = w.VBox([
            w.HBox([self.chapter, self.type, self.cjmm, self.difficulty]),
            w.HBox(list(self.frameworks.values())),
            w.HBox([self.tags, self.count, self.seed]),
            w.HBox([self.format, self.key, self.export_button]),
            self.message, self.preview,
        ])
        self.refresh()

    def filters(self) -> Filters:
        tags = [t.strip() for t in self.tags.value.split(",") if t.strip()]
        return Filters.make(self.chapter.value, self.type.value, self.cjmm.value, self.difficulty.value, tags,
                            known_chapters=chapters(self.bank_dir),
                            **{fw: control.value for fw, control in self.frameworks.items()})

    def assignment(self):
        return select(self.filters(), self.count.value or None, self.seed.value, entries=self.entries,
                      bank_dir=self.bank_dir)

    def refresh(self) -> None:
        try:
            a = self.assignment()
        except ValueError as exc:
            self.preview.value = f'<p role="status">{html.escape(str(exc))}</p>'
            return
        drawn = len(a.parametric)
        form = (f"; {drawn} with numbers drawn for seed {a.seed} (the book shows other numbers)" if drawn else "")
        self.preview.value = (f'<p role="status"><strong>{len(a.entries)} questions</strong>, {a.max} points, '
                              f"assignment {a.id}{form}</p>" + blueprint_html(list(a.entries)))

    def export(self) -> Path | None:
        from .cli import build

        try:
            a = self.assignment()
            out = self.folder / f"{a.id}{FORMATS[self.format.value]}"
            key = self.folder / f"{a.id}-answer-key.html" if self.key.value else None
            report = build(a, self.format.value, out, key, quiet=True)
        except (ValueError, RuntimeError, OSError) as exc:
            self.message.value = f'<p role="alert">Not exported: {html.escape(str(exc))}</p>'
            return None
        self.message.value = "<pre>" + html.escape("\n".join(report.lines())) + "</pre>"
        return out

    def __repr__(self) -> str:
        return "Quiz builder (run this notebook in JupyterLab to use the controls)."

    def fallback_html(self) -> str:
        commands = "\n".join(html.escape(c) for c in cli_examples())
        # the blueprint of the whole bank is shown once on the page, above the builder (one home for every table)
        return ('<div class="her2-builder-static"><p>The quiz builder needs a running notebook. The blueprint of the '
                "whole bank is above; these commands do what the builder does, from a terminal.</p>"
                f"<pre><code>{commands}</code></pre></div>")

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        return widget_bundle(self.box, repr(self), self.fallback_html(), **kwargs)


def widget_bundle(box: Any, text: str, fallback: str, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """An ipywidgets box's mime bundle with a fixed text/plain and the static text/html the book shows."""
    bundle = box._repr_mimebundle_(**kwargs)
    data, meta = bundle if isinstance(bundle, tuple) else (bundle or {}, {})
    data = dict(data)
    data["text/plain"] = text
    data["text/html"] = fallback
    return data, dict(meta)


def command_for(filters: Filters, count: int | None, seed: int, fmt: str, out: str) -> str:
    """The CLI command equivalent to a builder choice (shown to instructors who prefer a terminal)."""
    args = ["her2course", "quiz", "build"]
    for flag, values in (("--chapter", filters.chapters), ("--type", filters.types), ("--cjmm", filters.cjmm),
                         ("--difficulty", filters.difficulty), ("--tag", filters.tags), ("--nclex", filters.nclex),
                         ("--aacn", filters.aacn), ("--qsen", filters.qsen)):
        for v in values:
            args += [flag, v]
    if count:
        args += ["--count", str(count)]
    args += ["--seed", str(seed), "--format", fmt, "--out", out]
    return shlex.join(args)
