"""A slide deck per chapter: a notebook generated from the chapter and the course data, converted to reveal.js
slides by nbconvert (``SlidesExporter``), with reveal.js vendored from the npm registry (no CDN).

Each deck holds, in this order:

1. the chapter's title, and how to move through the slides;
2. its learning outcomes (from the chapter), with their NCLEX-RN, AACN and QSEN categories in the speaker notes;
3. the figures and tables the chapter's author tagged ``slides``, drawn by the same package functions the chapter
   calls (the case cells of chapter 7 become case overviews);
4. its safety alerts (the chapter's "Safety alert" and "Clinical alert" admonitions);
5. two or three check-your-understanding questions from the chapter's question bank (the cases' items for
   chapter 7), the answer revealed as a fragment on the next key press, every rationale in the speaker notes;
6. the chapter's discussion prompts (``data/activities.yaml``), what to listen for in the notes;
7. where to read and practice next.

Keyboard: arrows or space move, Esc shows an overview, S opens the speaker view with the notes, ? lists the keys.
The deck notebook is written next to its HTML, so an instructor can edit a deck in JupyterLab and convert it again
with ``jupyter nbconvert --to slides``.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat

from .. import outcomes as outcome_map
from ..quiz import markup
from ..quiz.schema import CJMM_LABELS, TYPE_LABELS, Item, Sata, Single
from . import activities
from .chapters import SLIDE_TAG, Chapter, case_call, chapter_paths, evaluate, html_of, read_chapter

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
REVEAL_FILES = ("dist/reveal.css", "dist/reveal.js", "dist/plugin/notes.js", "dist/theme/serif.css", "LICENSE",
                "package.json")
THEME = "her2"  # reveal.js/dist/theme/her2.css: the serif theme followed by static/her2-slides.css
QUESTIONS = 3
BOOK_TITLE = "HER2-Targeted Therapy: An Interactive Course for Nurses"
_ALT = re.compile(r'\salt="([^"]*)"')
_CAPTION = re.compile(r"<(?:caption|figcaption)[^>]*>(.*?)</(?:caption|figcaption)>", re.S)
_FIGCAPTION = re.compile(r"<figcaption[^>]*>(.*?)</figcaption>", re.S)
SLIDE_CAPTION_WORDS = 40  # a longer figure caption moves to the speaker notes (it would push the slide past its height)


class SlidesError(RuntimeError):
    """A deck cannot be built; the message says what is missing and how to get it."""


# ------------------------------------------------------------------------------------------------ cells

def _cell(kind: str, source: str, slide_type: str) -> Any:
    make = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
    cell = make(source)
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    return cell


def _slide(body: str, slide_type: str = "slide") -> Any:
    """A Markdown cell holding one HTML block (no blank line inside, so Markdown leaves it as it is)."""
    return _cell("markdown", re.sub(r"\n\s*\n", "\n", body.strip()), slide_type)


def _notes(paragraphs: Sequence[str]) -> Any:
    text = "".join(f"<p>{p}</p>" for p in paragraphs if p)
    return _slide(f'<div class="her2-slide-notes">{text}</div>', "notes")


def _plain(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


# ------------------------------------------------------------------------------------------------ questions

def option_order(item: Single | Sata) -> list[Any]:
    """The options in a fixed order derived from the item and option ids (never the authored order, in which the
    key often comes first): the same on every build, different from item to item."""
    return sorted(item.options, key=lambda o: hashlib.sha256(f"{item.id}/{o.id}".encode()).hexdigest())


def pick_questions(items: Sequence[Item], count: int = QUESTIONS) -> list[Single | Sata]:
    """Up to ``count`` questions for the slides: single-best-answer items first, then select-all items, each from a
    different learning outcome where the bank allows, in the bank's order."""
    chosen: list[Single | Sata] = []
    for kinds in ((Single,), (Sata,), (Single, Sata)):
        for it in items:
            if len(chosen) >= count:
                break
            if isinstance(it, kinds) and it not in chosen and (
                    kinds == (Single, Sata) or it.learning_outcome not in {c.learning_outcome for c in chosen}):
                chosen.append(it)  # type: ignore[arg-type]
    order = {it.id: n for n, it in enumerate(items)}
    return sorted(chosen, key=lambda it: order[it.id])


def _letter(n: int) -> str:
    return chr(ord("A") + n)


