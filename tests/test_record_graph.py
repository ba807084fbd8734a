"""RecordGraph (the graph a record is mapped into) answers like an rdflib Graph."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS

from bigmap_kg.datasets.graph import RecordGraph

A, B, C = URIRef("http://example.org/a"), URIRef("http://example.org/b"), BNode("c")
P, Q = URIRef("http://example.org/p"), URIRef("http://example.org/q")
TRIPLES = [(A, P, B), (A, P, Literal("x")), (A, Q, Literal("x", lang="en")), (B, P, A),
           (C, RDF.type, A), (A, RDF.type, B), (B, RDFS.label, Literal("y")),
           (A, P, B)]  # the same triple twice
PATTERNS = [(s, p, o) for s in (None, A, B, C) for p in (None, P, Q, RDF.type)
            for o in (None, A, B, Literal("x"))]


def both() -> tuple[Graph, RecordGraph]:
    plain, ours = Graph(), RecordGraph()
    for triple in TRIPLES:
        plain.add(triple)
        ours.add(triple)
    return plain, ours


def test_patterns_lengths_and_membership_are_rdflibs() -> None:
    plain, ours = both()
    assert len(ours) == len(plain) == len(set(TRIPLES))
    assert set(ours) == set(plain)
    for pattern in PATTERNS:
        assert sorted(ours.triples(pattern)) == sorted(plain.triples(pattern)), pattern
        assert (pattern in ours) == (pattern in plain), pattern
    assert list(ours.subjects(unique=True)) == ours.subject_terms()
    assert set(ours.subject_terms()) == set(plain.subjects())
    assert set(ours.object_terms()) == set(plain.objects())
    assert set(ours.predicate_terms()) == set(plain.predicates())
    assert sorted(ours.triples_choices(([A, B], P, None))) == \
        sorted(plain.triples_choices(([A, B], P, None)))
    assert ours.value(B, RDFS.label) == plain.value(B, RDFS.label)


def test_removal_and_merging_are_rdflibs() -> None:
    for pattern in PATTERNS:
        plain, ours = both()
        plain.remove(pattern)
        ours.remove(pattern)
        assert set(ours) == set(plain), pattern
        assert set(ours.subject_terms()) == set(plain.subjects()), pattern
        assert sorted(ours.triples((None, P, None))) == sorted(plain.triples((None, P, None)))
    plain, ours = both()
    merged = RecordGraph()
    merged += plain
    assert isomorphic(merged, plain) and isomorphic(ours + Graph(), plain)
    assert ours.serialize(format="nt") and isomorphic(
        Graph().parse(data=ours.serialize(format="turtle"), format="turtle"), plain)
