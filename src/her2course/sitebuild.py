"""The built book's reading experience (issue 9), wired into Sphinx by ``her2course.sphinxext``.

Each page gets only what it uses and prints cleanly:

- ``prune_page_assets``: a page without code loses the copy button, its clipboard library and the Pygments
  styles; a page without sphinx-design, togglebutton or a quiz loses those files. The course's own front-end
  (mount.js, which imports quiz.js) loads once, and only on pages with a quiz; figure-zoom.js only on pages
  with figures, term-popup.js only on pages with key-term links; print.js (print preparation: open dropdowns,
  the quizzes' paper form) on every page.
- ``compact_figures``: figures arrive as SVG data URIs (the form that also works in JupyterLab); in the built
  page their line breaks fold and only what must be escaped is: about a tenth smaller (a quarter for base64),
  still self-contained.
- ``dark_gallery_styles``: the pathway gallery's inline diagrams are styled by a style sheet of colours drawn for
  white paper; each rule that sets a colour gets a dark-mode twin with ``style.dark_variant`` colours, so the
  diagrams sit on the dark page as the course's other figures do.
- ``fix_citation_roles``: the bibliography's entries become list items to assistive technology.
- ``reflow_tables``: every table of a page gets its phone layout (``tables.narrow_layout``: fit, stacked cards
  or a sideways-scrolling grid with its row headers in view), the markup that layout needs (column labels on the
  cells of a stacked table, a line saying that a grid scrolls) and a class her2course.css lays out by.
- ``purge_theme_css``: after the build, the theme's style sheets keep only the rules whose class and id names
  occur in some built page or in the site's scripts (the theme ships all of Bootstrap and Font Awesome's CSS).

Nothing here changes what a notebook shows in JupyterLab: it all happens to the HTML the html builders write.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import itertools
import re
import urllib.parse
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

HTML_BUILDERS = {"html", "dirhtml", "singlehtml"}

# ------------------------------------------------------------------------------------------------ build speed

def cache_pybtex_plugin_lookups() -> None:
    """Memoise pybtex's plugin look-ups for the life of the build process.

    sphinxcontrib-bibtex resolves every citation through ``pybtex.plugin.find_plugin``, which scans the entry
    points of every installed distribution each time: with a thousand citations that was the largest single cost of
    a build (several seconds). The installed entry points cannot change during a build, so the scan is done once
    per (group, name); runtime-registered plugins are still looked up first, as before.
    """
    try:
        import pybtex.plugin as plugin
    except ImportError:  # pragma: no cover - sphinxcontrib-bibtex always brings pybtex
        return
    if getattr(plugin.entry_points, "her2course_cached", False):
        return
    scan = plugin.entry_points
    found: dict[tuple[tuple[str, str], ...], list[Any]] = {}

    def entry_points(**selection: str) -> list[Any]:
        key = tuple(sorted(selection.items()))
        if key not in found:
            found[key] = list(scan(**selection))
        return found[key]

    entry_points.her2course_cached = True  # type: ignore[attr-defined]
    plugin.entry_points = entry_points


# ------------------------------------------------------------------------------------------------ page assets

_CLASS_ATTR = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def _classes(body: str) -> set[str]:
    out: set[str] = set()
    for m in _CLASS_ATTR.finditer(body):
        out.update((m.group(1) or m.group(2) or "").split())
    return out


def _asset_name(asset: Any) -> str:
    name = getattr(asset, "filename", None) or ""
    return str(name).rsplit("/", 1)[-1].split("?", 1)[0]


def _inline_body(asset: Any) -> str:
    return str((getattr(asset, "attributes", None) or {}).get("body", ""))


def unused_assets(body: str) -> tuple[set[str], tuple[str, ...]]:
    """(file names, markers of inline scripts) that a page with this body does not need."""
    classes = _classes(body)
    files: set[str] = set()
    inline: list[str] = []
    if "highlight" not in classes and not any(c.startswith("highlight-") for c in classes):
        files |= {"clipboard.min.js", "copybutton.js", "copybutton.css", "pygments.css"}
    if not any(c.startswith("sd-") for c in classes):
        files |= {"sphinx-design.min.css", "design-tabs.js"}
    elif "sd-tab-set" not in classes:
        files.add("design-tabs.js")
    if "toggle" not in classes and not ("admonition" in classes and "dropdown" in classes):
        files |= {"togglebutton.js", "togglebutton.css"}
        inline += ["toggleHintShow", "toggleHintHide", "toggleOpenOnPrint", "togglebuttonSelector"]
    if "her2-quiz" not in classes:
        files.add("mount.js")
    if not ({"her2-figure", "her2-pathway-gallery"} & classes):
        files.add("figure-zoom.js")
    if "std-term" not in classes:
        files.add("term-popup.js")
    return files, tuple(inline)


def prune_page_assets(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if app.builder.name not in HTML_BUILDERS:
        return
    files, inline = unused_assets(context.get("body") or "")
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if isinstance(assets, list):
            assets[:] = [a for a in assets if _asset_name(a) not in files
                         and not (inline and any(marker in _inline_body(a) for marker in inline))]


# ------------------------------------------------------------------------------------------------ figures

_B64_SVG = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=\s]+)"')
_PCT_SVG = re.compile(r'(?<![\w-])src="data:image/svg\+xml,([^"]+)"')
_SRCSET_SVG = re.compile(r'srcset="data:image/svg\+xml,([^"]+)"')
# Kept as they are in the data URI: what is safe inside a double-quoted attribute and means nothing special in
# a data URL ("%", "#", '"', "&" and white space are percent-encoded, and so is anything outside ASCII).
_URI_SAFE = " /:;=,'()<>!*+-.?@[]^_`{|}~$"
_DQ_ATTR = re.compile(r'(\s[\w:.-]+)="([^"<]*)"')


def _single_quoted(m: re.Match[str]) -> str:
    return f"{m.group(1)}='{m.group(2)}'" if "'" not in m.group(2) else m.group(0)


def svg_data_uri(svg: bytes | str, *, srcset: bool = False) -> str:
    """A compact SVG data URI: line breaks (and the indentation after them) folded, as XML rendering does anyway;
    "<" and ">" left as they are (allowed in an attribute value), the rest percent-encoded (spaces too in a
    ``srcset``, where a space ends the URL)."""
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    # attribute values delimited by '"' switch to "'" where they hold no "'" (a '"' costs three bytes as %22)
    text = re.sub(r"<[^<>]+>", lambda tag: _DQ_ATTR.sub(_single_quoted, tag.group(0)), text)
    text = re.sub(r">\s*\n\s*<", "><", text.strip())
    text = re.sub(r"\s*\n\s*", " ", text)
    return "data:image/svg+xml," + urllib.parse.quote(text, safe=_URI_SAFE.replace(" ", "") if srcset else _URI_SAFE)


def compact_figures(body: str) -> str:
    """Figures' SVG data URIs (base64, or percent-encoded with every line break and bracket escaped) made compact."""

    def from_base64(m: re.Match[str]) -> str:
        try:
            return f'src="{svg_data_uri(base64.b64decode(m.group(1), validate=False))}"'
        except (binascii.Error, UnicodeDecodeError):  # leave anything odd exactly as it was
            return m.group(0)

    def from_percent(m: re.Match[str]) -> str:
        text = urllib.parse.unquote(m.group(1))
        return f'src="{svg_data_uri(text)}"' if text.lstrip().startswith(("<svg", "<?xml")) else m.group(0)

    def from_srcset(m: re.Match[str]) -> str:
        text = urllib.parse.unquote(m.group(1))
        return f'srcset="{svg_data_uri(text, srcset=True)}"' if text.lstrip().startswith("<svg") else m.group(0)

    return _SRCSET_SVG.sub(from_srcset, _PCT_SVG.sub(from_percent, _B64_SVG.sub(from_base64, body)))


