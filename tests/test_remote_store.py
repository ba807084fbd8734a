"""The remote store: the project against real SPARQL 1.1 servers — `oxigraph serve` and Virtuoso
7.2 (Debian's `virtuoso-opensource`, `make virtuoso`), both started here on 127.0.0.1 — gives
the same answers as the embedded store (every named query, every view, the service's routes),
writes atomically (or refuses a write it cannot make atomic, on Virtuoso), and the service
runs on it. Every test runs against both engines; nothing is skipped for Virtuoso."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.compare import graph_diff, isomorphic

from bigmap_kg import paths
from bigmap_kg.datasets.ingest import ingest_files
from bigmap_kg.namespaces import (
    BASE,
    BMO,
    GRAPH_DATA,
    GRAPH_DATASETS,
    GRAPH_INFERRED,
    GRAPH_ONTOLOGY,
)
from bigmap_kg.queryfile import QueryFile, view
from bigmap_kg.results import Rows, rows_as_dicts, run
from bigmap_kg.store import GraphStore, LiveStore, RemoteStore, connect, open_store
from bigmap_kg.store.remote import NonAtomicUpdateError, push, remote_credentials
from bigmap_kg.web.server.gateway import Gateway, Job

from .server import free_port, running_server, stop, wait_until_answering
from .stores import store_with
from .test_query_jobs import load_bench

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
DATASETS = Path(__file__).parent / "data" / "datasets"
BATCH = DATASETS / "operando-xrd-lno.ttl"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
LABELS = ("SELECT ?t ?label WHERE { ?t a <https://w3id.org/bigmap-kg/ontology#Technique> ; "
          "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")
LABEL_GRAPH = LABELS.replace("SELECT ?t ?label", "CONSTRUCT { ?t "
                             "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")


VIRTUOSO = shutil.which("virtuoso-t") or "/usr/bin/virtuoso-t"


@dataclass
class Engine:
    """A running SPARQL server and the BIGMAP_KG_STORE_* settings that reach it."""
    name: str
    query_url: str
    env: dict[str, str] = field(default_factory=dict)

    def store(self) -> RemoteStore:
        saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)
        try:
            return RemoteStore.from_url(self.query_url, **remote_credentials())
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    @property
    def settings(self) -> dict[str, str]:
        return {"BIGMAP_KG_STORE_URL": self.query_url, **self.env}


def _push(store_path: Path, engine: Engine) -> None:
    pushed = subprocess.run([sys.executable, "-m", "bigmap_kg.cli", "push", engine.query_url],
                            env={"BIGMAP_KG_STORE": str(store_path), "PATH": "", **engine.env},
                            capture_output=True, text=True, timeout=300)
    assert pushed.returncode == 0, pushed.stderr


def _oxigraph(store_path: Path, tmp_path_factory) -> Iterator[Engine]:
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
        engine = Engine("oxigraph", base + "/query")
        _push(store_path, engine)
        yield engine
    finally:
        stop(process, 10)


VIRTUOSO_INI = """[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
DirsAllowed = ., {d}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
ThreadsPerQuery = 1
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {d}
ServerThreads = 4
MaxClientConnections = 8
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""


def _virtuoso(store_path: Path, tmp_path_factory) -> Iterator[Engine]:
    """Virtuoso 7 with its own database in a temporary folder, on free loopback ports; the
    project reaches it as `dba` by Digest auth at `/sparql-auth` (query and update) and
    `/sparql-graph-crud-auth` (Graph Store), and pushes the session store there."""
    if not Path(VIRTUOSO).exists():
        pytest.skip("Virtuoso is not installed (Debian's virtuoso-opensource: `make virtuoso` "
                    "installs it; it could not be installed here)")
    folder = tmp_path_factory.mktemp("virtuoso")
    http = free_port()
    (folder / "virtuoso.ini").write_text(VIRTUOSO_INI.format(d=folder, sql=free_port(),
                                                             http=http))
    process = subprocess.Popen([VIRTUOSO, "+foreground", "+configfile",
                                str(folder / "virtuoso.ini")], cwd=folder,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{http}"
    try:
        try:
            wait_until_answering(process, base + "/sparql", 60, query="ASK {}")
        except RuntimeError as error:
            pytest.skip(f"Virtuoso did not start: {error}")
        engine = Engine("virtuoso", base + "/sparql-auth", {
            "BIGMAP_KG_STORE_USER": "dba", "BIGMAP_KG_STORE_PASSWORD": "dba",
            "BIGMAP_KG_STORE_AUTH": "digest"})
        _push(store_path, engine)
        yield engine
    finally:
        stop(process)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def engine(request, store_path: Path, tmp_path_factory) -> Iterator[Engine]:
    """Each remote engine in turn, started once per module and loaded by `bigmap-kg push`."""
    start = _oxigraph if request.param == "oxigraph" else _virtuoso
    yield from start(store_path, tmp_path_factory)


#: `GROUP_CONCAT(…; separator="S") AS ?v` in a query: the separator of each variable
CONCATENATION = re.compile(r'separator\s*=\s*"((?:[^"\\]|\\.)*)"\s*\)\s*AS\s+\?(\w+)', re.I)


def separators(query: str) -> dict[str, str]:
    """The variables the query binds to a GROUP_CONCAT, with their separators."""
    return {variable: separator.encode().decode("unicode_escape")
            for separator, variable in CONCATENATION.findall(query)}


def rows(result, query: str = "") -> list[tuple]:
    """The answer as sorted rows of (variable, value). SPARQL leaves the order of a
    GROUP_CONCAT open (Oxigraph and Virtuoso join in different orders): a concatenation the
    query makes is compared as its sorted parts."""
    joined = separators(query)

    def value(variable: str, text: str | None) -> str:
        if text and variable in joined:
            return joined[variable].join(sorted(text.split(joined[variable])))
        return text or ""
    return sorted(tuple(sorted((k, value(k, v)) for k, v in r.items()))
                  for r in rows_as_dicts(result))


@pytest.mark.parametrize("name", sorted(p.stem for p in paths.QUERIES_DIR.glob("*.rq")))
def test_named_queries_answer_the_same_remotely(store, engine: Engine, name: str) -> None:
    text = QueryFile.read(paths.QUERIES_DIR / f"{name}.rq").text
    assert rows(run(engine.store(), text), text) == rows(run(store, text), text)


def test_a_failing_update_changes_nothing_remotely(engine: Engine) -> None:
    store = engine.store()
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    before = rows(store.query(count))
    with pytest.raises(ValueError, match="refused"):
        store.update("INSERT DATA { GRAPH <urn:test:g> { <urn:a> <urn:b> <urn:c> } } ; "
                     "CLEAR GRAPH <urn:test:no-such-graph>")
    assert rows(store.query(count)) == before
    assert not bool(store.query("ASK { GRAPH <urn:test:g> { ?s ?p ?o } }"))


def test_ingest_into_the_remote_store_answers_the_question(engine: Engine) -> None:
    store = engine.store()
    if engine.name == "virtuoso":  # a batch is one multi-operation update: not atomic there
        report = ingest_files([BATCH], store, store.replace_records)
        assert not report.written and "cannot be made atomic" in report.as_text()
        with pytest.raises(NonAtomicUpdateError, match="cannot be made atomic"):
            store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> } ; "
                         "DELETE DATA { <urn:a> <urn:b> <urn:c> }")
        return
    report = ingest_files([BATCH], store, store.replace_records)
    assert report.written, report.as_text()
    query = QueryFile.read(paths.QUERIES_DIR / "datasets-by-technique-material-facility.rq")
    answer = {r["dataset"].rsplit("/", 1)[1] for r in rows_as_dicts(run(store, query.text))}
    assert answer == {"esrf-id31-0001-raw", "esrf-id15a-0002-raw", "esrf-id31-0001-analysed"}


