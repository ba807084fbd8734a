"""The competence map is drawn from the graph: change the data and the chart changes."""

from __future__ import annotations

import math
import re

import httpx
import pyoxigraph as ox
import pytest

from bigmap_kg.namespaces import BASE, GRAPH_DATA
from bigmap_kg.store import write_store
from bigmap_kg.web.competence import NOT_STATED, Bubble, charts

from .conftest import select
from .server import running_server

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


def test_the_served_page_changes_with_the_store(changed_store, tmp_path, store_path) -> None:
    """The page of a server over the changed store draws NMR as a bubble; over the built store
    NMR is only listed as 'not stated'."""
    bubble = re.compile(r'<a href="/technique/ssnmr" class="bubble"')
    with running_server(store_path) as base:
        page = httpx.get(base + "/competence-map", timeout=30).text
    assert not bubble.search(page) and 'href="/technique/ssnmr" title=' in page
    target = tmp_path / "store"
    write_store(changed_store.quads_for_pattern(None, None, None, None), target)
    with running_server(target) as base:
        page = httpx.get(base + "/competence-map", timeout=30).text
    assert bubble.search(page) and "res 5 µm (test)" in page
