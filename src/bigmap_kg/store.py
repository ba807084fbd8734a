"""The one place that opens the store: an embedded, persistent pyoxigraph store on disk.

A build writes a complete new store into a fresh directory and then swaps the `store` symlink
atomically, so a failed build never replaces a good store and readers never see half a build.
Writes after the build (dataset ingest) are copy-on-write: the current store is checkpointed
into a fresh directory (hard links, milliseconds), the update runs there in one transaction, and
the symlink is swapped only when it succeeded. Readers (`LiveStore`) follow the symlink.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import urlencode

import pyoxigraph as ox
from rdflib import Graph

from . import paths
from .namespaces import ALL_GRAPHS, ASSERTED_GRAPHS, GRAPH_DATASETS, GRAPH_ONTOLOGY
from .querytext import query_form, selects_distinct, update_operations, with_values
from .variablekinds import VariableKinds, variable_kinds


class StoreMissingError(RuntimeError):
    """No store has been built yet."""


#: What a query returns: pyoxigraph's result objects (a remote store's graphs are a list of
#: triples with the same `serialize`).
QueryResult = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


@runtime_checkable
class GraphStore(Protocol):
    """What the project asks of a store (embedded `LiveStore` or `RemoteStore`)."""

    def query(self, query: str, *, default_graph: Sequence[ox.NamedNode] | None = None,
              named_graphs: Sequence[ox.NamedNode] | None = None,
              use_default_graph_as_union: bool = False, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None,
              substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
              ) -> QueryResult: ...

    def update(self, update: str) -> None:
        """One SPARQL Update, atomic: it applies whole or not at all."""

    def replace_records(self, removal: str, triples: str) -> None:
        """Run the `removal` update and add the N-Triples `triples` to the datasets graph, as
        one atomic write: how an ingested batch replaces what its records said before."""

    def compaction_deferred(self, in_background: bool = False) -> AbstractContextManager[None]:
        """Writes inside compact the store (if at all) once, at the end (`in_background`: by a
        process of its own): for runs of batches."""

    def current(self) -> GraphStore | ox.Store:
        """The store one query should run against now (embedded: the current generation)."""

    def dump(self, output=None, format: ox.RdfFormat = ..., *, from_graph: ox.NamedNode):
        """One named graph serialised (to `output`, or returned as bytes)."""

    def quads_for_pattern(self, subject, predicate, obj,
                          graph: ox.NamedNode) -> Iterator[ox.Quad]:
        """The quads of one whole named graph (the only pattern the project uses)."""


def open_store(path: Path | None = None) -> ox.Store:
    """Open the built store read-only (safe for many processes at once)."""
    path = path or paths.store_dir()
    if not path.exists():
        raise StoreMissingError(f"no store at {path}: run `bigmap-kg build` first")
    return ox.Store.read_only(str(path.resolve()))


class LiveStore:
    """The current store behind the symlink, opened read-only and reopened after each swap.

    It stands in for a pyoxigraph `Store` (attribute access is forwarded to the current one).
    """

    def __init__(self, link: Path | None = None) -> None:
        self.link = link or paths.store_dir()
        if not self.link.exists():
            raise StoreMissingError(f"no store at {self.link}: run `bigmap-kg build` first")
        self._version: tuple[int, int] = (0, 0)
        self._store: ox.Store | None = None
        self._lock = threading.Lock()
        self._deferring = False

    def current(self) -> ox.Store:
        stat = os.lstat(self.link)  # one system call: a swap replaces the symlink's inode
        version = (stat.st_ino, stat.st_mtime_ns)
        if version != self._version:
            with self._lock:
                if version != self._version:
                    self._store = ox.Store.read_only(os.path.realpath(self.link))
                    self._version = version
        assert self._store is not None
        return self._store

    def __getattr__(self, name: str):
        return getattr(self.current(), name)

    def query(self, query: str, **options) -> QueryResult:
        return self.current().query(query, **options)

    def dump(self, output=None, format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES, **options):
        return self.current().dump(output, format, **options)

    def quads_for_pattern(self, subject, predicate, obj, graph=None) -> Iterator[ox.Quad]:
        return self.current().quads_for_pattern(subject, predicate, obj, graph)

    def update(self, update: str) -> None:
        """A SPARQL Update, copy-on-write and atomic (see apply_update)."""
        apply_update(update, self.link, compact=not self._deferring)

    def replace_records(self, removal: str, triples: str) -> None:
        """The removal, then the triples bulk-loaded, in one new generation (see
        replace_in_datasets)."""
        replace_in_datasets(removal, triples, self.link, compact=not self._deferring)

    def prepare_records(self, removal: str, triples: str) -> PendingWrite:
        """`replace_records` begun in a thread of its own, swapped in by `commit()` (or
        dropped by `abort()`): the ingest validates the batch meanwhile."""
        return PendingWrite(self.link, _replacing(removal, triples, self.link,
                                                  compact=not self._deferring))

    @contextmanager
    def compaction_deferred(self, in_background: bool = False) -> Iterator[None]:
        """Updates inside leave compaction to the end, where the store is compacted once if they
        fragmented it (also when the run stops early): a run of N batches pays one compaction,
        not one every batch or two. `in_background`: by a process of its own, which outlives
        the run (`compact_in_background`)."""
        self._deferring = True
        try:
            yield
        finally:
            self._deferring = False
            if in_background:
                compact_in_background(self.link)
            else:
                compact_store(self.link, when=needs_compaction)

    def __len__(self) -> int:
        return len(self.current())


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
                content = _virtuoso_blank_nodes(content)
            parsed = ox.parse_query_results(content, format=results)
            if isinstance(parsed, ox.QuerySolutions) and self.virtuoso:
                return _virtuoso_solutions(parsed, written, ask=form == "ask",
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


_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {_XSD + t for t in ("double", "float", "decimal")}
_BOOLEAN, _INTEGER = ox.NamedNode(_XSD + "boolean"), ox.NamedNode(_XSD + "integer")
_TRUTH = {"1": "true", "0": "false", "true": "true", "false": "false"}


def normal_term(term, boolean: bool = False):
    """A term as the embedded store writes it, from Virtuoso, which writes it otherwise:
    doubles, floats and decimals in the embedded store's canonical forms (positional, no
    trailing zeros: Virtuoso writes the double 2 as `2.0`, Oxigraph as `2`); a stored boolean
    as `true` / `false` (Virtuoso: `"1"^^xsd:boolean`); an integer of 2^31 or more as
    xsd:integer (Virtuoso keeps it as a decimal: an integral decimal that large is read as the
    integer it most likely was); with `boolean` (a variable the query binds to a computed
    boolean, `variablekinds.variable_kinds`), the integers 1 / 0 as true / false. Language tags
    need nothing: both engines lower-case them."""
    if not isinstance(term, ox.Literal):
        return term
    datatype = term.datatype.value
    if datatype == _XSD + "boolean" or (boolean and datatype == _XSD + "integer"):
        truth = _TRUTH.get(term.value)
        return ox.Literal(truth, datatype=_BOOLEAN) if truth else term
    if datatype in _NUMERIC:
        written = _positional(term.value)
        if datatype == _XSD + "decimal" and written.isdigit() and int(written) >= 2**31:
            return ox.Literal(written, datatype=_INTEGER)
        return ox.Literal(written, datatype=term.datatype)
    return term


def _positional(text: str) -> str:
    """A number as Oxigraph writes doubles and decimals (`2`, `0.1`, `0.00001`, `1.5`)."""
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(repr(float(text))) if "e" in text.lower() else Decimal(text)
    except (InvalidOperation, ValueError):
        return text
    if not number.is_finite():
        return text
    written = format(number, "f")
    return written.rstrip("0").rstrip(".") if "." in written else written


def _virtuoso_solutions(solutions: ox.QuerySolutions, query: str, ask: bool,
                        bound: dict | None = None):
    """Virtuoso's answers as the embedded store's: an ASK's one-row `__ASK_RETVAL` table as a
    boolean, each value through `normal_term`, a concatenation of nothing ("" there) unbound
    as Oxigraph leaves it (which variables hold computed booleans and concatenations is read
    from the query, and only when a 1, 0 or "" is in the answer), and the rows of a SELECT
    DISTINCT without the duplicates Virtuoso leaves where a value is unbound. A variable the
    caller bound (`bound`, substitutions) holds the term it was bound to: Virtuoso writes a
    bound boolean back as the integer 1 or 0."""
    variables = list(solutions.variables)
    rows = list(solutions)
    if ask and [v.value for v in variables] == ["__ASK_RETVAL"]:
        truth = bool(rows) and rows[0][0] is not None and rows[0][0].value not in ("0", "false")
        return ox.parse_query_results(
            b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false"),
            format=ox.QueryResultsFormat.JSON)
    kinds = variable_kinds(query) if any(
        isinstance(t, ox.Literal) and t.value in ("0", "1", "") for row in rows for t in row
    ) else VariableKinds()
    bound = bound or {}
    values = [tuple(bound[v] if v in bound and row[v] is not None else
                    normal_term(row[v], v.value in kinds.booleans)
                    if not (v.value in kinds.concatenations and _empty(row[v])) else None
                    for v in variables) for row in rows]
    if selects_distinct(query):  # Virtuoso keeps duplicates that differ only by unbound values
        values = list(dict.fromkeys(values))
    return _solutions(variables, values)


def _virtuoso_blank_nodes(content: bytes) -> bytes:
    """Virtuoso writes a blank node in JSON results as `nodeID://b123`, which is no blank node
    label (pyoxigraph refuses the whole answer): as `b123`, the label its N-Triples use."""
    if b"nodeID://" not in content:
        return content
    document = json.loads(content)
    for row in document.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = term["value"].removeprefix("nodeID://")
    return json.dumps(document).encode()


def _empty(term) -> bool:
    return isinstance(term, ox.Literal) and term.value == "" and not term.language


def _solutions(variables: list[ox.Variable], rows: list) -> ox.QuerySolutions:
    """pyoxigraph solutions made from values (through the JSON results format: pyoxigraph
    builds QuerySolutions only by parsing)."""
    def binding(term) -> dict:
        if isinstance(term, ox.NamedNode):
            return {"type": "uri", "value": term.value}
        if isinstance(term, ox.BlankNode):
            return {"type": "bnode", "value": term.value}
        found = {"type": "literal", "value": term.value}
        if term.language:
            found["xml:lang"] = term.language
        elif term.datatype.value != _XSD + "string":
            found["datatype"] = term.datatype.value
        return found

    document = {"head": {"vars": [v.value for v in variables]},
                "results": {"bindings": [
                    {v.value: binding(t) for v, t in zip(variables, row, strict=True)
                     if t is not None} for row in rows]}}
    return ox.parse_query_results(json.dumps(document).encode(),
                                  format=ox.QueryResultsFormat.JSON)


def connect(link: Path | None = None) -> GraphStore:
    """The configured store: remote when BIGMAP_KG_STORE_URL names a SPARQL query endpoint
    (update, Graph Store endpoints and credentials from the other BIGMAP_KG_STORE_* variables),
    else the embedded one behind the `store` symlink."""
    env = os.environ
    url = env.get("BIGMAP_KG_STORE_URL")
    if not url:
        return LiveStore(link)
    return RemoteStore.from_url(url, env.get("BIGMAP_KG_STORE_UPDATE_URL"),
                                env.get("BIGMAP_KG_STORE_GSP_URL"), **remote_credentials())


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


def ontology_graph(store) -> Graph:
    """The ontology graph as the build loaded it (nothing re-parses the sources)."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH_ONTOLOGY))
    return Graph().parse(data=data, format="nt")


