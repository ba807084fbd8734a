"""/sparql answered in uvicorn's HTTP protocol itself (`web/uvicorn_protocol.py`), on a real
uvicorn server with the real app over the test store: which requests are answered there and
which go on to the ASGI app, and that what uvicorn does for every request still holds
(keep-alive and closing, pipelining, proxy headers, 100-continue, large bodies, access log)."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import ClassVar
from urllib.parse import quote

import httpx
import pytest
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bigmap_kg.web.app import create_app
from bigmap_kg.web.inline import InlineSlots
from bigmap_kg.web.settings import Settings
from bigmap_kg.web.uvicorn_protocol import SUPPORTED, ConnectionAwareProtocol

from .server import uvicorn_in_thread

FRESH = count()
JSON_RESULTS = "application/sparql-results+json"


class Probe(HttpToolsProtocol):
    """Records the path of every request that uvicorn hands to the ASGI app."""

    to_app: ClassVar[list[str]] = []

    def _start_asgi_task(self, cycle, app) -> None:
        Probe.to_app.append(cycle.scope["path"])
        super()._start_asgi_task(cycle, app)


class ProbedProtocol(ConnectionAwareProtocol, Probe):
    """Ours, with the probe beneath it: its hand-overs to the app pass through the probe."""


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@contextmanager
def serving(store_path: Path, slots: Path, **config) -> Iterator[str]:
    """A real uvicorn (httptools, in a thread) serving the app as one of two workers does."""
    settings = Settings(store=store_path, in_process=True, inline_slots=slots, compact_after=0)
    with uvicorn_in_thread(create_app(settings), http=ProbedProtocol, **config) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def slots(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("slots")
    InlineSlots.create(directory, workers=2)
    return directory


@pytest.fixture(scope="module")
def base(store_path: Path, slots: Path) -> Iterator[str]:
    with serving(store_path, slots, timeout_keep_alive=30) as url:
        yield url


@pytest.fixture(autouse=True)
def fresh_probe() -> None:
    Probe.to_app.clear()


def new_query(text: str = "ASK { ?s a ?c }") -> str:
    """A query text the server has not seen (so not a proven job)."""
    return f"# {next(FRESH)} {time.monotonic()}\n{text}"


def exchange(base: str, raw: bytes) -> bytes:
    """Send `raw` on a new connection and read until the server closes it (within 10 s: the
    server's keep-alive timeout, 30 s, must not be what closes it)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(raw)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def responses(data: bytes) -> list[tuple[int, dict[str, str], bytes]]:
    """Consecutive HTTP/1.1 responses, each with a content-length: (status, headers, body)."""
    found = []
    while data:
        head, data = data.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value for name, value in
                   (line.split(": ", 1) for line in lines)}
        length = int(headers["content-length"])
        found.append((int(status_line.split()[1]), headers, data[:length]))
        data = data[length:]
    return found


def get(path_and_query: str, *headers: str, version: str = "1.1") -> bytes:
    lines = [f"GET {path_and_query} HTTP/{version}", "Host: test", f"Accept: {JSON_RESULTS}",
             *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_the_installed_uvicorn_has_what_the_protocol_path_needs() -> None:
    """Without the hook and the cycle fields the path turns itself off (every request goes to
    the app): correct, but slower; this test says so."""
    assert SUPPORTED


def test_a_request_on_a_lone_connection_is_answered_in_the_protocol(base: str) -> None:
    with httpx.Client(headers={"Accept": JSON_RESULTS}) as client:
        by_get = client.get(base + "/sparql", params={"query": new_query()})
        by_form = client.post(base + "/sparql", data={"query": new_query()})
        direct = client.post(base + "/sparql", content=new_query().encode(),
                             headers={"Content-Type": "application/sparql-query"})
        refused = client.get(base + "/sparql", params={"query": "SELECT nonsense"})
    for response in (by_get, by_form, direct):
        assert response.status_code == 200
        assert response.json()["boolean"] is True
        assert response.headers["server"] == "uvicorn" and "date" in response.headers
        assert response.headers["content-type"] == JSON_RESULTS
    assert refused.status_code == 400 and "syntax error" in refused.text
    assert Probe.to_app == []


def test_a_query_that_must_wait_for_a_thread_goes_to_the_app_then_runs_on_the_spot(
        base: str) -> None:
    query = new_query()
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))), httpx.Client() as client:
        time.sleep(0.2)  # the other connection is open: this one is not alone
        first = client.get(base + "/sparql", params={"query": query})
        assert Probe.to_app == ["/sparql"]
        again = client.get(base + "/sparql", params={"query": query})  # proven: on the spot
        assert Probe.to_app == ["/sparql"]
    assert first.status_code == again.status_code == 200
    assert first.content == again.content


def test_other_paths_and_methods_go_to_the_app(base: str) -> None:
    with httpx.Client() as client:
        assert client.get(base + "/api/techniques", params={"cluster": "imaging"}
                          ).json()["@type"] == "hydra:Collection"
        assert client.put(base + "/sparql").status_code == 405
    assert Probe.to_app == ["/api/techniques", "/sparql"]


