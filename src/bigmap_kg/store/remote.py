"""The remote store: a SPARQL 1.1 server (Oxigraph server, Virtuoso) as the store, and
`push`, which copies a built store into one."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, nullcontext
from urllib.parse import urlencode

import pyoxigraph as ox

from ..namespaces import GRAPH_DATASETS
from ..querytext import query_form, update_operations, with_values
from .virtuoso import normal_term, virtuoso_blank_nodes, virtuoso_solutions


class RemoteTriples(list):
    """CONSTRUCT / DESCRIBE results of a remote store, serialisable like pyoxigraph's."""

    def serialize(self, output=None, format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES):
        return ox.serialize(self, output, format=format)


class RemoteStore:
    """A SPARQL 1.1 server as the store: the Query and Update protocols for queries and
    writes, the Graph Store protocol for whole graphs, over one keep-alive HTTP client.
    Tested against Oxigraph server and Virtuoso 7.2 (Debian's `virtuoso-opensource`);
    Apache Jena Fuseki and GraphDB speak the same protocols but are untested (see README,
    "Remote store").

    Each SPARQL Update request is one transaction on Oxigraph, so a rejected or failed batch
    leaves the remote store as it was. Virtuoso applies the operations of one request one by
    one (a failing second operation leaves the first applied, measured): there a request of
    more than one operation is refused before it is sent (`NonAtomicUpdateError`).

    The server is recognised by its `Server` header (first answer). Where Virtuoso answers
    differently, the answer is normalised here, once for every caller, to what the embedded
    store gives: ASK answers (Virtuoso returns a one-row `__ASK_RETVAL` table), numeric
    lexical forms (`2.0` for the double `2.0E0`), integers of 2^31 and more (decimals there),
    booleans (1 / 0 there; computed ones found from the query), a GROUP_CONCAT of nothing
    ("" there, unbound on Oxigraph) and SELECT DISTINCT rows (duplicates there where a value
    is unbound). What cannot be normalised is written portably in the queries themselves."""

    SOLUTIONS = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
    TRIPLES = "application/n-triples, text/turtle;q=0.9"
    RESULTS = f"{SOLUTIONS}, {TRIPLES}"

    def __init__(self, query_url: str, update_url: str | None = None,
                 gsp_url: str | None = None, token: str | None = None,
                 timeout: float = 60.0, auth=None) -> None:
        """`auth`: (user, password) for HTTP Basic, or any `httpx.Auth` (`httpx.DigestAuth`
        for Virtuoso's `/sparql-auth`)."""
        import httpx

        self.query_url, self.update_url, self.gsp_url = query_url, update_url, gsp_url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = httpx.Client(headers=headers, timeout=timeout, auth=auth)
        self._server: str | None = None

    @classmethod
    def from_url(cls, query_url: str, update_url: str | None = None,
                 gsp_url: str | None = None, **options) -> RemoteStore:
        """Endpoints not given are derived from the query URL: one ending in `/query` is
        Oxigraph's layout (`/update`, `/store`); Virtuoso's `/sparql` (`/sparql-auth`) takes
        updates itself and has its Graph Store at `/sparql-graph-crud` (`-auth`)."""
        base = query_url.removesuffix("/query") if query_url.endswith("/query") else None
        if base:
            return cls(query_url, update_url or base + "/update", gsp_url or base + "/store",
                       **options)
        for endpoint, crud in (("/sparql", "/sparql-graph-crud"),
                               ("/sparql-auth", "/sparql-graph-crud-auth")):
            if query_url.endswith(endpoint):
                return cls(query_url, update_url or query_url,
                           gsp_url or query_url.removesuffix(endpoint) + crud, **options)
        return cls(query_url, update_url, gsp_url, **options)

    def current(self) -> RemoteStore:
        """The server is always current (there is no local generation to follow)."""
        return self

    @property
    def server(self) -> str:
        """The server's `Server` header, lower-cased (asked once with `ASK {}` if no answer
        has been seen yet)."""
        if self._server is None:
            self.query("ASK {}")
        return self._server or ""

    @property
    def virtuoso(self) -> bool:
        return "virtuoso" in self.server

    def _seen(self, response) -> None:
        if self._server is None:
            self._server = response.headers.get("server", "").lower()

    def query(self, query: str, *, default_graph=None, named_graphs=None,
              use_default_graph_as_union: bool = False, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None, substitutions: dict | None = None):
        """SPARQL 1.1 Protocol POST; the answer parsed into pyoxigraph results. The protocol
        has no base IRI, prefix or substitution parameters: `base_iri` and `prefixes` become
        BASE and PREFIX declarations ahead of the query (the query's own still apply after
        them), and `substitutions` a VALUES block at the start of the query's WHERE group,
        each term written by pyoxigraph (the same answers as a substitution for queries that
        use the variable inside that group, as the project's views and named queries do).
        The Accept header follows the query's form: result tables for SELECT / ASK, RDF for
        CONSTRUCT / DESCRIBE (a server may answer a CONSTRUCT with a table if asked)."""
        prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items())
        if base_iri:
            prologue = f"BASE <{base_iri}>\n{prologue}"
        written = prologue + query  # the same for every binding: what the reader analyses
        if substitutions:
            query = with_values(query, [v.value for v in substitutions],
                                [tuple(substitutions.values())])
        query = prologue + query
        form = query_form(query)
        params: list[tuple[str, str]] = [("query", query)]
        if use_default_graph_as_union:
            params.append(("union-default-graph", ""))  # Oxigraph; others: server setting
        params += [("default-graph-uri", g.value) for g in
                   ([default_graph] if isinstance(default_graph, ox.NamedNode)
                    else default_graph or [])]
        params += [("named-graph-uri", g.value) for g in named_graphs or []]
        accept = {"select": self.SOLUTIONS, "ask": self.SOLUTIONS, "construct": self.TRIPLES,
                  "describe": self.TRIPLES}.get(form, self.RESULTS)
        response = self.client.post(self.query_url, content=urlencode(params), headers={
            "Accept": accept, "Content-Type": "application/x-www-form-urlencoded"})
        self._seen(response)
        if response.status_code == 400:
            raise SyntaxError(response.text.strip() or "the server refused the query")
        if response.status_code >= 300:
            raise OSError(f"{self.query_url} answered {response.status_code}: "
                          f"{response.text.strip()[:500]}")
        media = response.headers.get("content-type", "")
        results = ox.QueryResultsFormat.from_media_type(media)
        if results is not None:
            content = response.content
            if self.virtuoso and results == ox.QueryResultsFormat.JSON:
                content = virtuoso_blank_nodes(content)
            parsed = ox.parse_query_results(content, format=results)
            if isinstance(parsed, ox.QuerySolutions) and self.virtuoso:
                return virtuoso_solutions(parsed, written, ask=form == "ask",
                                           bound=substitutions or {})
            return parsed
        graph = ox.RdfFormat.from_media_type(media)
        if graph is None:
            raise OSError(f"{self.query_url} answered with an unknown media type {media!r}")
        triples = (ox.Triple(q.subject, q.predicate, q.object)  # parse gives quads
                   for q in ox.parse(response.content, format=graph))
        if self.virtuoso:
            triples = (ox.Triple(t.subject, t.predicate, normal_term(t.object))
                       for t in triples)
        return RemoteTriples(triples)

    def update(self, update: str) -> None:
        """One SPARQL Update request; refused before it is sent when it holds more than one
        operation and the server cannot apply them as one transaction (Virtuoso)."""
        if not self.update_url:
            raise OSError("no update endpoint configured (BIGMAP_KG_STORE_UPDATE_URL)")
        operations = update_operations(update)
        if operations > 1 and self.virtuoso:
            raise NonAtomicUpdateError(
                f"refused: this update has {operations} operations, and Virtuoso applies the "
                "operations of one request one by one (a failing operation leaves the earlier "
                "ones applied), so it cannot be made atomic there; send one operation per "
                "request, or use a store that runs an update request as one transaction "
                "(Oxigraph, the embedded store)")
        response = self.client.post(self.update_url, data={"update": update})
        self._seen(response)
        if response.status_code >= 300:
            raise ValueError(f"{self.update_url} refused the update ({response.status_code}):"
                             f" {response.text.strip()[:500]}")

    def replace_records(self, removal: str, triples: str) -> None:
        """One update request: the removal and an INSERT DATA of the triples."""
        self.update(f"{removal} ;\nINSERT DATA {{ GRAPH <{GRAPH_DATASETS}> {{\n{triples}}} }}")

    def compaction_deferred(self, in_background: bool = False) -> AbstractContextManager[None]:
        """Nothing to defer: a remote server compacts its store itself."""
        return nullcontext()

    def _gsp(self) -> str:
        if not self.gsp_url:
            raise OSError("no Graph Store endpoint configured (BIGMAP_KG_STORE_GSP_URL)")
        return self.gsp_url

    def _graph_triples(self, graph: ox.NamedNode) -> Iterator[ox.Triple]:
        response = self.client.get(self._gsp(), params={"graph": graph.value},
                                   headers={"Accept": "application/n-triples"})
        self._seen(response)
        if response.status_code == 404:
            return iter(())
        response.raise_for_status()
        media = response.headers.get("content-type", "application/n-triples")
        triples = ox.parse(response.content, format=ox.RdfFormat.from_media_type(media)
                           or ox.RdfFormat.N_TRIPLES)
        if self.virtuoso:
            return (ox.Triple(q.subject, q.predicate, normal_term(q.object)) for q in triples)
        return (ox.Triple(q.subject, q.predicate, q.object) for q in triples)

    def dump(self, output=None, format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES, *,
             from_graph: ox.NamedNode):
        return ox.serialize(self._graph_triples(from_graph), output, format=format)

    def quads_for_pattern(self, subject, predicate, obj, graph: ox.NamedNode):
        if subject is not None or predicate is not None or obj is not None or graph is None:
            raise NotImplementedError("a remote store lists whole named graphs only")
        for triple in self._graph_triples(graph):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    def count(self, graph: ox.NamedNode) -> int:
        """How many triples the server holds in one named graph."""
        result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph.value}> "
                            "{ ?s ?p ?o } }")
        return int(next(iter(result))["n"].value)

    def put_graph(self, graph: ox.NamedNode, triples: Iterable[ox.Triple],
                  chunk: int = 50_000) -> int:
        """Replace one named graph with the triples (Graph Store protocol: PUT of the first
        chunk, POST of each further one, every request with its length — Virtuoso stores
        nothing from a chunked-encoded body and still answers 201); return how many were
        sent. Memory: one chunk."""
        sent = 0
        method = "PUT"
        batch: list[ox.Triple] = []

        def send() -> None:
            nonlocal method, sent
            response = self.client.request(
                method, self._gsp(), params={"graph": graph.value},
                content=ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES),
                headers={"Content-Type": "application/n-triples"})
            self._seen(response)
            if response.status_code >= 300:
                raise OSError(f"{self._gsp()} refused the graph {graph.value} "
                              f"({response.status_code}): {response.text.strip()[:500]}")
            sent += len(batch)
            method = "POST"
            batch.clear()

        for triple in triples:
            batch.append(triple)
            if len(batch) == chunk:
                send()
        send()
        return sent