def graphs_for(inferred: bool) -> list[ox.NamedNode]:
    """The named graphs a query sees: asserted only, or asserted + inferred."""
    return [ox.NamedNode(g) for g in (ALL_GRAPHS if inferred else ASSERTED_GRAPHS)]


def to_quads(graph: Graph, graph_name: str) -> Iterable[ox.Quad]:
    """Convert an rdflib graph into pyoxigraph quads in the named graph."""
    name = ox.NamedNode(graph_name)
    data = graph.serialize(format="nt", encoding="utf-8")
    for triple in ox.parse(data, format=ox.RdfFormat.N_TRIPLES):
        yield ox.Quad(triple.subject, triple.predicate, triple.object, name)


def memory_store(graphs: Mapping[str, Graph]) -> ox.Store:
    """An in-memory store holding the given named graphs (used by the build's rule engine)."""
    store = ox.Store()
    for name, graph in graphs.items():
        store.extend(to_quads(graph, name))
    return store


@contextmanager
def writer_lock(link: Path) -> Iterator[None]:
    """One writer at a time (build or ingest), across processes."""
    link.parent.mkdir(parents=True, exist_ok=True)
    with open(link.parent / f".{link.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fresh_dir(link: Path) -> Path:
    return link.parent / f"{link.name}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-" \
                         f"{time.monotonic_ns() % 10**9}"


def carried_over(link: Path) -> Iterator[ox.Quad]:
    """The ingested dataset records of the current store, which a rebuild keeps."""
    if not link.exists():
        return
    store = ox.Store.read_only(os.path.realpath(link))
    yield from store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DATASETS))


