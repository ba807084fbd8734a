"""Every shape catches a broken record: the report names the node and the property.

The cases are derived from the shapes themselves: for every required property (sh:minCount,
severity Violation) and every typed property (sh:datatype / sh:class) of every node shape, a
real instance from the shipped data is broken and validated. Dataset shapes are exercised on the
test batch of dataset records (tests/data/datasets), as the ingest would write it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from bigmap_kg import sources
from bigmap_kg.datasets.records import Record, finish
from bigmap_kg.namespaces import BMO, curie
from bigmap_kg.sources import SourceSet
from bigmap_kg.validate import validate

SHAPES = sources.read(sources.shapes_files()).graph
BATCH = Path(__file__).parent / "data" / "datasets" / "operando-xrd-lno.ttl"
DATA = sources.read(sources.data_files()).graph + \
    finish(Record("NativeRDF", BATCH.stem, BATCH.name, Graph().parse(BATCH))).graph
ONTOLOGY = sources.read(sources.ontology_files()).graph


def _property_shapes():
    for node_shape, target in SHAPES.subject_objects(SH.targetClass):
        for prop in SHAPES.objects(node_shape, SH.property):
            path = SHAPES.value(prop, SH.path)
            if not isinstance(path, URIRef) or SHAPES.value(prop, SH.severity) is not None:
                continue
            yield node_shape, target, prop, path


def _cases():
    cases = []
    for node_shape, target, prop, path in _property_shapes():
        name = f"{curie(str(node_shape))}-{curie(str(path))}"
        min_count = SHAPES.value(prop, SH.minCount)
        required = min_count is not None and int(min_count) >= 1
        if required and SHAPES.value(prop, SH.hasValue) is None:
            cases.append(pytest.param(target, path, "remove", id=f"{name}-missing"))
        typed = SHAPES.value(prop, SH.datatype) or SHAPES.value(prop, SH["class"])
        if typed is not None:
            cases.append(pytest.param(target, path, "wrong-type", id=f"{name}-wrong-type"))
    return sorted(cases, key=lambda case: case.id)  # one order in every process (xdist)


def _instance_with(target: URIRef, path: URIRef):
    classes = {target, *(s for s in ONTOLOGY.transitive_subjects(RDFS.subClassOf, target))}
    for cls in sorted(classes):
        for node in sorted(DATA.subjects(RDF.type, cls), key=str):
            if (node, path, None) in DATA:
                return node
    return None


def _neighbourhood(node) -> Graph:
    """The node, its blank-node closure and its owner chain, plus the types of what it points to."""
    sub = Graph()
    todo, seen = [node], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for s, p, o in DATA.triples((current, None, None)):
            sub.add((s, p, o))
            if isinstance(o, BNode):
                todo.append(o)
            elif isinstance(o, URIRef):
                for t in (*DATA.objects(o, RDF.type), *ONTOLOGY.objects(o, RDF.type)):
                    sub.add((o, RDF.type, t))
    owner = node
    while isinstance(owner, BNode):
        found = next(iter(DATA.subject_predicates(owner)), None)
        if found is None:
            break
        sub.add((found[0], found[1], owner))
        owner = found[0]
    return sub


def _owner(node):
    while isinstance(node, BNode):
        node = next(iter(DATA.subjects(None, node)))
    return node


def _violations(graph: Graph) -> list:
    return validate(SourceSet(graph=graph), SHAPES, ONTOLOGY).violations


@cache
def _unbroken_violations(node) -> list:
    """The violations of a node's unbroken neighbourhood (validated once: many cases share a
    node, and validating is what takes the time)."""
    return _violations(_neighbourhood(node))


def _findings(violations: list, node, path: URIRef):
    """Violations of `path` reported on `node` (named by its owner for a blank node)."""
    owner = curie(str(_owner(node)))
    return [f for f in violations
            if f.path == curie(str(path)) and f.node.split(" / ")[0] == owner]


@pytest.mark.parametrize(("target", "path", "mutation"), _cases())
def test_shape_catches_broken_record(target: URIRef, path: URIRef, mutation: str) -> None:
    node = _instance_with(target, path)
    if node is None:
        pytest.fail(f"no {curie(str(target))} in the data uses {curie(str(path))}: "
                    "every shape must be exercised on a real record")
    assert not _findings(_unbroken_violations(node), node, path), \
        "the unbroken record must pass this constraint"
    graph = _neighbourhood(node)
    values = list(graph.objects(node, path))
    graph.remove((node, path, None))
    if mutation == "wrong-type":
        wrong = Literal("not-a-number") if all(isinstance(v, URIRef) for v in values) \
            else URIRef("https://w3id.org/bigmap-kg/partner/cea")
        if all(isinstance(v, Literal) and v.datatype in (None, XSD.string) for v in values):
            wrong = Literal(42)
        graph.add((node, path, wrong))
        graph.add((URIRef("https://w3id.org/bigmap-kg/partner/cea"), RDF.type, BMO.Partner))
    findings = _findings(_violations(graph), node, path)
    assert findings, f"breaking {curie(str(path))} on {node} was not reported on that node"
    assert all(f.message and f.message != "constraint not met" for f in findings)
