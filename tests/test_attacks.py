"""The attacks of issue 16, one test each, tried as an attacker would (loopback only).

Each docstring says what the attack did to the code before the gateway (commit c4de021): every
test here fails there. Most run in-process (the real app and its real query processes under
FastAPI's TestClient); the SIGTERM one needs a real server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from bigmap_kg.web.app import create_app
from bigmap_kg.web.server.settings import Settings

from .server import free_port, wait_until_answering
from .test_service import HEAVY, TECHNIQUES

#: a prefix whose namespace is a closed port on this machine: a SERVICE call would try it
EX = "PREFIX ex: <http://127.0.0.1:9/> "


@pytest.fixture(scope="module")
def client(store_path: Path) -> Iterator[TestClient]:
    settings = Settings(store=store_path, compact_after=0, query_timeout=2, read_timeout=0.5)
    with TestClient(create_app(settings)) as client:
        yield client


def ask(client: TestClient, query: str) -> httpx.Response:
    return client.get("/sparql", params={"query": query},
                      headers={"Accept": "application/sparql-results+json"})


@pytest.mark.parametrize("query", [
    EX + "ASK { FILTER(1<2)SERVICEex:x{?s?p?o}FILTER(2>1) }",
    EX + "ASK { ?s ex:a\\' ?o . SERVICE ex:x { ?s ?p ?o } FILTER('x' = 'x') }",
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
])
def test_service_calls_hidden_from_a_regex_are_refused(client: TestClient, query: str) -> None:
    """Before: a regex dropped every `<…>` span without whitespace (here `<2)SERVICEex:x{…}
    FILTER(2>`) and every '…' string (here one opened by the escaped quote of the prefixed
    name `ex:a\\'` and closed by `'x'`), so the SERVICE call reached Oxigraph, which called the
    host. Checked: the old `uses_service` returns False for the first two queries."""
    refused = ask(client, query)
    assert refused.status_code == 403 and "SERVICE" in refused.text


def test_a_variable_named_service_is_a_variable(client: TestClient) -> None:
    """Before: `\\bSERVICE\\b` matched `?service` and the query got 403."""
    answer = ask(client, "SELECT ?service WHERE { BIND(1 AS ?service) }")
    assert answer.status_code == 200
    assert answer.json()["results"]["bindings"] == [
        {"service": {"type": "literal", "value": "1",
                     "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]


@pytest.mark.parametrize("query", [
    "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
    "ASK { " + " ".join(f"BIND({n} AS ?v{n})" for n in range(3000)) + " }",
    "ASK { FILTER(1" + "+1" * 10000 + " > 0) }",
])
def test_queries_that_overflow_the_engine_get_400_and_the_service_answers_on(
        client: TestClient, query: str) -> None:
    """Before: each of these (10–60 KB) overflowed pyoxigraph's stack and killed the worker
    process (measured: exit by SIGSEGV), and every request it held with it."""
    refused = client.post("/sparql", content=query.encode(),
                          headers={"Content-Type": "application/sparql-query"})
    assert refused.status_code == 400 and "nests" in refused.text
    assert ask(client, TECHNIQUES).status_code == 200


def test_a_query_beyond_the_length_limit_gets_400(client: TestClient) -> None:
    """Before: any length was parsed (100 MB bodies were accepted)."""
    long = "ASK { }" + " " * 100_001
    refused = client.post("/sparql", content=long.encode(),
                          headers={"Content-Type": "application/sparql-query"})
    assert refused.status_code == 400 and "characters" in refused.text


def test_a_sparql_body_beyond_the_limit_gets_413_unread(client: TestClient) -> None:
    """Before: no size limit on /sparql bodies (100 MB accepted and read into memory)."""
    refused = client.post("/sparql", content=b"#" * 2_000_000,
                          headers={"Content-Type": "application/sparql-query"})
    assert refused.status_code == 413 and len(refused.content) < 200
    streamed = client.post("/sparql", content=iter([b"#" * 600_000] * 4),  # no length given
                           headers={"Content-Type": "application/sparql-query"})
    assert streamed.status_code == 413


def test_api_filter_queries_are_under_the_time_limit(client: TestClient) -> None:
    """Before: /api queries had no time limit (100 `observable=` filters ran 60 s; eight, as
    one query joining them, took more than 10 s here). Now every /api query goes through the
    gateway under its limit (2 s here), each filter is a query of its own (eight are answered
    well within the limit), and more than eight filters are refused outright."""
    observables = ["crystal-structure", "sei-composition", "lithium-distribution",
                   "oxidation-state", "morphology", "phase-composition", "local-structure",
                   "strain"]
    started = time.monotonic()
    slow = client.get("/api/techniques", params=[("observable", o) for o in observables])
    assert time.monotonic() - started < 2
    assert slow.status_code == 200
    many = client.get("/api/techniques", params=[("observable", "strain")] * 9)
    assert many.status_code == 422
    assert client.get("/api/techniques", params={"observable": "strain"}).status_code == 200


def test_api_filter_queries_are_stopped_at_the_time_limit(store_path: Path) -> None:
    """The other half of the attack above: an /api filter query that outlives the time limit
    is stopped and answered 503 "timed out", as on /sparql. A limit of 0.1 ms, which no query
    of the store meets, makes every query a runaway; the pages and planner share the path."""
    settings = Settings(store=store_path, compact_after=0, query_timeout=0.0001,
                        query_workers=1)
    with TestClient(create_app(settings)) as tight:
        for path in ("/api/techniques?observable=strain", "/api/datasets?technique=xrd"):
            refused = tight.get(path)
            assert refused.status_code == 503, (path, refused.status_code)
            assert "timed out" in refused.json()["error"]


def test_a_query_whose_client_went_away_is_stopped(client: TestClient) -> None:
    """Before: a query kept running after its client left (and held a worker's thread until
    the worker was replaced). Here the client sends its request and leaves at once: the reply
    is 499 for nobody, long before the 2 s limit, and the next query is answered."""
    sent: list[dict] = []
    messages = iter([{"type": "http.request", "body": b"", "more_body": False}])

    async def receive() -> dict:
        message = next(messages, None)
        if message is None:
            return {"type": "http.disconnect"}
        return message

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "GET", "scheme": "http", "path": "/sparql", "raw_path": b"/sparql",
             "root_path": "", "query_string": b"query=" + HEAVY.replace(" ", "+").encode(),
             "headers": [(b"host", b"testserver")], "server": ("testserver", 80),
             "client": ("127.0.0.1", 5000)}
    started = time.monotonic()
    client.portal.call(client.app, scope, receive, send)
    assert time.monotonic() - started < 1.5
    assert sent[0]["status"] == 499
    assert ask(client, TECHNIQUES).status_code == 200


def test_a_query_behind_a_runaway_waits_or_is_told_busy(store_path: Path) -> None:
    """Before: queries queued behind a runaway were answered 503 "timed out" themselves (the
    runaway's worker retired with them). Now a query waits for a free query process, or is
    told "busy" when none frees up in time; it never times out on another's account."""
    settings = Settings(store=store_path, compact_after=0, query_timeout=1, query_workers=1)
    with TestClient(create_app(settings)) as client:
        replies: list[httpx.Response] = []
        runaway = threading.Thread(target=lambda: replies.append(ask(client, HEAVY)))
        runaway.start()
        time.sleep(0.3)
        behind = ask(client, TECHNIQUES)
        runaway.join(timeout=30)
    assert replies[0].status_code == 503 and "timed out" in replies[0].text
    assert behind.status_code == 200 or (behind.status_code == 503 and "busy" in behind.text)


@pytest.mark.parametrize("collection, name", [
    ("techniques", "observable"), ("matrix-entries", "technique"), ("cells", "technique"),
    ("experiments", "material"), ("datasets", "instrument")])
@pytest.mark.parametrize("value", [
    "http://exa mple.org/", "https://example.org/<x>", 'http://example.org/"', "http://{x}",
    "http://example.org/|", "http://example.org/^", "http://example.org/\\", "obs:a b",
    "http://example.org/`"])
def test_invalid_iris_in_api_filters_get_400(client: TestClient, collection: str, name: str,
                                              value: str) -> None:
    """Before: `ox.NamedNode` raised outside the route's error handling: 500."""
    refused = client.get(f"/api/{collection}", params={name: value})
    assert refused.status_code == 400 and "no valid IRI" in refused.text


def test_a_huge_planner_input_is_refused_without_being_echoed(client: TestClient) -> None:
    """Before: a 100 MB observable name took the server from 292 MB to 4.75 GB and came back
    whole in the 422. Now a body over 1 MB is refused unread (413), and a long name under it
    gets a 422 that quotes 80 characters of it."""
    huge = client.post("/api/plan", content=json.dumps({"observables": ["x" * 2_000_000]}),
                       headers={"Content-Type": "application/json"})
    assert huge.status_code == 413 and len(huge.content) < 200
    long = client.post("/api/plan", json={"observables": ["y" * 100_000]})
    assert long.status_code == 422 and len(long.content) < 1000


def test_a_stalled_body_gets_408(client: TestClient) -> None:
    """Before: no read timeout on a request body: a client that sent half a body held the
    request open as long as it liked."""
    sent: list[dict] = []
    first = True

    async def receive() -> dict:
        nonlocal first
        if first:
            first = False
            return {"type": "http.request", "body": b"query=ASK", "more_body": True}
        await asyncio.sleep(3600)  # the rest never comes
        return {"type": "http.disconnect"}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/sparql", "raw_path": b"/sparql",
             "root_path": "", "query_string": b"",
             "headers": [(b"host", b"testserver"),
                         (b"content-type", b"application/x-www-form-urlencoded")],
             "server": ("testserver", 80), "client": ("127.0.0.1", 5000)}
    client.portal.call(client.app, scope, receive, send)
    assert sent[0]["status"] == 408