def _next_generation(link: Path, fill: Callable[[ox.Store, Path], object],
                     from_current: bool) -> Path:
    """Fill a new store directory — empty, or a checkpoint of the current store (hard links,
    milliseconds) — and swap it in only when `fill` succeeded; one writer at a time. A failure
    removes the new directory and leaves the current store exactly as it was."""
    with writer_lock(link):
        fresh = _filled(link, fill, from_current)
        _swap(link, fresh)
    return fresh


def _filled(link: Path, fill: Callable[[ox.Store, Path], object], from_current: bool) -> Path:
    """A new store directory filled by `fill` and closed (the caller holds the writer lock);
    a failure removes it."""
    fresh = _fresh_dir(link)
    if from_current:
        ox.Store.read_only(os.path.realpath(link)).backup(str(fresh))
    store = ox.Store(str(fresh))
    try:
        fill(store, fresh)
        store.flush()
    except BaseException as error:
        # the traceback's frames (fill's) hold the store open, and RocksDB would go on
        # writing files into the directory being removed (measured: one failed write in
        # four left an SST file, a CURRENT and a MANIFEST behind)
        traceback.clear_frames(error.__traceback__)
        del store
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    del store  # closed before readers can open the new generation
    return fresh


class PendingWrite:
    """A new generation filled in a thread of its own (pyoxigraph writes without holding
    Python's lock) while the caller goes on, e.g. validates the batch: `commit()` waits for
    it and swaps it in, raising what the write raised; `abort()` waits for it and removes it.
    Until then the store is as it was; the writer lock is held from the start to the end."""

    def __init__(self, link: Path, fill: Callable[[ox.Store, Path], object]) -> None:
        self._link, self._fresh, self._error = link, None, None
        self._lock = writer_lock(link)
        self._lock.__enter__()
        self._thread = threading.Thread(target=self._fill, args=(fill,), daemon=True)
        try:
            self._thread.start()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise

    def _fill(self, fill: Callable[[ox.Store, Path], object]) -> None:
        try:
            self._fresh = _filled(self._link, fill, from_current=True)
        except BaseException as error:  # raised by commit()
            self._error = error

    def commit(self) -> Path:
        self._thread.join()
        try:
            if self._error is not None:
                raise self._error
            assert self._fresh is not None
            older = _swap(self._link, self._fresh, tidy=False)
            # removed meanwhile (0.1 s of unlinks at 1 M triples); the list is fixed now, so
            # the next generation, made later, is never among them
            threading.Thread(target=_remove, args=(older,)).start()
            return self._fresh
        finally:
            self._lock.__exit__(None, None, None)

    def abort(self) -> None:
        self._thread.join()
        try:
            if self._fresh is not None:
                shutil.rmtree(self._fresh, ignore_errors=True)
        finally:
            self._lock.__exit__(None, None, None)


