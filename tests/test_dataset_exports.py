"""Exports read back by the libraries that own the formats: rdflib and pyld (DCAT), the
`datacite` package (DataCite 4.5 JSON schema, XML), `rocrate` (RO-Crate)."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import httpx
import pyoxigraph as ox
import pyshacl
import pytest
from datacite import schema45
from pyld import jsonld
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS
from rocrate.rocrate import ROCrate

from bigmap_kg.datasets import crate_export, export
from bigmap_kg.datasets.formats.common import SCHEMA
from bigmap_kg.datasets.ingest import ingest
from bigmap_kg.namespaces import BMO, GRAPH_DATASETS, PREFIXES
from bigmap_kg.results import rows_as_dicts, run
from bigmap_kg.store import LiveStore
from bigmap_kg.store.generations import apply_update

from . import rocrate_must
from .server import running_server
from .stores import store_copy, store_with

OWN = Path(__file__).parent / "data" / "datasets"
FILES = [OWN / "operando-xrd-lno.ttl", OWN / "invenio-operando-xrd.json",
         OWN / "datacite-xrd-analysed.json"]
DCAT = Namespace(PREFIXES["dcat"])
DCAT_AP_LITE = Path(__file__).parent / "data" / "shapes" / "dcat-ap-lite.ttl"
TECHNIQUE_SCHEMES = (PREFIXES["panet"], PREFIXES["chameo"])
EXPERIMENT = PREFIXES["exp"] + "t3-09"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "metadata" / "samples"
SPEC_EXAMPLE = Path(__file__).parent / "data" / "rocrate" / "spec-1.1-minimal-example.json"


@pytest.fixture(scope="module")
def loaded(store_path: Path, tmp_path_factory) -> Path:
    """A copy of the session store with the three test records ingested."""
    return store_with(FILES, store_path, tmp_path_factory.mktemp("exports"))


def about(crate: ROCrate) -> str:
    """The root's subject: the experiment IRI (a reference the crate does not describe)."""
    value = crate.root_dataset["about"]
    return value if isinstance(value, str) else value.id


def ids(value) -> set[str]:
    """The @ids of a property value rocrate returns (None, one entity or a list)."""
    listed = value if isinstance(value, list) else [] if value is None else [value]
    return {e.id for e in listed}


def test_ro_crate_actions_keep_every_partner_and_the_data_a_run_used(loaded: Path,
                                                                    tmp_path: Path) -> None:
    """Expectations from the native test record: each run of t3-09 with all its partners;
    processing runs take the dataset they used as object."""
    fixture = Graph().parse(OWN / "operando-xrd-lno.ttl")
    crate = ROCrate(crate_export.ro_crate(LiveStore(loaded), EXPERIMENT, tmp_path / "crate"))
    actions = {a.id: a for a in crate.get_entities() if a.type == "CreateAction"}
    identifier = {e.id: e["identifier"] for e in crate.get_entities()
                  if e.type == "Dataset" and e.id != "./"}
    checked = 0
    for dataset in fixture.subjects(RDF.type, BMO.Dataset):
        if str(dataset) not in identifier.values():
            continue  # not part of the experiment
        for run_iri in fixture.objects(dataset, PROV.wasGeneratedBy):
            action = actions[str(run_iri)]
            assert ids(action["agent"]) == {
                str(a) for a in fixture.objects(run_iri, PROV.wasAssociatedWith)}
            used = {str(u) for u in fixture.objects(run_iri, PROV.used)
                    if (u, RDF.type, BMO.Dataset) in fixture}
            if used:
                assert {identifier[i] for i in ids(action["object"])} == used
            assert str(dataset) in {identifier[i] for i in ids(action["result"])}
            checked += 1
    assert checked >= 4  # raw XRD, XRD-CT, integration, refinement


def datasets_in(link: Path) -> set[str]:
    rows = rows_as_dicts(run(LiveStore(link), "SELECT ?d WHERE { ?d a bmo:Dataset }"))
    return {r["d"] for r in rows}


