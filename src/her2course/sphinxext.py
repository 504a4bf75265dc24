"""Sphinx glue for the course book (listed in _config.yml under sphinx.extra_extensions).

- ``her2-glossary`` directive: renders ``data/glossary.yaml`` as a Sphinx glossary, so ``{term}`` links work
  and each term is defined in exactly one place; an A-Z jump list above it and a heading for each letter.
- ``her2-what-changed`` and ``her2-currency-notes`` directives: the "What changed" list (``data/changes.yaml``)
  and the instructors' currency notes (the flags in ``data/drugs.yaml``), rendered by ``her2course.currency``.
- ``her2-glossary.json``: after the build, every term's definition as the glossary page shows it (plain text,
  citations as author-year), keyed by the term's anchor; ``static/term-popup.js`` shows them in place of the
  chapters' key-term links.
- Switches off sphinx-thebe's page scripts (Jupyter Book always loads the extension): the course does not run
  code in the browser, and the inline script names a CDN and is emitted twice, which throws on every page.
- Drops the widget state myst-nb embeds in every page that displayed a widget: the book shows the kernel-free
  fallback of each interactive object, so the state (which includes the whole front-end source) is dead weight.
- Enrichment and time (issue 16, ``her2course.reading``): a code cell tagged ``enrichment`` renders inside a
  collapsed ``<details class="enrichment">`` titled "Go deeper: ..." (the title from the cell's metadata
  ``her2course.deeper``); a page whose metadata (notebook metadata or front matter) says
  ``her2course_page: enrichment`` is wrapped in ``<div class="enrichment her2-enrichment-page">``; chapter and
  enrichment pages get a time estimate under the title and under each major section, computed from the words and
  practice items of the page as built; the ``{reading-time}``, ``{reading-time-all}`` and ``{reading-total}`` roles
  print a section's link and time (core, or core and enrichment), or a total, filled in once every page is written.
- The reading experience of the built pages (each page loads only what it uses, compact figures, accessible
  bibliography roles, a purge of the theme's unused CSS, faster citations): see ``her2course.sitebuild``; the
  layout templates are in ``templates/``, the print form of the quizzes in ``static/print.js``.
- The teaching kit (``her2course.teaching``): markers in the instructor pages are replaced by MyST made from the
  data when a page is read; the slides and ready-made quiz files are made in a thread while the notebooks execute
  (or reused when their inputs are unchanged), and the pages that list them are filled once they exist.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.domains.std import Glossary
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from . import reading, sitebuild
from .reading import ENRICHMENT
from .teaching import pages as kit_pages

logger = logging.getLogger(__name__)


class CourseGlossary(Glossary):
    has_content = False
    option_spec: ClassVar[dict[str, Any]] = {}

    def run(self):
        from . import glossary
        from .paths import package_layout

        # re-read the glossary page whenever the data file changes (Sphinx cannot see it otherwise)
        self.env.note_dependency(str(package_layout().data_dir / "glossary.yaml"))
        self.options = {"sorted": True}
        groups = _letter_groups(glossary.myst_lines(), glossary.index_letter)
        out: list[nodes.Node] = [nodes.raw("", _az_nav(groups), format="html")]
        for letter, lines in groups.items():
            out.append(nodes.raw("", f'<h2 id="{_letter_id(letter)}" class="her2-glossary-letter">{letter}</h2>',
                                 format="html"))
            self.content = StringList(lines, source="her2course/data/glossary.yaml")
            out += super().run()
        return out


def _letter_id(letter: str) -> str:
    return "glossary-" + (letter.lower() if letter.isalpha() else "other")


def _letter_groups(lines: list[str], letter_of) -> dict[str, list[str]]:
    """The glossary directive's lines (a term unindented, its definition indented) split by the term's letter."""
    groups: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line.strip() and not line[:1].isspace():
            current = groups.setdefault(letter_of(line), [])
        if current is not None:
            current.append(line)
    return dict(sorted(groups.items(), key=lambda kv: (not kv[0].isalpha(), kv[0])))


def _az_nav(groups: dict[str, list[str]]) -> str:
    """Every letter A to Z: a link to its heading, or (no term under it) a greyed letter hidden from screen readers."""
    items = []
    for letter in [*"ABCDEFGHIJKLMNOPQRSTUVWXYZ", *(k for k in groups if not k.isalpha())]:
        if letter in groups:
            items.append(f'<li><a href="#{_letter_id(letter)}">{letter}</a></li>')
        elif letter.isalpha():
            items.append(f'<li aria-hidden="true"><span class="her2-az-empty">{letter}</span></li>')
    return ('<nav class="her2-glossary-az" aria-label="Glossary, A to Z"><ul>' + "".join(items) + "</ul></nav>")


def glossary_entries(app: Sphinx) -> dict[str, dict[str, str]]:
    """Every glossary term's definition as the built glossary shows it (plain text), keyed by the term's anchor."""
    std = app.env.get_domain("std")
    wanted: dict[str, set[str]] = {}
    for (objtype, _name), (docname, labelid) in getattr(std, "objects", {}).items():
        if objtype == "term":
            wanted.setdefault(docname, set()).add(labelid)
    entries: dict[str, dict[str, str]] = {}
    for docname, ids in wanted.items():
        tree = app.env.get_and_resolve_doctree(docname, app.builder)
        for item in tree.findall(nodes.definition_list_item):
            definition = next((c for c in item.children if isinstance(c, nodes.definition)), None)
            if definition is None:
                continue
            text = " ".join(definition.astext().split())
            for term in (c for c in item.children if isinstance(c, nodes.term)):
                for ident in term["ids"]:
                    if ident in ids:
                        entries[ident] = {"term": " ".join(term.astext().split()), "definition": text}
    return entries


def _write_glossary_json(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in sitebuild.HTML_BUILDERS:
        return
    static = Path(app.outdir) / "_static"
    static.mkdir(parents=True, exist_ok=True)
    data = json.dumps(glossary_entries(app), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    (static / "her2-glossary.json").write_text(data, encoding="utf-8")


class _DataList(SphinxDirective):
    """A list rendered from a data file by a function returning MyST lines (roles such as {cite:p} work)."""

    has_content = False
    data_file = ""

    def lines(self) -> list[str]:  # pragma: no cover - overridden
        raise NotImplementedError

    def run(self):
        from .paths import package_layout

        self.env.note_dependency(str(package_layout().data_dir / self.data_file))
        node = nodes.container(classes=[self.name])
        self.state.nested_parse(StringList(self.lines(), source=f"her2course/data/{self.data_file}"),
                                self.content_offset, node)
        return [node]


class WhatChanged(_DataList):
    """``her2-what-changed``: every clinical update the course has taken in (``data/changes.yaml``)."""

    data_file = "changes.yaml"

    def lines(self) -> list[str]:
        from . import currency

        return currency.what_changed_lines()


class CurrencyNotes(_DataList):
    """``her2-currency-notes``: every open flag in ``data/drugs.yaml``, with the month it was last checked."""

    data_file = "drugs.yaml"

    def lines(self) -> list[str]:
        from . import currency

        return currency.currency_notes_lines()


def _drop_widget_state(app: Sphinx, pagename: str, *args: Any, **kwargs: Any) -> None:
    try:
        from myst_nb.sphinx_ import NbMetadataCollector
    except ImportError:  # pragma: no cover - myst-nb is always there in this book
        return
    env = app.env
    if env is None or pagename not in getattr(env, "nb_metadata", {}):
        return
    NbMetadataCollector.get_js_files(env, pagename).pop("ipywidgets_state", None)


LAB_COPIES = "lab"  # the JupyterLab copies of notebooks/ (her2course.labcopy), committed next to them


def _launch_learner_copies(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                           doctree: Any) -> None:
    """A chapter's launch links (hub through nbgitpuller, Binder) open its JupyterLab copy in lab/, where key terms,
    citations and page links resolve, instead of the notebook the book is built from."""
    folder, _, stem = pagename.rpartition("/")
    if folder != "notebooks" or not (Path(app.srcdir) / LAB_COPIES / f"{stem}.ipynb").is_file():
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            for button in group.get("buttons", []):
                if "url" in button:
                    button["url"] = button["url"].replace(f"{pagename}.ipynb", f"{LAB_COPIES}/{stem}.ipynb")


def _unhook_thebe(app: Sphinx, config: Any) -> None:
    for listeners in app.events.listeners.values():
        listeners[:] = [e for e in listeners if getattr(e.handler, "__module__", "") != "sphinx_thebe"]
    app.registry.css_files[:] = [(name, attrs) for name, attrs in app.registry.css_files
                                 if name != "sphinx-thebe.css"]


# ---- the teaching kit: instructor pages filled from the data, slides and quiz files made with the book ----

_DATA_DEPENDENCIES = ("frameworks.yaml", "case_outcomes.yaml", "activities.yaml", "questions", "cases", "facilitator")


def _expand_markers(app: Sphinx, docname: str, source: list[str]) -> None:
    if not kit_pages.MARKER.search(source[0]):
        return
    from .paths import package_layout

    data = package_layout().data_dir
    for name in _DATA_DEPENDENCIES:  # re-read the page when the data behind it changes
        path = data / name
        for f in ([path] if path.is_file() else sorted(path.glob("*.yaml"))):
            app.env.note_dependency(str(f))
    source[0] = kit_pages.expand(source[0], Path(app.srcdir))
    marked = getattr(app.env, "her2_generated_docs", set())
    marked.add(docname)
    app.env.her2_generated_docs = marked


def _regenerate_marked(app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]) -> list[str]:
    """Pages with generated parts are read and written at every build (a handful of pages, well under a second):
    their content follows the data and the teaching kit's files, which Sphinx cannot see change."""
    return sorted(d for d in getattr(env, "her2_generated_docs", set()) if d in env.found_docs and d not in removed)