def write_store(quads: Iterable[ox.Quad], target: Path | None = None) -> Path:
    """Write the quads (plus the current store's dataset records) into a new store directory
    and swap it in; return the new directory."""
    link = target or paths.store_dir()

    def fill(store: ox.Store, fresh: Path) -> None:
        store.bulk_extend(quads)
        store.bulk_extend(carried_over(link))
        store.flush()
        _compact(store, fresh, link)
    return _next_generation(link, fill, from_current=False)


def apply_update(update: str, target: Path | None = None, *, compact: bool = True) -> Path:
    """Run a SPARQL Update against a copy of the current store and swap it in on success;
    compact the copy when writes have fragmented it (`compact=False`: leave that to the caller,
    who runs `compact_store` later).

    A failing update raises and leaves the store exactly as it was (same directory, same files).
    """
    link = target or paths.store_dir()

    def fill(store: ox.Store, fresh: Path) -> None:
        store.update(update)
        store.flush()
        if compact:
            _compact_when_fragmented(store, fresh, link)
    return _next_generation(link, fill, from_current=True)


def compact_store(target: Path | None = None, *,
                  when: Callable[[int, int], bool] = lambda files, last: True) -> bool:
    """Compact a checkpoint of the current store and swap it in, if `when(files, files after the
    last compaction)` holds (`needs_compaction`, `has_uncompacted_writes`; default: always).

    The compaction runs without the writer lock, so writes are not held up meanwhile; a write
    that lands first wins and the compacted copy is dropped (False): nothing is ever lost."""
    link = target or paths.store_dir()
    current = Path(os.path.realpath(link))
    if not when(_sst_files(current), _files_after_last_compaction(link)):
        return False
    _remove_abandoned_compactions(link)
    work = link.parent / f".{_fresh_dir(link).name}.compacting"  # hidden from _swap's clean-up
    try:
        ox.Store.read_only(str(current)).backup(str(work))
        store = ox.Store(str(work))
        _optimize(store)
        del store
        with writer_lock(link):
            if Path(os.path.realpath(link)) != current:
                return False
            fresh = _fresh_dir(link)
            work.rename(fresh)
            _swap(link, fresh)
            _compaction_marker(link).write_text(str(_sst_files(fresh)))
        return True
    finally:
        shutil.rmtree(work, ignore_errors=True)


