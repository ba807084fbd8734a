"""The pages, in a real browser: Debian's chromium driven by Playwright (no bundled browser).

Screenshots go to test-artifacts/; any console error or page error fails the test.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, AXE, CHROMIUM

playwright = pytest.importorskip("playwright.sync_api")
#: a real server and a real browser: slow (`make test-fast` skips them)
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian chromium is not installed (make test installs it)")]


def technique_cells(page) -> list[str]:
    """The technique names of the matrix rows on the page."""
    return page.locator("tbody tr:not(.cluster) td:first-child > a").all_inner_texts()


def choose(page, prefix: str, facet: str, value: str) -> None:
    """Open a facet's group (`#<prefix>-<facet>`) if closed and tick one of its options; the
    page applies it at once (static/live-filter.js), so wait until it has."""
    group = page.locator(f"#{prefix}-{facet}")
    if group.get_attribute("open") is None:
        group.locator("summary").click()
    page.check(f"#{prefix}-{facet}-{value}")
    settled(page)


def settled(page) -> None:
    """Wait until the live filter form has shown the results of the last change."""
    page.wait_for_function("!document.querySelector('form.live[aria-busy]')")


def filter_matrix(page, base: str, search: str | None = None, **facets: str | list[str]) -> None:
    """Open the matrix, tick each facet's options (`cellformat="pouch"` ticks
    `#f-cellformat-pouch`), type the search text if any and press Enter, as a person would;
    each change applies without a Filter click."""
    page.goto(base + "/matrix")
    for facet, values in facets.items():
        for value in [values] if isinstance(values, str) else values:
            choose(page, "f", facet, value)
    if search is not None:
        page.fill("#f-q", search)
        page.press("#f-q", "Enter")
        settled(page)


def test_facets_technique_entry_and_cell(browser_page) -> None:
    """Which partners offer operando diffraction with a pouch cell? Filter the matrix, open the
    lab XRD technique, its realistic entry, then UU's 'Pouch (transmission)' cell."""
    base, page, errors = browser_page
    filter_matrix(page, base, cluster="diffraction-scattering", operando="yes", partner="uu")
    assert re.search(r"cluster=diffraction-scattering.*partner=uu", page.url)
    assert "(2 of 55 entries)" in page.inner_text("h1")
    page.screenshot(path=str(ARTIFACTS / "matrix-filtered.png"), full_page=True)
    page.click("text=Laboratory X-ray Diffraction (lab XRD)")
    assert page.inner_text("h1") == "Laboratory X-ray diffraction"
    page.screenshot(path=str(ARTIFACTS / "technique-lab-xrd.png"), full_page=True)
    page.click("a[href='/matrix-entry/lab-xrd-realistic']")
    assert "Pouch (transmission)" in page.inner_text("main")
    page.click("a[href='/cell/uu-pouch-transmission']")
    assert page.inner_text("h1") == "Pouch (transmission)"
    assert "UU" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "cell-uu-pouch.png"), full_page=True)
    assert errors == []


def test_complementary_techniques_shown_with_reasons(browser_page) -> None:
    """Which techniques complement XPS for SEI composition? The XPS page lists them."""
    base, page, errors = browser_page
    page.goto(base + "/technique/xps", wait_until="load")
    related = page.inner_text("ul.relations")
    assert "infrared" in related.lower() and "SEI / CEI composition" in related
    assert "different probe" in related and "DifferentProbe" not in related
    # the sentence with the printed depths (surface table: XPS 'Al Kα: 6-10 nm', FTIR '~1 µm')
    assert "at different depths (" in related and "6-10 nm" in related and "~1 µm" in related
    page.screenshot(path=str(ARTIFACTS / "technique-xps.png"), full_page=True)
    assert errors == []


