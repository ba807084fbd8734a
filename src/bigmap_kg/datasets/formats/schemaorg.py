"""schema.org Dataset JSON-LD (the Battery Data Format registry, catalogue exports).

Every `schema:Dataset` with a `distribution` (nested `hasPart` included) → a dataset with its
downloads; `measurementTechnique` → the run's technique as recorded (BDF names cycling
protocols such as "C30", which are not D5.1 techniques and are reported); `about` → the cell the
data is about (an outside IRI, linked, not described); creators with `sameAs` ORCID → agents.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF

from ..contexts import parse_jsonld
from ..records import Record
from ..resolve import Vocabulary
from . import Format, FormatError
from .common import SCHEMA, Builder, default_level


def _types(document: dict) -> set[str]:
    value = document.get("@type", [])
    return {str(t).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for t in
            (value if isinstance(value, list) else [value])}


def detect(document: Any) -> bool:
    return isinstance(document, dict) and "Dataset" in _types(document) and \
        "schema.org" in str(document.get("@context", ""))


def _text(graph: Graph, node, predicate) -> str | None:
    value = graph.value(node, predicate)
    return str(value) if value is not None else None


def read(document: dict, source: str, vocabulary: Vocabulary) -> list[Record]:
    notes: list[str] = []
    parsed = parse_jsonld(document, notes)
    found = sorted((d for d in parsed.subjects(RDF.type, SCHEMA.Dataset)
                    if parsed.value(d, SCHEMA.distribution) is not None), key=str)
    if not found:
        raise FormatError(source, "no schema:Dataset with a distribution (the data itself)")
    identity = str(document.get("@id") or document.get("schema:url") or document.get("url")
                   or hashlib.sha1("\n".join(map(str, found)).encode()).hexdigest()[:16])
    record = Record("SchemaOrgDataset", identity, source, notes=notes)
    build, g = Builder(record, vocabulary), record.graph
    for index, node in enumerate(found):
        key = str(node) if isinstance(node, URIRef) else f"dataset-{index}"
        dataset = build.dataset(build.mint("dataset", key), _text(parsed, node, SCHEMA.name),
                                default_level(record, False))
        if isinstance(node, URIRef):
            g.add((dataset, SCHEMA.sameAs, node))
        if _text(parsed, node, SCHEMA.description):
            g.add((dataset, DCTERMS.description, Literal(_text(parsed, node,
                                                                SCHEMA.description))))
        build.license(dataset, _text(parsed, node, SCHEMA.license))
        for about in parsed.objects(node, SCHEMA.about):
            if isinstance(about, URIRef):
                g.add((dataset, SCHEMA.about, about))
        for number, person in enumerate(parsed.objects(node, SCHEMA.creator)):
            orcid = next((str(s) for s in parsed.objects(person, SCHEMA.sameAs)
                          if "orcid.org" in str(s)), None)
            build.creator(dataset, build.agent(f"{key}-creator-{number}",
                                               _text(parsed, person, SCHEMA.name), orcid,
                                               (person, RDF.type, SCHEMA.Organization) in parsed))
        for number, download in enumerate(parsed.objects(node, SCHEMA.distribution)):
            build.distribution(dataset, f"{key}-{number}",
                               download=_text(parsed, download, SCHEMA.contentUrl),
                               access=_text(parsed, node, SCHEMA.url),
                               media=_text(parsed, download, SCHEMA.encodingFormat),
                               size=_text(parsed, download, SCHEMA.contentSize),
                               title=_text(parsed, download, SCHEMA.name))
        techniques = sorted(str(t) for t in parsed.objects(node, SCHEMA.measurementTechnique))
        build.run(build.mint("run", key), dataset, techniques)
    return [record]


FORMAT = Format("SchemaOrgDataset", detect, read)
