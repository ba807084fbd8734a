"""Entity pages for people (issue 15, item 2): per kind the sections a scientist expects, each
checked against what D5.1 prints (../shared/seed, lines quoted), every link labelled, the D5.1
source under each fact group, and no CURIE or machine id outside the raw-data toggle."""

from __future__ import annotations

import re

import lxml.html
from fastapi.testclient import TestClient

from bigmap_kg.namespaces import BASE, KINDS, PREFIXES
from bigmap_kg.web.pages.quantities import quantity_text

from .conftest import select

#: a CURIE of one of the project's prefixes (`tech:xrd`, `bmo:OperandoCapableEntry` …)
CURIE = re.compile(r"\b(?:" + "|".join(sorted(PREFIXES, key=len, reverse=True))
                   + r"):[A-Za-z_]")


def page(client: TestClient, path: str) -> lxml.html.HtmlElement:
    response = client.get(path + ".html")
    assert response.status_code == 200, response.text
    return lxml.html.fromstring(response.text)


def rows(doc: lxml.html.HtmlElement, section: str) -> list[list[str]]:
    """The body rows of a section's table, as the text of each cell."""
    return [[" ".join(td.text_content().split()) for td in tr.xpath("td")]
            for tr in doc.xpath(f"//section[@aria-labelledby='{section}']//tbody/tr")]


def source(doc: lxml.html.HtmlElement, section: str) -> str:
    return " ".join(doc.xpath(f"//section[@aria-labelledby='{section}']/p[@class='source']")[0]
                    .text_content().split())


def visible_text(html: str) -> str:
    """What a reader sees in <main> with the raw-data toggle closed (its content left out)."""
    doc = lxml.html.fromstring(html)
    main = doc.xpath("//main")[0]
    for raw in main.xpath(".//details[contains(@class, 'raw-data')]"):
        raw.drop_tree()
    return main.text_content()


def test_esrf_lists_its_beamlines_with_their_techniques(client, seed_text) -> None:
    """The matrix tables print ESRF's beamlines in their instrument columns, one per line
    ('ID15A	ESRF	[retracted]', line 331, in the synchrotron XRD row
    'Synchrotron X-ray diffraction (synchrotron XRD)'; 'BM02 ID02 … ESRF ESRF' in the SAXS
    row, line 349): each is on /facility/esrf, linked, with the techniques of its rows."""
    printed = set(re.findall(r"^\t*(?:<u>)?([A-Z]{2}\d+[A-Z]?(?:-[A-Z]+)?)(?:</u>)?\tESRF\t",
                             seed_text, re.M)) | {"BM02", "ID02"}
    assert {"ID15A", "ID31", "BM32", "ID22", "ID11"} <= printed
    doc = page(client, "/facility/esrf")
    table = {row[0]: row for row in rows(doc, "instruments")}
    assert printed <= set(table)
    links = {a.text_content(): a.get("href")
             for a in doc.xpath("//section[@aria-labelledby='instruments']//td[1]/a")}
    assert links["ID15A"] == "/instrument/esrf-id15a"
    assert "Synchrotron X-ray diffraction" in table["ID15A"][1]
    assert "Synchrotron (ultra-) small angle X-ray scattering" in table["ID02"][1]
    assert table["ID15A"][2] == "ESRF"
    assert "Diffraction and scattering table" in source(doc, "instruments")


def test_xrd_lists_its_variants_and_who_offers_it(client, seed_text) -> None:
    """D5.1 prints XRD's lab and synchrotron rows ('Laboratory X-ray … (lab XRD)', line 289;
    'Synchrotron X-ray … diffraction (synchrotron XRD)', lines 311-313) and who offers them:
    'Kapton & glassy carbon windows (transmission)	CNRS' (line 295) and ESRF's ID15A
    (line 331). The XRD page shows both variants and these offers, with partner and cell."""
    assert "Kapton & glassy carbon windows (transmission)\tCNRS" in seed_text
    assert "(synchrotron XRD)" in seed_text and "(lab XRD)" in seed_text
    doc = page(client, "/technique/xrd")
    variants = {row[0]: row[1] for row in rows(doc, "variants")}
    assert variants["Laboratory X-ray diffraction"] == "narrower technique"
    assert variants["Synchrotron X-ray diffraction"] == "narrower technique"
    offers = rows(doc, "offers")  # partner, instrument, facility, cell, as printed, row
    assert ["CNRS", "", "", "CAEN cell (transmission)",
            "Kapton & glassy carbon windows (transmission)",
            "Laboratory X-ray diffraction (realistic)"] in offers
    assert any(r[0] == "ESRF" and r[1] == "ID15A" and r[2] == "ESRF"
               and r[5] == "Synchrotron X-ray diffraction (realistic)" for r in offers)
    assert "Diffraction and scattering table, rows" in source(doc, "offers")


