"""Feedback after collecting: one self-contained HTML page per learner with their answers, what was right or
wrong, the correct answers with their rationales, and each question's explanation.

Question text comes from the bank through the course's sanitiser (:mod:`her2course.quiz.markup`); everything the
learner typed is escaped. Marks are the collector's (:mod:`.gradebook`), never the file's.
"""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path
from typing import Any

from ..exports.common import block, inline, number
from ..quiz.schema import BLANK, Bowtie, Choice, Cloze, Item, Matrix, Numeric, Ordered, Sata, Single
from .gradebook import Collected, Marked

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.5;color:#1b1b1b;
background:#fff;max-width:48rem;margin:1.5rem auto;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin:0 0 .3rem}h3{font-size:1rem;margin:.8rem 0 .2rem}
.item{border-top:1px solid #6e6e6e;padding-top:.7rem;margin-top:1.2rem}
.verdict{font-weight:700}.ok{color:#00694a}.bad{color:#a3260b}.part{color:#7a4a00}
table{border-collapse:collapse;margin:.4rem 0}th,td{border:1px solid #6e6e6e;padding:.25rem .5rem;text-align:left;
vertical-align:top}.explain{background:#e8f0fa;border-left:6px solid #0b4f94;padding:.4rem .7rem;margin-top:.6rem}
@media (prefers-color-scheme:dark){body{background:#1c1f24;color:#ececec}.ok{color:#72dcb2}.bad{color:#ffa38a}
.part{color:#f5c46b}.explain{background:#1b2b40;border-left-color:#9ccaff}a{color:#9ccaff}}
"""

VERDICT = {"correct": ("\u2714 Correct", "ok"), "partial": ("\u25d0 Partly correct", "part"),
           "incorrect": ("\u2716 Not correct", "bad")}


def _yes(ok: bool) -> str:
    return '<span class="ok">\u2714 correct</span>' if ok else '<span class="bad">\u2716 not correct</span>'


def _text(value: Any) -> str:
    """The learner's own text, escaped and cut short."""
    s = value if isinstance(value, str) else repr(value)
    return html.escape(s if len(s) <= 200 else s[:200] + "\u2026")


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _choice_table(options: list[Choice], chosen: set[str]) -> str:
    rows = "".join(
        f"<tr><td>{inline(o.text)}</td><td>{'your choice' if o.id in chosen else ''}</td><td>{_yes(o.correct)}</td>"
        f"<td>{block(o.rationale)}</td></tr>" for o in options)
    return ('<table><thead><tr><th scope="col">Option</th><th scope="col">You</th><th scope="col">Key</th>'
            f'<th scope="col">Rationale</th></tr></thead><tbody>{rows}</tbody></table>')


def _answer_html(item: Item, response: Any) -> str:
    if isinstance(item, Single | Sata):
        return _choice_table(list(item.options), set(_ids(response)))
    if isinstance(item, Numeric):
        a = item.answer
        out = [f"<p>Your answer: {_text(response)}</p>",
               f"<p>Answer: <strong>{number(a.value)} {html.escape(a.unit)}</strong> "
               f"(accepted within \u00b1{number(a.tolerance)}). {html.escape(a.rounding)}</p>", block(item.rationale)]
        return "".join(out)
    if isinstance(item, Ordered):
        by_id = {o.id: o for o in item.options}
        mine = [s for s in _ids(response) if s in by_id]
        yours = "".join(f"<li>{inline(by_id[s].text)} {_yes(i < len(item.options) and item.options[i].id == s)}</li>"
                        for i, s in enumerate(mine))
        key = "".join(f"<li>{inline(o.text)}: {inline(o.rationale)}</li>" for o in item.options)
        return f"<h3>Your order</h3><ol>{yours}</ol><h3>The right order</h3><ol>{key}</ol>"
    if isinstance(item, Matrix):
        cols = {c.id: c for c in item.columns}
        picks = response if isinstance(response, dict) else {}
        rows = "".join(
            f'<tr><th scope="row">{inline(r.text)}</th>'
            f"<td>{inline(cols[picks[r.id]].text) if isinstance(picks.get(r.id), str) and picks[r.id] in cols else ''}"
            f"</td><td>{inline(cols[r.answer].text)}</td><td>{_yes(picks.get(r.id) == r.answer)}</td>"
            f"<td>{block(r.rationale)}</td></tr>" for r in item.rows)
        return ('<table><thead><tr><th scope="col">Row</th><th scope="col">You</th><th scope="col">Answer</th>'
                f'<th scope="col">Mark</th><th scope="col">Rationale</th></tr></thead><tbody>{rows}</tbody></table>')
    if isinstance(item, Cloze):
        picks = response if isinstance(response, dict) else {}
        parts = []
        for n, b in enumerate(item.blanks, start=1):
            parts.append(f"<h3>Blank {n}</h3>" + _choice_table(list(b.options), set(_ids(picks.get(b.id)))))
        return "".join(parts)
    if isinstance(item, Bowtie):
        picks = response if isinstance(response, dict) else {}
        return "".join(f"<h3>{inline(g.label)} (choose {g.choose})</h3>"
                       + _choice_table(list(g.options), set(_ids(picks.get(g.id)))) for g in item.groups)
    return ""  # pragma: no cover


def _verdict(row: Marked, item_id: str, max_: int) -> str:
    if item_id in row.revealed:
        return (f'<p class="verdict bad">You displayed the answer to this question, so it scores 0 of {max_} '
                f"point{'s' if max_ != 1 else ''}.</p>")
    result = row.results.get(item_id)
    if result is None:
        return f'<p class="verdict bad">Not answered: 0 of {max_} point{"s" if max_ != 1 else ""}.</p>'
    if result.status == "invalid":
        return f'<p class="verdict bad">Your answer could not be marked: 0 of {max_}.</p>'
    text, cls = VERDICT[result.status]
    return f'<p class="verdict {cls}">{text}: {row.scores[item_id]} of {max_} point{"s" if max_ != 1 else ""}.</p>'


def feedback_html(collected: Collected, row: Marked) -> str:
    a = collected.assignment
    title = f"Feedback: {a.title}"
    body = [f"<h1>{html.escape(title)}</h1>",
            f"<p>{html.escape(row.student)} &middot; assignment {a.id} &middot; "
            f"<strong>{row.total} of {a.max} points</strong> &middot; marked from the file "
            f"{html.escape(row.source.name)}</p>"]
    summary = "".join(f'<tr><td><a href="#q{n}">Question {n}</a></td><td>{row.scores.get(e.id, 0)} of {e.max}</td>'
                      f"</tr>" for n, e in enumerate(a.entries, start=1))
    body.append('<table><caption>Points by question</caption><thead><tr><th scope="col">Question</th>'
                f'<th scope="col">Points</th></tr></thead><tbody>{summary}</tbody></table>')
    for n, e in enumerate(a.entries, start=1):
        item = e.item
        body.append(f'<section class="item" id="q{n}" aria-labelledby="q{n}-h"><h2 id="q{n}-h">Question {n} of '
                    f"{len(a.entries)}</h2>{block(item.stem)}")
        if isinstance(item, Cloze):
            body.append(f"<p>{inline(BLANK.sub('____', item.text))}</p>")
        body.append(_verdict(row, e.id, e.max))
        body.append(_answer_html(item, row.responses.get(e.id)))
        body.append(f'<div class="explain"><strong>Explanation.</strong> {block(item.explanation)}</div></section>')
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)} ({html.escape(row.student)})</title>\n<style>{CSS}</style>\n</head>\n"
            f"<body>\n<main>\n{''.join(body)}\n</main>\n</body>\n</html>\n")


def feedback_name(row: Marked) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", row.key).strip("-")[:40] or "student"
    return f"feedback-{slug}-{hashlib.sha256(row.key.encode('utf-8')).hexdigest()[:8]}.html"


def write_feedback(collected: Collected, folder: Path) -> list[Path]:
    """One page per student in ``folder`` (feedback-<name>-<hash>.html); returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for row in sorted(collected.rows.values(), key=lambda r: r.key):
        path = folder / feedback_name(row)
        path.write_text(feedback_html(collected, row), encoding="utf-8")
        out.append(path)
    return out