def test_the_service_runs_on_the_remote_store(store, engine: Engine, tmp_path: Path) -> None:
    """`bigmap-kg serve --workers 2`, its query processes and its pages answer from the remote
    store (plain uvicorn on it: test_the_routes_answer_as_on_the_embedded_store)."""
    with running_server(tmp_path / "no-local-store", workers=2, **engine.settings) as base:
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


def test_the_cli_queries_and_exports_the_remote_store(store_path: Path, engine: Engine,
                                                      tmp_path: Path) -> None:
    embedded = {"BIGMAP_KG_STORE": str(store_path)}
    remote_ = {"BIGMAP_KG_STORE": str(tmp_path / "no-local-store"), **engine.settings}
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


def test_graph_results_are_the_same_triples_remotely(store, engine: Engine) -> None:
    found = engine.store().query(LABEL_GRAPH, use_default_graph_as_union=True)
    assert all(isinstance(t, ox.Triple) for t in found)
    assert set(found) == set(store.query(LABEL_GRAPH, use_default_graph_as_union=True))


def test_a_relative_iri_resolves_against_the_base_iri_remotely(engine: Engine) -> None:
    result = engine.store().query("SELECT ?x WHERE { BIND (<technique/xrd> AS ?x) }",
                                    base_iri="https://w3id.org/bigmap-kg/")
    assert [row["x"] for row in result] == [ox.NamedNode(
        "https://w3id.org/bigmap-kg/technique/xrd")]