# ------------------------------------------------------------------------------------------------ dark diagrams

_GALLERY_STYLE = re.compile(r'(<div class="her2-pathway-gallery"[^>]*>\s*<style>)(.*?)(</style>)', re.S)
_CSS_HEX = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b")


def dark_rules(css: str) -> str:
    """For each rule of ``css`` that sets a colour, the same rule for the book's dark mode with dark-page colours."""
    import tinycss2

    from .style import dark_variant

    out = []
    for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
        if getattr(rule, "type", "") != "qualified-rule":
            continue
        content = tinycss2.serialize(rule.content)
        if not _CSS_HEX.search(content):
            continue
        selectors = ",".join(f'html[data-theme="dark"] {sel}' for sel in
                             _split_selectors(tinycss2.serialize(rule.prelude)))
        out.append(selectors + "{" + _CSS_HEX.sub(lambda m: dark_variant(m.group(0)), content.strip()) + "}")
    return "\n".join(out)


def dark_gallery_styles(body: str) -> str:
    return _GALLERY_STYLE.sub(lambda m: m.group(1) + m.group(2) + "\n" + dark_rules(m.group(2)) + m.group(3), body)


# ------------------------------------------------------------------------------------------------ tables

SCROLL_HINT = "Scroll sideways to see every column; the first column stays in view."
INPUT_CHARS = "x" * 9  # a text box in a cell is about as wide as nine characters
_TABLE = re.compile(r"(<div\b[^>]*>\s*)?(<table\b.*?</table>)", re.S)
_CLASS_VALUE = re.compile(r'\bclass="([^"]*)"')


