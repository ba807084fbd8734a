"""The one registry of the media types the project reads and writes: SPARQL results, RDF
graphs and the dataset record formats, each with its short names (`format=`, file extension),
its pyoxigraph / rdflib format and its W3C format IRI. Every table the service needs is
derived from it."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Media:
    type: str
    #: short names: the first is the file extension the service and the ingest use
    names: tuple[str, ...]
    kind: str  # "results" (SPARQL results), "graph" (RDF), "record" (dataset record only)
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None = None
    rdflib: str | None = None
    #: the local name in http://www.w3.org/ns/formats/
    w3c: str | None = None


MEDIA = [
    Media("application/sparql-results+json", ("srj", "json"), "results",
          ox.QueryResultsFormat.JSON, w3c="SPARQL_Results_JSON"),
    Media("application/sparql-results+xml", ("srx", "xml"), "results", ox.QueryResultsFormat.XML,
          w3c="SPARQL_Results_XML"),
    Media("text/csv", ("csv",), "results", ox.QueryResultsFormat.CSV, w3c="SPARQL_Results_CSV"),
    Media("text/tab-separated-values", ("tsv",), "results", ox.QueryResultsFormat.TSV,
          w3c="SPARQL_Results_TSV"),
    Media("text/turtle", ("ttl", "turtle"), "graph", ox.RdfFormat.TURTLE, "turtle", "Turtle"),
    Media("application/n-triples", ("nt", "ntriples"), "graph", ox.RdfFormat.N_TRIPLES, "nt",
          "N-Triples"),
    Media("application/rdf+xml", ("rdf", "rdfxml"), "graph", ox.RdfFormat.RDF_XML, "xml",
          "RDF_XML"),
    Media("application/ld+json", ("jsonld", "json-ld"), "graph", ox.RdfFormat.JSON_LD,
          "json-ld", "JSON-LD"),
    Media("application/zip", ("zip",), "record"),
    Media("application/vnd.eln+zip", ("eln",), "record"),
    Media("application/json", ("json",), "record"),
    Media("application/xml", ("xml",), "record"),
    Media("text/xml", ("xml",), "record"),
]
BY_TYPE = {m.type: m for m in MEDIA}
RESULT_FORMATS = {m.type: m.oxigraph for m in MEDIA if m.kind == "results"}
GRAPH_FORMATS = {m.type: m.oxigraph for m in MEDIA if m.kind == "graph"}
#: `format=` names of the SPARQL endpoint (results and graphs)
FORMAT_ALIASES = {name: m.type for m in MEDIA if m.kind != "record" for name in m.names}
#: media types browsers and generic clients send, mapped to what the endpoint produces
SYNONYMS = {"application/json": "application/sparql-results+json",
            "application/xml": "application/sparql-results+xml",
            "text/xml": "application/sparql-results+xml",
            "text/plain": "application/n-triples",
            "application/x-turtle": "text/turtle"}


def extension(media_type: str) -> str:
    """The file extension of a media type (`ttl` for text/turtle)."""
    return BY_TYPE[media_type].names[0]

