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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
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


def load_catalog(folders: Iterable[Path]) -> Catalog:
    """Read every ontology file (and PaNET-style CSV) under the folders."""
    catalog = Catalog()
    for folder in folders:
        files = [folder] if folder.is_file() else sorted(folder.rglob("*"))
        for path in files:
            if path.suffix in {".ttl", ".owl", ".rdf", ".nt"}:
                _read_ontology(path, catalog)
            elif path.suffix == ".csv":
                with path.open(encoding="utf-8", newline="") as handle:
                    for row in csv.reader(handle):
                        for cell in row:
                            catalog.declared.update(IRI_IN_TEXT.findall(cell))
                catalog.files.append(path)
    return catalog


def _read_ontology(path: Path, catalog: Catalog) -> None:
    graph = Graph()
    try:
        graph.parse(path, format={".ttl": "turtle", ".nt": "nt"}.get(path.suffix, "xml"))
    except Exception as error:
        catalog.unreadable.append((path, str(error).splitlines()[0][:200]))
        return
    catalog.files.append(path)
    for subject in graph.subjects(RDF.type, None):
        if isinstance(subject, URIRef):
            catalog.declared.add(str(subject))
    for subject, value in graph.subject_objects(OWL.deprecated):
        if isinstance(value, Literal) and value.toPython() is True:
            catalog.deprecated.add(str(subject))


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