class _Cell:
    def __init__(self, tag: str, start: int, in_head: bool, span: bool) -> None:
        self.tag, self.start, self.in_head, self.span = tag, start, in_head, span
        self.text = ""


class _TableReader(HTMLParser):
    """The cells of one table fragment: tag, text, whether in <thead>, and where each start tag ends."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[_Cell]] = []
        self.in_head = False
        self.cell: _Cell | None = None
        self.caption_id: str | None = None

    def feed_fragment(self, fragment: str) -> None:
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", fragment)]
        self.feed(fragment)
        self.close()

    def _pos(self) -> int:
        line, col = self.getpos()
        return self.line_starts[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "thead":
            self.in_head = True
        elif tag == "tbody":
            self.in_head = False
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th") and self.rows:
            span = any(k in a and (a[k] or "1") != "1" for k in ("colspan", "rowspan"))
            self.cell = _Cell(tag, self._pos(), self.in_head, span)
            self.rows[-1].append(self.cell)
        elif tag == "caption":
            self.caption_id = a.get("id")
        elif tag in ("input", "select", "textarea") and self.cell is not None:
            self.cell.text += f" {INPUT_CHARS} "

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self.cell = None
        elif tag == "thead":
            self.in_head = False

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.text += data


def _with_attrs(fragment: str, start: int, attrs: str) -> str:
    """``fragment`` with ``attrs`` inserted before the '>' of the start tag at ``start``."""
    end = fragment.index(">", start)
    if fragment[end - 1] == "/":
        end -= 1
    return fragment[:end] + attrs + fragment[end:]


def _add_class(tag: str, name: str) -> str:
    if _CLASS_VALUE.search(tag):
        return _CLASS_VALUE.sub(lambda m: f'class="{m.group(1)} {name}"', tag, count=1)
    return tag[:-1].rstrip() + f' class="{name}">'


def _region_name(reader: _TableReader, labels: list[str]) -> str:
    if reader.caption_id:
        return f'aria-labelledby="{reader.caption_id}"'
    return f'aria-label="{html.escape("Table: " + ", ".join(labels[:4]), quote=True)}"'


_BOX_TAG = re.compile(r"<(/?)(div|details)\b([^>]*)>")


def _boxed_spans(body: str) -> list[tuple[int, int]]:
    """Where the page has a box with padding of its own: every <details> (a Go deeper block, a dropdown) and every
    admonition."""
    spans: list[tuple[int, int]] = []
    open_: dict[str, list[tuple[int, bool]]] = {"div": [], "details": []}
    for m in _BOX_TAG.finditer(body):
        closing, tag, attrs = m.groups()
        if not closing:
            classes = (_CLASS_VALUE.search(attrs) or [None, ""])[1].split()
            open_[tag].append((m.start(), tag == "details" or "admonition" in classes))
        elif open_[tag]:
            start, boxed = open_[tag].pop()
            if boxed:
                spans.append((start, m.end()))
    return spans


def reflow_tables(body: str) -> str:
    """Every table in the page with its phone layout (see the module notes and ``tables.narrow_layout``)."""
    from .tables import NARROW_COLUMN_PX, NESTED_COLUMN_PX, narrow_layout

    counter = itertools.count(1)
    boxes = _boxed_spans(body)

    def nested(at: int) -> bool:  # inside an admonition, a Go deeper block or a dropdown: a narrower column
        return any(start < at < end for start, end in boxes)

    def one(m: re.Match[str]) -> str:
        wrapper, table = m.group(1) or "", m.group(2)
        if "<table" in table[6:] or "data-her2-layout" in table[:200]:
            return m.group(0)  # a nested table (never written by the course), or already done
        reader = _TableReader()
        reader.feed_fragment(table)
        rows = [r for r in reader.rows if r]
        if not rows:
            return m.group(0)
        head = [r for r in rows if all(c.in_head for c in r)]
        body_rows = [r for r in rows if not all(c.in_head for c in r)]
        labels = [" ".join(c.text.split()) for c in head[-1]] if head else []
        texts = [[" ".join(c.text.split()) for c in r] for r in body_rows]
        spans = any(c.span for r in rows for c in r)
        case_data = "her2-case-table" in wrapper
        row_headers = all(r[0].tag == "th" for r in body_rows) if body_rows else False
        records = "her2-records" in (_CLASS_VALUE.search(table[:table.index(">")]) or [None, ""])[1].split()
        layout = narrow_layout(labels, texts, case_data=case_data, row_headers=row_headers, records=records,
                               column_px=NESTED_COLUMN_PX if nested(m.start()) else NARROW_COLUMN_PX)
        if spans and layout == "stack":  # cells cannot be labelled by column: keep the grid
            layout = "scroll"
        if layout == "scroll" and case_data:
            layout = "stack"
        # rewrite from the last cell backwards, so earlier offsets stay valid
        edits: list[tuple[int, str]] = []
        if layout == "stack":
            for r in head:
                edits += [(c.start, ' role="columnheader"') for c in r]
            for r in body_rows:
                for j, c in enumerate(r):
                    role = "rowheader" if c.tag == "th" else "cell"
                    label = labels[j] if j < len(labels) and j > 0 else ""
                    attr = f' role="{role}"' + (f' data-label="{html.escape(label, quote=True)}"' if label else "")
                    edits.append((c.start, attr))
        out = table
        for start, attrs in sorted(edits, reverse=True):
            out = _with_attrs(out, start, attrs)
        if layout == "stack":
            out = re.sub(r"<(thead|tbody)\b", r'<\1 role="rowgroup"', out)
            out = re.sub(r"<tr\b", '<tr role="row"', out)
        first = out.index(">")
        out = out[:first] + f' data-her2-layout="{layout}"' + (' role="table"' if layout == "stack" else "") \
            + out[first:]
        if layout != "scroll":
            return wrapper + out
        hint_id = f"her2-scroll-hint-{next(counter)}"
        hint = f'<p class="her2-scroll-hint" id="{hint_id}">{html.escape(SCROLL_HINT)}</p>'
        if "her2-table" in wrapper or "pst-scrollable-table-container" in wrapper:
            tag = _add_class(wrapper.rstrip(), "her2-scroll")
            if "role=" not in tag:  # the theme's container of a Markdown table: make it a named, focusable region
                tag = tag[:-1] + f' role="region" tabindex="0" {_region_name(reader, labels)}>'
            tag = tag[:-1] + f' aria-describedby="{hint_id}">'
            return tag + wrapper[len(wrapper.rstrip()):] + hint + out
        return (f'{wrapper}<div class="her2-table her2-scroll" role="region" tabindex="0" '
                f'{_region_name(reader, labels)} aria-describedby="{hint_id}">{hint}{out}</div>')

    return _TABLE.sub(one, body)


# ------------------------------------------------------------------------------------------------ citations

# docutils marks the bibliography as role="list" of role="doc-biblioentry" entries: a list whose items are not
# list items to assistive technology (axe: aria-required-children), with a role DPUB-ARIA has deprecated.
_BIBLIOENTRY = re.compile(r'(<div class="citation"[^>]*?) role="doc-biblioentry"')


def fix_citation_roles(body: str) -> str:
    return _BIBLIOENTRY.sub(r'\1 role="listitem"', body)


def transform_body(app: Any, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    if app.builder.name not in HTML_BUILDERS or not context.get("body"):
        return
    context["body"] = reflow_tables(fix_citation_roles(dark_gallery_styles(compact_figures(context["body"]))))


# ------------------------------------------------------------------------------------------------ theme CSS purge

_ID_ATTR = re.compile(r"""\sid\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SCRIPT = re.compile(r"<script\b[^>]*>(.*?)</script>", re.S | re.I)
_WORD = re.compile(r"[A-Za-z_][\w-]*")
_OWN_CSS = {"her2course.css"}
_SKIP_JS = {"fontawesome.js"}  # not loaded by the course's layout