class NonAtomicUpdateError(ValueError):
    """An update the remote server could only apply in part if it failed half-way."""


class PushCountError(OSError):
    """After a push the remote store holds other triple counts than were sent."""



def remote_credentials() -> dict:
    """A bearer token (BIGMAP_KG_STORE_TOKEN) or a user and password (BIGMAP_KG_STORE_USER,
    BIGMAP_KG_STORE_PASSWORD) for the remote store, from the environment; the password goes
    by HTTP Basic, or by Digest when BIGMAP_KG_STORE_AUTH is `digest` (Virtuoso's
    `/sparql-auth`)."""
    env = os.environ
    user = env.get("BIGMAP_KG_STORE_USER")
    scheme = env.get("BIGMAP_KG_STORE_AUTH", "basic").strip().lower() or "basic"
    if scheme not in ("basic", "digest"):
        raise ValueError(f"BIGMAP_KG_STORE_AUTH is {scheme!r}: use basic or digest")
    auth = None
    if user:
        password = env.get("BIGMAP_KG_STORE_PASSWORD", "")
        if scheme == "digest":
            import httpx

            auth = httpx.DigestAuth(user, password)
        else:
            auth = (user, password)
    return {"token": env.get("BIGMAP_KG_STORE_TOKEN") or None, "auth": auth}


def push(source: ox.Store, target: RemoteStore) -> dict[str, int]:
    """Copy every named graph of a (built) store into a remote store (Graph Store PUT / POST
    in bounded chunks), then count each graph on the server: PushCountError when it holds
    another number than was sent (a server that accepted the requests and stored less);
    triples per graph."""
    sent = {graph.value: target.put_graph(graph, (
                ox.Triple(q.subject, q.predicate, q.object)
                for q in source.quads_for_pattern(None, None, None, graph)))
            for graph in source.named_graphs()}
    stored = {graph: target.count(ox.NamedNode(graph)) for graph in sent}
    wrong = {g: (sent[g], stored[g]) for g in sent if stored[g] != sent[g]}
    if wrong:
        raise PushCountError("the remote store does not hold what was pushed: " + "; ".join(
            f"{graph}: {n} sent, {m} stored" for graph, (n, m) in wrong.items()))
    return sent
