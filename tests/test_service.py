"""The service, started for real (uvicorn on a free loopback port), used by real clients."""

from __future__ import annotations

import json
import re

import httpx
import pyoxigraph as ox
import pytest
from pyld import jsonld
from rdflib import Graph
from rdflib.compare import isomorphic
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from bigmap_kg.namespaces import BASE, BMO, GRAPH_ONTOLOGY
from bigmap_kg.web.api import entity_triples
from bigmap_kg.web.jsonld import to_nquads

from .server import running_server

TECHNIQUES = "PREFIX bmo: <https://w3id.org/bigmap-kg/ontology#> " \
             "SELECT ?t WHERE { ?t a bmo:Technique } ORDER BY ?t"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def httpx_document_loader(url: str, options=None) -> dict:
    """pyld fetches remote contexts (our /context.jsonld) over real HTTP with httpx."""
    response = httpx.get(url, headers={"Accept": "application/ld+json"})
    response.raise_for_status()
    return {"contextUrl": None, "documentUrl": url, "document": response.json()}


@pytest.fixture(scope="module")
def server(store_path):
    jsonld.set_document_loader(httpx_document_loader)
    with running_server(store_path) as base:
        yield base


def sparql(server: str, query: str, fmt=JSON):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client.query().convert()


def test_select_with_sparqlwrapper(server, store) -> None:
    rows = sparql(server, TECHNIQUES)["results"]["bindings"]
    assert len(rows) == sum(1 for _ in store.query(
        "SELECT ?t WHERE { ?t a <https://w3id.org/bigmap-kg/ontology#Technique> }",
        use_default_graph_as_union=True))
    assert rows, "the graph has techniques"


def test_ask_and_construct_with_sparqlwrapper(server) -> None:
    assert sparql(server, "ASK { ?s a <https://w3id.org/bigmap-kg/ontology#Partner> }")[
        "boolean"] is True
    graph = sparql(server, "CONSTRUCT { ?p a ?c } WHERE { ?p a "
                           "<https://w3id.org/bigmap-kg/ontology#Partner> ; a ?c }", TURTLE)
    # the 15 partners, each a bmo:Partner and (inferred) its superclasses bmo:Organisation and
    # EMMO's organisation (ontology/alignment.ttl)
    parsed = Graph().parse(data=graph, format="turtle")
    assert len(set(parsed.subjects())) == 15 and len(parsed) == 45


@pytest.mark.parametrize(("fmt", "media"), [(XML, "application/sparql-results+xml"),
                                            (CSV, "text/csv")])
def test_result_formats(server, fmt, media) -> None:
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(TECHNIQUES)
    client.setReturnFormat(fmt)
    response = client.query()
    assert response.info()["content-type"].startswith(media)


