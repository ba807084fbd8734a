"""The planner: exact smallest covers, ranked, with what is left uncovered; checked against
answers derived by hand from the D5.1 tables."""

from __future__ import annotations

import pytest

from bigmap_kg.planner import Constraints, PlanError, plan

E = "https://w3id.org/bigmap-kg/matrix-entry/"
STUDY = ["crystal-structure", "sei-composition", "lithium-distribution"]


def entries(result) -> list[set[str]]:
    return [{e[len(E):] for e in p.entries} for p in result.plans]


def test_operando_study_leaves_sei_composition_uncovered(store) -> None:
    """Every row measuring SEI composition (XPS, nano-XPS, (N)AP-XPS, HAXPES, micro-XAS, FTIR,
    XRR 'Interphase thickness (M) and composition (L)')
    is in the model category, so an operando-only plan cannot cover it (D5.1 names operando XPS
    as a capability to develop). Crystal structure and lithium distribution are covered at once
    by XRD-CT ('Phase fractions (SOC)', commercial), XRD-CT/PDF-CT ('Phase fractions and
    distribution/SoC in 3D', realistic) and SAXS-CT/WAXS-CT ('3D repartition of phases;
    lithiation mapping', realistic)."""
    result = plan(store, STUDY, Constraints(operando_only=True))
    assert [u.rsplit("/", 1)[1] for u in result.uncovered] == ["sei-composition"]
    assert set(map(frozenset, entries(result))) == {
        frozenset({"xrd-ct-commercial"}), frozenset({"xrd-pdf-ct-realistic"}),
        frozenset({"saxs-waxs-ct-realistic"})}
    ranks = [p.cross_check_partners for p in result.plans]
    assert ranks == sorted(ranks, reverse=True)


def test_unconstrained_study_needs_two_entries(store) -> None:
    """No single row measures SEI composition together with crystal structure and lithium, so
    the smallest covers have two entries: one of the three above plus an SEI technique."""
    result = plan(store, STUDY, Constraints(limit=100))
    assert result.uncovered == []
    assert result.plans and all(len(p.entries) == 2 for p in result.plans)
    sei = {"xps-model", "nano-xps-model", "nap-xps-model", "haxpes-model", "micro-xas-model",
           "ftir-model", "nano-xps-model-imaging", "xrr-model"}
    for chosen in entries(result):
        assert chosen & sei and chosen - sei


def test_neutron_only_study(store) -> None:
    """Neutron facilities: crystal structure by neutron diffraction (D20, D2B ...) and lithium
    by neutron imaging / tomography (D50-NeXT), NDP or neutron reflectometry."""
    result = plan(store, ["crystal-structure", "lithium-distribution"],
                  Constraints(facility_types=("neutron",), limit=100))
    assert result.uncovered == []
    instruments = {i.rsplit("/", 1)[1] for p in result.plans for found in p.instruments.values()
                   for i in found}
    assert {"ill-d20", "ill-d2b", "ill-d50-next"} <= instruments
    lithium = {"neutron-imaging-commercial", "neutron-imaging-realistic",
               "neutron-tomography-commercial", "ndp-realistic",
               "neutron-reflectometry-model"}
    for chosen in entries(result):
        assert len(chosen) == 2
        assert chosen & {"neutron-diffraction-commercial", "neutron-diffraction-realistic"}
        assert chosen & lithium


def test_unknown_observable_lists_close_matches(store) -> None:
    with pytest.raises(PlanError) as caught:
        plan(store, ["crystal-structur"], Constraints())
    assert "crystal-structure" in caught.value.close_matches


def test_plan_api(client) -> None:
    ok = client.post("/api/plan", json={"observables": STUDY, "operando_only": True})
    assert ok.status_code == 200
    assert ok.json()["uncovered"] == ["https://w3id.org/bigmap-kg/observable/sei-composition"]
    bad = client.post("/api/plan", json={"observables": ["lithium-distributon"]})
    assert bad.status_code == 422
    assert "lithium-distribution" in bad.json()["detail"]["closeMatches"]
    empty = client.post("/api/plan", json={"observables": []})
    assert empty.status_code == 422
    over = client.post("/api/plan", json={"observables": ["sei-composition"],
                                          "facility_types": ["neutron"]})
    assert over.status_code == 200 and over.json()["plans"] == []
    assert over.json()["uncovered"] == ["https://w3id.org/bigmap-kg/observable/sei-composition"]
