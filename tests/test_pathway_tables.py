"""The resistance table is computed by the pathway model, cell by cell."""

from __future__ import annotations

from her2course.pathway.tables import resistance_table


def test_resistance_table_matches_textbook_expectations():
    table = resistance_table([["trastuzumab"], ["lapatinib"], ["T-DXd"]],
                             [["HER2 amplification"], ["HER2 amplification", "p95HER2"], []])
    assert table.headers == ["Cell", "trastuzumab", "lapatinib", "T-DXd"] or table.headers[0] == "Cell"
    amplified, p95, resting = table.rows
    assert amplified[1] == "signals off" and amplified[2] == "signals off"
    assert p95[1].startswith("persists") and p95[2] == "signals off"
    assert "payload kills the cell" in p95[3]
    assert resting[0].startswith("no alteration")
    assert "teaching simplification" in table.source and "Anido" in table.source


def test_a_cell_with_her2_signaling_at_rest_is_not_reported_as_switched_off_by_the_drug():
    table = resistance_table([["trastuzumab"], ["T-DM1"], ["T-DXd"]], [["HER2-low"], []])
    low, resting = table.rows
    assert low[1] == "nothing to block (HER2 signaling at rest)"
    assert low[2].endswith("no target for the payload") and low[3].endswith("payload kills the cell")
    assert resting[3].endswith("no target for the payload")  # a normal cell is not a HER2-low tumor
    assert "not a HER2-low tumor" in resting[0]
