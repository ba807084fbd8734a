"""The one query gateway of the service: every query any route runs (/sparql, /api, pages,
named queries, the planner, look-ups) goes through `Gateway.run`.

A query runs in one of a few worker processes that each open the store read-only (spawned per
service process, `BIGMAP_KG_QUERY_WORKERS`). The event loop hands a job over the worker's pipe
and waits for the pipe to become readable, so it never blocks. What the gateway enforces, for
every caller alike:

- the **time limit**: a worker still busy past it is killed and replaced, and the caller gets
  503 "timed out" (only the one whose query it was);
- the **result cap**: a serialised result beyond `max_bytes` is refused with 413;
- **client gone**: while a query runs, the request's `gone()` is asked every `poll` seconds; a
  query whose client has left is stopped the same way;
- **busy**: a job waits for a free worker at most the time limit, then gets 503 "busy" (the
  time limit of a job starts when a worker takes it, never while it waits behind others);
- the **cache**: answers are remembered per store generation (the inode and time of the store
  symlink; a build or ingest swaps in a new one), so nothing is stale after a swap and nothing
  is computed twice before one. A remote store has no generation and is never cached.

`GatewayStore` is the same gateway as a `GraphStore`, for the synchronous code (planner,
relations, pages) that `results.run` serves: called from a thread, it waits on the loop.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from ...media import GRAPH_FORMATS, RESULT_FORMATS
from ...store import LiveStore, connect
from ...store.remote import RemoteTriples

log = logging.getLogger("uvicorn.error")
Gone = Callable[[], Awaitable[bool]]


class QueryError(Exception):
    """A query the service refuses or cannot answer; `status` is the HTTP status to send."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def timed_out(timeout: float) -> str:
    """What a client whose own query outlived the time limit is told (with status 503)."""
    return f"query timed out after {timeout:g} s and was stopped; narrow the query or add LIMIT"


@dataclass(frozen=True)
class Job:
    """One query with everything that decides its answer (hashable: the cache key)."""

    query: str
    default_graphs: tuple[str, ...] | None = None  # None: the store's default graph, or...
    union: bool = False                            # ...the union of all graphs
    named_graphs: tuple[str, ...] | None = None    # None: all named graphs (or the query's)
    result_types: tuple[str, ...] = ("application/sparql-results+json",)  # best first
    graph_types: tuple[str, ...] = ("application/n-triples",)             # best first
    max_bytes: int = 50_000_000
    base_iri: str | None = None  # resolves relative IRIs in the query (the endpoint's URL)
    prefixes: tuple[tuple[str, str], ...] = ()  # declared through pyoxigraph's `prefixes=`
    substitutions: tuple[tuple[str, ox.NamedNode | ox.Literal | ox.BlankNode], ...] = ()


@dataclass(frozen=True)
class Answer:
    media_type: str
    body: bytes


class _Capped:
    """A write target that refuses to grow beyond a byte limit."""

    def __init__(self, limit: int) -> None:
        self.limit, self.parts, self.size = limit, [], 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise OverflowError
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass


def execute(store, job: Job) -> Answer:
    """Run one job against `store` in this process; raise QueryError for what the client did
    wrong."""
    kwargs: dict = {"base_iri": job.base_iri} if job.base_iri else {}
    if job.union:
        kwargs["use_default_graph_as_union"] = True
    elif job.default_graphs is not None:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    if job.prefixes:
        kwargs["prefixes"] = dict(job.prefixes)
    if job.substitutions:
        kwargs["substitutions"] = {ox.Variable(n): t for n, t in job.substitutions}
    try:
        result = store.query(job.query, **kwargs)
    except SyntaxError as error:
        raise QueryError(400, f"query syntax error: {error}") from None
    except (OSError, ValueError, RuntimeError) as error:
        raise QueryError(400, f"query could not be evaluated: {error}") from None
    sink = _Capped(job.max_bytes)
    try:
        if not isinstance(result, ox.QuerySolutions | ox.QueryBoolean):  # a graph
            if not job.graph_types:
                raise QueryError(406, "no acceptable media type for a graph result "
                                      f"(offered: {', '.join(GRAPH_FORMATS)})")
            media = job.graph_types[0]
            result.serialize(sink, format=GRAPH_FORMATS[media])
        else:
            if not job.result_types:
                raise QueryError(406, "no acceptable media type for SELECT/ASK results "
                                      f"(offered: {', '.join(RESULT_FORMATS)})")
            media = job.result_types[0]
            if isinstance(result, ox.QueryBoolean) and media in ("text/csv",
                                                                 "text/tab-separated-values"):
                media = next((m for m in job.result_types if m.startswith("application/")),
                             "application/sparql-results+json")
            result.serialize(sink, format=RESULT_FORMATS[media])
    except OverflowError:
        raise QueryError(413, f"the result is larger than the limit of {job.max_bytes} bytes; "
                              "add LIMIT or narrow the query") from None
    except (OSError, ValueError, RuntimeError) as error:
        raise QueryError(400, f"query could not be evaluated: {error}") from None
    return Answer(media_type=media, body=b"".join(sink.parts))


