"""The SPARQL 1.1 Protocol endpoint: /sparql (read-only)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from ..namespaces import ASSERTED_GRAPHS
from . import protocol
from .description import service_description
from .negotiation import acceptable, choose
from .pool import GRAPH_FORMATS, Job, QueryError

router = APIRouter()
RDFLIB_NAMES = {"text/turtle": "turtle", "application/n-triples": "nt",
                "application/rdf+xml": "xml", "application/ld+json": "json-ld"}
EXAMPLE = ("SELECT ?technique ?label WHERE { ?technique a bmo:Technique ; rdfs:label ?label } "
           "LIMIT 5")


def error_response(error: QueryError) -> Response:
    headers = {"Allow": "GET, POST"} if error.status == 405 else None
    return PlainTextResponse(error.message + "\n", status_code=error.status, headers=headers)


async def answer(request: Request, method: str) -> Response:
    settings = request.app.state.settings
    body = await request.body() if method == "POST" else b""
    try:
        parsed = protocol.parse(method, request.url.query, request.headers.get("content-type"),
                                body)
        if parsed.query is None:
            return describe(request)
        if not settings.allow_service and protocol.uses_service(parsed.query):
            raise QueryError(403, "federated SERVICE calls to other endpoints are disabled on "
                                  "this server (no requests on a user's behalf)")
        fmt = (parsed.params.get("format") or [None])[0]
        result_types, graph_types = choose(request.headers.get("accept"), fmt)
        if not result_types and not graph_types:
            raise QueryError(406, "none of the requested media types can be produced; "
                                  "use SPARQL results JSON/XML/CSV/TSV or Turtle, N-Triples, "
                                  "RDF/XML, JSON-LD")
        inferred = (parsed.params.get("inferred") or ["true"])[0].lower() not in {"false", "0"}
        job = Job(query=parsed.query,
                  default_graphs=parsed.default_graphs or (None if inferred else ASSERTED_GRAPHS),
                  named_graphs=parsed.named_graphs or None,
                  result_types=result_types, graph_types=graph_types,
                  max_bytes=settings.max_result_bytes,
                  base_iri=str(request.url.replace(query="")))
        result = await request.app.state.pool.run(job)
    except QueryError as error:
        return error_response(error)
    return Response(result.body, media_type=result.media_type,
                    headers={"Vary": "Accept"})


def describe(request: Request) -> Response:
    """GET /sparql without a query: the service description (RDF) or a hint (text)."""
    settings = request.app.state.settings
    types = acceptable(request.headers.get("accept"), list(GRAPH_FORMATS))
    if not types:
        raise QueryError(400, "missing 'query' parameter (GET /sparql with an RDF Accept "
                              "header returns the service description)")
    endpoint = str(request.url.replace(query=""))
    graph = service_description(endpoint, settings.query_timeout, settings.max_result_bytes)
    return Response(graph.serialize(format=RDFLIB_NAMES[types[0]]), media_type=types[0])


class SparqlFastPath:
    """ASGI wrapper: GET and POST /sparql skip the framework (routing, middleware stack) —
    the same `answer()` as the documented routes, about 0.5 ms less per query. CORS headers
    for simple requests are added here; preflights and every other path go to the app."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql" or \
                scope["method"] not in ("GET", "POST"):
            return await self.app(scope, receive, send)
        scope["app"] = self.app
        request = Request(scope, receive)
        try:
            response = await answer(request, scope["method"])
        except QueryError as error:
            response = error_response(error)
        if "origin" in request.headers:
            response.headers["Access-Control-Allow-Origin"] = "*"
            response.headers["Access-Control-Expose-Headers"] = "Content-Location, Link"
        await response(scope, receive, send)


@router.get("/sparql", summary="SPARQL query (GET)", tags=["SPARQL"],
            description="SPARQL 1.1 Protocol query via GET: `?query=` plus optional "
                        "`default-graph-uri`, `named-graph-uri`, `format` and `inferred=false` "
                        "(asserted graphs only). Without `query` and with an RDF Accept header "
                        f"it returns the service description. Example: `{EXAMPLE}`.")
async def sparql_get(request: Request) -> Response:
    try:
        return await answer(request, "GET")
    except QueryError as error:
        return error_response(error)


@router.post("/sparql", summary="SPARQL query (POST form or direct)", tags=["SPARQL"],
             description="SPARQL 1.1 Protocol query via POST, either "
                         "`application/x-www-form-urlencoded` (`query=...`) or "
                         "`application/sparql-query` (the query is the body). Updates are "
                         "refused (read-only endpoint).")
async def sparql_post(request: Request) -> Response:
    try:
        return await answer(request, "POST")
    except QueryError as error:
        return error_response(error)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other(request: Request) -> Response:
    return error_response(QueryError(405, f"method {request.method} is not allowed: use GET "
                                          "or POST"))
