"""The ingest pipeline: read → map → link → validate the whole batch → write it in one update.

A batch with any SHACL violation (or any input that cannot be read) is rejected whole with a
report naming file, node, property and message; nothing is written. An accepted batch is one
SPARQL Update (one transaction), which replaces what each record said before.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from .. import paths
from ..namespaces import BMO, iri_of
from ..queryfile import view
from ..results import run
from ..sources import SourceSet, read
from ..store import ontology_graph
from ..validate import Finding, validate
from .formats import FormatError, read_bytes
from .records import Record, finish, replacement
from .resolve import Vocabulary

SHAPES_FILE = "datasets.shapes.ttl"


@dataclass
class IngestReport:
    """What a batch did: the records read, every finding, and whether it was written."""

    records: list[Record] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    written: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def accepted(self) -> bool:
        return not self.errors and not self.violations

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted, "written": self.written,
            "records": [{"record": str(r.iri), "format": r.fmt, "id": r.record_id,
                         "source": r.source, "datasets": len(set(r.graph.subjects(
                             RDF.type, BMO.Dataset))), "notes": r.notes} for r in self.records],
            "errors": self.errors,
            "violations": [f.__dict__ for f in self.violations],
            "warnings": [f.__dict__ for f in self.findings if f.severity == "Warning"],
            "timings": {k: round(v, 4) for k, v in self.timings.items()},
        }

    def as_text(self) -> str:
        lines = [f"error: {e}" for e in self.errors]
        for record in self.records:
            lines.append(f"{record.source}: {record.fmt} record {record.record_id!r} → "
                         f"{record.iri}")
            lines += [f"  note: {n}" for n in record.notes]
        lines += [f.as_text() for f in self.findings]
        verdict = "written" if self.written else ("accepted (dry run)" if self.accepted
                                                  else "REJECTED: nothing was written")
        lines.append(f"{len(self.records)} record(s), {len(self.violations)} violation(s), "
                     f"{len(self.findings) - len(self.violations)} warning(s): {verdict}")
        return "\n".join(lines)

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)


@cache
def _shapes() -> Graph:
    return read([paths.SHAPES_DIR / SHAPES_FILE]).graph


def link(record: Record, vocabulary: Vocabulary) -> None:
    """Resolve recorded technique and material names to D5.1 nodes (never guessing)."""
    graph = record.graph
    for run_node, text in list(graph.subject_objects(BMO.techniqueAsRecorded)):
        if (run_node, BMO.appliedTechnique, None) in graph:
            continue
        found = vocabulary.resolve("technique", str(text))
        if found.node is not None:
            graph.add((run_node, BMO.appliedTechnique, found.node))
        elif found.note():
            record.notes.append(found.note())
        if found.operando is not None and (run_node, BMO.operando, None) not in graph:
            graph.add((run_node, BMO.operando, Literal(found.operando)))
    for sample, text in list(graph.subject_objects(BMO.materialAsRecorded)):
        found = vocabulary.resolve("material", str(text))
        if found.node is not None:
            graph.add((sample, BMO.activeMaterial, found.node))
        elif found.note():
            record.notes.append(found.note())


def _technique_types(records: list[Record], store) -> None:
    """Type each run with the CHAMEO and PaNET classes of its technique, exact or broad."""
    techniques = {t for r in records for t in r.graph.objects(None, BMO.appliedTechnique)}
    if not techniques:
        return
    terms = [ox.NamedNode(str(t)) for t in techniques]
    classes: dict[str, set[URIRef]] = {}
    for row in run(store, view("technique-classes"), prefixes=False,
                   bindings={"technique": terms}):
        classes.setdefault(row["technique"].value, set()).add(URIRef(row["class"].value))
    for record in records:
        for run_node, technique in list(record.graph.subject_objects(BMO.appliedTechnique)):
            for cls in classes.get(str(technique), ()):
                record.graph.add((run_node, RDF.type, cls))


def _context(records: list[Record], store) -> Graph:
    """rdf:type of the IRIs the batch points at but does not describe (from the store)."""
    described = {s for r in records for s in r.graph.subjects(unique=True)}
    pointed = {o for r in records for o in r.graph.objects(unique=True)
               if isinstance(o, URIRef) and o not in described}
    context = Graph()
    if pointed:
        terms = [ox.NamedNode(str(o)) for o in pointed]
        for triple in run(store, view("ingest-context"), prefixes=False, bindings={"node": terms}):
            context.add((URIRef(triple.subject.value), RDF.type, URIRef(triple.object.value)))
    return context


def _validate(records: list[Record], store) -> list[Finding]:
    data = Graph()
    origin = {}
    for record in records:
        data += record.graph
        source = Path(record.source)
        for subject in record.graph.subjects(unique=True):
            if isinstance(subject, URIRef) and source.is_file():
                origin[subject] = source
    data += _context(records, store)
    report = validate(SourceSet(graph=data, origin=origin), _shapes(), ontology_graph(store))
    owner = {str(s): r.source for r in records for s in r.graph.subjects(unique=True)}
    findings = []
    for finding in report.findings:
        if not finding.file:
            head = finding.node.split(" / ")[0]
            iri = head if "://" in head else iri_of(head) if ":" in head else head
            finding = replace(finding, file=owner.get(iri, ""))
        findings.append(finding)
    return findings


def ingest(inputs: Iterable[tuple[bytes, str]], store, write: Callable[[str], object] | None,
           vocabulary: Vocabulary | None = None) -> IngestReport:
    """Ingest a batch of (content, source name) inputs; `write=None` validates only (dry run)."""
    report = IngestReport()
    started = time.perf_counter()
    vocabulary = vocabulary or Vocabulary.from_store(store)
    for data, source in inputs:
        try:
            records = read_bytes(data, source, vocabulary)
        except (FormatError, ValueError) as error:
            report.errors.append(str(error) if source in str(error) else f"{source}: {error}")
            continue
        for record in records:
            link(record, vocabulary)
            foreign = record.foreign()
            if foreign:
                report.errors.append(f"{source}: the record describes D5.1 nodes, which only "
                                     f"the curated data may do: {', '.join(sorted(foreign))}")
            report.records.append(record)
    _technique_types(report.records, store)
    for record in report.records:
        finish(record)
    report.timings["read"] = time.perf_counter() - started
    if not report.records and not report.errors:
        report.errors.append("the batch holds no record")
    if report.errors:
        return report
    started = time.perf_counter()
    report.findings = _validate(report.records, store)
    report.timings["validate"] = time.perf_counter() - started
    if report.accepted and write is not None:
        started = time.perf_counter()
        write(replacement(report.records))
        report.written = True
        report.timings["write"] = time.perf_counter() - started
    return report


def ingest_files(files: Iterable[Path], store, write: Callable[[str], object] | None,
                 vocabulary: Vocabulary | None = None) -> IngestReport:
    """Ingest files (one batch): a file that cannot be read rejects the batch."""
    inputs = []
    for path in files:
        try:
            inputs.append((path.read_bytes(), str(path)))
        except OSError as error:
            return IngestReport(errors=[f"{path}: {error.strerror or error}"])
    return ingest(inputs, store, write, vocabulary)
