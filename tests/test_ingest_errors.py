"""Crashes become clear errors (issue 17, "Crashes"): Zenodo's legacy /api/records JSON, a DOI
with a space or given as a number, a lone surrogate (the same message in a dry run), SHACL
findings on JSON inputs with their real line; over HTTP a 4xx with the message, never a 500.
Each test fails on the old main (the failure it covers is quoted in its docstring).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS

from bigmap_kg.datasets.formats.common import DCAT, SPDX
from bigmap_kg.datasets.ingest import ingest
from bigmap_kg.namespaces import BMO

from .conftest import SHARED
from .server import running_server
from .test_datasets import dataset_quads, writable  # noqa: F401
from .test_datasets import ingest as ingest_into

OWN = Path(__file__).parent / "data" / "datasets"
#: A synthetic record in the layout of Zenodo's legacy REST API (GET /api/records/{id} before
#: InvenioRDM): `files` is a list, `doi` at the top, flat creators, `keywords`, `license`.
LEGACY = OWN / "zenodo-legacy-record.json"
DATACITE = OWN / "datacite-xrd-analysed.json"
INVENIO = OWN / "invenio-operando-xrd.json"
CRATE = OWN / "rocrate-operando-xrd-id31.json"
SAMPLES = SHARED / "anchors" / "metadata" / "samples"
TOKEN = "s3cret"


def dry(store, data: bytes, name: str):
    return ingest([(data, name)], store, None)


def test_zenodo_legacy_records_are_read(store) -> None:
    """Issue: "Zenodo's legacy /api/records JSON (`files` as a list) → AttributeError (500
    over HTTP)". Every file is a distribution with the size and checksum the record gives."""
    source = json.loads(LEGACY.read_text())
    report = dry(store, LEGACY.read_bytes(), str(LEGACY))
    assert report.accepted, report.as_text()
    g = report.records[0].graph
    assert {str(d) for d in g.objects(None, BMO.doi)} == {source["doi"]}
    sizes = {int(s) for s in g.objects(None, DCAT.byteSize)}
    assert sizes == {f["size"] for f in source["files"]}
    checksums = {str(v) for v in g.objects(None, SPDX.checksumValue)}
    assert checksums == {f["checksum"].split(":", 1)[1] for f in source["files"]}
    downloads = {str(u) for u in g.objects(None, DCAT.downloadURL)}
    assert downloads == {f["links"]["self"] for f in source["files"]}
    assert {str(u) for u in g.objects(None, DCAT.accessURL)} == {source["links"]["html"]}
    assert (None, DCTERMS.title, Literal(source["metadata"]["title"])) in g
    assert (None, DCTERMS.license, Literal(source["metadata"]["license"]["id"])) in g
    # the keyword "operando XAS" names the D5.1 technique XAS
    assert (None, BMO.appliedTechnique, URIRef("https://w3id.org/bigmap-kg/technique/xas")) in g


@pytest.mark.parametrize("value", ["10.5281/zenodo 0000202", 10.5281, 105281])
def test_a_doi_with_a_space_or_as_a_number_is_a_clear_error(store, value) -> None:
    """Issue: "a DOI with a space or as a number → traceback / 500"."""
    for path, place in ((DATACITE, ("data", "attributes")), (INVENIO, ("pids", "doi"))):
        document = json.loads(path.read_text())
        target = document[place[0]][place[1]]
        target["doi" if place[0] == "data" else "identifier"] = value
        report = dry(store, json.dumps(document).encode(), path.name)
        assert report.errors == [f"{path.name}: {value!r} is not a DOI: a DOI is a string "
                                 '10.NNNN/suffix without spaces (e.g. "10.5281/zenodo.1234")']


def test_an_iri_with_a_space_is_a_clear_error(store) -> None:
    """A URL with a space (here a licence) was written as an invalid IRI and the store refused
    the update with a traceback; now the triple is named."""
    document = json.loads(DATACITE.read_text())
    document["data"]["attributes"]["rightsList"][0]["rightsUri"] = "https://example.org/my licence"
    report = dry(store, json.dumps(document, indent=1).encode(), "r.json")
    assert any("'https://example.org/my licence' is not an IRI" in e for e in report.errors)


def surrogate_inputs() -> list[tuple[str, bytes]]:
    crate = CRATE.read_text().replace('"LNO half-cell 03"', '"LNO half-cell \\ud800 03"')
    turtle = (OWN / "deposit-xrd-dtu.ttl").read_text().replace(
        '"XRD of an NMC', '"XRD \\uD800 of an NMC')
    return [("crate.json", crate.encode()), ("deposit.ttl", turtle.encode())]


