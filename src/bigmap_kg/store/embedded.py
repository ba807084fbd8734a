"""The embedded store: a persistent pyoxigraph store on disk, behind the `store` symlink.

A build writes a complete new store into a fresh directory and then swaps the symlink
atomically (`generations`), so a failed build never replaces a good store and readers never
see half a build. Readers (`LiveStore`) follow the symlink.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from .. import paths
from .base import QueryResult, StoreMissingError
from .generations import (
    PendingWrite,
    apply_update,
    compact_in_background,
    compact_store,
    needs_compaction,
    records_replacement,
    replace_in_datasets,
)


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
        return PendingWrite(self.link, records_replacement(removal, triples, self.link,
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