def test_content_negotiation(server) -> None:
    url = server + "/sparql"
    tsv = httpx.get(url, params={"query": TECHNIQUES},
                    headers={"Accept": "text/tab-separated-values"})
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert tsv.text.startswith("?t\n")
    nt = httpx.get(url, params={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"},
                   headers={"Accept": "application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=nt.text, format="nt")) == 3
    browser = httpx.get(url, params={"query": TECHNIQUES, "format": "csv"},
                        headers={"Accept": "text/html"})
    assert browser.headers["content-type"].startswith("text/csv")
    refused = httpx.get(url, params={"query": TECHNIQUES}, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and refused.text


def test_updates_and_federation_are_refused(server) -> None:
    url = server + "/sparql"
    update = httpx.post(url, content=b"INSERT DATA { <a:b> <a:c> <a:d> }",
                        headers={"Content-Type": "application/sparql-update"})
    assert update.status_code == 403 and "read-only" in update.text
    federated = httpx.get(url, params={"query": "SELECT * WHERE { SERVICE <http://example.org/"
                                                "sparql> { ?s ?p ?o } }"})
    assert federated.status_code == 403 and "SERVICE" in federated.text
    text_only = httpx.get(url, params={"query": 'SELECT * WHERE { ?s ?p "SERVICE" }'})
    assert text_only.status_code == 200


def test_service_description_and_cors(server) -> None:
    response = httpx.get(server + "/sparql", headers={"Accept": "text/turtle",
                                                      "Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    graph = Graph().parse(data=response.text, format="turtle")
    assert any("sparql-service-description#Service" in str(o) for o in graph.objects())


def test_timeout_stops_the_query_and_the_server_stays_responsive(store_path) -> None:
    with running_server(store_path, BIGMAP_KG_QUERY_TIMEOUT="1",
                        BIGMAP_KG_QUERY_WORKERS="1") as base:
        slow = httpx.get(base + "/sparql", params={"query": HEAVY}, timeout=30)
        assert slow.status_code == 503 and "timed out" in slow.text
        quick = httpx.get(base + "/sparql", params={"query": TECHNIQUES}, timeout=30)
        assert quick.status_code == 200


def test_result_size_limit(store_path) -> None:
    with running_server(store_path, BIGMAP_KG_MAX_RESULT_BYTES="2000") as base:
        big = httpx.get(base + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert big.status_code == 413 and "LIMIT" in big.text


def test_asserted_only_parameter(server) -> None:
    query = "ASK { ?t <https://w3id.org/bigmap-kg/ontology#hasMatrixEntry> ?e }"
    assert json.loads(httpx.get(server + "/sparql", params={"query": query}).text)["boolean"]
    asserted = httpx.get(server + "/sparql", params={"query": query, "inferred": "false"})
    assert json.loads(asserted.text)["boolean"] is False


def test_entity_jsonld_expands_to_exactly_the_entity_triples(server, store) -> None:
    for path, iri in [("/api/partners/dtu", "https://w3id.org/bigmap-kg/partner/dtu"),
                      ("/api/techniques/xrd", "https://w3id.org/bigmap-kg/technique/xrd"),
                      ("/api/matrix-entries/xrd-commercial",
                       "https://w3id.org/bigmap-kg/matrix-entry/xrd-commercial"),
                      ("/api/cells/dtu-capillary", "https://w3id.org/bigmap-kg/cell/dtu-capillary")]:
        response = httpx.get(server + path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("application/ld+json")
        document = response.json()
        assert jsonld.expand(document)[0]["@id"] == iri
        nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
        served = Graph().parse(data=nquads, format="nt")
        expected = Graph().parse(data=to_nquads(entity_triples(store, iri)), format="nt")
        assert len(served) == len(expected) > 5
        assert isomorphic(served, expected), path


def test_collections_filter_page_and_order(server) -> None:
    imaging = httpx.get(server + "/api/techniques", params={"cluster": "imaging", "size": 5})
    assert imaging.status_code == 200
    body = imaging.json()
    assert body["totalItems"] > 5 and len(body["member"]) == 5 and "next" in body["view"]
    ids = [m["@id"] for m in body["member"]]
    assert ids == sorted(ids)
    second = httpx.get(body["view"]["next"]).json()
    assert not set(ids) & {m["@id"] for m in second["member"]}
    unknown = httpx.get(server + "/api/techniques", params={"colour": "red"})
    assert unknown.status_code == 422 and "cluster" in unknown.json()["detail"]["filters"]


def test_unknown_entity_is_404_with_close_matches(server) -> None:
    response = httpx.get(server + "/api/partners/dtuu")
    assert response.status_code == 404
    assert "/api/partners/dtu" in response.json()["detail"]["closeMatches"]


def test_named_queries_list_and_run(server) -> None:
    listing = httpx.get(server + "/queries").json()
    assert {q["name"] for q in listing} >= {"tier1-experiments-starting-before"}
    assert all(q["title"] for q in listing)
    run = httpx.get(server + "/queries/tier1-experiments-starting-before", params={"month": "8"})
    assert run.status_code == 200
    months = [int(b["startMonth"]["value"]) for b in run.json()["results"]["bindings"]]
    assert months and max(months) < 8
    injection = httpx.get(server + "/queries/tier1-experiments-starting-before",
                          params={"month": "8) } #"})
    assert injection.status_code in (200, 422)
    if injection.status_code == 200:
        assert injection.json()["results"]["bindings"] == []


def test_iris_dereference(server) -> None:
    client = httpx.Client(base_url=server, follow_redirects=False)
    see_other = client.get("/technique/xrd", headers={"Accept": "text/turtle"})
    assert see_other.status_code == 303 and see_other.headers["location"] == "/technique/xrd.ttl"
    document = client.get("/technique/xrd.ttl")
    assert document.headers["content-location"] == "/technique/xrd.ttl"
    assert len(Graph().parse(data=document.text, format="turtle")) > 5
    page = client.get("/technique/xrd", headers={"Accept": "text/html"}, follow_redirects=True)
    assert page.headers["content-type"].startswith("text/html") and "tech:xrd" in page.text
    assert client.get("/technique/no-such-thing").status_code == 404


@pytest.mark.parametrize("path", ["/technique/xrd", "/technique/xrd.ttl", "/ontology.html",
                                  "/api/techniques?cluster=imaging", "/matrix",
                                  "/sparql?query=ASK%7B%7D", "/no-such-page"])
def test_head_answers_as_get_without_the_body(server, path: str) -> None:
    with httpx.Client(base_url=server) as client:
        got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code
    assert head.content == b""
    for name in ("content-type", "location", "content-location", "link"):
        assert head.headers.get(name) == got.headers.get(name), name
    if "content-length" in got.headers:
        assert head.headers["content-length"] == got.headers["content-length"] == \
            str(len(got.content))


def iris_by_shape(store) -> dict[tuple[str, int], str]:
    """One IRI of our namespace per shape (first path segment, depth) that the graph names,
    ontology terms and graph names aside: each of them must dereference."""
    found: dict[tuple[str, int], str] = {}
    for row in store.query("SELECT DISTINCT ?iri WHERE { { ?iri ?p ?o } UNION { ?s ?p ?iri } "
                           f"FILTER (isIRI(?iri) && STRSTARTS(STR(?iri), '{BASE}')) }}",
                           use_default_graph_as_union=True):
        path = row["iri"].value[len(BASE):]
        if not path.startswith(("ontology", "graph/")):
            found.setdefault((path.split("/")[0], path.count("/")), row["iri"].value)
    return found


def test_every_kind_of_iri_in_the_graph_dereferences(server, store) -> None:
    shapes = iris_by_shape(store)
    assert {("relation", 2), ("technique", 3), ("source", 1), ("cell", 1)} <= set(shapes)
    with httpx.Client(base_url=server) as client:
        for iri in shapes.values():
            path = iri[len(BASE) - 1:]
            turtle = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
            assert turtle.status_code == 200, iri
            subjects = {str(s) for s in Graph().parse(data=turtle.text, format="turtle")
                        .subjects()}
            assert iri in subjects, iri
            page = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
            assert page.status_code == 200 and iri in page.text, iri


def test_the_ontology_and_its_terms_dereference(server, store, ontology_graph) -> None:
    with httpx.Client(base_url=server) as client:
        see_other = client.get("/ontology", headers={"Accept": "text/turtle"})
        assert see_other.status_code == 303 and see_other.headers["location"] == "/ontology.ttl"
        served = Graph().parse(data=client.get("/ontology.ttl").text, format="turtle")
        as_jsonld = Graph().parse(data=client.get("/ontology.jsonld").text, format="json-ld")
        page = client.get("/ontology", headers={"Accept": "text/html"}, follow_redirects=True)
        assert client.get("/ontology.owl").status_code == 404
    built = Graph().parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES,
                                          from_graph=ox.NamedNode(GRAPH_ONTOLOGY)), format="nt")
    assert isomorphic(served, built) and isomorphic(as_jsonld, built)
    assert len(served) >= len(ontology_graph)
    anchors = set(re.findall(r'<dt id="([^"]+)"', page.text))
    used = {row["term"].value[len(BMO):] for row in store.query(
        "SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } "
        f"FILTER (STRSTARTS(STR(?term), '{BMO}')) }}", use_default_graph_as_union=True)}
    assert used and used <= anchors, sorted(used - anchors)
    technique = page.text.split('<dt id="Technique">', 1)[1].split("</dd>", 1)[0]
    chameo = "https://w3id.org/emmo/domain/characterisation-methodology/chameo#"
    assert f'href="{chameo}CharacterisationTechnique">chameo:CharacterisationTechnique' \
        in technique  # the alignment, linked out


@pytest.mark.parametrize("workers", [None, 2], ids=["query-processes", "serve-workers-2"])
def test_no_server_error_for_any_request_the_openapi_spec_allows(server, store_path, tmp_path,
                                                                 workers) -> None:
    """schemathesis generates requests from /openapi.json (bounded) and finds no 5xx, both
    under plain uvicorn (a pool of query processes) and as `bigmap-kg serve --workers 2`
    serves (/sparql answered in the HTTP protocol itself when it can be)."""
    import subprocess
    import sys
    from contextlib import nullcontext
    from pathlib import Path

    st = Path(sys.executable).with_name("st")
    with nullcontext(server) if workers is None else \
            running_server(store_path, workers=workers) as base:
        result = subprocess.run([str(st), "run", base + "/openapi.json", "-c",
                                 "not_a_server_error", "-n", "25", "--generation-deterministic",
                                 "--phases", "coverage,fuzzing"], capture_output=True, text=True,
                                timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "passed" in result.stdout