def question_cells(item: Single | Sata, n: int, total: int) -> list[Any]:
    options = option_order(item)
    letters = {o.id: _letter(i) for i, o in enumerate(options)}
    right = [o for o in options if o.correct]
    lis = "".join(f"<li>{markup.inline(o.text)}</li>" for o in options)
    label = TYPE_LABELS[item.type]
    instruction = ("" if label.rstrip(".").lower() in item.stem.lower()  # the stem already says it
                   else f'<p class="her2-slide-instruction">{html.escape(label)}</p>')
    question = (f'<h2 id="question-{n}">Check your understanding: {n} of {total}</h2>'
                f'<div class="her2-slide-question">{instruction}'
                f'{markup.block(item.stem)}<ol class="her2-slide-options" type="A">{lis}</ol></div>')
    word = "Answer" if len(right) == 1 else "Answers"
    keys = ", ".join(letters[o.id] for o in right)
    # One right option: its rationale. Several: the item's explanation, which ties them together, so the answer
    # fits under the question on the slide; every option's rationale is in the speaker notes either way.
    why = (f"<p>{letters[right[0].id]}. {markup.inline(right[0].rationale)}</p>" if len(right) == 1
           else markup.block(item.explanation))
    reveal = f'<div class="her2-slide-answer"><p><strong>{word}: {keys}.</strong></p>{why}</div>'
    notes = [f"Item {html.escape(item.id)}; outcome {html.escape(item.learning_outcome)}; "
             f"{html.escape(CJMM_LABELS[item.cjmm_step])}; {html.escape(item.difficulty)}. Ask the room to commit "
             "to an answer (hands, cards or a poll) before you reveal it."]
    notes += [f"{letters[o.id]}. {'Right' if o.correct else 'Wrong'}: {markup.inline(o.rationale)}" for o in options]
    notes.append(f"Sources: {html.escape(_sources(item.reference))}.")
    return [_slide(question), _slide(reveal, "fragment"), _notes(notes)]


def _sources(keys: Sequence[str]) -> str:
    from ..references import bibliography

    bib = bibliography()
    return "; ".join(bib.short(k) if k in bib else k for k in keys)


def _items_for(chapter: Chapter) -> list[Item]:
    from ..paths import package_layout
    from ..quiz.bank import load_bank, questions_dir

    if (questions_dir(package_layout()) / f"{chapter.id}.yaml").is_file():
        return list(load_bank(chapter.id).items)
    from ..cases import load_case
    from ..cases.loader import case_ids

    return [it for cid in case_ids() for it in load_case(cid).items]


# ------------------------------------------------------------------------------------------------ the deck

def _outcome_cells(chapter: Chapter) -> list[Any]:
    lis = "".join(f"<li><strong>{html.escape(k)}</strong> {html.escape(v)}</li>" for k, v in chapter.outcomes.items())
    slide = f'<h2 id="outcomes">Learning outcomes</h2><ul class="her2-slide-outcomes">{lis}</ul>'
    notes = ["After this chapter, students should be able to do what the slide lists. The frameworks each outcome "
             "maps to (for program reports):"]
    for key in chapter.outcomes:
        m = outcome_map.mapping_for(key)
        if m is not None:
            notes.append(f"{html.escape(key)}: NCLEX-RN {html.escape('; '.join(m.nclex))}. AACN "
                         f"{html.escape('; '.join(m.aacn))}. QSEN {html.escape('; '.join(m.qsen))}.")
    return [_slide(slide), _notes(notes)]


