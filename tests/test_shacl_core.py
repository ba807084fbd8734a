"""The compiled dataset shapes (shacl_core) against pyshacl: the same results — focus node,
path, constraint component, severity, message, value — on a valid batch and on one invalid
batch per constraint component that shapes/datasets.shapes.ttl uses; anything the compiler
does not evaluate makes the ingest fall back to pyshacl.

The batch is the test batch tests/data/datasets/operando-xrd-lno.ttl as the ingest maps it
(records finished, blank nodes skolemised), plus the types of the D5.1 nodes it points at and
the ontology, as the ingest validates it. Expected components and messages are read from the
shapes file, the oracle for the results is pyshacl.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, SH, XSD

from bigmap_kg import paths
from bigmap_kg.datasets import ingest as ingest_module
from bigmap_kg.datasets.ingest import ingest
from bigmap_kg.namespaces import BMO, CHAMEO, PREFIXES
from bigmap_kg.queryfile import view
from bigmap_kg.results import run
from bigmap_kg.shacl_core import Triples, Unsupported, Validator, compile_shapes
from bigmap_kg.sources import ox_term, read
from bigmap_kg.store import ontology_graph
from bigmap_kg.validate import shacl_results

BATCH = Path(__file__).parent / "data" / "datasets" / "operando-xrd-lno.ttl"
SHAPES = paths.SHAPES_DIR / "datasets.shapes.ttl"
SCHEMA = "https://schema.org/"
SPDX = "http://spdx.org/rdf/terms#"
D = URIRef(PREFIXES["dataset"] + "esrf-id31-0001-raw")
DIST = URIRef(PREFIXES["dist"] + "esrf-id31-0001-raw")
RUN = URIRef(PREFIXES["run"] + "esrf-id31-0001")
SAMPLE = URIRef(PREFIXES["sample"] + "lno-hc-01")
XRD = URIRef(PREFIXES["tech"] + "synchrotron-xrd")
ID31 = URIRef(PREFIXES["inst"] + "esrf-id31")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return read([SHAPES]).graph


@pytest.fixture(scope="module")
def batch(store) -> tuple[Graph, Graph]:
    """(the mapped batch + the types of the nodes it points at, the ontology)."""
    report = ingest([(BATCH.read_bytes(), str(BATCH))], store, None)
    assert report.accepted, report.as_text()
    data = Graph()
    for record in report.records:
        data += record.graph
    pointed = [ox.NamedNode(str(o)) for o in set(data.objects()) if isinstance(o, URIRef)]
    for triple in run(store, view("ingest-context"), prefixes=False, bindings={"node": pointed}):
        data.add((URIRef(triple.subject.value), RDF.type, URIRef(triple.object.value)))
    return data, ontology_graph(store)


def results_of_both(data: Graph, ontology: Graph, shapes: Graph) -> tuple[set, set]:
    """The results of pyshacl and of the compiled shapes, as comparable tuples."""

    def key(r) -> tuple:
        return (r.focus, r.path, r.component, r.severity, r.message, r.value, r.shape)

    validator = Validator(compile_shapes(shapes))
    ours = validator.validate(
        ox.Dataset(
            ox.parse(
                (data + ontology).serialize(format="nt", encoding="utf-8"), ox.RdfFormat.N_TRIPLES
            )
        )
    )
    # the terms converted, as the ingest gives them (Triples): the same results
    triples = Triples()
    for s, p, o in data + ontology:
        triples.add_triple(ox_term(s), ox_term(p), ox_term(o))
    assert {key(r) for r in validator.validate(triples)} == {key(r) for r in ours}
    theirs, _ = shacl_results(data, shapes, ontology)
    return {key(r) for r in theirs}, {key(r) for r in ours}


def checksum(data: Graph) -> URIRef:
    return next(data.objects(DIST, URIRef(SPDX + "checksum")))


# (name, triples removed, triples added, (focus, path, component) expected among the results)
CASES = [
    (
        "minCount",
        [(D, DCTERMS.title, None)],
        [],
        (D, DCTERMS.title, SH.MinCountConstraintComponent),
    ),
    (
        "maxCount",
        [],
        [(D, BMO.doi, Literal("10.5281/zenodo.1")), (D, BMO.doi, Literal("10.5281/zenodo.2"))],
        (D, BMO.doi, SH.MaxCountConstraintComponent),
    ),
    (
        "datatype, language-tagged string",
        [(D, DCTERMS.title, None)],
        [(D, DCTERMS.title, Literal("Titel", lang="de"))],
        (D, DCTERMS.title, SH.DatatypeConstraintComponent),
    ),
    (
        "datatype, ill-typed (an Oxigraph store would read it back as xsd:integer)",
        [(DIST, DCAT.byteSize, None)],
        [(DIST, DCAT.byteSize, Literal("-5", datatype=XSD.nonNegativeInteger))],
        (DIST, DCAT.byteSize, SH.DatatypeConstraintComponent),
    ),
    (
        "class",
        [(RUN, BMO.appliedTechnique, None)],
        [(RUN, BMO.appliedTechnique, ID31)],
        (RUN, BMO.appliedTechnique, SH.ClassConstraintComponent),
    ),
    (
        "nodeKind",
        [],
        [(D, URIRef(SCHEMA + "about"), Literal("LNO half-cell 01"))],
        (D, URIRef(SCHEMA + "about"), SH.NodeKindConstraintComponent),
    ),
    (
        "pattern",
        [],
        [(D, BMO.doi, Literal("https://doi.org/10.5281/zenodo.1"))],
        (D, BMO.doi, SH.PatternConstraintComponent),
    ),
    (
        "in",
        [(SAMPLE, BMO.configuration, None)],
        [(SAMPLE, BMO.configuration, BMO.Coin)],
        (SAMPLE, BMO.configuration, SH.InConstraintComponent),
    ),
    (
        "node (checksum without algorithm)",
        ["checksum", URIRef(SPDX + "algorithm")],
        [],
        (DIST, URIRef(SPDX + "checksum"), SH.NodeConstraintComponent),
    ),
    (
        "node (checksum value not hexadecimal)",
        ["checksum", URIRef(SPDX + "checksumValue"), "xyz"],
        [],
        (DIST, URIRef(SPDX + "checksum"), SH.NodeConstraintComponent),
    ),
    (
        "or on a node shape (a distribution without a URL)",
        [(DIST, DCAT.accessURL, None)],
        [],
        (DIST, None, SH.OrConstraintComponent),
    ),
    (
        "or on a property shape (a year is no date)",
        [(RUN, PROV.startedAtTime, None)],
        [(RUN, PROV.startedAtTime, Literal("2021", datatype=XSD.gYear))],
        (RUN, PROV.startedAtTime, SH.OrConstraintComponent),
    ),
    (
        "qualifiedMinCount (no level)",
        [(D, RDF.type, CHAMEO.RawData)],
        [],
        (D, RDF.type, SH.QualifiedMinCountConstraintComponent),
    ),
    (
        "qualifiedMaxCount (two levels)",
        [],
        [(D, RDF.type, CHAMEO.SecondaryData)],
        (D, RDF.type, SH.QualifiedMaxCountConstraintComponent),
    ),
    (
        "or with qualified shapes (a run without any technique)",
        [
            (RUN, BMO.appliedTechnique, None),
            (RUN, BMO.techniqueAsRecorded, None),
            (RUN, RDF.type, None),
        ],
        [(RUN, RDF.type, BMO.MeasurementRun)],
        (RUN, None, SH.OrConstraintComponent),
    ),
    (
        "warning (no licence)",
        [(D, DCTERMS.license, None)],
        [],
        (D, DCTERMS.license, SH.MinCountConstraintComponent),
    ),
    (
        "targetSubjectsOf (a technique that does not resolve)",
        [(RUN, BMO.appliedTechnique, None)],
        [],
        (RUN, BMO.appliedTechnique, SH.MinCountConstraintComponent),
    ),
]


def test_the_dataset_shapes_compile(shapes) -> None:
    assert isinstance(ingest_module._compiled(), Validator)
    targeted = {s for p in (SH.targetClass, SH.targetSubjectsOf) for s in shapes.subjects(p, None)}
    assert {s.node for s in compile_shapes(shapes)} == targeted


def test_a_valid_batch_gives_the_same_results(batch, shapes) -> None:
    data, ontology = batch
    theirs, ours = results_of_both(data, ontology, shapes)
    assert ours == theirs
    assert not [r for r in ours if r[3] == SH.Violation]


@pytest.mark.parametrize(("name", "removed", "added", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_kind_of_violation_gives_the_same_results(
    batch, shapes, name, removed, added, expected
) -> None:
    data, ontology = batch
    data = data + Graph()  # a copy
    if removed and removed[0] == "checksum":
        node, predicate = checksum(data), removed[1]
        if len(removed) == 3:  # replace the value
            data.set((node, predicate, Literal(removed[2], datatype=XSD.hexBinary)))
        else:
            data.remove((node, predicate, None))
    else:
        for triple in removed:
            data.remove(triple)
    for triple in added:
        data.add(triple)
    theirs, ours = results_of_both(data, ontology, shapes)
    assert ours == theirs
    found = [r for r in ours if r[:3] == expected]
    assert found, f"{name}: {expected} not among {ours}"
    shape = found[0][6]  # the message is the one the shapes file gives that shape
    assert found[0][4] == str(shapes.value(shape, SH.message))


def test_unsupported_shapes_fall_back_to_pyshacl(store, shapes, monkeypatch) -> None:
    """A constraint component the compiler does not evaluate (sh:minLength here) is never
    skipped: compiling raises, and the ingest validates with pyshacl, which finds it."""
    changed = shapes + Graph()
    prop = next(
        o
        for s in changed.subjects(SH.targetClass, BMO.Dataset)
        for o in changed.objects(s, SH.property)
        if (o, SH.path, DCTERMS.title) in changed
    )
    changed.add((prop, SH.minLength, Literal(1000)))  # no title is that long
    with pytest.raises(Unsupported, match="minLength"):
        compile_shapes(changed)
    monkeypatch.setattr(ingest_module, "_shapes", lambda: changed)
    ingest_module._compiled.cache_clear()
    try:
        report = ingest([(BATCH.read_bytes(), str(BATCH))], store, None)
    finally:
        ingest_module._compiled.cache_clear()
    assert report.validator.startswith("pyshacl (") and "minLength" in report.validator
    assert any(f.path == "dcterms:title" and f.severity == "Violation" for f in report.findings)


def test_a_reported_constraint_without_message_is_unsupported(shapes) -> None:
    changed = shapes + Graph()
    for triple in list(changed.triples((None, SH.message, None))):
        if (triple[0], SH.path, DCTERMS.title) in changed:
            changed.remove(triple)
    with pytest.raises(Unsupported, match="without sh:message"):
        compile_shapes(changed)
