"""JSON-LD for the views: a context generated from the ontology, and framed entity documents."""

from __future__ import annotations

import pyoxigraph as ox
from pyld import jsonld
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, XSD

from ...namespaces import BMO, PREFIXES

#: terms outside our ontology that the views use
EXTRA_TERMS = {
    "label": {"@id": "rdfs:label"},
    "prefLabel": {"@id": "skos:prefLabel"},
    "altLabel": {"@id": "skos:altLabel"},
    "definition": {"@id": "skos:definition"},
    "comment": {"@id": "rdfs:comment"},
    "broader": {"@id": "skos:broader", "@type": "@id"},
    "inScheme": {"@id": "skos:inScheme", "@type": "@id"},
    "exactMatch": {"@id": "skos:exactMatch", "@type": "@id"},
    "closeMatch": {"@id": "skos:closeMatch", "@type": "@id"},
    "broadMatch": {"@id": "skos:broadMatch", "@type": "@id"},
    "relatedMatch": {"@id": "skos:relatedMatch", "@type": "@id"},
    "wasDerivedFrom": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
    "bibliographicCitation": {"@id": "dcterms:bibliographicCitation"},
    "title": {"@id": "dcterms:title"},
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "member": {"@id": "hydra:member", "@container": "@set"},
    "totalItems": {"@id": "hydra:totalItems"},
    "view": {"@id": "hydra:view"},
    "next": {"@id": "hydra:next", "@type": "@id"},
    "previous": {"@id": "hydra:previous", "@type": "@id"},
}


def build_context(ontology: Graph) -> dict:
    """One term per bmo property (its local name), typed as the ontology declares it."""
    context: dict = {prefix: iri for prefix, iri in PREFIXES.items()
                     if prefix not in {"sh"}}
    context.update({"id": "@id", "type": "@type"})
    for prop in sorted(set(ontology.subjects(RDF.type, OWL.ObjectProperty))
                       | set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
                       | set(ontology.subjects(RDF.type, OWL.AnnotationProperty))):
        if not str(prop).startswith(str(BMO)):
            continue
        term = str(prop)[len(str(BMO)):]
        definition: dict = {"@id": f"bmo:{term}"}
        if (prop, RDF.type, OWL.ObjectProperty) in ontology:
            definition["@type"] = "@id"
        else:
            rng = ontology.value(prop, RDFS.range)
            if rng is not None and rng != XSD.string:
                definition["@type"] = f"xsd:{str(rng).rsplit('#', 1)[-1]}"
        context[term] = definition
    context.update(EXTRA_TERMS)
    return {"@context": context}


def to_nquads(triples) -> str:
    return ox.serialize(list(triples), format=ox.RdfFormat.N_TRIPLES).decode()


def frame_entity(iri: str, triples, context: dict) -> dict:
    """The entity as a framed JSON-LD object: linked nodes embedded once, IRIs elsewhere."""
    expanded = jsonld.from_rdf(to_nquads(triples), {"format": "application/n-quads",
                                                    "useNativeTypes": False})
    frame = {"@context": context["@context"], "@id": iri, "@embed": "@once"}
    framed = jsonld.frame(expanded, frame, {"omitGraph": True, "processingMode": "json-ld-1.1"})
    return framed
