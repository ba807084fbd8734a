"""OWL-level alignment: techniques are instances of their CHAMEO / PaNET classes, supertypes are
materialised, and the ontology states each external relation once."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from bigmap_kg import sources
from bigmap_kg.namespaces import PREFIXES

from .conftest import select

TECH = "https://w3id.org/bigmap-kg/technique/"
ROOT = Path(__file__).resolve().parents[1]


def test_xrd_is_an_x_ray_diffraction_in_chameo(store) -> None:
    """The issue's acceptance query. D5.1 rows 1, 3 and 4 of the diffraction table print 'XRD',
    'Laboratory XRD' and 'Synchrotron XRD': all three are X-ray diffraction."""
    rows = select(store, "SELECT ?t WHERE { ?t a chameo:XrayDiffraction }")
    found = {r["t"].removeprefix(TECH) for r in rows}
    assert {"xrd", "lab-xrd", "synchrotron-xrd"} <= found
    assert "neutron-diffraction" not in found  # neutrons, not X-rays
    assert not select(store, "SELECT ?t WHERE { ?t a chameo:XrayDiffraction }", inferred=False)


def test_techniques_carry_their_panet_class(store) -> None:
    rows = select(store, "SELECT ?t WHERE { ?t a panet:PaNET01216 }")  # x-ray diffraction
    assert {TECH + "xrd", TECH + "lab-xrd"} <= {r["t"] for r in rows}


def test_every_technique_is_a_chameo_characterisation_technique(store) -> None:
    techniques = {r["t"] for r in select(store, "SELECT ?t WHERE { ?t a bmo:Technique }")}
    chameo = {r["t"] for r in select(
        store, "SELECT ?t WHERE { ?t a chameo:CharacterisationTechnique }")}
    assert len(techniques) >= 62 and techniques <= chameo


def test_every_beamline_is_an_instrument(store) -> None:
    """48 beamlines (synchrotron and neutron stations of the matrix and the cell sheets)."""
    beamlines = {r["b"] for r in select(store, "SELECT ?b WHERE { ?b a bmo:Beamline }")}
    instruments = {r["i"] for r in select(store, "SELECT ?i WHERE { ?i a bmo:Instrument }")}
    assert len(beamlines) == 48 and beamlines <= instruments
    asserted = {r["i"] for r in select(store, "SELECT ?i WHERE { ?i a bmo:Instrument }",
                                       inferred=False)}
    assert not beamlines <= asserted  # the rule did it, not the data


def test_no_class_is_both_a_subclass_and_a_skos_match_of_the_same_class(ontology_graph) -> None:
    matches = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch,
               SKOS.relatedMatch)
    clashes = [(s, o) for s, o in ontology_graph.subject_objects(RDFS.subClassOf)
               for m in matches if (s, m, o) in ontology_graph]
    assert clashes == []


def test_no_datatype_property_under_an_annotation_property_of_another_ontology(
        ontology_graph) -> None:
    """bmo:recordId was a sub-property of dcterms:identifier, an annotation property in CHAMEO:
    a datatype property under it is not OWL 2 DL once the two are merged."""
    ours = PREFIXES["bmo"]
    assert [(s, o) for s, o in ontology_graph.subject_objects(RDFS.subPropertyOf)
            if str(s).startswith(ours) and not str(o).startswith(ours)
            and str(o).startswith("http://purl.org/dc/")] == []
    assert (URIRef(ours + "recordId"), RDF.type, URIRef(
        "http://www.w3.org/2002/07/owl#DatatypeProperty")) in ontology_graph


def test_every_term_has_a_definition(ontology_graph) -> None:
    """Every bmo: term typed in the ontology has a skos:definition (an rdfs:comment is not a
    definition); none is left out."""
    ours = PREFIXES["bmo"]
    terms = {s for s in ontology_graph.subjects(RDF.type, None)
             if isinstance(s, URIRef) and str(s).startswith(ours)}
    lacking = {str(t).removeprefix(ours) for t in terms
               if (t, SKOS.definition, None) not in ontology_graph}
    assert len(terms) > 200
    assert lacking == set(), sorted(lacking)


def test_deprecated_terms_say_so_in_their_label(ontology_graph) -> None:
    """The cluster-based reason kinds (different depth, length scale, dimensionality) are
    deprecated: a reader sees it in the label and in the definition, and a replacement is named;
    no rule or view assigns them."""
    deprecated = set(ontology_graph.subjects(OWL.deprecated, None))
    assert {str(t).removeprefix(PREFIXES["bmo"]) for t in deprecated} == {
        "DifferentDepth", "DifferentLengthScale", "DifferentDimensionality"}
    for term in deprecated:
        assert all(str(label).startswith("(deprecated) ")
                   for label in ontology_graph.objects(term, RDFS.label)), term
        assert str(ontology_graph.value(term, SKOS.definition)).startswith("Deprecated")
        assert (term, DCTERMS.isReplacedBy, None) in ontology_graph
        name = str(term).removeprefix(PREFIXES["bmo"])
        for folder in ("rules", "src/bigmap_kg/views", "queries"):
            for path in (ROOT / folder).rglob("*.rq"):
                assert name not in path.read_text(encoding="utf-8"), (name, path)


def test_no_annotation_on_another_ontologys_terms(ontology_graph) -> None:
    """Our files say nothing about another ontology's IRIs beyond declaring their type (OWL 2
    punning declarations): no label, altLabel or definition on a CHAMEO, EMMO, PaNET ... IRI
    (the level names 'raw' / 'processed' / 'analysed' were skos:altLabel on chameo:RawData,
    PrimaryData, SecondaryData)."""
    data = sources.read(sources.data_files()).graph
    foreign = [(s, p) for graph in (ontology_graph, data) for s, p, _ in graph
               if isinstance(s, URIRef) and not str(s).startswith("https://w3id.org/bigmap-kg/")
               and p not in (RDF.type, OWL.inverseOf)]
    assert foreign == []
