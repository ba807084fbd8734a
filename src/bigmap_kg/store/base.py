"""What the project asks of a store, whichever kind it is (embedded or remote)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import Graph

from ..namespaces import ALL_GRAPHS, ASSERTED_GRAPHS, GRAPH_ONTOLOGY


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


def ontology_graph(store) -> Graph:
    """The ontology graph as the build loaded it (nothing re-parses the sources)."""
    data = store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(GRAPH_ONTOLOGY))
    return Graph().parse(data=data, format="nt")


def graphs_for(inferred: bool) -> list[ox.NamedNode]:
    """The named graphs a query sees: asserted only, or asserted + inferred."""
    return [ox.NamedNode(g) for g in (ALL_GRAPHS if inferred else ASSERTED_GRAPHS)]
