"""Round trips: parse each LMS export back (QTI zip, Moodle XML, GIFT) and compare with the bank; and the
regressions found by importing the exports into a real Moodle (see tools/moodle/check.py), pinned in the text."""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from moodle_cloze import read_cloze

from her2course.exports import Filters, select
from her2course.exports.cli import build
from her2course.quiz import markup
from her2course.quiz.grading import grade
from her2course.quiz.schema import (
    BLANK,
    Bowtie,
    Cloze,
    DropdownRationale,
    Highlight,
    Matrix,
    MatrixMulti,
    Numeric,
    Ordered,
    Sata,
    Single,
)
from her2course.quiz.shuffle import shuffled

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


def _titles(e) -> list[str]:
    from her2course.exports.canvas import bowtie_title, row_title

    if isinstance(e.item, Bowtie):
        return [bowtie_title(e.item, k) for k in range(1, len(e.item.groups) + 1)]
    if isinstance(e.item, MatrixMulti):
        return [row_title(e.item, k) for k in range(1, len(e.item.rows) + 1)]
    return [e.id]


def _label_order(lid: ET.Element) -> list[str]:
    return [_plain(lab.find(f".//{QTI}mattext").text) for lab in lid.iter(f"{QTI}response_label")]


def test_canvas_round_trip(canvas, everything):
    out, report = canvas
    items = _items(out)
    assert report.exported == everything.item_ids and not report.skipped
    assert list(items) == [t for e in everything.entries for t in _titles(e)]
    for e in everything.entries:
        if isinstance(e.item, Bowtie | MatrixMulti):
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
            # in the course's display order (Canvas does not shuffle them again)
            assert _label_order(lids[0]) == [_p(o.text) for o in shuffled(item.id, item.options)]
        elif isinstance(item, Highlight):
            assert _field(el, "question_type") == "multiple_answers_question"
            assert "Canvas has no highlight question" in report.notes[e.id]
            labels = _labels(lids[0])
            assert _label_order(lids[0]) == [_p(text) for _, text, _, _ in item.parts()]
            assert {labels[i] for i in scored["response1"]} == {_p(text) for _, text, ok, _ in item.parts() if ok}
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
            assert ".:" not in _plain(_general_feedback(el))
        elif isinstance(item, Cloze | DropdownRationale):
            assert _field(el, "question_type") == "multiple_dropdowns_question"
            if isinstance(item, DropdownRationale):
                assert "NCSBN's rationale scoring" in report.notes[e.id]
            for b in item.blanks:
                var = re.sub(r"[^A-Za-z0-9_]", "_", b.id)
                assert f"[{var}]" in stem
                lid = next(x for x in lids if x.get("ident") == f"response_{var}")
                labels = _labels(lid)
                assert [labels[i] for i in scored[f"response_{var}"]] == [_p(o.text) for o in b.options if o.correct]
                assert _label_order(lid) == [_p(o.text) for o in shuffled(item.id, b.options, b.id)]
        if item.data is not None:  # a trend item: its table follows the stem
            assert _p(item.data.caption) in stem and _p(item.data.columns[-1]) in stem


def _general_feedback(el: ET.Element) -> str:
    fb = el.find(f"{QTI}itemfeedback[@ident='general_fb']")
    return fb.find(f".//{QTI}mattext").text


def test_canvas_bowtie_parts(canvas, everything):
    """A bow-tie is one question per group, worth its number of choices, scored on the group's right options."""
    out, report = canvas
    items = _items(out)
    bowties = [e for e in everything.entries if isinstance(e.item, Bowtie)]
    assert bowties
    for e in bowties:
        assert "Canvas cannot require exactly N choices" in report.notes[e.id]
        total = 0.0
        for g, title in zip(e.item.groups, _titles(e), strict=True):
            el = items[title]
            assert _field(el, "question_type") == ("multiple_choice_question" if g.choose == 1
                                                   else "multiple_answers_question")
            total += float(_field(el, "points_possible"))
            assert float(_field(el, "points_possible")) == g.choose
            stem = _plain(el.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text)
            assert _p(e.item.stem)[:40] in stem and f"{_p(g.label)}: choose {g.choose}" in stem
            labels = _labels(el.find(f"{QTI}presentation/{QTI}response_lid"))
            right = {labels[i] for i in _scored(el)["response1"]}
            assert right == {_p(o.text) for o in g.options if o.correct}
        assert total == e.max


