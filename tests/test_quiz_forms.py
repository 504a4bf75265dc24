"""Parallel forms: parametric numeric items drawn per seed, keyed by the course's own calculators; private banks."""

from __future__ import annotations

import copy
import math
import re
from pathlib import Path

import pytest
import yaml

from her2course.cli import main
from her2course.clinical.dosing import calculate_dose, dose_at, missed_dose, reduce_dose
from her2course.clinical.lvef import lvef_check
from her2course.exports import Filters, all_entries, from_ids, select
from her2course.exports.cli import build
from her2course.quiz import forms
from her2course.quiz.bank import load_bank, parse_bank
from her2course.quiz.grading import grade
from her2course.quiz.schema import Numeric

SEEDS = range(1, 301)
BANKS = Path(__file__).resolve().parents[1] / "src" / "her2course" / "data" / "questions"


def _parametric():
    return [e.item for e in all_entries() if isinstance(e.item, Numeric) and e.item.parametric]


PARAMETRIC = _parametric()
IDS = [it.id for it in PARAMETRIC]


def _raw(item_id: str) -> dict:
    for path in sorted(BANKS.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["items"]:
            if entry["id"] == item_id:
                return entry
    raise KeyError(item_id)


def test_every_dose_calculation_is_parametric():
    doses = [e.item for e in all_entries() if isinstance(e.item, Numeric) and "dose-calculation" in e.item.tags]
    assert doses and all(it.parametric for it in doses)
    assert len(PARAMETRIC) >= 20


@pytest.mark.parametrize("item", PARAMETRIC, ids=IDS)
def test_the_book_shows_the_authored_values(item):
    raw = _raw(item.id)
    assert "{{" not in item.stem + item.rationale + item.explanation
    assert item.answer.value == raw["answer"]["value"]
    assert [d.value for d in item.distractors] == [d["value"] for d in raw["distractors"]]
    assert item.form is not None and item.form.seed is None
    assert item.form.values == {k: float(p["value"]) for k, p in raw["params"].items()}
    for name, p in raw["params"].items():  # the practice stem shows each authored value the stem names
        if "{{" + name in raw["stem"]:
            assert forms.render("{{" + name + "}}", {name: float(p["value"])}) in item.stem
    assert grade(item, f"{item.answer.value:g} {item.answer.unit}".strip()).status == "correct"


@pytest.mark.parametrize("item", PARAMETRIC, ids=IDS)
def test_draws_stay_in_range_and_keep_their_own_key(item):
    practice_key = item.answer.value
    ranges = forms.ranges()
    seen = set()
    for seed in SEEDS:
        form = forms.draw(item, seed)
        assert form.form.seed == seed and "{{" not in form.stem + form.rationale + form.explanation
        for name, value in form.form.values.items():
            p, r = item.params[name], ranges.get(item.params[name].within)
            assert r.min <= value <= r.max
            if p.choices:
                assert value in p.choices
            else:
                assert p.min <= value <= p.max and math.isclose((value - p.min) / p.step,
                                                                round((value - p.min) / p.step), abs_tol=1e-6)
        assert form.form.values != item.form.values
        a = form.answer
        assert abs(a.value - practice_key) > a.tolerance, "the exam key must differ from the book's"
        assert grade(form, forms._format(a.value, None, "k") + (f" {a.unit}" if a.unit else "")).status == "correct"
        for n, d in enumerate(form.distractors, start=1):
            r = grade(form, forms._format(d.value, None, "d"))
            assert r.status == "incorrect" and [m.key for m in r.marks] == [f"d{n}"], (seed, d.value)
        seen.add(tuple(sorted(form.form.values.items())))
    assert len(seen) >= min(10, math.prod(len(forms._grid(p)) for p in item.params.values()) - 1)


def test_the_same_seed_gives_the_same_form_and_another_seed_another():
    for item in PARAMETRIC:
        assert forms.draw(item, 7) == forms.draw(item, 7)
        assert forms.draw(forms.draw(item, 7), 7) == forms.draw(item, 7)  # a drawn item draws from its template
    assert any(forms.draw(it, 7).form.values != forms.draw(it, 8).form.values for it in PARAMETRIC)


def _form(item_id: str, seed: int) -> Numeric:
    return forms.draw(next(it for it in PARAMETRIC if it.id == item_id), seed)


@pytest.mark.parametrize("seed", [1, 2, 3, 17, 99])
def test_keys_are_the_dose_calculators_results(seed):
    f = _form("ch2-calc-tdxd-breast", seed)
    w = f.form.values["weight"]
    assert f.answer.value == calculate_dose("trastuzumab-deruxtecan", w, regimen="HER2-low").lines[0].dose_mg
    assert f.distractors[0].value == calculate_dose("trastuzumab-deruxtecan", w, regimen="gastric").lines[0].dose_mg
    f = _form("ch2-calc-tdxd-volume", seed)
    assert f.answer.value == calculate_dose("trastuzumab-deruxtecan", f.form.values["weight"],
                                            regimen="HER2-low").lines[0].volume_ml
    f = _form("ch2-calc-trast-reload", seed)
    w, weeks = f.form.values["weight"], f.form.values["weeks"]
    due = missed_dose("trastuzumab", w, days_since_last_dose=int(7 * weeks))
    assert due.code == "reload" and f.answer.value == round(due.dose.exact_mg)
    f = _form("ch2-calc-tdm1-reduce1-volume", seed)
    level = reduce_dose("trastuzumab-emtansine", 3.6).next_level
    assert f.answer.value == dose_at("trastuzumab-emtansine", level, f.form.values["weight"]).volume_ml
    assert dose_at("trastuzumab-emtansine", level, f.form.values["weight"]).vials.describe() in f.rationale
    f = _form("ch5-lvef-points", seed)
    v = f.form.values
    check = lvef_check(v["baseline"], v["current"])
    assert f.answer.value == check.drop and check.code == lvef_check(63, 48).code


def test_a_drawn_form_keeps_the_clinical_branch_its_rationale_explains():
    for seed in SEEDS:
        f = _form("ch2-calc-weight-change", seed)
        v = f.form.values
        assert 5 <= (v["before"] - v["weight"]) / v["before"] * 100 <= 20
        f = _form("ch5-stools-over-baseline", seed)
        assert f.answer.value >= 7  # CTCAE grade 3, as the rationale says
        f = _form("ch1-ish-ratio", seed)
        assert f.form.values["her2"] / f.form.values["cep17"] >= 2.0 and f.form.values["her2"] >= 4.0
        f = _form("ch2-calc-tdxd-vials", seed)
        assert f.answer.value == math.ceil(float(re.search(r"= ([0-9.]+) mg\.", f.rationale).group(1)) / 100)


def test_assignments_draw_their_form_and_the_exports_carry_it(tmp_path: Path):
    a = select(Filters.make(types=["numeric"]), seed=5)
    b = from_ids(a.item_ids, seed=5)
    assert [e.item for e in a.entries] == [e.item for e in b.entries]  # the collector re-draws the same form
    drawn = {e.id: e.item for e in a.parametric}
    assert set(drawn) == set(IDS)
    book = {it.id: it for it in PARAMETRIC}
    for fmt, name in (("gift", "q.gift"), ("moodle-xml", "q.xml"), ("html", "q.html")):
        build(a, fmt, tmp_path / name, tmp_path / f"key-{fmt}.html", quiet=True)
        text = (tmp_path / name).read_text(encoding="utf-8")
        key = (tmp_path / f"key-{fmt}.html").read_text(encoding="utf-8")
        for item_id, item in drawn.items():
            weight = item.form.values.get("weight")
            if weight is not None:
                assert f"{forms._format(weight, None, 'w')} kg" in text
            assert "seed 5 (" in key and forms._format(item.answer.value, None, "k") in key
            assert book[item_id].stem not in text


def test_canvas_package_carries_the_drawn_key(tmp_path: Path):
    import zipfile

    a = select(Filters.make(types=["numeric"], chapters=["2"]), seed=12)
    build(a, "canvas", tmp_path / "q.zip", quiet=True)
    with zipfile.ZipFile(tmp_path / "q.zip") as zf:
        xml = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if n.endswith(".xml"))
    for e in a.parametric:
        assert forms._format(e.item.answer.value, None, "k") in xml


