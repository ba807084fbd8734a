"""SHACL Core on a pyoxigraph Dataset, for the constraint components that shapes/ uses.

`compile_shapes` reads a shapes graph (Turtle stays the single source of truth) into
`Shape`s; a shape using anything outside `SUPPORTED` (another constraint component, a path
that is neither a predicate nor a sequence of predicates, sh:deactivated, a reported
constraint without sh:message, a SPARQL constraint with more than a $this-bound SELECT …)
raises `Unsupported`, and the caller validates with pyshacl instead: nothing unknown ever
passes silently (a run meeting what pyshacl cannot evaluate either, such as sh:lessThan on a
blank node, raises `Unsupported` too). `Validator.validate` reports what pyshacl reports
(focus node, path, component, severity, message, value, source shape), on a graph that holds
the data and the ontology it needs (class hierarchy), as pyshacl's `ont_graph` mixes it in.

The graph is an `ox.Dataset` (terms as parsed), not an `ox.Store`: a store canonicalises
literals ("-5"^^xsd:nonNegativeInteger is read back as "-5"^^xsd:integer), which would hide
sh:datatype violations. Only the SPARQL-based constraints (sh:sparql) run on a store, an
in-memory copy made when the first one is evaluated, with $this substituted (SEP-0007) and
the prefixes pyshacl declares (rdf, rdfs, owl). The tests on single terms (datatype, node
kind, pattern, sh:in, ranges, languages) follow SHACL Core as pyshacl implements it
(`tests/test_shacl_core.py` and `tests/test_shacl_core_all.py` run both on every kind of
violation the shapes can give).
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from .sources import rdflib_term

#: the shape predicates this module evaluates (any other sh: predicate on a shape: Unsupported)
SUPPORTED = {SH.targetClass, SH.targetSubjectsOf, SH.property, SH.path, SH.minCount,
             SH.maxCount, SH.datatype, SH["class"], SH.nodeKind, SH.pattern, SH["in"],
             SH.node, SH["or"], SH.qualifiedValueShape, SH.qualifiedMinCount,
             SH.qualifiedMaxCount, SH.hasValue, SH.languageIn, SH.lessThan,
             SH.lessThanOrEquals, SH.minInclusive, SH.maxInclusive, SH.sparql, SH.severity,
             SH.message, SH.name, SH.description}
#: predicates of a shape that need no evaluation
IGNORED = {RDF.type, RDFS.label, RDFS.comment}
NODE_KINDS = {SH.IRI: (ox.NamedNode,), SH.BlankNode: (ox.BlankNode,), SH.Literal: (ox.Literal,),
              SH.BlankNodeOrIRI: (ox.BlankNode, ox.NamedNode),
              SH.BlankNodeOrLiteral: (ox.BlankNode, ox.Literal),
              SH.IRIOrLiteral: (ox.NamedNode, ox.Literal)}
XSD_STRING, LANG_STRING = str(XSD.string), str(RDF.langString)
TYPE, SUBCLASS_OF = ox.NamedNode(str(RDF.type)), ox.NamedNode(str(RDFS.subClassOf))
#: the prefixes pyshacl puts before every SPARQL constraint
SPARQL_PROLOGUE = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in
                          (("rdf", RDF), ("rdfs", RDFS), ("owl", OWL))) + "\n"
#: what a compiled SPARQL constraint may not contain (pre-bound variables other than $this,
#: the clauses SHACL forbids, nested queries, AS): pyshacl evaluates those
SPARQL_UNSUPPORTED = re.compile(
    r"[?$](value|PATH|path|currentShape|shapesGraph|failure)\b|\b(MINUS|VALUES|SERVICE)\b"
    r"|\bAS\s+[?$]|SELECT[\s\S]*SELECT", re.IGNORECASE)
#: the constraints `_Check.failing` checks over all focus nodes at once
SCREENED = {"MinCount", "MaxCount", "Class", "Datatype", "NodeKind"}
#: pyshacl compares these by their Python value (compare_literal)
VALUE_COMPARED = (datetime.datetime, datetime.time)


class Unsupported(ValueError):
    """The shapes use something this module does not evaluate: use pyshacl."""


@dataclass(frozen=True)
class Result:
    """One validation result, in the terms of the SHACL report vocabulary."""

    focus: URIRef | BNode | Literal
    path: URIRef | BNode | None
    component: URIRef
    severity: URIRef
    message: str | None
    value: URIRef | BNode | Literal | None
    shape: URIRef | BNode


@dataclass(frozen=True)
class Sparql:
    """A SPARQL-based constraint: its SELECT (prologue included) and its message template."""

    query: str
    message: str


@dataclass
class Shape:
    """A node shape (path None) or a property shape and its constraints."""

    node: URIRef | BNode
    #: the sh:path node (reported as the result path) and the predicates it chains
    path: URIRef | BNode | None = None
    steps: tuple[str, ...] = ()
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
    for implicit in (RDFS.Class, OWL.Class):
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


def _steps(shapes: Graph, path) -> tuple[str, ...]:
    """The predicates of a predicate path or of a sequence path of predicates."""
    if isinstance(path, URIRef):
        return (str(path),)
    steps = list(Collection(shapes, path)) if (path, RDF.first, None) in shapes else []
    if len(steps) < 2 or not all(isinstance(s, URIRef) for s in steps):
        raise Unsupported(f"path {path}: neither a predicate nor a sequence of predicates")
    return tuple(str(s) for s in steps)


def _literal(term) -> Literal:
    if not isinstance(term, Literal):
        raise Unsupported(f"range bound {term!r} is not a literal")
    return term


def _languages(shapes: Graph, head) -> frozenset[str]:
    tags = list(Collection(shapes, head))
    if not all(isinstance(t, Literal) and isinstance(t.value, str) for t in tags):
        raise Unsupported(f"sh:languageIn {head} lists something else than strings")
    return frozenset(str(t.value).lower() for t in tags)


def _sparql(shapes: Graph, node) -> Sparql:
    """A sh:sparql constraint with one sh:select and one sh:message, $this its only
    pre-bound variable."""
    for predicate in set(shapes.predicates(node, None)):
        if predicate not in (SH.select, SH.message) and predicate not in IGNORED:
            raise Unsupported(f"{predicate} on SPARQL constraint {node}")
    select, message = _one(shapes, node, SH.select), _one(shapes, node, SH.message)
    if not (isinstance(select, Literal) and isinstance(select.value, str)):
        raise Unsupported(f"SPARQL constraint {node} without one string sh:select")
    if not (isinstance(message, Literal) and isinstance(message.value, str)):
        raise Unsupported(f"SPARQL constraint {node} without one string sh:message")
    text = str(select.value)
    if not re.search(r"[\s{}()][$?]this\b", text) or SPARQL_UNSUPPORTED.search(text):
        raise Unsupported(f"SPARQL constraint {node}: not a SELECT on $this alone")
    return Sparql(SPARQL_PROLOGUE + text, str(message.value))


def _compile(shapes: Graph, node, compiled: dict, reported: bool) -> Shape:
    if node in compiled:
        return compiled[node]
    shape = compiled[node] = Shape(node)
    for predicate in set(shapes.predicates(node, None)):
        if predicate not in SUPPORTED and predicate not in IGNORED:
            raise Unsupported(f"{predicate} on shape {node}")
    shape.path = _one(shapes, node, SH.path)
    shape.steps = _steps(shapes, shape.path) if shape.path is not None else ()
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
            ("HasValue", SH.hasValue, _ox_term),
            ("LanguageIn", SH.languageIn, lambda head: _languages(shapes, head)),
            ("MinInclusive", SH.minInclusive, _literal),
            ("MaxInclusive", SH.maxInclusive, _literal),
            ("LessThan", SH.lessThan, _predicate),
            ("LessThanOrEquals", SH.lessThanOrEquals, _predicate),
            ("Node", SH.node,  # its results are reported as details
             lambda target: _compile(shapes, target, compiled, reported=True)),
            ("Or", SH["or"],
             lambda head: [_compile(shapes, member, compiled, reported=False)
                           for member in Collection(shapes, head)]),
            ("SPARQL", SH.sparql, lambda constraint: _sparql(shapes, constraint))):
        for value in shapes.objects(node, parameter):
            shape.constraints.append((component, build(value)))
    components = {c for c, _ in shape.constraints}
    if shape.path is None and components & {"LessThan", "LessThanOrEquals"}:
        raise Unsupported(f"sh:lessThan(OrEquals) on node shape {node}")
    if "SPARQL" in components and (shape.path is not None or not reported):
        raise Unsupported(f"sh:sparql on shape {node}: a property shape or one inside another")
    if "SPARQL" in components and shape.message is not None:
        raise Unsupported(f"shape {node} has sh:message and SPARQL constraints (two messages)")
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
    if reported and components - {"SPARQL"} and shape.message is None:
        raise Unsupported(f"shape {node} reports results without sh:message")
    return shape


def _predicate(term) -> str:
    if not isinstance(term, URIRef):
        raise Unsupported(f"property pair with {term!r}")
    return str(term)


def _ox_term(term) -> ox.NamedNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or XSD.string)))
    raise Unsupported(f"constraint parameter {term!r}")


def _datatype_ok(term, datatype: str) -> bool:
    """sh:datatype as pyshacl applies it: the literal has the datatype and is well-formed."""
    if not isinstance(term, ox.Literal):
        return False
    if term.datatype.value != datatype:
        return False
    if datatype in (XSD_STRING, LANG_STRING):
        return True
    return _well_typed(term.value, datatype)


@lru_cache(maxsize=1 << 14)  # the same values recur (booleans, sizes, dates)
def _well_typed(lexical: str, datatype: str) -> bool:
    return Literal(lexical, datatype=URIRef(datatype)).ill_typed is not True


def _order(value: Literal, bound: Literal) -> int:
    """-1, 0 or 1 as pyshacl's compare_literal orders two literals (TypeError if it cannot)."""
    if value.eq(bound):
        return 0
    if type(value.value) in VALUE_COMPARED:
        return 0 if value.value == bound.value else 1 if value.value > bound.value else -1
    return 1 if value > bound else -1