def test_a_class_link_lands_on_its_term_in_the_ontology(browser_page) -> None:
    """What is a bmo:Technique? The XPS page's type links to the term's anchor in the ontology
    page (the hash IRI dereferences), which shows its definition and CHAMEO alignment."""
    base, page, errors = browser_page
    page.goto(base + "/technique/xps", wait_until="load")
    page.click("a[href='/ontology#Technique']")
    page.wait_for_url("**/ontology.html#Technique")
    term = page.locator("dt#Technique")
    assert term.is_visible() and term.evaluate(
        "t => Math.abs(t.getBoundingClientRect().top) < 2")  # scrolled to the term
    assert "chameo:CharacterisationTechnique" in page.locator("dt#Technique + dd").inner_text()
    page.screenshot(path=str(ARTIFACTS / "ontology-technique.png"))
    assert errors == []


def test_empty_selection_offers_to_clear_and_unknown_page_is_friendly(browser_page) -> None:
    base, page, errors = browser_page
    page.goto(base + "/matrix?cluster=imaging&observable=band-gap")
    assert "No matrix entry matches" in page.inner_text("main")
    page.click("text=Remove the filter “observable”")
    assert "observable" not in page.url and "cluster=imaging" in page.url
    response = page.goto(base + "/technique/no-such-technique")
    assert response.status == 404
    assert page.is_visible("input[type=search]")
    page.screenshot(path=str(ARTIFACTS / "not-found.png"))
    assert [e for e in errors if "404" not in e] == []


def test_search_from_the_header_of_any_page(browser_page) -> None:
    """Typing in the header box of any page: 'ID15' suggests ESRF's ID15A beamline ('ID15A  ESRF'
    in the Imaging table) and picking it opens its page; 'D50' submitted finds ILL's D50-NeXT
    ('D50-NeXT (coupled with simultaneous XCT)  ILL'), grouped under instruments, with why."""
    base, page, errors = browser_page
    page.goto(base + "/tier1")
    page.fill("#site-search", "ID15")
    page.wait_for_selector("#search-suggestions option[value='ID15A — instrument']",
                           state="attached")
    page.fill("#site-search", "ID15A — instrument")
    page.wait_for_url(re.compile(r"/instrument/esrf-id15a"))
    assert page.inner_text("h1") == "ID15A"
    page.fill("#site-search", "d50")
    page.press("#site-search", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=d50"))
    group = page.locator("section.search-group", has_text="Instruments and beamlines")
    assert "D50-NeXT" in group.inner_text()
    assert "name: “D50-NeXT”" in group.inner_text()
    page.screenshot(path=str(ARTIFACTS / "search-d50.png"), full_page=True)
    group.locator("a", has_text="D50-NeXT").click()
    assert page.inner_text("h1") == "D50-NeXT"
    assert errors == []


def test_xps_haxpes_ftir_for_sei_side_by_side(browser_page) -> None:
    """From the matrix, filtered to the SEI question, tick XPS, HAXPES and ex-situ FTIR and
    compare them: the penetration depths D5.1 prints ('Al Kα: 6-10 nm', '~30 nm at 10 keV',
    '~1 µm') stand side by side, marked as differing; then download the CSV."""
    base, page, errors = browser_page
    page.goto(base + "/matrix")
    choose(page, "f", "observable", "sei-composition")
    for name in ("X-ray Photoelectron Spectroscopy (XPS)", "hard x-ray photoelectron",
                 "Ex-situ Fourier-"):
        page.get_by_role("checkbox", name=re.compile(re.escape("Compare " + name), re.I)).check()
    page.click("text=Compare selected")
    page.wait_for_url(re.compile(r"/compare\?"))
    depth = page.locator("tr.differs", has=page.locator("th", has_text="penetration depth"))
    text = depth.inner_text()
    assert "6-10 nm" in text and "~30 nm at 10 keV" in text and "~1 µm" in text
    page.screenshot(path=str(ARTIFACTS / "compare-sei.png"), full_page=True)
    with page.expect_download() as download:
        page.click("text=Download as CSV")
    assert download.value.suggested_filename == "compare.csv"
    assert errors == []


def test_sorting_and_export_links(browser_page) -> None:
    base, page, errors = browser_page
    page.goto(base + "/matrix?cluster=surface-spectroscopy")
    page.click("a[aria-label='Sort by Technique']")
    assert "sort=technique" in page.url
    firsts = technique_cells(page)
    assert firsts == sorted(firsts, key=str.lower)
    assert page.get_attribute("text=CSV", "href").startswith("/matrix.csv?cluster=")
    assert errors == []


def test_cells_of_the_index_that_serve_xas(browser_page) -> None:
    """Which cells also serve XAS? Appendix A: sheets 13 (UU Ampix-type: XAS), 14/36 (SOLEIL
    operando electrocell), 21 (CTH PFA cell: XAS), 28 (SOLEIL STXM electrocell: soft XAS), 37
    (CNRS CAEN transmission); the matrix adds CEA's 'Operando cell' (XAS row) and SOLEIL's
    Omicron holder (micro-XAS, NEXAFS/EXAFS rows). By clicking: matrix, the XAS technique page,
    its cells, the same selection in the cell index, one cell."""
    base, page, errors = browser_page
    expected = {"Ampix-type cell", "Operando electrocell", "PFA Operando Cell",
                "STXM microscopy Operando electrocell", "CAEN cell (transmission)",
                "Operando cell", "Omicron type sample holder"}
    filter_matrix(page, base, cluster="bulk-spectroscopy")
    page.click("text=X-ray Absorption Spectroscopy (XAS)")
    assert page.inner_text("h1") == "X-ray absorption spectroscopy"
    assert set(page.locator("ul.served-cells > li > a").all_inner_texts()) == expected
    page.screenshot(path=str(ARTIFACTS / "technique-xas-cells.png"), full_page=True)
    page.click("#cells-facet")
    assert "technique=xas" in page.url
    assert set(page.locator("li.card h2 a").all_inner_texts()) == expected
    page.screenshot(path=str(ARTIFACTS / "cells-xas.png"), full_page=True)
    page.click("text=CAEN cell (transmission)")
    assert page.inner_text("h1") == "CAEN cell (transmission)"
    assert errors == []


def test_tier1_plan_page(browser_page) -> None:
    """Tables 1-4 (10 + 6 + 10 + 17 rows), linked to techniques, and the five workflow periods."""
    base, page, errors = browser_page
    page.goto(base + "/tier1")
    assert page.locator("table tbody tr").count() == 43
    assert page.locator(".gantt-periods a.bar").count() == 5
    page.click("table >> text=operando neutron imaging")
    assert "CEA, ILL" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "tier1-experiment.png"), full_page=True)
    assert errors == []