# ------------------------------------------------------------------------------------------ broken items

def _item(**changes) -> dict:
    entry = copy.deepcopy(_raw("ch2-calc-tdxd-breast"))
    entry["id"] = "x-item"
    for key, value in changes.items():
        target, *path = key.split("__")
        node = entry
        keys = [int(k) if k.isdigit() else k for k in [target, *path]]
        for part in keys[:-1]:
            node = node[part]
        node[keys[-1]] = value
    return entry


def _problems(entry: dict) -> list[str]:
    raw = {"chapter": "x-bank", "learning_outcomes": {"LO2.5": "Calculate doses"}, "items": [entry]}
    _, problems = parse_bank(Path("x-bank.yaml"), raw)
    return [str(p) for p in problems]


@pytest.mark.parametrize(("changes", "expected"), [
    ({"answer__value": 345.0}, "field 'compute.key': computes 345.6 at the practice values, but answer.value is 345"),
    ({"params__weight__within": "giants"}, "field 'params.weight.within': no range 'giants'"),
    ({"params__weight__max": 400}, "field 'params.weight': draws 45-400, outside the range 'adult-weight-kg'"),
    ({"params__weight__value": 64.5}, "value 64.5 is not on the grid"),
    ({"stem": "Calculate the dose for {{wieght}} kg."}, "field 'stem': {{wieght}} names no parameter"),
    ({"stem": "Calculate the dose in mg."}, "field 'params.weight': is drawn but the stem never shows it"),
    ({"compute__values__dose__fn": "dosage"}, "unknown function 'dosage'"),
    ({"compute__values__dose__args__drug": "trastuzumab-deruxtecn"}, "field 'compute': compute.values.dose:"),
    ({"compute__values__slip__args": {"of": "__import__('os').system('true')"}},
     "may hold only numbers, $names, + - * / %"),
    ({"compute__key": "doze"}, "field 'compute.key': 'doze' is not one of compute.values"),
    ({"compute__distractors": ["gastric", "tdm1"]}, "compute.distractors names 2 value(s) but the item has 3"),
    ({"distractors__1__value": 231}, "field 'distractors[1].value': is 231, but compute.values.tdm1 gives 230.4"),
    ({"form": {"stem": "x"}}, "'form' is set by the course"),
])
def test_a_broken_parametric_item_is_named_with_its_field(changes, expected):
    found = _problems(_item(**changes))
    assert any(expected in p for p in found), found
    assert all("x-bank.yaml" in p and "x-item" in p for p in found)