def used_names(outdir: Path) -> set[str]:
    """Every class and id in the built pages, and every word in the site's scripts (classes set by script)."""
    used: set[str] = set()
    for page in outdir.rglob("*.html"):
        if "_static" in page.relative_to(outdir).parts:
            continue
        text = page.read_text(encoding="utf-8", errors="replace")
        for m in _CLASS_ATTR.finditer(text):
            used.update((m.group(1) or m.group(2) or "").split())
        for m in _ID_ATTR.finditer(text):
            used.add(m.group(1) or m.group(2) or "")
        for m in _SCRIPT.finditer(text):
            used.update(_WORD.findall(m.group(1)))
    static = outdir / "_static"
    if static.is_dir():
        for js in static.rglob("*.js"):
            if js.name not in _SKIP_JS:
                used.update(_WORD.findall(js.read_text(encoding="utf-8", errors="replace")))
    used.discard("")
    return used


def _strip_functional(selector: str) -> str:
    """The selector without attribute tests, strings and the arguments of functional pseudo-classes."""
    out: list[str] = []
    depth = 0
    i = 0
    while i < len(selector):
        ch = selector[i]
        if ch == "\\" and i + 1 < len(selector):
            if depth == 0:
                out.append(selector[i:i + 2])
            i += 2
            continue
        if ch in "([":
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
        elif depth == 0:
            out.append(ch)
        i += 1
    return "".join(out)