def test_connect_picks_the_store_from_the_environment(engine: Engine, store_path: Path,
                                                      monkeypatch) -> None:
    for key, value in engine.settings.items():
        monkeypatch.setenv(key, value)
    chosen = connect()
    assert isinstance(chosen, RemoteStore) and isinstance(chosen, GraphStore)
    base = engine.query_url.rsplit("/", 1)[0]
    assert (chosen.update_url, chosen.gsp_url) == {
        "oxigraph": (f"{base}/update", f"{base}/store"),
        "virtuoso": (f"{base}/sparql-auth", f"{base}/sparql-graph-crud-auth")}[engine.name]
    monkeypatch.delenv("BIGMAP_KG_STORE_URL")
    embedded = connect(store_path)
    assert isinstance(embedded, LiveStore) and isinstance(embedded, GraphStore)


def test_push_copies_every_graph(store, engine: Engine) -> None:
    counts = push(store, engine.store())
    assert counts == {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
                      for g in store.named_graphs()}


def test_the_gateway_over_a_remote_store_never_serves_a_stale_answer(
        engine: Engine, monkeypatch) -> None:
    """A remote store has no generation the service could see: the gateway asks it every
    time, so an update made elsewhere shows at once."""
    for key, value in engine.settings.items():
        monkeypatch.setenv(key, value)
    server = engine.store()
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


#: parameters the rewritten named queries take (their answers change with them)
PARAMETERS = {
    "most-cited-references": {"minEntries": ox.Literal("3", datatype=XSD_INTEGER)},
    "observables-across-clusters": {"minClusters": ox.Literal("3", datatype=XSD_INTEGER)},
    "instruments-per-facility": {"facilityType": ox.NamedNode(BMO.NeutronFacility)},
    "techniques-by-lateral-resolution": {
        "observable": ox.NamedNode(BASE + "observable/morphology")},
}


@pytest.mark.parametrize("name", sorted(PARAMETERS))
def test_named_queries_with_parameters_answer_the_same_remotely(store, engine: Engine,
                                                                name: str) -> None:
    text = QueryFile.read(paths.QUERIES_DIR / f"{name}.rq").text
    bindings = PARAMETERS[name]
    embedded = rows(run(store, text, bindings=bindings), text)
    assert embedded and rows(run(engine.store(), text, bindings=bindings), text) == embedded


def test_blank_nodes_in_an_answer_are_read_remotely(store, engine: Engine) -> None:
    """The quantities of the matrix are blank nodes (Virtuoso labels them `nodeID://b1` in
    its JSON results, which is no blank node label): each is read, one per quantity."""
    text, bindings = view("instances"), {"class": ox.NamedNode(BMO.Quantity)}
    found = [row["s"] for row in run(engine.store(), text, prefixes=False, bindings=bindings)]
    embedded = list(run(store, text, prefixes=False, bindings=bindings))
    assert found and all(isinstance(node, ox.BlankNode) for node in found)
    assert len(set(found)) == len(found) == len(embedded)


RECORDS = [DATASETS / name for name in (
    "operando-xrd-lno.ttl", "deposit-xrd-dtu.ttl", "datacite-xrd-analysed.json",
    "invenio-operando-xrd.json", "rocrate-operando-xrd-id31.json")]


@pytest.fixture(scope="module")
def with_datasets(store_path: Path, tmp_path_factory) -> Path:
    """A copy of the session store with dataset records ingested (one has its licence as
    text, one has distributions of 2 GiB and more); the `store` link to it."""
    return store_with(RECORDS, store_path, tmp_path_factory.mktemp("with-datasets"))


@pytest.fixture(scope="module")
def remote_with_datasets(engine: Engine, with_datasets: Path) -> Iterator[RemoteStore]:
    """The engine holding the same dataset records (its datasets graph replaced by the
    embedded copy's), emptied again after the engine's last test. The tests that use it come
    last in this file (they only read), so the tests above see no dataset records."""
    remote = engine.store()
    graph = ox.NamedNode(GRAPH_DATASETS)
    remote.put_graph(graph, (ox.Triple(q.subject, q.predicate, q.object) for q in
                             open_store(with_datasets).quads_for_pattern(None, None, None,
                                                                         graph)))
    yield remote
    remote.update(f"DROP SILENT GRAPH <{GRAPH_DATASETS}>")


