"""The competence map is drawn from the graph: change the data and the chart changes."""

from __future__ import annotations

import math
import re

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from bigmap_kg.namespaces import BASE, GRAPH_DATA
from bigmap_kg.store.generations import write_store
from bigmap_kg.web.app import create_app
from bigmap_kg.web.pages.competence import NOT_STATED, R1, Bubble, charts
from bigmap_kg.web.server.settings import Settings

from .conftest import select

EXTRA = """
@prefix bmo: <https://w3id.org/bigmap-kg/ontology#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/bigmap-kg/matrix-entry/ssnmr-realistic> bmo:lateralResolution [
    bmo:asPrinted "res 5 µm (test)" ; bmo:minValue "5.0E-6"^^xsd:double ;
    bmo:maxValue "5.0E-6"^^xsd:double ; bmo:unit <http://qudt.org/vocab/unit/M> ] .
<https://w3id.org/bigmap-kg/matrix-entry/sans-realistic> bmo:mappingDimension bmo:TwoD .
"""


def _extra_quads() -> list[ox.Quad]:
    """A printed lateral resolution for the NMR row (D5.1 prints none) and a stated 2D mapping
    for the SANS row (D5.1 states none): invented on purpose, only in this test's store."""
    graph = ox.NamedNode(GRAPH_DATA)
    return [ox.Quad(t.subject, t.predicate, t.object, graph)
            for t in ox.parse(EXTRA, format=ox.RdfFormat.TURTLE)]


@pytest.fixture(scope="module")
def changed_store(store) -> ox.Store:
    """The built store plus the extra quads, in memory."""
    changed = ox.Store()
    changed.extend(store.quads_for_pattern(None, None, None, None))
    changed.extend(_extra_quads())
    return changed


def _find(store: ox.Store, scale: str, facility: str, slug: str) -> tuple[Bubble, bool]:
    """The bubble of a technique in one chart, and whether it is placed on the chart."""
    chart = next(c for c in charts(store, scale) if c.facility == facility)
    for placed, items in ((True, chart.placed), (False, chart.unplaced)):
        for bubble in items:
            if bubble.technique == BASE + "technique/" + slug:
                return bubble, placed
    raise AssertionError(f"{slug} is not in the {facility} chart")


def test_every_mapping_is_drawn_or_listed_once(store) -> None:
    """Each technique x facility type with a competence mapping appears exactly once."""
    mappings = {(r["t"], r["type"].rsplit("#", 1)[1]) for r in select(
        store, "SELECT ?t ?type WHERE { ?t bmo:hasCompetenceMapping/bmo:facilityType ?type }")}
    for scale in ("resolution", "area"):
        shown = [(b.technique, c.facility) for c in charts(store, scale)
                 for b in c.placed + c.unplaced]
        assert sorted(shown) == sorted(mappings)


def test_positions_follow_the_printed_numbers(store) -> None:
    """x of every placed bubble is the geometric middle of its printed lengths on one log axis
    shared by the three charts (a decade is the distance between two ticks); y lies in the band
    of the dimension the graph states."""
    drawn = charts(store, "area")
    decade = drawn[0].ticks[1][0] - drawn[0].ticks[0][0]
    placed = [b for c in drawn for b in c.placed]
    assert len(placed) > 10
    first = placed[0]
    for chart in drawn:
        assert chart.ticks == drawn[0].ticks
        for bubble in chart.placed:
            low, high = bubble.span
            middle = (math.log10(low) + math.log10(high)) / 2
            assert bubble.x - first.x == pytest.approx(
                decade * (middle - math.log10(first.metres)))
            top, bottom = next((t, b) for name, t, b in chart.rows if name == bubble.row)
            assert top < bubble.y < bottom
    lab_xrd, on_chart = _find(store, "area", "LaboratoryFacility", "lab-xrd")
    assert on_chart and lab_xrd.row == "1D"  # D5.1 section 2.1: XRD is 1D, Å, seven partners
    assert lab_xrd.partners == 7 and lab_xrd.operando and lab_xrd.stated_scale == "Å"


