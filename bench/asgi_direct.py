"""A Python endpoint at its leanest: the query straight into pyoxigraph and its JSON out.

No protocol checks, negotiation, limits or time limit — no Python endpoint over pyoxigraph can
answer faster, so it shows how much of our latency is the platform rather than our code."""

from urllib.parse import parse_qs

import pyoxigraph as ox

from bigmap_kg.store import LiveStore

STORE = LiveStore()


async def app(scope, receive, send) -> None:
    """Answer GET ?query= from the built store (union default graph) as SPARQL results JSON."""
    if scope["type"] != "http":
        return
    query = parse_qs(scope["query_string"].decode())["query"][0]
    body = STORE.current().query(query, use_default_graph_as_union=True).serialize(
        format=ox.QueryResultsFormat.JSON)
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/sparql-results+json")]})
    await send({"type": "http.response.body", "body": body})
