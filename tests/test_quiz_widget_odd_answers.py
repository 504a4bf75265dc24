"""The live widget never loses an answer to an odd one: the kernel grades whatever the front end syncs.

A matrix response whose row holds a list used to raise TypeError in the grader; in the widget that exception
ended the observer, so the valid attempt synced with it never reached the progress database.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import pytest
import yaml

from her2course.quiz import progress, quiz

sys.path.insert(0, str(Path(__file__).resolve().parent))
from quiz_responses import json_value, response_for

ROOT = Path(__file__).resolve().parents[1]
VECTORS = json.loads((ROOT / "tests" / "quiz_vectors.json").read_text(encoding="utf-8"))


@pytest.fixture
def live(tmp_path, monkeypatch):
    """A quiz on the one-item-per-type test bank, recording to a scratch progress database."""
    bank = tmp_path / "zz-test-bank.yaml"
    bank.write_text(yaml.safe_dump({"chapter": "zz-test-bank", "title": "Test bank",
                                    "learning_outcomes": VECTORS["learning_outcomes"], "items": VECTORS["bank"]}))
    db = tmp_path / "progress.sqlite3"
    monkeypatch.setenv(progress.ENV, str(db))
    return quiz(bank), db


def test_a_malformed_answer_synced_with_a_valid_one_loses_neither(live):
    q, db = live
    q.responses = {
        "t-matrix": {"response": {"r1": ["yes"], "r2": "no", "r3": "yes"}, "attempts": 1, "checked": True},
        "t-single": {"response": "b", "attempts": 1, "checked": True},
        "t-cloze": {"response": {"b1": {"b1-a": True}, "b2": "b2-b"}, "attempts": 1, "checked": True},
    }
    rows = {r["item"]: r for r in progress.rows(db)}
    assert (rows["t-single"]["status"], rows["t-single"]["score"]) == ("correct", 1)
    assert rows["t-matrix"]["status"] == rows["t-cloze"]["status"] == "invalid"
    assert json.loads(rows["t-matrix"]["response"]) == {"r1": ["yes"], "r2": "no", "r3": "yes"}
    assert q.score == (1, 1)


def test_any_synced_state_is_taken_without_an_exception(live):
    """Hundreds of generated responses and odd entries (not a mapping, attempts as text, unknown items) in turn:
    each sync is taken, every new attempt is recorded once, and the score stays within the maximum."""
    q, db = live
    rng = random.Random(7)
    items = {item.id: item for item in q._items.values()}
    attempts = dict.fromkeys(items, 0)
    recorded = 0
    for n in range(300):
        state: dict = {}
        for item_id, item in items.items():
            if rng.random() < 0.5:
                attempts[item_id] += 1
                recorded += 1
                state[item_id] = {"response": response_for(item, rng)[0], "attempts": attempts[item_id],
                                  "checked": rng.random() < 0.8, "revealed": False}
            else:
                state[item_id] = {"response": None, "attempts": attempts[item_id]}
        state[f"odd-{n % 3}"] = json_value(rng)
        state["t-single-text-attempts"] = {"response": "b", "attempts": "9"}
        q.responses = state
        points, maximum = q.score
        assert 0 <= points <= maximum
    assert len([r for r in progress.rows(db) if r["event"] == "attempt"]) == recorded
