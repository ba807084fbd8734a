"""The import catalog: check our external IRIs against local copies of the aligned ontologies.

`BIGMAP_KG_IMPORTS` (or `--imports`) names one or more folders (os.pathsep-separated) holding the
Turtle / RDF-XML files of BattINFO, EMMO, CHAMEO ... and, for PaNET, its ROBOT template CSV.
Nothing is fetched from the network. Each external IRI in one of the checked namespaces must be
declared there and must not be owl:deprecated.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF

from .namespaces import PREFIXES

CHECKED_NAMESPACES = tuple(PREFIXES[p] for p in ("emmo", "battery", "echem", "chameo", "chemsub",
                                                 "panet"))
IRI_IN_TEXT = re.compile(r"https?://[^\s,\"'<>]+")


@dataclass
class Catalog:
    """What the local import folders declare."""

    declared: set[str] = field(default_factory=set)
    deprecated: set[str] = field(default_factory=set)
    files: list[Path] = field(default_factory=list)
    unreadable: list[tuple[Path, str]] = field(default_factory=list)


@dataclass
class ImportCheck:
    used: set[str]
    missing: list[str]
    deprecated: list[str]

    @property
    def ok(self) -> bool:
        return not self.missing and not self.deprecated


def folders_from_env(value: str | None = None) -> list[Path]:
    raw = value if value is not None else os.environ.get("BIGMAP_KG_IMPORTS", "")
    return [Path(p) for p in raw.split(os.pathsep) if p]


ONTOLOGY_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES,
                    ".owl": ox.RdfFormat.RDF_XML, ".rdf": ox.RdfFormat.RDF_XML}
_TYPE = ox.NamedNode(str(RDF.type))
_DEPRECATED = ox.NamedNode(str(OWL.deprecated))
_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")


def catalog_files(folders: Iterable[Path]) -> Iterator[Path]:
    """Every file under the folders (a folder may also be one file), in a stable order."""
    for folder in folders:
        yield from [folder] if folder.is_file() else sorted(folder.rglob("*"))


def read_ontology_file(path: Path) -> list[ox.Triple]:
    """The triples of one ontology file (Turtle, N-Triples, RDF/XML by suffix), each of its
    blank nodes fresh, so that triples of several files can be merged without two files' `_:x`
    becoming one node. Raises SyntaxError (or OSError) when the file cannot be read."""
    fresh: dict[str, ox.BlankNode] = {}

    def term(node):
        if isinstance(node, ox.BlankNode):
            return fresh.setdefault(node.value, ox.BlankNode())
        return node

    return [ox.Triple(term(q.subject), q.predicate, term(q.object))
            for q in ox.parse(path=str(path), format=ONTOLOGY_FORMATS[path.suffix],
                              base_iri=path.resolve().as_uri())]


def load_catalog(folders: Iterable[Path]) -> Catalog:
    """Read every ontology file (and PaNET-style CSV) under the folders."""
    catalog = Catalog()
    for path in catalog_files(folders):
        if path.suffix in ONTOLOGY_FORMATS and path.is_file():
            _read_ontology(path, catalog)
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.reader(handle):
                    for cell in row:
                        catalog.declared.update(IRI_IN_TEXT.findall(cell))
            catalog.files.append(path)
    return catalog


def _read_ontology(path: Path, catalog: Catalog) -> None:
    try:
        triples = read_ontology_file(path)
    except (SyntaxError, OSError) as error:
        catalog.unreadable.append((path, str(error).splitlines()[0][:200]))
        return
    catalog.files.append(path)
    for triple in triples:
        if triple.predicate == _TYPE and isinstance(triple.subject, ox.NamedNode):
            catalog.declared.add(triple.subject.value)
        elif (triple.predicate == _DEPRECATED and isinstance(triple.object, ox.Literal)
              and triple.object.datatype == _BOOLEAN and triple.object.value in ("true", "1")):
            catalog.deprecated.add(triple.subject.value)


def external_iris(graph: Graph) -> set[str]:
    """IRIs of the checked namespaces that our ontology and data use."""
    used = set()
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and str(term).startswith(CHECKED_NAMESPACES):
                used.add(str(term))
    return used


def check(graph: Graph, catalog: Catalog) -> ImportCheck:
    used = external_iris(graph)
    return ImportCheck(used=used,
                       missing=sorted(used - catalog.declared),
                       deprecated=sorted(used & catalog.deprecated))