@pytest.mark.parametrize(("name", "data"), surrogate_inputs())
def test_a_lone_surrogate_fails_the_dry_run_and_the_ingest_alike(writable: Path,  # noqa: F811
                                                                 tmp_path: Path, name: str,
                                                                 data: bytes) -> None:
    """Issue: "a lone surrogate passes --dry-run then crashes the real ingest"."""
    path = tmp_path / name
    path.write_bytes(data)
    line = next(n for n, text in enumerate(data.decode().splitlines(), 1)
                if "\\ud800" in text.lower())
    before = dataset_quads(writable)
    checked, written = ingest_into(writable, path, write=False), ingest_into(writable, path)
    assert checked.errors == written.errors and not written.written
    assert checked.errors[0].startswith(f"{path}:{line}: ")
    # JSON: our check ("… holds a lone surrogate (U+D800) …"); Turtle: the parser's ("UTF-16
    # surrogate escape sequence '\uD800' must be followed by another surrogate …")
    assert "lone surrogate (U+D800)" in checked.errors[0] or \
        "surrogate escape sequence '\\uD800'" in checked.errors[0]
    assert dataset_quads(writable) == before


def test_shacl_findings_on_json_name_the_line_of_the_node(store) -> None:
    """Issue: "SHACL findings on JSON inputs all say line 1". A crate whose measurement names
    no technique: the finding points at the CreateAction that is the run."""
    text = CRATE.read_text().replace('"operando XRD", ', "")
    report = dry(store, text.encode(), "crate.json")
    expected = next(n for n, line in enumerate(text.splitlines(), 1)
                    if '{"@id": "#measure-0301"' in line)
    runs = [f for f in report.violations if f.message.startswith("A measurement run needs")]
    assert [(f.file, f.line) for f in runs] == [("crate.json", expected)], report.as_text()


def test_shacl_findings_on_the_datalab_crate_name_each_dataset_line(store) -> None:
    """The datalab sample: each run without a technique is reported at the line where its
    dataset (the crate's Dataset entity with files) is described, not at line 1."""
    path = SAMPLES / "rocrate_datalab_NaCoO2-coin-cell_ro-crate-metadata.json"
    if not path.exists():
        pytest.skip("../shared/anchors/metadata/samples is not present")
    text = path.read_text()
    graph = json.loads(text)["@graph"]
    files = {n["@id"] for n in graph if "File" in str(n.get("@type"))}
    with_files = {n["@id"] for n in graph if "Dataset" in str(n.get("@type")) and n["@id"] != "./"
                  and any(p.get("@id") in files for p in n.get("hasPart", []))}
    lines = text.splitlines()
    defined = {n for n, line in enumerate(lines, 1) for i in with_files
               if line.strip() == f'"@id": "{i}",'}
    report = dry(store, path.read_bytes(), str(path))
    runs = {f.line for f in report.violations if f.message.startswith("A measurement run")}
    assert runs == defined and 1 not in runs


def test_bad_records_over_http_are_4xx_never_500(writable: Path) -> None:  # noqa: F811
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    spaced = json.loads(DATACITE.read_text())
    spaced["data"]["attributes"]["doi"] = "10.5281/zenodo 0000202"
    numbered = json.loads(INVENIO.read_text())
    numbered["pids"]["doi"]["identifier"] = 10.5281
    shapeless = json.loads(INVENIO.read_text())
    shapeless["metadata"]["creators"] = ["Doe, Jane"]  # strings where objects are expected
    with running_server(writable, BIGMAP_KG_WRITE_TOKEN=TOKEN) as base:
        url = f"{base}/api/datasets"
        legacy = httpx.post(url, params={"dry_run": "true"}, content=LEGACY.read_bytes(),
                            headers=headers, timeout=60)
        assert legacy.status_code == 200, legacy.text
        for document, says in ((spaced, "is not a DOI"), (numbered, "is not a DOI"),
                               (shapeless, "a field has an unexpected type or shape")):
            for dry_run in ("true", "false"):
                response = httpx.post(url, params={"dry_run": dry_run}, headers=headers,
                                      content=json.dumps(document).encode(), timeout=60)
                assert response.status_code == 422, response.text
                assert says in response.json()["errors"][0]
        crate = surrogate_inputs()[0][1]
        answers = [httpx.post(url, params={"dry_run": d}, content=crate, headers=headers,
                              timeout=60) for d in ("true", "false")]
        assert [a.status_code for a in answers] == [422, 422]
        assert answers[0].json()["errors"] == answers[1].json()["errors"]
