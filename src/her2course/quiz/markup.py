"""Markdown to safe HTML, on the Python side, so the spec the browser receives carries only sanitised markup.

markdown-it-py renders (raw HTML in the source is not passed through), then nh3 (the ammonia sanitiser) keeps
only a small allow-list of tags and attributes. The front end inserts these strings as HTML; everything a
learner types is inserted as text only.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

TAGS = {
    "p", "br", "em", "strong", "b", "i", "code", "pre", "sub", "sup", "ul", "ol", "li", "blockquote",
    "a", "table", "caption", "thead", "tbody", "tr", "th", "td", "span", "abbr",
}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")


def _clean(html: str) -> str:
    return nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer").strip()


def clean(html: str) -> str:
    """Sanitise HTML that another library rendered (an LMS package's Markdown) with the same allow-list."""
    return _clean(html)


def block(text: str) -> str:
    """Markdown that may hold paragraphs and lists (stems, rationales, explanations)."""
    return _clean(_md().render(text))


def inline(text: str) -> str:
    """Markdown for one line (option labels, cloze fragments): no paragraph wrapper."""
    return _clean(_md().renderInline(text))


def inline_keep(text: str) -> str:
    """Inline HTML of a fragment between two blanks, keeping one space at either end where the text had one (so
    the words around a drop-down or a selectable span never run into it)."""
    if not text.strip():
        return " " if text else ""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() else ""
    return lead + inline(text) + trail


def plain(text: str) -> str:
    """The text with all markup removed (for labels that must be plain text)."""
    return html.unescape(nh3.clean(inline(text), tags=set()))


_MD_SPECIAL = re.compile(r"([\\|*_`\[\]#])")


def md_text(text: str) -> str:
    """Plain text for a Markdown table cell or caption: one line, no formatting, no column break."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def table_markdown(caption: str, columns: list[str], rows: list[list[str]]) -> str:
    """A captioned Markdown (pipe) table; ``block`` renders it as an HTML table."""
    head = "| " + " | ".join(md_text(c) for c in columns) + " |"
    rule = "|" + "|".join(" --- " for _ in columns) + "|"
    body = ["| " + " | ".join(md_text(c) for c in row) + " |" for row in rows]
    return "\n".join([f"*{md_text(caption)}*", "", head, rule, *body])
