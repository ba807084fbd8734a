"""SHACL validation of the data against shapes/, with reports a curator can act on."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from .namespaces import curie
from .shacl_core import Result, Unsupported, Validator, compile_shapes
from .sources import SourceSet

SEVERITY_NAMES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Finding:
    """One SHACL result, made readable: which node, where it is written, what is wrong."""

    severity: str
    node: str
    path: str
    message: str
    value: str
    file: str
    line: int
    shape: str

    def as_text(self) -> str:
        where = f"{self.file}:{self.line}: " if self.file else ""
        value = f" (value: {self.value})" if self.value else ""
        return f"{where}{self.severity}: {self.node} {self.path}: {self.message}{value}"


@dataclass
class Report:
    """The outcome of validating one source set."""

    conforms: bool
    findings: list[Finding]
    graph: Graph
    #: "compiled" (shacl_core), or "pyshacl (why the shapes did not compile)"
    validator: str = "compiled"

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Warning"]

    def as_text(self) -> str:
        lines = [f.as_text() for f in self.findings]
        lines.append(f"{len(self.violations)} violation(s), {len(self.warnings)} warning(s): "
                     + ("conforms" if not self.violations else "does NOT conform"))
        return "\n".join(lines)

    def as_json(self) -> str:
        return json.dumps({"conforms": not self.violations,
                           "violations": len(self.violations),
                           "warnings": len(self.warnings),
                           "results": [asdict(f) for f in self.findings]}, indent=2,
                          ensure_ascii=False)

    def as_turtle(self) -> str:
        return self.graph.serialize(format="turtle")


def _describe(node, data: Graph) -> str:
    """A blank node is described by the path from its nearest named owner."""
    steps: list[str] = []
    seen: set = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        owner = next(iter(data.subject_predicates(node)), None)
        if owner is None:
            break
        node, predicate = owner
        steps.append(curie(str(predicate)))
    head = curie(str(node)) if isinstance(node, URIRef) else f"_:{node}"
    return " / ".join([head, *reversed(steps)]) if steps else head


def _owner(node, data: Graph):
    seen: set = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        owner = next(iter(data.subject_predicates(node)), None)
        if owner is None:
            return None
        node = owner[0]
    return node


def shacl_results(data: Graph, shapes: Graph, ontology: Graph | None = None
                  ) -> tuple[list[Result], Graph]:
    """pyshacl's validation results and its report graph."""
    _, report, _ = shacl_validate(data, shacl_graph=shapes, ont_graph=ontology,
                                  inference="none", advanced=True, allow_warnings=True)
    results = [Result(focus=report.value(r, SH.focusNode), path=report.value(r, SH.resultPath),
                      component=report.value(r, SH.sourceConstraintComponent),
                      severity=report.value(r, SH.resultSeverity) or SH.Violation,
                      message=str(m) if (m := report.value(r, SH.resultMessage)) else None,
                      value=report.value(r, SH.value), shape=report.value(r, SH.sourceShape))
               for r in report.subjects(RDF.type, SH.ValidationResult)]
    return results, report


def compiled_results(data: Graph, shapes: Graph, ontology: Graph | None = None
                     ) -> list[Result]:
    """The results of the shapes compiled by shacl_core (Unsupported when they are not all
    evaluated there): the same as pyshacl's, on data + ontology as its ont_graph mixes in."""
    validator = Validator(compile_shapes(shapes))
    graph = ox.Dataset()
    for part in (data, ontology or Graph()):
        for quad in ox.parse(part.serialize(format="nt", encoding="utf-8"),
                             ox.RdfFormat.N_TRIPLES):
            graph.add(quad)
    return validator.validate(graph)


def report_graph(results: list[Result]) -> Graph:
    """A SHACL validation report of the results (what pyshacl writes, less sh:sourceConstraint
    and the structure of non-predicate paths)."""
    graph = Graph(bind_namespaces="rdflib")
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(not any(r.severity == SH.Violation
                                                    for r in results))))
    for result in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        for predicate, value in ((SH.focusNode, result.focus), (SH.resultPath, result.path),
                                 (SH.sourceConstraintComponent, result.component),
                                 (SH.resultSeverity, result.severity),
                                 (SH.resultMessage,
                                  Literal(result.message) if result.message else None),
                                 (SH.value, result.value), (SH.sourceShape, result.shape)):
            if value is not None:
                graph.add((node, predicate, value))
    return graph


def findings(results: list[Result], sources: SourceSet) -> list[Finding]:
    """The results made readable: node, file and line, message; violations first."""
    data = sources.graph
    found = []
    for result in results:
        path, value, shape = result.path, result.value, result.shape
        owner = _owner(result.focus, data)
        located = sources.locate(owner) if isinstance(owner, URIRef) else None
        found.append(Finding(
            severity=SEVERITY_NAMES.get(result.severity, "Violation"),
            node=_describe(result.focus, data),
            path=curie(str(path)) if isinstance(path, URIRef) else "",
            message=result.message or "constraint not met",
            value=(str(value) if isinstance(value, Literal) else curie(str(value)))
            if value is not None else "",
            file=str(located[0].relative_to(Path.cwd())) if located and
            located[0].is_relative_to(Path.cwd()) else (str(located[0]) if located else ""),
            line=located[1] if located else 0,
            shape=curie(str(shape)) if isinstance(shape, URIRef) else "",
        ))
    order = {"Violation": 0, "Warning": 1, "Info": 2}
    found.sort(key=lambda f: (order[f.severity], f.file, f.line, f.node, f.path))
    return found


def validate(sources: SourceSet, shapes: Graph, ontology: Graph | None = None) -> Report:
    """Validate the data of a source set; every result names its node, file and line. The
    shapes compiled by shacl_core validate it when they can, pyshacl otherwise."""
    try:
        results = compiled_results(sources.graph, shapes, ontology)
        graph, validator = report_graph(results), "compiled"
    except Unsupported as error:
        results, graph = shacl_results(sources.graph, shapes, ontology)
        validator = f"pyshacl ({error})"
    found = findings(results, sources)
    return Report(conforms=not any(f.severity == "Violation" for f in found), findings=found,
                  graph=graph, validator=validator)
