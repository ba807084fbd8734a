"""Ingest only adds datasets (issue 17, "what to build" 1): records never define techniques,
partners, classes or axioms; IRIs of the project's namespaces that do not exist are refused
with the closest one; record ids come from content, not file names; a DOI belongs to one
record; `bigmap-kg withdraw` and `DELETE /api/datasets/<id>` remove exactly what a record
added. Each test says which failure of the issue it covers; all of them fail on the old main.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from bigmap_kg.datasets.ingest import WithdrawError, withdraw
from bigmap_kg.datasets.records import mint
from bigmap_kg.datasets.resolve import Vocabulary
from bigmap_kg.namespaces import BASE, BMO, GRAPH_DATASETS, curie
from bigmap_kg.store import LiveStore
from bigmap_kg.store.generations import apply_update

from .conftest import SHARED, select
from .server import running_server
from .test_datasets import BATCH, cli_on, dataset_quads, ingest, writable  # noqa: F401

OWN = Path(__file__).parent / "data" / "datasets"
SAMPLES = SHARED / "anchors" / "metadata" / "samples"
HOSTILE = OWN / "hostile-fake-technique.ttl"
DEPOSIT = OWN / "deposit-xrd-dtu.ttl"
INVENIO = OWN / "invenio-operando-xrd.json"        # pids.doi 10.5281/zenodo.0000101
DATACITE_SAME_DOI = OWN / "datacite-zenodo-0000101.json"  # DataCite of the same deposit
TOKEN = "s3cret"
#: the record of INVENIO: the repository's host (its links) and its id
INVENIO_RECORD = mint("record", "InvenioRDMRecord".lower(), "archive.big-map.eu:t3x09-r0101")


def line_with(path: Path, *needles: str) -> int:
    """The number of the first line of the file that holds every needle (from the source)."""
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if all(n in line for n in needles):
            return number
    raise AssertionError(f"{needles} not in {path}")


def datasets_graph(link: Path) -> Graph:
    graph = Graph()
    store = ox.Store.read_only(os.path.realpath(link))
    for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DATASETS)):
        graph.parse(data=f"{quad.subject} {quad.predicate} {quad.object} .", format="nt")
    return graph


def count(link: Path, cls: str) -> int:
    store = LiveStore(link)
    query = f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH ?g {{ ?x a <{cls}> }} }}"
    return int(next(iter(store.query(query)))["n"].value)


def write_to(link: Path):
    return lambda update: apply_update(update, link)


def test_a_record_cannot_add_a_technique_or_a_partner(writable: Path) -> None:  # noqa: F811
    """Issue: "Four lines added a fake technique and a fake partner to /api/techniques (62→63)
    and /api/partners (15→16); afterwards every record naming 'ESRF' lost its partner".
    On the old main the file below was written; now it is refused, triple by triple."""
    technique, partner = str(BMO.Technique), str(BMO.Partner)
    counts = count(writable, technique), count(writable, partner)
    before = dataset_quads(writable)
    report = ingest(writable, HOSTILE)
    assert not report.accepted and not report.written
    errors = "\n".join(report.errors)
    xrd, esrf = line_with(HOSTILE, "fake/xrd"), line_with(HOSTILE, "fake/esrf")
    assert f"{HOSTILE}:{xrd}: <https://example.org/fake/xrd> rdf:type bmo:Technique" in errors
    assert f"{HOSTILE}:{esrf}: <https://example.org/fake/esrf> rdf:type bmo:Partner" in errors
    assert (count(writable, technique), count(writable, partner)) == counts
    assert dataset_quads(writable) == before
    vocabulary = Vocabulary.from_store(LiveStore(writable))
    assert vocabulary.resolve("partner", "ESRF").node == URIRef(BASE + "partner/esrf")


def test_minted_nodes_cannot_be_typed_as_curated_things(writable: Path, tmp_path) -> None:  # noqa: F811
    """A record's own node typed bmo:Technique, or an OWL axiom on it, is refused (old main:
    accepted, since only subjects under the D5.1 paths were checked)."""
    hostile = tmp_path / "typed.ttl"
    hostile.write_text(DEPOSIT.read_text().replace(
        "a bmo:MeasurementRun ;", "a bmo:MeasurementRun, bmo:Technique ;").replace(
        "a dcat:Distribution ;", "a dcat:Distribution ;\n    rdfs:subClassOf dcat:Dataset ;"))
    report = ingest(writable, hostile, write=False)
    errors = "\n".join(report.errors)
    assert f"{hostile}:{line_with(hostile, 'bmo:Technique')}: run:dtu-deposit-0001 rdf:type " \
           "bmo:Technique" in errors
    assert f"{hostile}:{line_with(hostile, 'rdfs:subClassOf')}: dist:dtu-deposit-0001-raw " \
           "rdfs:subClassOf dcat:Dataset: rdfs:subClassOf states an axiom" in errors


@pytest.mark.parametrize("name", ["bigmap_project-kg_domain-datamanagement.ttl",
                                  "panet_example-1.ttl"])
def test_ontologies_and_foreign_examples_are_refused(writable: Path, name: str) -> None:  # noqa: F811
    """Issue: "The BIG-MAP Project-KG ontology file and PaNET's example-1.ttl were accepted
    (OWL axioms and 60 unmapped triples written into the datasets graph)". Every subject of
    those files is named in the report, with its line."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip("../shared/anchors/metadata/samples is not present")
    before = dataset_quads(writable)
    report = ingest(writable, path)
    assert not report.written and dataset_quads(writable) == before
    subjects = {str(s) for s in Graph().parse(path).subjects() if isinstance(s, URIRef)}
    named = {e.split(": ", 2)[1].split(" ", 1)[0].strip("<>") for e in report.errors}
    assert subjects <= named | {s for s in subjects if any(s in e for e in report.errors)}
    assert all(e.startswith(f"{path}:") and e.split(":", 2)[1].isdigit() for e in report.errors)
    if "project-kg" in name:
        assert any("owl:Class" in e for e in report.errors)
        assert any("rdfs:subClassOf states an axiom" in e for e in report.errors)


