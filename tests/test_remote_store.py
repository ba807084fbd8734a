"""The remote store: the project against a real Oxigraph server (SPARQL 1.1 Query, Update and
Graph Store protocols) gives the same answers as the embedded store, writes atomically, and
the service runs on it."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from bigmap_kg import paths
from bigmap_kg.datasets.ingest import ingest_files
from bigmap_kg.namespaces import GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY
from bigmap_kg.queryfile import QueryFile
from bigmap_kg.results import rows_as_dicts, run
from bigmap_kg.store import GraphStore, LiveStore, RemoteStore, connect, push
from bigmap_kg.web.gateway import Gateway, Job

from .server import free_port, running_server, wait_until_answering

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
BATCH = Path(__file__).parent / "data" / "datasets" / "operando-xrd-lno.ttl"
LABELS = ("SELECT ?t ?label WHERE { ?t a <https://w3id.org/bigmap-kg/ontology#Technique> ; "
          "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")
LABEL_GRAPH = LABELS.replace("SELECT ?t ?label", "CONSTRUCT { ?t "
                             "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")


@pytest.fixture(scope="module")
def oxigraph(store_path: Path, tmp_path_factory) -> Iterator[str]:
    """`oxigraph serve` on a free port, loaded with the session store by `bigmap-kg push`."""
    if not OXIGRAPH.exists() and shutil.which("oxigraph") is None:
        pytest.skip("the oxigraph server (PyPI 'oxigraph') is not installed")
    port = free_port()
    process = subprocess.Popen([str(OXIGRAPH if OXIGRAPH.exists() else "oxigraph"), "serve",
                                "--location", str(tmp_path_factory.mktemp("oxigraph")),
                                "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(process, base + "/query", 30, query="ASK {}")
        pushed = subprocess.run([sys.executable, "-m", "bigmap_kg.cli", "push", base + "/query"],
                                env={"BIGMAP_KG_STORE": str(store_path), "PATH": ""},
                                capture_output=True, text=True, timeout=300)
        assert pushed.returncode == 0, pushed.stderr
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def remote(base: str) -> RemoteStore:
    return RemoteStore(f"{base}/query", f"{base}/update", f"{base}/store")


def canonical(value: str | None) -> str | None:
    """GROUP_CONCAT's order is left open by SPARQL: compare concatenations as sorted parts."""
    for separator in (" | ", "; ", ", "):
        if value and separator in value:
            return separator.join(sorted(value.split(separator)))
    return value


def rows(result) -> list[tuple]:
    return sorted(tuple(sorted((k, canonical(v) or "") for k, v in r.items()))
                   for r in rows_as_dicts(result))


@pytest.mark.parametrize("name", sorted(p.stem for p in paths.QUERIES_DIR.glob("*.rq")))
def test_named_queries_answer_the_same_remotely(store, oxigraph: str, name: str) -> None:
    text = QueryFile.read(paths.QUERIES_DIR / f"{name}.rq").text
    assert rows(run(remote(oxigraph), text)) == rows(run(store, text))


def test_a_failing_update_changes_nothing_remotely(oxigraph: str) -> None:
    store = remote(oxigraph)
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = rows(store.query(count))
    with pytest.raises(ValueError, match="refused the update"):
        store.update("INSERT DATA { GRAPH <urn:test:g> { <urn:a> <urn:b> <urn:c> } } ; "
                     "CLEAR GRAPH <urn:test:no-such-graph>")
    assert rows(store.query(count)) == before
    assert not bool(store.query("ASK { GRAPH <urn:test:g> { ?s ?p ?o } }"))


def test_ingest_into_the_remote_store_answers_the_question(oxigraph: str) -> None:
    store = remote(oxigraph)
    report = ingest_files([BATCH], store, store.update)
    assert report.written, report.as_text()
    query = QueryFile.read(paths.QUERIES_DIR / "datasets-by-technique-material-facility.rq")
    answer = {r["dataset"].rsplit("/", 1)[1] for r in rows_as_dicts(run(store, query.text))}
    assert answer == {"esrf-id31-0001-raw", "esrf-id15a-0002-raw", "esrf-id31-0001-analysed"}


