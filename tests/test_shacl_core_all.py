"""All the shapes of shapes/ compiled (shacl_core) against pyshacl, on the D5.1 data: the same
findings on the data as shipped (through `validate`, which the build and `bigmap-kg validate`
use), and the same results — focus node, path, constraint component, severity, message, value,
source shape — on an edited copy per shapes file holding one edit per constraint component the
dataset shapes do not use (tests/test_shacl_core.py covers those) and per SPARQL-based
constraint.

Each edit is chosen from the data by a query (a node the constraint applies to), the expected
component is asserted among the results (no case passes vacuously), the oracle is pyshacl.
"""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import RDFS, SH, XSD

from bigmap_kg import paths, sources
from bigmap_kg.build import build
from bigmap_kg.namespaces import BMO, PREFIXES, sparql_prologue
from bigmap_kg.shacl_core import compile_shapes
from bigmap_kg.validate import compiled_results, shacl_results, validate

SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
UNIT_M2 = URIRef(PREFIXES["unit"] + "M2")
MAPPINGS = [URIRef(SKOS + m) for m in ("exactMatch", "closeMatch", "broadMatch", "narrowMatch",
                                       "relatedMatch")]


def results_of_both(data: Graph, ontology: Graph, shapes: Graph) -> tuple[set, set]:
    """The results of pyshacl and of the compiled shapes, as comparable tuples."""

    def key(r) -> tuple:
        return (r.focus, r.path, r.component, r.severity, r.message, r.value, r.shape)

    theirs, _ = shacl_results(data, shapes, ontology)
    return {key(r) for r in theirs}, {key(r) for r in compiled_results(data, shapes, ontology)}


def test_all_shapes_compile(shapes_graph) -> None:
    targeted = {s for p in (SH.targetClass, SH.targetSubjectsOf)
                for s in shapes_graph.subjects(p, None)}
    compiled = compile_shapes(shapes_graph)
    assert {s.node for s in compiled} == targeted
    assert sum(c == "SPARQL" for s in compiled for c, _ in s.constraints) == \
        len(set(shapes_graph.objects(None, SH.sparql)))


