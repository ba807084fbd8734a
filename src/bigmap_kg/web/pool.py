"""Query execution in worker processes, so that a runaway query can be stopped.

Each worker opens the store read-only once and answers jobs over a pipe with a serialised
result. A job that exceeds the time limit gets its worker killed and replaced: the client gets
a clear error, and the other workers keep serving everyone else.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from ..store import connect
from .inline import Inline

log = logging.getLogger("uvicorn.error")
RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def timed_out(timeout: float) -> str:
    """What a client whose query outlived the time limit is told (with status 503)."""
    return f"query timed out after {timeout:g} s and was stopped; narrow the query or add LIMIT"


class QueryError(Exception):
    """A query the service refuses or cannot answer; `status` is the HTTP status to send."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Job:
    query: str
    default_graphs: tuple[str, ...] | None  # None: the union of all graphs
    named_graphs: tuple[str, ...] | None    # None: all named graphs
    result_types: tuple[str, ...]           # acceptable result media types, best first
    graph_types: tuple[str, ...]            # acceptable RDF media types, best first
    max_bytes: int
    base_iri: str | None = None  # resolves relative IRIs in the query (the endpoint's URL)


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


def execute(store: ox.Store, job: Job) -> Answer:
    """Run one job in this process; raise QueryError for what the client did wrong."""
    kwargs = {"base_iri": job.base_iri} if job.base_iri else {}
    if job.default_graphs is None:
        kwargs["use_default_graph_as_union"] = True
    else:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs is not None:
        kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
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


def _serve(connection: Connection, store_path: str) -> None:
    store = connect(Path(store_path))  # embedded: follows the symlink across ingests, builds
    while True:
        job = connection.recv()
        if job is None:
            return
        try:
            connection.send(("ok", execute(store, job)))
        except QueryError as error:
            connection.send(("error", error.status, error.message))
        except Exception as error:  # the worker must survive anything the engine raises
            connection.send(("error", 500, f"internal error: {type(error).__name__}: {error}"))


class _Worker:
    def __init__(self, context, store_path: str) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_serve, args=(child, store_path), daemon=True)
        self.process.start()
        child.close()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


class QueryPool:
    """A fixed number of query worker processes over one read-only store."""

    def __init__(self, store_path: Path, size: int, timeout: float) -> None:
        self.store_path = str(store_path.absolute())
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._workers = [_Worker(self._context, self.store_path) for _ in range(max(1, size))]
        for worker in self._workers:
            self._idle.put_nowait(worker)

    @staticmethod
    def run_at_once(job: Job, connection=None) -> None:
        """Never: every job goes to a worker process, which can be killed."""
        return None

    async def run(self, job: Job, connection=None) -> Answer:
        """Answer `job` in a worker process (`connection` is for the in-process runner)."""
        worker = await self._idle.get()
        loop = asyncio.get_running_loop()
        try:
            worker.connection.send(job)
            ready = await loop.run_in_executor(None, worker.connection.poll, self.timeout)
            if not ready:
                worker = self._replace(worker)
                raise QueryError(503, timed_out(self.timeout))
            try:
                reply = worker.connection.recv()
            except (EOFError, OSError):
                worker = self._replace(worker)
                raise QueryError(500, "the query worker stopped unexpectedly") from None
        finally:
            self._idle.put_nowait(worker)
        if reply[0] == "ok":
            return reply[1]
        raise QueryError(reply[1], reply[2])

    def _replace(self, worker: _Worker) -> _Worker:
        worker.stop()
        fresh = _Worker(self._context, self.store_path)
        self._workers[self._workers.index(worker)] = fresh
        return fresh

    def close(self) -> None:
        for worker in self._workers:
            with contextlib.suppress(OSError):
                worker.connection.send(None)
            worker.stop()


class QueryThreads:
    """Daemon threads that run calls handed over by the event loop. Each call reports back with
    a single `call_soon_threadsafe`: no executor work items, concurrent futures or shields in
    between (the hand-over is what a first-run query pays on top of running inline)."""

    def __init__(self, count: int) -> None:
        self._calls: queue.SimpleQueue = queue.SimpleQueue()
        self._count = count
        for index in range(count):
            threading.Thread(target=self._work, name=f"query-{index}", daemon=True).start()

    def submit(self, call: Callable, *args) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self._calls.put((loop, future, call, args))
        return future

    def _work(self) -> None:
        while (item := self._calls.get()) is not None:
            loop, future, call, args = item
            try:
                outcome = (call(*args), None)
            except BaseException as error:  # handed to the awaiting request, raised there
                outcome = (None, error)
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile: nobody waits
                loop.call_soon_threadsafe(_settle, future, *outcome)

    def close(self) -> None:
        for _ in range(self._count):
            self._calls.put(None)