def _start_kit(app: Sphinx) -> None:
    if app.builder.name not in sitebuild.HTML_BUILDERS or not app.config.her2course_kit:
        return
    from .teaching.kit import KitBuild

    app.her2_kit = KitBuild(Path(app.srcdir), Path(app.outdir), Path(app.doctreedir) / "her2course-kit")
    app.her2_kit.start()


def _fill_kit_slots(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    body = context.get("body") or ""
    kit = getattr(app, "her2_kit", None)
    if kit is None or "her2-kit-slot" not in body:
        return
    try:
        manifest = kit.wait()
    except RuntimeError as exc:
        raise ExtensionError(str(exc)) from exc
    context["body"] = kit_pages.fill_slots(body, manifest, lambda path: context["pathto"](path, 1))


def _finish_kit(app: Sphinx, exception: Exception | None) -> None:
    kit = getattr(app, "her2_kit", None)
    if kit is None or exception is not None:
        return
    try:
        manifest = kit.wait()
    except RuntimeError as exc:
        raise ExtensionError(str(exc)) from exc
    done = ("reused (inputs unchanged)" if kit.reused else
            f"made in {kit.seconds:.1f} s beside the build, which waited {kit.waited:.1f} s for them")
    logger.info(f"teaching kit: {len(manifest['slides'])} slide decks and {len(manifest['files'])} quiz files {done}")


# ------------------------------------------------------------------------------------------------ enrichment, time

class deeper_details(nodes.General, nodes.Element):  # docutils names node classes in lower case
    """A collapsed "Go deeper" block around a code cell's output (HTML: <details class="enrichment">)."""


def _visit_deeper_html(self: Any, node: deeper_details) -> None:
    self.body.append('<details class="enrichment her2-deeper">'
                     f'<summary class="her2-deeper-title">{self.encode(node["title"])}</summary>\n')


def _depart_deeper_html(self: Any, node: deeper_details) -> None:
    self.body.append("</details>\n")


def _pass(self: Any, node: Any) -> None:
    pass


def deeper_title(metadata: dict[str, Any] | None) -> str:
    """The summary of a code cell tagged enrichment: "Go deeper: " and the cell's ``her2course.deeper`` text."""
    own = ((metadata or {}).get("her2course") or {}).get("deeper") if isinstance(metadata, dict) else None
    return f"Go deeper: {own}" if isinstance(own, str) and own.strip() else "Go deeper"


def _wrap_enrichment_cells(app: Sphinx, doctree: nodes.document) -> None:
    for cell in list(doctree.findall(nodes.container)):
        if f"tag_{ENRICHMENT}" in cell.get("classes", []):
            wrapper = deeper_details(title=deeper_title(cell.get("cell_metadata")))
            cell.replace_self(wrapper)
            wrapper += cell


def _enrichment_page(app: Sphinx, pagename: str) -> bool:
    meta = app.env.metadata.get(pagename, {}) if app.env is not None else {}
    return str(meta.get("her2course_page", "")).strip().lower() == ENRICHMENT


ENRICHMENT_BANNER = ('<p class="her2-deeper-banner"><strong>Going deeper.</strong> This page is enrichment: it is not '
                     'part of the core path, and the chapter reads on without it.</p>')


def _time_and_enrichment(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any],
                         doctree: Any) -> None:
    if app.builder.name not in sitebuild.HTML_BUILDERS or not context.get("body"):
        return
    if _enrichment_page(app, pagename):
        context["body"] = (f'<div class="{ENRICHMENT} her2-enrichment-page">{ENRICHMENT_BANNER}'
                           f'{context["body"]}</div>')
    if reading.timed_page(pagename):
        page = reading.measure(context["body"])
        context["body"] = reading.insert_time_lines(context["body"], reading.time_lines(page))


