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
