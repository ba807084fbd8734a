"""JSON-LD views: /context.jsonld, /api/<collection>, /api/<collection>/<id>, /queries."""

from __future__ import annotations

import asyncio
import difflib
from functools import cache

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response

from ... import paths
from ...namespaces import ALL_GRAPHS, PREFIXES, iri_of, sparql_prologue, to_iri
from ...queryfile import QueryFile, view
from ...relations import relations
from ...results import run
from ..server.door import short
from ..server.gateway import Job, store_for
from .collections import COLLECTIONS, CollectionSpec, Filter, filter_parameters
from .docs import examples
from .jsonld import frame_entity

router = APIRouter()
JSONLD = "application/ld+json"
KIND_PATTERN = "^(complementary|comparable|same-cell)$"
KINDS = examples("complementary", "comparable", "same-cell")


class JSONLDResponse(JSONResponse):
    media_type = JSONLD


MAX_FILTERS = 8      # filters one /api list request may combine
MAX_VALUE_CHARS = 2000  # characters of one filter or parameter value


def filter_term(name: str, value: str, spec: Filter) -> ox.NamedNode | ox.Literal:
    """The RDF term a filter value stands for; 400 when it is no valid IRI or too long."""
    if len(value) > MAX_VALUE_CHARS:
        raise HTTPException(400, {"error": f"the value of {name!r} has {len(value)} "
                                           f"characters; at most {MAX_VALUE_CHARS}"})
    try:
        return spec.term(value)
    except ValueError as error:
        raise HTTPException(400, {"error": f"the value of {name!r}, {short(value)!r}, is no "
                                           f"valid IRI: {short(str(error))}"}) from None


def select(store: ox.Store, query: str, bindings: dict | None = None,
           prefixes: bool = False) -> list[dict]:
    """SELECT rows as dicts of RDF terms (None when unbound)."""
    solutions = run(store, query, prefixes=prefixes, bindings=bindings)
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names} for row in solutions]


def entity_triples(store: ox.Store, iri: str) -> list[ox.Triple]:
    return list(run(store, view("entity"), prefixes=False,
                    bindings={"entity": ox.NamedNode(iri)}))


def _exists(store: ox.Store, iri: str) -> bool:
    """True when the store says anything about the IRI (False for strings that are no IRI)."""
    try:
        node = ox.NamedNode(iri)
    except ValueError:
        return False
    return run(store, "ASK { ?s ?p ?o }", prefixes=False, bindings={"s": node})


def _ids(store: ox.Store, prefix: str, cls: str) -> list[str]:
    rows = select(store, view("instances"), {"class": ox.NamedNode(iri_of(cls))})
    return [r["s"].value[len(PREFIXES[prefix]):] for r in rows
            if r["s"].value.startswith(PREFIXES[prefix])]


def not_found(store: ox.Store, collection: str, identifier: str) -> HTTPException:
    spec = COLLECTIONS[collection]
    close = difflib.get_close_matches(identifier, _ids(store, spec.prefix, spec.cls), n=5,
                                      cutoff=0.5)
    return HTTPException(404, {"error": f"nothing called {identifier!r} in {collection}",
                               "closeMatches": [f"/api/{collection}/{c}" for c in close]})


def members(store: ox.Store, spec: CollectionSpec,
            terms: list[tuple[Filter, ox.NamedNode | ox.Literal]]) -> list[dict]:
    """The collection's members (item, label) in IRI order that every filter selects with its
    value (each filter its own query, sparql/api/<collection>/<filter>.rq)."""
    cls = ox.NamedNode(iri_of(spec.cls))
    rows = select(store, view("api/members"), {"class": cls})
    for item, term in terms:
        chosen = {r["item"] for r in select(store, item.query, {"class": cls, "value": term})}
        rows = [r for r in rows if r["item"] in chosen]
    return rows


@router.get("/context.jsonld", tags=["JSON-LD"], summary="The JSON-LD context of all views",
            response_class=JSONLDResponse)
async def context(request: Request) -> JSONLDResponse:
    return JSONLDResponse(request.app.state.context)