def _case_overview(case: Any, n: int) -> tuple[str, list[str]]:
    """A case cell's slide: the client and the six stages (the whole case is worked in the chapter)."""
    rows = "".join(f'<tr><th scope="row">{s.number}</th><td>{html.escape(CJMM_LABELS[s.step])}</td>'
                   f"<td>{html.escape(s.title)}</td></tr>" for s in case.stages)
    body = (f'<h2 id="figure-{n}">Case: {html.escape(case.title)}</h2>'
            f'<p><strong>{html.escape(case.patient.name)}, {case.patient.age}</strong>: {html.escape(case.setting)}</p>'
            f'<div class="her2-table her2-slide-stages" role="region" tabindex="0" aria-labelledby="stages-{n}">'
            f'<table><caption id="stages-{n}">The six stages, one per clinical-judgment step</caption><thead><tr>'
            '<th scope="col">Stage</th><th scope="col">Step</th><th scope="col">What happens</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></div>")
    notes = [f"{html.escape(case.patient.name)}: {markup.inline(case.patient.summary)}",
             "Run the case stage by stage from the chapter page; the facilitator guide (instructor pages) gives "
             "what to ask at each step, the expected answers and the debrief."]
    return body, notes


def _figure_cells(chapter: Chapter) -> list[Any]:
    cells: list[Any] = []
    namespace: dict[str, Any] = {}
    for n, tagged in enumerate(chapter.tagged, start=1):
        case_id = case_call(tagged)
        if case_id is not None:
            from ..cases import load_case

            body, notes = _case_overview(load_case(case_id), n)
            cells += [_slide(body), _notes(notes)]
            continue
        shown = html_of(evaluate(chapter, tagged, namespace))
        if not shown:
            raise SlidesError(f"{chapter.path.name}: the cell tagged '{SLIDE_TAG}' at position {tagged.index} shows "
                              "nothing that a slide can hold (it must display a figure or a table)")
        title = (tagged.title[:1].upper() + tagged.title[1:]) if tagged.title else tagged.section or chapter.title
        alt = [html.escape(html.unescape(a)) for a in _ALT.findall(shown)]
        captions = [html.escape(_plain(c)) for c in _CAPTION.findall(shown)]
        # a caption that explains the figure at length is said, not shown: the speaker notes carry it
        long = [c for c in _FIGCAPTION.findall(shown) if len(_plain(c).split()) > SLIDE_CAPTION_WORDS]
        for caption in long:
            shown = shown.replace(f"{caption}</figcaption>", "</figcaption>", 1)
        shown = re.sub(r"<figcaption[^>]*></figcaption>", "", shown)
        code = _cell("code", tagged.source, "-")
        code.outputs = [nbformat.v4.new_output("execute_result", data={"text/html": shown,
                                                                         "text/plain": f"{title}"},
                                               execution_count=None)]
        notes = [f"From the chapter section \u201c{html.escape(title)}\u201d."]
        notes += [f"What the figure shows: {a}" for a in alt]
        notes += [f"The chapter's caption: {html.escape(_plain(c))}" for c in long]
        if not alt:
            notes += [f"Table: {c}. Tab to the table (or click it), then scroll it with the up and down arrow keys."
                      for c in captions]
        cells += [_slide(f'<h2 id="figure-{n}">{html.escape(title)}</h2>'), code, _notes(notes)]
    return cells


def _alert_cells(chapter: Chapter) -> list[Any]:
    cells = []
    for n, alert in enumerate(chapter.alerts, start=1):
        body = (f'<div class="her2-slide-alert" role="note" aria-labelledby="alert-{n}"><h2 id="alert-{n}">'
                f"{html.escape(alert.title)}</h2>{markup.block(alert.body)}</div>")
        cells += [_slide(body), _notes([f"From the chapter section \u201c{html.escape(alert.section)}\u201d. Ask "
                                        "what the nurse would check first, and what would make them stop."])]
    return cells


def _discussion_cells(chapter: Chapter) -> list[Any]:
    prompts = activities.prompts_for(chapter.id)
    if not prompts:
        return []
    lis = "".join(f"<li>{markup.inline(p.prompt.strip())}</li>" for p in prompts)
    notes = ["Listen for:"] + [f"{k}. " + " ".join(markup.inline(x.strip()) for x in p.look_for)
                               for k, p in enumerate(prompts, start=1)]
    return [_slide(f'<h2 id="discuss">Discuss</h2><ol class="her2-slide-small">{lis}</ol>'), _notes(notes)]


def build_deck(chapter: Chapter, book_prefix: str = "..") -> nbformat.NotebookNode:
    """The deck notebook for one chapter (markdown and code cells with reveal.js slide metadata)."""
    label = f"Chapter {chapter.number}: {chapter.title}"
    nb = nbformat.v4.new_notebook()
    nb.metadata.update({"title": label, "kernelspec": {"display_name": "Python 3", "language": "python",
                                                       "name": "python3"},
                        "language_info": {"name": "python"}})
    setup = _cell("code", chapter.setup, "skip")
    cells: list[Any] = [setup]
    cells.append(_slide(f'<h1 id="title">{html.escape(label)}</h1><p class="her2-slide-sub">{BOOK_TITLE}: slides '
                        'for class</p><p class="her2-slide-help">Right arrow or space: next. Left arrow: back. '
                        "Esc: overview of all slides. S: speaker view with notes. ?: every key.</p>"))
    cells.append(_notes(["These slides are generated from the chapter and the course data at every book build, so "
                         "they match the chapter. Press S to open the speaker view (it opens in a new window: allow "
                         "pop-ups for this page)."]))
    cells += _outcome_cells(chapter)
    cells += _figure_cells(chapter)
    cells += _alert_cells(chapter)
    questions = pick_questions(_items_for(chapter))
    for n, item in enumerate(questions, start=1):
        cells += question_cells(item, n, len(questions))
    cells += _discussion_cells(chapter)
    page = f"{book_prefix}/notebooks/{chapter.id}.html"
    cells.append(_slide('<h2 id="next">Next</h2><ul><li>Read the chapter, with its figures, tables and cases: '
                        f'<a href="{page}">{html.escape(label)}</a>.</li><li>Practice with the questions at the end '
                        f'of the chapter: <a href="{page}#check-your-understanding">Check your understanding</a>.'
                        f'</li><li>Look up any term in the <a href="{book_prefix}/book/glossary.html">glossary</a>.'
                        "</li></ul>"))
    cells.append(_notes(["Before the next class, students read the chapter and answer its questions; the quiz files "
                         "on the instructor pages (Teaching kit) hold every question of this chapter for your "
                         "learning management system or for print."]))
    nb.cells = cells
    return nb


# ------------------------------------------------------------------------------------------------ conversion

def reveal_source(root: Path) -> Path:
    """reveal.js as npm installed it (``npm ci`` reads package.json and package-lock.json)."""
    src = root / "node_modules" / "reveal.js"
    missing = [f for f in REVEAL_FILES if not (src / f).is_file()]
    if missing:
        raise SlidesError(f"reveal.js is not installed in {src} (missing {', '.join(missing)}): run `npm ci` in the "
                          "course folder (make book does it)")
    return src


def install_reveal(root: Path, slides_dir: Path) -> str:
    """Copy the reveal.js files the decks use into the built slides folder; return reveal.js's version."""
    import json

    src = reveal_source(root)
    dest = slides_dir / "reveal.js"
    for name in REVEAL_FILES:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / name, target)
    theme = (src / "dist/theme/serif.css").read_text(encoding="utf-8") + "\n" + (
        STATIC / "her2-slides.css").read_text(encoding="utf-8")
    (dest / "dist" / "theme" / f"{THEME}.css").write_text(theme, encoding="utf-8")
    shutil.copyfile(STATIC / "her2-slides.js", slides_dir / "her2-slides.js")
    return str(json.loads((src / "package.json").read_text(encoding="utf-8"))["version"])


