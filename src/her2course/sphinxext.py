"""Sphinx glue for the course book (listed in _config.yml under sphinx.extra_extensions).

- ``her2-glossary`` directive: renders ``data/glossary.yaml`` as a Sphinx glossary, so ``{term}`` links work
  and each term is defined in exactly one place.
- ``her2-what-changed`` and ``her2-currency-notes`` directives: the "What changed" list (``data/changes.yaml``)
  and the instructors' currency notes (the flags in ``data/drugs.yaml``), rendered by ``her2course.currency``.
- Switches off sphinx-thebe's page scripts (Jupyter Book always loads the extension): the course does not run
  code in the browser, and the inline script names a CDN and is emitted twice, which throws on every page.
- Drops the widget state myst-nb embeds in every page that displayed a widget: the book shows the kernel-free
  fallback of each interactive object, so the state (which includes the whole front-end source) is dead weight.
- The reading experience of the built pages (each page loads only what it uses, compact figures, accessible
  bibliography roles, a purge of the theme's unused CSS, faster citations): see ``her2course.sitebuild``; the
  layout templates are in ``templates/``, the print form of the quizzes in ``static/print.js``.
"""

from __future__ import annotations

from typing import Any, ClassVar

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.domains.std import Glossary
from sphinx.util.docutils import SphinxDirective

from . import sitebuild


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


def _unhook_thebe(app: Sphinx, config: Any) -> None:
    for listeners in app.events.listeners.values():
        listeners[:] = [e for e in listeners if getattr(e.handler, "__module__", "") != "sphinx_thebe"]
    app.registry.css_files[:] = [(name, attrs) for name, attrs in app.registry.css_files
                                 if name != "sphinx-thebe.css"]


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _unhook_thebe)
    app.add_directive("her2-glossary", CourseGlossary)
    app.add_directive("her2-what-changed", WhatChanged)
    app.add_directive("her2-currency-notes", CurrencyNotes)
    sitebuild.cache_pybtex_plugin_lookups()
    app.connect("html-page-context", _drop_widget_state, priority=400)
    app.connect("html-page-context", sitebuild.transform_body, priority=800)
    app.connect("html-page-context", sitebuild.prune_page_assets, priority=900)
    app.connect("build-finished", sitebuild.purge_theme_css, priority=900)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
