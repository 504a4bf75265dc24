"""No script from data: hostile strings in every text field of a copy of the banks, and in the assignment title,
must come out of every export format as text, never as live markup.

One item of each type is copied from the real banks and every field a learner or instructor may see (stems,
options, rationales, explanations, units, rounding rules, labels, rows, columns, the passage around the blanks,
outcomes, tags, references) gets the payloads appended. Each format is then read the way its consumer reads it
(Canvas: the HTML fields of the QTI package; Moodle XML: every text, and each Cloze answer after Moodle's own
decoding; GIFT: the [html] text after GIFT's unescaping; paper: the HTML documents the PDF is printed from;
notebook: the Markdown cells rendered with raw HTML allowed, as Jupyter does, and the code cells' Python) and
scanned for tags outside the course's allow-list, event-handler attributes and javascript: URLs.
"""

from __future__ import annotations

import ast
import html
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from moodle_cloze import read_cloze

from her2course.exports import all_entries, from_ids
from her2course.exports.cli import build
from her2course.exports.paper import key_html, student_html
from her2course.exports.selection import Entry
from her2course.quiz import forms, markup
from her2course.quiz.bank import Bank
from her2course.quiz.schema import ITEM_TYPES, MODELS, Numeric

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(2)>",
    '<iframe srcdoc="<script>alert(3)</script>"></iframe>',
    "[a link](javascript:alert(4))",
    "<javascript:alert(5)>",
    '<a href="javascript:alert(6)">x</a>',
    "<script>alert(7)</script>",
    '<p onclick="alert(8)">y</p>',
    "&lt;img src=x onerror=alert(9)&gt;",                 # escaped once already: must not be unescaped into a tag
]
HOSTILE = " ".join(PAYLOADS)
DANGEROUS = {"script", "iframe", "frame", "frameset", "svg", "math", "img", "object", "embed", "base", "form",
             "input", "button", "link", "audio", "video", "source", "template", "noscript"}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


class _Scanner(HTMLParser):
    def __init__(self, allowed: set[str] | None) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in DANGEROUS or (self.allowed is not None and tag not in self.allowed):
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "srcdoc":
                self.found.append(f"{tag}[{name}]")
            url = re.sub(r"[\s\x00-\x1f]", "", html.unescape(value or "")).lower()
            if name in URL_ATTRS and url.startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"{tag}[{name}={value}]")

    handle_startendtag = handle_starttag


def live_markup(text: str, allowed: set[str] | None = markup.TAGS) -> list[str]:
    """Live tags, event handlers and script URLs in HTML (a fragment: only the course's allow-list of tags)."""
    s = _Scanner(allowed)
    s.feed(text)
    s.close()
    return s.found


def test_scanner_finds_what_it_must():
    import markdown  # Python-Markdown, the one text2qti uses: it passes raw HTML through and keeps script links

    for p in PAYLOADS:
        assert live_markup(markdown.markdown(html.unescape(p))), p
    assert not live_markup(markup.block(HOSTILE))            # the course's own renderer is the reference
    assert not live_markup(html.escape(HOSTILE))


# ------------------------------------------------------------------------------------------ the hostile bank

def _poison(value, key: str = ""):
    """Append the payloads to every free-text field (ids and numbers stay as they are)."""
    if isinstance(value, dict):
        return {k: _poison(v, k) for k, v in value.items()}
    if isinstance(value, list):
        if key in ("reference", "tags", "unit_aliases"):
            return [*value, HOSTILE]
        return [_poison(v) for v in value]
    if isinstance(value, str) and key in ("stem", "explanation", "text", "rationale", "label", "rounding",
                                          "learning_outcome"):
        return f"{value} {HOSTILE}"
    if isinstance(value, str) and key == "unit" and value:
        return f"{value}{PAYLOADS[1]}"
    return value


@pytest.fixture(scope="module")
def hostile():
    """An assignment of poisoned items (every type, every GIFT shape), with a poisoned title."""
    from her2course.exports.gift import question

    pool = all_entries()
    wanted = {"numeric": lambda e: e.item.answer.unit,           # a unit, to poison
              "matrix": lambda e: question(e)[0] is not None}    # one GIFT can write
    sources = [next(e for e in pool if e.item.type == kind and wanted.get(kind, bool)(e)) for kind in ITEM_TYPES]
    # a parametric item's texts are templates, filled in per form: poison the templates (what every form shows)
    datas = [(forms.authored(s.item) if isinstance(s.item, Numeric) else s.item).model_dump() for s in sources]
    # a cloze with one blank (GIFT's "missing word"), so that every GIFT writer meets the payloads
    one = {**datas[ITEM_TYPES.index("cloze")], "id": "hostile-one-blank"}
    first, *others = one["blanks"]
    for b in others:
        one["text"] = one["text"].replace("{{" + b["id"] + "}}", next(o["text"] for o in b["options"] if o["correct"]))
    datas.append({**one, "blanks": [first]})
    entries = []
    for data in datas:
        kind = data["type"]
        data = _poison(data)
        for c in data.get("columns", []):    # Moodle stores 255 characters of a matching answer: two payloads fit
            c["text"] = c["text"].replace(HOSTILE, f"{PAYLOADS[0]} {PAYLOADS[-1]}")
        item = MODELS[kind].model_validate(data)
        bank = Bank(Path("hostile.yaml"), "09-hostile", HOSTILE, {item.learning_outcome: HOSTILE}, (item,))
        entries.append(Entry(item, bank))
    return from_ids([e.id for e in entries], title=f"Quiz {HOSTILE}", entries=entries)