def test_a_partner_typo_is_refused_with_the_closest_partner(writable: Path,  # noqa: F811
                                                              tmp_path: Path) -> None:
    """Issue: "A partner IRI typo (partner/esfr) is accepted silently"."""
    typo = tmp_path / "deposit.ttl"
    typo.write_text(DEPOSIT.read_text().replace("partner:dtu", "partner:esfr").replace(
        "bmo:appliedTechnique", "bmo:appliedTechniqe"))
    report = ingest(writable, typo, write=False)
    errors = "\n".join(report.errors)
    line = line_with(typo, "prov:wasAssociatedWith", "partner:esfr")
    assert f"{typo}:{line}: run:dtu-deposit-0001 prov:wasAssociatedWith partner:esfr" in errors
    assert "partner:esfr is not in the curated graph (no such partner IRI); did you mean " \
           "partner:esrf?" in errors
    assert "did you mean bmo:appliedTechnique?" in errors  # ontology terms too


def test_every_project_iri_the_curated_graphs_describe_is_typed(store) -> None:
    """The ingest knows the curated IRIs by their rdf:type (sparql/ingest-known-iris.rq); that
    is every IRI of the project's namespaces that is the subject of a curated triple."""
    described = {r["s"] for r in select(store, """SELECT DISTINCT ?s WHERE {
        GRAPH ?g { ?s ?p ?o } FILTER (?g != <https://w3id.org/bigmap-kg/graph/datasets>
        && STRSTARTS(STR(?s), "https://w3id.org/bigmap-kg/")) }""")}
    typed = {r["s"] for r in select(store, """SELECT DISTINCT ?s WHERE {
        GRAPH ?g { ?s a ?type } FILTER (?g != <https://w3id.org/bigmap-kg/graph/datasets>
        && STRSTARTS(STR(?s), "https://w3id.org/bigmap-kg/")) }""")}
    assert len(described) > 1500 and described - typed == set()


def test_an_unknown_d51_iri_in_json_is_refused_with_its_line(writable: Path,  # noqa: F811
                                                             tmp_path: Path) -> None:
    """The same for a JSON record (an InvenioRDM custom field naming Tier 1 experiment
    `t3-9` instead of `t3-09`): the error gives the JSON line."""
    document = json.loads(INVENIO.read_text())
    document["custom_fields"]["bigmap:experiment"] = BASE + "experiment/t3-9"
    path = tmp_path / "record.json"
    path.write_text(json.dumps(document, indent=2))
    report = ingest(writable, path, write=False)
    line = line_with(path, "experiment/t3-9")
    assert any(e.startswith(f"{path}:{line}: ") and "exp:t3-9 is not in the curated graph" in e
               and "did you mean exp:t3-09?" in e for e in report.errors), report.errors


def test_two_files_of_the_same_name_are_two_records(writable: Path, tmp_path: Path) -> None:  # noqa: F811
    """Issue: "Two files with the same name get the same record id: ingesting the second
    deletes the first." The id now comes from the content (the datasets described)."""
    first, second = tmp_path / "a" / DEPOSIT.name, tmp_path / "b" / DEPOSIT.name
    for path, text in ((first, DEPOSIT.read_text()),
                       (second, DEPOSIT.read_text().replace("deposit-0001", "deposit-0002"))):
        path.parent.mkdir()
        path.write_text(text)
        assert ingest(writable, path).written
    titles = {q for q in dataset_quads(writable) if "dtu-deposit-000" in q and "title" in q}
    assert len(titles) == 2
    # the same content under another name is the same record: it replaces itself
    renamed = tmp_path / "renamed.ttl"
    renamed.write_text(first.read_text())
    before = {q for q in dataset_quads(writable) if "generatedAtTime" not in q
              and "terms/source" not in q}
    assert ingest(writable, renamed).written
    assert {q for q in dataset_quads(writable) if "generatedAtTime" not in q
            and "terms/source" not in q} == before