def to_html(deck: nbformat.NotebookNode) -> str:
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.CSSHTMLHeaderPreprocessor.enabled = False  # no code on the slides: no Pygments styles to inline
    exporter = SlidesExporter(config=config, template_name="her2-reveal", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.reveal_url_prefix = "reveal.js"
    exporter.reveal_theme = THEME
    exporter.reveal_transition = "none"
    exporter.reveal_number = "c/t"
    body, _ = exporter.from_notebook_node(deck, resources={"metadata": {"name": deck.metadata.get("title", "Slides")},
                                                           "language_code": "en"})
    return body


def write_decks(root: Path, slides_dir: Path) -> list[dict[str, Any]]:
    """Every chapter's deck as ``<chapter>.html`` and ``<chapter>.ipynb`` in ``slides_dir``; returns the manifest."""
    slides_dir.mkdir(parents=True, exist_ok=True)
    version = install_reveal(root, slides_dir)
    out = []
    for path in chapter_paths(root):
        chapter = read_chapter(path)
        deck = build_deck(chapter)
        nbformat.write(deck, slides_dir / f"{chapter.id}.ipynb")
        (slides_dir / f"{chapter.id}.html").write_text(to_html(deck), encoding="utf-8")
        slides = sum(1 for c in deck.cells if c.metadata.get("slideshow", {}).get("slide_type") == "slide")
        out.append({"chapter": chapter.id, "number": chapter.number, "title": chapter.title,
                    "html": f"{chapter.id}.html", "notebook": f"{chapter.id}.ipynb", "slides": slides,
                    "figures": len(chapter.tagged), "alerts": len(chapter.alerts),
                    "questions": sum(1 for c in deck.cells if "Check your understanding:" in c.source),
                    "reveal": version})
    return out
