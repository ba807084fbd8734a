"""The competence map in a real browser: each chart downloads as SVG and as PNG (drawn by the
page from the SVG), and the page fits a phone's width."""

from __future__ import annotations

import pytest

from .conftest import ARTIFACTS

pytest.importorskip("playwright.sync_api")
#: a real server and a real browser: slow (`make test-fast` skips them)
pytestmark = pytest.mark.slow
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_a_chart_downloads_as_svg_and_png(browser_page) -> None:
    base, page, errors = browser_page
    page.goto(base + "/competence-map?scale=area")
    page.screenshot(path=str(ARTIFACTS / "competence-map-strip.png"), full_page=True)
    chart = page.locator("section.chart", has_text="Laboratory techniques")
    with page.expect_download() as svg:
        chart.get_by_role("link", name="SVG").click()
    assert svg.value.suggested_filename == "competence-LaboratoryFacility-area.svg"
    svg.value.save_as(ARTIFACTS / svg.value.suggested_filename)
    assert b"/technique/lab-xrd" in (ARTIFACTS / svg.value.suggested_filename).read_bytes()
    with page.expect_download() as png:
        chart.get_by_role("link", name="PNG").click()
    assert png.value.suggested_filename == "competence-LaboratoryFacility-area.png"
    png.value.save_as(ARTIFACTS / png.value.suggested_filename)
    data = (ARTIFACTS / png.value.suggested_filename).read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width = int.from_bytes(data[16:20], "big")  # IHDR: twice the SVG's 960 px
    assert width == 1920
    assert errors == []


def test_the_map_fits_a_phone(browser_page) -> None:
    base, page, errors = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.goto(base + "/competence-map")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(ARTIFACTS / "competence-map-phone.png"), full_page=True)
    finally:
        page.set_viewport_size({"width": 1280, "height": 900})
    assert errors == []
