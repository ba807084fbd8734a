"""SPARQL 1.1 Service Description of the endpoint."""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, XSD

from ...media import BY_TYPE, GRAPH_FORMATS, RESULT_FORMATS
from ...namespaces import ALL_GRAPHS

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")


def service_description(endpoint: str, timeout: float, max_bytes: int) -> Graph:
    graph = Graph()
    graph.bind("sd", SD)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    graph.add((service, SD.feature, SD.BasicFederatedQuery))  # parsed, refused by default
    for media in (*RESULT_FORMATS, *GRAPH_FORMATS):
        graph.add((service, SD.resultFormat, FORMATS[BY_TYPE[media].w3c]))
    dataset = BNode()
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    for name in ALL_GRAPHS:
        named = BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, SD.name, URIRef(name)))
    graph.add((service, URIRef("https://w3id.org/bigmap-kg/ontology#queryTimeoutSeconds"),
               Literal(timeout, datatype=XSD.decimal)))
    graph.add((service, URIRef("https://w3id.org/bigmap-kg/ontology#maxResultBytes"),
               Literal(max_bytes, datatype=XSD.integer)))
    return graph
