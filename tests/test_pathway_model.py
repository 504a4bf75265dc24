"""The pathway model against a table of textbook scenarios, plus validation and name look-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from her2course.errors import DataError
from her2course.paths import Layout
from her2course.pathway import UnknownName, simulate
from her2course.pathway.model import load, model, site_disagreements, validate

ON, OFF = True, False

# drugs, alterations, proliferation, survival, must be active, must be inactive
SCENARIOS = [
    # HER2-amplified cells
    ([], ["HER2-amplification"], ON, ON, ["HER2", "HER2:HER2", "AKT", "ERK"], []),
    (["trastuzumab"], ["HER2-amplification"], OFF, OFF, [], ["HER2", "AKT", "ERK", "PI3K"]),
    (["pertuzumab"], ["HER2-amplification"], ON, ON, ["HER2:HER2"], []),
    (["trastuzumab", "pertuzumab"], ["HER2-amplification"], OFF, OFF, [], ["AKT", "ERK"]),
    (["margetuximab"], ["HER2-amplification"], OFF, OFF, [], ["AKT"]),
    (["trastuzumab-emtansine"], ["HER2-amplification"], OFF, OFF, [], ["AKT"]),
    (["lapatinib"], ["HER2-amplification"], OFF, OFF, [], ["HER2", "AKT", "ERK"]),
    (["tucatinib"], ["HER2-amplification"], OFF, OFF, [], ["AKT"]),
    # p95HER2: antibodies miss it, TKIs reach its kinase
    (["trastuzumab"], ["p95HER2"], ON, ON, ["p95HER2", "PI3K", "AKT", "ERK"], []),
    (["trastuzumab"], ["HER2-amplification", "p95HER2"], ON, ON, ["p95HER2", "AKT", "ERK"], ["HER2:HER2"]),
    (["trastuzumab", "pertuzumab"], ["p95HER2"], ON, ON, ["p95HER2"], []),
    (["lapatinib"], ["p95HER2"], OFF, OFF, [], ["p95HER2", "AKT", "ERK"]),
    (["tucatinib"], ["p95HER2"], OFF, OFF, [], ["AKT", "ERK"]),
    (["neratinib"], ["p95HER2"], OFF, OFF, [], ["AKT", "ERK"]),
    (["lapatinib"], ["HER2-amplification", "p95HER2"], OFF, OFF, [], ["AKT", "ERK"]),
    (["trastuzumab-deruxtecan"], ["p95HER2"], ON, ON, ["p95HER2"], []),
    # ligand-driven HER2-HER3
    ([], ["HER3-ligand"], ON, ON, ["NRG1", "HER2:HER3", "HER3", "AKT"], []),
    (["trastuzumab"], ["HER3-ligand"], ON, ON, ["HER2:HER3", "AKT", "ERK"], []),
    (["pertuzumab"], ["HER3-ligand"], OFF, OFF, [], ["HER2:HER3", "AKT"]),
    (["trastuzumab", "pertuzumab"], ["HER3-ligand"], OFF, OFF, [], ["HER2:HER3", "AKT", "ERK"]),
    (["trastuzumab", "pertuzumab"], ["HER2-amplification", "HER3-ligand"], OFF, OFF, [], ["AKT", "ERK"]),
    (["trastuzumab"], ["HER2-amplification", "HER3-ligand"], ON, ON, ["HER2:HER3"], ["HER2:HER2"]),
    (["pertuzumab-trastuzumab-hyaluronidase"], ["HER2-amplification", "HER3-ligand"], OFF, OFF, [], ["AKT"]),
    (["zanidatamab"], ["HER2-amplification", "HER3-ligand"], OFF, OFF, [], ["AKT"]),
    # a kinase inhibitor alone damps but does not switch off neuregulin-driven HER2-HER3 pairs (wilson2012,
    # leung2015); pertuzumab, which stops the ligand-driven pairing, closes the route
    (["lapatinib"], ["HER3-ligand"], ON, ON, ["HER2:HER3", "AKT", "ERK"], []),
    (["tucatinib"], ["HER2-amplification", "HER3-ligand"], ON, ON, ["HER2:HER3", "AKT"], ["HER2:HER2"]),
    (["lapatinib", "pertuzumab"], ["HER2-amplification", "HER3-ligand"], OFF, OFF, [], ["HER2:HER3", "AKT", "ERK"]),
    (["lapatinib"], ["HER2-amplification"], OFF, OFF, [], ["HER2:HER2", "HER2:HER3", "AKT"]),  # no ligand: off
    # HER2-low disease: HER2 signaling at rest (the tumor grows through drivers the model does not draw)
    ([], ["HER2-low"], OFF, OFF, [], ["HER2:HER2", "HER2:HER3"]),
    # below the receptor: PIK3CA and PTEN keep PI3K/AKT on under any HER2 blockade
    (["trastuzumab"], ["HER2-amplification", "PIK3CA-mutation"], ON, ON, ["PI3K", "AKT", "mTOR"], ["ERK"]),
    (["trastuzumab", "pertuzumab"], ["HER2-amplification", "PIK3CA-mutation"], ON, ON, ["AKT"], ["ERK"]),
    (["lapatinib"], ["HER2-amplification", "PIK3CA-mutation"], ON, ON, ["AKT"], ["ERK", "HER2"]),
    (["tucatinib", "trastuzumab"], ["HER2-amplification", "PIK3CA-mutation"], ON, ON, ["AKT"], ["ERK"]),
    (["trastuzumab"], ["HER2-amplification", "PTEN-loss"], ON, ON, ["PIP3", "AKT"], ["PTEN", "ERK", "PI3K"]),
    (["lapatinib"], ["HER2-amplification", "PTEN-loss"], ON, ON, ["AKT"], ["ERK"]),
    ([], ["PTEN-loss"], ON, ON, ["AKT"], ["PTEN"]),
    # ERBB2 kinase-domain mutation (exon 20 insertion): only TKIs with data block it
    ([], ["ERBB2-exon20ins"], ON, ON, ["HER2-mut", "HER2", "AKT", "ERK"], []),
    (["zongertinib"], ["ERBB2-exon20ins"], OFF, OFF, [], ["HER2-mut", "AKT", "ERK"]),
    (["sevabertinib"], ["ERBB2-exon20ins"], OFF, OFF, [], ["HER2-mut"]),
    (["poziotinib"], ["ERBB2-exon20ins"], OFF, OFF, [], ["HER2-mut"]),
    (["pyrotinib"], ["ERBB2-exon20ins"], OFF, OFF, [], ["HER2-mut"]),
    (["lapatinib"], ["ERBB2-exon20ins"], ON, ON, ["HER2-mut"], []),
    (["neratinib"], ["ERBB2-exon20ins"], ON, ON, ["HER2-mut"], []),
    (["tucatinib"], ["ERBB2-exon20ins"], ON, ON, ["HER2-mut"], []),
    (["trastuzumab"], ["ERBB2-exon20ins"], ON, ON, ["HER2-mut"], []),
    # bypass receptors outside the HER family: no HER2 drug reaches them, both arms stay on
    (["trastuzumab", "pertuzumab"], ["HER2-amplification", "MET-amplification"], ON, ON,
     ["MET", "RAS", "ERK", "PI3K", "AKT"], ["HER2", "HER2:HER2", "HER2:HER3"]),
    (["trastuzumab", "pertuzumab"], ["HER2-amplification", "IGF1R-activation"], ON, ON,
     ["IGF-1R", "RAS", "ERK", "PI3K", "AKT"], ["HER2", "HER2:HER2", "HER2:HER3"]),
    (["lapatinib"], ["MET-amplification"], ON, ON, ["MET", "ERK", "AKT"], ["HER2"]),
    (["lapatinib"], ["HER2-amplification", "MET-amplification"], ON, ON, ["MET", "ERK", "AKT"], ["HER2:HER2"]),
    ([], ["MET-amplification"], ON, ON, ["MET", "RAS", "PI3K", "ERK", "AKT"], ["HER2", "IGF-1R"]),
    ([], ["IGF1R-activation"], ON, ON, ["IGF-1R", "ERK", "AKT"], ["MET"]),
    (["tucatinib", "trastuzumab"], ["HER2-amplification", "IGF1R-activation"], ON, ON, ["IGF-1R"], ["HER2"]),
    (["trastuzumab"], ["HER2-amplification"], OFF, OFF, [], ["MET", "IGF-1R"]),  # absent without the alteration
    # a resting cell
    ([], [], OFF, OFF, ["PTEN"], ["HER2", "AKT", "ERK"]),
]


def _id(row) -> str:
    return f"{'+'.join(row[0]) or 'none'}|{'+'.join(row[1]) or 'none'}"


@pytest.mark.parametrize(("drugs", "alterations", "prolif", "surv", "on", "off"), SCENARIOS, ids=map(_id, SCENARIOS))
def test_scenario_table(drugs, alterations, prolif, surv, on, off):
    r = simulate(drugs, alterations)
    assert r.outcomes == {"proliferation": prolif, "survival": surv}, r.to_dict()["explanation"]
    for node in on:
        assert node in r.active, f"{node} should be ON"
    for node in off:
        assert node not in r.active, f"{node} should be OFF"


@pytest.mark.parametrize(
    ("drug", "alterations", "target", "kills", "bystander"),
    [
        ("trastuzumab-deruxtecan", ["HER2-amplification"], True, True, True),
        ("trastuzumab-deruxtecan", [], False, False, False),  # no alteration: normal HER2 is not a HER2-low tumor
        ("trastuzumab-deruxtecan", ["HER2-low"], True, True, True),  # HER2-low (IHC 1+ or 2+): enough for T-DXd
        ("trastuzumab-emtansine", ["HER2-low"], False, False, False),
        ("trastuzumab-deruxtecan", ["p95HER2"], False, False, False),  # no extracellular domain: no target
        ("trastuzumab-deruxtecan", ["ERBB2-exon20ins"], True, True, True),
        ("trastuzumab-emtansine", ["HER2-amplification"], True, True, False),
        ("trastuzumab-emtansine", [], False, False, False),
        ("trastuzumab-emtansine", ["p95HER2"], False, False, False),
        ("trastuzumab-deruxtecan", ["HER2-amplification", "PIK3CA-mutation"], True, True, True),
    ],
)
def test_adc_payload_is_a_separate_cytotoxic_effect(drug, alterations, target, kills, bystander):
    r = simulate([drug], alterations)
    (c,) = r.cytotoxic
    assert (c.target_found, c.kills_cell, c.bystander) == (target, kills, bystander)
    text = r.to_dict()["explanation"]
    assert "separate from signaling" in text and "not a signaling block" in text
    if not target and "p95HER2" in alterations:
        assert "no target" in text


@pytest.mark.parametrize(("alteration", "node"), [("MET-amplification", "MET"), ("IGF1R-activation", "IGF-1R")])
def test_bypass_explanation_names_the_route_that_keeps_signalling(alteration, node):
    r = simulate(["trastuzumab", "pertuzumab"], ["HER2-amplification", alteration])
    text = r.to_dict()["explanation"]
    assert f"Proliferation stays ON through {node} → RAS → RAF → MEK → ERK" in text
    assert f"Survival stays ON through {node} → PI3K → PIP3 → AKT" in text
    assert f"{node} keeps feeding RAS and PI3K beside HER2" in text and "outside the HER family" in text
    assert not [b for b in r.blocks if b.target in ("RAS", "PI3K")]  # nothing blocks the bypass routes
    text = simulate(["lapatinib"], [alteration]).to_dict()["explanation"]
    assert "no HER2 kinase inhibitor blocks its kinase" in text


def test_bypass_alterations_leave_adc_killing_to_her2_level():
    (c,) = simulate(["T-DM1"], ["HER2-amplification", "MET-amplification"]).cytotoxic
    assert c.kills_cell
    (c,) = simulate(["T-DM1"], ["MET-amplification"]).cytotoxic  # normal HER2: too little for T-DM1
    assert not c.kills_cell


def test_adc_resistance_points_cover_every_step_for_tdxd_and_tdm1():
    m = model()
    for drug in ("trastuzumab-deruxtecan", "trastuzumab-emtansine"):
        steps = [p.step for p in m.resistance_points(drug)]
        assert set(steps) == {s.id for s in m.adc_steps}, drug
        assert steps == sorted(steps, key=[s.id for s in m.adc_steps].index)
    labels = {p.label for p in m.resistance_points("trastuzumab-deruxtecan")}
    assert {"Low or lost HER2", "Payload pumped out", "DNA-repair changes"} <= labels
    assert any("ABCC1" in p.text for p in m.resistance_points("trastuzumab-emtansine"))


def test_adc_resistance_structure_is_checked(tmp_path):
    src = (Path(__file__).parents[1] / "src/her2course/data/pathway.yaml").read_text(encoding="utf-8")
    bad = src.replace("  - step: internalise\n", "  - step: swallow\n", 1)
    bad = bad.replace("    drugs: [trastuzumab-emtansine]\n", "    drugs: [trastuzumab]\n", 1)
    with pytest.raises(DataError) as exc:
        load(_write(tmp_path, bad))
    text = str(exc.value)
    assert "unknown ADC step 'swallow'" in text and "'trastuzumab' is not an ADC" in text


def test_adc_with_pik3ca_kills_although_signals_stay_on():
    r = simulate(["T-DXd"], ["HER2 amplification", "PIK3CA"])
    assert r.outcomes["survival"] and r.cytotoxic[0].kills_cell
    assert "even though its growth signals stay on" in r.to_dict()["explanation"]


def test_explanation_names_the_escape_route():
    text = simulate(["trastuzumab"], ["p95HER2"]).to_dict()["explanation"]
    assert "p95HER2 → PI3K → PIP3 → AKT" in text and "cannot attach" in text
    text = simulate(["trastuzumab"], ["HER3-ligand"]).to_dict()["explanation"]
    assert "domain II" in text and "pertuzumab" in text
    text = simulate(["lapatinib"], ["exon 20"]).to_dict()["explanation"]
    assert "exon 20" in text
    text = simulate(["lapatinib"], ["HER2-amplification", "PTEN-loss"]).to_dict()["explanation"]
    assert "PTEN loss acts below HER2" in text


@pytest.mark.parametrize(
    ("name", "expected"),
    [("T-DXd", "trastuzumab-deruxtecan"), ("enhertu", "trastuzumab-deruxtecan"), ("KADCYLA", "trastuzumab-emtansine"),
     ("Phesgo", "pertuzumab-trastuzumab-hyaluronidase"), ("Trastuzumab", "trastuzumab"), ("TUKYSA", "tucatinib")],
)
def test_drug_names_are_case_insensitive_and_accept_brands(name, expected):
    assert model().drug(name).id == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [("p95HER2", "p95HER2"), ("P95-her2", "p95HER2"), ("her2 amplification", "HER2-amplification"),
     ("PIK3CA", "PIK3CA-mutation"), ("pten loss", "PTEN-loss"), ("heregulin", "HER3-ligand"),
     ("exon 20 insertion", "ERBB2-exon20ins"), ("ERBB2 kinase-domain mutation", "ERBB2-exon20ins"),
     ("MET amplification", "MET-amplification"), ("met-amplification", "MET-amplification"),
     ("c-MET", "MET-amplification"), ("IGF-1R", "IGF1R-activation"),
     ("IGF-1R signaling (ligand or receptor excess)", "IGF1R-activation")],
)
def test_alteration_names(name, expected):
    assert model().alteration(name).id == expected


def test_unknown_names_list_the_known_ones():
    with pytest.raises(UnknownName) as exc:
        simulate(["aspirin"], [])
    assert "trastuzumab" in str(exc.value) and exc.value.what == "drug"
    with pytest.raises(UnknownName) as exc:
        simulate([], ["BRCA1"])
    assert "p95HER2" in str(exc.value)


def test_every_known_drug_id_is_modelled():
    ids = ["trastuzumab", "trastuzumab-hyaluronidase", "pertuzumab", "pertuzumab-trastuzumab-hyaluronidase",
           "margetuximab", "zanidatamab", "trastuzumab-emtansine", "trastuzumab-deruxtecan", "disitamab-vedotin",
           "lapatinib", "neratinib", "tucatinib", "zongertinib", "sevabertinib", "pyrotinib", "poziotinib"]
    assert sorted(model().drugs) == sorted(ids)


def test_result_is_deterministic_and_order_independent():
    a = simulate(["pertuzumab", "trastuzumab"], ["p95HER2", "HER2-amplification"]).to_dict()
    b = simulate(["Trastuzumab", "PERTUZUMAB", "trastuzumab"], ["HER2 amplification", "p95"]).to_dict()
    assert a == b
    assert a["drugs"] == ["trastuzumab", "pertuzumab"]


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "pathway.yaml"
    p.write_text(text, encoding="utf-8")
    return p


def test_structure_problems_name_file_item_and_field(tmp_path):
    src = (Path(__file__).parents[1] / "src/her2course/data/pathway.yaml").read_text(encoding="utf-8")
    bad = src.replace("  - {source: RAS, target: RAF,", "  - {source: RAS, target: RAFF,", 1)
    bad = bad.replace("    kinase_targets: [EGFR, HER2]\n", "    kinase_targets: [EGFR, HER9]\n", 1)
    with pytest.raises(DataError) as exc:
        load(_write(tmp_path, bad))
    text = str(exc.value)
    assert "pathway.yaml" in text and "field 'target': unknown node 'RAFF'" in text
    assert "item 'lapatinib'" in text and "unknown kinase 'HER9'" in text


def test_cycle_is_reported(tmp_path):
    src = (Path(__file__).parents[1] / "src/her2course/data/pathway.yaml").read_text(encoding="utf-8")
    bad = src.replace("edges:\n", "edges:\n  - {source: ERK, target: RAS, references: [yarden2001]}\n", 1)
    with pytest.raises(DataError, match="cycle"):
        load(_write(tmp_path, bad))


def test_schema_errors_are_named(tmp_path):
    src = (Path(__file__).parents[1] / "src/her2course/data/pathway.yaml").read_text(encoding="utf-8")
    bad = src.replace("    site: ECD-II\n", "    site: ECD-3\n", 1)
    with pytest.raises(DataError, match=r"item 'pertuzumab': field 'site'"):
        load(_write(tmp_path, bad))


def test_site_disagreement_with_drug_base_is_reported():
    m = model()
    probs = site_disagreements(Path("pathway.yaml"), list(m.drugs.values()), {"pertuzumab": "ECD-IV", "x": "kinase"})
    assert [p.item for p in probs] == ["pertuzumab"]


def test_check_validator_counts_items_and_checks_references(tmp_path):
    root = Path(__file__).parents[1]
    bib = tmp_path / "empty.bib"
    bib.write_text("", encoding="utf-8")
    items, problems = validate(Layout(root / "src/her2course/data", bib))
    assert len(items) > 50
    assert any("reference key 'yarden2001'" in str(p) for p in problems)


def test_ligand_rescue_is_explained_with_its_evidence():
    r = simulate(["lapatinib"], ["HER2-amplification", "HER3-ligand"])
    (rescue,) = r.rescued
    assert (rescue.node, rescue.ligand, rescue.drugs) == ("HER2:HER3", "NRG1", ("lapatinib",))
    assert not [b for b in r.blocks if b.target == "HER2:HER3"]
    assert any(b.kind == "kinase" and b.target == "HER2:HER2" for b in r.blocks)  # the ligand-free pairs go off
    text = r.to_dict()["explanation"]
    assert "damps but does not switch off the HER2-HER3 pair" in text
    assert "neuregulin rescued HER2-amplified breast cancer cells from lapatinib" in text
    assert "such as pertuzumab" in text
    node = model().nodes["HER2:HER3"]
    assert node.ligand_rescue == ["NRG1"] and {"wilson2012", "leung2015"} <= set(node.references)
    from her2course.pathway.figures import scenario_alt
    assert "Damped but still ON: HER2-HER3 pair despite lapatinib" in scenario_alt(r)


def test_a_cell_without_alterations_is_not_a_her2_low_tumor():
    quiet = simulate(["trastuzumab-deruxtecan"], [])
    assert quiet.surface == "normal" and not quiet.cytotoxic[0].kills_cell
    text = quiet.to_dict()["explanation"]
    assert "not a HER2-low tumor" in text and "choose HER2-low" in text
    low = simulate(["trastuzumab-deruxtecan"], ["HER2-low"])
    assert low.surface == "low" and low.cytotoxic[0].kills_cell
    assert "grows through other drivers" in low.to_dict()["explanation"]
    # antibodies are not credited with immune attack on cells without amplified or mutant HER2
    assert simulate(["trastuzumab"], []).immune == [] and simulate(["trastuzumab"], ["HER2-low"]).immune == []
    assert simulate(["trastuzumab"], ["HER2-amplification"]).immune == ["trastuzumab"]


def test_ligand_rescue_must_name_a_ligand_and_explain_itself(tmp_path):
    src = (Path(__file__).resolve().parents[1] / "src" / "her2course" / "data" / "pathway.yaml").read_text()
    bad = src.replace("    ligand_rescue: [NRG1]\n", "    ligand_rescue: [HER4]\n", 1)
    assert bad != src
    path = tmp_path / "pathway.yaml"
    path.write_text(bad)
    with pytest.raises(DataError) as err:
        load(path)
    assert "'HER4' is not a ligand node" in str(err.value)