def test_lno_experiments_before_m12_and_their_partners(browser_page) -> None:
    """Choosing facets applies them at once (no Filter click) and keeps them in the URL: LNO
    experiments starting before M12 (seven in Tables 1-3, see tests/test_tier1_page.py), on the
    month chart, with their partners linked in the tables."""
    base, page, errors = browser_page
    page.goto(base + "/tier1")
    choose(page, "t", "material", "lno")
    choose(page, "t", "before", "12")
    assert re.search(r"material=lno.*before=12", page.url)
    assert page.locator(".gantt-rows li").count() == 7
    partners = set(page.locator("table tbody td:first-child a").all_inner_texts())
    assert {"CEA", "DTU", "UOXF", "UU", "NIC", "ILL", "ESRF"} <= partners
    page.screenshot(path=str(ARTIFACTS / "tier1-lno-before-m12.png"), full_page=True)
    assert errors == []


def test_partners_for_operando_xrd_on_pouch_cells_by_clicking(browser_page) -> None:
    """Operando (commercial/realistic) diffraction rows offering a pouch cell: XRD commercial
    (DTU 'Cylindrical, Pouch'), lab XRD (UU 'Pouch (transmission)'), synchrotron XRD (UU's pouch
    cell holder); the imaging rows of CTH's pouch laminography cell are not diffraction."""
    base, page, errors = browser_page
    filter_matrix(page, base, "X-ray diffraction", operando="yes", cellformat="pouch")
    techniques = set(technique_cells(page))
    assert techniques == {"X-ray diffraction (XRD)", "Laboratory X-ray Diffraction (lab XRD)",
                          "Synchrotron X-ray diffraction (synchrotron XRD)"}
    page.click("a[href='/matrix-entry/xrd-commercial']")
    offers = page.inner_text("main")
    assert "Cylindrical, Pouch" in offers and "DTU" in offers
    page.screenshot(path=str(ARTIFACTS / "operando-xrd-pouch.png"), full_page=True)
    assert errors == []


