"""The W3C SPARQL 1.1 Protocol test suite (query and negative cases) against the real server.

The manifest (../shared/anchors/w3c-sparql-protocol) describes each request and the expected
response in RDF (HTTP vocabulary); this module replays them. Update tests that expect success do
not apply: the endpoint is read-only by design, and those are checked to be refused with 4xx.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from .server import running_server

SUITE = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "w3c-sparql-protocol"
MANIFEST = SUITE / "protocol-manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")

pytestmark = pytest.mark.skipif(not MANIFEST.exists(), reason="../shared W3C suite absent")


def _manifest() -> Graph:
    return Graph().parse(MANIFEST, format="turtle") if MANIFEST.exists() else Graph()


MANIFEST_GRAPH = _manifest()
TESTS = sorted(MANIFEST_GRAPH.subjects(RDF.type, MF.ProtocolTest), key=str)


@pytest.fixture(scope="module", params=[None, pytest.param(2, marks=pytest.mark.slow)],
                ids=["query-processes", "serve-workers-2"])
def w3c_server(tmp_path_factory, request):
    """A store holding every data file of the suite in the graph the manifest names, served
    by plain uvicorn and by `bigmap-kg serve --workers 2` (the protocol's answers must not
    depend on which worker takes a request)."""
    path = tmp_path_factory.mktemp("w3c") / "store"
    store = ox.Store(str(path))
    for data in MANIFEST_GRAPH.objects(None, UT.graphData):
        name = MANIFEST_GRAPH.value(data, RDFS.label)
        source = SUITE / Path(str(MANIFEST_GRAPH.value(data, UT.graph))).name
        store.bulk_load(path=str(source), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(str(name)))
    store.flush()
    del store
    with running_server(path, workers=request.param) as base:
        yield base


def _requests(test):
    action = MANIFEST_GRAPH.value(test, MF.action)
    return list(Collection(MANIFEST_GRAPH, MANIFEST_GRAPH.value(action, HT.requests)))


def _expected_statuses(response) -> set[int]:
    return {int(str(code).rsplit("StatusCode", 1)[1][0])
            for code in MANIFEST_GRAPH.objects(response, MF.expectedStatus)}


@pytest.mark.parametrize("test", TESTS, ids=[str(t).rsplit("#", 1)[-1] for t in TESTS])
def test_w3c_protocol(test, w3c_server) -> None:
    name = str(test).rsplit("#", 1)[-1]
    for request in _requests(test):
        method = str(MANIFEST_GRAPH.value(request, HT.methodName))
        path = str(MANIFEST_GRAPH.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
        headers = {}
        header_list = MANIFEST_GRAPH.value(request, HT.headers)
        if header_list is not None:
            for header in Collection(MANIFEST_GRAPH, header_list):
                headers[str(MANIFEST_GRAPH.value(header, HT.fieldName))] = \
                    str(MANIFEST_GRAPH.value(header, HT.fieldValue))
        body = MANIFEST_GRAPH.value(request, HT.body)
        content = b""
        if body is not None:
            encoding = str(MANIFEST_GRAPH.value(body, CNT.characterEncoding) or "UTF-8")
            content = str(MANIFEST_GRAPH.value(body, CNT.chars)).encode(encoding)
        response_node = MANIFEST_GRAPH.value(request, HT.resp)
        expected = _expected_statuses(response_node)
        is_update = "sparql-update" in headers.get("content-type", "") or \
            content.startswith(b"update=")
        if name.startswith("update_"):
            if not is_update:
                continue  # checks the effect of an update, which a read-only endpoint refuses
            expected = {4}  # read-only endpoint: a successful update must not happen
        response = httpx.request(method, w3c_server + path, headers=headers, content=content,
                                 timeout=30)
        assert response.status_code // 100 in expected, (response.status_code, response.text)
        if response.status_code >= 400:
            assert response.text.strip(), "an error response says what is wrong"
            assert response.headers["content-type"].startswith("text/plain")
            continue
        fmt = MANIFEST_GRAPH.value(response_node, MF.expectedFormat)
        media = response.headers["content-type"].split(";")[0]
        if str(fmt) == "boolean":
            assert media in {"application/sparql-results+json", "application/sparql-results+xml"}
            boolean = MANIFEST_GRAPH.value(response_node, MF.expectedBoolean)
            if boolean is not None and media.endswith("json"):
                assert json.loads(response.text)["boolean"] is boolean.toPython()
            elif boolean is not None:
                assert f"<boolean>{str(boolean).lower()}</boolean>" in response.text
        elif str(fmt) == "tabular":
            assert media in {"application/sparql-results+json", "application/sparql-results+xml",
                             "text/csv", "text/tab-separated-values"}
        elif str(fmt) == "RDF":
            assert media in {"application/rdf+xml", "text/turtle", "application/n-triples"}
