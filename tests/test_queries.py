"""Each named query of queries/ answers exactly what D5.1 says (answers derived by hand)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bigmap_kg import paths
from bigmap_kg.queryfile import QueryFile
from bigmap_kg.results import rows_as_dicts, run

QUERIES = {p.stem: QueryFile.read(p) for p in sorted(paths.QUERIES_DIR.glob("*.rq"))}
B = "https://w3id.org/bigmap-kg/"


def answer(store, name: str, **params) -> list[dict]:
    bindings = {k: v for k, v in params.items()}
    return rows_as_dicts(run(store, QUERIES[name].text, bindings=bindings))


def local(iri: str) -> str:
    return iri.rsplit("/", 1)[1]


def test_every_query_has_title_description_and_parses() -> None:
    assert len(QUERIES) >= 4
    for query in QUERIES.values():
        assert query.title and query.description, query.name
        query.check_syntax()


def test_operando_xrd_on_pouch_cells(store) -> None:
    """XRD rows (commercial/realistic) with pouch cells: DTU 'Cylindrical, Pouch' (XRD,
    commercial), UU 'Pouch (transmission)' (lab XRD), UU 'Pouch cell clamped with glassy carbon
    windows (transmission)' (synchrotron XRD) = Appendix A sheet 12."""
    rows = answer(store, "operando-xrd-pouch-cells")
    assert {(local(r["partner"]), local(r["cell"]), local(r["entry"])) for r in rows} == {
        ("dtu", "dtu-cylindrical-pouch", "xrd-commercial"),
        ("uu", "uu-pouch-transmission", "lab-xrd-realistic"),
        ("uu", "uu-fast-cycling-pouch-holder", "synchrotron-xrd-realistic"),
    }


def test_cells_for_xrd_and_xas(store) -> None:
    """SOLEIL operando electrocell (sheets 14/36: 'X-ray Absorption and Diffraction'), CNRS CAEN
    transmission cell (sheet 37: 'X-ray diffraction, X-ray absorption spectroscopy'), UU
    Ampix-type cell (sheet 13: XRD, other techniques 'XAS, total scattering')."""
    rows = answer(store, "cells-for-xrd-and-xas")
    assert {local(r["cell"]) for r in rows} == {
        "soleil-operando-electrocell", "cnrs-caen-transmission", "uu-ampix-type"}


def test_tier1_experiments_starting_before_m10(store) -> None:
    """Rows of Tables 1-4 whose printed months start before M10."""
    rows = answer(store, "tier1-experiments-starting-before")
    assert {local(r["experiment"]) for r in rows} == {
        "t1-03", "t1-04", "t1-08", "t1-09", "t1-10",
        "t2-01", "t2-02", "t2-03", "t2-04", "t2-05", "t2-06",
        "t3-01", "t3-02", "t3-04", "t3-05", "t3-06",
        "t4-03", "t4-08", "t4-09", "t4-10", "t4-11", "t4-12", "t4-13", "t4-15"}
    assert all(int(r["startMonth"]) < 10 for r in rows)
    earlier = answer(store, "tier1-experiments-starting-before",
                     month=ox.Literal("7", datatype=ox.NamedNode(
                         "http://www.w3.org/2001/XMLSchema#integer")))
    assert {local(r["experiment"]) for r in earlier} == {
        "t4-09", "t4-10", "t4-03", "t1-03", "t2-02", "t2-03", "t2-04"}


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_query_runs_on_the_store(store, name: str) -> None:
    result = run(store, QUERIES[name].text)
    assert isinstance(result, ox.QuerySolutions | ox.QueryTriples | ox.QueryBoolean)


def test_techniques_probing_less_than_10_nm(store) -> None:
    """Printed depths ≤ 10 nm: XPS 'Al Kα: 6-10 nm', nano-XPS 'Up to 4 nm', (N)AP-XPS '~5 nm at
    1.5 keV', NEXAFS/EXAFS '10nm', soft XAS '10nm', nano-Auger '<5nm', XPEEM '10 nm (0.1)'."""
    rows = answer(store, "shallow-probing-techniques")
    assert {local(r["technique"]) for r in rows} == {
        "xps", "nano-xps", "nap-xps", "nexafs-exafs", "soft-xas", "nano-auger", "xpeem"}
    assert {r["probeLabel"] for r in rows} == {"X-rays", "electrons"}


def test_complementary_pairs_for_the_sei_theme(store) -> None:
    """Table 2 uses Raman and IR (FTIR), HAXPES, XPEEM, XPS, ToF-SIMS, SEM and AFM; of these,
    the rules pair FTIR with XPS and HAXPES for SEI composition (different probe and depth),
    and HAXPES with XPS: the surface table prints their depths 'Al Kα: 6-10 nm' and '~30 nm at
    10 keV'. Table 2 also combines techniques for the SEI in one experiment: 'ex-situ HAXPES,
    XPEEM' for 'SEI thickness and composition during lithiation/delithiation', 'ex-situ HAXPES,
    XPS, XPEEM' for the 'composition of active material and CEI', and 'in-house XPS, TOF-SIMS,
    SEM/AFM' for 'SEI/CEI as a function of electrolyte': XPEEM pairs with HAXPES and XPS, SEM
    with XPS (SEM prints no SEI observable of its own)."""
    rows = answer(store, "complementary-pairs-for-theme")
    sei = {(local(r["t1"]), local(r["t2"])) for r in rows
           if r["observable"].endswith("/sei-composition")}
    assert sei == {("ftir", "haxpes"), ("ftir", "xps"), ("haxpes", "xps"),
                   ("haxpes", "xpeem"), ("xpeem", "xps"), ("sem", "xps")}
    assert all("SharedObservable" in r["reasons"] or "CombinedInPlan" in r["reasons"]
               for r in rows)
