"""Entity pages in a real browser (issue 15, item 2): a scientist finds ESRF's beamlines and
their techniques by typing and clicking only; the pages pass axe, load fast, fit a phone."""

from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, AXE

#: a real server and a real browser: slow (`make test-fast` skips them)
pytestmark = pytest.mark.slow


def test_esrf_beamlines_and_their_techniques_by_clicking(browser_page) -> None:
    """Search 'ESRF' from the header, open the facility, read the beamline table: ID15A
    (printed 'ID15A	ESRF' in the synchrotron XRD row of D5.1) offers synchrotron XRD;
    following ID15A leads to its page, which lists the techniques it is offered for."""
    base, page, errors = browser_page
    page.goto(base + "/", wait_until="load")
    page.fill("#site-search", "ESRF")
    page.press("#site-search", "Enter")
    page.wait_for_url("**/search?q=ESRF*")
    page.click("main a[href='/facility/esrf']")
    page.wait_for_url("**/facility/esrf*")
    assert page.inner_text("h1") == "ESRF"
    table = page.locator("section[aria-labelledby='instruments'] table")
    row = table.locator("tr", has=page.locator("a", has_text="ID15A"))
    assert "Synchrotron X-ray diffraction" in row.inner_text()
    assert table.locator("tbody tr").count() >= 21
    page.screenshot(path=str(ARTIFACTS / "entity-facility-esrf.png"), full_page=True)
    row.locator("a", has_text="ID15A").click()
    page.wait_for_url("**/instrument/esrf-id15a*")
    offered = page.inner_text("section[aria-labelledby='offered-in']")
    assert "X-ray diffraction computed tomography" in offered
    assert not page.locator("details.raw-data").evaluate("d => d.open")
    page.click("details.raw-data summary")
    assert "inst:esrf-id15a" in page.inner_text("details.raw-data")
    assert errors == []


PAGES = ["/technique/xrd", "/facility/esrf", "/partner/uu", "/material/lno",
         "/period/m06-m12", "/matrix-entry/lab-xrd-realistic", "/instrument/esrf-id15a"]


@pytest.mark.parametrize("path", PAGES)
def test_entity_page_axe_and_phone_width(browser_page, path: str) -> None:
    """No serious or critical axe violation; at 390 px the page does not scroll sideways.
    Screenshots at both widths. (Load times: bench/pages_bench.py, not a timed test.)"""
    base, page, errors = browser_page
    name = path.strip("/").replace("/", "-")
    try:
        for width, height, suffix in ((390, 844, "phone"), (1280, 900, "desktop")):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(base + path, wait_until="load")
            page.screenshot(path=str(ARTIFACTS / f"entity-{suffix}-{name}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})
    if AXE.exists():
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found = [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
                 for v in result["violations"] if v["impact"] in ("serious", "critical")]
        assert found == []
    assert errors == []
