"""`make check-ontology`: our ontology merged with CHAMEO and the battery domain closure is
consistent for HermiT, has no unsatisfiable class and no OWL 2 DL profile violation of ours."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bigmap_kg import import_catalog, ontology_check
from bigmap_kg.reason import java_available

FOLDERS = [p for p in import_catalog.folders_from_env() if p.is_dir()]
needs_catalog = pytest.mark.skipif(not FOLDERS, reason="BIGMAP_KG_IMPORTS has no ontology "
                                                       "folder (../shared absent)")
needs_java = pytest.mark.skipif(not java_available(), reason="no Java runtime for HermiT")


@needs_catalog
def test_closure_holds_chameo_and_the_battery_domain() -> None:
    merged, files = ontology_check.closure(FOLDERS)
    names = {f.name for f in files}
    assert {"chameo.ttl", "battery.ttl", "electrochemistry-reference.ttl",
            "chemical-substance.ttl"} <= names
    assert len(merged) > 50_000


def test_a_missing_import_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.ttl").write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "<https://example.org/a> a owl:Ontology ; owl:imports <https://example.org/b> .\n",
        encoding="utf-8")
    with pytest.raises(ontology_check.OntologyCheckError, match=re.escape("https://example.org/b")):
        ontology_check.closure([tmp_path], roots=("https://example.org/a",))


@pytest.mark.slow
@needs_catalog
@needs_java
def test_merged_ontology_is_consistent_and_satisfiable() -> None:
    """What `make check-ontology` checks, with our classes tested one by one rather than the
    whole closure classified (minutes on two shared cores; `make check-ontology` does that)."""
    result = ontology_check.check(FOLDERS, classify_all=False)
    print(result.as_text())  # the time it took, for the CI log
    assert result.consistent
    assert result.tested and result.tested > 60  # every bmo class
    assert result.unsatisfiable == []
    assert result.our_violations == []
    assert result.classes > 4000  # the merged closure, not only our ontology


@needs_catalog
def test_our_axioms_name_other_ontologies_classes_only_as_superclasses(ontology_graph) -> None:
    """The premise of testing only our classes: no axiom of ours constrains another
    ontology's class (no subject, equivalence or disjointness outside our namespace)."""
    from rdflib import URIRef
    from rdflib.namespace import OWL, RDF, RDFS

    ours = "https://w3id.org/bigmap-kg/"
    constraining = {RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith}
    assert [(s, p) for s, p, _ in ontology_graph if p in constraining and isinstance(s, URIRef)
            and not str(s).startswith(ours)] == []
    assert not [o for o in ontology_graph.objects(None, OWL.equivalentClass)
                if isinstance(o, URIRef) and not str(o).startswith(ours)]
    for members in ontology_graph.objects(None, OWL.members):
        assert all(str(m).startswith(ours) for m in ontology_graph.items(members))
    assert RDF.type  # (rdf:type declarations of other IRIs are allowed: they add no axiom)


@pytest.mark.slow
@needs_catalog
@needs_java
def test_the_check_fails_on_a_datatype_property_under_chameos_annotation_property() -> None:
    """The defect issue 14 names: bmo:recordId (a datatype property) declared a sub-property of
    dcterms:identifier, an annotation property in CHAMEO, is not OWL 2 DL once merged."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCTERMS, RDFS

    bad = Graph()
    bad.add((URIRef("https://w3id.org/bigmap-kg/ontology#recordId"), RDFS.subPropertyOf,
             DCTERMS.identifier))
    result = ontology_check.check(FOLDERS, extra=bad, classify_all=False)
    assert not result.ok
    assert any("recordId" in v for v in result.our_violations)
