"""The planner page (/planner) as a scientist reads it: labelled alternatives, which row covers
which observable, who offers each step where, and why an observable is left with the constraint
to relax; checked against the D5.1 matrix rows (quoted, line numbers of ../shared/seed)."""

from __future__ import annotations

import lxml.html
from fastapi.testclient import TestClient

STUDY = {"observable": ["crystal-structure", "sei-composition", "lithium-distribution"]}


def page(client: TestClient, **params) -> lxml.html.HtmlElement:
    response = client.get("/planner", params=params)
    assert response.status_code == 200, response.text
    return lxml.html.fromstring(response.text)


def text(node) -> str:
    return " ".join(node.text_content().split())


def steps(document) -> dict[str, dict[str, list[str]]]:
    """Alternative heading → {column: names} of its (single-step) table."""
    found = {}
    for article in document.cssselect("article.plan"):
        heading = text(article.cssselect("h3")[0])
        columns = [text(th) for th in article.cssselect("thead th")]
        for row in article.cssselect("tbody tr"):
            cells = row.cssselect("th, td")
            found[heading] = {c: [text(li) for li in cell.cssselect("li")] or [text(cell)]
                              for c, cell in zip(columns, cells, strict=True)}
    return found


def test_the_form_keeps_every_choice(client) -> None:
    """Issue 15: "after submitting only one of the three chosen observables stays selected"."""
    document = page(client, **STUDY, operando="yes", facility="synchrotron", material="lno")
    checked = {box.get("value") for box in document.cssselect("input[name=observable][checked]")}
    assert checked == set(STUDY["observable"])
    assert document.cssselect("#p-operando[checked]")
    assert document.cssselect("#p-facility option[selected]")[0].get("value") == "synchrotron"
    assert document.cssselect("#p-material option[selected]")[0].get("value") == "lno"


def test_operando_alternatives_name_their_partners_beamlines_and_cells(client) -> None:
    """Operando only: three alternatives, each one row covering crystal structure and lithium
    distribution. XRD-CT / PDF-CT (realistic), lines 456-465: cells "cylindrical cell CNRS",
    "miniaturized version in diameter CEA"; instruments "PSICHé, coupled to XRT Soleil",
    "ID13 ESRF", "ID15A ESRF"."""
    document = page(client, **STUDY, operando="yes")
    headings = [text(h) for h in document.cssselect("article.plan h3")]
    assert [h.split(":")[0] for h in headings] == ["Alternative 1", "Alternative 2",
                                                   "Alternative 3"]
    assert "3 alternative plans each cover" in text(document.cssselect("p.lead")[0])
    table = steps(document)
    xrd_ct = next(v for k, v in table.items() if "X-ray diffraction or pair distribution" in k)
    assert xrd_ct["Covers"] == ["crystal structure", "lithium distribution"]
    assert set(xrd_ct["Partners"]) == {"CEA", "CNRS", "ESRF", "SOLEIL"}
    assert set(xrd_ct["Instruments and beamlines"]) == {"ID13", "ID15A", "PSICHé"}
    assert xrd_ct["Cells"] != ["none listed in D5.1"]


def test_an_uncovered_observable_says_why_and_what_to_relax(client) -> None:
    """Every row measuring SEI composition is a model-sample row (the XPS, HAXPES, FTIR rows of
    the surface table: e.g. "X-ray photoelectron spectroscopy (model)"), so with "operando only"
    it is uncovered, and dropping that constraint is what covers it."""
    document = page(client, **STUDY, operando="yes")
    status = text(document.cssselect("[role=status]")[0])
    assert "SEI / CEI composition: measured in D5.1's matrix only by" in status
    assert "X-ray photoelectron spectroscopy (model)" in status
    assert "Hard X-ray photoelectron spectroscopy (model)" in status
    assert "Drop the constraint operando only to cover it" in status
    assert "(realistic)" not in status and "(commercial)" not in status


def test_a_facility_constraint_keeps_only_the_offers_at_such_a_facility(client) -> None:
    """Neutron facilities: a neutron-diffraction step lists D20 / D2B (ILL, lines of the
    diffraction table) and no laboratory or synchrotron instrument, and the partners are those
    with a neutron instrument (ILL, TUD's reactor), not every partner of the row."""
    document = page(client, observable=["crystal-structure", "lithium-distribution"],
                    facility="neutron")
    for heading, columns in steps(document).items():
        assert set(columns["Partners"]) <= {"ILL", "TUD", "PSI", "ISIS"}, heading
        assert not {"ID15A", "ID31", "PSICHé"} & set(columns["Instruments and beamlines"])
    assert any({"D20", "D2B"} <= set(c["Instruments and beamlines"])
               for c in steps(document).values())