_NAME = re.compile(r"([.#])((?:[\w-]|\\.)+)")


def selector_needs(selector: str) -> list[str]:
    """The class and id names a compound selector needs (outside :not(), :is() and the like)."""
    return [re.sub(r"\\(.)", r"\1", m.group(2)) for m in _NAME.finditer(_strip_functional(selector))]


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, cur = [], 0, []
    for ch in prelude:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(cur).strip())
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur).strip())
    return [p for p in parts if p]


class _Used:
    def __init__(self, names: set[str]):
        self.names = names
        self.prefixes = tuple(n for n in names if n.endswith("-") and len(n) > 2)

    def __contains__(self, name: str) -> bool:
        return name in self.names or name.startswith(self.prefixes)


def _purge_rules(rules: Iterable[Any], used: _Used) -> str:
    import tinycss2

    out: list[str] = []
    for rule in rules:
        kind = getattr(rule, "type", "")
        if kind == "qualified-rule":
            kept = [s for s in _split_selectors(tinycss2.serialize(rule.prelude))
                    if all(name in used for name in selector_needs(s))]
            if kept:
                out.append(",".join(kept) + "{" + tinycss2.serialize(rule.content) + "}")
        elif kind == "at-rule":
            keyword = rule.lower_at_keyword
            if rule.content is not None and keyword in ("media", "supports", "layer", "container", "document"):
                inner = _purge_rules(tinycss2.parse_rule_list(rule.content, skip_comments=True,
                                                              skip_whitespace=True), used)
                if inner:
                    out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{inner}}}")
            else:
                out.append(rule.serialize())
        elif kind == "comment" and rule.value.startswith("!"):
            out.append(f"/*{rule.value}*/\n")  # licence notices stay
    return "".join(out)


def purge_css(css: str, used: set[str] | _Used) -> str:
    import tinycss2

    names = used if isinstance(used, _Used) else _Used(used)
    rules = tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=True)
    return _purge_rules(rules, names)


def purge_theme_css(app: Any, exception: Exception | None) -> None:
    if exception is not None or app.builder.name not in HTML_BUILDERS:
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    if not static.is_dir():
        return
    used = _Used(used_names(outdir))
    cache_dir = Path(app.doctreedir) / "her2course-css"
    cache_dir.mkdir(parents=True, exist_ok=True)
    stamp = hashlib.sha256("\n".join(sorted(used.names)).encode()).hexdigest()[:16]
    for css_file in sorted(static.rglob("*.css")):
        if css_file.name in _OWN_CSS:
            continue
        source = css_file.read_bytes()
        key = hashlib.sha256(source).hexdigest()[:16] + "-" + stamp
        cached = cache_dir / f"{css_file.name}.{key}"
        if cached.is_file():
            css_file.write_bytes(cached.read_bytes())
            continue
        purged = purge_css(source.decode("utf-8"), used).encode("utf-8")
        css_file.write_bytes(purged)
        for old in cache_dir.glob(f"{css_file.name}.*"):
            old.unlink()
        cached.write_bytes(purged)
