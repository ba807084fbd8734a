"""The matrix and cell index facets in-process (TestClient): offer facets narrow the Partners
and Cells columns, several values of a facet mean any of them (all of them for the cell
index's techniques), each option's count is the number of results it gives, and the CSV and
JSON-LD downloads honour the same filters. Expected answers are D5.1's (line numbers of
../shared/seed/000_25d3a3d276579e9f.txt)."""

from __future__ import annotations

import csv
import io
import re

from fastapi.testclient import TestClient

XRD_ROWS = {"xrd-commercial", "lab-xrd-realistic", "synchrotron-xrd-realistic"}


def matrix(client: TestClient, **params) -> dict[str, dict[str, str]]:
    """The /matrix.csv rows by entry slug."""
    response = client.get("/matrix.csv", params=params)
    assert response.status_code == 200, response.text
    return {row["entry"].rsplit("/", 1)[1]: row
            for row in csv.DictReader(io.StringIO(response.text))}


def count_of(html: str, prefix: str, facet: str, value: str) -> int:
    found = re.search(rf'id="{prefix}-{facet}-{value}-n"[^>]*>(\d+)<', html)
    assert found, f"no count for {facet}={value}"
    return int(found.group(1))


def cell_names(html: str) -> set[str]:
    return set(re.findall(r'<h2><a href="/cell/[^"]+">([^<]+)</a></h2>', html))


def test_pouch_narrows_partners_and_cells_to_the_pouch_offers(client, seed_text) -> None:
    """Operando XRD on pouch cells. The Diffraction table prints, among each row's cells,
    276 'Cylindrical, Pouch	DTU' (XRD, commercial), 298 'Pouch (transmission)	UU' (lab XRD,
    realistic) and 320 'Pouch cell clamped with glassy carbon windows (transmission)	UU'
    (synchrotron XRD, realistic); no other cell of these rows is a pouch cell. ESRF offers
    XRD on ID22 / ID31 (279-280) but no pouch cell, so it is no answer."""
    for line in ("Cylindrical, Pouch\tDTU", "Pouch (transmission)\tUU",
                 "Pouch cell clamped with glassy carbon windows (transmission)\tUU"):
        assert line in seed_text
    rows = matrix(client, q="X-ray diffraction", operando="yes", cellformat="pouch")
    assert set(rows) == XRD_ROWS
    assert {k: (r["partnerLabels"], r["cellLabels"]) for k, r in rows.items()} == {
        "xrd-commercial": ("DTU", "Cylindrical, Pouch (DTU)"),
        "lab-xrd-realistic": ("UU", "Pouch (transmission) (UU)"),
        "synchrotron-xrd-realistic":
            ("UU", "Pouch cell clamped with glassy carbon windows (transmission) (UU)")}
    unfiltered = matrix(client, q="X-ray diffraction")["xrd-commercial"]
    assert unfiltered["partnerLabels"] == "DTU, ESRF"
    assert "Modified Swagelok-type cells (ESRF)" in unfiltered["cellLabels"]


def test_the_page_shows_the_same_narrowed_columns(client) -> None:
    page = client.get("/matrix", params={"q": "X-ray diffraction", "operando": "yes",
                                         "cellformat": "pouch"}).text
    assert "(3 of 55 entries)" in page
    assert '<a href="/cell/dtu-cylindrical-pouch">Cylindrical, Pouch</a>' in page
    assert '<a href="/partner/esrf">' not in page
    assert 'id="f-cellformat-pouch" name="cellformat" value="pouch" checked' in page


def test_facility_type_narrows_to_the_partners_there(client) -> None:
    """XRD commercial at a synchrotron: ESRF's ID22 and ID31 (lines 279-280); DTU's
    'Cylindrical, Pouch' cell is not at a synchrotron, ESRF's coin and Swagelok cells are."""
    row = matrix(client, facility="SynchrotronFacility", q="X-ray diffraction")["xrd-commercial"]
    assert row["partnerLabels"] == "ESRF"
    assert "DTU" not in row["cellLabels"] and "Modified Swagelok-type cells" in row["cellLabels"]
    assert "xrd-commercial" not in matrix(client, facility="LaboratoryFacility")