def test_a_distractor_the_grader_would_mark_right_is_refused():
    entry = _item()
    entry["compute"]["values"]["slip"] = {"fn": "expr", "args": {"of": "$dose + 0.01"}, "round": 2}
    entry["distractors"][2]["value"] = 345.61
    assert any("within the tolerance of the key" in p for p in _problems(entry))


def test_an_item_with_no_valid_form_says_so():
    entry = _item()
    entry["compute"]["values"]["light"] = {"fn": "expr", "args": {"of": "$weight < 65"}}
    entry["compute"]["same"] = ["light"]
    entry["params"]["weight"].update({"min": 64, "max": 70})
    bank, found = parse_bank(Path("x-bank.yaml"), {"chapter": "x-bank", "items": [entry]})
    assert not found
    with pytest.raises(forms.FormError, match=r"question 'x-item': no valid form for seed 3 in \d+ draws"):
        forms.draw(bank.items[0], 3)
    assert "no valid form" in forms.check_draws(bank.items[0])[0][1]


def test_expressions_read_arithmetic_only():
    assert forms.evaluate_expression("($a - $b) / $a * 100", {"a": 80.0, "b": 72.0}) == 10.0
    assert forms.evaluate_expression("$a >= 2 and $a % 2 == 0", {"a": 4.0}) is True
    for bad in ("$a.__class__", "open('x')", "[1, 2]", "$a if $a else 1", "lambda: 1", "$missing + 1", "1 / 0"):
        with pytest.raises(ValueError):
            forms.evaluate_expression(bad, {"a": 1.0})