def answer(result, query: str):
    """An answer in comparable form: sorted rows, a truth value, or an rdflib graph."""
    if isinstance(result, bool | ox.QueryBoolean):
        return bool(result)
    if isinstance(result, ox.QuerySolutions | Rows):
        return rows(result, query)
    return Graph().parse(data=ox.serialize(list(result), format=ox.RdfFormat.N_TRIPLES),
                         format="nt")


#: every view the service runs, with the bindings its callers use (bench/queries_bench.py)
VIEWS = {name: (text, bindings) for name, text, bindings in load_bench().jobs()
         if name.startswith("sparql/")}


@pytest.fixture(scope="module")
def embedded_with_datasets(with_datasets: Path) -> ox.Store:
    return open_store(with_datasets)


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_view_answers_the_same_remotely(embedded_with_datasets: ox.Store,
                                              remote_with_datasets, view: str) -> None:
    """Every view, over the D5.1 graph and dataset records: the embedded store's answer
    (graphs compared up to blank node labels)."""
    text, bindings = VIEWS[view]
    embedded = answer(run(embedded_with_datasets, text, prefixes=False, bindings=bindings), text)
    remote = answer(run(remote_with_datasets, text, prefixes=False, bindings=bindings), text)
    if isinstance(embedded, Graph):
        assert isomorphic(remote, embedded), [sorted(only)[:5] for only in
                                              graph_diff(remote, embedded)[1:]]
    else:
        assert remote == embedded


#: routes of the service, as the pages and clients ask them (JSON, JSON-LD, Turtle, HTML)
ROUTES = ["/api/techniques?size=100", "/api/techniques/xrd", "/api/techniques/xrd/complementary",
          "/api/matrix-entries/xrd-commercial/complementary", "/api/partners/esrf",
          "/api/instruments?size=100", "/api/datasets?size=100", "/api/datasets/catalog",
          "/api/datasets/esrf-id31-0001-raw",
          "/api/datasets/doi-10.5281-zenodo.0000202-4434ca0b/datacite",
          "/search?q=xrd&format=json", "/technique/xrd.ttl", "/technique/xrd.html",
          "/partner/esrf.html", "/queries/instruments-per-facility", "/matrix", "/cells",
          "/tier1", "/competence-map"]


@pytest.fixture(scope="module")
def embedded_server(with_datasets: Path) -> Iterator[str]:
    """The service over the embedded store with the dataset records, once for both engines."""
    with running_server(with_datasets) as base:
        yield base


def test_the_routes_answer_as_on_the_embedded_store(embedded_server: str, remote_with_datasets,
                                                    engine: Engine, tmp_path: Path) -> None:
    """The service (plain uvicorn) over the remote store answers each route as over the
    embedded store, with the same dataset records in both."""
    embedded = embedded_server
    with running_server(tmp_path / "no-local-store", **engine.settings) as remote:
        for route in ROUTES:
            answers = [httpx.get(base + route, timeout=60) for base in (remote, embedded)]
            assert [a.status_code for a in answers] == [200, 200], route
            assert same_body(*answers), f"{route}\nremote:   {answers[0].text[:3000]}\n" \
                f"embedded: {answers[1].text[:3000]}"


def same_body(remote: httpx.Response, embedded: httpx.Response) -> bool:
    """The same document: RDF as graphs up to blank node labels, JSON with its lists as sets
    (rows that tie in an ORDER BY come in either order), a page by the links it holds."""
    media = embedded.headers["content-type"].split(";")[0]
    bodies = [a.text.replace(str(a.request.url.copy_with(path="/", query=None)), "/")
              for a in (remote, embedded)]
    if media in ("text/turtle", "application/ld+json"):  # JSON-LD: each server's context
        graphs = [server_neutral(Graph().parse(data=a.text, format="turtle" if "turtle" in
                                               media else "json-ld", publicID=BASE), a)
                  for a in (remote, embedded)]
        return isomorphic(*graphs)
    if media.endswith("json"):
        return canonical_json(json.loads(bodies[0])) == canonical_json(json.loads(bodies[1]))
    return set(LINK.findall(bodies[0])) == set(LINK.findall(bodies[1]))


LINK = re.compile(r'href="([^"]*)"')


def server_neutral(graph: Graph, response: httpx.Response) -> Graph:
    """The graph with the server's own URLs (a collection's @id) as paths."""
    server = str(response.request.url.copy_with(path="/", query=None))

    def term(t):
        return URIRef(t.replace(server, "/", 1)) if isinstance(t, URIRef) else t
    neutral = Graph()
    for triple in graph:
        neutral.add(tuple(term(t) for t in triple))
    return neutral


def canonical_json(value):
    """JSON with its lists sorted."""
    if isinstance(value, dict):
        return {k: canonical_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((canonical_json(v) for v in value), key=repr)
    return value
