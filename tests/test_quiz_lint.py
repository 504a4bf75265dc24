"""The bank linter (her2course quiz lint): each rule on small made-up banks, the CLI, and the course's banks."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from her2course.cli import main
from her2course.exports.builder import blueprint_html
from her2course.exports.selection import all_entries
from her2course.paths import package_layout
from her2course.quiz import lint
from her2course.quiz.bank import load_bank, questions_dir
from her2course.quiz.schema import CJMM_STEPS, KNOWLEDGE, MODELS

CLIENT = "Ms. A., 52, is due her third cycle today and reports a new cough."


def _options(texts: list[str], key: int) -> list[dict]:
    return [{"id": f"o{i}", "text": t, "correct": i == key, "rationale": f"Why option {i} is right or wrong."}
            for i, t in enumerate(texts)]


def single(n: int, texts: list[str], key: int, stem: str = CLIENT, step: str = "analyze_cues") -> dict:
    return {"id": f"s{n}", "type": "single", "stem": stem, "options": _options(texts, key),
            "explanation": "Explanation.", "learning_outcome": "LO1", "cjmm_step": step, "difficulty": "easy",
            "reference": ["wolff2018"]}


def sata(n: int, texts: list[str], keys: set[int], stem: str = CLIENT + " Which findings matter?") -> dict:
    options = [{"id": f"o{i}", "text": t, "correct": i in keys, "rationale": "Why."} for i, t in enumerate(texts)]
    return {"id": f"m{n}", "type": "sata", "stem": stem, "options": options, "explanation": "Explanation.",
            "learning_outcome": "LO1", "cjmm_step": "recognize_cues", "difficulty": "easy",
            "reference": ["wolff2018"]}


def items(*raw: dict) -> list:
    return [MODELS[r["type"]].model_validate(r) for r in raw]


def rules(report: lint.BankReport) -> list[str]:
    return [f.rule for f in report.failures]


PARALLEL = ["Hold the dose and call", "Give the dose as usual", "Give half the dose now", "Give the dose tomorrow"]


def balanced(n: int) -> list[dict]:
    """n single-best-answer items with rotating key positions and equal-length options: no cue at all."""
    return [single(i, PARALLEL, i % 4) for i in range(n)]


def test_a_balanced_bank_passes_and_reports_its_statistics():
    report = lint.lint_items("demo", items(*balanced(8)))
    assert report.passed, report.failures
    assert report.key_positions == {0: 2, 1: 2, 2: 2, 3: 2}
    assert report.key_longest == 0 and report.key_shortest == 0
    text = "\n".join(report.lines())
    assert "key position (authored)" in text and "A 2 B 2 C 2 D 2" in text and "result" in text and "pass" in text


def test_one_favorite_key_position_fails():
    raw = [single(i, PARALLEL, 0) for i in range(3)] + [single(3, PARALLEL, 1), single(4, PARALLEL, 2)]
    report = lint.lint_items("demo", items(*raw))
    assert rules(report) == ["key-position"]  # 3 of 5 = 60% at option A, above 40%
    assert "option A in 3 of 5" in report.failures[0].message


def test_two_items_are_too_few_to_judge_position():
    assert lint.lint_items("demo", items(single(0, PARALLEL, 0), single(1, PARALLEL, 0))).passed


def test_the_key_being_the_longest_option_too_often_fails():
    long_key = ["Hold the dose, call the prescriber and recheck the saturation", *PARALLEL[1:]]
    raw = [single(i, long_key, 0) if i < 2 else single(i, PARALLEL, i % 4) for i in range(5)]
    raw[1]["options"] = _options(PARALLEL[1:] + long_key[:1], 3)  # rotate the position, keep the long key
    report = lint.lint_items("demo", items(*raw))
    assert report.key_longest == 2 and "key-longest" in rules(report)  # 2 of 5 = 40% > 35%


def test_the_key_being_the_shortest_option_too_often_fails():
    short_key = ["Hold", *PARALLEL[1:]]
    raw = [single(i, PARALLEL, i % 4) for i in range(5)]
    raw[0]["options"] = _options(short_key, 0)
    raw[1]["options"] = _options([*PARALLEL[1:], "Hold"], 3)
    report = lint.lint_items("demo", items(*raw))
    assert report.key_shortest == 2 and "key-shortest" in rules(report)


def test_options_of_very_different_lengths_fail():
    texts = ["Hold", "Give the dose as usual and recheck the saturation next cycle", "Give half", "Give later"]
    report = lint.lint_items("demo", items(single(0, texts, 2)))
    assert "length-spread" in rules(report)
    assert report.spreads["s0"] == pytest.approx(len(texts[1]) / 4)


def test_absolute_words_only_in_distractors_fail():
    raw = [single(i, PARALLEL, i % 4) for i in range(4)]
    for r in raw:  # every distractor carries an absolute word, no key does
        for o in r["options"]:
            if not o["correct"]:
                o["text"] = "Never " + o["text"].lower()
    report = lint.lint_items("demo", items(*raw))
    assert report.distractors_absolute == 12 and report.keys_absolute == 0
    assert "absolute-words" in rules(report)


def test_absolute_words_used_evenly_pass():
    raw = [single(i, PARALLEL, i % 4) for i in range(4)]
    for r in raw:  # keys and distractors alike
        for o in r["options"]:
            o["text"] = "Always " + o["text"].lower()
    report = lint.lint_items("demo", items(*raw))
    assert report.distractors_absolute == 12 and report.keys_absolute == 4
    assert "absolute-words" not in rules(report)


def test_all_or_none_of_the_above_fails():
    report = lint.lint_items("demo", items(single(0, ["Hold the dose", "Call the team", "None of the above"], 0)))
    assert rules(report).count("above") == 1


@pytest.mark.parametrize(("stem", "texts", "bad"), [
    (CLIENT + " The nurse's first action is to give an", ["antiemetic", "diuretic", "opioid"], True),
    (CLIENT + " The nurse's first action is to give an", ["antiemetic", "analgesic", "opioid"], False),
    (CLIENT + " Her cough most likely reflects a", ["HER2-driven process", "viral illness", "drug effect"], False),
    (CLIENT + " The team first orders a", ["MRI of the chest", "CT of the chest", "chest film"], True),
])
def test_an_article_that_does_not_fit_an_option_fails(stem, texts, bad):
    report = lint.lint_items("demo", items(single(0, texts, 0, stem=stem)))
    assert ("grammar" in rules(report)) is bad


def test_number_agreement_between_stem_and_item_type():
    plural = lint.lint_items("demo", items(single(0, PARALLEL, 0, stem=CLIENT + " Which actions are best?")))
    assert "grammar" in rules(plural)
    singular = lint.lint_items("demo", items(sata(0, PARALLEL, {0, 1}, stem=CLIENT + " Which action is best?")))
    assert "grammar" in rules(singular)
    fine = lint.lint_items("demo", items(sata(0, PARALLEL, {0, 2}, stem=CLIENT + " Which actions are best?")))
    assert "grammar" not in rules(fine)


def test_select_all_with_every_option_right_fails():
    report = lint.lint_items("demo", items(sata(0, PARALLEL, {0, 1, 2, 3})))
    assert "sata-all-correct" in rules(report)


def test_keys_listed_before_every_distractor_in_most_groups_fails():
    raw = [sata(i, PARALLEL, {0, 1}) for i in range(4)]
    report = lint.lint_items("demo", items(*raw))
    assert (report.keys_first, report.choice_groups) == (4, 4) and "keys-first" in rules(report)
    mixed = [sata(i, PARALLEL, {1, 3}) for i in range(4)]
    assert "keys-first" not in rules(lint.lint_items("demo", items(*mixed)))


def _bowtie(sizes: list[tuple[int, int]]) -> dict:
    groups = []
    for g, (n, choose) in enumerate(sizes):
        opts = [{"id": f"g{g}o{i}", "text": f"Choice {i} of group {g}", "correct": i < choose, "rationale": "Why."}
                for i in range(n)]
        opts = opts[choose:] + opts[:choose]  # keys last
        groups.append({"id": f"group{g}", "label": f"Group {g}", "choose": choose, "options": opts})
    return {"id": "b0", "type": "bowtie", "stem": CLIENT + " Complete the bow-tie.", "groups": groups,
            "explanation": "Explanation.", "learning_outcome": "LO1", "cjmm_step": "take_action",
            "difficulty": "hard", "reference": ["wolff2018"]}


def test_bowtie_shape_is_the_stand_alone_ngn_shape():
    good = lint.lint_items("demo", items(_bowtie([(5, 2), (4, 1), (5, 2)])))
    assert good.passed and good.bowties_standard == 1
    bad = lint.lint_items("demo", items(_bowtie([(5, 2), (3, 1), (4, 2)])))
    assert rules(bad) == ["bowtie-shape"] and "choose 1 of 3" in bad.failures[0].message


def test_a_cjmm_step_needs_a_client_situation():
    recall = "Which receptor of the HER family has no known ligand?"
    assert "cjmm-client" in rules(lint.lint_items("demo", items(single(0, PARALLEL, 0, stem=recall))))
    assert lint.lint_items("demo", items(single(0, PARALLEL, 0, stem=recall, step=KNOWLEDGE))).passed
    # "HER2" and "HER/ErbB" are not the pronoun "her"
    assert not lint.presents_client(items(single(0, PARALLEL, 0, stem="Why is HER/ErbB signaling strong in HER2?"))[0])
    for stem in ("A 58-year-old man has a new cough.", "Mr. K. arrives for cycle 4.", "She reports 6 stools a day.",
                 "The client asks what the result means."):
        assert lint.presents_client(items(single(0, PARALLEL, 0, stem=stem))[0]), stem


def test_a_client_introduced_by_name_and_age_counts_and_a_dose_or_a_score_does_not():
    """A case introduces its client as "Aisha Rahman, 58." (accented names too); "HER2, 3+" and a brand name with
    its dose are not people."""
    def client(stem: str) -> bool:
        return lint.presents_client(items(single(0, PARALLEL, 0, stem=stem))[0])

    for stem in ("Aisha Rahman, 58. Metastatic breast cancer on T-DXd; a new cough is reported today.",
                 "Lucía Fernández, 44, receives the loading dose. Which cause is most likely?",
                 "Élodie Dupont, 61; which finding is due for follow-up?"):
        assert client(stem), stem
    for stem in ("Which result is reported for HER2, 3+ by IHC?",
                 "Trastuzumab Deruxtecan, 5.4 mg/kg, is due every 3 weeks. Which test comes first?",
                 "Enhertu Injection, 100 mg, is reconstituted with how much water?"):
        assert not client(stem), stem


def test_knowledge_is_counted_and_steps_stay_the_six_cjmm_steps():
    report = lint.lint_items("demo", items(single(0, PARALLEL, 0, stem="Which receptor?", step=KNOWLEDGE)))
    assert report.knowledge == 1 and KNOWLEDGE not in CJMM_STEPS and len(CJMM_STEPS) == 6


def _write(folder: Path, name: str, raw_items: list[dict]) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump({"chapter": name, "items": raw_items}, sort_keys=False), encoding="utf-8")
    return path


def test_cli_passes_a_clean_bank_dir_and_fails_a_cued_one(tmp_path, capsys):
    good = tmp_path / "good"
    good.mkdir()
    _write(good, "bank-a", balanced(4))
    assert main(["quiz", "lint", "--bank-dir", str(good)]) == 0
    assert "bank-a: 4 items" in capsys.readouterr().out
    bad = tmp_path / "bad"
    bad.mkdir()
    _write(bad, "bank-b", [single(i, PARALLEL, 0) for i in range(4)])
    assert main(["quiz", "lint", "--bank-dir", str(bad)]) == 1
    captured = capsys.readouterr()
    assert "[key-position]" in captured.out and "1 of 1 banks fail: bank-b" in captured.err


def test_cli_reports_an_invalid_bank_and_a_missing_folder(tmp_path, capsys):
    _write(tmp_path, "broken", [{"id": "x1", "type": "single", "stem": "No options"}])
    assert main(["quiz", "lint", "--bank-dir", str(tmp_path)]) == 1
    assert "[invalid] x1" in capsys.readouterr().out
    assert main(["quiz", "lint", "--bank-dir", str(tmp_path / "nowhere")]) == 2
    assert "not a folder" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["quiz", "lint", "--bank-dir", str(empty)]) == 2


# ----------------------------------------------------------------------------------------- the course's banks

CORE = [f"0{n}-{name}" for n, name in enumerate(
    ["her2-biology", "drug-classes", "therapy-in-practice", "resistance", "toxicity-management", "nursing-care"],
    start=1)]


def test_every_course_bank_passes_the_linter():
    reports = lint.lint_dir(questions_dir(package_layout()))
    assert [r.name for r in reports] == CORE
    failures = [f"{r.name}: {f}" for r in reports for f in r.failures]
    assert failures == [], "\n".join(failures)


def test_the_unfolding_cases_are_linted_as_one_bank_and_pass():
    report = lint.lint_cases()
    assert (report.name, report.items, report.single) == ("07-unfolding-cases", 30, 5)
    assert report.failures == [], "\n".join(map(str, report.failures))
    assert report.choice_groups == 26 and max(report.key_positions.values()) <= 2  # 5 singles, at most 2 in one place


def test_cli_lints_the_cases_with_the_course_banks_but_not_with_a_private_folder(tmp_path, capsys, monkeypatch):
    from her2course.exports.selection import BANK_DIR_ENV

    monkeypatch.delenv(BANK_DIR_ENV, raising=False)
    assert main(["quiz", "lint"]) == 0
    out = capsys.readouterr().out
    assert "07-unfolding-cases: 30 items" in out and f"All {len(CORE) + 1} banks pass." in out
    _write(tmp_path, "bank-a", balanced(4))
    assert main(["quiz", "lint", "--bank-dir", str(tmp_path)]) == 0
    assert "07-unfolding-cases" not in capsys.readouterr().out


def test_a_case_that_does_not_validate_fails_the_case_bank_with_its_problem(monkeypatch, capsys):
    from her2course.cases import bank as case_bank
    from her2course.errors import DataError, Problem
    from her2course.exports.selection import BANK_DIR_ENV

    def broken():
        raise DataError([Problem(Path("cases/lvef-trastuzumab.yaml"), "lvef-trastuzumab, stage 1",
                                 "item.options[4].rationale", "required field is missing")])

    monkeypatch.setattr(case_bank, "case_banks", broken)
    report = lint.lint_cases()
    assert not report.passed and rules(report) == ["invalid"]
    assert str(report.failures[0]) == ("[invalid] lvef-trastuzumab, stage 1: item.options[4].rationale: required "
                                       "field is missing")
    monkeypatch.delenv(BANK_DIR_ENV, raising=False)
    assert main(["quiz", "lint"]) == 1
    assert f"1 of {len(CORE) + 1} banks fail: 07-unfolding-cases" in capsys.readouterr().err


def test_core_banks_are_large_enough_and_carry_standard_bowties():
    bowties = 0
    for chapter in CORE:
        bank = load_bank(chapter)
        assert len(bank.items) >= 25, chapter
        for item in bank.items:
            assert item.learning_outcome and item.reference and item.explanation
        bowties += sum(1 for i in bank.items if i.type == "bowtie"
                       and [(len(g.options), g.choose) for g in i.groups] == [(5, 2), (4, 1), (5, 2)])
    assert bowties >= 6


def test_the_blueprint_shows_clinical_and_knowledge_items():
    entries = all_entries()
    html = blueprint_html(entries)
    assert "Knowledge (no client situation)" in html and "Clinical judgment (all steps)" in html
    knowledge = sum(1 for e in entries if e.item.cjmm_step == KNOWLEDGE)
    assert 0 < knowledge < len(entries)
    assert f"<td><strong>{len(entries) - knowledge}</strong></td><td><strong>{knowledge}</strong></td>" in html


def test_make_test_runs_the_linter():
    """The issue asks that `make test` fail on a cued bank: its recipe runs the linter before the book and tests."""
    recipe = (Path(__file__).resolve().parents[1] / "Makefile").read_text(encoding="utf-8").split("\ntest:", 1)[1]
    recipe = recipe.split("\n\n", 1)[0]
    assert "her2course quiz lint" in recipe


def test_a_course_bank_made_test_wise_fails(tmp_path):
    """The chapter 1 bank with the old cues put back (keys first and longest, an "all of the above") fails."""
    from her2course.yamlfile import read_yaml

    source = questions_dir(package_layout()) / "01-her2-biology.yaml"
    raw = read_yaml(source)
    assert lint.lint_dir(source.parent)[0].passed
    singles = [i for i in raw["items"] if i["type"] == "single"]
    for item in singles:
        key = next(o for o in item["options"] if o.get("correct"))
        key["text"] += ", as the ASCO/CAP guideline and the current US prescribing information both set out"
        item["options"] = [key] + [o for o in item["options"] if o is not key]
    singles[0]["options"][-1]["text"] = "All of the above"
    (tmp_path / "01-her2-biology.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    report = lint.lint_dir(tmp_path)[0]
    assert {"key-position", "key-longest", "above"} <= set(rules(report))
    assert report.key_positions[0] == report.single and report.key_longest == report.single