def generation(store) -> object | None:
    """The store generation a query would see now (None: a remote store, never cached)."""
    if isinstance(store, LiveStore):
        stat = os.lstat(store.link)  # one system call: a swap replaces the symlink's inode
        return stat.st_ino, stat.st_mtime_ns
    return None


def _serve(connection: Connection, store_path: str) -> None:
    """A worker process: answer jobs over the pipe until it is closed (or the process killed)."""
    store = connect(Path(store_path))  # embedded: follows the symlink across ingests, builds
    connection.send(("ready",))
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        seen = generation(store)
        try:
            reply = ("ok", seen, execute(store.current(), job))
        except QueryError as error:
            reply = ("error", error.status, error.message)
        except Exception as error:  # the worker must survive anything the engine raises
            reply = ("error", 500, f"internal error: {type(error).__name__}: {error}")
        connection.send(reply)


class _Worker:
    started = 60.0  # seconds a fresh query process may take to start (imports, open store)

    def __init__(self, context, store_path: str) -> None:
        self.ready = False  # it has said so: its jobs' time limits start from then on
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, store_path), daemon=True,
                                       name="bigmap-kg-query")
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


def _wake(future: asyncio.Future, readable: bool) -> None:
    if not future.done():
        future.set_result(readable)


def _unwatch(loop: asyncio.AbstractEventLoop, fd: int) -> None:
    """Stop watching `fd`, and make it blocking again (uvloop's add_reader made it
    non-blocking): the reply is read whole, however large, once it has begun to arrive."""
    loop.remove_reader(fd)
    os.set_blocking(fd, True)


