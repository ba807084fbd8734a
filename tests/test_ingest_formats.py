"""Each ingest format on real files (../shared samples) and on hand-written records: what the
graph must contain is read from the input file itself; broken inputs get their precise report."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS

from bigmap_kg.datasets.formats import FormatError, read_bytes
from bigmap_kg.datasets.formats.common import DCAT, SCHEMA, SPDX
from bigmap_kg.datasets.ingest import ingest
from bigmap_kg.datasets.records import finish, ntriples
from bigmap_kg.datasets.resolve import Vocabulary
from bigmap_kg.namespaces import BMO, CHAMEO, PANET

from .conftest import SHARED

SAMPLES = SHARED / "anchors" / "metadata" / "samples"
OWN = Path(__file__).parent / "data" / "datasets"
TECH = "https://w3id.org/bigmap-kg/technique/"
D51 = "https://w3id.org/bigmap-kg/"
BATTERY = "https://w3id.org/emmo/domain/battery#"


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


def accepted(store, path: Path):
    """The source document and the report of an input that must be accepted."""
    report = check(store, path)
    assert report.accepted, report.as_text()
    return json.loads(path.read_text()), report


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
    # the qualified nodes (attributions, grants …) are blank until the record is finished,
    # which names them from their content
    first = finish(read_bytes(path.read_bytes(), path.name, vocabulary)[0]).graph
    second = finish(read_bytes(path.read_bytes(), path.name, vocabulary)[0]).graph
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


def test_datalab_crate_is_read_and_rejected_for_missing_techniques_and_two_names(store) -> None:
    path = sample("rocrate_datalab_NaCoO2-coin-cell_ro-crate-metadata.json")
    crate = json.loads(path.read_text())
    report = check(store, path)
    notes = report.records[0].notes
    ids = [n["@id"] for n in crate["@graph"]]
    for duplicate in {i for i in ids if ids.count(i) > 1}:
        assert any(repr(duplicate) in n and "merged" in n for n in notes)
    # datalab's 'authors' is not an RO-Crate term: read as 'author', and said so
    assert "the term 'authors' is not an RO-Crate term; read as schema.org 'author'" in notes
    with_files = [n for n in crate["@graph"] if n.get("@type") == "Dataset" and any(
        p["@id"].startswith(n["@id"]) and p["@id"] != n["@id"] for p in n.get("hasPart", []))]
    graph = report.records[0].graph
    assert len(set(graph.subjects(RDF.type, BMO.Dataset))) == len(
        {n["@id"] for n in with_files} - {"./"})
    assert {str(t) for t in graph.objects(None, DCTERMS.title)} >= {
        n["name"] for n in with_files if n["@id"] != "./"}
    sizes = {n["contentSize"] for n in crate["@graph"] if "contentSize" in n}
    assert sizes == {int(s) for s in graph.objects(None, DCAT.byteSize)}
    names: dict[str, set[str]] = {}
    for node in crate["@graph"]:
        if node.get("@type") == "Person":
            names.setdefault(node["@id"], set()).add(node["name"])
    persons = {frozenset(str(n) for n in graph.objects(p, SCHEMA.name))
               for p in graph.subjects(RDF.type, SCHEMA.Person)}
    assert persons == {frozenset(n) for n in names.values()}  # every name kept
    # no technique for any run, and one person with an e-mail and a real name: nothing written
    assert not report.accepted and not report.written
    assert {f.message for f in report.violations} == {
        "A measurement run needs its technique (bmo:appliedTechnique, or at least "
        "bmo:techniqueAsRecorded or a PaNET class as its type), unless it processes datasets "
        "(prov:used a bmo:Dataset).",
        "A person has one name (schema:name); the record gives several for the same @id."}
    two_names = [f for f in report.violations if f.path == "schema:name"]
    assert len(two_names) == sum(len(n) > 1 for n in names.values()) == 1
    doubly_named = [p for p in graph.subjects(RDF.type, SCHEMA.Person)
                    if len(set(graph.objects(p, SCHEMA.name))) > 1]
    assert [two_names[0].node.removeprefix("agent:")] == \
        [str(p).rsplit("/", 1)[-1] for p in doubly_named]


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
    document, report = accepted(store, path)
    record = report.records[0]
    assert record.record_id == document["schema:productID"]
    assert any("prefix 'schema'" in n and "repaired" in n for n in record.notes)
    assert any("prefix 'rdfs'" in n for n in record.notes)
    g = record.graph
    cell = next(g.subjects(RDF.type, BMO.Sample))
    assert (cell, SCHEMA.productID, Literal(document["schema:productID"])) in g
    creator = document["schema:creator"]
    # the ORCID-named creator is an agent of the record (a record describes only what it mints)
    agent = g.value(None, SCHEMA.sameAs, URIRef(creator["@id"]))
    assert agent is not None and (agent, SCHEMA.name, Literal(creator["schema:name"])) in g
    assert (URIRef(creator["@id"]), None, None) not in g
    assert not any(str(p).startswith("schema:") for p in g.predicates())  # all expanded
    assert (cell, BMO.materialAsRecorded, Literal("LithiumNickelManganeseCobaltOxide")) in g


def test_bdf_collection_keeps_protocols_as_recorded(store) -> None:
    path = sample("bdf_sintef_g20m7_dataset-collection_metadata.jsonld")
    document, report = accepted(store, path)
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
    document, report = accepted(store, path)
    g = report.records[0].graph
    cell = next(g.subjects(RDF.type, BMO.Sample))
    assert (cell, SCHEMA.sameAs, URIRef(document["@id"])) in g


def test_unknown_json_and_missing_context_copies(store, monkeypatch, tmp_path) -> None:
    unknown = tmp_path / "thing.json"
    unknown.write_text('{"hello": "world"}')
    report = check(store, unknown)
    assert "JSON of no known format" in report.errors[0] and "thing.json" in report.errors[0]
    monkeypatch.setenv("BIGMAP_KG_CONTEXTS", str(tmp_path))
    monkeypatch.setenv("BIGMAP_KG_IMPORTS", str(tmp_path))
    from bigmap_kg.datasets.contexts import local_context
    local_context.cache_clear()
    path = sample("battinfo_empa_coin-cell_converter-schema-1.1.15.json")
    report = check(store, path)
    assert "not available offline" in report.errors[0] and "BIGMAP_KG_CONTEXTS" in report.errors[0]
    with pytest.raises(FormatError):
        read_bytes(b"<other/>", "x.xml", Vocabulary())


def test_the_import_catalog_supplies_the_emmo_battery_context(store, monkeypatch) -> None:
    """A site that configures the import catalog (the EMMO domain ontologies) needs no separate
    copy of the battery context."""
    ontologies = SHARED / "anchors" / "ontologies"
    path = sample("battinfo_empa_coin-cell_converter-schema-1.1.15.json")
    monkeypatch.delenv("BIGMAP_KG_CONTEXTS")
    monkeypatch.setenv("BIGMAP_KG_IMPORTS", str(ontologies))
    from bigmap_kg.datasets.contexts import local_context
    local_context.cache_clear()
    assert check(store, path).accepted


def _by_id(document: dict) -> dict[str, dict]:
    return {n["@id"]: n for n in document["@graph"]}


def test_rocrate_create_action_on_a_beamline(store) -> None:
    path = OWN / "rocrate-operando-xrd-id31.json"
    crate = _by_id(json.loads(path.read_text()))
    report = check(store, path)
    assert report.accepted, report.as_text()
    record = report.records[0]
    assert record.record_id == crate["./"]["identifier"]
    g = record.graph
    raw = next(g.subjects(DCTERMS.title, Literal(crate["scan-0301/"]["name"])))
    analysed = next(g.subjects(DCTERMS.title, Literal(crate["refined-0301/"]["name"])))
    assert (raw, RDF.type, CHAMEO.RawData) in g  # the keyword "raw"
    assert (analysed, RDF.type, CHAMEO.SecondaryData) in g  # additionalType "analysed"
    assert (analysed, PROV.wasDerivedFrom, raw) in g  # isBasedOn
    action = crate["#measure-0301"]
    run = g.value(raw, PROV.wasGeneratedBy)
    assert g.value(run, BMO.appliedTechnique) == URIRef(TECH + "xrd")  # keyword "operando XRD"
    assert g.value(run, BMO.operando) == Literal(True)
    assert g.value(run, CHAMEO.hasCharacterisationMeasurementInstrument) == \
        URIRef(D51 + "instrument/esrf-id31")  # the IndividualProduct named "ID31"
    assert g.value(run, PROV.atLocation) == URIRef(D51 + "facility/esrf")
    assert URIRef(D51 + "partner/esrf") in set(g.objects(run, PROV.wasAssociatedWith))
    assert str(g.value(run, PROV.startedAtTime).toPython().isoformat()).startswith(
        action["startTime"][:19])
    sample_node = g.value(run, CHAMEO.hasMeasurementSample)
    assert (raw, SCHEMA.about, sample_node) in g and (run, PROV.used, sample_node) in g
    assert g.value(sample_node, RDFS.label) == Literal(crate["#lno-hc-03"]["name"])
    assert g.value(sample_node, BMO.activeMaterial) == URIRef(D51 + "material/lno")
    processing = g.value(analysed, PROV.wasGeneratedBy)
    assert (processing, PROV.used, raw) in g and g.value(processing, BMO.appliedTechnique) is None
    assert (processing, CHAMEO.hasCharacterisationMeasurementInstrument, None) not in g  # software
    data = crate["scan-0301/scan_0301.h5"]
    distribution = g.value(raw, DCAT.distribution)
    assert int(g.value(distribution, DCAT.byteSize)) == data["contentSize"]
    assert str(g.value(distribution, DCAT.accessURL)) == crate["./"]["url"]
    assert str(g.value(g.value(distribution, SPDX.checksum), SPDX.checksumValue)) == \
        data["sha256"]
    person = next(g.subjects(SCHEMA.sameAs, URIRef(crate["#refine-0301"]["agent"]["@id"])))
    assert set(g.objects(person, SCHEMA.name)) == {Literal("Jane Doe")}
    assert {str(o) for o in g.objects(None, DCTERMS.license)} == {crate["./"]["license"]["@id"]}


def test_invenio_api_link_gives_the_archive_page(store, monkeypatch) -> None:
    path = OWN / "invenio-archive-api.json"
    document, report = accepted(store, path)
    g = report.records[0].graph
    page = URIRef(f"https://archive.big-map.eu/records/{document['id']}")
    assert set(g.objects(None, DCAT.accessURL)) == {page}
    run = next(g.subjects(RDF.type, BMO.MeasurementRun))
    assert g.value(run, BMO.appliedTechnique) == URIRef(TECH + "xps")  # "ex situ XPS"
    assert g.value(run, BMO.operando) == Literal(False)
    assert g.value(run, PROV.wasAssociatedWith) == URIRef(D51 + "partner/uu")
    # without links, the page comes from the configured base (and the record says so) ...
    bare = {k: v for k, v in document.items() if k != "links"}
    monkeypatch.setenv("BIGMAP_KG_INVENIO_BASE", "https://archive.big-map.eu/")
    based = check(store, path, json.dumps(bare).encode())
    assert set(based.records[0].graph.objects(None, DCAT.accessURL)) == {page}
    assert any("BIGMAP_KG_INVENIO_BASE" in n for n in based.records[0].notes)
    # ... and with neither links, base nor DOI, the files have no address: rejected
    monkeypatch.delenv("BIGMAP_KG_INVENIO_BASE")
    lost = check(store, path, json.dumps(bare).encode())
    assert not lost.accepted
    assert any("no links, no DOI" in n for n in lost.records[0].notes)
    assert any(f.message.startswith("A distribution needs a dcat:accessURL")
               for f in lost.violations)


def test_battinfo_names_are_schema_and_rdfs_iris_and_graphite_resolves(vocabulary) -> None:
    path = sample("battinfo_empa_coin-cell_converter-schema-1.1.15.json")
    document = json.loads(path.read_text())
    record = read_bytes(path.read_bytes(), path.name, vocabulary)[0]
    g = record.graph
    cell = next(g.subjects(RDF.type, BMO.Sample))
    assert (cell, RDF.type, CHAMEO.DeviceSample) in g
    assert any(str(t).startswith(BATTERY) for t in g.objects(cell, RDF.type))  # CoinCell kept
    assert {str(c) for c in g.objects(cell, RDFS.comment)} == set(document["rdfs:comment"])
    assert not any(str(t).startswith(("schema:", "rdfs:", "https://www.w3.org/TR/"))
                   for triple in g for t in triple)
    assert g.value(cell, BMO.activeMaterial) == URIRef(D51 + "material/graphite")
    assert "material 'LithiumNickelManganeseCobaltOxide' does not name a D5.1 material; kept " \
        "as recorded" in record.notes  # NMC622: no Tier 1 material has that name


def test_bdf_collection_has_one_agent_per_orcid(vocabulary) -> None:
    path = sample("bdf_sintef_g20m7_dataset-collection_metadata.jsonld")
    document = json.loads(path.read_text())
    g = read_bytes(path.read_bytes(), path.name, vocabulary)[0].graph
    orcids = {c["schema:sameAs"] for p in document["schema:hasPart"] for c in p["schema:creator"]}
    assert {str(o) for o in g.objects(None, SCHEMA.sameAs) if "orcid" in str(o)} == orcids
    assert len(set(g.subjects(RDF.type, SCHEMA.Person))) == len(orcids)
    for part in document["schema:hasPart"]:
        dataset = next(g.subjects(DCTERMS.title, Literal(part["schema:name"])))
        assert (dataset, RDF.type, CHAMEO.RawData) in g
        assert len(set(g.objects(dataset, DCTERMS.creator))) == len(part["schema:creator"])


def test_datacite_xml_dataset_with_panet_subject_and_instrument_pid(store) -> None:
    import xml.etree.ElementTree as ElementTree

    path = OWN / "datacite-xas-collected.xml"
    root = ElementTree.parse(path).getroot()

    def find(name: str) -> ElementTree.Element:
        return next(e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == name)

    report = check(store, path)
    assert report.accepted, report.as_text()
    record = report.records[0]
    doi = find("identifier").text.lower()
    assert record.record_id == doi
    g = record.graph
    dataset = next(g.subjects(BMO.doi, Literal(doi)))
    assert g.value(dataset, DCTERMS.title) == Literal(find("title").text)
    run = g.value(dataset, PROV.wasGeneratedBy)
    assert (run, RDF.type, URIRef(find("subject").get("valueURI"))) in g
    assert g.value(run, BMO.appliedTechnique) == URIRef(TECH + "xas")
    assert g.value(run, PROV.atLocation) == URIRef(D51 + "facility/esrf")
    start, end = find("date").text.split("/")
    assert g.value(run, PROV.startedAtTime).toPython().isoformat()[:19] == start[:19]
    assert g.value(run, PROV.endedAtTime).toPython().isoformat()[:19] == end[:19]
    pid = find("relatedIdentifier").text.lower()
    assert set(g.objects(run, PROV.used)) == {URIRef(f"https://doi.org/{pid}")}  # kept, outside
    assert (run, CHAMEO.hasCharacterisationMeasurementInstrument, None) not in g  # not D5.1
    assert f"instrument {find('relatedIdentifier').text!r} does not name a D5.1 instrument; " \
        "kept as recorded" in record.notes
    orcid = next(e.text for e in root.iter() if e.tag.endswith("nameIdentifier"))
    assert URIRef(orcid) in set(g.objects(None, SCHEMA.sameAs))


ALL_INPUTS = [
    *(f"samples/{n}" for n in (
        "rocrate_datalab_NaCoO2-coin-cell_ro-crate-metadata.json",
        "battinfo_empa_coin-cell_converter-schema-1.1.15.json",
        "bdf_sintef_g20m7_dataset-collection_metadata.jsonld",
        "bdf_hina_nacr32140mp10_cell-3gvjz6_metadata.jsonld")),
    "own/invenio-operando-xrd.json", "own/invenio-archive-api.json",
    "own/datacite-xrd-analysed.json", "own/rocrate-operando-xrd-id31.json",
    "own/datacite-xas-collected.xml",
]


@pytest.mark.parametrize("name", ALL_INPUTS)
def test_reading_again_gives_the_same_graph(vocabulary, name) -> None:
    where, _, file = name.partition("/")
    path = sample(file) if where == "samples" else OWN / file
    first = read_bytes(path.read_bytes(), path.name, vocabulary)
    second = read_bytes(path.read_bytes(), path.name, vocabulary)
    assert [r.iri for r in first] == [r.iri for r in second]
    for one, two in zip(first, second, strict=True):
        assert one.owned() == two.owned() and one.owned()
        assert isomorphic(one.graph, two.graph) and one.notes == two.notes


@pytest.mark.parametrize("name", [*ALL_INPUTS, "own/operando-xrd-lno.ttl"])
def test_a_batch_is_written_as_rdflib_writes_its_n_triples(vocabulary, name) -> None:
    """records.ntriples (IRIs written once each) writes what rdflib's N-Triples serializer
    writes for each finished record, line for line, in a plain rdflib Graph."""
    where, _, file = name.partition("/")
    path = sample(file) if where == "samples" else OWN / file
    for record in read_bytes(path.read_bytes(), path.name, vocabulary):
        finish(record)
        plain = Graph()
        for triple in record.graph:
            plain.add(triple)
        assert sorted(ntriples([record]).splitlines()) == \
            sorted(plain.serialize(format="nt", encoding="utf-8").decode().splitlines())