def _reading_role(kind: str):
    def role(name, rawtext, text, lineno, inliner, options=None, content=None):
        return [nodes.raw(rawtext, reading.placeholder(kind, text), format="html")], []
    return role


def _fill_reading_references(app: Sphinx, exception: Exception | None) -> None:
    """Every page that holds a {reading-time} or {reading-total} placeholder gets its titles, links and times, from
    the pages as written (so the times are those printed under the headings)."""
    if exception is not None or app.builder.name not in sitebuild.HTML_BUILDERS:
        return
    outdir = Path(app.outdir)
    users = [p for p in outdir.rglob("*.html") if "_static" not in p.parts
             and 'class="her2-time-ref"' in p.read_text(encoding="utf-8")]
    if not users:
        return
    pages = {f"notebooks/{p.stem}": reading.measure_file(p) for p in sorted((outdir / "notebooks").glob("*.html"))}
    for path in users:
        doc = path.relative_to(outdir).with_suffix("").as_posix()
        text, problems = reading.fill_references(path.read_text(encoding="utf-8"), doc, pages)
        path.write_text(text, encoding="utf-8")
        for problem in problems:
            logger.warning(problem, location=doc)


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _unhook_thebe)
    app.add_directive("her2-glossary", CourseGlossary)
    app.add_directive("her2-what-changed", WhatChanged)
    app.add_directive("her2-currency-notes", CurrencyNotes)
    sitebuild.cache_pybtex_plugin_lookups()
    app.add_node(deeper_details, html=(_visit_deeper_html, _depart_deeper_html), latex=(_pass, _pass),
                 text=(_pass, _pass), man=(_pass, _pass), texinfo=(_pass, _pass))
    app.connect("doctree-read", _wrap_enrichment_cells)
    app.add_role("reading-time", _reading_role("time"))
    app.add_role("reading-total", _reading_role("total"))
    app.add_role("reading-time-all", _reading_role("all"))
    app.connect("html-page-context", _drop_widget_state, priority=400)
    app.connect("html-page-context", _launch_learner_copies, priority=600)  # after the theme's launch buttons
    app.connect("html-page-context", _time_and_enrichment, priority=850)  # measures the page as it is served
    app.connect("build-finished", _fill_reading_references, priority=800)
    app.connect("html-page-context", sitebuild.transform_body, priority=800)
    app.connect("html-page-context", sitebuild.prune_page_assets, priority=900)
    app.connect("build-finished", sitebuild.purge_theme_css, priority=900)
    app.connect("build-finished", _write_glossary_json, priority=800)
    # the reading aids of the built book (each page keeps them only if it has figures or key-term links)
    app.add_js_file("figure-zoom.js", type="module")
    app.add_js_file("term-popup.js", type="module")
    app.connect("source-read", _expand_markers)
    app.connect("env-get-outdated", _regenerate_marked)
    # the book makes the teaching kit; a small Sphinx project using these directives sets her2course_kit = False
    app.add_config_value("her2course_kit", True, "env")
    app.connect("builder-inited", _start_kit)
    app.connect("html-page-context", _fill_kit_slots, priority=700)
    app.connect("build-finished", _finish_kit, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