def test_sparql_editor_runs_a_named_query(browser_page) -> None:
    """YASGUI (from npm) with one tab per named query; running one shows its results."""
    base, page, errors = browser_page
    page.goto(base + "/sparql-editor")
    if page.locator("#yasgui").count() == 0:
        pytest.skip("YASGUI is not installed (npm ci did not run)")
    page.wait_for_selector("text=cells-for-xrd-and-xas", timeout=15000)
    page.click("text=cells-for-xrd-and-xas")
    page.locator(".CodeMirror:visible").first.wait_for()
    page.locator("button.yasqe_queryButton:visible").click()
    page.wait_for_selector("text=Ampix-type cell", timeout=15000)
    page.screenshot(path=str(ARTIFACTS / "sparql-editor.png"), full_page=True)
    assert errors == []


def test_competence_map_hover_and_click_through(browser_page) -> None:
    """Figures 4-6 from the graph: the nav leads there; hovering (or focusing) a bubble shows
    its details (the same text as its SVG <title>); the axis switch is a link; a bubble is a link
    to its technique."""
    base, page, errors = browser_page
    page.goto(base + "/matrix")
    page.click("header >> text=Competence map")
    assert page.locator("section.chart h2").all_inner_texts() == [
        "Laboratory techniques (D5.1 Figure 4)", "Neutron techniques (D5.1 Figure 5)",
        "Synchrotron techniques (D5.1 Figure 6)"]
    tem = page.locator("a.bubble[href='/technique/tem']")
    tem.locator("circle").hover()
    tip = page.locator("#tip")
    assert tip.is_visible()
    title = tem.locator("title").text_content()
    assert tip.inner_text() == title and title.startswith("TEM (Transmission electron microscopy)")
    assert "0.08 nm" in title  # the printed HRTEM resolution it is placed by
    page.screenshot(path=str(ARTIFACTS / "competence-map-hover.png"), full_page=True)
    page.click("text=size of the probed area")
    assert "scale=area" in page.url
    xrd = page.locator("a.bubble[href='/technique/lab-xrd']")
    xrd.focus()
    assert tip.is_visible() and "length scale stated in section 2.1: Å" in tip.inner_text()
    page.screenshot(path=str(ARTIFACTS / "competence-map-area.png"), full_page=True)
    xrd.locator("circle").click()
    assert page.inner_text("h1") == "Laboratory X-ray diffraction"
    assert errors == []