def test_canvas_matrix_multi_rows(canvas, everything):
    """A multiple-response matrix is one multiple-answers question per row, worth that row's right columns."""
    out, report = canvas
    items = _items(out)
    multis = [e for e in everything.entries if isinstance(e.item, MatrixMulti)]
    assert multis
    for e in multis:
        assert "one per row" in report.notes[e.id]
        total = 0.0
        for r, title in zip(e.item.rows, _titles(e), strict=True):
            el = items[title]
            assert _field(el, "question_type") == "multiple_answers_question"
            assert float(_field(el, "points_possible")) == len(r.answers)
            total += len(r.answers)
            lid = el.find(f"{QTI}presentation/{QTI}response_lid")
            labels = _labels(lid)
            assert _label_order(lid) == [_p(c.text) for c in e.item.columns]      # a logical scale: not shuffled
            cols = {c.id: _p(c.text) for c in e.item.columns}
            assert {labels[i] for i in _scored(el)["response1"]} == {cols[a] for a in r.answers}
        assert total == e.max


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
    assert list(questions) == report.exported == everything.item_ids and not report.skipped
    for e in everything.entries:
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
            units = [html.unescape(u.findtext("unit_name")) for u in q.findall("units/unit")]
            if item.answer.unit:
                assert units[0] == item.answer.unit
                assert {"".join(u.split()) for u in item.answer.unit_aliases} <= set(units)
        elif isinstance(item, Matrix):
            assert q.get("type") == "matching"
            columns = {c.id: _p(c.text) for c in item.columns}
            subs = [(_plain(s.findtext("text")), _plain(s.findtext("answer/text"))) for s in q.findall("subquestion")]
            assert [s for s in subs if s[0]] == [(_p(r.text), columns[r.answer]) for r in item.rows]
            assert {a for _, a in subs} == set(columns.values())
        elif isinstance(item, Cloze | DropdownRationale):
            assert q.get("type") == "cloze"
            parts, rest = read_cloze(q.findtext("questiontext/text"))
            blanks = {b.id: b for b in item.blanks}
            in_text = [blanks[m.group(1)] for m in BLANK.finditer(item.text)]
            assert len(parts) == len(in_text) and "{" not in re.sub(r"\{#[0-9]+\}", "", rest)
            for part, b in zip(parts, in_text, strict=True):
                # Moodle shuffles each drop-down; a drop-down rationale's claim carries no mark, each reason one
                claim = isinstance(item, DropdownRationale) and b.id == item.blanks[0].id
                assert (part.kind, part.weight) == ("MULTICHOICE_S", 0 if claim else 1)
                assert [(f, _plain(a), _plain(fb)) for f, a, fb in part.answers] == \
                    [(float(o.correct), _p(o.text), _p(o.rationale)) for o in shuffled(item.id, b.options, b.id)]
        elif isinstance(item, Bowtie):
            assert q.get("type") == "cloze"
            parts, _ = read_cloze(q.findtext("questiontext/text"))
            assert sum(p.weight for p in parts) == e.max
            for part, g in zip(parts, item.groups, strict=True):
                assert part.kind == ("MULTICHOICE_VS" if g.choose == 1 else "MULTIRESPONSE_S")
                assert part.weight == g.choose
                shown = shuffled(item.id, g.options, g.id)
                assert [_plain(a) for _, a, _ in part.answers] == [_p(o.text) for o in shown]
        elif isinstance(item, Ordered):
            assert q.get("type") == "ordering"
            assert q.findtext("gradingtype") == "ALL_OR_NOTHING"
            assert [_plain(a.findtext("text")) for a in answers] == [_p(o.text) for o in item.options]
        elif isinstance(item, Highlight):
            assert q.get("type") == "multichoice" and q.findtext("single") == "false"
            assert q.findtext("shuffleanswers") == "false"          # the parts stay in reading order
            parts = item.parts()
            assert [_plain(a.findtext("text")) for a in answers] == [_p(text) for _, text, _, _ in parts]
            c = e.max
            assert [float(a.get("fraction")) for a in answers] == \
                [pytest.approx((100 if ok else -100) / c, abs=1e-4) for _, _, ok, _ in parts]
        elif isinstance(item, MatrixMulti):
            assert q.get("type") == "cloze"
            parts, _ = read_cloze(q.findtext("questiontext/text"))
            assert [(p.kind, p.weight) for p in parts] == [("MULTIRESPONSE", len(r.answers)) for r in item.rows]
            for part, r in zip(parts, item.rows, strict=True):
                c = len(r.answers)
                assert [(_plain(a), f) for f, a, _ in part.answers] == \
                    [(_p(col.text), pytest.approx((1 if col.id in r.answers else -1) / c, abs=1e-3))
                     for col in item.columns]
        if isinstance(item, Single | Sata):
            shown = [_plain(a.findtext("text")) for a in answers]
            assert shown == [_p(o.text) for o in shuffled(item.id, item.options)]
        if item.data is not None:
            assert _p(item.data.caption) in _plain(q.findtext("questiontext/text"))


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
            for o, a in zip(shuffled(item.id, item.options), q["answers"], strict=True):
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
            assert [(_plain(a["left"]), _plain(a["right"])) for a in q["answers"]] == \
                [(_p(r.text), columns[r.answer]) for r in item.rows]
        elif isinstance(item, Cloze):
            assert len(item.blanks) == 1
            b = item.blanks[0]
            shown = shuffled(item.id, b.options, b.id)
            assert [a["weight"] for a in q["answers"]] == [100 if o.correct else 0 for o in shown]
        elif isinstance(item, Highlight):
            c = e.max
            assert [(_plain(a["text"]), a["weight"]) for a in q["answers"]] == \
                [(_p(text), pytest.approx((100 if ok else -100) / c, abs=1e-4)) for _, text, ok, _ in item.parts()]
        else:
            pytest.fail(f"{e.id}: {item.type} should have been skipped")


