"""A record in our model: the graph one source record maps to, its IRI, and what the ingest noted.

Every IRI a record mints is derived from the record's own identifier, so ingesting the same
record again produces the same IRIs and replaces what it said before.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from ..namespaces import BASE, BMO, GRAPH_DATASETS
from .graph import RecordGraph

#: Kinds of node a record may describe (mint and own); everything else under BASE is D5.1.
RECORD_KINDS = ("dataset", "run", "sample", "distribution", "record", "agent")
SCHEMA_HTTP, SCHEMA_HTTPS = "http://schema.org/", "https://schema.org/"


def slug(text: str) -> str:
    """A readable, stable IRI segment; a short hash keeps distinct inputs distinct."""
    readable = re.sub(r"[^a-z0-9._-]+", "-", text.strip().lower()).strip("-.")[:40]
    readable = readable.strip("-.") or "x"
    if readable == text:
        return readable
    return f"{readable}-{hashlib.sha1(text.encode()).hexdigest()[:8]}"


def mint(kind: str, *parts: str) -> URIRef:
    """A node IRI of one of the record kinds (`mint("dataset", "zenodo", "123")`)."""
    assert kind in RECORD_KINDS, kind
    return URIRef(f"{BASE}{kind}/" + "-".join(slug(p) for p in parts))


@dataclass
class Record:
    """One source record mapped to our model."""

    fmt: str          # local name of a bmo:MetadataFormat individual, e.g. "ROCrate"
    record_id: str    # the repository's identifier of the record
    source: str       # where it came from (a file name, or "request")
    graph: Graph = field(default_factory=RecordGraph)
    notes: list[str] = field(default_factory=list)
    text: str = ""    # the source text (JSON, XML or Turtle) the record was read from
    #: for the nodes a JSON / XML reader minted: a string of the source that names it (an @id,
    #: a file key, the DOI), so that findings point at the source line
    anchors: dict[URIRef, str] = field(default_factory=dict)

    @property
    def iri(self) -> URIRef:
        return _record_iri(self.fmt, self.record_id)

    def owned(self) -> set[URIRef]:
        """The nodes this record describes (and replaces when it is ingested again)."""
        return {s for s in subjects(self.graph)
                if isinstance(s, URIRef) and str(s).startswith(OWNED)}  # (URIRef's: no tuples)


#: IRIs of the nodes a record owns
OWNED = tuple(f"{BASE}{kind}/" for kind in RECORD_KINDS)
#: the predicates and class of a record node (an rdflib namespace makes a new term each time)
SOURCE_RECORD, RECORD_FORMAT, RECORD_ID = BMO.SourceRecord, BMO.recordFormat, BMO.recordId
DESCRIBES, INGEST_NOTE, TYPE, LABEL = BMO.describes, BMO.ingestNote, RDF.type, RDFS.label
SOURCE, GENERATED, DATE_TIME = DCTERMS.source, PROV.generatedAtTime, XSD.dateTime


@lru_cache(maxsize=16)  # the records of a batch are ingested within a second or a few
def _date_time(text: str) -> Literal:
    return Literal(text, datatype=DATE_TIME)


@lru_cache(maxsize=1 << 12)
def _record_iri(fmt: str, record_id: str) -> URIRef:
    return mint("record", fmt.lower(), record_id)


def subjects(graph: Graph) -> list:
    """Each subject of the graph once (`subjects(unique=True)`; fast on a RecordGraph)."""
    return graph.subject_terms() if isinstance(graph, RecordGraph) else list(
        graph.subjects(unique=True))


def objects(graph: Graph) -> list:
    """Each object of the graph once (`objects(unique=True)`; fast on a RecordGraph)."""
    return graph.object_terms() if isinstance(graph, RecordGraph) else list(
        graph.objects(unique=True))


def finish(record: Record) -> Record:
    """Normalise and close a mapped record: https schema.org IRIs, no blank nodes, a record node."""
    graph = record.graph
    terms = {*graph.subject_terms(), *graph.predicate_terms(), *graph.object_terms()} if \
        isinstance(graph, RecordGraph) else {t for triple in graph for t in triple}
    blank = rewrite = False
    for term in terms:
        if type(term) is URIRef or isinstance(term, URIRef):
            rewrite = rewrite or str(term).startswith(SCHEMA_HTTP)
        elif isinstance(term, BNode):
            blank = True
    http_schema = False
    skolem = f"{record.iri}/node/"
    canonical = to_canonical_graph(record.graph) if blank else record.graph

    def fix(term):
        nonlocal http_schema
        if isinstance(term, BNode):
            return URIRef(skolem + str(term))
        if isinstance(term, URIRef) and str(term).startswith(SCHEMA_HTTP):
            http_schema = True
            return URIRef(SCHEMA_HTTPS + str(term)[len(SCHEMA_HTTP):])
        return term

    if blank or rewrite:
        graph = RecordGraph((fix(s), fix(p), fix(o)) for s, p, o in canonical)
    elif isinstance(record.graph, RecordGraph):  # nothing to rewrite: the graph as mapped
        graph = record.graph
    else:
        graph = RecordGraph(record.graph)
    if http_schema:
        record.notes.append("http://schema.org/ IRIs normalised to https://schema.org/")
    record.graph = graph
    node = record.iri
    graph.add((node, TYPE, SOURCE_RECORD))
    graph.add((node, LABEL, Literal(f"{record.fmt} record {record.record_id}")))
    graph.add((node, RECORD_FORMAT, BMO[record.fmt]))
    graph.add((node, RECORD_ID, Literal(record.record_id)))
    graph.add((node, SOURCE, Literal(record.source)))
    graph.add((node, GENERATED, _date_time(datetime.now(UTC).replace(microsecond=0).isoformat())))
    for owned in record.owned():
        graph.add((node, DESCRIBES, owned))
    record.notes = list(dict.fromkeys(n for n in record.notes if n))
    for note in record.notes:
        graph.add((node, INGEST_NOTE, Literal(note)))
    return record


def _removals(records: list[URIRef]) -> list[str]:
    """Two operations for all the records (one per record made the update of a batch of 100
    cost 200 operations)."""
    if not records:
        return []
    graph = f"<{GRAPH_DATASETS}>"
    values = f"VALUES ?record {{ {' '.join(f'<{r}>' for r in records)} }}"
    return [f"DELETE {{ GRAPH {graph} {{ ?s ?p ?o }} }} WHERE {{ GRAPH {graph} {{ {values} "
            f"?record <{BMO.describes}> ?s . ?s ?p ?o }} }}",
            f"DELETE {{ GRAPH {graph} {{ ?record ?p ?o }} }} WHERE {{ GRAPH {graph} {{ {values} "
            "?record ?p ?o } }"]


def removal(records: list[URIRef]) -> str:
    """One SPARQL Update that removes what each record added: the nodes it describes (which no
    other record describes: the ingest refuses a second owner) and the record node itself."""
    return " ;\n".join(_removals(records))


def ntriples(records: list[Record]) -> str:
    """The triples of the records as N-Triples, written as rdflib's N-Triples serializer
    writes them (a fifth of its time: each IRI is written once)."""
    return "".join(f"{_n3(s)} {_n3(p)} {_n3(o) if type(o) is URIRef else _object(o)} .\n"
                   for record in records for s, p, o in record.graph)


def _object(term) -> str:
    return _literal(term) if isinstance(term, Literal) else _n3(term)


@lru_cache(maxsize=1 << 16)  # the same IRIs recur in every record
def _n3(term: URIRef | BNode) -> str:
    return term.n3()


def _literal(literal: Literal) -> str:
    """A literal as rdflib's N-Triples serializer writes it."""
    text = '"{}"'.format(str(literal).replace("\\", "\\\\").replace("\n", "\\n")
                         .replace('"', '\\"').replace("\r", "\\r"))
    if literal.language:
        if literal.datatype:
            raise ValueError("Literal has datatype AND language!")
        return f"{text}@{literal.language}"
    return f"{text}^^<{literal.datatype}>" if literal.datatype else text