def compact_in_background(link: Path) -> subprocess.Popen | None:
    """If writes fragmented the store, start `bigmap-kg compact --if-fragmented` on it as a
    process of its own session (it outlives the caller; a write that lands meanwhile wins, see
    compact_store) and return it; None when there is nothing to compact. At 10 M triples a
    compaction takes 23 s, which an ingest run no longer waits for (bench/README.md)."""
    current = Path(os.path.realpath(link))
    if not needs_compaction(_sst_files(current), _files_after_last_compaction(link)):
        return None
    return subprocess.Popen([sys.executable, "-m", "bigmap_kg.cli", "compact", "--if-fragmented"],
                            env={**os.environ, "BIGMAP_KG_STORE": str(link)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _remove_abandoned_compactions(link: Path) -> None:
    """Remove the work directories of compactions whose process has died (named by _fresh_dir:
    `.<link>-<time>-<pid>-<ns>.compacting`); those of live processes are theirs to finish."""
    for work in link.parent.glob(f".{link.name}-*.compacting"):
        pid = int(work.name.split("-")[-2])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(work, ignore_errors=True)
        except PermissionError:  # alive, another user's
            pass


def has_uncompacted_writes(files: int, files_after_last_compaction: int) -> bool:
    return files > files_after_last_compaction


def _optimize(store: ox.Store) -> None:
    store.optimize()


def load_file(path: Path, graph: str = GRAPH_DATASETS, target: Path | None = None) -> Path:
    """Bulk-load an N-Triples or Turtle file into a named graph of a copy of the store and swap
    it in (no validation: for benchmarks and restores of exported records)."""
    link = target or paths.store_dir()
    fmt = ox.RdfFormat.TURTLE if path.suffix == ".ttl" else ox.RdfFormat.N_TRIPLES

    def fill(store: ox.Store, fresh: Path) -> None:
        store.bulk_load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph))
        store.flush()
        _compact(store, fresh, link)
    return _next_generation(link, fill, from_current=True)


