"""The build pipeline: parse → validate → infer → load, swapping in the new store on success."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from . import import_catalog, sources
from .namespaces import BMO, GRAPH_DATA, GRAPH_INFERRED, GRAPH_ONTOLOGY, sparql_prologue
from .reason import ReasoningError, java_available, reason
from .rules import apply_rules, rule_files
from .store.embedded import memory_store, to_quads
from .store.generations import write_store
from .validate import Report, validate

#: the evidence of the complementarity rules (reason statements, printed values, sentences):
#: no axiom reads it, and its hundreds of statement individuals doubled HermiT's time
EVIDENCE_ONLY = frozenset(ox.NamedNode(BMO + name) for name in (
    "hasReasonStatement", "reasonKind", "restsOn", "evidence", "explanation",
    "matchedObservable"))
REASON_STATEMENT = ox.NamedNode(BMO + "ReasonStatement")


class BuildError(Exception):
    """The inputs are not good enough to replace the store."""

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.report = report


@dataclass
class BuildSummary:
    """What a build produced."""

    store: Path | None
    triples: dict[str, int] = field(default_factory=dict)
    classes: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    #: which SHACL validator ran ("compiled", or "pyshacl (why)"; see validate.Report)
    validator: str = ""
    timings: dict[str, float] = field(default_factory=dict)

    def as_text(self) -> str:
        lines = ["triples per graph:"]
        lines += [f"  {name:<48} {count:>7}" for name, count in self.triples.items()]
        lines.append("instances per class:")
        lines += [f"  {name:<48} {count:>7}" for name, count in self.classes.items()]
        lines.append(f"SHACL warnings: {self.warnings} (see `bigmap-kg validate`); validator: "
                     f"{self.validator}")
        lines.append("timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in self.timings.items()))
        if self.store:
            lines.append(f"store: {self.store}")
        return "\n".join(lines)


CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {
  GRAPH ?g { ?s a ?class } FILTER(STRSTARTS(STR(?class), STR(bmo:)))
} GROUP BY ?class ORDER BY ?class
"""


def build(progress: Callable[[str], None] = lambda _: None, *, write: bool = True,
          data_files: list[Path] | None = None, reasoner: bool = True) -> BuildSummary:
    """Run the whole pipeline; raise BuildError (store untouched) when inputs are bad."""
    timings: dict[str, float] = {}

    def step(name: str, started: float) -> None:
        timings[name] = time.perf_counter() - started
        progress(f"{name}: {timings[name]:.2f}s")

    started = time.perf_counter()
    ontology = sources.read(sources.ontology_files())
    data = sources.read(data_files if data_files is not None else sources.data_files())
    shapes = sources.read(sources.shapes_files()).graph
    rules = rule_files()
    step("parse", started)

    started = time.perf_counter()
    report = validate(data, shapes, ontology.graph)
    step("validate", started)
    if report.violations:
        raise BuildError(f"{len(report.violations)} SHACL violation(s); the store was not "
                         "changed", report)

    folders = import_catalog.folders_from_env()
    if folders:
        started = time.perf_counter()
        catalog = import_catalog.load_catalog(folders)
        checked = import_catalog.check(ontology.graph + data.graph, catalog)
        step("imports", started)
        if not checked.ok:
            raise BuildError("external IRIs not found in the import catalog: "
                             f"{checked.missing}; deprecated: {checked.deprecated}")

    started = time.perf_counter()
    store = memory_store({GRAPH_ONTOLOGY: ontology.graph, GRAPH_DATA: data.graph})
    inferred = apply_rules(store, rules)
    step("rules", started)
    progress(f"rules added {inferred.total} triples in {inferred.rounds} round(s)")

    if reasoner and java_available():
        started = time.perf_counter()
        # one graph from the store itself, so that blank nodes of data and rules are the same
        triples = (ox.Triple(q.subject, q.predicate, q.object)
                   for q in store.quads_for_pattern(None, None, None, None)
                   if q.predicate not in EVIDENCE_ONLY and q.object != REASON_STATEMENT)
        everything = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                                   format="nt")
        try:
            entailed = reason(everything)
        except ReasoningError as error:
            raise BuildError(str(error)) from None
        store.extend(q for q in to_quads(entailed.inferred, GRAPH_INFERRED)
                     if not any(True for _ in store.quads_for_pattern(
                         q.subject, q.predicate, q.object, None)))
        step("reason", started)
    elif reasoner:
        progress("reason: skipped (no Java; install a JRE to run HermiT)")

    summary = BuildSummary(store=None, warnings=len(report.warnings), validator=report.validator,
                           timings=timings)
    for name in (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_INFERRED):
        summary.triples[name] = sum(1 for _ in store.quads_for_pattern(
            None, None, None, ox.NamedNode(name)))
    for row in store.query(sparql_prologue() + CLASS_COUNTS):
        summary.classes[row["class"].value.split("#")[-1]] = int(row["n"].value)

    if write:
        started = time.perf_counter()
        summary.store = write_store(store.quads_for_pattern(None, None, None, None))
        step("load", started)
    return summary