def test_dcat_catalogue_lists_every_dataset_in_turtle_and_json_ld(loaded: Path) -> None:
    turtle = Graph().parse(data=export.catalog(LiveStore(loaded), "ttl"), format="turtle")
    catalogue = next(turtle.subjects(RDF.type, DCAT.Catalog))
    listed = {str(d) for d in turtle.objects(catalogue, DCAT.dataset)}
    assert listed == datasets_in(loaded) and len(listed) == 11
    raw = URIRef(PREFIXES["dataset"] + "esrf-id31-0001-raw")
    assert (raw, DCAT.theme, URIRef(PREFIXES["panet"] + "PaNET01216")) in turtle
    assert (raw, DCAT.theme, URIRef(PREFIXES["tech"] + "synchrotron-xrd")) in turtle
    assert Literal("10.5281/zenodo.0000001") in set(turtle.objects(None, None))
    # the JSON-LD, expanded and turned into RDF by pyld, is the same graph
    document = json.loads(export.catalog(LiveStore(loaded), "jsonld"))
    nquads = jsonld.to_rdf(jsonld.expand(document), {"format": "application/n-quads"})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), turtle)


def catalogue(link: Path) -> Graph:
    return Graph().parse(data=export.catalog(LiveStore(link), "ttl"), format="turtle")


def test_dcat_catalogue_conforms_to_a_dcat_ap_style_shape(loaded: Path) -> None:
    graph, shapes = catalogue(loaded), Graph().parse(DCAT_AP_LITE)
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True)
    assert conforms, text
    # the shape bites: a distribution without its access URL is reported at that node
    distribution = next(graph.subjects(DCAT.accessURL, None))
    graph.remove((distribution, DCAT.accessURL, None))
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True)
    assert not conforms
    assert distribution in set(report.objects(None, SH.focusNode))


def test_dcat_catalogue_links_partners_dois_and_technique_classes(loaded: Path,
                                                                 data_graph: Graph) -> None:
    """Expectations from the native test record and the D5.1 technique mappings."""
    fixture, graph = Graph().parse(OWN / "operando-xrd-lno.ttl"), catalogue(loaded)
    checked_themes = 0
    for dataset in fixture.subjects(RDF.type, BMO.Dataset):
        partners = {agent for run in fixture.objects(dataset, PROV.wasGeneratedBy)
                    for agent in fixture.objects(run, PROV.wasAssociatedWith)}
        assert set(graph.objects(dataset, PROV.wasAttributedTo)) == partners
        assert set(graph.objects(dataset, DCTERMS.creator)) == partners  # the record names none
        assert all(graph.value(agent, FOAF.name) for agent in partners)
        techniques = {technique for source in fixture.transitive_objects(dataset,
                                                                        PROV.wasDerivedFrom)
                      for run in fixture.objects(source, PROV.wasGeneratedBy)
                      for technique in fixture.objects(run, BMO.appliedTechnique)}
        matches = {match for technique in techniques
                   for match in data_graph.objects(technique, SKOS.exactMatch | SKOS.broadMatch)
                   if str(match).startswith(TECHNIQUE_SCHEMES)}
        assert matches <= set(graph.objects(dataset, DCAT.theme)), dataset
        checked_themes += len(matches)
    assert checked_themes
    dois = list(fixture.subject_objects(BMO.doi))
    assert dois
    for dataset, doi in dois:
        resolver = URIRef(f"https://doi.org/{doi}")
        assert (dataset, OWL.sameAs, resolver) in graph
        assert (dataset, DCAT.landingPage, resolver) in graph
        assert (dataset, DCTERMS.identifier, Literal(str(doi))) in graph


