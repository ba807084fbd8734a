"""Parse a SPARQL 1.1 Protocol query request (GET, POST form, POST direct) into a job."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from .pool import QueryError

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
_STRINGS_AND_COMMENTS = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>\s]*>'
    r"|#[^\n]*")
_SERVICE = re.compile(r"\bSERVICE\b", re.IGNORECASE)


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


def _grouped(pairs: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped


def parse(method: str, query_string: str, content_type: str | None, body: bytes) -> QueryRequest:
    """Apply the protocol's rules; raise QueryError with the status the protocol asks for."""
    url_params = _grouped(parse_qsl(query_string, keep_blank_values=True))
    if method == "GET":
        params = url_params
        if "update" in params:
            raise QueryError(405, "SPARQL Update is not accepted on this read-only endpoint "
                                  "(and never via GET)")
    elif method == "POST":
        media, charset = _media_type(content_type)
        if media == FORM:
            params = _grouped(parse_qsl(_decode(body, charset), keep_blank_values=True))
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
                        default_graphs=tuple(params.get("default-graph-uri", [])),
                        named_graphs=tuple(params.get("named-graph-uri", [])),
                        params=params)


def uses_service(query: str) -> bool:
    """True when the query has a SERVICE clause (outside strings, IRIs and comments)."""
    return bool(_SERVICE.search(_STRINGS_AND_COMMENTS.sub(" ", query)))
