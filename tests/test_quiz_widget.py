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
        f"Quiz 'Test bank' (zz-test-bank, {len(VECTORS['bank'])} questions). Run this cell to load the quiz.")
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


# ------------------------------------------------------------------------------------------------ assignment mode

KEY_FIELDS = {"correct", "rationale", "explanation", "distractors", "max", "value", "tolerance"}


def _walk(node, path=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*path, k), k, v
            yield from _walk(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, (*path, i))


def _secrets(entries) -> list[str]:
    """Every rationale and explanation of the entries, as HTML and as plain text (long enough to be telling)."""
    out = []
    for e in entries:
        item = e.item
        texts = [item.explanation]
        for group in [getattr(item, "options", [])] + [b.options for b in getattr(item, "blanks", [])] + [
                g.options for g in getattr(item, "groups", [])] + [getattr(item, "rows", [])]:
            texts += [o.rationale for o in group]
        if item.type == "numeric":
            texts += [item.rationale] + [d.rationale for d in item.distractors]
        for t in texts:
            out += [markup.block(t), markup.plain(t)]
    return [s for s in out if len(s) > 25]


@pytest.fixture(scope="module")
def every_item():
    from her2course.exports.selection import all_entries, from_ids

    entries = all_entries()
    return from_ids([e.id for e in entries], seed=1)


def test_an_assignment_spec_carries_no_key(every_item):
    from her2course.exports.notebook import assignment_quiz

    q = assignment_quiz(every_item.id, every_item.item_ids, seed=every_item.seed)
    spec = q.spec
    assert spec["mode"] == "assignment"
    assert {i["type"] for i in spec["items"]} == {"single", "sata", "numeric", "ordered", "matrix", "cloze", "bowtie",
                                                 "highlight", "matrix_multi", "dropdown_rationale"}
    leaked = sorted({".".join(map(str, p)) for p, k, _v in _walk(spec) if k in KEY_FIELDS or (k == "answer"
                     and not isinstance(_v, dict))})
    assert leaked == []
    text = json.dumps(spec, ensure_ascii=False)
    for secret in _secrets(every_item.entries):
        assert secret not in text, secret[:80]
    by_id = {e.id: e.item for e in every_item.entries}
    for item in spec["items"]:
        bank = by_id[item["id"]]
        if item["type"] == "numeric":
            numbers = [v for _p, _k, v in _walk(item) if isinstance(v, int | float) and not isinstance(v, bool)]
            numbers += [v for v in item.values() if isinstance(v, int | float)]
            assert bank.answer.value not in numbers
            assert set(item["answer"]) == {"unit", "unit_aliases", "rounding"}
        if item["type"] == "ordered":
            assert [o["id"] for o in item["options"]] == item["display"] != [o.id for o in bank.options]
        if item["type"] == "matrix":
            assert all(set(r) == {"id", "html", "label"} for r in item["rows"])
    # the fallback the notebook saves is the same redacted spec
    assert spec_from_html(q._repr_mimebundle_()[0]["text/html"]) == spec


def test_an_assignment_is_graded_in_python_only(tmp_path, monkeypatch):
    from handin_answers import right, wrong

    from her2course.exports import Filters, select
    from her2course.exports.notebook import assignment_quiz

    db = tmp_path / "p.sqlite3"
    monkeypatch.setenv(progress.ENV, str(db))
    a = select(Filters.make(chapters=["2"]), count=4, seed=3)
    q = assignment_quiz(a.id, a.item_ids, seed=a.seed)
    e0, e1 = a.entries[:2]
    q.responses = {e0.id: {"response": right(e0.item), "attempts": 1, "checked": True},
                   e1.id: {"response": wrong(e1.item), "attempts": 1, "checked": True}}
    assert q.saved == {e0.id: 1, e1.id: 1} and q.save_error == ""
    assert q.score == (e0.max, e0.max + e1.max)
    rows = progress.rows(db)
    assert [(r["chapter"], r["item"], r["status"], r["score"]) for r in rows] == [
        (a.id, e0.id, "correct", e0.max), (a.id, e1.id, "incorrect", 0)]


def test_the_saved_assignment_notebook_carries_no_key(tmp_path, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    from her2course.exports import Filters, notebook, select

    monkeypatch.setenv(progress.ENV, str(tmp_path / "p.sqlite3"))
    a = select(Filters.make(types=["single", "sata", "numeric", "ordered", "matrix", "cloze", "bowtie"]), count=12,
               seed=5)
    path = tmp_path / "quiz.ipynb"
    notebook.export(a, path, quiet=True)
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}},
                   store_widget_state=True).execute()
    nbformat.write(nb, path)
    saved = path.read_text(encoding="utf-8")
    for secret in _secrets(a.entries):
        assert secret not in saved, secret[:80]  # neither the outputs nor the widget state hold a rationale
    states = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    quiz_states = [m["state"] for m in states.values() if "spec" in m["state"]]
    assert len(quiz_states) == 1 and quiz_states[0]["spec"]["mode"] == "assignment"
    data = [o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])]
    fallbacks = [spec_from_html(d["text/html"]) for d in data if "her2-quiz" in d.get("text/html", "")]
    assert len(fallbacks) == 1
    for spec in (quiz_states[0]["spec"], fallbacks[0]):  # the quiz.js source (_esm) is left out of the scan
        assert not [k for _p, k, _v in _walk(spec) if k in KEY_FIELDS]


def test_a_broken_store_is_said_once_and_the_answers_are_kept_for_later(bank_file, tmp_path, monkeypatch):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    monkeypatch.setenv(progress.ENV, str(folder))  # a folder where the database file should be
    q = quiz(bank_file)
    with pytest.warns(UserWarning, match="Could not save quiz progress") as caught:
        q.responses = {"t-single": {"response": "b", "attempts": 1, "checked": True}}
        q.responses = {**q.responses, "t-sata": {"response": ["a"], "attempts": 1, "checked": True}}
    assert len([w for w in caught if "Could not save" in str(w.message)]) == 1  # said once
    assert q.save_error == f"{folder} is a folder, not a database file"
    assert q.saved == {} and q.score == (2, 4)  # still graded
    db = tmp_path / "ok.sqlite3"
    monkeypatch.setenv(progress.ENV, str(db))  # the store works again: nothing answered before is lost
    q.responses = {**q.responses, "t-numeric": {"response": "5.4", "attempts": 1, "checked": True}}
    assert q.save_error == ""
    assert [r["item"] for r in progress.rows(db)] == ["t-single", "t-sata", "t-numeric"]
    assert q.saved == {"t-single": 1, "t-sata": 1, "t-numeric": 1}
