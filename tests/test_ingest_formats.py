"""Each ingest format on real files (../shared samples) and on hand-written records: what the
graph must contain is read from the input file itself; broken inputs get their precise report."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from bigmap_kg.datasets.formats import FormatError, read_bytes
from bigmap_kg.datasets.formats.common import DCAT, SCHEMA
from bigmap_kg.datasets.ingest import ingest
from bigmap_kg.datasets.resolve import Vocabulary
from bigmap_kg.namespaces import BMO, CHAMEO, PANET

from .conftest import SHARED

SAMPLES = SHARED / "anchors" / "metadata" / "samples"
OWN = Path(__file__).parent / "data" / "datasets"
TECH = "https://w3id.org/bigmap-kg/technique/"


@pytest.fixture(scope="module")
def vocabulary(store) -> Vocabulary:
    return Vocabulary.from_store(store)


@pytest.fixture(autouse=True)
def offline_contexts(monkeypatch) -> None:
    """The copies of the RO-Crate and EMMO battery contexts in ../shared (never the network)."""
    folders = [SHARED / "anchors" / "metadata" / "contexts", SHARED / "anchors" / "ontologies"]
    monkeypatch.setenv("BIGMAP_KG_CONTEXTS", os.pathsep.join(map(str, folders)))
    from bigmap_kg.datasets.contexts import local_context
    local_context.cache_clear()


def sample(name: str) -> Path:
    path = SAMPLES / name
    if not path.exists():
        pytest.skip("../shared/anchors/metadata/samples is not present")
    return path


def check(store, path: Path, data: bytes | None = None):
    """Map, link and validate (dry run) one input, as the ingest does."""
    return ingest([(data if data is not None else path.read_bytes(), str(path))], store, None)


def test_invenio_record_maps_files_people_and_links(store) -> None:
    path = OWN / "invenio-operando-xrd.json"
    source = json.loads(path.read_text())
    report = check(store, path)
    assert report.accepted, report.as_text()
    g = report.records[0].graph
    dataset = next(g.subjects(RDF.type, BMO.Dataset))
    assert (dataset, DCTERMS.title, Literal(source["metadata"]["title"])) in g
    assert (dataset, BMO.doi, Literal(source["pids"]["doi"]["identifier"])) in g
    entry = source["files"]["entries"]["scan_0001.h5"]
    sizes = {int(s) for s in g.objects(None, DCAT.byteSize)}
    assert sizes == {entry["size"]}
    assert entry["checksum"].split(":")[1] in {str(v) for v in g.objects(None, None)}
    run = g.value(dataset, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"))
    assert g.value(run, BMO.appliedTechnique) == URIRef(TECH + "xrd")  # keyword "operando XRD"
    assert g.value(run, BMO.operando) == Literal(True)
    assert g.value(run, CHAMEO.hasCharacterisationMeasurementInstrument) == \
        URIRef("https://w3id.org/bigmap-kg/instrument/esrf-id31")
    orcid = source["metadata"]["creators"][0]["person_or_org"]["identifiers"][0]["identifier"]
    assert URIRef(f"https://orcid.org/{orcid}") in set(g.objects(None, SCHEMA.sameAs))


def test_the_same_record_gets_the_same_iris(vocabulary) -> None:
    path = OWN / "invenio-operando-xrd.json"
    first = read_bytes(path.read_bytes(), path.name, vocabulary)[0].graph
    second = read_bytes(path.read_bytes(), path.name, vocabulary)[0].graph
    assert set(first.subjects()) == set(second.subjects())


def test_datacite_json_panet_subject_instrument_and_derivation(store) -> None:
    path = OWN / "datacite-xrd-analysed.json"
    attributes = json.loads(path.read_text())["data"]["attributes"]
    # the source dataset it derives from comes in the same batch
    report = ingest([(path.read_bytes(), str(path)),
                     ((OWN / "invenio-operando-xrd.json").read_bytes(), "invenio.json")],
                    store, None)
    assert report.accepted, report.as_text()
    g = next(r for r in report.records if r.fmt == "DataCiteRecord").graph
    dataset = next(g.subjects(BMO.doi, Literal(attributes["doi"])))
    run = g.value(dataset, URIRef("http://www.w3.org/ns/prov#wasGeneratedBy"))
    assert (run, RDF.type, PANET.PaNET01216) in g
    assert g.value(run, BMO.appliedTechnique) == URIRef(TECH + "xrd")
    assert str(g.value(run, CHAMEO.hasCharacterisationMeasurementInstrument)) == \
        attributes["relatedIdentifiers"][0]["relatedIdentifier"]
    assert (dataset, RDF.type, CHAMEO.PrimaryData) in g  # derived, level not stated
    alone = check(store, path)
    assert any(f.path == "prov:wasDerivedFrom" and "ingest the source dataset first"
               in f.message for f in alone.violations)


@pytest.mark.parametrize("name", ["datacite_4.5_instrument-example.json",
                                  "datacite_4.5_instrument-example.xml"])
def test_datacite_instrument_records_are_not_datasets(store, name) -> None:
    path = sample(name)
    report = check(store, path)
    assert not report.accepted and len(report.errors) == 1
    assert "10.82433/08qf-ee96" in report.errors[0] and "'Instrument'" in report.errors[0]


def test_invenio_deposit_payload_without_id_is_rejected(store) -> None:
    report = check(store, sample("inveniordm_deposit-payload_from-ro-crate.json"))
    assert not report.accepted and "without a record 'id'" in report.errors[0]


def test_datalab_crate_is_read_and_rejected_for_missing_techniques(store) -> None:
    path = sample("rocrate_datalab_NaCoO2-coin-cell_ro-crate-metadata.json")
    crate = json.loads(path.read_text())
    report = check(store, path)
    notes = report.records[0].notes
    ids = [n["@id"] for n in crate["@graph"]]
    for duplicate in {i for i in ids if ids.count(i) > 1}:
        assert any(repr(duplicate) in n and "merged" in n for n in notes)
    assert any("'authors'" in n for n in notes)  # not an RO-Crate term: dropped, and said so
    with_files = [n for n in crate["@graph"] if n.get("@type") == "Dataset" and any(
        p["@id"].startswith(n["@id"]) and p["@id"] != n["@id"] for p in n.get("hasPart", []))]
    graph = report.records[0].graph
    assert len(set(graph.subjects(RDF.type, BMO.Dataset))) == len(
        {n["@id"] for n in with_files} - {"./"})
    sizes = {n["contentSize"] for n in crate["@graph"] if "contentSize" in n}
    assert sizes == {int(s) for s in graph.objects(None, DCAT.byteSize)}
    # the crate names no technique: every run is reported, nothing is written
    assert not report.accepted and not report.written
    assert {f.message for f in report.violations} == {
        "A measurement run needs its technique (bmo:appliedTechnique, or at least "
        "bmo:techniqueAsRecorded), unless it processes datasets (prov:used a bmo:Dataset)."}


def test_an_eln_zip_is_read_like_its_crate(store) -> None:
    path = sample("rocrate_datalab_NaCoO2-coin-cell_ro-crate-metadata.json")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("demo/ro-crate-metadata.json", path.read_bytes())
    from_zip = check(store, Path("demo.eln"), buffer.getvalue())
    direct = check(store, path)
    assert set(from_zip.records[0].graph.subjects()) == set(direct.records[0].graph.subjects())


def test_battinfo_cell_repaired_prefixes_and_materials(store) -> None:
    path = sample("battinfo_empa_coin-cell_converter-schema-1.1.15.json")
    document = json.loads(path.read_text())
    report = check(store, path)
    assert report.accepted, report.as_text()
    record = report.records[0]
    assert record.record_id == document["schema:productID"]
    assert any("prefix 'schema'" in n and "repaired" in n for n in record.notes)
    assert any("prefix 'rdfs'" in n for n in record.notes)
    g = record.graph
    cell = next(g.subjects(RDF.type, BMO.Sample))
    assert (cell, SCHEMA.productID, Literal(document["schema:productID"])) in g
    creator = document["schema:creator"]
    assert (URIRef(creator["@id"]), SCHEMA.name, Literal(creator["schema:name"])) in g
    assert not any(str(p).startswith("schema:") for p in g.predicates())  # all expanded
    assert (cell, BMO.materialAsRecorded, Literal("LithiumNickelManganeseCobaltOxide")) in g


def test_bdf_collection_keeps_protocols_as_recorded(store) -> None:
    path = sample("bdf_sintef_g20m7_dataset-collection_metadata.jsonld")
    document = json.loads(path.read_text())
    report = check(store, path)
    assert report.accepted, report.as_text()
    g = report.records[0].graph
    parts = document["schema:hasPart"]
    assert len(set(g.subjects(RDF.type, BMO.Dataset))) == len(parts)
    assert {str(t) for t in g.objects(None, BMO.techniqueAsRecorded)} == \
        {p["schema:measurementTechnique"] for p in parts}
    assert not set(g.objects(None, BMO.appliedTechnique))  # cycling protocols, not D5.1
    assert {str(u) for u in g.objects(None, DCAT.downloadURL)} == \
        {d["schema:contentUrl"] for p in parts for d in p["schema:distribution"]}
    assert {str(a) for a in g.objects(None, SCHEMA.about)} == \
        {p["schema:about"]["@id"] for p in parts}
    warnings = [f for f in report.findings if f.severity == "Warning"]
    assert any(f.path == "bmo:appliedTechnique" for f in warnings)


def test_bdf_cell_becomes_a_sample(store) -> None:
    path = sample("bdf_hina_nacr32140mp10_cell-3gvjz6_metadata.jsonld")
    document = json.loads(path.read_text())
    report = check(store, path)
    assert report.accepted, report.as_text()
    g = report.records[0].graph
    cell = next(g.subjects(RDF.type, BMO.Sample))
    assert (cell, SCHEMA.sameAs, URIRef(document["@id"])) in g


def test_unknown_json_and_missing_context_copies(store, monkeypatch, tmp_path) -> None:
    unknown = tmp_path / "thing.json"
    unknown.write_text('{"hello": "world"}')
    report = check(store, unknown)
    assert "JSON of no known format" in report.errors[0] and "thing.json" in report.errors[0]
    monkeypatch.setenv("BIGMAP_KG_CONTEXTS", str(tmp_path))
    from bigmap_kg.datasets.contexts import local_context
    local_context.cache_clear()
    path = sample("battinfo_empa_coin-cell_converter-schema-1.1.15.json")
    report = check(store, path)
    assert "not available offline" in report.errors[0] and "BIGMAP_KG_CONTEXTS" in report.errors[0]
    with pytest.raises(FormatError):
        read_bytes(b"<other/>", "x.xml", Vocabulary())