def test_several_values_of_a_facet_mean_any_and_facets_combine_with_and(client) -> None:
    """partner=uu&partner=dtu gives the rows of either; with a cluster, only those of it. In
    the lab XRD row (lines 290-304) DTU prints 'AMPIX (transmission)' and UU 'Pouch
    (transmission)': both stay, CNRS's and TUD's cells go."""
    uu, dtu = set(matrix(client, partner="uu")), set(matrix(client, partner="dtu"))
    both = matrix(client, partner=["uu", "dtu"])
    assert set(both) == uu | dtu and uu - dtu and dtu - uu
    diffraction = set(matrix(client, cluster="diffraction-scattering"))
    assert set(matrix(client, partner=["uu", "dtu"], cluster="diffraction-scattering")) == \
        (uu | dtu) & diffraction
    lab = both["lab-xrd-realistic"]
    assert lab["partnerLabels"] == "DTU, UU"
    assert "AMPIX (transmission) (DTU)" in lab["cellLabels"]
    assert "Pouch (transmission) (UU)" in lab["cellLabels"]
    assert "CNRS" not in lab["cellLabels"] and "TUD" not in lab["cellLabels"]


def test_each_option_counts_the_rows_it_gives(client) -> None:
    """The number beside an option is the number of rows shown once it is chosen (with the
    other facets as they are): 3 pouch rows for operando XRD, as above."""
    params = {"q": "X-ray diffraction", "operando": "yes"}
    page = client.get("/matrix", params=params).text
    assert count_of(page, "f", "cellformat", "pouch") == 3
    for facet, value in [("partner", "uu"), ("partner", "esrf"), ("facility", "NeutronFacility"),
                         ("category", "model"), ("cluster", "imaging"), ("cellformat", "coin")]:
        shown = matrix(client, **params, **{facet: value})
        assert count_of(page, "f", facet, value) == len(shown), (facet, value)


def test_jsonld_honours_the_filters(client) -> None:
    graph = client.get("/matrix.jsonld", params={"q": "X-ray diffraction", "operando": "yes",
                                                 "cellformat": "pouch"}).json()["@graph"]
    commercial = next(e for e in graph if e["@id"].endswith("/xrd-commercial"))
    assert [o["cell"].rsplit("/", 1)[1] for o in commercial["hasCellOffer"]] == \
        ["dtu-cylindrical-pouch"]
    assert commercial["hasInstrumentOffer"] == []


def test_cells_serving_both_xrd_and_xas(client, seed_text) -> None:
    """Appendix A: UU's 'Ampix-type cell' ('Primary technique	X-ray diffraction', 'Other
    possible techniques	XAS, total scattering', sheet 13), SOLEIL's 'Operando electrocell'
    ('X-ray Absorption and Diffraction', sheets 14 and 36) and CNRS's CAEN cell in transmission
    ('X-ray diffraction, X-ray absorption spectroscopy', sheet 37). Chalmers's PFA cell adds
    XAS to X-ray tomography, not to XRD; XAS alone is served by more cells."""
    for line in ("Other possible techniques\tXAS, total scattering",
                 "Primary technique\tX-ray Absorption and Diffraction",
                 "Primary technique\tX-ray diffraction, X-ray absorption spectroscopy"):
        assert line in seed_text
    both = client.get("/cells", params={"technique": ["xrd", "xas"]}).text
    assert cell_names(both) == {"Ampix-type cell", "Operando electrocell",
                                "CAEN cell (transmission)"}
    xas = cell_names(client.get("/cells", params={"technique": "xas"}).text)
    assert "PFA Operando Cell" in xas and len(xas) > 3
    assert count_of(both, "c", "technique", "xas") == 3


def test_cell_index_shows_technique_labels_and_filters_format_and_text(client) -> None:
    """Options read 'Hard X-ray absorption spectroscopy', never the slug; the pouch cells
    include sheet 12's 'Fast cycling pouch cell holder' ('Holder for pouch cells') and the lab
    XRD row's 'Pouch (transmission)'; the search finds sheet 13's glassy carbon windows."""
    page = client.get("/cells").text
    assert re.search(r'value="hard-xas"[^>]*>\s*Hard X-ray absorption spectroscopy', page)
    assert not re.search(r">\s*hard-xas\s*<", page)
    pouch = cell_names(client.get("/cells", params={"cellformat": "pouch"}).text)
    assert {"Fast cycling pouch cell holder", "Pouch (transmission)"} <= pouch
    assert "Ampix-type cell" not in pouch
    glassy = cell_names(client.get("/cells", params={"q": "GLASSY carbon"}).text)
    assert "Ampix-type cell" in glassy and "Operando electrocell" not in glassy
    none = client.get("/cells", params={"q": "no such cell anywhere"}).text
    assert "No cell matches these filters." in none
