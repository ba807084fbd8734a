"""The matrix and the cell index in a real browser (Debian's chromium via Playwright), used
by clicking and typing only: multi-select facets applied as they change (no Filter click; the
URL keeps the state), Partners and Cells columns narrowed to the offers that satisfy them,
"compare selected", and the cell index's technique / format / text filters. Answers are
D5.1's (line numbers of ../shared/seed/000_25d3a3d276579e9f.txt). Screenshots at desktop and
phone width go to test-artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, CHROMIUM
from .test_web_ui import choose, settled

playwright = pytest.importorskip("playwright.sync_api")
#: a real server and a real browser: slow (`make test-fast` skips them)
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                 reason="Debian chromium is not installed (make test installs it)")]

def shots(page, name: str) -> None:
    """Screenshots at desktop and at 390 px (a phone), where nothing may scroll sideways."""
    page.screenshot(path=str(ARTIFACTS / f"desktop-{name}.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        page.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        page.set_viewport_size({"width": 1280, "height": 720})


def matrix_rows(page) -> dict[str, tuple[str, list[str]]]:
    """Entry slug → (the Partners column, the Cells column's items) of the shown rows."""
    found = {}
    for row in page.locator("table.matrix tbody tr:not(.cluster)").all():
        entry = row.locator("a[href^='/matrix-entry/']").get_attribute("href").rsplit("/", 1)[1]
        found[entry] = (row.locator("td.partners").inner_text().strip(),
                        row.locator("td.cells li").all_inner_texts())
    return found


def test_partners_and_cell_for_operando_xrd_on_pouch_cells(browser_page) -> None:
    """Type "X-ray diffraction", tick operando = yes and cell format = pouch: the rows update
    at each step. D5.1's Diffraction table prints the pouch cells of the XRD rows: 276
    'Cylindrical, Pouch	DTU' (XRD, commercial), 298 'Pouch (transmission)	UU' (lab XRD,
    realistic), 320 'Pouch cell clamped with glassy carbon windows (transmission)	UU'
    (synchrotron XRD, realistic); ESRF's ID22 / ID31 (279-280) come with no pouch cell, so the
    XRD commercial row names DTU only. Then compare two of them side by side."""
    base, page, errors = browser_page
    page.goto(base + "/matrix")  # load times: bench/pages_bench.py
    assert "ESRF" in matrix_rows(page)["xrd-commercial"][0]
    page.fill("#f-q", "X-ray diffraction")  # no Enter, no button: applied as typed
    page.wait_for_url(re.compile(r"q=X-ray"))
    settled(page)
    choose(page, "f", "operando", "yes")
    before = page.locator("#f-cellformat-pouch-n").text_content()
    choose(page, "f", "cellformat", "pouch")
    assert re.search(r"q=X-ray\+diffraction&operando=yes&cellformat=pouch", page.url)
    rows = matrix_rows(page)
    assert rows == {
        "xrd-commercial": ("DTU", ["Cylindrical, Pouch (DTU)"]),
        "lab-xrd-realistic": ("UU", ["Pouch (transmission) (UU)"]),
        "synchrotron-xrd-realistic":
            ("UU", ["Pouch cell clamped with glassy carbon windows (transmission) (UU)"])}
    assert before == "3" and "(3 of 55 entries)" in page.inner_text("h1")
    shots(page, "matrix-operando-xrd-pouch")

    page.goto(page.url)  # the URL holds the state
    assert matrix_rows(page) == rows
    assert page.is_checked("#f-cellformat-pouch") and page.is_checked("#f-operando-yes")

    page.get_by_role("checkbox", name="Compare X-ray diffraction (XRD) (commercial)").check()
    page.get_by_role("checkbox", name=re.compile(r"Compare Laboratory X-ray Diffraction")).check()
    page.click("text=Compare selected")
    page.wait_for_url(re.compile(r"/compare\?entry=xrd-commercial&entry=lab-xrd-realistic"))
    assert "few mm²" in page.inner_text("main") and "1-50 mm²" in page.inner_text("main")
    assert errors == []


def test_several_partners_and_back_to_fewer(browser_page) -> None:
    """Ticking two partners shows the rows of either (each with only their offers); unticking
    one goes back; the counts beside the options follow the other facets."""
    base, page, errors = browser_page
    page.goto(base + "/matrix")
    choose(page, "f", "cluster", "diffraction-scattering")
    uu = int(page.locator("#f-partner-uu-n").text_content())
    dtu = int(page.locator("#f-partner-dtu-n").text_content())
    choose(page, "f", "partner", "uu")
    assert page.locator("table.matrix tbody tr:not(.cluster)").count() == uu
    choose(page, "f", "partner", "dtu")
    assert re.search(r"partner=dtu&partner=uu|partner=uu&partner=dtu", page.url)
    shown = matrix_rows(page)
    assert max(uu, dtu) <= len(shown) <= uu + dtu
    assert {p for partners, _ in shown.values() for p in partners.split(", ")} <= {"DTU", "UU"}
    assert shown["lab-xrd-realistic"][0] == "DTU, UU"  # lines 290-298: AMPIX DTU, Pouch UU
    page.uncheck("#f-partner-dtu")
    settled(page)
    assert page.locator("table.matrix tbody tr:not(.cluster)").count() == uu
    assert errors == []


def test_cells_serving_both_xrd_and_xas(browser_page) -> None:
    """Tick the techniques X-ray diffraction and X-ray absorption spectroscopy (labels, not
    slugs): a cell must serve both. Appendix A: UU's 'Ampix-type cell' (sheet 13, 'Primary
    technique	X-ray diffraction', 'Other possible techniques	XAS, total scattering'),
    SOLEIL's 'Operando electrocell' ('X-ray Absorption and Diffraction', sheets 14 / 36),
    CNRS's CAEN cell in transmission ('X-ray diffraction, X-ray absorption spectroscopy')."""
    base, page, errors = browser_page
    page.goto(base + "/cells")
    page.locator("#c-technique summary").click()
    page.get_by_role("checkbox", name=re.compile(r"^X-ray diffraction \d+")).check()
    settled(page)
    page.get_by_role("checkbox", name=re.compile(r"^X-ray absorption spectroscopy \d+")).check()
    settled(page)
    assert re.search(r"technique=xas&technique=xrd|technique=xrd&technique=xas", page.url)
    names = set(page.locator("li.card h2 a").all_inner_texts())
    assert names == {"Ampix-type cell", "Operando electrocell", "CAEN cell (transmission)"}
    assert "hard-xas" not in page.inner_text("form.facets")
    shots(page, "cells-xrd-and-xas")
    page.click("text=Ampix-type cell")
    assert page.inner_text("h1") == "Ampix-type cell"
    assert errors == []


def test_cell_format_and_search(browser_page) -> None:
    """Tick cell format = pouch, then type "glassy": the pouch holder of sheet 12 ('Holder
    for pouch cells. Glassy carbon windows.') and UU's lab 'Pouch (transmission)' cell are
    pouch cells; only the first has glassy carbon windows."""
    base, page, errors = browser_page
    page.goto(base + "/cells")
    choose(page, "c", "cellformat", "pouch")
    pouch = set(page.locator("li.card h2 a").all_inner_texts())
    assert {"Fast cycling pouch cell holder", "Pouch (transmission)"} <= pouch
    page.fill("#c-q", "glassy")
    page.wait_for_url(re.compile(r"q=glassy"))
    settled(page)
    assert set(page.locator("li.card h2 a").all_inner_texts()) == \
        {"Fast cycling pouch cell holder"}
    shots(page, "cells-pouch-glassy")
    assert errors == []


def test_filters_work_without_javascript(page_without_javascript) -> None:
    """With scripts off the form still filters: tick, then the Apply button."""
    base, plain = page_without_javascript
    plain.goto(base + "/matrix")
    plain.locator("#f-cellformat summary").click()
    plain.check("#f-cellformat-pouch")
    plain.fill("#f-q", "X-ray diffraction")
    plain.click("text=Apply filters")
    plain.wait_for_url(re.compile(r"cellformat=pouch"))
    assert "(3 of 55 entries)" in plain.inner_text("h1")
