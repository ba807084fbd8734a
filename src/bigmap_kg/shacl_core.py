"""SHACL Core on a pyoxigraph Dataset, for the constraint components that shapes/ uses.

`compile_shapes` reads a shapes graph (Turtle stays the single source of truth) into
`Shape`s; a shape using anything outside `SUPPORTED` (another constraint component, a path
that is not one predicate, SPARQL-based constraints, sh:deactivated, a reported constraint
without sh:message …) raises `Unsupported`, and the caller validates with pyshacl instead:
nothing unknown ever passes silently. `Validator.validate` reports what pyshacl reports
(focus node, path, component, severity, message, value, source shape), on a graph that holds
the data and the ontology it needs (class hierarchy), as pyshacl's `ont_graph` mixes it in.

The graph is an `ox.Dataset` (terms as parsed), not an `ox.Store`: a store canonicalises
literals ("-5"^^xsd:nonNegativeInteger is read back as "-5"^^xsd:integer), which would hide
sh:datatype violations. The tests on single terms (datatype, node kind, pattern, sh:in) follow
SHACL Core as pyshacl implements it (`tests/test_shacl_core.py` runs both on every kind of
violation the dataset shapes can give).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD

from .store import rdflib_term

#: the shape predicates this module evaluates (any other sh: predicate on a shape: Unsupported)
SUPPORTED = {SH.targetClass, SH.targetSubjectsOf, SH.property, SH.path, SH.minCount,
             SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH["in"],
             SH.node, SH["or"], SH.qualifiedValueShape, SH.qualifiedMinCount,
             SH.qualifiedMaxCount, SH.severity, SH.message, SH.name, SH.description}
#: predicates of a shape that need no evaluation
IGNORED = {RDF.type, RDFS.label, RDFS.comment}
NODE_KINDS = {SH.IRI: (ox.NamedNode,), SH.BlankNode: (ox.BlankNode,), SH.Literal: (ox.Literal,),
              SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
              SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
              SH.IRIOrLiteral: (ox.NamedNode, ox.Literal)}
XSD_STRING, LANG_STRING = str(XSD.string), str(RDF.langString)
TYPE, SUBCLASS_OF = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(RDFS.subClassOf))


class Unsupported(ValueError):
    """The shapes use something this module does not evaluate: use pyshacl."""


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms of the SHACL report vocabulary."""

    focus: URIRef | BNode | Literal
    path: URIRef | None
    component: URIRef
    severity: URIRef
    message: str | None
    value: URIRef | BNode | Literal | None
    shape: URIRef | BNode


@dataclass
class Shape:
    """A node shape (path None) or a property shape (one predicate path) and its constraints."""

    node: URIRef | BNode
    path: str | None = None
    severity: URIRef = SH.Violation
    message: str | None = None
    targets: list[tuple[URIRef, str]] = field(default_factory=list)
    #: (component, parameter) in the order they are checked; a component by its local name
    #: without "ConstraintComponent" ("MinCount"): plain strings compare fast
    constraints: list[tuple[str, object]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)


def compile_shapes(shapes: Graph) -> list[Shape]:
    """The shapes of the graph that have targets, with what they reference (Unsupported if
    any part is outside SUPPORTED)."""
    compiled: dict = {}
    roots = {s for p in (SH.targetClass, SH.targetSubjectsOf) for s in shapes.subjects(p, None)}
    for implicit in (RDFS.Class, URIRef("http://www.w3.org/2002/07/owl#Class")):
        if any(shapes.triples((None, RDF.type, implicit))):
            raise Unsupported("implicit class targets (a shape that is also a class)")
    for other in (SH.targetNode, SH.targetObjectsOf, SH.target):
        if any(shapes.triples((None, other, None))):
            raise Unsupported(f"target {other}")
    return [_compile(shapes, root, compiled, reported=True) for root in sorted(roots)]


def _one(shapes: Graph, node, predicate):
    values = list(shapes.objects(node, predicate))
    if len(values) > 1:
        raise Unsupported(f"{node} has {len(values)} values of {predicate}")
    return values[0] if values else None


def _compile(shapes: Graph, node, compiled: dict, reported: bool) -> Shape:
    if node in compiled:
        return compiled[node]
    shape = compiled[node] = Shape(node)
    for predicate in set(shapes.predicates(node, None)):
        if predicate not in SUPPORTED and predicate not in IGNORED:
            raise Unsupported(f"{predicate} on shape {node}")
    path = _one(shapes, node, SH.path)
    if path is not None and not isinstance(path, URIRef):
        raise Unsupported(f"a path that is not one predicate on shape {node}")
    shape.path = str(path) if path is not None else None
    shape.severity = _one(shapes, node, SH.severity) or SH.Violation
    message = _one(shapes, node, SH.message)
    shape.message = str(message) if message is not None else None
    shape.targets = [(p, str(o)) for p in (SH.targetClass, SH.targetSubjectsOf)
                     for o in shapes.objects(node, p)]
    for component, parameter, build in (
            ("MinCount", SH.minCount, int),
            ("MaxCount", SH.maxCount, int),
            ("Datatype", SH.datatype, str),
            ("Class", SH["class"], str),
            ("NodeKind", SH.nodeKind, NODE_KINDS.__getitem__),
            ("Pattern", SH.pattern, re.compile),
            ("In", SH["in"],
             lambda head: {_ox_term(t) for t in Collection(shapes, head)}),
            ("Node", SH.node,  # its results are reported as details
             lambda target: _compile(shapes, target, compiled, reported=True)),
            ("Or", SH["or"],
             lambda head: [_compile(shapes, member, compiled, reported=False)
                           for member in Collection(shapes, head)])):
        for value in shapes.objects(node, parameter):
            shape.constraints.append((component, build(value)))
    qualified = _one(shapes, node, SH.qualifiedValueShape)
    if qualified is not None:
        inner = _compile(shapes, qualified, compiled, reported=False)
        for component, parameter in (("QualifiedMinCount",
                                      SH.qualifiedMinCount),
                                     ("QualifiedMaxCount",
                                      SH.qualifiedMaxCount)):
            bound = _one(shapes, node, parameter)
            if bound is not None:
                shape.constraints.append((component, (inner, int(bound))))
    shape.properties = [_compile(shapes, p, compiled, reported) for p in
                        shapes.objects(node, SH.property)]
    if reported and shape.constraints and shape.message is None:
        raise Unsupported(f"shape {node} reports results without sh:message")
    return shape