def test_keyboard_reaches_facets_and_bubbles_with_visible_focus(browser_page) -> None:
    """Tab goes through the nav to the matrix facets, and on the competence map to the bubbles;
    the focused control has a visible outline (or, for a bubble, a focus ring on its circle)."""
    base, page, errors = browser_page

    def tab_until(selector: str, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    page.goto(base + "/matrix")
    tab_until("#f-q")
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.parentElement.id") == "f-cluster"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.goto(base + "/competence-map")
    tab_until("a.bubble")
    ring = page.evaluate("getComputedStyle(document.activeElement.querySelector('circle'))"
                         ".strokeWidth")
    assert float(ring.removesuffix("px")) >= 6
    assert page.locator("#tip").is_visible()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/technique/"))
    assert errors == []


AUDITED = ["/matrix", "/matrix?cluster=imaging&operando=yes",
           "/matrix?partner=uu&partner=dtu&cellformat=pouch", "/competence-map", "/cells",
           "/cells?technique=xrd&technique=xas",
           "/tier1", "/planner",
           "/planner?observable=crystal-structure&observable=sei-composition&operando=yes",
           "/sparql-editor", "/technique/xas", "/cell/uu-pouch-transmission", "/partner/uu",
           "/instrument/esrf-id31", "/experiment/t1-08", "/technique/no-such-technique",
           "/ontology", "/relation/complementary/haxpes--xps--sei-composition",
           "/search?q=ESRF", "/compare?technique=xps&technique=haxpes&technique=ftir"]


@pytest.mark.parametrize("path", AUDITED)
def test_accessibility_audit(browser_page, path: str) -> None:
    """axe-core (from npm) finds no serious or critical violation on the page."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci did not run)")
    base, page, errors = browser_page
    page.goto(base + path, wait_until="load")
    if path == "/sparql-editor" and page.locator("#yasgui").count():
        page.wait_for_selector("text=cells-for-xrd-and-xas", timeout=15000)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
             for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert found == []
    assert [e for e in errors if "404" not in e] == []


def test_no_page_requests_anything_outside_the_server(browser_page) -> None:
    """Every page, the API documentation included, works offline: each request the browser
    makes (scripts, styles, images, fetches) goes to the server itself."""
    base, page, errors = browser_page
    requested: list[str] = []

    def record(request) -> None:
        requested.append(request.url)

    page.on("request", record)
    try:
        for path in [*AUDITED, "/docs"]:
            page.goto(base + path, wait_until="networkidle")
        page.wait_for_selector(".swagger-ui .opblock", timeout=30000)  # Swagger UI drew them
        assert page.locator(".swagger-ui .opblock").count() > 20
        page.screenshot(path=str(ARTIFACTS / "api-docs.png"))
    finally:
        page.remove_listener("request", record)
    outside = sorted({url for url in requested
                      if not url.startswith((base, "data:", "blob:", "about:"))})
    assert outside == []
    assert len(requested) > len(AUDITED)
    assert [e for e in errors if "404" not in e] == []


PAGES = [*AUDITED, "/docs", "/facility/esrf", "/technique/xps", "/queries"]


def shot_name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"


def test_every_page_at_phone_width_without_sideways_scroll(browser_session) -> None:
    """At 390 px (a phone) no page is wider than the screen: wide tables and charts scroll
    inside their own box. Screenshots of each page at phone and desktop width."""
    base, page, _ = browser_session
    wide = {}
    try:
        for width, height, suffix in ((390, 844, "phone"), (1280, 900, "desktop")):
            page.set_viewport_size({"width": width, "height": height})
            for path in PAGES:
                page.goto(base + path, wait_until="load")
                page.screenshot(path=str(ARTIFACTS / f"{suffix}-{shot_name(path)}.png"))
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    wide[f"{path} at {width}"] = scroll
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
    assert wide == {}


def test_length_scale_facet(browser_page, data_graph) -> None:
    """Filter the matrix by length scale (1 nm – 100 nm): the entries kept are those whose
    finest printed lateral resolution (else the side of the smallest probed area) lies there.
    Expected from the data files (the quantities' printed bounds in metres), not from the
    page's own query."""
    import math

    from rdflib.namespace import RDF

    from bigmap_kg.namespaces import BMO

    UNIT = "http://qudt.org/vocab/unit/"

    def bounds(entry, quantity, unit: str) -> list[float]:
        return [float(v) for node in data_graph.objects(entry, BMO[quantity])
                if str(data_graph.value(node, BMO.unit)) == UNIT + unit
                for bound in (BMO.minValue, BMO.maxValue)
                for v in data_graph.objects(node, bound)]

    def metres(entry) -> float | None:
        if resolution := bounds(entry, "lateralResolution", "M"):
            return min(resolution)
        area = bounds(entry, "probedArea", "M2")  # an area (a printed beam size is no area)
        return math.sqrt(min(area)) if area else None

    expected = {str(e).rsplit("/", 1)[1] for e in data_graph.subjects(RDF.type, BMO.MatrixEntry)
                if (m := metres(e)) is not None and 1e-9 <= m < 1e-7}
    base, page, errors = browser_page
    filter_matrix(page, base, lengthscale="nm")
    assert "lengthscale=nm" in page.url
    shown = {href.rsplit("/", 1)[1] for href in page.locator(
        "tbody a[href^='/matrix-entry/']").evaluate_all("links => links.map(a => a.pathname)")}
    assert shown == expected and expected
    assert errors == []
