"""Reasoning: defined classes (HermiT), technique relations with reasons, API and CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bigmap_kg.reason import java_available
from bigmap_kg.relations import relations, technique_iri

from .conftest import select
from .server import running_server

T = "https://w3id.org/bigmap-kg/technique/"


def members(store, cls: str) -> set[str]:
    rows = select(store, f"SELECT ?t WHERE {{ ?t a <https://w3id.org/bigmap-kg/ontology#{cls}> }}")
    return {r["t"].rsplit("/", 1)[1] for r in rows}


@pytest.mark.skipif(not java_available(), reason="no Java runtime for HermiT")
def test_defined_classes_classify_techniques(store) -> None:
    """Surface-sensitive: printed depth ≤ 10 nm (XPS 6-10 nm, nano-XPS up to 4 nm, (N)AP-XPS
    ~5 nm, NEXAFS 10nm, soft XAS 10nm, nano-Auger <5nm, XPEEM 10 nm). Lithium-sensitive: rows
    measuring lithium distribution / gradients / lithiation / SoC (neutron imaging and tomography,
    NDP, NR, SAXS-CT 'lithiation mapping', XRD-CT and XRD-CT/PDF-CT 'Phase fractions (SOC)')."""
    assert members(store, "SurfaceSensitiveTechnique") == {
        "xps", "nano-xps", "nap-xps", "nexafs-exafs", "soft-xas", "nano-auger", "xpeem"}
    assert members(store, "LithiumSensitiveTechnique") == {
        "neutron-imaging", "neutron-tomography", "ndp", "neutron-reflectometry", "saxs-waxs-ct",
        "xrd-ct", "xrd-pdf-ct"}
    assert members(store, "MagneticResonanceTechnique") == {"ssnmr"}
    assert "lab-xrd" in members(store, "OperandoCapableTechnique")
    assert "xps" not in members(store, "OperandoCapableTechnique")  # XPS is a model row
    assert {"xrd", "neutron-diffraction", "ssnmr", "raman"} <= members(store, "BulkTechnique")


def test_lithium_by_neutron_imaging_and_depth_profiling(store) -> None:
    """The issue's example: lithium in the electrode by neutron imaging (res > 4 μm) and NDP
    (depth resolution 100 nm): same observable, length scales ten times apart."""
    found = [r for r in relations(store, T + "ndp") if r.kind == "complementary"
             and r.other == T + "neutron-imaging"]
    assert found
    assert {r.observable.rsplit("/", 1)[1] for r in found} >= {"lithium-concentration-gradients"}
    assert all("DifferentLengthScale" in r.reasons and "SharedObservable" in r.reasons
               for r in found)


def test_sei_composition_by_xps_haxpes_and_ftir(store) -> None:
    """SEI composition: XPS and HAXPES (surface table) and ex-situ FTIR (bulk table,
    'Interphase composition (M)') are complementary by probe and depth; HAXPES is a variant of
    XPS, so that pair is not 'complementary'."""
    sei = "https://w3id.org/bigmap-kg/observable/sei-composition"
    ftir = {r.other.rsplit("/", 1)[1]: r for r in relations(store, T + "ftir")
            if r.kind == "complementary" and r.observable == sei}
    assert {"xps", "haxpes"} <= set(ftir)
    assert {"DifferentProbe", "DifferentDepth"} <= set(ftir["xps"].reasons)
    assert not [r for r in relations(store, T + "xps")
                if r.kind == "complementary" and r.other == T + "haxpes"]


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


def test_complementary_api_and_cli(store_path: Path) -> None:
    with running_server(store_path) as base:
        body = httpx.get(base + "/api/techniques/xps/complementary",
                         params={"kind": "complementary"}).json()
        assert body["relations"] and all(r["kind"] == "complementary" and r["reasons"]
                                         and r["explanation"] for r in body["relations"])
        entry = httpx.get(base + "/api/matrix-entries/ndp-realistic/complementary").json()
        assert any(r["other"] == T + "neutron-imaging" for r in entry["relations"])
        missing = httpx.get(base + "/api/techniques/xpss/complementary")
        assert missing.status_code == 404
        assert "/api/techniques/xps" in missing.json()["detail"]["closeMatches"]
        bad_kind = httpx.get(base + "/api/techniques/xps/complementary", params={"kind": "x"})
        assert bad_kind.status_code == 422
    cli = str(Path(sys.executable).with_name("bigmap-kg"))
    env = {"BIGMAP_KG_STORE": str(store_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([cli, "complement", "ndp"], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and "Neutron imaging" in done.stdout
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