def _reached(texts: list[str]) -> bool:
    """The payloads did reach the output (as text), so a clean scan means something."""
    return any("alert(1)" in html.unescape(t) for t in texts)


# ---------------------------------------------------------------------------------------- format by format

def test_canvas_package_is_clean(tmp_path: Path, hostile):
    out = tmp_path / "q.zip"
    report = build(hostile, "canvas", out, quiet=True)
    assert report.exported == hostile.item_ids
    found, texts = [], []
    with zipfile.ZipFile(out) as zf:
        for name in zf.namelist():
            if not name.endswith(".xml"):
                continue
            root = ET.fromstring(zf.read(name))           # the markup of the package itself is intact
            for el in root.iter():
                local = el.tag.rsplit("}", 1)[-1]
                assert local not in DANGEROUS, f"{name}: element {local}"
                if el.text and (el.get("texttype") == "text/html" or local == "description"):
                    found += [f"{name} {local}: {f}" for f in live_markup(el.text)]
                    texts.append(el.text)
    assert _reached(texts)
    assert not found


def test_moodle_xml_is_clean(tmp_path: Path, hostile):
    out = tmp_path / "q.xml"
    report = build(hostile, "moodle-xml", out, quiet=True)
    assert report.exported == hostile.item_ids
    root = ET.parse(out).getroot()
    found, texts = [], []
    assert "<" not in "".join(c.text or "" for c in root.iter() if c.tag is ET.Comment)
    for q in root.iter("question"):
        for el in q.iter():
            assert el.tag not in DANGEROUS
        for el in q.iter("text"):
            value = el.text or ""
            texts.append(value)
            found += [f"{q.findtext('name/text')}: {f}" for f in live_markup(value)]
            if q.get("type") == "cloze" and el is q.find("questiontext/text"):
                parts, _ = read_cloze(value)             # what Moodle stores after decoding each answer
                assert parts
                for part in parts:
                    for _, answer, feedback in part.answers:
                        found += [f"cloze answer: {f}" for f in live_markup(answer) + live_markup(feedback)]
    assert _reached(texts)
    assert not found


def _gift_unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def test_gift_is_clean(tmp_path: Path, hostile):
    out = tmp_path / "q.gift"
    build(hostile, "gift", out, quiet=True)
    found, texts = [], []
    for block in out.read_text(encoding="utf-8").split("\n\n"):
        body = "\n".join(ln for ln in block.splitlines() if not ln.startswith("//"))
        assert "\n" not in body.strip(), "a question spans several lines"
        if "[html]" in body:
            text = _gift_unescape(body.split("[html]", 1)[1])
            texts.append(text)
            found += live_markup(text)
    assert len(texts) >= 5 and _reached(texts)
    assert not found


def test_paper_and_key_are_clean(tmp_path: Path, hostile):
    build(hostile, "html", tmp_path / "s.html", tmp_path / "k.html", quiet=True)
    documents = [(tmp_path / "s.html").read_text(encoding="utf-8"), (tmp_path / "k.html").read_text(encoding="utf-8"),
                 student_html(hostile), key_html(hostile)]            # what the PDF export prints
    assert _reached(documents)
    for doc in documents:
        assert not live_markup(doc, allowed=None)


def test_notebook_is_clean(tmp_path: Path, hostile):
    out = tmp_path / "q.ipynb"
    build(hostile, "notebook", out, quiet=True)
    nb = json.loads(out.read_text(encoding="utf-8"))
    md = MarkdownIt("commonmark", {"html": True})         # Jupyter renders raw HTML in Markdown cells
    rendered = [md.render("".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert _reached(rendered)
    for text in rendered:
        assert not live_markup(text, allowed=None)
    for cell in (c for c in nb["cells"] if c["cell_type"] == "code"):
        tree = ast.parse("".join(cell["source"]))     # the title stays inside a string literal
        calls = {n.func.id for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
        assert calls <= {"assignment_quiz", "hand_in"}