def test_changed_data_changes_the_chart(store, changed_store) -> None:
    nmr, placed = _find(store, "resolution", "LaboratoryFacility", "ssnmr")
    assert not placed and nmr.lengths == []
    nmr, placed = _find(changed_store, "resolution", "LaboratoryFacility", "ssnmr")
    assert placed and nmr.metres == pytest.approx(5e-6) and nmr.row == NOT_STATED
    sans, _ = _find(store, "area", "NeutronFacility", "sans")
    assert sans.row == NOT_STATED
    sans, _ = _find(changed_store, "area", "NeutronFacility", "sans")
    assert sans.row == "2D"


def test_the_served_page_changes_with_the_store(changed_store, tmp_path, client) -> None:
    """The page of the app over the changed store draws NMR as a bubble on the axis; over the
    built store NMR sits in the 'no printed value' strip."""
    bubble = re.compile(r'<a href="/technique/ssnmr" class="bubble"')
    page = client.get("/competence-map").text
    assert not bubble.search(page) and '<a href="/technique/ssnmr" class="bubble unplaced"' in page
    target = tmp_path / "store"
    write_store(changed_store.quads_for_pattern(None, None, None, None), target)
    with TestClient(create_app(Settings(store=target, query_workers=1))) as changed:
        page = changed.get("/competence-map").text
    assert bubble.search(page) and "res 5 µm (test)" in page


def test_bubble_area_is_proportional_to_partners_and_no_band_is_empty(store) -> None:
    """Issue 15: "bubble radius spans only 10.5-13.8 px with no size legend" and "the top 40 %
    of each chart is empty". Area ∝ partners (r = R1 √partners) on the axis and in the strip,
    every drawn band holds a bubble, and the strip lies below the axis."""
    for scale in ("resolution", "area"):
        for chart in charts(store, scale):
            for bubble in chart.placed + chart.unplaced:
                assert bubble.r ** 2 == pytest.approx(R1 ** 2 * bubble.partners)
            for name, *_ in chart.rows:
                assert any(b.row == name for b in chart.placed), (scale, chart.facility, name)
            assert all(chart.axis < chart.strip[0] < b.y < chart.strip[1]
                       for b in chart.unplaced)
    lab_xrd, _ = _find(store, "area", "LaboratoryFacility", "lab-xrd")
    single = min((b for c in charts(store, "area") for b in c.placed), key=lambda b: b.partners)
    assert lab_xrd.r / single.r == pytest.approx((7 / single.partners) ** 0.5)


def test_a_chart_downloads_as_a_standalone_svg(client) -> None:
    """/competence-map/LaboratoryFacility.svg is an SVG document with its styles inside (it
    renders without the page's CSS). D5.1 section 2.1: laboratory XRD "1D", "Å", seven partners
    (UU, TUD, UOXF, UCAM, CNRS, CEA, DTU), so its circle has the radius of seven partners, in the
    mapping-1D band; FTIR (no printed lateral resolution) is in the strip, not on the axis."""
    import xml.etree.ElementTree as ET

    svg_ns = "{http://www.w3.org/2000/svg}"
    response = client.get("/competence-map/LaboratoryFacility.svg", params={"scale": "area"})
    missing = client.get("/competence-map/Nowhere.svg")
    by_resolution = client.get("/competence-map/LaboratoryFacility.svg")
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert missing.status_code == 404
    root = ET.fromstring(response.content)
    assert root.tag == svg_ns + "svg" and ".cl-imaging" in root.find(svg_ns + "style").text
    links = {a.get("href"): a for a in root.iter(svg_ns + "a")}
    circle = links["/technique/lab-xrd"].find(svg_ns + "circle")
    assert float(circle.get("r")) == pytest.approx(R1 * 7 ** 0.5)
    band = next(r for r in root.iter(svg_ns + "rect") if r.get("class") == "band")
    label = next(t for t in root.iter(svg_ns + "text") if t.get("class") == "row-label")
    assert label.text == "mapping 1D"
    assert float(band.get("y")) < float(circle.get("cy")) < float(band.get("y")) + float(
        band.get("height"))
    strip = {a.get("href"): a for a in ET.fromstring(by_resolution.content).iter(svg_ns + "a")
             if a.get("class") == "bubble unplaced"}
    assert "/technique/ftir" in strip
