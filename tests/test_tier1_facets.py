"""The Tier 1 page's filters through the facet engine (web/pages/facets.py), as on the matrix page:
several values of a facet (any of them), each option with the number of experiments it would
give, the state in the URL, and a form that works without JavaScript. Expected experiments and
counts are read off D5.1's Tables 1-4 (line numbers of ../shared/seed/000_25d3a3d276579e9f.txt).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html

from bigmap_kg.web.app import create_app
from bigmap_kg.web.server.settings import Settings

from .conftest import CHROMIUM
from .test_web_ui import choose

#: Rows naming ILL: 861 'CEA, ILL  operando neutron diffraction ... (M8-M14)' (t1-09);
#: 907 'CEA, ILL  operando  ...  M9-M10' (neutron imaging, t3-02); 944 'CEA, ILL  development
#: of stroboscopic mode for operando diffraction ... M12-M24' (t4-01); 962 'CEA/ILL  operando
#: SANS, development of 2D cell ... (M9-M14)' (t4-13).
ILL = {"t1-09", "t3-02", "t4-01", "t4-13"}
#: Rows naming TUD: 909-910 'operando ... M12-M18 / TUD  Neutron depth profiling' (t3-03);
#: 949 'TUD  neutron diffraction, development and testing of operando cells ... M12-M18'
#: (t4-06); 950 'TUD  development of in-house (Ag source) transmission operando x-ray
#: diffraction ... M12-M18' (t4-07).
TUD = {"t3-03", "t4-06", "t4-07"}
#: Of those, starting before M12: t1-09 (M8), t3-02 (M9), t4-13 (M9); the rest start at M12.
ILL_OR_TUD_BEFORE_M12 = {"t1-09", "t3-02", "t4-13"}
#: Rows whose object names LNO: 855 'UCAM  in-situ NMR  LNO', 860 'CEA, DTU ... LNO', 862
#: 'UOXF ... LNO' (Table 1); 881-884 'Ni-rich NMC and LNO', 890-892 'graphite, NMC, LNO'
#: (Table 2); 900-903 FIB-SEM 'LNO', 906-908 neutron imaging 'LNO', 912-915 SAXS/WAXS 'LNO',
#: 925 'CEA / ESRF  operando XRD-CT  LNO' (Table 3).
LNO_ROWS = 9


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path, query_workers=1))) as c:
        yield c


def page(client: TestClient, params) -> html.HtmlElement:
    response = client.get("/tier1", params=params)
    assert response.status_code == 200
    return html.fromstring(response.text)


def experiments(tree: html.HtmlElement) -> set[str]:
    """The experiments in the tables (the second column links each one)."""
    return {a.get("href").rsplit("/", 1)[1]
            for a in tree.cssselect("table tbody td:nth-child(2) > a")}


def count(tree: html.HtmlElement, facet: str, value: str) -> int:
    return int(tree.cssselect(f"#t-{facet}-{value}-n")[0].text)


def test_two_partners_give_the_rows_of_either_with_counts(client: TestClient) -> None:
    tree = page(client, [("partner", "ill"), ("partner", "tud")])
    assert experiments(tree) == ILL | TUD
    assert "(7 of 43 experiments)" in tree.cssselect("h1")[0].text_content()
    # a partner option counts the experiments it alone would give; a month, with both partners
    assert (count(tree, "partner", "ill"), count(tree, "partner", "tud")) == (4, 3)
    assert count(tree, "before", "12") == len(ILL_OR_TUD_BEFORE_M12)
    assert count(tree, "before", "18") == 7
    # the state is in the form: both boxes ticked, their group open
    assert {box.get("value") for box in tree.cssselect("#t-partner input[checked]")} == \
        {"ill", "tud"}
    assert tree.cssselect("#t-partner")[0].get("open") is not None


def test_a_start_month_narrows_the_partners_and_their_counts(client: TestClient) -> None:
    tree = page(client, [("partner", "ill"), ("partner", "tud"), ("before", "12")])
    assert experiments(tree) == ILL_OR_TUD_BEFORE_M12
    assert (count(tree, "partner", "ill"), count(tree, "partner", "tud")) == (3, 0)


def test_material_counts_without_a_choice(client: TestClient) -> None:
    tree = page(client, {})
    assert count(tree, "material", "lno") == LNO_ROWS
    assert len(experiments(tree)) == 43


browser = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                             reason="Debian chromium is not installed (make test installs it)")


@browser
def test_ticking_partners_and_a_month_in_a_browser(browser_page) -> None:
    """Tick ILL, then TUD, then 'M12': each applies at once, the URL keeps the state, the
    counts follow; reloading the URL shows the same."""
    base, tab, errors = browser_page
    tab.goto(base + "/tier1")
    choose(tab, "t", "partner", "ill")
    choose(tab, "t", "partner", "tud")
    assert re.search(r"partner=ill&partner=tud", tab.url)
    shown = {a.rsplit("/", 1)[1] for a in tab.locator(
        "table tbody td:nth-child(2) > a").evaluate_all("as => as.map(a => a.href)")}
    assert shown == ILL | TUD
    assert tab.locator("#t-before-12-n").text_content() == "3"
    choose(tab, "t", "before", "12")
    assert tab.locator(".gantt-rows li").count() == len(ILL_OR_TUD_BEFORE_M12)
    assert tab.locator("#t-partner-tud-n").text_content() == "0"
    tab.goto(tab.url)
    assert tab.is_checked("#t-partner-ill") and tab.is_checked("#t-before-12")
    assert "(3 of 43 experiments)" in tab.inner_text("h1")
    assert errors == []


@browser
def test_the_tier1_filters_work_without_javascript(page_without_javascript) -> None:
    base, plain = page_without_javascript
    plain.goto(base + "/tier1")
    plain.locator("#t-partner summary").click()
    plain.check("#t-partner-ill")
    plain.check("#t-partner-tud")
    plain.click("text=Apply filters")
    plain.wait_for_url(re.compile(r"partner=ill&partner=tud"))
    assert "(7 of 43 experiments)" in plain.inner_text("h1")