@router.get("/api/{collection}", tags=["JSON-LD"], summary="List a collection (paged, filtered)",
            response_class=JSONLDResponse,
            description="Collections: " + ", ".join(COLLECTIONS) + ". Filters per collection "
                        "are listed in each response's `filters`; e.g. "
                        "`/api/techniques?cluster=imaging&operando=true`, "
                        "`/api/cells?technique=xas`. Ordering is by IRI (stable).",
            openapi_extra={"parameters": filter_parameters()})
async def list_collection(request: Request,
                          collection: str = Path(openapi_examples=examples(*COLLECTIONS)),
                          page: int = Query(1, ge=1, le=100000, openapi_examples=examples(1)),
                          size: int = Query(50, ge=1, le=500, openapi_examples=examples(50))
                          ) -> JSONLDResponse:
    if collection not in COLLECTIONS:
        raise HTTPException(404, {"error": f"no collection {collection!r}",
                                  "collections": [f"/api/{c}" for c in COLLECTIONS]})
    spec = COLLECTIONS[collection]
    filters = [(n, v) for n, v in sorted(request.query_params.multi_items())
               if n not in {"page", "size"}]
    if len(filters) > MAX_FILTERS:
        raise HTTPException(422, {"error": f"{len(filters)} filters; at most {MAX_FILTERS}"})
    terms = []
    for name, value in filters:
        if name not in spec.filters:
            raise HTTPException(422, {"error": f"unknown filter {short(name)!r} for {collection}",
                                      "filters": sorted(spec.filters)})
        terms.append((spec.filters[name], filter_term(name, value, spec.filters[name])))
    rows = await asyncio.to_thread(members, store_for(request), spec, terms)
    total = len(rows)
    chosen = rows[(page - 1) * size: page * size]
    base = str(request.url.remove_query_params(["page"]))
    separator = "&" if "?" in base else "?"
    paging = {"@id": str(request.url)}
    if page * size < total:
        paging["next"] = f"{base}{separator}page={page + 1}"
    if page > 1:
        paging["previous"] = f"{base}{separator}page={page - 1}"
    return JSONLDResponse({
        "@context": str(request.base_url) + "context.jsonld",
        "@id": str(request.url),
        "@type": "hydra:Collection",
        "description": spec.description,
        "totalItems": total,
        "view": paging,
        "filters": {n: f.description for n, f in spec.filters.items()},
        "member": [{"@id": r["item"].value, "label": r["label"].value if r["label"] else None,
                    "api": f"/api/{collection}/{r['item'].value[len(PREFIXES[spec.prefix]):]}"}
                   for r in chosen],
    })


@router.get("/api/techniques/{identifier}/complementary", tags=["Reasoning"],
            summary="Techniques related to a technique, with reasons",
            description="Complementary techniques (same observable by a different probe, depth, "
                        "length scale or dimensionality), comparable offers (same technique at "
                        "two partners) and techniques combinable on one cell. `kind` filters: "
                        "complementary, comparable, same-cell. Example: "
                        "`/api/techniques/xps/complementary?kind=complementary`.")
async def technique_relations(request: Request,
                              identifier: str = Path(openapi_examples=examples("xps", "xrd")),
                              kind: str | None = Query(None, pattern=KIND_PATTERN,
                                                       openapi_examples=KINDS)
                              ) -> JSONResponse:
    return await _relations(request, "techniques", identifier, kind)


@router.get("/api/matrix-entries/{identifier}/complementary", tags=["Reasoning"],
            summary="Techniques complementing a matrix entry, with reasons",
            description="The relations of the entry's technique about an observable this entry "
                        "measures. Example: `/api/matrix-entries/xps-model/complementary`.")
async def entry_relations(request: Request,
                          identifier: str = Path(openapi_examples=examples("xps-model")),
                          kind: str | None = Query(None, pattern=KIND_PATTERN,
                                                   openapi_examples=KINDS)) -> JSONResponse:
    return await _relations(request, "matrix-entries", identifier, kind)


async def _relations(request: Request, collection: str, identifier: str,
                     kind: str | None) -> JSONResponse:
    store = store_for(request)
    iri = PREFIXES[COLLECTIONS[collection].prefix] + identifier
    if not await asyncio.to_thread(_exists, store, iri):
        raise await asyncio.to_thread(not_found, store, collection, identifier)
    if collection == "matrix-entries":
        rows = await asyncio.to_thread(select, store,
                                       "SELECT ?t ?e WHERE { ?e bmo:technique ?t }",
                                       {"e": ox.NamedNode(iri)}, True)
        technique, entry = rows[0]["t"].value, iri
    else:
        technique, entry = iri, None
    found = await asyncio.to_thread(relations, store, technique, entry)
    return JSONResponse({"technique": technique, "entry": entry,
                         "relations": [r.as_dict() for r in found
                                       if kind is None or r.kind == kind]})


