"""The full-closure ontology check: our ontology merged with CHAMEO and the battery domain.

The import closure is resolved offline from the import catalog (`BIGMAP_KG_IMPORTS` folders):
every file there is indexed by its ontology IRI and version IRI, and owl:imports are followed
from the roots. The merged graph (imports removed) goes to `java/CheckOntology.java`, which runs
the OWL API's OWL 2 DL profile check and HermiT (consistency, unsatisfiable classes) with the
jars owlready2 ships.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import owlready2
import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import OWL, RDF

from . import sources
from .import_catalog import ONTOLOGY_FORMATS, catalog_files, read_ontology_file
from .namespaces import GRAPH_DATA, GRAPH_ONTOLOGY, PREFIXES
from .reason import java_available
from .rules import apply_rules, rule_files
from .store.embedded import memory_store

# what our alignment points into: CHAMEO and the battery domain (which imports electrochemistry,
# chemical-substance, CHAMEO and EMMO)
ROOTS = ("https://w3id.org/emmo/domain/characterisation-methodology/chameo",
         "https://w3id.org/emmo/domain/battery/battery")
FOREIGN_CLASSES = (PREFIXES["panet"], "http://www.w3.org/2004/02/skos/core#")
VERSION_SEGMENT = re.compile(r"/\d+\.\d+\.\d+(?=/)")
CHECKER = Path(__file__).parent / "java" / "CheckOntology.java"


class OntologyCheckError(Exception):
    """The closure cannot be assembled, or the checker cannot run."""


@dataclass
class OntologyCheck:
    """What HermiT and the profile check said about the merged ontology."""

    files: list[Path]
    substituted: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)  # classes declared for the check
    axioms: int = 0
    classes: int = 0
    consistent: bool = False
    tested: int | None = None  # classes tested one by one (None: the whole closure classified)
    unsatisfiable: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def our_violations(self) -> list[str]:
        """Profile violations that name one of our IRIs (the others are upstream's)."""
        return [v for v in self.violations
                if "https://w3id.org/bigmap-kg/" in v.split(" in OntologyID(")[0]]

    @property
    def ok(self) -> bool:
        return self.consistent and not self.unsatisfiable and not self.our_violations

    def as_text(self) -> str:
        lines = [f"closure: {len(self.files)} files, {self.axioms} axioms, {self.classes} classes"]
        lines += [f"  version not in the catalog, stored one used: {s}" for s in self.substituted]
        if self.declared:
            lines.append(f"  {len(self.declared)} PaNET / SKOS classes the data uses declared "
                         "owl:Class (not in the closure as OWL)")
        lines += [
                 f"consistent: {self.consistent}",
                 f"unsatisfiable classes: {len(self.unsatisfiable)} ("
                 + ("whole closure classified" if self.tested is None
                    else f"{self.tested} bigmap-kg classes tested") + ")"]
        lines += [f"  {iri}" for iri in self.unsatisfiable]
        lines.append(f"OWL 2 DL profile violations: {len(self.our_violations)} naming a "
                     f"bigmap-kg IRI, {len(self.violations) - len(self.our_violations)} "
                     "in the imported ontologies only")
        lines += [f"  {v}" for v in self.our_violations]
        lines.append("timings: " + ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items()))
        lines.append("ok" if self.ok else "FAILED")
        return "\n".join(lines)


Triples = set[ox.Triple]
_TYPE, _CLASS = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.Class))
_ONTOLOGY, _IMPORTS = ox.NamedNode(str(OWL.Ontology)), ox.NamedNode(str(OWL.imports))
_VERSION = ox.NamedNode(str(OWL.versionIRI))


def _index(folders: list[Path]) -> dict[str, tuple[Path, list[ox.Triple]]]:
    """Every readable ontology file under the folders, by ontology IRI and version IRI."""
    index: dict[str, tuple[Path, list[ox.Triple]]] = {}
    for path in catalog_files(folders):
        if path.suffix not in ONTOLOGY_FORMATS or not path.is_file():
            continue
        try:
            triples = read_ontology_file(path)
        except (SyntaxError, OSError):  # an unreadable file only matters if it is imported
            continue
        entry = (path, triples)
        ontologies = {t.subject for t in triples if t.predicate == _TYPE and t.object == _ONTOLOGY}
        for ontology in sorted(ontologies, key=str):
            index.setdefault(ontology.value, entry)
            for version in (t.object for t in triples
                            if t.subject == ontology and t.predicate == _VERSION):
                index.setdefault(version.value, entry)
                index.setdefault(VERSION_SEGMENT.sub("", version.value), entry)
        index.setdefault(f"file:{path.with_suffix('').as_posix()}", entry)
    return index


