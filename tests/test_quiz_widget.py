"""The quiz object: spec, sanitised Markdown, the static fallback, deterministic reprs, answers reaching Python."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
import yaml

from her2course.quiz import markup, progress, quiz
from her2course.quiz.assets import mount_version, quiz_version
from her2course.quiz.bank import load_bank
from her2course.quiz.spec import display_order
from her2course.quiz.widget import PLACEHOLDER, Quiz

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "quiz_vectors.json").read_text(encoding="utf-8"))


@pytest.fixture
def bank_file(tmp_path):
    path = tmp_path / "zz-test-bank.yaml"
    path.write_text(yaml.safe_dump({"chapter": "zz-test-bank", "title": "Test bank",
                                    "learning_outcomes": VECTORS["learning_outcomes"], "items": VECTORS["bank"]}))
    return path


def spec_from_html(text: str) -> dict:
    m = re.search(r"data-spec='([^']*)'", text)
    assert m, text[:200]
    return json.loads(html.unescape(m.group(1)))


def test_quiz_is_an_anywidget_with_the_shared_front_end(bank_file):
    import anywidget

    q = quiz(bank_file)
    assert isinstance(q, anywidget.AnyWidget) and isinstance(q, Quiz)
    assert "export default { render }" in str(q._esm)
    assert [i["id"] for i in q.spec["items"]] == [i["id"] for i in VECTORS["bank"]]


def test_mimebundle_offers_widget_html_fallback_and_fixed_plain_text(bank_file):
    q = quiz(bank_file)
    data, _meta = q._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["text/plain"] == repr(q) == (
        "Quiz 'Test bank' (zz-test-bank, 8 questions). Run this cell to load the quiz.")
    assert "0x" not in data["text/plain"]
    fallback = data["text/html"]
    assert fallback.startswith('<div class="her2-quiz" id="her2-quiz-zz-test-bank" data-spec=\'')
    assert PLACEHOLDER in fallback
    assert spec_from_html(fallback) == q.spec


def test_fallback_is_deterministic(bank_file):
    assert quiz(bank_file)._repr_mimebundle_()[0]["text/html"] == quiz(bank_file)._repr_mimebundle_()[0]["text/html"]


def test_chapter_one_quiz_builds():
    q = quiz("01-her2-biology")
    assert q.spec["id"] == "01-her2-biology" and len(q.spec["items"]) >= 15
    assert set(q.spec["outcomes"]) == {f"LO1.{n}" for n in range(1, 7)}


def test_selection_by_ids_and_tags(bank_file):
    q = quiz(bank_file, ids=["t-cloze", "t-single"])
    assert [i["id"] for i in q.spec["items"]] == ["t-cloze", "t-single"]
    assert [i["number"] for i in q.spec["items"]] == [1, 2]
    assert q.spec["id"] != "zz-test-bank" and q.spec["id"].startswith("zz-test-bank-")
    tagged = quiz(bank_file, tags=["numeric", "bowtie"])
    assert [i["id"] for i in tagged.spec["items"]] == ["t-numeric", "t-numeric-plain", "t-bowtie"]
    with pytest.raises(KeyError):
        quiz(bank_file, ids=["nope"])
    with pytest.raises(ValueError, match="tags"):
        quiz(bank_file, tags=["nope"])


def test_shuffle_is_seeded_and_stable(bank_file):
    a = quiz(bank_file, shuffle=True, seed=7).spec
    b = quiz(bank_file, shuffle=True, seed=7).spec
    c = quiz(bank_file, shuffle=True, seed=8).spec
    assert a == b
    assert [i["id"] for i in a["items"]] != [i["id"] for i in c["items"]] or a["id"] != c["id"]
    assert sorted(i["id"] for i in a["items"]) == sorted(i["id"] for i in VECTORS["bank"])


def test_ordered_items_never_start_in_the_right_order():
    for bank in (load_bank("01-her2-biology"),):
        for item in bank.items:
            if item.type == "ordered":
                assert display_order(item) != [o.id for o in item.options]
                assert sorted(display_order(item)) == sorted(o.id for o in item.options)


def test_unknown_chapter_is_a_clear_error():
    from her2course.errors import DataError

    with pytest.raises(DataError, match=r"no question bank 'no-such-chapter' \(known: .*01-her2-biology"):
        quiz("no-such-chapter")


@pytest.mark.parametrize(("source", "forbidden"), [
    ("<script>alert(1)</script>", "<script"),
    ('<img src=x onerror="alert(1)">', "<img"),
    ("[click](javascript:alert(1))", 'href="javascript'),
    ('<a href="https://x" onclick="steal()">x</a>', "<a "),
    ("<iframe src=https://evil></iframe>", "<iframe"),
    ("<style>body{display:none}</style>", "<style"),
])
def test_markdown_is_sanitised(source, forbidden):
    for out in (markup.block(source), markup.inline(source)):
        assert forbidden not in out
        assert not re.search(r"<[^>]*\son\w+\s*=", out)  # no event-handler attribute inside any real tag


def test_markdown_keeps_safe_formatting():
    assert markup.block("**HER2** and *ERBB2*") == "<p><strong>HER2</strong> and <em>ERBB2</em></p>"
    assert 'rel="noopener noreferrer"' in markup.inline("[guideline](https://example.org)")
    assert markup.plain("IHC *2+* & ISH") == "IHC 2+ & ISH"


def test_answers_reach_python_and_the_progress_db(bank_file, tmp_path, monkeypatch):
    db = tmp_path / "progress.sqlite3"
    monkeypatch.setenv(progress.ENV, str(db))
    q = quiz(bank_file)
    q.responses = {"t-single": {"response": "a", "attempts": 1, "checked": True, "revealed": False}}
    q.responses = {"t-single": {"response": "b", "attempts": 2, "checked": True, "revealed": False},
                   "t-sata": {"response": ["a", "c"], "attempts": 1, "checked": True, "revealed": False}}
    q.responses = {**q.responses, "t-numeric": {"response": "5,4 mg/kg", "attempts": 1, "checked": True,
                                                "revealed": True}}
    rows = progress.rows(db)
    assert [(r["item"], r["event"], r["attempt"], r["status"], r["score"], r["max"]) for r in rows] == [
        ("t-single", "attempt", 1, "incorrect", 0, 1),
        ("t-single", "attempt", 2, "correct", 1, 1),
        ("t-sata", "attempt", 1, "partial", 2, 3),
        ("t-numeric", "attempt", 1, "correct", 1, 1),
        ("t-numeric", "reveal", 1, "revealed", 0, 0),
    ]
    assert json.loads(rows[3]["response"]) == "5,4 mg/kg"
    assert q.score == (4, 5)
    q.responses = {}  # "Reset my answers"
    assert q.score == (0, 0)


def test_a_database_failure_never_breaks_the_quiz(bank_file, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv(progress.ENV, str(blocker / "sub" / "db.sqlite3"))  # a path that cannot be created
    q = quiz(bank_file)
    with pytest.warns(UserWarning, match="Could not save quiz progress"):
        q.responses = {"t-single": {"response": "b", "attempts": 1, "checked": True}}
    assert q.progress_error and q.score == (1, 1)


def test_mount_js_imports_the_current_quiz_js():
    assert mount_version() == quiz_version(), (
        "quiz.js changed: run `python -m her2course.quiz.assets` to update the cache-busting tag in mount.js")


def test_front_end_files_are_self_contained():
    static = ROOT / "src" / "her2course" / "static"
    js = (static / "quiz.js").read_text(encoding="utf-8")
    assert not re.search(r"^\s*import\s", js, re.M), "quiz.js must not import anything (anywidget loads it from a Blob)"
    assert "export default { render }" in js
    assert "http://" not in js and "https://" not in js
    assert "innerHTML" not in js.replace("node.innerHTML = v", "")  # one audited sink, fed only sanitised spec HTML
