"""The one place that opens the store: an embedded, persistent pyoxigraph store on disk.

A build writes a complete new store into a fresh directory and then swaps the `store` symlink
atomically, so a failed build never replaces a good store and readers never see half a build.
Writes after the build (dataset ingest) are copy-on-write: the current store is checkpointed
into a fresh directory (hard links, milliseconds), the update runs there in one transaction, and
the symlink is swapped only when it succeeded. Readers (`LiveStore`) follow the symlink.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from . import paths
from .namespaces import ALL_GRAPHS, ASSERTED_GRAPHS, GRAPH_DATASETS


class StoreMissingError(RuntimeError):
    """No store has been built yet."""


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
        self._target = ""
        self._store: ox.Store | None = None
        self._lock = threading.Lock()

    def current(self) -> ox.Store:
        target = os.path.realpath(self.link)
        if target != self._target:
            with self._lock:
                if target != self._target:
                    self._store = ox.Store.read_only(target)
                    self._target = target
        assert self._store is not None
        return self._store

    def __getattr__(self, name: str):
        return getattr(self.current(), name)

    def __len__(self) -> int:
        return len(self.current())


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


def write_store(quads: Iterable[ox.Quad], target: Path | None = None) -> Path:
    """Write the quads (plus the current store's dataset records) into a new store directory
    and swap it in; return the new directory."""
    link = target or paths.store_dir()
    with writer_lock(link):
        fresh = _fresh_dir(link)
        store = ox.Store(str(fresh))
        try:
            store.bulk_extend(quads)
            store.bulk_extend(carried_over(link))
            store.flush()
            store.optimize()
        except BaseException:
            del store
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        del store
        _swap(link, fresh)
    return fresh


def apply_update(update: str, target: Path | None = None) -> Path:
    """Run a SPARQL Update against a copy of the current store and swap it in on success.

    A failing update raises and leaves the store exactly as it was (same directory, same files).
    """
    link = target or paths.store_dir()
    with writer_lock(link):
        current = ox.Store.read_only(os.path.realpath(link))
        fresh = _fresh_dir(link)
        current.backup(str(fresh))
        del current
        store = ox.Store(str(fresh))
        try:
            store.update(update)
            store.flush()
        except BaseException:
            del store
            shutil.rmtree(fresh, ignore_errors=True)
            raise
        del store
        _swap(link, fresh)
    return fresh




def _swap(link: Path, fresh: Path) -> None:
    """Point `link` at `fresh` atomically; keep the previous directory, remove older ones."""
    if link.exists() and not link.is_symlink():
        raise RuntimeError(f"{link} exists and is not a symlink made by bigmap-kg build")
    previous = link.resolve() if link.is_symlink() else None
    temporary = link.parent / f".{link.name}.swap-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(fresh.name)
    os.replace(temporary, link)
    keep = {fresh.resolve(), previous}
    for old in link.parent.glob(f"{link.name}-*"):
        if old.is_dir() and old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)
