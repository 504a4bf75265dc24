"""Sphinx glue for the course book (listed in _config.yml under sphinx.extra_extensions).

- ``her2-glossary`` directive: renders ``data/glossary.yaml`` as a Sphinx glossary, so ``{term}`` links work
  and each term is defined in exactly one place.
- Switches off sphinx-thebe's page scripts (Jupyter Book always loads the extension): the course does not run
  code in the browser, and the inline script names a CDN and is emitted twice, which throws on every page.
- Drops the widget state myst-nb embeds in every page that displayed a widget: the book shows the kernel-free
  fallback of each interactive object, so the state (which includes the whole front-end source) is dead weight.
- The reading experience of the built pages (each page loads only what it uses, compact figures, accessible
  bibliography roles, a purge of the theme's unused CSS, faster citations): see ``her2course.sitebuild``; the
  layout templates are in ``templates/``, the print form of the quizzes in ``static/print.js``.
- The teaching kit (``her2course.teaching``): markers in the instructor pages are replaced by MyST made from the
  data when a page is read; the slides and ready-made quiz files are made in a thread while the notebooks execute
  (or reused when their inputs are unchanged), and the pages that list them are filled once they exist.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.domains.std import Glossary
from sphinx.errors import ExtensionError
from sphinx.util import logging

from . import sitebuild
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
        self.content = StringList(glossary.myst_lines(), source="her2course/data/glossary.yaml")
        return super().run()


def _drop_widget_state(app: Sphinx, pagename: str, *args: Any, **kwargs: Any) -> None:
    try:
        from myst_nb.sphinx_ import NbMetadataCollector
    except ImportError:  # pragma: no cover - myst-nb is always there in this book
        return
    env = app.env
    if env is None or pagename not in getattr(env, "nb_metadata", {}):
        return
    NbMetadataCollector.get_js_files(env, pagename).pop("ipywidgets_state", None)


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
    if app.builder.name not in sitebuild.HTML_BUILDERS:
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


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _unhook_thebe)
    app.add_directive("her2-glossary", CourseGlossary)
    sitebuild.cache_pybtex_plugin_lookups()
    app.connect("html-page-context", _drop_widget_state, priority=400)
    app.connect("html-page-context", sitebuild.transform_body, priority=800)
    app.connect("html-page-context", sitebuild.prune_page_assets, priority=900)
    app.connect("build-finished", sitebuild.purge_theme_css, priority=900)
    app.connect("source-read", _expand_markers)
    app.connect("env-get-outdated", _regenerate_marked)
    app.connect("builder-inited", _start_kit)
    app.connect("html-page-context", _fill_kit_slots, priority=700)
    app.connect("build-finished", _finish_kit, priority=100)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
