"""The one place where namespaces and named graphs of bigmap-kg are defined."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

BASE = "https://w3id.org/bigmap-kg/"

ONTOLOGY = BASE + "ontology"  # the ontology's IRI; its terms are hash IRIs in it
BMO = Namespace(ONTOLOGY + "#")
SRC = Namespace(BASE + "source/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
CHAMEO = Namespace("https://w3id.org/emmo/domain/characterisation-methodology/chameo#")
PANET = Namespace("http://purl.org/pan-science/PaNET/")

#: Resource kinds: prefix -> IRI path segment (also the API's collection names).
KINDS: dict[str, str] = {
    "tech": "technique",
    "entry": "matrix-entry",
    "cluster": "cluster",
    "obs": "observable",
    "partner": "partner",
    "person": "person",
    "fac": "facility",
    "inst": "instrument",
    "cell": "cell",
    "sheet": "cell-sheet",
    "ref": "reference",
    "exp": "experiment",
    "theme": "theme",
    "mat": "material",
    "period": "period",
    "nuclide": "nuclide",
    "element": "element",
    "rel": "relation",
    "dataset": "dataset",
    "run": "run",
    "sample": "sample",
    "dist": "distribution",
    "record": "record",
    "agent": "agent",
}

PREFIXES: dict[str, str] = {
    "bmo": str(BMO),
    "src": str(SRC),
    **{prefix: f"{BASE}{segment}/" for prefix, segment in KINDS.items()},
    "unit": str(UNIT),
    "chameo": str(CHAMEO),
    "panet": str(PANET),
    "emmo": "https://w3id.org/emmo#",
    "battery": "https://w3id.org/emmo/domain/battery#",
    "echem": "https://w3id.org/emmo/domain/electrochemistry#",
    "chemsub": "https://w3id.org/emmo/domain/chemical-substance#",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "sh": str(SH),
    "dcat": "http://www.w3.org/ns/dcat#",
    "schema": "https://schema.org/",
    "spdx": "http://spdx.org/rdf/terms#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}

#: Named graphs of the store.
GRAPH_ONTOLOGY = BASE + "graph/ontology"
GRAPH_DATA = BASE + "graph/data"
GRAPH_INFERRED = BASE + "graph/inferred"
GRAPH_DATASETS = BASE + "graph/datasets"  # ingested records; carried over by every build
ASSERTED_GRAPHS = (GRAPH_ONTOLOGY, GRAPH_DATA, GRAPH_DATASETS)
ALL_GRAPHS = (*ASSERTED_GRAPHS, GRAPH_INFERRED)


def sparql_prologue() -> str:
    """PREFIX declarations for every namespace above, for queries and rules."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def curie(iri: str) -> str:
    """Shorten an IRI with the project prefixes (longest namespace wins)."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def to_iri(name: str, default_prefix: str | None = None) -> str | None:
    """The one reader of names: an http(s) IRI as it is, a CURIE with a project prefix
    (`tech:xrd`) expanded, a bare id (`xrd`) under `default_prefix`; None for anything else."""
    if name.startswith(("http://", "https://")):
        return name
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return PREFIXES[default_prefix] + name if default_prefix else None


def iri_of(name: str) -> str:
    """The IRI of a CURIE with a project prefix (`bmo:Technique`); ValueError otherwise."""
    iri = to_iri(name)
    if iri is None or iri == name:
        raise ValueError(f"{name!r} is not a CURIE with a project prefix")
    return iri
