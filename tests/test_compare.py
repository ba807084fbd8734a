"""The compare view (/compare, /compare.csv): techniques or matrix entries side by side, each
value as D5.1's matrix prints it (quoted from ../shared/seed, line numbers of the extraction)."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient


def table(client: TestClient, **params) -> dict[str, list[str]]:
    response = client.get("/compare.csv", params=params)
    assert response.status_code == 200, response.text
    rows = list(csv.reader(io.StringIO(response.text)))
    return {row[0]: row[1:] for row in rows}


def test_xps_haxpes_ftir_for_sei(client) -> None:
    """The SEI question: XPS 'Al Kα: 6-10 nm' deep, HAXPES '~30 nm at 10 keV', ex-situ FTIR
    '~1 µm' (penetration-depth columns); all three list SEI / interphase composition, FTIR
    with the mark M ('Interphase composition (M)')."""
    found = table(client, technique=["xps", "haxpes", "ftir"])
    assert found["attribute"] == ["X-ray photoelectron spectroscopy",
                                  "Hard X-ray photoelectron spectroscopy",
                                  "Fourier-transform infrared spectroscopy"]
    xps, haxpes, ftir = found["penetration depth"]
    assert "Al Kα: 6-10 nm" in xps and "~30 nm at 10 keV" in haxpes and ftir == "~1 µm"
    assert all("SEI / CEI composition" in cell for cell in found["observables (H / M / L)"])
    assert "SEI / CEI composition (M)" in found["observables (H / M / L)"][2]
    assert found["probe"] == ["X-rays", "X-rays", "light (visible / infrared)"]


def test_an_entry_against_a_technique(client) -> None:
    """XRD row 1 (commercial): 'few mm²', 'mm-cm (hard x-ray 60-100 keV)', offered on ESRF's
    'ID22' and 'ID31'; laboratory XRD prints '1-50 mm²'."""
    found = table(client, entry="xrd-commercial", technique="lab-xrd")
    assert found["probed area"] == ["1-50 mm²", "few mm²"]
    assert found["instruments"][1] == "ID22; ID31"


def test_page_marks_rows_that_differ(client) -> None:
    page = client.get("/compare", params={"technique": ["xps", "haxpes"]})
    assert page.status_code == 200
    assert '<tr class="differs">\n    <th scope="row">penetration depth' in page.text
    assert '<tr class="same">\n    <th scope="row">probe' in page.text


def test_unknown_and_too_many(client) -> None:
    unknown = client.get("/compare", params={"technique": ["xps", "no-such"]})
    assert unknown.status_code == 404 and "no-such" in unknown.text
    many = client.get("/compare", params={"technique": ["xps", "haxpes", "ftir", "raman",
                                                        "xrd", "tem", "sem"]})
    assert many.status_code == 400