def _in_range(term, bound: Literal, minimum: bool) -> bool:
    """sh:minInclusive / sh:maxInclusive as pyshacl applies them."""
    if not isinstance(term, ox.Literal):
        return False
    value = rdflib_term(term)
    if isinstance(value.value, str) != isinstance(bound.value, str):
        return False
    try:
        order = _order(value, bound)
    except (TypeError, NotImplementedError):
        return False
    return order >= 0 if minimum else order <= 0


def _pair_ok(value, other, strict: bool) -> bool:
    """sh:lessThan (strict) / sh:lessThanOrEquals on one pair, as pyshacl compares them:
    IRIs and strings as Python strings, other literals by rdflib's ordering."""
    operands = []
    for term in (value, other):
        if isinstance(term, ox.BlankNode):
            raise Unsupported("sh:lessThan(OrEquals) on a blank node (pyshacl refuses it)")
        node = rdflib_term(term)
        if isinstance(node, URIRef) or isinstance(node.value, str):
            operands.append((True, str(node) if isinstance(node, URIRef) else node.value))
        else:
            operands.append((False, node))
    (left_string, left), (right_string, right) = operands
    if left_string != right_string:
        return False
    try:
        return bool(left < right if strict else left <= right)
    except TypeError as error:
        raise Unsupported(f"sh:lessThan(OrEquals) cannot compare {value} and {other}") from error