def closure(folders: list[Path], roots: tuple[str, ...] = ROOTS,
            substituted: list[str] | None = None) -> tuple[Triples, list[Path]]:
    """The merged import closure of the roots, owl:imports removed; error on a missing import.

    A version IRI the catalog lacks (battery 0.20.1 pins electrochemistry 0.36.0, the catalog
    holds 0.37.2) is resolved to the stored version of the same ontology and listed in
    `substituted`."""
    index = _index(folders)
    merged: Triples = set()
    files: list[Path] = []
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        iri = todo.pop()
        if iri in seen:
            continue
        seen.add(iri)
        if iri not in index and VERSION_SEGMENT.sub("", iri) in index:
            if substituted is not None:
                substituted.append(f"{iri} -> {index[VERSION_SEGMENT.sub('', iri)][0].name}")
            iri = VERSION_SEGMENT.sub("", iri)
        if iri not in index:  # as the ontologies' catalog-v001.xml do: the IRI's path as a file
            tail = "/" + "/".join(VERSION_SEGMENT.sub("", iri).split("/")[-2:])
            hits = [key for key in index if key.startswith("file:") and key.endswith(tail)]
            if len(hits) == 1:
                if substituted is not None:
                    substituted.append(f"{iri} -> {index[hits[0]][0].name} (by file path)")
                iri = hits[0]
        if iri not in index:
            raise OntologyCheckError(f"{iri} is imported but no file in the import catalog "
                                     f"({', '.join(map(str, folders))}) declares it")
        path, triples = index[iri]
        if path in files:
            continue
        files.append(path)
        merged.update(triples)
        todo += [t.object.value for t in triples if t.predicate == _IMPORTS]
    return {t for t in merged if t.predicate != _IMPORTS}, files


def _triples(graph: Graph) -> Triples:
    """An rdflib graph's triples as pyoxigraph's (its blank nodes stay its own)."""
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(
        graph.serialize(format="nt", encoding="utf-8"), format=ox.RdfFormat.N_TRIPLES)}


def data_with_rules() -> Graph:
    """The D5.1 data and what the rules derive from it (the alignment types among them)."""
    ontology = sources.read(sources.ontology_files()).graph
    store = memory_store({GRAPH_ONTOLOGY: ontology, GRAPH_DATA: sources.read(
        sources.data_files()).graph})
    apply_rules(store, rule_files())
    triples = (ox.Triple(q.subject, q.predicate, q.object)
               for q in store.quads_for_pattern(None, None, None, None))
    return Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")


def check(folders: list[Path], *, extra: Graph | None = None, classify_all: bool = True,
          timeout: float = 1800) -> OntologyCheck:
    """Merge our ontology (and `extra`, e.g. data) with the closure; run the Java checker.

    `classify_all`: HermiT classifies the whole closure (minutes); otherwise it tests each of
    our classes for satisfiability (seconds): our axioms name the other ontologies' classes only
    as superclasses, which cannot make those unsatisfiable."""
    if not java_available():
        raise OntologyCheckError("Java is not installed: the check needs a JDK (javac) to run "
                                 "HermiT and the OWL API")
    started = time.perf_counter()
    ours = _triples(sources.read(sources.ontology_files()).graph)
    substituted: list[str] = []
    merged, files = closure(folders, substituted=substituted)
    merged |= ours
    declared: list[str] = []
    if extra is not None:
        added = _triples(extra)
        merged |= added
        # classes of vocabularies the closure does not hold as OWL (PaNET comes as a CSV, SKOS
        # is not imported) are declared, as those vocabularies declare them
        known = {t.subject for t in merged if t.predicate == _TYPE}
        for cls in sorted({t.object for t in added if t.predicate == _TYPE} - known, key=str):
            if isinstance(cls, ox.NamedNode) and cls.value.startswith(FOREIGN_CLASSES):
                merged.add(ox.Triple(cls, _TYPE, _CLASS))
                declared.append(cls.value)
    headers = {t.subject for t in merged if t.predicate == _TYPE and t.object == _ONTOLOGY}
    headers.discard(ox.NamedNode(PREFIXES["bmo"].rstrip("#")))  # one ontology header: ours
    merged = {t for t in merged if t.predicate != _IMPORTS and t.subject not in headers}
    result = OntologyCheck(files=files, substituted=substituted, declared=declared)
    result.timings["merge"] = time.perf_counter() - started
    jar = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "merged.owl"
        ox.serialize(merged, str(path), format=ox.RdfFormat.RDF_XML)
        try:
            ours = [] if classify_all else [PREFIXES["bmo"]]
            done = subprocess.run(["java", "-Xmx2g", "-cp", str(jar), str(CHECKER), str(path),
                                   *ours],
                                  capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise OntologyCheckError(f"HermiT did not finish in {timeout:.0f} s") from None
    if done.returncode != 0:
        raise OntologyCheckError(f"the checker failed: {done.stderr.strip()[-2000:]}")
    for line in done.stdout.splitlines():
        key, _, value = line.partition("\t")
        if key == "time":
            step, _, seconds = value.partition("\t")
            result.timings[step] = float(seconds)
        elif key == "axioms":
            result.axioms = int(value)
        elif key == "classes":
            result.classes = int(value)
        elif key == "tested":
            result.tested = int(value)
        elif key == "consistent":
            result.consistent = value == "true"
        elif key == "unsatisfiable":
            result.unsatisfiable.append(value)
        elif key == "profile":
            result.violations.append(value.split(" in OntologyID(")[0] + "]")
    result.timings["total"] = time.perf_counter() - started
    return result