# (the shapes file run (pyshacl on all of shapes/ takes four times longer), name, query
#  selecting ?f (the expected focus) and ?n (the node edited, default ?f), predicates removed
#  from ?n, (predicate, value or a variable of the query) set on ?n, expected component,
#  expected path); the cases of a file are edits of different nodes of one copy
CASES = [
    ("cells", "hasValue (a cell sheet not derived from D5.1)",
     "?f a bmo:CellSheet", [PROV_DERIVED], [], SH.HasValueConstraintComponent, PROV_DERIVED),
    ("entities", "languageIn (an observable labelled in German)",
     "?f a bmo:Observable", [], [(URIRef(SKOS + "prefLabel"), Literal("Dehnung", lang="de"))],
     SH.LanguageInConstraintComponent, URIRef(SKOS + "prefLabel")),
    ("entities", "languageIn (an observable label without language)",
     "?f a bmo:Observable", [], [(URIRef(SKOS + "prefLabel"), Literal("strain"))],
     SH.LanguageInConstraintComponent, URIRef(SKOS + "prefLabel")),
    ("cells", "minInclusive (sheet 0)",
     "?f a bmo:CellSheet", [], [(BMO.sheetNumber, Literal(0))],
     SH.MinInclusiveConstraintComponent, BMO.sheetNumber),
    ("cells", "maxInclusive (sheet 39)",
     "?f a bmo:CellSheet", [], [(BMO.sheetNumber, Literal(39))],
     SH.MaxInclusiveConstraintComponent, BMO.sheetNumber),
    ("cells", "minInclusive and maxInclusive (a string is no number)",
     "?f a bmo:CellSheet", [], [(BMO.sheetNumber, Literal("12"))],
     SH.MaxInclusiveConstraintComponent, BMO.sheetNumber),
    ("entities", "minInclusive (a decimal partner count below 0)",
     "?f a bmo:CompetenceMapping", [],
     [(BMO.partnerCount, Literal("-0.5", datatype=XSD.decimal))],
     SH.MinInclusiveConstraintComponent, BMO.partnerCount),
    ("plan", "lessThanOrEquals (an experiment ending before it starts)",
     "?f a bmo:Tier1Experiment ; bmo:startMonth ?s ; bmo:endMonth ?e", [],
     [(BMO.startMonth, Literal(30)), (BMO.endMonth, Literal(2))],
     SH.LessThanOrEqualsConstraintComponent, BMO.startMonth),
    ("matrix", "lessThanOrEquals (a quantity's minimum above its maximum)",
     "?f a bmo:Quantity ; bmo:minValue ?a ; bmo:maxValue ?b", [],
     [(BMO.minValue, Literal(2.0)), (BMO.maxValue, Literal(1.0))],
     SH.LessThanOrEqualsConstraintComponent, BMO.minValue),
    ("plan", "lessThan (a period ending as it starts)",
     "?f a bmo:WorkflowPeriod ; bmo:startMonth ?s", [], [(BMO.endMonth, Variable("s"))],
     SH.LessThanConstraintComponent, BMO.startMonth),
    ("plan", "lessThan (months compared with a string)",
     "?f a bmo:WorkflowPeriod", [], [(BMO.endMonth, Literal("M36"))],
     SH.LessThanConstraintComponent, BMO.startMonth),
    ("lengths", "sequence path (a lateral resolution in m²)",
     "?f bmo:lateralResolution ?n . ?n bmo:unit ?u", [], [(BMO.unit, UNIT_M2)],
     SH.InConstraintComponent, None),
    ("cells", "sparql: a cell held by nobody, without a curation note",
     "?f a bmo:Cell ; bmo:heldBy ?p", [BMO.heldBy, BMO.curationNote], [],
     SH.SPARQLConstraintComponent, None),
    ("cells", "sparql: a cell with a sheet but no make",
     "?f a bmo:Cell ; bmo:make ?m . ?s bmo:describesCell ?f", [BMO.make], [],
     SH.SPARQLConstraintComponent, None),
    ("entities", "sparql: a technique aligned with no external vocabulary",
     "?f a bmo:Technique ; skos:exactMatch ?x", MAPPINGS, [],
     SH.SPARQLConstraintComponent, None),
    ("entities", "sparql: an observable neither broader nor top concept",
     "?f a bmo:Observable ; skos:broader ?b", [URIRef(SKOS + "broader"),
                                                URIRef(SKOS + "topConceptOf")], [],
     SH.SPARQLConstraintComponent, None),
    ("matrix", "sparql: printed observables without a statement",
     "?f a bmo:MatrixEntry ; bmo:observablesAsPrinted ?t ; bmo:hasObservableStatement ?s",
     [BMO.hasObservableStatement], [], SH.SPARQLConstraintComponent, None),
    ("matrix", "sparql: a printed time resolution without its quantity",
     "?f a bmo:MatrixEntry ; bmo:timeResolutionAsPrinted ?t ; bmo:timeResolution ?q",
     [BMO.timeResolution], [], SH.SPARQLConstraintComponent, None),
    ("matrix", "sparql: a quantity with a number but no unit",
     "?f a bmo:Quantity ; bmo:minValue ?v ; bmo:unit ?u", [BMO.unit], [],
     SH.SPARQLConstraintComponent, None),
    ("matrix", "sparql: a number from a text without digits",
     "?f a bmo:Quantity ; bmo:maxValue ?v", [], [(BMO.asPrinted, Literal("a few"))],
     SH.SPARQLConstraintComponent, None),
    ("matrix", "sparql: a cell offer without partner or curation note",
     "?f a bmo:CellOffer ; bmo:partner ?p", [BMO.partner, BMO.curationNote], [],
     SH.SPARQLConstraintComponent, None),
    ("plan", "sparql: a time cell in months without a start month",
     '?f a bmo:Tier1Experiment ; bmo:startMonth ?m ; bmo:timeAsPrinted ?t '
     'FILTER REGEX(?t, "M ?[0-9]+")', [BMO.startMonth], [],
     SH.SPARQLConstraintComponent, None),
]