@pytest.mark.parametrize("workers", [None, 2], ids=["one-uvicorn-worker", "two-uvicorn-workers"])
def test_the_service_runs_on_the_remote_store(store, oxigraph: str, tmp_path: Path,
                                              workers: int | None) -> None:
    """The service (plain uvicorn, and `bigmap-kg serve --workers 2`), its query processes
    and its pages answer from the remote store."""
    with running_server(tmp_path / "no-local-store", workers=workers,
                        BIGMAP_KG_STORE_URL=f"{oxigraph}/query") as base:
        answer = httpx.get(f"{base}/sparql", params={
            "query": "ASK { <https://w3id.org/bigmap-kg/technique/xrd> ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        selected = httpx.get(f"{base}/sparql", params={"query": LABELS},
                             headers={"Accept": "application/sparql-results+json"})
        assert selected.status_code == 200
        assert {(b["t"]["value"], b["label"]["value"])
                for b in selected.json()["results"]["bindings"]} == \
            {(r["t"], r["label"]) for r in
             rows_as_dicts(store.query(LABELS, use_default_graph_as_union=True))}
        graph = httpx.post(f"{base}/sparql", data={"query": LABEL_GRAPH},
                           headers={"Accept": "application/n-triples"})
        assert graph.status_code == 200
        assert {ox.Triple(q.subject, q.predicate, q.object)
                for q in ox.parse(graph.content, format=ox.RdfFormat.N_TRIPLES)} == \
            set(store.query(LABEL_GRAPH, use_default_graph_as_union=True))
        technique = httpx.get(f"{base}/api/techniques/xrd")
        assert technique.status_code == 200 and "X-ray diffraction" in technique.text
        page = httpx.get(f"{base}/technique/xrd.html")
        assert page.status_code == 200 and "X-ray diffraction" in page.text


def cli(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run([sys.executable, "-m", "bigmap_kg.cli", *arguments],
                          env={**os.environ, **env}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_cli_queries_and_exports_the_remote_store(store_path: Path, oxigraph: str,
                                                      tmp_path: Path) -> None:
    embedded = {"BIGMAP_KG_STORE": str(store_path)}
    remote_ = {"BIGMAP_KG_STORE": str(tmp_path / "no-local-store"),
               "BIGMAP_KG_STORE_URL": f"{oxigraph}/query"}
    query = str(paths.QUERIES_DIR / "partners-for-technique.rq")
    assert sorted(cli(remote_, "query", query, "--format", "csv").splitlines()) == \
        sorted(cli(embedded, "query", query, "--format", "csv").splitlines())
    graphs = [set(cli(env, "query", "-e", LABEL_GRAPH, "--format", "nt").splitlines())
              for env in (remote_, embedded)]
    assert graphs[0] and graphs[0] == graphs[1]
    exported = {name: list(ox.parse(cli(env, "export", "--format", "nq").encode(),
                                    format=ox.RdfFormat.N_QUADS))
                for name, env in (("embedded", embedded), ("remote", remote_))}
    for graph in (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_INFERRED):  # the remote one has ingested more
        quads = {name: [q for q in found if q.graph_name.value == graph]
                 for name, found in exported.items()}
        assert len(quads["remote"]) == len(quads["embedded"]) > 0
        assert {q for q in quads["remote"] if not _blank(q)} == \
            {q for q in quads["embedded"] if not _blank(q)}


def _blank(quad: ox.Quad) -> bool:
    """Blank node labels are the store's own: such quads are compared by count only."""
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def test_graph_results_are_the_same_triples_remotely(store, oxigraph: str) -> None:
    found = remote(oxigraph).query(LABEL_GRAPH, use_default_graph_as_union=True)
    assert all(isinstance(t, ox.Triple) for t in found)
    assert set(found) == set(store.query(LABEL_GRAPH, use_default_graph_as_union=True))


def test_a_relative_iri_resolves_against_the_base_iri_remotely(oxigraph: str) -> None:
    result = remote(oxigraph).query("SELECT ?x WHERE { BIND (<technique/xrd> AS ?x) }",
                                    base_iri="https://w3id.org/bigmap-kg/")
    assert [row["x"] for row in result] == [ox.NamedNode(
        "https://w3id.org/bigmap-kg/technique/xrd")]


def test_connect_picks_the_store_from_the_environment(oxigraph: str, store_path: Path,
                                                      monkeypatch) -> None:
    monkeypatch.setenv("BIGMAP_KG_STORE_URL", f"{oxigraph}/query")
    chosen = connect()
    assert isinstance(chosen, RemoteStore) and isinstance(chosen, GraphStore)
    assert (chosen.update_url, chosen.gsp_url) == (f"{oxigraph}/update", f"{oxigraph}/store")
    monkeypatch.delenv("BIGMAP_KG_STORE_URL")
    embedded = connect(store_path)
    assert isinstance(embedded, LiveStore) and isinstance(embedded, GraphStore)


def test_push_copies_every_graph(store, oxigraph: str) -> None:
    counts = push(store, remote(oxigraph))
    assert counts == {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
                      for g in store.named_graphs()}


def test_the_gateway_over_a_remote_store_never_serves_a_stale_answer(
        oxigraph: str, monkeypatch) -> None:
    """A remote store has no generation the service could see: the gateway asks it every
    time, so an update made elsewhere shows at once."""
    monkeypatch.setenv("BIGMAP_KG_STORE_URL", oxigraph + "/query")
    server = remote(oxigraph)
    ask = Job("ASK { <https://example.org/remote-new> ?p ?o }", union=True,
              result_types=("application/sparql-results+json",))

    async def scenario() -> list[bytes]:
        gateway = Gateway(server, Path("unused"), workers=1)
        try:
            before = (await gateway.run(ask)).body
            server.update("INSERT DATA { GRAPH <https://example.org/g> { "
                          "<https://example.org/remote-new> <https://example.org/p> 1 } }")
            return [before, (await gateway.run(ask)).body]
        finally:
            gateway.close()
            server.update("DROP SILENT GRAPH <https://example.org/g>")
    before, after = asyncio.run(scenario())
    assert b"false" in before and b"true" in after
