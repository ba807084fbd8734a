"""The SPARQL 1.1 Protocol endpoint: /sparql (read-only).

One framework-free function, `answer()`, implements the protocol; the documented FastAPI routes
(for OpenAPI) and `SparqlFastPath` (plain ASGI, what actually serves GET and POST /sparql) both
call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ..namespaces import ASSERTED_GRAPHS, GRAPH_DATA, GRAPH_INFERRED
from . import protocol
from .description import service_description
from .inline import CONNECTION
from .negotiation import FORMAT_ALIASES, acceptable, choose
from .pool import GRAPH_FORMATS, Job, QueryError

router = APIRouter()
RDFLIB_NAMES = {"text/turtle": "turtle", "application/n-triples": "nt",
                "application/rdf+xml": "xml", "application/ld+json": "json-ld"}
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
STATUS_LINES = {status.value: f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode("latin-1")
                for status in HTTPStatus}
CORS = ((b"access-control-allow-origin", b"*"),
        (b"access-control-expose-headers", b"Content-Location, Link"))


@dataclass(frozen=True)
class SparqlRequest:
    """What the protocol needs of an HTTP request; `endpoint` is the URL without query."""

    method: str
    query_string: str
    accept: str | None
    content_type: str | None
    body: bytes
    endpoint: str
    cross_origin: bool = False  # an Origin header came: the reply carries CORS headers


@dataclass(frozen=True)
class Reply:
    status: int
    media_type: str
    body: bytes
    allow: str | None = None  # the Allow header of a 405

    def headers(self, cors: bool = False) -> list[tuple[bytes, bytes]]:
        media = self.media_type
        if media.startswith("text/") and "charset" not in media:
            media += "; charset=utf-8"
        headers = [(b"content-type", media.encode("latin-1")),
                   (b"content-length", str(len(self.body)).encode("latin-1")),
                   (b"vary", b"Accept")]
        if self.allow:
            headers.append((b"allow", self.allow.encode("latin-1")))
        if cors:
            headers.extend(CORS)
        return headers

    def as_http(self, *, cors: bool, close: bool,
                first: Sequence[tuple[bytes, bytes]] = ()) -> bytes:
        """The reply as a whole HTTP/1.1 response: the `first` headers (a server's date and
        name), its own, CORS when asked, `connection: close` when the connection closes after
        it. What the protocol path and the inline watchdog write straight to a socket."""
        headers = [*first, *self.headers(cors)]
        if close:
            headers.append((b"connection", b"close"))
        content = [STATUS_LINES[self.status]]
        for name, value in headers:
            content += (name, b": ", value, b"\r\n")
        content += (b"\r\n", self.body)
        return b"".join(content)

    def response(self) -> Response:
        """The same reply, with the same headers, as a framework response (for the documented
        routes)."""
        return Response(self.body, status_code=self.status,
                        headers={k.decode("latin-1"): v.decode("latin-1")
                                 for k, v in self.headers()})


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
        if not settings.allow_service and protocol.uses_service(parsed.query):
            raise QueryError(403, "federated SERVICE calls to other endpoints are disabled on "
                                  "this server (no requests on a user's behalf)")
        fmt = (parsed.params.get("format") or [None])[0]
        result_types, graph_types = choose(request.accept, fmt)
        if not result_types and not graph_types:
            raise QueryError(406, "none of the requested media types can be produced; "
                                  "use SPARQL results JSON/XML/CSV/TSV or Turtle, N-Triples, "
                                  "RDF/XML, JSON-LD")
    except QueryError as error:
        return error_reply(error)
    inferred = (parsed.params.get("inferred") or ["true"])[0].lower() not in {"false", "0"}
    return Job(query=parsed.query,
               default_graphs=parsed.default_graphs or (None if inferred else ASSERTED_GRAPHS),
               named_graphs=parsed.named_graphs or None,
               result_types=result_types, graph_types=graph_types,
               max_bytes=settings.max_result_bytes, base_iri=request.endpoint)


async def answer(state, request: SparqlRequest, connection=None) -> Reply:
    """Answer one protocol request against the app's `state` (settings and query runner);
    `connection` is the uvicorn protocol it came on, when known (`uvicorn_protocol`)."""
    job = prepare(state, request)
    if isinstance(job, Reply):
        return job
    try:
        result = await state.pool.run(job, connection)
    except QueryError as error:
        return error_reply(error)
    return Reply(200, result.media_type, result.body)


def answer_at_once(state, request: SparqlRequest, connection) -> Reply | None:
    """The same reply as `answer`, when it can be given without waiting (a reply that needs
    no query, or a job that may run on the spot); None when the job must wait for a query
    thread or process."""
    job = prepare(state, request)
    if isinstance(job, Reply):
        return job
    try:
        result = state.pool.run_at_once(job, connection)
    except QueryError as error:
        return error_reply(error)
    return None if result is None else Reply(200, result.media_type, result.body)


def describe(settings, request: SparqlRequest) -> Reply:
    """GET /sparql without a query: the service description (RDF) or a hint (text)."""
    types = acceptable(request.accept, list(GRAPH_FORMATS))
    if not types:
        raise QueryError(400, "missing 'query' parameter (GET /sparql with an RDF Accept "
                              "header returns the service description)")
    graph = service_description(request.endpoint, settings.query_timeout,
                                settings.max_result_bytes)
    return Reply(200, types[0], graph.serialize(format=RDFLIB_NAMES[types[0]], encoding="utf-8"))


async def _from_framework(request: Request) -> Response:
    body = await request.body() if request.method == "POST" else b""
    return (await answer(request.app.state, sparql_request(request.scope, body))).response()


class SparqlFastPath:
    """ASGI wrapper: GET and POST /sparql are answered here in plain ASGI, without routing,
    middleware or request and response objects (a few hundred microseconds per query less);
    CORS headers for simple requests are added here. Preflights and every other path go on to
    the app."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if not answers(scope):
            return await self.app(scope, receive, send)
        body = b""
        if scope["method"] == "POST":
            more = True
            while more:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
        request = sparql_request(scope, body)
        extensions = scope.get("extensions")
        reply = await answer(self.app.state, request,
                             extensions.get(CONNECTION) if extensions else None)
        await send({"type": "http.response.start", "status": reply.status,
                    "headers": reply.headers(request.cross_origin)})
        await send({"type": "http.response.body", "body": reply.body})


def answers(scope) -> bool:
    """Whether `SparqlFastPath` answers this ASGI scope itself (GET and POST /sparql)."""
    return scope["type"] == "http" and scope["path"] == "/sparql" and \
        scope["method"] in ("GET", "POST")


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
                         body, endpoint, cross_origin=b"origin" in headers)


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