def replace_in_datasets(removal: str, triples: str, target: Path | None = None, *,
                        compact: bool = True) -> Path:
    """Run the `removal` update, then bulk-load the N-Triples `triples` into the datasets
    graph, in a copy of the current store swapped in on success (a failure leaves the store
    exactly as it was). The bulk loader is safe here, as nobody reads the copy before the
    swap, and it writes 52,000 triples in 0.6 s where an INSERT DATA takes 1.5 s (measured)."""
    link = target or paths.store_dir()
    return _next_generation(link, _replacing(removal, triples, link, compact),
                            from_current=True)


def _replacing(removal: str, triples: str, link: Path,
               compact: bool) -> Callable[[ox.Store, Path], None]:
    """What replace_in_datasets does in the copy."""
    def fill(store: ox.Store, fresh: Path) -> None:
        store.update(removal)
        store.bulk_load(triples.encode(), ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(GRAPH_DATASETS))
        store.flush()
        if compact:
            _compact_when_fragmented(store, fresh, link)
    return fill


def _compact_when_fragmented(store: ox.Store, directory: Path, link: Path) -> None:
    """Compact the store once writes have added enough files since the last compaction.

    Each write flushes new level-0 files (about one per index) and closes the store before
    RocksDB's background compaction runs, and every read must merge all level-0 files: 12 of
    them made the dataset queries at 1 M triples 1.3x slower than the same data compacted
    (measured). A full compaction costs time proportional to the store, so the threshold
    (`needs_compaction`) trades read speed against write cost; on a large store the last
    write or two stay uncompacted (bench/README.md, 9.4 M triples)."""
    if needs_compaction(_sst_files(directory), _files_after_last_compaction(link)):
        _compact(store, directory, link)


def needs_compaction(files: int, files_after_last_compaction: int) -> bool:
    """Whether a store with `files` SST files should be compacted: when writes have added
    at least 4 files, or a quarter of the compacted count if that is more."""
    added = files - files_after_last_compaction
    return added >= max(4, files_after_last_compaction // 4)


def _compact(store: ox.Store, directory: Path, link: Path) -> None:
    _optimize(store)
    _compaction_marker(link).write_text(str(_sst_files(directory)))


def _compaction_marker(link: Path) -> Path:
    return link.parent / f".{link.name}.compacted"


def _files_after_last_compaction(link: Path) -> int:
    marker = _compaction_marker(link)
    return int(marker.read_text()) if marker.exists() else 0


def _sst_files(directory: Path) -> int:
    return sum(1 for _ in directory.glob("*.sst"))


def _swap(link: Path, fresh: Path, tidy: bool = True) -> list[Path]:
    """Point `link` at `fresh` atomically; keep the previous directory, remove older ones
    (`tidy=False`: return them for the caller to remove)."""
    if link.exists() and not link.is_symlink():
        raise RuntimeError(f"{link} exists and is not a symlink made by bigmap-kg build")
    previous = link.resolve() if link.is_symlink() else None
    temporary = link.parent / f".{link.name}.swap-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(fresh.name)
    os.replace(temporary, link)
    keep = {fresh.resolve(), previous}
    older = [old for old in link.parent.glob(f"{link.name}-*")
             if old.is_dir() and old.resolve() not in keep]
    if tidy:
        _remove(older)
    return older


def _remove(directories: list[Path]) -> None:
    for directory in directories:
        shutil.rmtree(directory, ignore_errors=True)