def test_gift_escapes_special_characters():
    from her2course.exports.gift import escape

    assert escape("a = b ~ c # d { e } f : g \\ h") == "a \\= b \\~ c \\# d \\{ e \\} f \\: g \\\\ h"
    assert escape("two\n\nparagraphs") == "two paragraphs"


# ------------------------------------------------------------------- regressions found in a real Moodle (issue 13)

def _entry(data: dict, outcomes: dict | None = None):
    """An Entry for a hand-written item (validated by the course's schema) in a one-item bank."""
    from her2course.exports.selection import Entry
    from her2course.quiz.bank import Bank
    from her2course.quiz.schema import MODELS

    base = {"explanation": "Why the answer is right.", "learning_outcome": "LO1.1", "cjmm_step": "analyze_cues",
            "difficulty": "easy", "reference": ["wolff2018"]}
    item = MODELS[data["type"]].model_validate({**base, **data})
    bank = Bank(Path("test.yaml"), "01-test", "Test", outcomes or {"LO1.1": "An outcome."}, (item,))
    return Entry(item, bank)


def _one(entries, fmt: str, tmp_path: Path, **kw):
    from her2course.exports import from_ids

    a = from_ids([e.id for e in entries], entries=entries, **kw)
    out = tmp_path / f"quiz.{fmt}"
    report = build(a, fmt, out, quiet=True)
    return out, report


def test_moodle_ordering_has_shownumcorrect(moodle):
    """Moodle's ordering importer stores empty hints without a format when <shownumcorrect> is absent, and
    PostgreSQL refuses them: the import stopped at the first ordering question (4 of 137 imported)."""
    root, _ = moodle
    ordering = root.findall("question[@type='ordering']")
    assert ordering
    for q in ordering:
        assert q.findtext("shownumcorrect") == "1" and q.find("hint") is None


TRICKY = ["PI3K/AKT", '"ado-"', "a ~ b", "step #1", "{1:MULTICHOICE:=x~y}", "back\\slash", "R&D", "x } y"]