def _ox_term(term) -> ox.NamedNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    raise Unsupported(f"sh:in member {term!r}")


def _datatype_ok(term, datatype: str) -> bool:
    """sh:datatype as pyshacl applies it: the literal has the datatype and is well-formed."""
    if not isinstance(term, ox.Literal):
        return False
    if term.datatype.value != datatype:
        return False
    if datatype in (XSD_STRING, LANG_STRING):
        return True
    return Literal(term.value, datatype=URIRef(datatype)).ill_typed is not True


class Validator:
    """Compiled shapes, checked on one graph at a time."""

    def __init__(self, shapes: list[Shape]) -> None:
        self.shapes = shapes

    def validate(self, graph: ox.Dataset) -> list[Result]:
        """The validation results of the graph (its default graph), as pyshacl gives them."""
        check = _Check(graph)
        results: list[Result] = []
        for shape in self.shapes:
            for focus in sorted(check.targets(shape), key=str):
                results += check.report(shape, focus)
        return results


class _Check:
    """One validation run: the graph and what has been looked up in it."""

    def __init__(self, graph: ox.Dataset) -> None:
        self.graph = graph
        self._values: dict[str, dict] = {}
        self._instances: dict[str, set] = {}

    def values(self, focus, path: str | None) -> list:
        if path is None:
            return [focus]
        if path not in self._values:
            table: dict = defaultdict(list)
            for quad in self.graph.quads_for_predicate(ox.NamedNode(path)):
                if isinstance(quad.graph_name, ox.DefaultGraph):
                    table[quad.subject].append(quad.object)
            self._values[path] = table
        return self._values[path].get(focus, [])

    def instances(self, cls: str) -> set:
        """SHACL instances: rdf:type/rdfs:subClassOf* cls."""
        if cls not in self._instances:
            classes, todo = set(), [ox.NamedNode(cls)]
            while todo:
                current = todo.pop()
                if current not in classes:
                    classes.add(current)
                    todo += [q.subject for q in self.graph.quads_for_object(current)
                             if q.predicate == SUBCLASS_OF]
            self._instances[cls] = {q.subject for c in classes
                                    for q in self.graph.quads_for_object(c)
                                    if q.predicate == TYPE}
        return self._instances[cls]

    def targets(self, shape: Shape) -> set:
        found: set = set()
        for kind, iri in shape.targets:
            if kind == SH.targetClass:
                found |= self.instances(iri)
            else:
                self.values(None, iri)
                found |= set(self._values[iri])
        return found

    def conforms(self, focus, shape: Shape) -> bool:
        return not self.violations(shape, focus) and all(
            self.conforms(focus, p) for p in shape.properties)

    def report(self, shape: Shape, focus) -> list[Result]:
        """The results of a reported shape at a focus node (its property shapes included)."""
        results = []
        for component, value in self.violations(shape, focus):
            results.append(Result(rdflib_term(focus), URIRef(shape.path) if shape.path else None,
                                  SH[f"{component}ConstraintComponent"], shape.severity,
                                  shape.message,
                                  rdflib_term(value) if value is not None else None, shape.node))
            if component == "Node":  # pyshacl's sh:detail results
                for nested in (p for c, p in shape.constraints if c == component):
                    results += self.report(nested, value)
        for prop in shape.properties:
            results += self.report(prop, focus)
        return results

    def violations(self, shape: Shape, focus) -> list[tuple[str, object]]:
        """(component, value node or None) for each constraint of the shape not met."""
        values = self.values(focus, shape.path)
        failed: list[tuple[str, object]] = []
        for component, parameter in shape.constraints:
            if component == "MinCount":
                failed += [(component, None)] if len(set(values)) < parameter else []
            elif component == "MaxCount":
                failed += [(component, None)] if len(set(values)) > parameter else []
            elif component in ("QualifiedMinCount", "QualifiedMaxCount"):
                inner, bound = parameter
                count = sum(self.conforms(v, inner) for v in set(values))
                if (count < bound if component == "QualifiedMinCount"
                        else count > bound):
                    failed.append((component, None))
            else:
                failed += [(component, v) for v in dict.fromkeys(values)
                           if not self.value_ok(component, parameter, v)]
        return failed

    def value_ok(self, component: str, parameter, value) -> bool:
        if component == "Datatype":
            return _datatype_ok(value, parameter)
        if component == "Class":
            return value in self.instances(parameter)
        if component == "NodeKind":
            return isinstance(value, parameter)
        if component == "Pattern":
            return not isinstance(value, ox.BlankNode) and bool(parameter.search(value.value))
        if component == "In":
            return value in parameter
        if component == "Node":
            return self.conforms(value, parameter)
        if component == "Or":
            return any(self.conforms(value, s) for s in parameter)
        raise AssertionError(component)
