"""The SPARQL 1.1 Protocol endpoint: /sparql (read-only).

One framework-free function, `answer()`, implements the protocol; the FastAPI routes call it.
The query runs through the gateway (`gateway.py`) like every other query of the service.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ...media import BY_TYPE, FORMAT_ALIASES, GRAPH_FORMATS
from ...namespaces import ASSERTED_GRAPHS, GRAPH_DATA, GRAPH_INFERRED
from ...querytext import MAX_CHAIN, MAX_DEPTH, Scan, scan
from ..server.gateway import Gone, Job, QueryError
from ..server.negotiation import acceptable, choose
from . import protocol
from .description import service_description

router = APIRouter()
EXAMPLE = ("PREFIX bmo: <https://w3id.org/bigmap-kg/ontology#>\n"
           "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
           "SELECT ?technique ?label WHERE { ?technique a bmo:Technique ; rdfs:label ?label }\n"
           "ORDER BY ?label LIMIT 5")
GRAPH_LIST = {"type": "array", "items": {"type": "string", "format": "uri"}}
DATASET_PARAMETERS = {  # the protocol's RDF dataset, as query parameters or form fields
    "default-graph-uri": ("Graphs whose union is the default graph (repeat for several); "
                          "without it: the union of all graphs", [GRAPH_DATA, GRAPH_INFERRED]),
    "named-graph-uri": ("Graphs GRAPH patterns may see (repeat for several)", [GRAPH_DATA]),
}
#: GET /sparql in the OpenAPI document (the protocol itself reads the raw query string)
GET_PARAMETERS = [
    {"name": "query", "in": "query", "schema": {"type": "string"}, "example": EXAMPLE,
     "description": "The SPARQL query. Without it, an RDF Accept header gets the service "
                    "description."},
    *({"name": name, "in": "query", "schema": GRAPH_LIST, "example": example,
       "description": description}
      for name, (description, example) in DATASET_PARAMETERS.items()),
    {"name": "format", "in": "query", "schema": {"type": "string", "enum": list(FORMAT_ALIASES)},
     "example": "json", "description": "The result format, instead of an Accept header."},
    {"name": "inferred", "in": "query", "schema": {"type": "boolean"}, "example": True,
     "description": "false: the asserted graphs only (without the reasoner's and rules' "
                    "facts)."},
]
POST_BODY = {"required": True, "content": {
    "application/x-www-form-urlencoded": {
        "schema": {"type": "object", "required": ["query"], "properties": {
            "query": {"type": "string"},
            **{name: GRAPH_LIST for name in DATASET_PARAMETERS}}},
        "example": {"query": EXAMPLE}},
    "application/sparql-query": {"schema": {"type": "string"}, "example": EXAMPLE},
}}


@dataclass(frozen=True)
class SparqlRequest:
    """What the protocol needs of an HTTP request; `endpoint` is the URL without query."""

    method: str
    query_string: str
    accept: str | None
    content_type: str | None
    body: bytes
    endpoint: str


@dataclass(frozen=True)
class Reply:
    status: int
    media_type: str
    body: bytes
    allow: str | None = None  # the Allow header of a 405

    def response(self) -> Response:
        media = self.media_type
        if media.startswith("text/") and "charset" not in media:
            media += "; charset=utf-8"
        headers = {"content-type": media, "vary": "Accept"}
        if self.allow:
            headers["allow"] = self.allow
        return Response(self.body, status_code=self.status, headers=headers)


def error_reply(error: QueryError) -> Reply:
    return Reply(error.status, "text/plain; charset=utf-8", (error.message + "\n").encode(),
                 allow="GET, POST" if error.status == 405 else None)


def prepare(state, request: SparqlRequest) -> Job | Reply:
    """The job a protocol request asks for, or the reply that needs no query (an error, the
    service description)."""
    settings = state.settings
    try:
        parsed = protocol.parse(request.method, request.query_string, request.content_type,
                                request.body)
        if parsed.query is None:
            return describe(settings, request)
        found = checked(parsed.query, settings)
        fmt = (parsed.params.get("format") or [None])[0]
        result_types, graph_types = choose(request.accept, fmt)
        if not result_types and not graph_types:
            raise QueryError(406, "none of the requested media types can be produced; "
                                  "use SPARQL results JSON/XML/CSV/TSV or Turtle, N-Triples, "
                                  "RDF/XML, JSON-LD")
    except QueryError as error:
        return error_reply(error)
    inferred = (parsed.params.get("inferred") or ["true"])[0].lower() not in {"false", "0"}
    # the dataset: the protocol's; else the query's own FROM / FROM NAMED; else all graphs
    # (or the asserted ones)
    own = found.has_dataset and not (parsed.default_graphs or parsed.named_graphs)
    default_graphs = parsed.default_graphs or (None if inferred or own else ASSERTED_GRAPHS)
    return Job(query=parsed.query, default_graphs=default_graphs,
               union=default_graphs is None and not own,
               named_graphs=parsed.named_graphs or None, result_types=result_types,
               graph_types=graph_types, max_bytes=settings.max_result_bytes,
               base_iri=request.endpoint)


def checked(query: str, settings) -> Scan:
    """What the tokenizer finds in a query (`scan.py`); QueryError for a query refused before
    it reaches the engine: too long, too deeply nested, an update, a SERVICE call."""
    if len(query) > settings.max_query_chars:
        raise QueryError(400, f"the query is {len(query)} characters long; this server takes "
                              f"at most {settings.max_query_chars}")
    found = scan(query)
    if found.depth > MAX_DEPTH or found.chain > MAX_CHAIN:
        raise QueryError(400, f"the query nests {found.depth} deep and chains {found.chain} "
                              f"operators; this server takes at most {MAX_DEPTH} and "
                              f"{MAX_CHAIN}")
    if found.update:
        raise QueryError(403, "SPARQL Update is not accepted on this read-only endpoint")
    if found.service and not settings.allow_service:
        raise QueryError(403, "federated SERVICE calls to other endpoints are disabled on "
                              "this server (no requests on a user's behalf); a word starting "
                              "with SERVICE outside strings, IRIs and variables counts as one")
    return found


async def answer(state, request: SparqlRequest, gone: Gone | None = None) -> Reply:
    """Answer one protocol request against the app's `state` (settings and gateway); `gone`
    tells whether the client has left (its query is then stopped)."""
    job = prepare(state, request)
    if isinstance(job, Reply):
        return job
    try:
        result = await state.gateway.run(job, gone)
    except QueryError as error:
        return error_reply(error)
    return Reply(200, result.media_type, result.body)


def describe(settings, request: SparqlRequest) -> Reply:
    """GET /sparql without a query: the service description (RDF) or a hint (text)."""
    types = acceptable(request.accept, list(GRAPH_FORMATS))
    if not types:
        raise QueryError(400, "missing 'query' parameter (GET /sparql with an RDF Accept "
                              "header returns the service description)")
    graph = service_description(request.endpoint, settings.query_timeout,
                                settings.max_result_bytes)
    return Reply(200, types[0], graph.serialize(format=BY_TYPE[types[0]].rdflib, encoding="utf-8"))


async def _from_framework(request: Request) -> Response:
    body = await request.body() if request.method == "POST" else b""
    reply = await answer(request.app.state, sparql_request(request.scope, body),
                         request.is_disconnected)
    return reply.response()


def sparql_request(scope, body: bytes) -> SparqlRequest:
    """The protocol request of an HTTP scope (GET or POST /sparql) and its whole body."""
    headers = dict(scope["headers"])
    server_host, server_port = scope.get("server") or ("127.0.0.1", 80)
    host = headers.get(b"host", b"").decode("latin-1") or f"{server_host}:{server_port}"
    endpoint = f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}/sparql"
    accept, content_type = headers.get(b"accept"), headers.get(b"content-type")
    return SparqlRequest(scope["method"], scope["query_string"].decode("latin-1"),
                         accept.decode("latin-1") if accept is not None else None,
                         content_type.decode("latin-1") if content_type else None,
                         body, endpoint)


@router.get("/sparql", summary="SPARQL query (GET)", tags=["SPARQL"],
            description="SPARQL 1.1 Protocol query via GET: `?query=` plus optional "
                        "`default-graph-uri`, `named-graph-uri`, `format` and `inferred=false` "
                        "(asserted graphs only). Without `query` and with an RDF Accept header "
                        "it returns the service description.",
            openapi_extra={"parameters": GET_PARAMETERS})
async def sparql_get(request: Request) -> Response:
    return await _from_framework(request)


@router.post("/sparql", summary="SPARQL query (POST form or direct)", tags=["SPARQL"],
             description="SPARQL 1.1 Protocol query via POST, either "
                         "`application/x-www-form-urlencoded` (`query=...`) or "
                         "`application/sparql-query` (the query is the body). Updates are "
                         "refused (read-only endpoint).",
             openapi_extra={"requestBody": POST_BODY})
async def sparql_post(request: Request) -> Response:
    return await _from_framework(request)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
async def sparql_other(request: Request) -> Response:
    return error_reply(QueryError(405, f"method {request.method} is not allowed: use GET "
                                       "or POST")).response()
