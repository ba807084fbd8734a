"""Turtle, N-Triples or JSON-LD written in the bigmap-kg vocabulary (ontology/datasets.ttl)."""

from __future__ import annotations

import hashlib
from typing import Any

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ...namespaces import BASE, BMO
from ...sources import rdflib_triples
from ..contexts import parse_jsonld
from ..graph import RecordGraph
from ..records import Record
from ..resolve import Vocabulary
from . import Format, FormatError, check_text


def record_id(graph: Graph) -> str:
    """The record's identifier, from its content, never from a file name (two files of one name
    are two records): its bmo:recordId, else the DOI of its one dataset, else a hash of the
    datasets (or, without any, of the nodes) it describes."""
    given = sorted(str(v) for v in graph.objects(None, BMO.recordId))
    if given:
        return given[0]
    dois = sorted({str(d).lower() for d in graph.objects(None, BMO.doi)})
    if len(dois) == 1:
        return dois[0]
    nodes = sorted(str(s) for s in graph.subjects(RDF.type, BMO.Dataset)) or sorted(
        str(s) for s in graph.subjects(unique=True) if isinstance(s, URIRef))
    return "sha1-" + hashlib.sha1("\n".join(nodes).encode()).hexdigest()[:16]


def _record(graph: Graph, source: str, notes: list[str]) -> list[Record]:
    identity = record_id(graph)
    for node in list(graph.subjects(RDF.type, BMO.SourceRecord)):
        graph.remove((node, None, None))  # the ingest writes the record node itself
    return [Record("NativeRDF", identity, source, graph, notes)]


def read_rdf(data: bytes, source: str, vocabulary: Vocabulary) -> list[Record]:
    fmt = ox.RdfFormat.N_TRIPLES if source.endswith(".nt") else ox.RdfFormat.TURTLE
    try:
        graph = RecordGraph(rdflib_triples(data, fmt))
    except SyntaxError as error:  # pyoxigraph's message names line and columns
        where = f"{source}:{error.lineno}" if error.lineno else source
        raise FormatError(where, f"not valid {fmt.name}: {error.msg}") from None
    text = data.decode("utf-8")
    if "\\" in text:  # without an escape, every character of a term is one of the (valid) text
        check_text(source, text, (str(t) for triple in graph for t in triple))
    return _record(graph, source, [])


def detect(document: Any) -> bool:
    return "w3id.org/bigmap-kg/" in str(document.get("@context", "")) if isinstance(
        document, dict) else False


def read(document: Any, source: str, vocabulary: Vocabulary) -> list[Record]:
    notes: list[str] = []
    return _record(parse_jsonld(document, notes, base=BASE), source, notes)


JSON_FORMAT = Format("NativeRDF", detect, read)
