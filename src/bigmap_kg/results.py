"""Run SPARQL against the store and render results (table, JSON, CSV, Turtle ...)."""

from __future__ import annotations

import json

import pyoxigraph as ox

from .namespaces import ALL_GRAPHS, curie, sparql_prologue
from .queryfile import with_bindings
from .store import RemoteStore, graphs_for


def dataset_options(store, inferred: bool) -> dict:
    """The query's dataset: the asserted (+ inferred) graphs as default graph, all as named.

    When the query sees every graph and the embedded store holds nothing but the project's
    graphs, that is the union default graph, which Oxigraph evaluates far faster than the same
    graphs listed (2 ms instead of 37 ms for a four-pattern join): same answers, less time."""
    if inferred and not isinstance(store, RemoteStore) and _only_project_graphs(store):
        return {"use_default_graph_as_union": True}
    return {"default_graph": graphs_for(inferred), "named_graphs": graphs_for(True)}


def _only_project_graphs(store) -> bool:
    return (all(g.value in ALL_GRAPHS for g in store.named_graphs())
            and next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())),
                     None) is None)


def run(store: ox.Store, query: str, *, inferred: bool = True, prefixes: bool = True,
        bindings: dict | None = None, inline: bool = False):
    """Execute a query over asserted (+ inferred) graphs; parameters are bound as RDF terms."""
    text = with_bindings(query, bindings or {}, inline=inline)
    return store.query((sparql_prologue() + text) if prefixes else text,
                       **dataset_options(store, inferred))


def term_text(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return curie(term.value)
    return term.value


def render_table(solutions: ox.QuerySolutions) -> str:
    """A plain-text table with project prefixes applied."""
    names = [v.value for v in solutions.variables]
    rows = [[term_text(row[name]) for name in names] for row in solutions]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    line = "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True))
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join([line, "-" * len(line), *body, f"({len(rows)} row(s))"])


def render(result, fmt: str) -> str:
    """Render any query result in a CLI format."""
    if isinstance(result, bool):
        return json.dumps({"head": {}, "boolean": result}) if fmt == "json" else str(result).lower()
    if isinstance(result, ox.QuerySolutions):
        if fmt == "table":
            return render_table(result)
        if fmt == "json":
            return result.serialize(format=ox.QueryResultsFormat.JSON).decode()
        if fmt == "csv":
            return result.serialize(format=ox.QueryResultsFormat.CSV).decode()
        if fmt == "tsv":
            return result.serialize(format=ox.QueryResultsFormat.TSV).decode()
        raise ValueError(f"format {fmt!r} does not apply to SELECT results")
    formats = {"turtle": ox.RdfFormat.TURTLE, "ttl": ox.RdfFormat.TURTLE,
               "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
               "table": ox.RdfFormat.TURTLE}
    if fmt not in formats:
        raise ValueError(f"format {fmt!r} does not apply to graph results")
    return ox.serialize(result, format=formats[fmt]).decode()


def rows_as_dicts(solutions: ox.QuerySolutions) -> list[dict[str, str]]:
    """SELECT results as plain dicts of strings (full IRIs), for tests and the API."""
    names = [v.value for v in solutions.variables]
    return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in solutions]
