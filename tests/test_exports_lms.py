"""Round trips: parse each LMS export back (QTI zip, Moodle XML, GIFT) and compare with the bank."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from her2course.exports import Filters, select
from her2course.exports.cli import build
from her2course.quiz import markup
from her2course.quiz.schema import BLANK, Cloze, Matrix, Numeric, Ordered, Sata, Single

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _plain(html_text: str) -> str:
    """Text of HTML, with typographic quotes made straight (text2qti's Markdown adds them)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_text or "")).split()).translate(QUOTES)


def _p(text: str) -> str:
    return " ".join(markup.plain(text).split()).translate(QUOTES)


@pytest.fixture(scope="module")
def everything():
    return select(Filters())


# ------------------------------------------------------------------------------------------------ Canvas

@pytest.fixture(scope="module")
def canvas(tmp_path_factory, everything):
    out = tmp_path_factory.mktemp("canvas") / "quiz.zip"
    report = build(everything, "canvas", out, quiet=True)
    return out, report


def test_canvas_package_structure(canvas, everything):
    out, report = canvas
    by_id = {e.id: e for e in everything.entries}
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        manifest = ET.fromstring(zf.read("imsmanifest.xml"))
        ns = "{http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1}"
        hrefs = [f.get("href") for f in manifest.iter(f"{ns}file")]
        assert hrefs and all(h in names for h in hrefs)
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in zf.infolist())
        meta = next(n for n in names if n.endswith("assessment_meta.xml"))
        assert f"<points_possible>{sum(by_id[i].max for i in report.exported)}.0</points_possible>" in \
            zf.read(meta).decode()


def _items(out: Path) -> dict[str, ET.Element]:
    with zipfile.ZipFile(out) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".xml") and "assessment_meta" not in n
                    and n != "imsmanifest.xml")
        root = ET.fromstring(zf.read(name))
    return {el.get("title"): el for el in root.iter(f"{QTI}item")}


def _field(el: ET.Element, label: str) -> str:
    for f in el.iter(f"{QTI}qtimetadatafield"):
        if f.find(f"{QTI}fieldlabel").text == label:
            return f.find(f"{QTI}fieldentry").text or ""
    raise KeyError(label)


def _labels(lid: ET.Element) -> dict[str, str]:
    return {lab.get("ident"): _plain(lab.find(f".//{QTI}mattext").text)
            for lab in lid.iter(f"{QTI}response_label")}


def _scored(el: ET.Element) -> dict[str, list[str]]:
    """respident -> the label idents whose selection sets or adds score."""
    out: dict[str, list[str]] = {}
    for cond in el.iter(f"{QTI}respcondition"):
        setvar = cond.find(f"{QTI}setvar")
        if setvar is None:
            continue
        negated = {id(v) for n in cond.iter(f"{QTI}not") for v in n.iter(f"{QTI}varequal")}
        for v in cond.iter(f"{QTI}varequal"):
            if id(v) not in negated:
                out.setdefault(v.get("respident"), []).append(v.text)
    return out


def test_canvas_round_trip(canvas, everything):
    out, report = canvas
    items = _items(out)
    assert list(items) == report.exported
    assert set(report.skipped) == {e.id for e in everything.entries if e.item.type == "bowtie"}
    for e in everything.entries:
        if e.id not in items:
            continue
        el, item = items[e.id], e.item
        assert float(_field(el, "points_possible")) == e.max
        stem = _plain(el.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text)
        lids = el.findall(f"{QTI}presentation/{QTI}response_lid")
        scored = _scored(el)
        if isinstance(item, Single | Sata):
            assert _field(el, "question_type") == ("multiple_choice_question" if isinstance(item, Single)
                                                   else "multiple_answers_question")
            assert _p(item.stem)[:40] in stem
            labels = _labels(lids[0])
            right = {labels[i] for i in scored["response1"]}
            assert right == {_p(o.text) for o in item.options if o.correct}
            assert sorted(labels.values()) == sorted(_p(o.text) for o in item.options)
        elif isinstance(item, Numeric):
            assert _field(el, "question_type") == "numerical_question"
            lo = float(el.find(f".//{QTI}vargte").text)
            hi = float(el.find(f".//{QTI}varlte").text)
            a = item.answer
            assert lo == pytest.approx(a.value - a.tolerance, abs=1e-4)
            assert hi == pytest.approx(a.value + a.tolerance, abs=1e-4)
        elif isinstance(item, Matrix):
            assert _field(el, "question_type") == "matching_question"
            columns = {c.id: _p(c.text) for c in item.columns}
            got = {_plain(lid.find(f"{QTI}material/{QTI}mattext").text): _labels(lid)[scored[lid.get("ident")][0]]
                   for lid in lids}
            assert got == {_p(r.text): columns[r.answer] for r in item.rows}
        elif isinstance(item, Ordered):
            assert _field(el, "question_type") == "matching_question"
            got = {_plain(lid.find(f"{QTI}material/{QTI}mattext").text): _labels(lid)[scored[lid.get("ident")][0]]
                   for lid in lids}
            for pos, o in enumerate(item.options, start=1):
                assert got[_p(o.text)].startswith(f"Position {pos}")
        elif isinstance(item, Cloze):
            assert _field(el, "question_type") == "multiple_dropdowns_question"
            for b in item.blanks:
                var = re.sub(r"[^A-Za-z0-9_]", "_", b.id)
                assert f"[{var}]" in stem
                lid = next(x for x in lids if x.get("ident") == f"response_{var}")
                labels = _labels(lid)
                assert [labels[i] for i in scored[f"response_{var}"]] == [_p(o.text) for o in b.options if o.correct]


