"""Turtle, N-Triples or JSON-LD written in the bigmap-kg vocabulary (ontology/datasets.ttl)."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ...namespaces import BASE, BMO
from ..contexts import parse_jsonld
from ..records import Record
from ..resolve import Vocabulary
from . import Format, FormatError


def _record(graph: Graph, source: str, notes: list[str]) -> list[Record]:
    given = next(iter(graph.objects(None, BMO.recordId)), None)
    if given is not None:
        record_id = str(given)
    elif source != "request":
        record_id = Path(source).stem
    else:
        subjects = sorted(str(s) for s in graph.subjects(unique=True) if isinstance(s, URIRef))
        record_id = hashlib.sha1("\n".join(subjects).encode()).hexdigest()[:16]
    for node in list(graph.subjects(RDF.type, BMO.SourceRecord)):
        graph.remove((node, None, None))  # the ingest writes the record node itself
    return [Record("NativeRDF", record_id, source, graph, notes)]


def read_rdf(data: bytes, source: str, vocabulary: Vocabulary) -> list[Record]:
    fmt = "nt" if source.endswith(".nt") else "turtle"
    try:
        graph = Graph().parse(data=data.decode("utf-8"), format=fmt)
    except Exception as error:  # rdflib raises many types; all mean "not valid Turtle"
        raise FormatError(source, f"not valid {fmt}: {error}") from None
    return _record(graph, source, [])


def detect(document: Any) -> bool:
    return "w3id.org/bigmap-kg/" in str(document.get("@context", "")) if isinstance(
        document, dict) else False


def read(document: Any, source: str, vocabulary: Vocabulary) -> list[Record]:
    notes: list[str] = []
    return _record(parse_jsonld(document, notes, base=BASE), source, notes)


JSON_FORMAT = Format("NativeRDF", detect, read)
