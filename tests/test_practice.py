"""Chapter 3's timeline and routing data: validation messages, figures with alt text, tables."""

from __future__ import annotations

import yaml

from her2course import practice


def test_real_data_is_valid_and_ordered():
    events = practice.events()
    assert len(events) >= 30
    assert [e.year for e in events] == sorted(e.year for e in events)
    cats, foot = practice.routing()
    assert [c.id for c in cats] == ["positive", "low", "ultralow", "null"]
    assert foot is not None and "BRCA" in foot.text


def test_timeline_out_of_order_is_named(copy_layout):
    path = copy_layout.data_dir / "timeline.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["events"][0], raw["events"][1] = raw["events"][1], raw["events"][0]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    _, problems = practice.validate_timeline(copy_layout)
    assert any("field 'date'" in str(p) and "date order" in str(p) for p in problems)


def test_routing_bad_reference_and_missing_field(copy_layout):
    path = copy_layout.data_dir / "routing.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["categories"][1]["hr_negative"]["references"] = ["nobody2099"]
    del raw["categories"][2]["test"]
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    messages = [str(p) for p in practice.validate_routing(copy_layout)[1]]
    assert any("item 'low': field 'hr_negative.references': reference key 'nobody2099'" in m for m in messages)
    assert any("item 'ultralow': field 'test': required field is missing" in m for m in messages)


def test_figures_describe_their_content():
    timeline = practice.timeline_figure()
    assert "1998" in timeline.alt and "table" in timeline.alt
    routing = practice.routing_figure()
    for label in ("HER2-positive", "HER2-low", "HER2-ultralow", "HER2-null", "BRCA"):
        assert label in routing.alt
    assert timeline.svg() == practice.timeline_figure().svg()


def test_tables_list_every_event_and_category():
    assert len(practice.timeline_table().rows) == len(practice.events())
    table = practice.routing_table()
    assert [r[0] for r in table.rows] == ["HER2-positive", "HER2-low", "HER2-ultralow", "HER2-null"]
    assert "Sources:" in table.source