FILES = sorted({case[0] for case in CASES})


@pytest.mark.parametrize("file", FILES)
def test_each_new_constraint_gives_the_same_results(data_graph, ontology_graph,
                                                    file) -> None:
    """The cases of one shapes file, each on a node of its own (the first its query selects
    that no earlier case edited or expects), in one edited copy: one pyshacl run per file."""
    edited, expected, taken = data_graph + Graph(), [], set()  # a copy
    for _, name, where, removed, added, component, path in (c for c in CASES if c[0] == file):
        query = f"{sparql_prologue()}SELECT * WHERE {{ {where} }} ORDER BY ?f"
        row = next(r.asdict() for r in data_graph.query(query)
                   if not {r.asdict()["f"], r.asdict().get("n")} & taken)
        node = row.get("n", row["f"])
        taken |= {node, row["f"]}
        for predicate in removed:
            edited.remove((node, predicate, None))
        for predicate, value in added:
            edited.set((node, predicate,
                        row[str(value)] if isinstance(value, Variable) else value))
        expected.append((name, row["f"], component, path))
    shapes = sources.read([paths.SHAPES_DIR / f"{file}.shapes.ttl"]).graph
    theirs, ours = results_of_both(edited, ontology_graph, shapes)
    assert ours == theirs
    for name, focus, component, path in expected:
        found = [r for r in ours if r[0] == focus and r[2] == component]
        assert found, f"{name}: {component} not among the results at {focus}"
        if path is not None:
            assert {r[1] for r in found} == {path}, name


def test_the_shipped_data_gives_the_same_findings_and_validate_uses_them(
        ontology_graph, shapes_graph) -> None:
    """On the D5.1 data as shipped, `validate` (the build's and `bigmap-kg validate`'s) runs
    the compiled shapes; shapes it cannot compile (here one more constraint, sh:minLength,
    which every cell meets) fall back to pyshacl, and pyshacl's findings are the same: node,
    path, severity, message, value, file, line and shape (one pyshacl run on the whole data;
    the components are compared on the edited copies above)."""
    changed = shapes_graph + Graph()
    changed.add((next(changed.subjects(SH.targetClass, BMO.Cell)), SH.minLength, Literal(1)))
    source = sources.read(sources.data_files())
    report = validate(source, shapes_graph, ontology_graph)
    fallback = validate(source, changed, ontology_graph)
    assert report.validator == "compiled"
    assert fallback.validator.startswith("pyshacl (") and "minLength" in fallback.validator
    assert fallback.findings == report.findings
    assert report.warnings and not report.violations


def test_the_build_validates_with_the_compiled_shapes() -> None:
    summary = build(write=False, reasoner=False)
    assert summary.validator == "compiled" and "validator: compiled" in summary.as_text()


def test_sparql_messages_are_filled_in_as_pyshacl_does(data_graph, ontology_graph) -> None:
    """{$this}, {?value} and the other variables a SELECT projects, in a message (no shape
    of shapes/ uses them yet); one result per distinct solution."""
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:x:LabelShape> a sh:NodeShape ;
            sh:targetClass <https://w3id.org/bigmap-kg/ontology#Partner> ;
            sh:sparql [ sh:message "{$this} ({?value}) is labelled {?label}" ;
                sh:select "SELECT $this ?label WHERE { $this rdfs:label ?label }" ] .""")
    theirs, ours = results_of_both(data_graph, ontology_graph, shapes)
    assert ours == theirs
    assert len(ours) == 15 and all(r[4].endswith(
        f"is labelled {data_graph.value(r[0], RDFS.label)}")
                                   and r[4].startswith(f"{r[0]} ({r[0]})") for r in ours)