def _settle(future: asyncio.Future, result, error: BaseException | None) -> None:
    if future.done():  # timed out or cancelled: nobody awaits it
        return
    if error is None:
        future.set_result(result)
    else:
        future.set_exception(error)


class _Expired(Exception):
    """The time limit passed (distinct from any TimeoutError the query itself might raise)."""


def _expire(future: asyncio.Future) -> None:
    if not future.done():
        future.set_exception(_Expired())


class InProcessRunner:
    """Queries answered in this process, with no hop to another process: used when uvicorn
    runs several worker processes under its supervisor.

    A job runs in a thread (pyoxigraph releases the GIL) under the time limit. A thread cannot
    be stopped, a process can: on timeout the client gets 503 and this worker retires — it
    stops taking requests, finishes the ones it has, and exits; the supervisor starts a fresh
    worker, and the others serve everyone meanwhile.

    A job that has already finished within `inline_seconds` on the current store is *proven*:
    the store is read-only, so the same job does the same work again, and it runs on the spot,
    without the hand-over to a thread (about 0.15 ms per query). A swapped-in store (after an
    ingest or build) proves every job afresh; runaway queries never prove themselves.

    With `inline` (`web/inline.py`), an unproven job also runs on the spot when its connection
    is all this worker serves and an inline slot is free, under a watchdog that answers 503 and
    ends the process past the time limit.
    """

    max_proven = 4096        # jobs remembered (the oldest is forgotten first)
    max_proven_chars = 10_000  # longer query texts are not remembered

    def __init__(self, store, timeout: float, threads: int = 4,
                 inline_seconds: float = 0.01, inline: Inline | None = None) -> None:
        self.store, self.timeout, self.retiring, self.inline = store, timeout, False, inline
        self.inline_seconds = min(inline_seconds, timeout / 100)
        self._threads = QueryThreads(threads)
        self._proven: dict[Job, None] = {}
        self._proven_on: object = None

    def run_at_once(self, job: Job, connection=None) -> Answer | None:
        """Answer `job` now when it may run on the spot (proven, or inline under the watchdog);
        None when it must be handed to a query thread. `connection` is the request's
        `ConnectionAwareProtocol`, if known."""
        store = self._current()
        if not isinstance(store, ox.Store):  # a remote store's time is the network's
            return None
        if job in self._proven:
            return execute(store, job)
        turn = self.inline.turn(connection) if self.inline else None
        if turn is None:
            return None
        started = time.perf_counter()
        answer = self.inline.run(turn, execute, store, job)
        self._prove_if_quick(job, store, time.perf_counter() - started)
        return answer

    async def run(self, job: Job, connection=None) -> Answer:
        """Answer `job`: on the spot when it may run there, else in a query thread."""
        answer = self.run_at_once(job, connection)
        if answer is not None:
            return answer
        store = self._current()
        started = time.perf_counter()
        answer = await self._threaded(store, job)
        self._prove_if_quick(job, store, time.perf_counter() - started)
        return answer

    def _current(self):
        """The current store; every job is proven afresh on a swapped-in store."""
        store = self.store.current()
        if store is not self._proven_on:
            self._proven.clear()
            self._proven_on = store
        return store

    def _prove_if_quick(self, job: Job, store, seconds: float) -> None:
        if isinstance(store, ox.Store) and seconds <= self.inline_seconds and \
                len(job.query) <= self.max_proven_chars:
            self._prove(job)

    def is_proven(self, job: Job) -> bool:
        return job in self._proven

    def _prove(self, job: Job) -> None:
        self._proven[job] = None
        if len(self._proven) > self.max_proven:
            del self._proven[next(iter(self._proven))]

    async def _threaded(self, store, job: Job) -> Answer:
        future = self._threads.submit(execute, store, job)
        deadline = asyncio.get_running_loop().call_later(self.timeout, _expire, future)
        try:
            return await future
        except _Expired:
            self._retire()
            raise QueryError(503, timed_out(self.timeout)) from None
        finally:
            deadline.cancel()

    def _retire(self) -> None:
        if not self.retiring:
            self.retiring = True
            log.error("a query in a query thread outlived the time limit of %g s: answered 503; "
                      "this worker retires and the supervisor starts a fresh one", self.timeout)
            os.kill(os.getpid(), signal.SIGTERM)  # uvicorn: graceful shutdown of this worker

    def close(self) -> None:
        if self.retiring:  # a runaway query thread cannot be joined: leave without it
            os._exit(0)
        self._threads.close()
        if self.inline:
            self.inline.close()
