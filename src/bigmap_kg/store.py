"""The one place that opens the store: an embedded, persistent pyoxigraph store on disk.

A build writes a complete new store into a fresh directory and then swaps the `store` symlink
atomically, so a failed build never replaces a good store and readers never see half a build.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from . import paths
from .namespaces import ALL_GRAPHS, ASSERTED_GRAPHS


class StoreMissingError(RuntimeError):
    """No store has been built yet."""


def open_store(path: Path | None = None) -> ox.Store:
    """Open the built store read-only (safe for many processes at once)."""
    path = path or paths.store_dir()
    if not path.exists():
        raise StoreMissingError(f"no store at {path}: run `bigmap-kg build` first")
    return ox.Store.read_only(str(path.resolve()))


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


def write_store(quads: Iterable[ox.Quad], target: Path | None = None) -> Path:
    """Write the quads into a new store directory and swap it in; return the new directory."""
    link = target or paths.store_dir()
    link.parent.mkdir(parents=True, exist_ok=True)
    fresh = link.parent / f"{link.name}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    store = ox.Store(str(fresh))
    try:
        store.bulk_extend(quads)
        store.flush()
        store.optimize()
    except BaseException:
        del store
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    del store
    _swap(link, fresh)
    return fresh


def _swap(link: Path, fresh: Path) -> None:
    """Point `link` at `fresh` atomically and remove the directory it pointed at before."""
    previous = link.resolve() if link.is_symlink() else None
    if link.exists() and not link.is_symlink():
        raise RuntimeError(f"{link} exists and is not a symlink made by bigmap-kg build")
    temporary = link.parent / f".{link.name}.swap-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(fresh.name)
    os.replace(temporary, link)
    if previous and previous != fresh.resolve() and previous.exists():
        shutil.rmtree(previous, ignore_errors=True)
