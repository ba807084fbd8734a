"""Technique relations: comparable, same cell, the API and CLI (complementarity and defined
classes: tests/test_complementarity.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bigmap_kg.relations import relations, technique_iri

from .conftest import select

T = "https://w3id.org/bigmap-kg/technique/"


def test_lab_xrd_is_comparable_across_the_seven_partners_of_section_2_1(store) -> None:
    """Section 2.1: lab XRD 'can be performed by seven partners, namely Uppsala University,
    TU Delft, Oxford, University of Cambridge, CNRS, CEA and DTU' — the availability column of
    the lab XRD row lists the same seven: 21 comparable pairs."""
    pairs = [r for r in relations(store, T + "lab-xrd") if r.kind == "comparable"]
    partners = {p for r in pairs for p in r.partners}
    assert partners == {"uu", "tud", "uoxf", "ucam", "cnrs", "cea", "dtu"}
    assert len({r.iri for r in pairs}) == 21


def test_xas_and_xrd_combinable_on_the_soleil_electrocell(store) -> None:
    """Sheets 14/36: primary technique 'X-ray Absorption and Diffraction'."""
    same_cell = [r for r in relations(store, T + "xas") if r.kind == "same-cell"
                 and r.other == T + "xrd"]
    assert "https://w3id.org/bigmap-kg/cell/soleil-operando-electrocell" in {r.cell
                                                                           for r in same_cell}


def test_complementary_api_and_cli(client, store_path: Path) -> None:
    """The API and the CLI give the reasons, the sentence and the printed evidence."""
    body = client.get("/api/techniques/xps/complementary",
                      params={"kind": "complementary"}).json()
    assert body["relations"] and all(r["kind"] == "complementary" and r["reasons"]
                                     and r["explanation"] for r in body["relations"])
    # the printed values each reason rests on (surface table: HAXPES '~30 nm at 10 keV')
    haxpes = [r for r in body["relations"] if r["other"] == T + "haxpes"]
    assert any("~30 nm" in r["evidence"].get("DifferentProbedDepth", "") for r in haxpes)
    entry = client.get("/api/matrix-entries/ndp-realistic/complementary").json()
    assert any(r["other"] == T + "neutron-imaging" for r in entry["relations"])
    missing = client.get("/api/techniques/xpss/complementary")
    assert missing.status_code == 404
    assert "/api/techniques/xps" in missing.json()["detail"]["closeMatches"]
    bad_kind = client.get("/api/techniques/xps/complementary", params={"kind": "x"})
    assert bad_kind.status_code == 422
    cli = str(Path(sys.executable).with_name("bigmap-kg"))
    env = {"BIGMAP_KG_STORE": str(store_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([cli, "complement", "ndp"], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "Neutron imaging" in done.stdout
    assert "DifferentProbedDepth: " in done.stdout and "~40 μm" in done.stdout  # NDP '~40 μm'
    unknown = subprocess.run([cli, "complement", "xpss"], capture_output=True, text=True, env=env)
    assert unknown.returncode == 2 and "xps" in unknown.stderr


def test_technique_iri_accepts_slug_curie_and_iri() -> None:
    assert technique_iri("xps") == technique_iri("tech:xps") == technique_iri(T + "xps")


def test_competence_mapping_stated_and_derived(store) -> None:
    """Lab XRD: stated in section 2.1 (laboratory, Å, 1D, operando, seven partners). Derived from
    the rows: synchrotron XRD instruments are offered by ESRF (BM32, ID22, ID31, ID11, ID15A),
    DTU (DanMAX) and SOLEIL (CRISTAL, SWING); neutron diffraction by ILL (D2B, D20, SALSA) and
    TUD (PEARL); Bragg CDI's category is not legible, so its operando ability stays unknown."""
    rows = select(store, """SELECT ?t ?type ?n ?op ?scale ?basis WHERE {
        ?t bmo:hasCompetenceMapping ?m . ?m bmo:facilityType ?type ; bmo:basis ?basis .
        OPTIONAL { ?m bmo:partnerCount ?n } OPTIONAL { ?m bmo:operando ?op }
        OPTIONAL { ?m bmo:lengthScale ?scale } }""")
    mapping = {(r["t"].rsplit("/", 1)[1], r["type"].rsplit("#", 1)[1]): r for r in rows}
    lab = mapping[("lab-xrd", "LaboratoryFacility")]
    assert (lab["n"], lab["op"], lab["scale"].rsplit("#", 1)[1]) == ("7", "true", "Angstrom")
    assert lab["basis"].startswith("stated")
    assert mapping[("synchrotron-xrd", "SynchrotronFacility")]["n"] == "3"
    neutron = mapping[("neutron-diffraction", "NeutronFacility")]
    assert (neutron["n"], neutron["op"]) == ("2", "true")
    assert mapping[("bcdi", "SynchrotronFacility")]["op"] is None