def test_moodle_cloze_escapes_only_what_moodle_reads(tmp_path: Path):
    """Moodle keeps a backslash before / or " in a Cloze answer or feedback: nothing may come back with one."""
    options = [{"id": f"o{i}", "text": t, "correct": i == 0, "rationale": f"Because {t} matters."}
               for i, t in enumerate(TRICKY)]
    e = _entry({"id": "cloze-tricky", "type": "cloze", "stem": "A stem with {1:MULTICHOICE:=a~b} in it.",
                "text": "Signals go through {{b1}} then {{b2}}.",
                "blanks": [{"id": "b1", "options": options},
                           {"id": "b2", "options": [{"id": "p", "text": "p", "correct": True, "rationale": "Yes."},
                                                    {"id": "q", "text": "q", "rationale": "No: not q."}]}]})
    out, _ = _one([e], "moodle-xml", tmp_path)
    text = ET.parse(out).getroot().find("question[@type='cloze']").findtext("questiontext/text")
    assert "\\" not in text
    parts, rest = read_cloze(text)
    assert len(parts) == 2 and "{1:MULTICHOICE:=a~b}" in html.unescape(rest)
    shown = {o["id"]: o for o in options}
    order = [shown[o.id] for o in shuffled("cloze-tricky", e.item.blanks[0].options, "b1")]
    for (frac, answer, feedback), o in zip(parts[0].answers, order, strict=True):
        assert frac == float(o["correct"])
        assert answer == html.escape(o["text"], quote=False)      # Moodle stores HTML: the text, escaped once
        assert html.unescape(re.sub(r"<[^>]+>", "", feedback)) == o["rationale"]


