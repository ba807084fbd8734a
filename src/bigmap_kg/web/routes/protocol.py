"""Parse a SPARQL 1.1 Protocol query request (GET, POST form, POST direct) into a job."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

import pyoxigraph as ox

from ..server.gateway import QueryError

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class QueryRequest:
    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    params: dict[str, list[str]]


def _media_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    parts = [p.strip() for p in content_type.split(";")]
    charset = None
    for parameter in parts[1:]:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return parts[0].lower(), charset


def _decode(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8", "us-ascii", "ascii"):
        raise QueryError(415, f"unsupported charset {charset!r}: SPARQL requests must be UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise QueryError(400, "the request body is not valid UTF-8") from None


def unquote_plus(text: str) -> str:
    """`urllib.parse.unquote_plus`, with the common case (ASCII, well-formed escapes) done by C
    codecs: a query has dozens of escapes, and the standard library decodes them one by one in
    Python. `%XX` becomes the codec escape `\\xXX` (existing backslashes doubled first)."""
    text = text.replace("+", " ")
    if "%" not in text:
        return text
    if text.isascii():
        try:
            escaped = text.replace("\\", "\\\\").replace("%", "\\x").encode("ascii")
            return escaped.decode("unicode_escape").encode("latin-1").decode("utf-8")
        except UnicodeError:  # a stray '%', or escapes that are not UTF-8
            pass
    return unquote(text)


def form(text: str) -> dict[str, list[str]]:
    """An URL-encoded form (what `parse_qsl(text, keep_blank_values=True)` gives), grouped by
    key."""
    grouped: dict[str, list[str]] = {}
    for pair in text.split("&"):
        if pair:
            key, _, value = pair.partition("=")
            grouped.setdefault(unquote_plus(key), []).append(unquote_plus(value))
    return grouped


def parse(method: str, query_string: str, content_type: str | None, body: bytes) -> QueryRequest:
    """Apply the protocol's rules; raise QueryError with the status the protocol asks for."""
    url_params = form(query_string)
    if method == "GET":
        params = url_params
        if "update" in params:
            raise QueryError(405, "SPARQL Update is not accepted on this read-only endpoint "
                                  "(and never via GET)")
    elif method == "POST":
        media, charset = _media_type(content_type)
        if media == FORM:
            params = form(_decode(body, charset))
            for key, values in url_params.items():
                params.setdefault(key, []).extend(values)
        elif media == DIRECT:
            params = dict(url_params)
            if "query" in params:
                raise QueryError(400, "a direct POST carries the query in the body; "
                                      "do not also pass a 'query' parameter")
            params["query"] = [_decode(body, charset)]
        elif media == UPDATE:
            raise QueryError(403, "SPARQL Update is not accepted on this read-only endpoint")
        else:
            raise QueryError(415, f"unsupported media type {media or '(none)'!r}: POST a query as "
                                  f"{FORM} (query=...) or as {DIRECT}")
    else:
        raise QueryError(405, f"method {method} is not allowed: use GET or POST")
    if "update" in params:
        raise QueryError(403, "SPARQL Update is not accepted on this read-only endpoint")
    queries = params.get("query", [])
    if len(queries) > 1:
        raise QueryError(400, f"exactly one 'query' parameter is allowed, got {len(queries)}")
    return QueryRequest(query=queries[0] if queries else None,
                        default_graphs=_graphs(params, "default-graph-uri"),
                        named_graphs=_graphs(params, "named-graph-uri"),
                        params=params)


def _graphs(params: dict[str, list[str]], name: str) -> tuple[str, ...]:
    """The graph IRIs of a dataset parameter; each must be an absolute IRI."""
    graphs = tuple(params.get(name, []))
    for graph in graphs:
        try:
            ox.NamedNode(graph)
        except ValueError as error:
            raise QueryError(400, f"{name} {graph!r} is not an absolute IRI: {error}") from None
    return graphs