def _language_ok(term, languages: frozenset[str]) -> bool:
    """sh:languageIn as pyshacl applies it (a tag or its first subtag is listed, or '*')."""
    language = term.language if isinstance(term, ox.Literal) else None
    if not language:
        return False
    return "*" in languages or language.lower() in languages or \
        language.split("-")[0].lower() in languages


def _message(template: str, bindings: dict[str, object]) -> str:
    """A SPARQL constraint's message with {$var} / {?var} replaced as pyshacl does."""
    for name, term in bindings.items():
        template = re.sub(f"{{[?$]{name}}}", str(term), template)
    return template


class Triples:
    """A graph of pyoxigraph terms indexed by predicate, which `Validator.validate` reads
    without copying: for callers that hold the terms already (an `ox.Dataset` of 50,000
    triples costs 0.2 s to fill and as much again to read back, measured)."""

    def __init__(self) -> None:
        #: predicate → subject → objects (as dict keys: each once, in the order added)
        self.tables: dict[ox.NamedNode, dict] = {}

    def add(self, quad: ox.Quad) -> None:
        """Add a quad of the default graph (as to an ox.Dataset)."""
        assert isinstance(quad.graph_name, ox.DefaultGraph), quad
        self.add_triple(quad.subject, quad.predicate, quad.object)

    def add_triple(self, subject, predicate: ox.NamedNode, obj) -> None:
        table = self.tables.get(predicate)
        if table is None:
            table = self.tables[predicate] = {}
        objects = table.get(subject)
        if objects is None:
            table[subject] = {obj: None}
        else:
            objects[obj] = None

    def __iter__(self) -> Iterator[ox.Quad]:
        """The triples, as quads of the default graph."""
        for predicate, table in self.tables.items():
            for subject, objects in table.items():
                for obj in objects:
                    yield ox.Quad(subject, predicate, obj)