def test_datacite_record_validates_and_round_trips_through_xml(loaded: Path,
                                                               store_path: Path,
                                                               tmp_path: Path) -> None:
    source = json.loads((OWN / "datacite-xrd-analysed.json").read_text())["data"]["attributes"]
    iri = next(d for d in datasets_in(loaded) if "0000202" in d)
    record = export.datacite(LiveStore(loaded), iri)
    assert [e.message for e in schema45.validator.iter_errors(record)] == []
    assert record["doi"] == source["doi"]
    assert {s["valueUri"] for s in record["subjects"] if s.get("subjectScheme") == "PaNET"} == {
        s["valueUri"] for s in source["subjects"] if s.get("subjectScheme") == "PaNET"}
    collected = [r["relatedIdentifier"] for r in record["relatedIdentifiers"]
                 if r["relationType"] == "IsCollectedBy"]
    assert collected == [PREFIXES["inst"] + "esrf-id31"]
    # the XML the datacite package writes is read back by our DataCite reader
    xml = schema45.tostring(record).encode()
    again = ingest([(xml, "record.xml")], LiveStore(store_copy(loaded, tmp_path)), None)
    mapped = again.records[0].graph
    assert Literal(source["doi"]) in set(mapped.objects(None, BMO.doi))
    assert URIRef(PREFIXES["tech"] + "xrd") in set(mapped.objects(None, BMO.appliedTechnique))


def test_datacite_names_the_run_partners_when_the_record_names_no_creator(
        loaded: Path, tmp_path: Path, data_graph: Graph) -> None:
    """The native record's DOI dataset, once it also says when it was issued."""
    fixture = Graph().parse(OWN / "operando-xrd-lno.ttl")
    dataset, doi = next(iter(fixture.subject_objects(BMO.doi)))
    store_copy(loaded, tmp_path)
    issued = ox.Triple(ox.NamedNode(str(dataset)), ox.NamedNode(str(DCTERMS.issued)),
                       ox.Literal("2022-03-01", datatype=ox.NamedNode(PREFIXES["xsd"] + "date")))
    apply_update(f"INSERT DATA {{ GRAPH <{GRAPH_DATASETS}> {{ {issued} }} }}", tmp_path / "store")
    record = export.datacite(LiveStore(tmp_path / "store"), str(dataset))
    assert [e.message for e in schema45.validator.iter_errors(record)] == []
    partners = {agent for run_iri in fixture.objects(dataset, PROV.wasGeneratedBy)
                for agent in fixture.objects(run_iri, PROV.wasAssociatedWith)}
    assert partners and {(c["name"], c["nameType"]) for c in record["creators"]} == {
        (str(data_graph.value(p, RDFS.label)), "Organizational") for p in partners}
    assert (record["doi"], record["publicationYear"]) == (str(doi), "2022")
    assert record["publisher"] == {"name": "Zenodo"}  # DOI prefix 10.5281/zenodo.


def test_datacite_says_which_required_fields_the_graph_lacks(loaded: Path) -> None:
    """No DOI is no reason to refuse (DataCite 4.5 JSON has no required doi); no publication
    year is (its schema's `required`)."""
    assert "publicationYear" in schema45.validator.schema["required"]
    assert "doi" not in schema45.validator.schema["required"]
    with pytest.raises(export.ExportError, match=r"the graph has no publicationYear$"):
        export.datacite(LiveStore(loaded), PREFIXES["dataset"] + "esrf-id31-0001-raw")


def test_ro_crate_of_an_experiment_reads_back_with_rocrate(loaded: Path, tmp_path: Path) -> None:
    folder = crate_export.ro_crate(LiveStore(loaded), EXPERIMENT, tmp_path / "crate", "t3-09")
    crate = ROCrate(folder)
    expected = {r["dataset"] for r in rows_as_dicts(run(LiveStore(loaded), """
        SELECT DISTINCT ?dataset WHERE { ?dataset a bmo:Dataset ;
            prov:wasDerivedFrom*/prov:wasGeneratedBy/bmo:partOfExperiment exp:t3-09 }"""))}
    datasets = [e for e in crate.get_entities() if e.type == "Dataset" and e.id != "./"]
    assert {e["identifier"] for e in datasets} == expected
    actions = [e for e in crate.get_entities() if e.type == "CreateAction"]
    instruments = {i for a in actions for i in ids(a.get("instrument"))}
    assert instruments == {PREFIXES["inst"] + "esrf-id31", PREFIXES["inst"] + "esrf-id15a"}
    assert all(a["result"] for a in actions)
    assert about(crate) == EXPERIMENT