class Gateway:
    """A fixed number of killable query processes over one store, with the limits and cache
    described in the module docstring."""

    poll = 0.1  # seconds between looks at a running query (time limit, client gone)

    def __init__(self, store, store_path: Path, *, workers: int = 2, timeout: float = 10.0,
                 max_bytes: int = 50_000_000, cache_bytes: int = 64_000_000) -> None:
        self.store, self.timeout, self.max_bytes = store, timeout, max_bytes
        self.store_path = str(store_path.absolute())
        self.cache_bytes, self._cached_bytes = cache_bytes, 0
        self._cache: OrderedDict[tuple, Answer] = OrderedDict()
        self._context = multiprocessing.get_context("spawn")
        self._workers = [_Worker(self._context, self.store_path) for _ in range(max(1, workers))]
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        for worker in self._workers:
            self._idle.put_nowait(worker)

    async def run(self, job: Job, gone: Gone | None = None) -> Answer:
        """The answer to `job` (from the cache, or from a worker); QueryError otherwise."""
        key = (generation(self.store), job)
        if key[0] is not None and (cached := self._cache.get(key)) is not None:
            self._cache.move_to_end(key)
            return cached
        try:
            worker = self._idle.get_nowait() if not self._idle.empty() else \
                await asyncio.wait_for(self._idle.get(), self.timeout)
        except TimeoutError:
            raise QueryError(503, f"busy: all {len(self._workers)} query processes of this "
                                  f"server process stayed busy for {self.timeout:g} s; try "
                                  "again later") from None
        try:
            if not worker.ready:
                await self._until_ready(worker)
            reply = await self._exchange(worker, job, gone)
        except BaseException:
            worker = self._replace(worker)
            raise
        finally:
            self._idle.put_nowait(worker)
        if reply[0] != "ok":
            raise QueryError(reply[1], reply[2])
        answer: Answer = reply[2]
        if reply[1] is not None and reply[1] == key[0]:
            self._remember(key, answer)
        return answer

    async def started(self) -> None:
        """Wait until every query process is ready (a service is up when it can answer)."""
        workers = [await self._idle.get() for _ in self._workers]
        try:
            for worker in workers:
                if not worker.ready:
                    await self._until_ready(worker)
        finally:
            for worker in workers:
                self._idle.put_nowait(worker)

    async def _until_ready(self, worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        loop.add_reader(worker.connection.fileno(), _wake, future, True)
        timer = loop.call_later(worker.started, _wake, future, False)
        try:
            readable = await future
        finally:
            _unwatch(loop, worker.connection.fileno())
            timer.cancel()
        try:
            if not readable or worker.connection.recv() != ("ready",):
                raise EOFError
        except (EOFError, OSError):
            raise QueryError(500, "a query process did not start") from None
        worker.ready = True

    async def _exchange(self, worker: _Worker, job: Job, gone: Gone | None) -> tuple:
        """Send `job` to `worker` and wait for its reply without blocking the loop; a query
        past the time limit or whose client has gone raises (the caller replaces the worker)."""
        loop = asyncio.get_running_loop()
        fd = worker.connection.fileno()
        worker.connection.send(job)
        deadline = loop.time() + self.timeout
        while True:
            future = loop.create_future()
            loop.add_reader(fd, _wake, future, True)
            timer = loop.call_later(max(0.0, min(self.poll, deadline - loop.time())),
                                    _wake, future, False)
            try:
                readable = await future
            finally:
                _unwatch(loop, fd)
                timer.cancel()
            if readable:
                try:
                    return worker.connection.recv()
                except (EOFError, OSError):
                    raise QueryError(500, "the query process stopped unexpectedly") from None
            if loop.time() >= deadline:
                log.warning("a query outlived the time limit of %g s: its process is killed "
                            "and replaced; the client gets 503", self.timeout)
                raise QueryError(503, timed_out(self.timeout))
            if gone is not None and await gone():
                raise QueryError(499, "the client went away; its query was stopped")

    def _remember(self, key: tuple, answer: Answer) -> None:
        size = len(answer.body) + len(key[1].query)
        if size > self.cache_bytes // 8:  # one answer never takes much of the cache
            return
        self._cache[key] = answer
        self._cached_bytes += size
        while self._cached_bytes > self.cache_bytes:
            old_key, old = self._cache.popitem(last=False)
            self._cached_bytes -= len(old.body) + len(old_key[1].query)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        fresh = _Worker(self._context, self.store_path)
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()


def store_for(request) -> GatewayStore:
    """The gateway as a store for one request of a route (on the event loop): its queries are
    stopped when the request's client goes away."""
    return GatewayStore(request.app.state.gateway, asyncio.get_running_loop(),
                        request.is_disconnected)


class GatewayStore:
    """The gateway as a `GraphStore` (what `results.run` and the planner, relations and pages
    query): `query` waits on the gateway's event loop, so it must be called from a thread
    (`asyncio.to_thread`), never on the loop itself. `gone` is the request's disconnect check."""

    def __init__(self, gateway: Gateway, loop: asyncio.AbstractEventLoop,
                 gone: Gone | None = None) -> None:
        self.gateway, self.loop, self.gone = gateway, loop, gone
        self.loop_thread = threading.get_ident()  # made on the loop, by the route

    def current(self) -> GatewayStore:
        return self

    def dump(self, output=None, format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES, *,
             from_graph: ox.NamedNode):
        """One whole named graph, serialised (to `output`, or returned as bytes)."""
        return ox.serialize(self._graph(from_graph), output, format=format)

    def quads_for_pattern(self, subject, predicate, obj, graph: ox.NamedNode) -> list[ox.Quad]:
        """The quads of one whole named graph (the only pattern the service asks for)."""
        if subject is not None or predicate is not None or obj is not None or graph is None:
            raise NotImplementedError("the gateway lists whole named graphs only")
        return [ox.Quad(t.subject, t.predicate, t.object, graph) for t in self._graph(graph)]

    def _graph(self, graph: ox.NamedNode) -> list[ox.Triple]:
        return self.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                          substitutions={ox.Variable("g"): graph})

    def query(self, query: str, *, default_graph=None, named_graphs=None,
              use_default_graph_as_union: bool = False, base_iri: str | None = None,
              prefixes: dict[str, str] | None = None, substitutions: dict | None = None):
        """pyoxigraph's `Store.query`, answered by the gateway: SELECT and ASK results as
        pyoxigraph parses them, graphs as a list of triples."""
        if isinstance(default_graph, ox.NamedNode):
            default_graph = [default_graph]
        job = Job(query=query,
                  default_graphs=tuple(g.value for g in default_graph)
                  if default_graph is not None else None,
                  union=use_default_graph_as_union,
                  named_graphs=tuple(g.value for g in named_graphs)
                  if named_graphs is not None else None,
                  max_bytes=self.gateway.max_bytes, base_iri=base_iri,
                  prefixes=tuple(sorted((prefixes or {}).items())),
                  substitutions=tuple((v.value, t) for v, t in (substitutions or {}).items()))
        if threading.get_ident() == self.loop_thread:
            raise RuntimeError("GatewayStore.query called on the event loop; run the caller "
                               "in a thread (asyncio.to_thread)")
        answer = asyncio.run_coroutine_threadsafe(self.gateway.run(job, self.gone),
                                                  self.loop).result()
        media = answer.media_type
        if media in RESULT_FORMATS:
            return ox.parse_query_results(answer.body, format=RESULT_FORMATS[media])
        return RemoteTriples(ox.Triple(q.subject, q.predicate, q.object)
                             for q in ox.parse(answer.body, format=GRAPH_FORMATS[media]))

