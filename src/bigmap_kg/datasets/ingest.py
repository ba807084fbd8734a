"""The ingest pipeline: read → map → link → validate the whole batch → write it in one update.

A batch with any SHACL violation (or any input that cannot be read) is rejected whole with a
report naming file, node, property and message; nothing is written. An accepted batch is one
atomic write (the store's `replace_records`), which replaces what each record said before.
Into the embedded store that write begins while the batch is validated, in a copy swapped in
only when the batch is accepted (`LiveStore.prepare_records`).
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
from ..namespaces import BMO, GRAPH_DATASETS, GRAPH_ONTOLOGY, curie, to_iri
from ..queryfile import view
from ..results import run
from ..shacl_core import Triples, Unsupported, Validator, compile_shapes
from ..sources import SourceSet, ox_term, read
from ..store import ontology_graph
from ..validate import Finding, findings, shacl_results
from . import guard
from .formats import FormatError, read_bytes
from .limits import Limits
from .records import Record, finish, ntriples, objects, removal, subjects
from .resolve import Vocabulary

SHAPES_FILE = "datasets.shapes.ttl"
DESCRIBES = ox.NamedNode(str(BMO.describes))


@dataclass
class IngestReport:
    """What a batch did: the records read, every finding, and whether it was written."""

    records: list[Record] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    written: bool = False
    validator: str = ""  # "compiled" (shacl_core) or why pyshacl validated the batch
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
            "validator": self.validator,
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


@cache
def _compiled() -> Validator | str:
    """The dataset shapes compiled (shacl_core), or why they cannot be: then pyshacl runs."""
    try:
        return Validator(compile_shapes(_shapes()))
    except Unsupported as error:
        return f"pyshacl ({error})"


def link(record: Record, vocabulary: Vocabulary) -> None:
    """Resolve recorded technique and material names to D5.1 nodes (never guessing)."""
    graph = record.graph
    for run_node, text in list(graph.subject_objects(BMO.techniqueAsRecorded)):
        if (run_node, BMO.appliedTechnique, None) in graph:
            continue
        found = vocabulary.resolve("technique", str(text))
        if found.node is not None:
            graph.add((run_node, BMO.appliedTechnique, found.node))
        record.notes.append(found.decision())
        if found.operando is not None and (run_node, BMO.operando, None) not in graph:
            graph.add((run_node, BMO.operando, Literal(found.operando)))
    for sample, text in list(graph.subject_objects(BMO.materialAsRecorded)):
        found = vocabulary.resolve("material", str(text))
        if found.node is not None:
            graph.add((sample, BMO.activeMaterial, found.node))
        record.notes.append(found.decision())


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


def _context(records: list[Record], store) -> list[ox.Triple]:
    """rdf:type of the IRIs the batch points at but does not describe (from the store)."""
    described = {s for r in records for s in subjects(r.graph)}
    pointed = {o for r in records for o in objects(r.graph)
               if isinstance(o, URIRef) and o not in described}
    if not pointed:
        return []
    terms = [ox.NamedNode(str(o)) for o in pointed]
    return list(run(store, view("ingest-context"), prefixes=False, bindings={"node": terms}))


def _validate(records: list[Record], store, body: str) -> tuple[list[Finding], str]:
    """The findings of the dataset shapes on the batch (+ the types of what it points at and
    the ontology), and which validator gave them."""
    origin = {}
    for record in records:
        source = Path(record.source)
        if record.fmt == "NativeRDF" and source.suffix in {".ttl", ".nt", ".n3"} and \
                source.is_file():  # Turtle: the line where the node is described
            for subject in subjects(record.graph):
                if isinstance(subject, URIRef):
                    origin[subject] = source
    context = _context(records, store)
    validator = _compiled()
    data = Graph()
    if isinstance(validator, Validator):
        graph = _graph(records, body)
        for triple in context:
            graph.add(ox.Quad(triple.subject, triple.predicate, triple.object))
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY)):
            graph.add(ox.Quad(quad.subject, quad.predicate, quad.object))
        results = validator.validate(graph)
        engine = "compiled"
    else:
        for record in records:
            data += record.graph
        for triple in context:
            data.add((URIRef(triple.subject.value), RDF.type, URIRef(triple.object.value)))
        results, _ = shacl_results(data, _shapes(), ontology_graph(store))
        engine = validator
    if not results:
        return [], engine
    if not data:  # blank nodes are described by their owners
        for record in records:
            data += record.graph
    owner = {s: r for r in records for s in subjects(r.graph)}
    found = []
    for finding in findings(results, SourceSet(graph=data, origin=origin)):
        if not finding.file:
            head = finding.node.split(" / ")[0]
            node = URIRef(to_iri(head) or head)
            record = owner.get(node)
            if record is not None:
                finding = replace(finding, file=record.source, line=anchor_line(record, node))
        found.append(finding)
    return found, engine


def _graph(records: list[Record], body: str) -> Triples | ox.Dataset:
    """The records' triples for the compiled shapes: their terms converted (the triples that
    `body`, their N-Triples, parses to), or, when pyoxigraph refuses a term, `body` parsed
    (which raises SyntaxError naming the line)."""
    graph, add = Triples(), Triples.add_triple
    named: dict = {}  # IRI → its term (IRIs recur; a literal seldom does, and hashes slowly)
    try:
        for record in records:
            for s, p, o in record.graph:
                subject = named.get(s) or named.setdefault(s, ox_term(s))
                predicate = named.get(p) or named.setdefault(p, ox_term(p))
                add(graph, subject, predicate, ox_term(o) if type(o) is Literal else
                    named.get(o) or named.setdefault(o, ox_term(o)))
    except ValueError:
        return ox.Dataset(ox.parse(body.encode(), ox.RdfFormat.N_TRIPLES))
    return graph


def anchor_line(record: Record, node: URIRef) -> int:
    """The source line of a node a JSON / XML reader minted: where the string it was minted
    from (an @id, a file key, the DOI) occurs, else that of a node it is linked to; 0 if none."""
    graph = record.graph
    near = [node, *graph.objects(node, None), *graph.subjects(None, node)]
    lines = record.text.splitlines()
    for candidate in near:
        anchor = record.anchors.get(candidate)
        if not anchor:
            continue
        for needle in (f'"{anchor}"', f'/{anchor}"', f">{anchor}<", anchor):
            hits = [n for n, line in enumerate(lines, 1) if needle in line]
            # a JSON node is described where its @id is followed by more of the node, not
            # where it is only referred to ({"@id": …} alone)
            described = [n for n in hits if n < len(lines) and
                         not lines[n].strip().startswith(("}", "]"))]
            if hits:
                return (described or hits)[0]
    return 0


def _owner_text(row) -> str:
    source = f", from {row['source'].value}" if row["source"] is not None else ""
    return (f"record {curie(row['record'].value)} ({curie(row['format'].value)} "
            f"{row['id'].value!r}{source})")


def _conflicts(records: list[Record], store) -> list[str]:
    """A node, and a DOI, belongs to one record: a second record that describes it is refused
    (in the batch or in the store), naming the record that has it. The same record again
    (same IRI: same format and identifier) replaces itself."""
    errors: list[str] = []
    claims: dict = {}
    dois: dict[str, Record] = {}
    for record in records:
        if record.iri in claims:
            errors.append(f"{record.source}: the batch holds record {curie(record.iri)} twice "
                          f"(also {claims[record.iri].source}): one identifier, one record")
            continue
        # the nodes it owns: `finish` stated them as bmo:describes (no scan of the graph)
        for node in record.graph.objects(record.iri, BMO.describes):
            first = claims.setdefault(node, record)
            if first is not record:
                errors.append(f"{record.source}: {curie(node)} is also described by "
                              f"{first.source} in the same batch; a node belongs to one record")
        for doi in {str(d).lower() for d in record.graph.objects(None, BMO.doi)}:
            first = dois.setdefault(doi, record)
            if first.iri != record.iri:
                errors.append(f"{record.source}: DOI {doi} is also described by {first.source} "
                              "in the same batch; a DOI belongs to one record")
    if claims:
        nodes = _described(store, [ox.NamedNode(str(n)) for n in claims])
        for row in run(store, view("ingest-owners"), prefixes=False, bindings={"node": nodes}):
            node = URIRef(row["node"].value)
            record = claims[node]
            if row["record"].value != str(record.iri) and (node, BMO.doi, None) not in \
                    record.graph:  # a dataset with a DOI: said below, by its DOI
                errors.append(f"{record.source}: {curie(row['node'].value)} is already described "
                              f"by {_owner_text(row)}; withdraw that record first "
                              f"(`bigmap-kg withdraw {row['id'].value}`) or ingest it again")
    if dois:
        values = [ox.Literal(d) for d in dois]
        for row in run(store, view("ingest-doi-owners"), prefixes=False,
                       bindings={"doi": values}):
            record = dois[row["doi"].value]
            if row["record"].value != str(record.iri):
                errors.append(f"{record.source}: DOI {row['doi'].value} is already described by "
                              f"{_owner_text(row)}; a DOI belongs to one record (data/DATASETS.md"
                              f"): withdraw that record first (`bigmap-kg withdraw "
                              f"{row['doi'].value}`) or ingest it again")
    return list(dict.fromkeys(errors))


def _described(store, nodes: list[ox.NamedNode]) -> list[ox.NamedNode]:
    """The nodes that a record in the store describes, looked up one by one in an embedded
    store (10,000 look-ups: a third of the time of the VALUES queries, which then run on these
    few only); all of them for a remote store (the queries answer)."""
    current = store.current() if hasattr(store, "current") else store
    if not isinstance(current, ox.Store):
        return nodes
    graph = ox.NamedNode(GRAPH_DATASETS)
    return [node for node in nodes
            if next(current.quads_for_pattern(None, DESCRIBES, node, graph), None) is not None]


def ingest(inputs: Iterable[tuple[bytes, str]], store,
           write: Callable[[str, str], object] | None,
           vocabulary: Vocabulary | None = None) -> IngestReport:
    """Ingest a batch of (content, source name) inputs; `write` (a store's `replace_records`)
    gets the update that removes what the records said before and their new N-Triples;
    `write=None` validates only (dry run)."""
    report = IngestReport()
    started = time.perf_counter()
    vocabulary = vocabulary or Vocabulary.from_store(store)
    limits = Limits.from_env()
    screen = guard.Screen(vocabulary.known, limits.literal_chars)
    for data, source in inputs:
        too_big = limits.record_error(len(data))
        if too_big:
            report.errors.append(f"{source}: {too_big}")
            continue
        try:
            records = read_bytes(data, source, vocabulary)
        except (FormatError, ValueError) as error:
            report.errors.append(str(error) if source in str(error) else f"{source}: {error}")
            continue
        text = data.decode("utf-8", "replace") if data[:2] != b"PK" else ""
        for record in records:
            link(record, vocabulary)
            report.errors += guard.check(record, vocabulary.known, text, limits.literal_chars,
                                         screen)
            report.records.append(record)
    _technique_types(report.records, store)
    for record in report.records:
        finish(record)
    report.timings["read"] = time.perf_counter() - started
    if report.errors or not report.records:  # rejected: with what else is wrong
        report.errors += _conflicts(report.records, store)
        if not report.records and not report.errors:
            report.errors.append("the batch holds no record")
        return report
    started = time.perf_counter()
    body = ntriples(report.records)
    report.timings["serialize"] = time.perf_counter() - started
    update = removal([r.iri for r in report.records]) if write is not None else ""
    prepare = _prepared(write)
    pending = prepare(update, body) if prepare is not None else None
    try:
        _check(report, store, body)
    except BaseException:
        if pending is not None:
            pending.abort()
        raise
    if pending is not None and not report.accepted:
        pending.abort()  # the store is left as it was
    if report.accepted and write is not None:
        started = time.perf_counter()
        try:
            pending.commit() if pending is not None else write(update, body)
        except (ValueError, OSError, UnicodeError) as error:  # the store is left as it was
            report.errors.append(f"the store refused the batch (nothing was written): {error}")
            return report
        report.written = True
        report.timings["write"] = time.perf_counter() - started
    return report


def _check(report: IngestReport, store, body: str) -> None:
    """The conflicts with the store, then (if none) the SHACL findings of the batch: while
    its write, if begun, goes on."""
    started = time.perf_counter()
    report.errors += _conflicts(report.records, store)
    report.timings["conflicts"] = time.perf_counter() - started
    if report.errors:
        return
    started = time.perf_counter()
    report.findings, report.validator = _validate(report.records, store, body)
    report.timings["validate"] = time.perf_counter() - started


def _prepared(write: Callable[[str, str], object] | None) -> Callable | None:
    """The `prepare_records` of the store whose `replace_records` `write` is: a write that
    goes on in a thread while the batch is validated, and is swapped in only if it is
    accepted (`write` itself otherwise runs after the validation)."""
    owner = getattr(write, "__self__", None)
    prepare = getattr(owner, "prepare_records", None)
    return prepare if prepare is not None and write == owner.replace_records else None


def ingest_files(files: Iterable[Path], store, write: Callable[[str, str], object] | None,
                 vocabulary: Vocabulary | None = None) -> IngestReport:
    """Ingest files (one batch): a file that cannot be read rejects the batch."""
    inputs = []
    for path in files:
        try:
            inputs.append((path.read_bytes(), str(path)))
        except OSError as error:
            return IngestReport(errors=[f"{path}: {error.strerror or error}"])
    return ingest(inputs, store, write, vocabulary)


class WithdrawError(LookupError):
    """The name given to withdraw matches no ingested record, or several."""


def records_named(store, key: str) -> list[str]:
    """The ingested records a name means: a record IRI, a record id, a dataset IRI or a DOI."""
    from .formats.common import doi_of
    keys = {key.strip(), *([doi_of(key)] if doi_of(key) else [])}
    rows = run(store, view("ingest-record-lookup"), prefixes=False,
               bindings={"key": [ox.Literal(k) for k in keys]})
    return sorted({row["record"].value for row in rows})


def withdraw(store, keys: Iterable[str], write: Callable[[str], object] | None) -> dict:
    """Remove what the named records added (one atomic update); `write=None` only says what
    would be removed. Raises WithdrawError when a name matches no record, or several."""
    found: list[str] = []
    for key in keys:
        named = records_named(store, key)
        if not named:
            raise WithdrawError(f"no ingested record is named {key!r} (give the record's IRI "
                                "or identifier, or the IRI or DOI of a dataset it describes)")
        if len(named) > 1:
            raise WithdrawError(f"{key!r} names {len(named)} records ({', '.join(named)}); "
                                "give the record's IRI")
        found += named
    found = list(dict.fromkeys(found))
    datasets = sorted(row["dataset"].value for row in run(
        store, view("ingest-record-datasets"), prefixes=False,
        bindings={"record": [ox.NamedNode(r) for r in found]}))
    if write is not None:
        write(removal([URIRef(r) for r in found]))
    return {"withdrawn": write is not None, "records": found, "datasets": datasets}
