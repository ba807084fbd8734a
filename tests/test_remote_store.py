"""The remote store: the project against a real Oxigraph server (SPARQL 1.1 Query, Update and
Graph Store protocols) gives the same answers as the embedded store, writes atomically, and
the service runs on it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bigmap_kg import paths
from bigmap_kg.datasets.ingest import ingest_files
from bigmap_kg.queryfile import QueryFile
from bigmap_kg.results import rows_as_dicts, run
from bigmap_kg.store import RemoteStore, push

from .server import free_port, running_server

OXIGRAPH = Path(sys.executable).with_name("oxigraph")
BATCH = Path(__file__).parent / "data" / "datasets" / "operando-xrd-lno.ttl"


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
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
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


def test_the_service_runs_on_the_remote_store(store_path: Path, oxigraph: str,
                                              tmp_path: Path) -> None:
    with running_server(tmp_path / "no-local-store",
                        BIGMAP_KG_STORE_URL=f"{oxigraph}/query") as base:
        answer = httpx.get(f"{base}/sparql", params={
            "query": "ASK { <https://w3id.org/bigmap-kg/technique/xrd> ?p ?o }"},
            headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        technique = httpx.get(f"{base}/api/techniques/xrd")
        assert technique.status_code == 200 and "X-ray diffraction" in technique.text


def test_push_copies_every_graph(store, oxigraph: str) -> None:
    counts = push(store, remote(oxigraph))
    assert counts == {g.value: sum(1 for _ in store.quads_for_pattern(None, None, None, g))
                      for g in store.named_graphs()}