# ------------------------------------------------------------------------------------------------ Moodle

@pytest.fixture(scope="module")
def moodle(tmp_path_factory, everything):
    out = tmp_path_factory.mktemp("moodle") / "quiz.xml"
    report = build(everything, "moodle-xml", out, quiet=True)
    return ET.parse(out).getroot(), report


def test_moodle_round_trip(moodle, everything):
    root, report = moodle
    questions = {q.findtext("name/text"): q for q in root.findall("question") if q.get("type") != "category"}
    cat = root.find("question[@type='category']")
    assert cat.findtext("category/text").endswith(everything.id)
    assert list(questions) == report.exported
    assert set(report.skipped) == {e.id for e in everything.entries if e.item.type == "bowtie"}
    for e in everything.entries:
        if e.id not in questions:
            continue
        q, item = questions[e.id], e.item
        assert float(q.findtext("defaultgrade")) == e.max
        answers = q.findall("answer")
        if isinstance(item, Single | Sata):
            assert q.get("type") == "multichoice"
            assert q.findtext("single") == ("true" if isinstance(item, Single) else "false")
            got = {_plain(a.findtext("text")): float(a.get("fraction")) for a in answers}
            c = sum(o.correct for o in item.options)
            for o in item.options:
                if isinstance(item, Single):
                    assert got[_p(o.text)] == (100 if o.correct else 0)
                else:
                    assert got[_p(o.text)] == pytest.approx((100 if o.correct else -100) / c, abs=1e-4)
                fb = next(a for a in answers if _plain(a.findtext("text")) == _p(o.text)).findtext("feedback/text")
                assert _plain(fb) == _p(o.rationale)
            # Moodle: sum of ticked fractions, clamped to 0..100 % == the course's +/- rule
            if isinstance(item, Sata):
                from her2course.quiz.grading import grade

                for picked in ([o.id for o in item.options], [o.id for o in item.options if o.correct][:1]):
                    moodle_score = max(0.0, min(100.0, sum(got[_p(o.text)] for o in item.options
                                                          if o.id in picked))) / 100 * e.max
                    assert moodle_score == pytest.approx(grade(item, picked).score, abs=1e-3)
        elif isinstance(item, Numeric):
            assert q.get("type") == "numerical"
            first = answers[0]
            assert float(first.get("fraction")) == 100
            assert float(first.findtext("text")) == pytest.approx(item.answer.value)
            assert float(first.findtext("tolerance")) == pytest.approx(item.answer.tolerance)
            assert [float(a.findtext("text")) for a in answers[1:]] == [d.value for d in item.distractors]
            units = [u.findtext("unit_name") for u in q.findall("units/unit")]
            if item.answer.unit:
                assert units[0] == item.answer.unit and set(item.answer.unit_aliases) <= set(units)
        elif isinstance(item, Matrix):
            assert q.get("type") == "matching"
            columns = {c.id: _p(c.text) for c in item.columns}
            subs = [(_plain(s.findtext("text")), s.findtext("answer/text")) for s in q.findall("subquestion")]
            assert [s for s in subs if s[0]] == [(_p(r.text), columns[r.answer]) for r in item.rows]
            assert {a for _, a in subs} == set(columns.values())
        elif isinstance(item, Cloze):
            assert q.get("type") == "cloze"
            text = q.findtext("questiontext/text")
            markers = re.findall(r"\{1:MULTICHOICE:((?:\\.|[^}])*)\}", text)
            assert len(markers) == len(item.blanks) == len(BLANK.findall(item.text))
            for marker, b in zip(markers, item.blanks, strict=True):
                options = re.split(r"(?<!\\)~", marker)
                right = [html.unescape(re.split(r"(?<!\\)#", o)[0][1:]).replace("\\", "") for o in options
                         if o.startswith("=")]
                assert right == [_p(o.text) for o in b.options if o.correct]
                assert len(options) == len(b.options)
        elif isinstance(item, Ordered):
            assert q.get("type") == "ordering"
            assert q.findtext("gradingtype") == "ALL_OR_NOTHING"
            assert [_plain(a.findtext("text")) for a in answers] == [_p(o.text) for o in item.options]


# -------------------------------------------------------------------------------------------------- GIFT

def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _split(text: str, seps: str) -> list[str]:
    """Split on unescaped separator characters, keeping each separator at the start of its part."""
    parts, cur, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur += text[i:i + 2]
            i += 2
            continue
        if ch in seps:
            if cur.strip():
                parts.append(cur.strip())
            cur = ch
        else:
            cur += ch
        i += 1
    if cur.strip():
        parts.append(cur.strip())
    return parts


