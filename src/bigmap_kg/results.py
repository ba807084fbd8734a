"""Run SPARQL against the store and render results (table, JSON, CSV, Turtle ...)."""

from __future__ import annotations

import json
from itertools import product

import pyoxigraph as ox

from .namespaces import ALL_GRAPHS, PREFIXES, curie
from .querytext import with_values
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
    if not hasattr(store, "named_graphs"):  # the gateway's view of a built, served store
        return True
    return (all(g.value in ALL_GRAPHS for g in store.named_graphs())
            and next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())),
                     None) is None)

Term = ox.NamedNode | ox.Literal | ox.BlankNode


class Rows(list):
    """The solutions of a query over tables of listed terms, with its variables."""

    def __init__(self, rows, variables: list[ox.Variable]) -> None:
        super().__init__(rows)
        self.variables = variables


#: combinations of listed terms per query: a VALUES table of 400 IRIs is about 30 KB
VALUES_PER_QUERY = 400


def run(store, query: str, *, inferred: bool = True, prefixes: bool = True,
        bindings: dict[str, Term | list[Term] | tuple[Term, ...]] | None = None):
    """Execute a query over the asserted (+ inferred) graphs.

    The project prefixes are declared through pyoxigraph's `prefixes=` (unless `prefixes` is
    False; the query's own PREFIX lines win). A parameter bound to one term goes through
    `substitutions=` (SEP-0007: the variable is replaced by the term wherever it occurs, so no
    caller text is ever pasted into a query). Parameters bound to lists of terms are a VALUES
    table at the start of the WHERE group (`querytext.with_values`: the terms written by
    pyoxigraph), one query per 400 combinations, the answers concatenated: a batch of 10,000
    look-ups is 25 queries, not 10,000 (1.3 s → 0.2 s, measured)."""
    options = dataset_options(store, inferred)
    if prefixes:
        options["prefixes"] = PREFIXES
    listed = {name: list(terms) for name, terms in (bindings or {}).items()
              if isinstance(terms, list | tuple)}
    single = {ox.Variable(name): term for name, term in (bindings or {}).items()
              if name not in listed}
    if not listed:
        return store.query(query, substitutions=single or None, **options)
    combinations = list(product(*listed.values()))
    results = [store.query(with_values(query, list(listed),
                                       combinations[start:start + VALUES_PER_QUERY]),
                           substitutions=single or None, **options)
               for start in range(0, len(combinations), VALUES_PER_QUERY)]
    if not results:  # an empty list binds nothing: no answers
        return Rows([], [])
    if isinstance(results[0], ox.QueryBoolean):
        return any(bool(r) for r in results)
    if isinstance(results[0], ox.QuerySolutions):
        return Rows([row for r in results for row in r], list(results[0].variables))
    return [triple for r in results for triple in r]


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
