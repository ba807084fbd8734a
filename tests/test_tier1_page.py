"""The Tier 1 explorer (/tier1): filters in the URL, named as in /api/experiments, and the
month-axis chart. Expected experiments are read off D5.1's Tables 1-3 (../shared/seed, line
numbers of the text extraction)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from bigmap_kg.web.app import create_app
from bigmap_kg.web.server.settings import Settings

#: LNO experiments whose printed months start before M12:
#: 860 'CEA, DTU  Laboratory operando lab diffraction  LNO ... April-June 2021 M8' (t1-08);
#: 862 'UOXF  OEMS, operando and ex-situ lab diffraction  LNO ... (M8-M14)' (t1-10);
#: 881-884 'UU, CEA, CNRS SOLEIL, NIC  ex-situ HAXPES, XPS, XPEEM  Ni-rich NMC and LNO',
#:   'proposal submitted M6' (t2-04); 890-892 'UU, CEA  in-house XPS, TOF-SIMS, SEM/AFM
#:   graphite, NMC, LNO ... M7-M18' (t2-06); 900-905 'CEA, NIC  ex-situ FIB-SEM  LNO ...
#:   M7-M10' (t3-01); 906-908 'CEA, ILL  operando neutron imaging  LNO ... M9-M10' (t3-02);
#: 912-915 'CEA, ESRF  operando SAXS/WAXS microtomography  LNO ... M8-M9' (t3-04).
LNO_BEFORE_M12 = {"t1-08", "t1-10", "t2-04", "t2-06", "t3-01", "t3-02", "t3-04"}


@pytest.fixture(scope="module")
def client(store_path):
    with TestClient(create_app(Settings(store=store_path, query_workers=1))) as c:
        yield c


def listed(html: str) -> set[str]:
    """The experiments on the month chart."""
    return set(re.findall(r'gantt-label"><a href="/experiment/([^"]+)"', html))


def test_lno_experiments_before_m12(client) -> None:
    page = client.get("/tier1", params={"material": "lno", "before": "12"})
    assert page.status_code == 200
    assert listed(page.text) == LNO_BEFORE_M12
    assert "(7 of 43 experiments)" in page.text


def test_partner_and_technique_filters(client) -> None:
    """Line 907: 'CEA, ILL  operando neutron imaging'; line 861: 'CEA, ILL  operando neutron
    diffraction' (t1-09, M8-M14). ILL's experiments with neutron imaging are t3-02 only."""
    ill = listed(client.get("/tier1", params={"partner": "ill"}).text)
    assert {"t3-02", "t1-09"} <= ill
    imaging = listed(client.get("/tier1", params={"partner": "ill",
                                                  "technique": "neutron-imaging"}).text)
    assert imaging == {"t3-02"}


def test_experiments_without_months_are_listed_apart(client) -> None:
    """Line 907-909: TUD's 'operando Neutron depth profiling ... M12-M18' is on the chart;
    Table 3 row 9 'CEA / ESRF operando XRD-CT' prints 'Proposal on ID15a', no month."""
    page = client.get("/tier1").text
    assert "t3-03" in listed(page)
    chart, _, rest = page.partition("No months printed")
    assert "/experiment/t3-09" in rest.split("<h2>")[0]
    assert "/experiment/t3-09" not in chart.split('class="gantt"')[1]


def test_unknown_filter_values_show_nothing_and_offer_to_clear(client) -> None:
    page = client.get("/tier1", params={"material": "unobtainium", "before": "x"}).text
    assert "No Tier 1 experiment matches" in page
    assert "Remove the filter “material”" in page
    assert "“before”" not in page  # a month that is no number is ignored