def test_render_formats_and_refuses_unknown_names():
    v = {"dose": 1160.0, "kg": 70.0, "q": 5.248, "plan": "2 x 100 mg vials"}
    assert forms.render("{{dose:,}} mg, {{kg:.1f}} kg, {{kg}} kg, {{q}}, {{plan}}", v) == (
        "1,160 mg, 70.0 kg, 70 kg, 5.248, 2 x 100 mg vials")
    with pytest.raises(ValueError, match="names no parameter"):
        forms.render("{{nope}}", v)
    with pytest.raises(ValueError, match="use a format such as"):
        forms.render("{{dose:%}}", v)


# ------------------------------------------------------------------------------------------- private banks

PRIVATE_BIB = """@misc{my-protocol,
  title = {Infusion unit dose-rounding protocol},
  author = {{Example Health}},
  year = {2026},
  note = {Private source cited only by the private bank}
}
"""


def _private_bank(folder: Path, entries: list[dict] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    item = _item()
    item["id"] = "mid-tdxd-dose"
    item["reference"] = ["label-enhertu", "my-protocol"]
    other = copy.deepcopy(_raw("ch1-ish-ratio"))
    other["id"] = "mid-ish-ratio"
    other["learning_outcome"] = "LO1"
    item["learning_outcome"] = "LO2"
    bank = {"chapter": "midterm", "title": "Midterm", "learning_outcomes": {"LO1": "Read ISH", "LO2": "Dose T-DXd"},
            "items": entries if entries is not None else [other, item]}
    (folder / "midterm.yaml").write_text(yaml.safe_dump(bank, sort_keys=False, allow_unicode=True), encoding="utf-8")
    (folder / "references.bib").write_text(PRIVATE_BIB, encoding="utf-8")
    return folder


def test_a_private_bank_is_checked_listed_and_exported_like_the_course(tmp_path: Path, capsys):
    folder = _private_bank(tmp_path / "private")
    assert main(["quiz", "check", "--bank-dir", str(folder)]) == 0
    assert "2 valid questions" in capsys.readouterr().out
    assert main(["quiz", "list", "--bank-dir", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "mid-tdxd-dose" in out and "mid-ish-ratio" in out and "ch1-" not in out and "2 parametric" in out
    for fmt, suffix in (("moodle-xml", "xml"), ("gift", "gift"), ("canvas", "zip"), ("html", "html")):
        out_file = tmp_path / f"mid.{suffix}"
        assert main(["quiz", "build", "--bank-dir", str(folder), "--seed", "3", "--format", fmt, "--out",
                     str(out_file), "--answer-key", str(tmp_path / f"key-{fmt}.html"), "--quiet"]) == 0
        assert out_file.stat().st_size > 0
    said = capsys.readouterr().out
    assert "2 parametric questions drawn for seed 3" in said
    text = (tmp_path / "mid.gift").read_text(encoding="utf-8")
    drawn = forms.draw(load_bank(folder / "midterm.yaml").item("mid-tdxd-dose"), 3)
    assert f"weighs {forms._format(drawn.form.values['weight'], None, 'w')} kg" in text


def test_the_environment_variable_points_every_quiz_command_at_the_private_bank(tmp_path: Path, monkeypatch, capsys):
    folder = _private_bank(tmp_path / "private")
    monkeypatch.setenv("HER2COURSE_BANK_DIR", str(folder))
    assert main(["quiz", "list"]) == 0
    assert "mid-tdxd-dose" in capsys.readouterr().out
    assert main(["quiz", "check"]) == 0
    assert str(folder) in capsys.readouterr().out
    assert main(["quiz", "build", "--chapter", "midterm", "--format", "gift", "--out", str(tmp_path / "q.gift"),
                 "--quiet"]) == 0


def test_a_student_notebook_from_a_private_bank_is_refused(tmp_path: Path, capsys):
    folder = _private_bank(tmp_path / "private")
    assert main(["quiz", "build", "--bank-dir", str(folder), "--format", "notebook", "--out",
                 str(tmp_path / "q.ipynb")]) == 1
    err = capsys.readouterr().err
    assert "a student notebook reads its questions from the course package" in err and "canvas" in err
    assert not (tmp_path / "q.ipynb").exists()


def test_a_broken_private_bank_gets_clear_messages(tmp_path: Path, capsys):
    bad = _item()
    bad["id"] = "mid-bad"
    bad["reference"] = ["nowhere-2026"]
    bad["answer"]["value"] = 999
    bad["learning_outcome"] = "LO2"
    folder = _private_bank(tmp_path / "broken", [bad, {"id": "mid-no-type", "stem": "?"}])
    (folder / "notes.yaml").write_text("items: [\n", encoding="utf-8")
    assert main(["quiz", "check", "--bank-dir", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "midterm.yaml: item 'mid-bad': field 'reference': reference key 'nowhere-2026' is not in" in err
    assert "item 'mid-no-type': field 'type': is missing" in err
    assert "notes.yaml" in err
    assert main(["quiz", "build", "--bank-dir", str(folder), "--format", "gift", "--out",
                 str(tmp_path / "q.gift")]) == 2
    err = capsys.readouterr().err
    assert f"the bank folder {folder} cannot be used" in err and "mid-bad" in err
    assert not (tmp_path / "q.gift").exists()
    assert main(["quiz", "list", "--bank-dir", str(tmp_path / "absent")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    assert main(["quiz", "check", "--bank-dir", str(tmp_path / "empty")]) == 1
    assert "holds no .yaml bank file" in capsys.readouterr().err


def test_a_broken_parametric_item_in_a_private_bank_is_reported_by_field(tmp_path: Path, capsys):
    entry = _item(**{"params__weight__max": 400})
    entry["id"], entry["learning_outcome"] = "mid-heavy", "LO2"
    folder = _private_bank(tmp_path / "p", [entry])
    assert main(["quiz", "check", "--bank-dir", str(folder)]) == 1
    assert ("item 'mid-heavy': field 'params.weight': draws 45-400, outside the range 'adult-weight-kg'"
            in capsys.readouterr().err)


def test_the_student_notebook_shows_the_drawn_form_and_the_collector_marks_it():
    from her2course.exports.notebook import assignment_quiz

    a = select(Filters.make(types=["numeric"], chapters=["2"]), seed=21)
    q = assignment_quiz(a.id, a.item_ids, seed=a.seed, title="t")
    stems = {i["id"]: i["stem"] for i in q.spec["items"]}
    for e in a.parametric:
        weight = e.item.form.values.get("weight")
        if weight is not None:
            assert f"{forms._format(weight, None, 'w')} kg" in stems[e.id]
        assert "value" not in q.spec["items"][a.item_ids.index(e.id)]["answer"]  # the key stays in the kernel
        drawn_key = f"{forms._format(e.item.answer.value, None, 'k')} {e.item.answer.unit}"
        assert q._items[e.id].answer.value == e.item.answer.value
        assert grade(q._items[e.id], drawn_key).status == "correct"