def test_lab_xrd_numbers_with_units(client, seed_text) -> None:
    """Lab XRD's row prints '1-50 mm ²', 'Cu (8 keV) ~ 100 μm', 'Mo (17.45 keV) ~1mm' and
    '5-30 mins' (lines 289-291): shown as printed and as numbers with units."""
    assert "1-50 mm ²\tCu (8 keV) ~ 100 μm" in seed_text and "5-30 mins" in seed_text
    found = {(r[1], r[4]): (r[2], r[3]) for r in rows(
        page(client, "/matrix-entry/lab-xrd-realistic"), "quantities")}
    assert found[("probed area", "")][1] == "1–50 mm²"
    assert found[("penetration depth", "Cu (8 keV)")][1] == "≈ 100 µm"
    assert found[("penetration depth", "Mo (17.45 keV)")][1] == "≈ 1 mm"
    assert found[("operando time resolution", "")] == ("5-30 mins", "5–30 min")


def test_quantity_text_reads_ranges_bounds_and_units() -> None:
    assert quantity_text("1e-6", "5e-5", "http://qudt.org/vocab/unit/M2") == "1–50 mm²"
    assert quantity_text(None, "1e-9", "http://qudt.org/vocab/unit/M") == "≤ 1 nm"
    assert quantity_text("0.25", "0.25", "http://qudt.org/vocab/unit/SEC") == "250 ms"
    assert quantity_text("3e-8", "3e-8", "http://qudt.org/vocab/unit/M", True) == "≈ 30 nm"
    assert quantity_text(None, None, "http://qudt.org/vocab/unit/M") == ""


#: Tier 1 rows whose object column is LNO: partners, experiment (Table 3 of D5.1)
LNO_ROW = re.compile(r"^([A-Z][A-Za-z ,/]*)\t([^\t]+)\tLNO\t", re.M)


def test_lno_lists_its_experiments(client, seed_text) -> None:
    """Tier 1 rows on LNO: 'UCAM	in-situ NMR	LNO' (line 853), 'CEA, DTU	Laboratory operando
    lab diffraction	LNO' (860), 'CEA / ESRF	operando XRD-CT	LNO' (930) …: each is on the LNO
    page with its partners, and its table row is named."""
    printed = LNO_ROW.findall(seed_text)
    assert ("CEA / ESRF", "operando XRD-CT") in printed and len(printed) >= 5
    doc = page(client, "/material/lno")
    shown = rows(doc, "experiments")
    for partners, experiment in printed:
        assert any(experiment in row[0] and row[1] == partners for row in shown), experiment
    assert "Table 3, rows" in source(doc, "experiments")


def test_workflow_period_lists_its_experiments(client, seed_text) -> None:
    """'CEA, DTU	Laboratory operando lab diffraction	LNO	…	April-June 2021 M8-M10'
    (line 860) falls in the period 'M6 to M12' (Section 3.2): its page lists it, M8–M10."""
    assert "Laboratory operando lab diffraction\tLNO" in seed_text and "M8-M10" in seed_text
    shown = rows(page(client, "/period/m06-m12"), "experiments")
    assert ["Laboratory operando lab diffraction", "CEA, DTU", "Laboratory X-ray diffraction",
            "LNO", "M8–M10"] in shown


def test_xrd_page_shows_its_tier1_use(client) -> None:
    """XRD's variants are used in Tier 1: lab XRD in 'Laboratory operando lab diffraction'
    (line 860), XRD-CT in 'operando XRD-CT' (line 930)."""
    shown = [row[0] for row in rows(page(client, "/technique/xrd"), "experiments")]
    assert "Laboratory operando lab diffraction" in shown and "operando XRD-CT" in shown


