"""An inconsistent fact fails the build (HermiT); the external IRIs we use exist (and are not
deprecated) in the local copies of the aligned ontologies. That the D5.1 ontology, data and rule
results are consistent is shown by the session's own build (conftest: it must have run HermiT),
which fails on an inconsistent graph as the test below shows."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bigmap_kg import import_catalog, sources
from bigmap_kg.build import BuildError, build
from bigmap_kg.reason import java_available

needs_java = pytest.mark.skipif(not java_available(), reason="no Java runtime for HermiT")


@needs_java
def test_inconsistent_fact_fails_the_build(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("BIGMAP_KG_STORE", str(tmp_path / "store"))
    monkeypatch.delenv("BIGMAP_KG_IMPORTS", raising=False)
    contradiction = tmp_path / "contradiction.ttl"
    # a technique is not a person (disjoint classes): SHACL has nothing to say, HermiT has
    contradiction.write_text(
        "@prefix bmo: <https://w3id.org/bigmap-kg/ontology#> .\n"
        "<https://w3id.org/bigmap-kg/technique/xrd> a bmo:Person .\n", encoding="utf-8")
    with pytest.raises(BuildError, match="inconsistent"):
        build(data_files=[*sources.data_files(), contradiction], write=False)
    assert not (tmp_path / "store").exists()


IMPORT_FOLDERS = import_catalog.folders_from_env()
needs_catalog = pytest.mark.skipif(not IMPORT_FOLDERS or not all(p.exists() for p in
                                                                  IMPORT_FOLDERS),
                                   reason="BIGMAP_KG_IMPORTS not set (../shared absent)")


@pytest.fixture(scope="module")
def catalog():
    """The import catalog, loaded once for the module (reading it takes seconds)."""
    return import_catalog.load_catalog(IMPORT_FOLDERS)


@needs_catalog
def test_external_iris_exist_and_are_not_deprecated(ontology_graph, data_graph,
                                                    catalog) -> None:
    result = import_catalog.check(ontology_graph + data_graph, catalog)
    assert len(result.used) > 20
    assert result.missing == [] and result.deprecated == []


@needs_catalog
def test_import_check_catches_a_deprecated_and_an_invented_iri(ontology_graph, catalog) -> None:
    from rdflib import Graph, URIRef
    from rdflib.namespace import SKOS

    graph = Graph()
    graph += ontology_graph
    deprecated = URIRef("https://w3id.org/emmo/domain/electrochemistry#"
                        "electrochemistry_cab66388_3feb_4101_82bc_f4441f0b60e3")  # LNO electrode
    invented = URIRef("https://w3id.org/emmo/domain/characterisation-methodology/chameo#"
                      "NoSuchTechnique")
    graph.add((URIRef("https://w3id.org/bigmap-kg/material/lno"), SKOS.relatedMatch, deprecated))
    graph.add((URIRef("https://w3id.org/bigmap-kg/technique/xrd"), SKOS.closeMatch, invented))
    result = import_catalog.check(graph, catalog)
    assert result.deprecated == [str(deprecated)]
    assert result.missing == [str(invented)]


def test_imports_env_is_a_path_list() -> None:
    assert import_catalog.folders_from_env(f"/a{os.pathsep}/b") == [Path("/a"), Path("/b")]
    assert import_catalog.folders_from_env("") == []
