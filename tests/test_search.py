"""Global search (/search): what a scientist types finds what D5.1 names, whatever the case,
accents or width of the letters, grouped by kind with why each thing matched.

Expected things are quoted from D5.1 (../shared/seed, line numbers of the text extraction)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bigmap_kg.web.pages.search import fold, score

B = "https://w3id.org/bigmap-kg/"


def found(client: TestClient, q: str) -> dict[str, dict]:
    """The things found for `q`, by IRI, with their kind, group order and why they matched."""
    response = client.get("/search", params={"q": q, "format": "json"})
    assert response.status_code == 200, response.text
    return {hit["iri"]: {**hit, "group": n} for n, group in enumerate(response.json()["groups"])
            for hit in group["hits"]}


def test_fold_ignores_case_accents_width_and_spacing() -> None:
    assert fold("ＸＲＤ") == "xrd"            # full-width letters
    assert fold("PSICHé") == fold("psiche")   # an accent
    assert fold("Mössbauer\u00a0 spectroscopy") == "mossbauer spectroscopy"  # NBSP, two spaces
    assert score("id31", "esrf id31") == 60 and score("id31", "id31") == 100
    assert score("xrd", "neutron diffraction") == 0


def test_beamlines_by_their_printed_names(client) -> None:
    """Imaging table: 'D50-NeXT (coupled with simultaneous XCT)  ILL' (line 418) and 'ID15A  ESRF'
    (line 331); the neutron-imaging cell sheet: 'Optimized for instrument  D50 at ILL' (1354)."""
    d50 = found(client, "D50")
    assert d50[B + "instrument/ill-d50-next"]["kind"] == "instrument"
    assert d50[B + "instrument/ill-d50-next"]["group"] == 0
    id15a = found(client, "id15a")
    first = next(iter(id15a.values()))
    assert first["iri"] == B + "instrument/esrf-id15a" and first["field"] == "name"


def test_facility_partner_and_their_beamlines(client) -> None:
    """ESRF is a partner and a facility (cover page; 'ID15A  ESRF', line 331): both come first,
    its beamlines follow as 'beamline at' matches."""
    esrf = found(client, "ESRF")
    assert esrf[B + "partner/esrf"]["score"] == esrf[B + "facility/esrf"]["score"]
    assert esrf[B + "instrument/esrf-id15a"]["field"] == "beamline at"
    assert esrf[B + "instrument/esrf-id15a"]["matched"] == "ESRF ID15A"


def test_partner_by_its_full_name(client) -> None:
    """Section 2.1: 'can be performed by seven partners, namely Uppsala University, TU Delft, ...'
    (line 180): the partner is UU."""
    uu = found(client, "uppsala")
    assert uu[B + "partner/uu"]["kind"] == "partner"
    assert uu[B + "partner/uu"]["field"] == "also called"
    assert B + "partner/tud" in found(client, "tu delft")


def test_materials_and_experiments(client) -> None:
    """Table 2: 'UU, CEA, CNRS  ex-situ HAXPES,  Ni-rich NMC' (line 883): NMC finds the material
    NMC first, Ni-rich NMC too, and the experiment that studies it by its printed object."""
    nmc = found(client, "NMC")
    assert nmc[B + "material/nmc"]["group"] == 0
    assert B + "material/ni-rich-nmc" in nmc
    assert any(hit["kind"] == "experiment" and hit["field"] == "material as printed"
               for hit in nmc.values())
    t309 = found(client, "t3-09")
    assert t309[B + "experiment/t3-09"]["field"] == "experiment id"


def test_cells_by_format(client) -> None:
    """Lab XRD row: 'Pouch (transmission)  UU' (line 298)."""
    pouch = found(client, "pouch")
    assert pouch[B + "cell/uu-pouch-transmission"]["kind"] == "cell"


def test_full_width_and_accents(client) -> None:
    """'ＸＲＤ' finds XRD, 'psiche' finds SOLEIL's PSICHé beamline."""
    assert B + "technique/xrd" in found(client, "ＸＲＤ")
    assert B + "instrument/soleil-psiche" in found(client, "psiche")


def test_page_groups_and_says_why(client) -> None:
    page = client.get("/search", params={"q": "ID31"}, headers={"accept": "text/html"})
    assert page.status_code == 200
    assert '<h2 id="group-instrument">Instruments and beamlines' in page.text
    assert 'href="/instrument/esrf-id31"' in page.text
    assert "name: “ID31”" in page.text
    nothing = client.get("/search", params={"q": "zzzz"}, headers={"accept": "text/html"})
    assert "Nothing matches" in nothing.text


def test_long_query_is_refused_without_echo(client) -> None:
    response = client.get("/search", params={"q": "x" * 5000, "format": "json"})
    assert response.status_code == 400
    assert "at most 200" in response.json()["detail"]
    assert "x" * 300 not in response.text