def test_the_host_header_is_not_reflected(client: TestClient) -> None:
    """Before: the Host header went into `@context`, `@id` and the base IRI of /sparql, so
    anyone could make the service write links to their host."""
    evil = {"Host": "evil.example"}
    listing = client.get("/api/techniques", headers=evil)
    assert listing.status_code == 200 and "evil.example" not in listing.text
    based = client.get("/sparql", params={"query": "SELECT (<x> AS ?i) {}"},
                       headers={**evil, "Accept": "application/sparql-results+json"})
    assert based.status_code == 200 and "evil.example" not in based.text


@pytest.mark.slow
def test_sigterm_stops_the_server_at_once_during_a_runaway(store_path: Path) -> None:
    """Before: a server with a runaway query in a thread ignored SIGTERM for 15–20 s. Now
    `bigmap-kg serve` gives requests in flight 3 s, then their queries are stopped."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bigmap_kg.cli", "serve", "--port", str(port), "--workers", "1"],
        env={**os.environ, "BIGMAP_KG_STORE": str(store_path), "BIGMAP_KG_QUERY_TIMEOUT": "60"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_until_answering(server, base, query="ASK {}")
        runaway = threading.Thread(target=lambda: _quietly(base, HEAVY), daemon=True)
        runaway.start()
        time.sleep(1)
        stopped = time.monotonic()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        assert time.monotonic() - stopped < 8
    finally:
        if server.poll() is None:
            server.kill()


def _quietly(base: str, query: str) -> None:
    with contextlib.suppress(httpx.HTTPError):
        httpx.get(base, params={"query": query}, timeout=60)
