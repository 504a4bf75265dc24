"""Selection, determinism (same seed, same bytes) and the leak scan over every student-facing export."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from her2course.cli import main
from her2course.exports import Filters, all_entries, assignment_id, select
from her2course.exports.cli import build
from her2course.exports.paper import chromium
from her2course.quiz import markup
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
    cell_text,
)
from her2course.quiz.shuffle import display_order

HAS_CHROMIUM = chromium() is not None


def test_filters_select_and_validate():
    entries = all_entries()
    assert len({e.id for e in entries}) == len(entries)
    only = select(Filters.make(chapters=["1"], types=["matrix"]))
    assert only.entries and all(e.chapter.startswith("01-") and e.item.type == "matrix" for e in only.entries)
    with pytest.raises(ValueError, match="unknown item type 'essay'"):
        Filters.make(types=["essay"])
    with pytest.raises(ValueError, match="unknown chapter"):
        Filters.make(chapters=["99"])
    with pytest.raises(ValueError, match="more questions than match"):
        select(Filters.make(chapters=["1"], types=["matrix"]), count=999)


def test_seeded_draw_is_stable_and_in_course_order():
    a = select(Filters(), count=10, seed=7)
    b = select(Filters(), count=10, seed=7)
    c = select(Filters(), count=10, seed=8)
    assert a.item_ids == b.item_ids and a.id == b.id
    assert a.item_ids != c.item_ids and a.id != c.id
    order = [e.id for e in all_entries()]
    assert a.item_ids == sorted(a.item_ids, key=order.index)
    assert a.id == assignment_id(a.item_ids, 7) and re.fullmatch(r"asg-[0-9a-f]{12}", a.id)


FORMATS = {"canvas": "zip", "moodle-xml": "xml", "gift": "gift", "html": "html", "notebook": "ipynb"}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_same_seed_same_bytes(tmp_path: Path, fmt: str):
    a = select(Filters(), count=25, seed=11)
    one, two = tmp_path / f"a.{FORMATS[fmt]}", tmp_path / f"b.{FORMATS[fmt]}"
    build(a, fmt, one, tmp_path / "k1.html", quiet=True)
    build(select(Filters(), count=25, seed=11), fmt, two, tmp_path / "k2.html", quiet=True)
    assert one.read_bytes() == two.read_bytes()
    assert (tmp_path / "k1.html").read_bytes() == (tmp_path / "k2.html").read_bytes()
    text = one.read_bytes()
    assert not re.search(rb"20[0-9]{2}-[01][0-9]-[0-3][0-9]T", text), "a build date leaked into the file"


@pytest.mark.skipif(not HAS_CHROMIUM, reason="PDF export needs Chromium")
def test_pdf_same_bytes(tmp_path: Path):
    a = select(Filters(), count=4, seed=2)
    build(a, "pdf", tmp_path / "a.pdf", quiet=True)
    build(a, "pdf", tmp_path / "b.pdf", quiet=True)
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")


# ------------------------------------------------------------------------------------------------ leak scan

def _norm(text: str) -> str:
    return " ".join(html.unescape(text).split()).casefold()


def _visible(item) -> list[str]:
    """Every text of an item that a student may see (stems, options, labels, data), as plain text."""
    # the stem as rendered (a case item's stem holds its stage's tables, in Markdown)
    out = [re.sub(r"<[^>]+>", " ", markup.block(item.stem))]
    if item.data is not None:
        out += [item.data.caption, *item.data.columns, *(cell_text(c) for row in item.data.rows for c in row)]
    if isinstance(item, Single | Sata | Ordered):
        out += [o.text for o in item.options]
    if isinstance(item, Numeric):
        out += [item.answer.rounding, item.answer.unit]
    if isinstance(item, Matrix | MatrixMulti):
        out += [c.text for c in item.columns] + [r.text for r in item.rows]
    if isinstance(item, Highlight):
        out += [seg for seg in BLANK.split(item.text or "") if seg.strip()] + [sp.text for sp in item.spans]
        if item.table is not None:
            out += [item.table.caption, *item.table.columns, *(cell_text(c) for r in item.table.rows for c in r.cells)]
    if isinstance(item, Cloze | DropdownRationale):
        out += [seg for seg in BLANK.split(item.text) if seg.strip()] + [o.text for b in item.blanks for o in b.options]
    if isinstance(item, Bowtie):
        out += [g.label for g in item.groups] + [o.text for g in item.groups for o in g.options]
    return [markup.plain(t) for t in out if t]


def _secrets(item) -> list[str]:
    """Texts that give answers away: rationales and explanations."""
    out = [item.explanation]
    for attr in ("options", "rows"):
        out += [o.rationale for o in getattr(item, attr, [])]
    if isinstance(item, Numeric):
        out += [item.rationale] + [d.rationale for d in item.distractors]
    if isinstance(item, Cloze | DropdownRationale):
        out += [o.rationale for b in item.blanks for o in b.options]
    if isinstance(item, Highlight):
        out += [why for *_, why in item.parts()]
    if isinstance(item, Bowtie):
        out += [o.rationale for g in item.groups for o in g.options]
    return [markup.plain(t) for t in out]


def scan_student_text(text: str, assignment) -> None:
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S).replace(assignment.id, " ")
    flat = _norm(re.sub(r"<[^>]+>", " ", text))
    for e in assignment.entries:
        for secret in _secrets(e.item):
            probe = _norm(secret)[:80]
            assert probe not in flat, f"{e.id}: rationale/explanation text in a student file: {probe!r}"
    remainder = flat
    for e in assignment.entries:  # item ids ("ch7-lvef-fall") are names, not answers
        remainder = remainder.replace(_norm(e.id), " ")
    texts = {t for e in assignment.entries for t in _visible(e.item)}
    every_text = _norm(" ".join(texts))
    for t in sorted(texts, key=len, reverse=True):  # longest first: a short option text may sit inside a stem
        if True:
            chars = [re.escape(c) for c in _norm(t) if not c.isspace()]
            remainder = re.sub(r"(?<!\w)" + r"\s*".join(chars) + r"(?!\w)", " ", remainder)
    assert "correct" not in remainder, "the word 'correct' appears outside the question texts"
    assert "rationale" not in remainder and "explanation" not in remainder
    remainder = re.sub(r"question \d+|\(\d+\)|\d+ questions", " ", remainder)  # numbering, not answers
    for e in assignment.entries:
        item = e.item
        if isinstance(item, Numeric):
            value = f"{item.answer.value:g}"
            # a number that some question shows (a case's table: "500-1,000 mL") is not a leak where it appears
            if not re.search(rf"(?<![0-9.]){re.escape(value)}(?![0-9])", every_text):
                assert not re.search(rf"(?<![0-9.]){re.escape(value)}(?![0-9])", remainder), \
                    f"{e.id}: the numeric answer {value} appears"


def _ordered_shown_scrambled(text: str, assignment) -> None:
    flat = _norm(re.sub(r"<[^>]+>", " ", text))
    for e in assignment.entries:
        if isinstance(e.item, Ordered):
            pos = [flat.find(_norm(markup.plain(o.text))) for o in e.item.options]
            assert -1 not in pos and pos != sorted(pos), f"{e.id}: steps shown in the correct order"
            steps = {o.id: o for o in e.item.options}
            shown = [flat.find(_norm(markup.plain(steps[i].text))) for i in display_order(e.item)]
            assert shown == sorted(shown)


@pytest.fixture(scope="module")
def everything():
    return select(Filters())


def test_leak_scan_student_html(tmp_path: Path, everything):
    build(everything, "html", tmp_path / "s.html", quiet=True)
    text = (tmp_path / "s.html").read_text(encoding="utf-8")
    scan_student_text(text, everything)
    _ordered_shown_scrambled(text, everything)
    assert everything.id in text


def test_leak_scan_student_notebook(tmp_path: Path, everything):
    build(everything, "notebook", tmp_path / "s.ipynb", quiet=True)
    text = (tmp_path / "s.ipynb").read_text(encoding="utf-8")
    nb = json.loads(text)
    assert all(not c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    scan_student_text(text, everything)
    for e in everything.entries:  # not even the stems: the notebook carries ids only
        assert _norm(markup.plain(e.item.stem))[:60] not in _norm(text)


@pytest.mark.skipif(not (HAS_CHROMIUM and shutil.which("pdftotext")), reason="needs Chromium and pdftotext")
def test_leak_scan_student_pdf(tmp_path: Path):
    a = select(Filters(), count=30, seed=5)
    build(a, "pdf", tmp_path / "s.pdf", quiet=True)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    # pdftotext wraps lines and hyphenates nothing: compare on words only
    scan_student_text(text.replace("\u00ad", ""), a)


def test_answer_key_has_answers(tmp_path: Path, everything):
    build(everything, "html", tmp_path / "s.html", tmp_path / "key.html", quiet=True)
    key = _norm(re.sub(r"<[^>]+>", " ", (tmp_path / "key.html").read_text(encoding="utf-8")))
    for e in everything.entries:
        assert _norm(markup.plain(e.item.explanation))[:60] in key


def test_student_notebook_runs(tmp_path: Path, monkeypatch):
    nbclient = pytest.importorskip("nbclient")
    import nbformat

    a = select(Filters(), count=6, seed=3)
    build(a, "notebook", tmp_path / "s.ipynb", quiet=True)
    monkeypatch.setenv("HER2COURSE_PROGRESS_DB", str(tmp_path / "progress.sqlite3"))
    nb = nbformat.read(tmp_path / "s.ipynb", as_version=4)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    plain = [o["data"]["text/plain"] for o in outputs if o.output_type == "execute_result"]
    assert plain[0].startswith(f"Quiz '{a.title}' ({a.id}, 6 questions)")
    assert plain[1].startswith(f"Hand-in form for assignment {a.id}")
    assert all(c.metadata.get("tags") == ["remove-input"] for c in nb.cells if c.cell_type == "code")


def test_cli_list_and_build(tmp_path: Path, capsys):
    assert main(["quiz", "list", "--chapter", "1", "--type", "single", "--difficulty", "easy"]) == 0
    out = capsys.readouterr().out
    assert "ch1-family-no-ligand" in out and "question" in out
    assert main(["quiz", "build", "--type", "bowtie", "--type", "single", "--count", "8", "--seed", "3",
                 "--format", "canvas", "--out", str(tmp_path / "q.zip"), "--answer-key",
                 str(tmp_path / "k.html")]) == 0
    captured = capsys.readouterr()
    assert "canvas: 8/8" in captured.err
    assert (tmp_path / "q.zip").is_file() and (tmp_path / "k.html").is_file()
    assert main(["quiz", "build", "--chapter", "42", "--format", "gift", "--out", str(tmp_path / "x")]) == 2
    assert "unknown chapter" in capsys.readouterr().err


def test_skips_are_reported_by_id(tmp_path: Path):
    a = select(Filters.make(types=["bowtie", "ordered", "cloze", "single"]), count=25, seed=2)
    report = build(a, "gift", tmp_path / "q.gift", quiet=True)
    for e in a.entries:
        if e.item.type in ("bowtie", "ordered") or (isinstance(e.item, Cloze) and len(e.item.blanks) > 1):
            assert report.skipped.get(e.id)
        else:
            assert e.id in report.exported
    assert set(report.skipped) | set(report.exported) == set(a.item_ids)
    assert not set(report.skipped) & set(report.exported)


def test_case_items_are_in_the_blueprint_and_every_export(tmp_path: Path):
    from her2course.cases import case_ids, load_case
    from her2course.cases.bank import CHAPTER
    from her2course.exports.builder import blueprint

    stage_ids = [s.item.id for cid in case_ids() for s in load_case(cid).stages]
    assert len(stage_ids) == 30
    entries = [e for e in all_entries() if e.bank.chapter == CHAPTER]
    assert [e.id for e in entries] == stage_ids
    table = blueprint()._repr_html_()
    assert CHAPTER in table or "Unfolding case studies" in table
    a = select(Filters.make(chapters=[CHAPTER]))
    assert list(a.item_ids) == stage_ids
    for fmt, name in [("canvas", "q.zip"), ("moodle-xml", "q.xml"), ("gift", "q.gift"), ("html", "q.html"),
                      ("notebook", "q.ipynb")]:
        report = build(a, fmt, tmp_path / name, quiet=True)
        assert set(report.exported) | set(report.skipped) == set(stage_ids), fmt
        # only GIFT, which has no format for several answer blanks or a matrix, leaves some out, each with a reason
        if fmt == "gift":
            assert all(report.skipped.values())
        else:
            assert not report.skipped, (fmt, report.skipped)
