"""Facilitator guides for the unfolding cases: made from the case data plus authored notes, checked, and shown on
an instructor page only (never on the student case page)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
import yaml

from her2course import check
from her2course.cases import load_case
from her2course.cases.loader import case_ids
from her2course.myst import literal
from her2course.quiz import markup
from her2course.quiz.schema import CJMM_STEPS, Sata, Single
from her2course.teaching import facilitator

ROOT = Path(__file__).resolve().parents[1]
CASES = case_ids()


def _authored(case_id: str) -> list[str]:
    """Every sentence a facilitator note adds (questions to ask, wrong turns, prebrief, debrief, focus)."""
    notes = facilitator.load_notes(case_id)
    out = [notes.focus, *notes.prebrief, *notes.debrief]
    for s in notes.stages.values():
        out += s.ask
        if s.watch_for:
            out.append(s.watch_for)
    return [" ".join(t.split()) for t in out]


def test_every_case_has_notes_for_every_step():
    assert len(CASES) == 5
    for cid in CASES:
        notes = facilitator.load_notes(cid)
        assert list(notes.stages) == list(CJMM_STEPS), cid
        assert all(len(s.ask) >= 2 for s in notes.stages.values()), cid
        assert 45 <= notes.minutes <= 90, (cid, notes.minutes)
        assert len(notes.debrief) >= 3


@pytest.mark.parametrize("case_id", CASES)
def test_guide_is_made_from_the_case(case_id):
    case = load_case(case_id)
    notes = facilitator.load_notes(case_id)
    text = facilitator.guide_markdown(case_id, 1)
    plain = " ".join(html.unescape(text).split())
    assert f"about {notes.minutes} minutes" in plain and f"<td>{notes.minutes}</td>" in text
    for key in {s.item.learning_outcome for s in case.stages}:  # objectives: the outcomes the stages assess
        assert f"**{key}** {literal(case.learning_outcomes[key])}" in text  # shown as written
    for s in case.stages:
        assert literal(s.title) in text
        assert f"<code>{s.item.id}</code>" in text
        for q in notes.stages[s.step].ask:
            assert literal(q) in text
        if isinstance(s.item, Single | Sata):  # the key, then every distractor with its rationale
            for o in s.item.options:
                assert markup.inline(o.text) in text
                assert markup.inline(o.rationale) in text
    for q in notes.debrief:
        assert literal(q) in text


def test_expected_answer_and_wrong_turns_follow_the_item():
    case = load_case("lvef-trastuzumab")
    numeric = case.stage("analyze_cues").item
    assert "<strong>14 points</strong>" in facilitator.expected_html(numeric)
    assert [v for v, _ in facilitator.wrong_turns(numeric)] == ["22.6", "11", "2"]
    actions = case.stage("take_action").item  # stage 5: a choice among right and wrong actions
    turns = dict(facilitator.wrong_turns(actions))
    wrong = [o for o in actions.options if not o.correct]
    assert wrong and all(turns[o.text] == o.rationale for o in wrong)
    assert not any(o.text in turns for o in actions.options if o.correct)


def test_check_reports_missing_or_stray_notes(copy_layout):
    folder = copy_layout.data_dir / "facilitator"
    (folder / "phesgo-reaction.yaml").unlink()
    stray = yaml.safe_load((folder / "ild-tdxd.yaml").read_text(encoding="utf-8"))
    stray["case"] = "no-such-case"
    (folder / "no-such-case.yaml").write_text(yaml.safe_dump(stray), encoding="utf-8")
    broken = yaml.safe_load((folder / "lvef-trastuzumab.yaml").read_text(encoding="utf-8"))
    broken["stages"]["take_actions"] = broken["stages"].pop("take_action")
    broken["references"].append("ghost2099")
    (folder / "lvef-trastuzumab.yaml").write_text(yaml.safe_dump(broken), encoding="utf-8")
    _, problems = check.run(copy_layout)
    text = "\n".join(str(p) for p in problems)
    assert "phesgo-reaction.yaml: item 'phesgo-reaction': the case has no facilitator notes" in text
    assert "no-such-case.yaml: item 'no-such-case': field 'case': there is no case 'no-such-case'" in text
    assert "field 'stages.take_actions': 'take_actions' is not a CJMM step" in text
    assert "lvef-trastuzumab.yaml: item 'lvef-trastuzumab': field 'stages': no notes for the 'take_action' stage" \
        in text
    assert len(problems) == 4, text  # the bad reference is reported once the file is otherwise valid


@pytest.mark.book
def test_guides_are_on_the_instructor_page_and_never_on_the_student_page(built_html):
    guide = (built_html / "book" / "facilitator-guides.html").read_text(encoding="utf-8")
    student = (built_html / "notebooks" / "07-unfolding-cases.html").read_text(encoding="utf-8")

    straight = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})  # Sphinx's smart quotes

    def words(page: str) -> str:
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split()).translate(straight)

    guide_text, student_text = words(guide), words(student)
    assert "her2-facilitator" in guide and "her2-facilitator" not in student
    for cid in CASES:
        for sentence in _authored(cid):
            plain = markup.plain(sentence)
            assert plain in guide_text, (cid, plain)
            assert plain not in student_text, (cid, plain)
    for heading in ("Objectives", "Timing", "Prebrief", "Debrief", "Common wrong turns"):
        assert heading in guide_text
    # the overview links to each guide's own heading
    for anchor in re.findall(r'href="#(case-\d[^"]*)"', guide):
        assert f'id="{anchor}"' in guide, anchor