def entity_document(store, context: dict, iri: str) -> dict:
    return frame_entity(iri, entity_triples(store, iri), context)


@router.get("/api/{collection}/{identifier:path}", tags=["JSON-LD"],
            summary="One entity as framed JSON-LD", response_class=JSONLDResponse,
            description="The entity with its own triples, the blank nodes it owns (quantities, "
                        "observable statements, offers) and the labels and types of what it "
                        "links to, embedded one level. Example: `/api/techniques/xrd`.")
async def get_entity(request: Request,
                     collection: str = Path(openapi_examples=examples("techniques")),
                     identifier: str = Path(openapi_examples=examples("xrd"))) -> JSONLDResponse:
    if collection not in COLLECTIONS:
        raise HTTPException(404, {"error": f"no collection {collection!r}"})
    spec = COLLECTIONS[collection]
    iri = PREFIXES[spec.prefix] + identifier
    store = store_for(request)
    if not await asyncio.to_thread(_exists, store, iri):
        raise await asyncio.to_thread(not_found, store, collection, identifier)
    document = await asyncio.to_thread(entity_document, store, request.app.state.context, iri)
    document["@context"] = str(request.base_url) + "context.jsonld"
    return JSONLDResponse(document)


@cache
def named_queries() -> dict[str, QueryFile]:
    return {q.name: q for q in (QueryFile.read(p) for p in sorted(paths.QUERIES_DIR.glob("*.rq")))}


@router.get("/queries", tags=["Named queries"], summary="The named competency queries")
async def list_queries() -> JSONResponse:
    return JSONResponse([{"name": q.name, "title": q.title, "description": q.description,
                          "sparql": sparql_prologue() + q.text,
                          "parameters": [{"name": p.name, "kind": p.kind,
                                          "description": p.description} for p in q.parameters],
                          "href": f"/queries/{q.name}"} for q in named_queries().values()])


def _parameter_term(value: str, kind: str) -> ox.NamedNode | ox.Literal:
    if kind == "iri":
        return ox.NamedNode(to_iri(value) or value)
    if kind.startswith("literal:"):
        return ox.Literal(value, datatype=ox.NamedNode(iri_of(kind.removeprefix("literal:"))))
    return ox.Literal(value)


@router.get("/queries/{name}", tags=["Named queries"], summary="Run a named query",
            description="Runs `queries/<name>.rq`. Parameters are given as query-string "
                        "values and bound as RDF terms (never pasted into the query). Results "
                        "as SPARQL JSON (or Turtle for CONSTRUCT). Example: "
                        "`/queries/tier1-experiments-starting-before?month=12`; each query's "
                        "parameters (with their defaults) are listed at `/queries`.")
async def run_named_query(request: Request, name: str = Path(openapi_examples=examples(
        "cells-serving-technique", "tier1-experiments-starting-before"))):
    queries = named_queries()
    if name not in queries:
        raise HTTPException(404, {"error": f"no named query {short(name)!r}",
                                  "closeMatches": difflib.get_close_matches(name, list(queries))})
    query = queries[name]
    declared = {p.name: p for p in query.parameters}
    bindings = {}
    for key, value in request.query_params.items():
        if key not in declared:
            raise HTTPException(422, {"error": f"unknown parameter {short(key)!r}",
                                      "parameters": sorted(declared)})
        try:
            bindings[key] = _parameter_term(value, declared[key].kind)
        except ValueError as error:
            raise HTTPException(422, {"error": f"bad value for {key!r}: "
                                               f"{short(str(error))}"}) from None
    answer = await request.app.state.gateway.run(Job(
        query.text, default_graphs=ALL_GRAPHS, named_graphs=ALL_GRAPHS,
        graph_types=("text/turtle",), max_bytes=request.app.state.settings.max_result_bytes,
        prefixes=tuple(PREFIXES.items()), substitutions=tuple(bindings.items())),
        request.is_disconnected)
    return Response(answer.body, media_type=answer.media_type)