def parse_gift(source: str) -> dict[str, dict]:
    """A small GIFT reader for what the exporter writes: ::title:: [html]text{answers}tail."""
    out: dict[str, dict] = {}
    for block in re.split(r"\n\s*\n", source):
        lines = [ln for ln in block.splitlines() if not ln.startswith("//") and ln.strip()]
        if not lines or lines[0].startswith("$CATEGORY"):
            continue
        body = " ".join(lines)
        m = re.match(r"::((?:\\.|[^:])*)::(\[html\])?(.*)$", body)
        assert m, body[:80]
        title, rest = _unescape(m.group(1)), m.group(3)
        start, end = None, None
        i = 0
        while i < len(rest):
            if rest[i] == "\\":
                i += 2
                continue
            if rest[i] == "{":
                start = i
            elif rest[i] == "}":
                end = i
                break
            i += 1
        assert start is not None and end is not None, title
        answers = rest[start + 1:end]
        general = ""
        if "####" in answers:
            answers, general = answers.split("####", 1)
        q = {"text": _unescape(rest[:start]), "tail": _unescape(rest[end + 1:]), "general": _unescape(general),
             "answers": []}
        if answers.startswith("#"):
            q["kind"] = "numeric"
            for part in _split(answers[1:], "="):
                weight = 100.0
                part = part[1:]
                wm = re.match(r"%(-?[0-9.]+)%", part)
                if wm:
                    weight, part = float(wm.group(1)), part[wm.end():]
                value, _, fb = part.partition("#")
                v, _, tol = value.partition(":")
                q["answers"].append({"value": float(v), "tolerance": float(tol), "weight": weight,
                                     "feedback": _unescape(fb)})
        elif "->" in answers:
            q["kind"] = "matching"
            for part in _split(answers, "="):
                left, _, right = part[1:].partition("->")
                q["answers"].append({"left": _unescape(left).strip(), "right": _unescape(right).strip()})
        else:
            q["kind"] = "choice"
            for part in _split(answers, "=~"):
                mark, part = part[0], part[1:]
                weight = 100.0 if mark == "=" else 0.0
                wm = re.match(r"%(-?[0-9.]+)%", part)
                if wm:
                    weight, part = float(wm.group(1)), part[wm.end():]
                text, _, fb = _split_feedback(part)
                q["answers"].append({"text": _unescape(text), "weight": weight, "feedback": _unescape(fb)})
        out[title] = q
    return out


def _split_feedback(part: str) -> tuple[str, str, str]:
    i = 0
    while i < len(part):
        if part[i] == "\\":
            i += 2
            continue
        if part[i] == "#":
            return part[:i], "#", part[i + 1:]
        i += 1
    return part, "", ""


def test_gift_round_trip(tmp_path: Path, everything):
    out = tmp_path / "quiz.gift"
    report = build(everything, "gift", out, quiet=True)
    source = out.read_text(encoding="utf-8")
    assert "\n\n\n" not in source
    parsed = parse_gift(source)
    assert list(parsed) == report.exported
    assert set(report.exported) | set(report.skipped) == set(everything.item_ids)
    for e in everything.entries:
        if e.id not in parsed:
            continue
        q, item = parsed[e.id], e.item
        if isinstance(item, Single | Sata):
            assert q["kind"] == "choice" and _p(item.stem)[:40] in _plain(q["text"])
            c = sum(o.correct for o in item.options)
            for o, a in zip(item.options, q["answers"], strict=True):
                assert _plain(a["text"]) == _p(o.text)
                assert _plain(a["feedback"]) == _p(o.rationale)
                want = (100 if o.correct else 0) if isinstance(item, Single) else (100 if o.correct else -100) / c
                assert a["weight"] == pytest.approx(want, abs=1e-4)
            assert _plain(q["general"]) == _p(item.explanation)
        elif isinstance(item, Numeric):
            assert q["kind"] == "numeric"
            first = q["answers"][0]
            assert (first["value"], first["tolerance"], first["weight"]) == \
                (pytest.approx(item.answer.value), pytest.approx(item.answer.tolerance), 100)
            assert [a["value"] for a in q["answers"][1:]] == [d.value for d in item.distractors]
            assert all(a["weight"] == 0 for a in q["answers"][1:])
        elif isinstance(item, Matrix):
            columns = {c.id: _p(c.text) for c in item.columns}
            assert [(a["left"], a["right"]) for a in q["answers"]] == [(_p(r.text), columns[r.answer])
                                                                      for r in item.rows]
        elif isinstance(item, Cloze):
            assert len(item.blanks) == 1
            assert [a["weight"] for a in q["answers"]] == [100 if o.correct else 0 for o in item.blanks[0].options]
        else:
            pytest.fail(f"{e.id}: {item.type} should have been skipped")


def test_gift_escapes_special_characters():
    from her2course.exports.gift import escape

    assert escape("a = b ~ c # d { e } f : g \\ h") == "a \\= b \\~ c \\# d \\{ e \\} f \\: g \\\\ h"
    assert escape("two\n\nparagraphs") == "two paragraphs"