def test_partner_uu_sections(client, seed_text) -> None:
    """UU: 'UPPSALA UNIVERSITET	K. Edstrom, A. Naylor' (line 138); lab XRD 'Cu	UU' (line
    305) with the cell 'Pouch … (transmission)	UU'; its cells and Tier 1 experiments."""
    assert "UPPSALA UNIVERSITET\tK. Edstrom" in seed_text and "\tCu\tUU\t" in seed_text
    doc = page(client, "/partner/uu")
    assert "K. Edstrom" in [r[0] for r in rows(doc, "people")]
    techniques = {r[0]: r for r in rows(doc, "techniques")}
    assert "Pouch (transmission)" in techniques["Laboratory X-ray diffraction"][2]
    assert "Pouch (transmission)" in [r[0] for r in rows(doc, "cells")]
    assert rows(doc, "instruments") and rows(doc, "experiments")
    assert source(doc, "people") == "Source in D5.1: Figure 3; Section 2.2"


def test_complementary_reasons_are_readable_with_printed_evidence(client) -> None:
    """XPS and FTIR for SEI composition: the reason is named in words ('different probe'),
    the printed depths quoted (surface table: XPS 'Al Kα: 6-10 nm', FTIR '~1 µm')."""
    doc = page(client, "/technique/xps")
    text = " ".join(doc.xpath("//ul[@class='relations']")[0].text_content().split())
    assert "different probe" in text and "DifferentProbe" not in text
    assert "6-10 nm" in text and "~1 µm" in text


def test_every_fact_group_names_its_source(client) -> None:
    for path in ("/technique/xrd", "/facility/esrf", "/partner/uu", "/material/lno",
                 "/matrix-entry/lab-xrd-realistic", "/instrument/esrf-id15a"):
        doc = page(client, path)
        for section in doc.xpath("//main//section"):
            texts = [p.text_content() for p in section.xpath("p[@class='source']")]
            assert texts and texts[0].startswith("Source"), (path, section.get(
                "aria-labelledby"))


def sample_pages(store) -> list[str]:
    """Up to four entities of every kind of the graph (the named ones of the issue first)."""
    found = ["/technique/xrd", "/technique/xps", "/facility/esrf", "/partner/uu", "/material/lno",
             "/cell/uu-pouch-transmission", "/matrix-entry/lab-xrd-realistic",
             "/experiment/t3-09", "/instrument/esrf-id31", "/period/m06-m12"]
    things = select(store, f"""SELECT DISTINCT ?s WHERE {{ ?s a ?c
        FILTER (isIRI(?s) && STRSTARTS(STR(?s), "{BASE}")) }} ORDER BY ?s""")
    per_kind: dict[str, list[str]] = {}
    for row in things:
        kind = row["s"][len(BASE):].split("/", 1)[0]
        if kind in KINDS.values():
            per_kind.setdefault(kind, []).append("/" + row["s"][len(BASE):])
    for pages in per_kind.values():
        found += pages[:4]
    return list(dict.fromkeys(found))


def test_no_curie_or_machine_id_outside_the_raw_data(client, store) -> None:
    paths = sample_pages(store)
    assert len({p.split("/")[1] for p in paths}) >= 15
    bad = {}
    for path in paths:
        response = client.get(path + ".html")
        assert response.status_code == 200, path
        text = visible_text(response.text)
        found = sorted({m.group(0) for m in CURIE.finditer(text)})
        if BASE in text:
            found.append(BASE)
        if found:
            bad[path] = found
        # the raw statements stay one click away, with their CURIEs
        assert "All statements (raw data)" in response.text
    assert bad == {}


def test_an_observable_lists_the_techniques_that_measure_it(client, seed_text) -> None:
    """The SEI composition page names the rows whose observable column prints it: nano-XPS
    'SEI chemical imaging' (line 538), Micro-XAS (534), ex-situ FTIR 'Interphase composition'
    (607), XPS 'SEI/CEI chemistry' (626), (near-) ambient pressure XPS 'SEI chemical
    composition' (642)."""
    for printed in ("nano-XPS\t(400 nm)", "Micro-XAS\t(500 nm)", "Interphase composition",
                    "SEI/CEI chemistry (oxidation state)", "SEI chemical composition"):
        assert printed in seed_text
    shown = {row[0] for row in rows(page(client, "/observable/sei-composition"), "measured-by")}
    assert {"X-ray photoelectron spectroscopy", "Nano X-ray photoelectron spectroscopy",
            "Micro X-ray absorption spectroscopy", "Fourier-transform infrared spectroscopy",
            "(Near-) ambient pressure X-ray photoelectron spectroscopy"} <= shown
    assert "X-ray diffraction" not in shown
