"""Every named query (queries/*.rq) and view (src/bigmap_kg/sparql/**/*.rq) timed on the store.

Each runs once to warm up, then `--runs` times; the medians of wall-clock and CPU time are
reported, slowest first by CPU time, with the number of results. The limit applies to the CPU
time (this thread's, where pyoxigraph evaluates the query): on an idle machine the two agree,
on a shared one only the CPU time still measures the query. Views are run with the bindings
their callers use (a representative technique, experiment ...); named queries with their
defaults. Exit status 1 when one is over `--limit` CPU milliseconds (20 by default, issue 14).
Run after `bigmap-kg build`:

    .venv/bin/python bench/queries_bench.py [--runs 7] [--limit 20] [--store var/store]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from bigmap_kg import paths
from bigmap_kg.queryfile import SPARQL_DIR, QueryFile, view
from bigmap_kg.results import run
from bigmap_kg.store import open_store

B = "https://w3id.org/bigmap-kg/"
BMO = "https://w3id.org/bigmap-kg/ontology#"


def node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri if iri.startswith("http") else B + iri)


# what each view's caller binds (src/bigmap_kg/web, planner, relations, datasets); views not
# listed run unbound, as their callers run them
VIEW_BINDINGS: dict[str, dict] = {
    "entity": {"entity": node("technique/xrd")},
    "compare-entries": {"technique": node("technique/xrd")},
    "technique-cells": {"technique": node("technique/xrd")},
    "instances": {"class": node(BMO + "Technique")},
    "relations": {"technique": node("technique/xrd")},
    "plan-candidates": {"required": [node("observable/crystal-structure"),
                                     node("observable/morphology")]},
    "material-techniques": {"material": node("material/lno")},
    "technique-classes": {"technique": [node("technique/xrd"), node("technique/xrd-ct")]},
    "ingest-context": {"node": [node("technique/xrd"), node("instrument/esrf-id31")]},
    "dataset-datacite": {"dataset": node("dataset/none")},
    "experiment-datasets": {"experiment": node("experiment/t3-09")},
    "entity-measured-by": {"entity": node("observable/sei-composition")},
    "entity-about": {"entity": node("technique/xrd")},
    "entity-labels": {"thing": [node("cell/uu-fast-cycling-pouch-holder")]},
    "entity-measures": {"entity": node("technique/xrd")},
    "entity-variants": {"entity": node("technique/xrd")},
    "entity-offers": {"entity": node("technique/xrd")},
    "entity-quantities": {"entity": node("technique/xrd")},
    "entity-references": {"entity": node("technique/xrd")},
    "entity-instruments": {"entity": node("facility/esrf")},
    "entity-offered-in": {"entity": node("instrument/esrf-id31")},
    "entity-experiments": {"entity": node("period/m06-m12")},
    "entity-partner-offers": {"entity": node("partner/esrf")},
    "entity-cells": {"entity": node("partner/uu")},
    "entity-people": {"entity": node("partner/uu")},
}


def timed(store, text: str, bindings: dict, runs: int) -> tuple[float, float, int]:
    """Median wall-clock and CPU milliseconds (the CPU time of this thread, where pyoxigraph
    evaluates: what the query costs, whatever else the machine runs) and the result count."""
    def once() -> int:
        result = run(store, text, prefixes=False, bindings=bindings)
        return 1 if isinstance(result, bool) else sum(1 for _ in result)

    count = once()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.thread_time()
        once()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu), count


def api_bindings() -> dict[str, dict]:
    """What /api binds in each collection's views: its class, and each filter's example value."""
    from bigmap_kg.namespaces import iri_of
    from bigmap_kg.web.routes.collections import COLLECTIONS, FILTER_EXAMPLES

    found = {}
    for collection, spec in COLLECTIONS.items():
        cls = node(iri_of(spec.cls))
        found[f"api/{collection}/members"] = {"class": cls}
        for name, item in spec.filters.items():
            found[f"api/{collection}/{name}"] = {
                "class": cls, "value": item.term(FILTER_EXAMPLES[name])}
    return found


def jobs() -> list[tuple[str, str, dict]]:
    from bigmap_kg.namespaces import sparql_prologue

    found = [(f"queries/{p.stem}", sparql_prologue() + QueryFile.read(p).text, {})
             for p in sorted(paths.QUERIES_DIR.glob("*.rq"))]
    api = api_bindings()
    for path in sorted(SPARQL_DIR.rglob("*.rq")):
        name = path.relative_to(SPARQL_DIR).with_suffix("").as_posix()
        if name == "api/members":  # once per collection
            found += [(f"sparql/{key}", view(name), bindings) for key, bindings in api.items()
                      if key.endswith("/members")]
        else:
            bindings = VIEW_BINDINGS.get(name) or api.get(name, {})
            found.append((f"sparql/{name}", view(name), bindings))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--limit", type=float, default=20.0, help="milliseconds")
    parser.add_argument("--store", type=Path, default=paths.store_dir())
    args = parser.parse_args()
    store = open_store(args.store)
    results = [(name, *timed(store, text, bindings, args.runs))
               for name, text, bindings in jobs()]
    results.sort(key=lambda r: -r[2])
    print(f"load average {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    print(f"{'query':<56} {'wall ms':>8} {'CPU ms':>8} {'results':>8}")
    for name, wall, cpu, count in results:
        flag = "  OVER" if cpu > args.limit else ""
        print(f"{name:<56} {wall:>8.2f} {cpu:>8.2f} {count:>8}{flag}")
    over = [r for r in results if r[2] > args.limit]
    print(f"{len(results)} queries; slowest {results[0][0]} {results[0][2]:.1f} ms CPU; "
          f"{len(over)} over {args.limit:g} ms")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