def _numerical(q: ET.Element):
    """Moodle's grading of a typed numerical answer, as question/type/numerical grades it (units in the box)."""
    answers = [(float(a.findtext("text")), float(a.findtext("tolerance")), float(a.get("fraction")) / 100)
               for a in q.findall("answer")]
    units = {html.unescape(u.findtext("unit_name")) for u in q.findall("units/unit")}
    graded = q.findtext("unitgradingtype") != "0"
    penalty = float(q.findtext("unitpenalty"))

    def mark(response: str) -> float:
        compact = response.replace(" ", "")
        m = re.match(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", compact)
        value, unit = float(m.group(0)), compact[m.end():]
        for answer, tol, frac in answers:
            if abs(value - answer) <= tol + 1e-12:
                return max(0.0, frac - penalty * frac) if graded and unit not in units else frac
        return 0.0

    return mark


def test_moodle_numerical_grades_the_unit(moodle, everything):
    """A wrong unit scored full marks ("345.6 kg" for mg): the unit is now graded, and the report says what differs."""
    root, report = moodle
    questions = {q.findtext("name/text"): q for q in root.findall("question[@type='numerical']")}
    with_unit = [e for e in everything.entries if isinstance(e.item, Numeric) and e.item.answer.unit]
    assert with_unit
    for e in with_unit:
        q, a = questions[e.id], e.item.answer
        assert (q.findtext("unitgradingtype"), q.findtext("unitpenalty"), q.findtext("showunits")) == ("1", "1", "0")
        assert f"Type the number followed by its unit ({a.unit})." in _plain(q.findtext("questiontext/text"))
        mark, value = _numerical(q), number_text(a.value)
        assert mark(f"{value} {a.unit}") == 1 == grade(e.item, f"{value} {a.unit}").score
        assert mark(f"{value} {a.unit.upper()}") == 1
        for alias in a.unit_aliases:
            assert mark(f"{value} {alias}") == 1 == grade(e.item, f"{value} {alias}").score
        wrong = "kg" if a.unit != "kg" else "g"
        assert mark(f"{value} {wrong}") == 0 and grade(e.item, f"{value} {wrong}").status == "invalid"
        assert mark(value) == 0 != grade(e.item, value).score       # the one difference, reported:
        assert "a number typed without its unit also scores 0" in report.notes[e.id]
        if not a.value.is_integer():                                 # Moodle reads 5,4 as 54
            assert "Use a point for decimals." in _plain(q.findtext("questiontext/text"))
            assert "decimal comma" in report.notes[e.id]
    for e in everything.entries:
        if isinstance(e.item, Numeric) and not e.item.answer.unit:
            q = questions[e.id]
            assert q.findtext("showunits") == "3" and q.find("units") is None
            assert "end-of-attempt grading" in report.notes[e.id]


def number_text(value: float) -> str:
    from her2course.exports.common import number

    return number(value)


def test_moodle_unit_spellings():
    from her2course.exports.moodle import unit_spellings

    got = unit_spellings("percentage points", ["pp", "%"])
    assert got[0] == "percentage points"
    assert {"percentagepoints", "PERCENTAGEPOINTS", "Percentagepoints", "pp", "PP", "Pp", "%"} <= set(got)
    assert len(got) == len(set(got)) and "" not in got


def test_moodle_bowtie_scoring(moodle, everything):
    """Bow-ties were skipped: now a Cloze question whose parts Moodle grades as the report says."""
    root, report = moodle
    questions = {q.findtext("name/text"): q for q in root.findall("question[@type='cloze']")}
    for e in everything.entries:
        if not isinstance(e.item, Bowtie):
            continue
        assert "Moodle cannot require exactly N ticks" in report.notes[e.id]
        parts, _ = read_cloze(questions[e.id].findtext("questiontext/text"))

        def moodle_mark(picked: dict[str, list[str]], parts=parts, item=e.item) -> float:
            total = 0.0
            for part, g in zip(parts, item.groups, strict=True):
                texts = {_p(o.text) for o in g.options if o.id in picked[g.id]}
                f = sum(frac for frac, a, _ in part.answers if _plain(a) in texts)
                total += part.weight * min(1.0, max(0.0, f))
            return total

        right = {g.id: [o.id for o in g.options if o.correct] for g in e.item.groups}
        # every box ticked (and the wrong radio button) earns nothing; the course calls it invalid
        every = {g.id: [o.id for o in g.options] if g.choose > 1 else [next(o.id for o in g.options if not o.correct)]
                 for g in e.item.groups}
        assert moodle_mark(right) == pytest.approx(grade(e.item, right).score) == e.max
        assert moodle_mark(every) == pytest.approx(0, abs=1e-6) and grade(e.item, every).status == "invalid"
        for part, g in zip(parts, e.item.groups, strict=True):
            wrong = sum(not o.correct for o in g.options)
            options = shuffled(e.item.id, g.options, g.id)
            want = [1.0 if o.correct else 0.0 for o in options] if g.choose == 1 else \
                [1 / g.choose if o.correct else -1 / wrong for o in options]
            assert [f for f, _, _ in part.answers] == pytest.approx(want, abs=1e-6)


def test_gift_carries_marks_as_tags(tmp_path: Path, everything):
    """GIFT has no syntax for a question's mark: the mark travels as a tag and in the report, never silently."""
    out = tmp_path / "quiz.gift"
    report = build(everything, "gift", out, quiet=True)
    source = out.read_text(encoding="utf-8")
    by_id = {e.id: e for e in everything.entries}
    for q in source.split("\n\n")[2:]:
        item_id = re.search(r"^::((?:\\.|[^:])*)::", q, flags=re.M).group(1)
        e = by_id[item_id]
        assert f"// [id:{item_id}] " in q and f"[tag:marks-{e.max}]" in q
        if e.max > 1:
            assert f"set its maximum mark to {e.max} in the quiz" in report.notes[item_id]
    assert sum(1 for i in report.exported if by_id[i].max > 1) >= 40


def test_rationale_lists_read_as_sentences(tmp_path: Path, everything, moodle, canvas):
    """The ordering feedback read "outside the cell.: First: ...": a row that ends a sentence takes no colon."""
    from her2course.exports.common import rationale_list

    assert rationale_list([("Neuregulin binds HER3 outside the cell.", "First: ligand binding.")], ordered=True) \
        == "<ol><li><strong>Neuregulin binds HER3 outside the cell.</strong> First: ligand binding.</li></ol>"
    assert rationale_list([("Trastuzumab", "binds subdomain IV.")]) == \
        "<ul><li><strong>Trastuzumab</strong>: binds subdomain IV.</li></ul>"
    feedback = [q.findtext("generalfeedback/text") for q in moodle[0].findall("question")
                if q.get("type") in ("ordering", "matching")]
    feedback += [_general_feedback(el) for el in _items(canvas[0]).values()
                 if _field(el, "question_type") == "matching_question"]
    gift = tmp_path / "quiz.gift"
    build(everything, "gift", gift, quiet=True)
    feedback += [b.split("####", 1)[1] for b in gift.read_text(encoding="utf-8").split("\n\n") if "->" in b]
    assert len(feedback) > 50
    assert not [f for f in feedback if re.search(r"[.?!]\s*:", _plain(f))]
    assert any("outside the cell. First:" in _plain(f) for f in feedback)