def test_pipelined_requests_are_answered_in_order(base: str) -> None:
    raw = get("/sparql?query=" + quote(new_query("ASK { ?s ?p ?o }"))) + \
        get("/api/techniques?cluster=imaging") + \
        get("/sparql?query=" + quote(new_query("ASK { <urn:none> ?p ?o }")),
            "Connection: close")
    (s1, _, b1), (s2, _, b2), (s3, h3, b3) = responses(exchange(base, raw))
    assert (s1, s2, s3) == (200, 200, 200)
    assert json.loads(b1)["boolean"] is True
    assert json.loads(b2)["@type"] == "hydra:Collection"
    assert json.loads(b3)["boolean"] is False
    assert h3["connection"] == "close"
    assert Probe.to_app == ["/api/techniques"]


@pytest.mark.parametrize(("version", "header"), [("1.0", None), ("1.1", "Connection: close")])
def test_the_connection_closes_when_the_client_asks_for_it(base: str, version: str,
                                                           header: str | None) -> None:
    raw = get("/sparql?query=" + quote(new_query()), *([header] if header else []),
              version=version)
    [(status, headers, body)] = responses(exchange(base, raw))  # read until closed
    assert status == 200 and json.loads(body)["boolean"] is True
    assert headers["connection"] == "close"
    assert Probe.to_app == []


def test_a_request_pipelined_behind_one_answered_here_outlives_the_keep_alive_timeout(
        store_path: Path, slots: Path) -> None:
    """The idle timer armed after the first answer must not close the connection while the
    second request, which the app answers, is under way."""
    raw = get("/sparql?query=" + quote(new_query())) + \
        get("/api/techniques?cluster=imaging", "Connection: close")
    with serving(store_path, slots, timeout_keep_alive=0.001) as url:
        (first, _, _), (second, _, body) = responses(exchange(url, raw))
    assert (first, second) == (200, 200)
    assert json.loads(body)["totalItems"] > 0
    assert Probe.to_app == ["/api/techniques"]


def test_a_keep_alive_connection_takes_one_request_after_another(base: str) -> None:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        for _ in range(3):
            sock.sendall(get("/sparql?query=" + quote(new_query())))
            received = b""
            while not received.endswith(b"}"):
                received += sock.recv(65536)
            [(status, headers, _)] = responses(received)
            assert status == 200 and "connection" not in headers
    assert Probe.to_app == []


def test_forwarded_requests_go_to_the_app_and_keep_the_proxy_scheme(base: str) -> None:
    query = "SELECT (STR(<x>) AS ?iri) WHERE {}"
    with httpx.Client(headers={"Accept": JSON_RESULTS}) as client:
        plain = client.get(base + "/sparql", params={"query": new_query(query)})
        proxied = client.get(base + "/sparql", params={"query": new_query(query)},
                             headers={"X-Forwarded-Proto": "https"})

    def iri(response: httpx.Response) -> str:
        return response.json()["results"]["bindings"][0]["iri"]["value"]

    assert iri(plain) == base + "/x"
    assert iri(proxied) == base.replace("http://", "https://") + "/x"
    assert Probe.to_app == ["/sparql"]


def test_expect_100_continue_is_left_to_the_app(base: str) -> None:
    body = new_query().encode()
    head = (f"POST /sparql HTTP/1.1\r\nHost: test\r\nAccept: {JSON_RESULTS}\r\n"
            "Content-Type: application/sparql-query\r\nExpect: 100-continue\r\n"
            f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n").encode()
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head)
        assert sock.recv(1024) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    [(status, _, answer)] = responses(received)
    assert status == 200 and json.loads(answer)["boolean"] is True
    assert Probe.to_app == ["/sparql"]


def test_a_body_beyond_the_read_buffer_is_handed_to_the_app(base: str) -> None:
    query = "# " + "x" * 200_000 + "\n" + new_query()
    with httpx.Client(headers={"Accept": JSON_RESULTS}) as client:
        response = client.post(base + "/sparql", content=query.encode(),
                               headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and response.json()["boolean"] is True
    assert Probe.to_app == ["/sparql"]


def test_requests_answered_in_the_protocol_are_in_the_access_log(base: str) -> None:
    lines = Lines()
    access = logging.getLogger("uvicorn.access")
    access.addHandler(lines)  # before the connection: uvicorn checks for handlers on connect
    previous = access.level
    access.setLevel(logging.INFO)
    try:
        with httpx.Client() as client:
            client.get(base + "/sparql", params={"query": "ASK {}"})
    finally:
        access.removeHandler(lines)
        access.setLevel(previous)
    assert Probe.to_app == []
    assert len(lines.lines) == 1
    assert '"GET /sparql?query=ASK' in lines.lines[0] and lines.lines[0].endswith(" 200")