def test_records_of_two_repositories_with_one_id_are_two_records(writable: Path,  # noqa: F811
                                                                  tmp_path: Path) -> None:
    """A Zenodo record and a BIG-MAP Archive record may have the same `id`; on the old main
    they were one record IRI, so ingesting the second replaced the first."""
    archive = json.loads(INVENIO.read_text())
    zenodo = json.loads(INVENIO.read_text())
    zenodo["links"] = {"self_html": f"https://zenodo.org/records/{zenodo['id']}"}
    zenodo["pids"]["doi"]["identifier"] = "10.5281/zenodo.1000101"
    for name, document in (("archive.json", archive), ("zenodo.json", zenodo)):
        path = tmp_path / name
        path.write_text(json.dumps(document))
        assert ingest(writable, path).written
    records = {q.split(" ")[0] for q in dataset_quads(writable) if "recordId" in q}
    assert len(records) == 2


def test_the_same_doi_from_two_sources_is_refused_naming_its_record(writable: Path) -> None:  # noqa: F811
    """Issue: "Two records with the same DOI are merged; re-ingesting one orphans the other's
    run and distributions." Rule (data/DATASETS.md): a DOI belongs to the one record that
    brought it; a second record with it is refused until the first is withdrawn."""
    assert ingest(writable, INVENIO).written
    before = dataset_quads(writable)
    report = ingest(writable, DATACITE_SAME_DOI)
    assert not report.written and dataset_quads(writable) == before
    doi = json.loads(INVENIO.read_text())["pids"]["doi"]["identifier"]
    assert any(f"DOI {doi} is already described by record {curie(INVENIO_RECORD)}"
               in e and "withdraw" in e for e in report.errors), report.errors
    both = ingest(writable, INVENIO, DATACITE_SAME_DOI, write=False)
    assert any("in the same batch" in e for e in both.errors)
    assert ingest(writable, INVENIO).written  # the same record again replaces itself
    withdraw(LiveStore(writable), [doi], write_to(writable))
    assert ingest(writable, DATACITE_SAME_DOI).written  # the other source, once withdrawn


def test_withdraw_removes_exactly_what_the_record_added(writable: Path) -> None:  # noqa: F811
    """Issue: "There is no withdraw / delete, and a rebuild keeps it all." Ingest, withdraw:
    the datasets graph is isomorphic to what it was before, one record at a time."""
    empty = datasets_graph(writable)
    assert ingest(writable, BATCH).written
    with_batch = datasets_graph(writable)
    assert ingest(writable, INVENIO).written
    store = LiveStore(writable)
    done = withdraw(store, ["t3x09-r0101"], write_to(writable))
    assert done["records"] == [str(INVENIO_RECORD)]
    assert len(done["datasets"]) == 1
    assert isomorphic(datasets_graph(writable), with_batch)
    doi = next(line.split('"')[1] for line in BATCH.read_text().splitlines()
               if "bmo:doi" in line)
    result = cli_on(writable, "withdraw", doi)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("  dataset ") == 9  # the batch file's nine datasets
    assert isomorphic(datasets_graph(writable), empty)


def test_a_withdraw_that_names_nothing_changes_nothing(writable: Path) -> None:  # noqa: F811
    assert ingest(writable, BATCH).written
    target, before = os.path.realpath(writable), dataset_quads(writable)
    with pytest.raises(WithdrawError, match="no ingested record is named"):
        withdraw(LiveStore(writable), ["10.5281/zenodo.9999999"], write_to(writable))
    result = cli_on(writable, "withdraw", "no-such-record")
    assert result.returncode == 2 and "no ingested record is named 'no-such-record'" in \
        result.stderr
    dry = cli_on(writable, "withdraw", "--dry-run", "10.5281/zenodo.0000001")
    assert dry.returncode == 0 and "would withdraw" in dry.stdout
    assert os.path.realpath(writable) == target and dataset_quads(writable) == before


def test_delete_over_http_needs_the_token_and_withdraws_the_record(writable: Path) -> None:  # noqa: F811
    before = dataset_quads(writable)
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    with running_server(writable, BIGMAP_KG_WRITE_TOKEN=TOKEN) as base:
        posted = httpx.post(f"{base}/api/datasets", content=INVENIO.read_bytes(),
                            headers=headers, timeout=60)
        assert posted.status_code == 201, posted.text
        member = httpx.get(f"{base}/api/datasets", timeout=30).json()["member"]
        identifier = member[0]["@id"].rsplit("/", 1)[1]
        url = f"{base}/api/datasets/{identifier}"
        assert httpx.delete(url).status_code == 401
        assert httpx.delete(url, headers={"Authorization": "Bearer nope"}).status_code == 401
        assert httpx.delete(f"{base}/api/datasets/nothing-here",
                            headers=headers).status_code == 404
        dry = httpx.delete(url, params={"dry_run": "true"}, headers=headers, timeout=60)
        assert dry.status_code == 200 and dry.json()["withdrawn"] is False
        done = httpx.delete(url, headers=headers, timeout=60)
        assert done.status_code == 200, done.text
        assert done.json()["records"] == [str(INVENIO_RECORD)]
        assert httpx.get(f"{base}/api/datasets", timeout=30).json()["member"] == []
    assert dataset_quads(writable) == before