def test_exports_over_http(loaded: Path, tmp_path: Path) -> None:
    with running_server(loaded) as base:
        turtle = httpx.get(f"{base}/api/datasets/catalog", headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200 and turtle.headers["content-type"].startswith(
            "text/turtle")
        as_jsonld = httpx.get(f"{base}/api/datasets/catalog?format=jsonld")
        assert as_jsonld.headers["content-type"].startswith("application/ld+json")
        assert httpx.get(f"{base}/api/datasets/catalog",
                         headers={"Accept": "image/png"}).status_code == 406
        identifier = next(d for d in datasets_in(loaded) if "0000202" in d).rsplit("/", 1)[1]
        record = httpx.get(f"{base}/api/datasets/{identifier}/datacite")
        assert record.status_code == 200 and schema45.validate(record.json())
        lacking = httpx.get(f"{base}/api/datasets/esrf-id31-0001-raw/datacite")
        assert lacking.status_code == 422 and "publicationYear" in lacking.text
        assert httpx.get(f"{base}/api/datasets/nothing-here/datacite").status_code == 404
        zipped = httpx.get(f"{base}/api/experiments/t3-09/ro-crate", timeout=60)
        assert zipped.status_code == 200
        zipfile.ZipFile(io.BytesIO(zipped.content)).extractall(tmp_path / "crate")
        assert about(ROCrate(tmp_path / "crate")) == EXPERIMENT
        assert rocrate_must.check_folder(tmp_path / "crate") == []
        assert httpx.get(f"{base}/api/experiments/t1-01/ro-crate").status_code == 404
    assert os.path.exists(loaded)


def crate_json(folder: Path) -> dict:
    return json.loads((folder / "ro-crate-metadata.json").read_text(encoding="utf-8"))


def test_the_must_checker_passes_the_specification_example_and_bites() -> None:
    """The RO-Crate 1.1 specification's own minimal example passes; each broken rule is named."""
    example = json.loads((SPEC_EXAMPLE).read_text())
    assert rocrate_must.violations(example) == []
    root = next(e for e in example["@graph"] if e["@id"] == "./")
    broken = json.loads(json.dumps(example))
    next(e for e in broken["@graph"] if e["@id"] == "./").pop("license")
    assert any("root has no license" in v for v in rocrate_must.violations(broken))
    broken = json.loads(json.dumps(example))
    broken["@graph"].append({"@id": "data.csv", "@type": "File"})  # not in hasPart
    assert any("not reached by hasPart" in v for v in rocrate_must.violations(broken))
    broken = json.loads(json.dumps(example))
    next(e for e in broken["@graph"] if e["@id"] == "./")["author"] = {
        "@id": "#alice", "name": "Alice"}  # nested, not flattened
    assert any("nests an entity" in v for v in rocrate_must.violations(broken))
    broken = json.loads(json.dumps(example))
    next(e for e in broken["@graph"] if e["@id"] == "./")["@id"] = "root"
    next(e for e in broken["@graph"] if e["@id"] == "ro-crate-metadata.json")["about"] = {
        "@id": "root"}
    assert any("does not end with /" in v for v in rocrate_must.violations(broken))
    assert root["license"]


def test_ro_crate_export_passes_the_ro_crate_1_1_must_rules(loaded: Path, tmp_path: Path) -> None:
    folder = crate_export.ro_crate(LiveStore(loaded), EXPERIMENT, tmp_path / "crate", "t3-09")
    assert rocrate_must.check_folder(folder) == []
    descriptor = next(e for e in crate_json(folder)["@graph"]
                      if e["@id"] == "ro-crate-metadata.json")
    assert descriptor["conformsTo"] == {"@id": "https://w3id.org/ro/crate/1.1"}


def test_ro_crate_datasets_keep_their_iris_and_every_reference_resolves(
        loaded: Path, tmp_path: Path) -> None:
    """A dataset is no directory: its @id is its IRI, without an appended "/", so that the
    isBasedOn / object / result references of the crate name described entities."""
    document = crate_json(crate_export.ro_crate(LiveStore(loaded), EXPERIMENT, tmp_path / "crate"))
    described = {e["@id"] for e in document["@graph"]}
    datasets = [e for e in document["@graph"] if e["@type"] == "Dataset" and e["@id"] != "./"]
    fixture = Graph().parse(OWN / "operando-xrd-lno.ttl")
    for dataset in fixture.subjects(RDF.type, BMO.Dataset):
        if str(dataset) in {e["identifier"] for e in datasets}:
            assert str(dataset) in described  # as written in the record, no "/" added
    assert all(e["@id"] == e["identifier"] for e in datasets)
    for entity in document["@graph"]:
        for key in ("isBasedOn", "object", "result", "hasPart"):
            value = entity.get(key, [])
            for reference in value if isinstance(value, list) else [value]:
                assert reference["@id"] in described, (entity["@id"], key, reference)


def test_ro_crate_root_licence_is_the_datasets_licence_or_says_they_differ(
        loaded: Path, tmp_path: Path) -> None:
    assert crate_export.crate_licence({"a": "https://spdx.org/licenses/CC-BY-4.0",
                                 "b": "https://spdx.org/licenses/CC-BY-4.0"}) == {
        "@id": "https://spdx.org/licenses/CC-BY-4.0"}
    assert crate_export.crate_licence({"a": None, "b": None}).startswith("No licence stated")
    document = crate_json(crate_export.ro_crate(LiveStore(loaded), EXPERIMENT, tmp_path / "crate"))
    root = next(e for e in document["@graph"] if e["@id"] == "./")
    # the test records' datasets of t3-09 carry different licences (and some none): the root
    # says so and names each, rather than picking one
    fixture = Graph().parse(OWN / "operando-xrd-lno.ttl")
    stated = {str(v) for v in fixture.objects(None, DCTERMS.license)}
    assert stated and root["license"].startswith("No single licence")
    assert all(licence in root["license"] for licence in stated)
    assert "none stated" in root["license"]


#: every record of tests/data/datasets that is ingested on its own terms (the others are
#: rejected on purpose: a hostile record, a second source of the same DOI), and the shared
#: sample that is a dataset record as it is
EVERY_RECORD = [OWN / n for n in (
    "operando-xrd-lno.ttl", "invenio-operando-xrd.json", "datacite-xrd-analysed.json",
    "datacite-partner-collected.xml", "datacite-xas-collected.xml", "deposit-xrd-dtu.ttl",
    "invenio-archive-api.json", "invenio-keywords-affiliation.json",
    "rocrate-operando-xrd-id31.json", "zenodo-legacy-record.json",
    "zenodo-partner-deposit.json", "rocrate-partner-deposit.json")]
BDF = SAMPLES / "bdf_sintef_g20m7_dataset-collection_metadata.jsonld"


@pytest.fixture(scope="module")
def everything(store_path: Path, tmp_path_factory) -> Path:
    """A copy of the session store with every record (and the BDF sample, when present)."""
    files = EVERY_RECORD + ([BDF] if BDF.exists() else [])
    link = store_with(files, store_path, tmp_path_factory.mktemp("everything"))
    return link


def test_dcat_export_of_every_ingested_record_passes_the_dcat_ap_shape(everything: Path) -> None:
    graph = catalogue(everything)
    conforms, _, text = pyshacl.validate(graph, shacl_graph=Graph().parse(DCAT_AP_LITE),
                                         allow_warnings=True)
    assert conforms, text
    assert len(set(graph.subjects(RDF.type, DCAT.Dataset))) == len(datasets_in(everything))


def test_dcat_keeps_publisher_keywords_creator_order_and_grants_of_a_partner_crate(
        everything: Path) -> None:
    """Expected values from the crate file itself."""
    crate = {e["@id"]: e for e in json.loads(
        (OWN / "rocrate-partner-deposit.json").read_text())["@graph"]}
    graph = catalogue(everything)
    raw = next(graph.subjects(DCTERMS.title, Literal(crate["xrd-0412/"]["name"])))
    publisher = graph.value(raw, DCTERMS.publisher)
    assert str(graph.value(publisher, FOAF.name)) == \
        crate[crate["./"]["publisher"]["@id"]]["name"]
    assert {str(k) for k in graph.objects(raw, DCAT.keyword)} == {
        k.strip() for k in crate["xrd-0412/"]["keywords"].split(",")}
    positions = {int(graph.value(a, SCHEMA.position)): graph.value(a, PROV.agent)
                 for a in graph.objects(raw, PROV.qualifiedAttribution)}
    assert [str(graph.value(positions[i], FOAF.name)) for i in sorted(positions)] == [
        crate[a["@id"]]["name"] for a in crate["xrd-0412/"]["author"]]
    affiliations = {str(graph.value(org, FOAF.name)) for agent in positions.values()
                    for org in graph.objects(agent, PROV.actedOnBehalfOf)}
    assert affiliations == {crate[crate[a["@id"]]["affiliation"]["@id"]]["name"]
                            for a in crate["xrd-0412/"]["author"]}
    grant = graph.value(raw, SCHEMA.funding)
    source_grant = crate[crate["xrd-0412/"]["funding"]["@id"]]
    assert str(graph.value(grant, SCHEMA.identifier)) == source_grant["identifier"]
    assert str(graph.value(graph.value(grant, SCHEMA.funder), FOAF.name)) == \
        crate[source_grant["funder"]["@id"]]["name"]


def test_dcat_gives_download_only_files_an_access_url_and_run_agents_as_creators(
        everything: Path) -> None:
    """DCAT-AP's mandatory accessURL and creator, from what the records give: the BDF files'
    contentUrl; the refinement's agent in the beamline crate, which names no author."""
    graph = catalogue(everything)
    crate = {e["@id"]: e for e in json.loads(
        (OWN / "rocrate-operando-xrd-id31.json").read_text())["@graph"]}
    refined = next(graph.subjects(DCTERMS.title, Literal(crate["refined-0301/"]["name"])))
    agent = crate["#refine-0301"]["agent"]["@id"]
    assert {str(o) for c in graph.objects(refined, DCTERMS.creator)
            for o in graph.objects(c, SCHEMA.sameAs)} == {agent}
    if not BDF.exists():
        pytest.skip("../shared/anchors/metadata/samples is not present")
    downloads = {d["@id"] for part in json.loads(BDF.read_text())["schema:hasPart"]
                 for d in part["schema:distribution"]}
    access = {str(graph.value(d, DCAT.accessURL)) for d in graph.subjects(DCAT.downloadURL, None)
              if str(graph.value(d, DCAT.downloadURL)) in downloads}
    assert access == downloads


def test_dcat_ap_shape_asks_a_panet_theme_only_of_d51_techniques(everything: Path) -> None:
    graph, shapes = catalogue(everything), Graph().parse(DCAT_AP_LITE)
    with_technique = next(d for d in graph.subjects(RDF.type, DCAT.Dataset) if any(
        str(t).startswith(PREFIXES["tech"]) for t in graph.objects(d, DCAT.theme)))
    for theme in list(graph.objects(with_technique, DCAT.theme)):
        if str(theme).startswith(TECHNIQUE_SCHEMES):
            graph.remove((with_technique, DCAT.theme, theme))
    conforms, report, _ = pyshacl.validate(graph, shacl_graph=shapes, allow_warnings=True)
    assert not conforms and with_technique in set(report.objects(None, SH.focusNode))
