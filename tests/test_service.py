"""The service. Real clients (SPARQLWrapper, pyld fetching our context, schemathesis) use the
session's real server (uvicorn on a free loopback port); what is request → response semantics
(negotiation, refusals, limits, dereferencing, HEAD) asks the app in-process (TestClient)."""

from __future__ import annotations

import json
import re

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from pyld import jsonld
from rdflib import BNode, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, SKOS
from SPARQLWrapper import CSV, JSON, TURTLE, XML, SPARQLWrapper

from bigmap_kg.namespaces import BASE, BMO, GRAPH_ONTOLOGY
from bigmap_kg.web.app import create_app
from bigmap_kg.web.server.settings import Settings

TECHNIQUES = "PREFIX bmo: <https://w3id.org/bigmap-kg/ontology#> " \
             "SELECT ?t WHERE { ?t a bmo:Technique } ORDER BY ?t"
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def httpx_document_loader(url: str, options=None) -> dict:
    """pyld fetches remote contexts (our /context.jsonld) over real HTTP with httpx."""
    response = httpx.get(url, headers={"Accept": "application/ld+json"})
    response.raise_for_status()
    return {"contextUrl": None, "documentUrl": url, "document": response.json()}


def sparql(server: str, query: str, fmt=JSON):
    client = SPARQLWrapper(server + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client.query().convert()


def test_select_with_sparqlwrapper(server, data_graph) -> None:
    """The techniques the data files type bmo:Technique, in IRI order."""
    rows = sparql(server, TECHNIQUES)["results"]["bindings"]
    assert [row["t"]["value"] for row in rows] == \
        sorted(str(t) for t in data_graph.subjects(RDF.type, BMO.Technique))
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


def test_content_negotiation(client: TestClient) -> None:
    url = "/sparql"
    tsv = client.get(url, params={"query": TECHNIQUES},
                    headers={"Accept": "text/tab-separated-values"})
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    assert tsv.text.startswith("?t\n")
    nt = client.get(url, params={"query": "CONSTRUCT WHERE { ?s a ?o } LIMIT 3"},
                   headers={"Accept": "application/n-triples"})
    assert nt.headers["content-type"].startswith("application/n-triples")
    assert len(Graph().parse(data=nt.text, format="nt")) == 3
    browser = client.get(url, params={"query": TECHNIQUES, "format": "csv"},
                        headers={"Accept": "text/html"})
    assert browser.headers["content-type"].startswith("text/csv")
    refused = client.get(url, params={"query": TECHNIQUES}, headers={"Accept": "image/png"})
    assert refused.status_code == 406 and refused.text


def test_updates_and_federation_are_refused(client: TestClient) -> None:
    url = "/sparql"
    update = client.post(url, content=b"INSERT DATA { <a:b> <a:c> <a:d> }",
                        headers={"Content-Type": "application/sparql-update"})
    assert update.status_code == 403 and "read-only" in update.text
    federated = client.get(url, params={"query": "SELECT * WHERE { SERVICE <http://example.org/"
                                                "sparql> { ?s ?p ?o } }"})
    assert federated.status_code == 403 and "SERVICE" in federated.text
    text_only = client.get(url, params={"query": 'SELECT * WHERE { ?s ?p "SERVICE" }'})
    assert text_only.status_code == 200


def test_service_description_and_cors(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle",
                                                      "Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    graph = Graph().parse(data=response.text, format="turtle")
    assert any("sparql-service-description#Service" in str(o) for o in graph.objects())


def test_timeout_stops_the_query_and_the_server_stays_responsive(store_path) -> None:
    settings = Settings(store=store_path, query_timeout=1, query_workers=1)
    with TestClient(create_app(settings)) as client:
        slow = client.get("/sparql", params={"query": HEAVY})
        assert slow.status_code == 503 and "timed out" in slow.text
        quick = client.get("/sparql", params={"query": TECHNIQUES})
        assert quick.status_code == 200


def test_result_size_limit(store_path) -> None:
    settings = Settings(store=store_path, max_result_bytes=2000, query_workers=1)
    with TestClient(create_app(settings)) as client:
        big = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert big.status_code == 413 and "LIMIT" in big.text


def test_asserted_only_parameter(client: TestClient) -> None:
    query = "ASK { ?t <https://w3id.org/bigmap-kg/ontology#hasMatrixEntry> ?e }"
    assert json.loads(client.get("/sparql", params={"query": query}).text)["boolean"]
    asserted = client.get("/sparql", params={"query": query, "inferred": "false"})
    assert json.loads(asserted.text)["boolean"] is False


ENTITIES = [("/api/partners/dtu", BASE + "partner/dtu"),
            ("/api/techniques/xrd", BASE + "technique/xrd"),
            ("/api/matrix-entries/xrd-commercial", BASE + "matrix-entry/xrd-commercial"),
            ("/api/cells/dtu-capillary", BASE + "cell/dtu-capillary")]
#: what the entity view adds about a named node the entity links to (sparql/entity.rq)
NAMING = {RDF.type, RDFS.label, SKOS.prefLabel}


def described(graph: Graph, node: BNode) -> frozenset:
    """A blank node as the set of its (predicate, value) pairs with named values."""
    return frozenset((p, o) for p, o in graph.predicate_objects(node) if not isinstance(o, BNode))


def held(store, iri: str) -> set[tuple[str, str]]:
    """(predicate, value) of every quad the store holds about `iri` in any graph, blank values
    aside (a pattern look-up, not the view)."""
    return {(q.predicate.value, q.object.value)
            for q in store.quads_for_pattern(ox.NamedNode(iri), None, None, None)
            if not isinstance(q.object, ox.BlankNode)}


def test_entity_jsonld_expands_to_exactly_the_entity_triples(server, store, data_graph) -> None:
    """pyld, fetching our context over real HTTP, turns each document into RDF: it holds every
    triple the data files state about the entity (their blank nodes with all their values), the
    store's own (asserted and inferred) triples about it, and beyond them only what the view
    promises (sparql/entity.rq): its blank nodes' triples and the types and labels of what it
    links to."""
    jsonld.set_document_loader(httpx_document_loader)
    for path, iri in ENTITIES:
        response = httpx.get(server + path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("application/ld+json")
        document = response.json()
        assert jsonld.expand(document)[0]["@id"] == iri
        served = Graph().parse(data=jsonld.to_rdf(document, {"format": "application/n-quads"}),
                               format="nt")
        entity = URIRef(iri)
        own = {(p, o) for p, o in served.predicate_objects(entity) if not isinstance(o, BNode)}
        stated = {(p, o) for p, o in data_graph.predicate_objects(entity)
                  if not isinstance(o, BNode)}
        assert len(stated) > 3 and stated <= own, (path, stated - own)
        assert {(str(p), str(o)) for p, o in own} == held(store, iri), path
        for p, node in data_graph.predicate_objects(entity):
            if isinstance(node, BNode):
                assert any(described(data_graph, node) <= described(served, b)
                           for b in served.objects(entity, p) if isinstance(b, BNode)), (path, p)
        owned = {o for o in served.objects(entity) if isinstance(o, BNode)}
        for s, p, o in served:
            assert s == entity or s in owned or p in NAMING, (path, s, p, o)


def test_collections_filter_page_and_order(client: TestClient) -> None:
    imaging = client.get("/api/techniques", params={"cluster": "imaging", "size": 5})
    assert imaging.status_code == 200
    body = imaging.json()
    assert body["totalItems"] > 5 and len(body["member"]) == 5 and "next" in body["view"]
    ids = [m["@id"] for m in body["member"]]
    assert ids == sorted(ids)
    second = client.get(body["view"]["next"]).json()
    assert not set(ids) & {m["@id"] for m in second["member"]}
    unknown = client.get("/api/techniques", params={"colour": "red"})
    assert unknown.status_code == 422 and "cluster" in unknown.json()["detail"]["filters"]


def test_unknown_entity_is_404_with_close_matches(client: TestClient) -> None:
    response = client.get("/api/partners/dtuu")
    assert response.status_code == 404
    assert "/api/partners/dtu" in response.json()["detail"]["closeMatches"]


def test_named_queries_list_and_run(client: TestClient) -> None:
    listing = client.get("/queries").json()
    assert {q["name"] for q in listing} >= {"tier1-experiments-starting-before"}
    assert all(q["title"] for q in listing)
    run = client.get("/queries/tier1-experiments-starting-before", params={"month": "8"})
    assert run.status_code == 200
    months = [int(b["startMonth"]["value"]) for b in run.json()["results"]["bindings"]]
    assert months and max(months) < 8
    injection = client.get("/queries/tier1-experiments-starting-before",
                          params={"month": "8) } #"})
    assert injection.status_code in (200, 422)
    if injection.status_code == 200:
        assert injection.json()["results"]["bindings"] == []


def test_iris_dereference(client: TestClient) -> None:
    see_other = client.get("/technique/xrd", headers={"Accept": "text/turtle"},
                           follow_redirects=False)
    assert see_other.status_code == 303 and see_other.headers["location"] == "/technique/xrd.ttl"
    document = client.get("/technique/xrd.ttl", follow_redirects=False)
    assert document.headers["content-location"] == "/technique/xrd.ttl"
    assert len(Graph().parse(data=document.text, format="turtle")) > 5
    page = client.get("/technique/xrd", headers={"Accept": "text/html"}, follow_redirects=True)
    assert page.headers["content-type"].startswith("text/html") and "tech:xrd" in page.text
    assert client.get("/technique/no-such-thing").status_code == 404


@pytest.mark.parametrize("path", ["/technique/xrd", "/technique/xrd.ttl", "/ontology.html",
                                  "/api/techniques?cluster=imaging", "/matrix",
                                  "/sparql?query=ASK%7B%7D", "/no-such-page"])
def test_head_answers_as_get_without_the_body(client: TestClient, path: str) -> None:
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


def test_every_kind_of_iri_in_the_graph_dereferences(client: TestClient, store) -> None:
    shapes = iris_by_shape(store)
    assert {("relation", 2), ("technique", 3), ("source", 1), ("cell", 1)} <= set(shapes)
    for iri in shapes.values():
        path = iri[len(BASE) - 1:]
        turtle = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
        assert turtle.status_code == 200, iri
        subjects = {str(s) for s in Graph().parse(data=turtle.text, format="turtle")
                    .subjects()}
        assert iri in subjects, iri
        page = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
        assert page.status_code == 200 and iri in page.text, iri


def test_the_ontology_and_its_terms_dereference(client: TestClient, store,
                                               ontology_graph) -> None:
    see_other = client.get("/ontology", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert see_other.status_code == 303 and see_other.headers["location"] == "/ontology.ttl"
    served = Graph().parse(data=client.get("/ontology.ttl").text, format="turtle")
    as_jsonld = Graph().parse(data=client.get("/ontology.jsonld").text, format="json-ld")
    page = client.get("/ontology", headers={"Accept": "text/html"}, follow_redirects=True)
    assert client.get("/ontology.owl").status_code == 404
    built = Graph().parse(data=store.dump(format=ox.RdfFormat.N_TRIPLES,
                                          from_graph=ox.NamedNode(GRAPH_ONTOLOGY)), format="nt")
    assert isomorphic(served, built) and isomorphic(as_jsonld, built)
    stated = {t for t in ontology_graph if not any(isinstance(term, BNode) for term in t)}
    assert stated and not stated - set(served)  # every named triple of ontology/*.ttl
    anchors = set(re.findall(r'<dt id="([^"]+)"', page.text))
    used = {row["term"].value[len(BMO):] for row in store.query(
        "SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } "
        f"FILTER (STRSTARTS(STR(?term), '{BMO}')) }}", use_default_graph_as_union=True)}
    assert used and used <= anchors, sorted(used - anchors)
    technique = page.text.split('<dt id="Technique">', 1)[1].split("</dd>", 1)[0]
    chameo = "https://w3id.org/emmo/domain/characterisation-methodology/chameo#"
    assert f'href="{chameo}CharacterisationTechnique">chameo:CharacterisationTechnique' \
        in technique  # the alignment, linked out


@pytest.mark.slow
def test_no_server_error_for_any_request_the_openapi_spec_allows(server, tmp_path) -> None:
    """schemathesis generates requests from /openapi.json (bounded) and finds no 5xx. Once, on
    the session's real server: `bigmap-kg serve --workers 2` runs this same app in each uvicorn
    worker (tests/test_serve_workers.py serves with two)."""
    import subprocess
    import sys
    from pathlib import Path

    st = Path(sys.executable).with_name("st")
    result = subprocess.run([str(st), "run", server + "/openapi.json", "-c",
                             "not_a_server_error", "-n", "25", "--generation-deterministic",
                             "--phases", "coverage,fuzzing"], capture_output=True, text=True,
                            timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "passed" in result.stdout