class Validator:
    """Compiled shapes, checked on one graph at a time."""

    def __init__(self, shapes: list[Shape]) -> None:
        self.shapes = shapes

    def validate(self, graph: ox.Dataset | Triples) -> list[Result]:
        """The validation results of the graph (an ox.Dataset: its default graph), as pyshacl
        gives them."""
        check = _Check(graph) if isinstance(graph, ox.Dataset) else _TriplesCheck(graph)
        results: list[Result] = []
        for shape in self.shapes:
            foci = sorted(check.targets(shape), key=str)
            failing = check.failing(shape, foci)
            for focus in foci:
                if focus in failing:
                    results += check.report(shape, focus)
        return results


class _Check:
    """One validation run: the graph and what has been looked up in it."""

    def __init__(self, graph: ox.Dataset) -> None:
        self.graph = graph
        self._values: dict[str, dict] = {}
        self._instances: dict[str, set] = {}
        self._store: ox.Store | None = None

    def default_graph(self) -> Iterator[ox.Quad]:
        return (q for q in self.graph if isinstance(q.graph_name, ox.DefaultGraph))

    def table(self, predicate: str) -> dict:
        """subject → objects of the predicate (default graph)."""
        if predicate not in self._values:
            table: dict = defaultdict(list)
            for quad in self.graph.quads_for_predicate(ox.NamedNode(predicate)):
                if isinstance(quad.graph_name, ox.DefaultGraph):
                    table[quad.subject].append(quad.object)
            self._values[predicate] = table
        return self._values[predicate]

    def values(self, focus, steps: tuple[str, ...]) -> list:
        """The value nodes of a path at a focus node, each once (a table's objects of one
        subject are distinct: a graph is a set)."""
        if len(steps) == 1:
            return list(self.table(steps[0]).get(focus, ()))
        nodes = [focus]
        for step in steps:
            table = self.table(step)
            nodes = list(dict.fromkeys(v for n in nodes for v in table.get(n, ())))
        return nodes

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
            found |= self.instances(iri) if kind == SH.targetClass else set(self.table(iri))
        return found

    def conforms(self, focus, shape: Shape) -> bool:
        return not self.violations(shape, focus) and all(
            self.conforms(focus, p) for p in shape.properties)

    def failing(self, shape: Shape, foci: list) -> set:
        """The focus nodes at which `report` may find something (all those at which it does):
        the common constraints are checked over all focus nodes at once, a few times faster
        than `report` at each of them."""
        if not shape.constraints:
            failing: set = set()
        elif len(shape.steps) == 1 and all(c in SCREENED for c, _ in shape.constraints):
            failing = self._screen(shape, foci)
        else:
            failing = {focus for focus in foci if self.violations(shape, focus)}
        for prop in shape.properties:
            failing |= self.failing(prop, foci)
        return failing

    def _screen(self, shape: Shape, foci: list) -> set:
        """The focus nodes at which a property shape of SCREENED constraints has a violation."""
        table, failing = self.table(shape.steps[0]), set()
        for component, parameter in shape.constraints:
            if component == "MinCount":
                failing.update(f for f in foci if len(table.get(f, ())) < parameter)
            elif component == "MaxCount":
                failing.update(f for f in foci if len(table.get(f, ())) > parameter)
            else:
                ok = (self.instances(parameter).__contains__ if component == "Class" else
                      (lambda v, kinds=parameter: isinstance(v, kinds))
                      if component == "NodeKind" else
                      (lambda v, datatype=parameter: _datatype_ok(v, datatype)))
                failing.update(f for f in foci if not all(map(ok, table.get(f, ()))))
        return failing

    def report(self, shape: Shape, focus) -> list[Result]:
        """The results of a reported shape at a focus node (its property shapes included)."""
        results = []
        for component, value, message in self.violations(shape, focus):
            results.append(Result(rdflib_term(focus), shape.path,
                                  SH[f"{component}ConstraintComponent"], shape.severity,
                                  message if message is not None else shape.message,
                                  rdflib_term(value) if value is not None else None, shape.node))
            if component == "Node":  # pyshacl's sh:detail results
                for nested in (p for c, p in shape.constraints if c == component):
                    results += self.report(nested, value)
        for prop in shape.properties:
            results += self.report(prop, focus)
        return results

    def violations(self, shape: Shape, focus) -> list[tuple[str, object, str | None]]:
        """(component, value node or None, message or None for the shape's) for each
        constraint of the shape not met."""
        steps = shape.steps
        values = list(self.table(steps[0]).get(focus, ())) if len(steps) == 1 else \
            self.values(focus, steps)  # distinct
        failed: list[tuple[str, object, str | None]] = []
        for component, parameter in shape.constraints:
            if component == "MinCount":
                if len(values) < parameter:
                    failed.append((component, None, None))
            elif component == "MaxCount":
                if len(values) > parameter:
                    failed.append((component, None, None))
            elif component == "Class":
                instances = self.instances(parameter)
                failed += [(component, v, None) for v in values if v not in instances]
            elif component == "Datatype":
                failed += [(component, v, None) for v in values if not _datatype_ok(v, parameter)]
            elif component == "HasValue":
                if parameter not in values:
                    failed.append((component, None, None))
            elif component in ("QualifiedMinCount", "QualifiedMaxCount"):
                inner, bound = parameter
                count = sum(self.conforms(v, inner) for v in set(values))
                if (count < bound if component == "QualifiedMinCount"
                        else count > bound):
                    failed.append((component, None, None))
            elif component in ("LessThan", "LessThanOrEquals"):
                others = dict.fromkeys(self.table(parameter).get(focus, ()))
                failed += [(component, v, None) for v in dict.fromkeys(values) for o in others
                           if not _pair_ok(v, o, component == "LessThan")]
            elif component == "SPARQL":
                failed += self.sparql(parameter, focus)
            else:
                failed += [(component, v, None) for v in values
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
        if component == "LanguageIn":
            return _language_ok(value, parameter)
        if component in ("MinInclusive", "MaxInclusive"):
            return _in_range(value, parameter, component == "MinInclusive")
        if component == "Node":
            return self.conforms(value, parameter)
        if component == "Or":
            return any(self.conforms(value, s) for s in parameter)
        raise AssertionError(component)

    def sparql(self, constraint: Sparql, focus) -> list[tuple[str, object, str]]:
        """The results of a SPARQL constraint at a (node shape's) focus node: one per
        distinct solution, $this its focus and value, the message filled in with its
        bindings."""
        if self._store is None:
            self._store = ox.Store()
            self._store.extend(self.default_graph())
        solutions = self._store.query(constraint.query,
                                      substitutions={ox.Variable("this"): focus})
        names = [v.value for v in solutions.variables]
        seen: list[dict] = []
        failed: list[tuple[str, object, str]] = []
        for solution in solutions:
            bound = {n: rdflib_term(solution[n]) for n in names if solution[n] is not None}
            this = bound.pop("this", None)
            if this is None or bound in seen:  # pyshacl: a solution without $this is no result
                continue
            seen.append(bound)
            if this != rdflib_term(focus):
                raise Unsupported("a SPARQL constraint bound $this to another node")
            failed.append(("SPARQL", focus,
                           _message(constraint.message, {**bound, "this": this, "value": this})))
        return failed


class _TriplesCheck(_Check):
    """A validation run on `Triples`: the tables are there already."""

    graph: Triples

    def default_graph(self) -> Iterator[ox.Quad]:
        return iter(self.graph)

    def table(self, predicate: str) -> dict:
        table = self._values.get(predicate)
        if table is None:
            table = self._values[predicate] = self.graph.tables.get(ox.NamedNode(predicate), {})
        return table

    def instances(self, cls: str) -> set:
        """SHACL instances: rdf:type/rdfs:subClassOf* cls."""
        if cls not in self._instances:
            subclasses, typed = self._inverse(SUBCLASS_OF), self._inverse(TYPE)
            classes, todo = set(), [ox.NamedNode(cls)]
            while todo:
                current = todo.pop()
                if current not in classes:
                    classes.add(current)
                    todo += subclasses.get(current, ())
            self._instances[cls] = {s for c in classes for s in typed.get(c, ())}
        return self._instances[cls]

    def _inverse(self, predicate: ox.NamedNode) -> dict:
        """object → subjects of a predicate."""
        key = f"^{predicate.value}"
        if key not in self._values:
            inverse: dict = defaultdict(list)
            for subject, objects in self.graph.tables.get(predicate, {}).items():
                for obj in objects:
                    inverse[obj].append(subject)
            self._values[key] = inverse
        return self._values[key]
