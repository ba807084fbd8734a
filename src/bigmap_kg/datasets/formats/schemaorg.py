"""schema.org Dataset JSON-LD (the Battery Data Format registry, catalogue exports).

Every `schema:Dataset` with a `distribution` (nested `hasPart` included) → a dataset with its
downloads (level from `additionalType` raw / processed / analysed, else raw with a note);
`measurementTechnique` → the run's technique as recorded (BDF names cycling
protocols such as "C30", which are not D5.1 techniques and are reported); `about` → the cell the
data is about (an outside IRI, linked, not described); creators with `sameAs` ORCID → agents
(one per ORCID, whatever the number of datasets they created), in the record's order, with their
affiliations (a D5.1 partner when one is named). Publisher, description, keywords, dates
(published, created, modified), funding, version, language and identifiers (a DOI → bmo:doi,
others as alternate identifiers) are kept for export (common.Faithful).
"""

from __future__ import annotations

import hashlib
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from ..contexts import parse_jsonld
from ..records import Record
from ..resolve import Vocabulary
from . import Format, FormatError
from .common import LEVELS, SCHEMA, Builder, Faithful, default_level, doi_of, iri_or_none


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


def _local(key: str) -> str:
    return key.rsplit("/", 1)[-1].rsplit(":", 1)[-1]


def _creator_orders(value: Any, found: dict[str, list[str]] | None = None) -> dict[str, list[str]]:
    """@id of each object of the JSON → its creators in the record's order, each as its
    sameAs (an ORCID) or name: the order RDF does not keep."""
    found = {} if found is None else found
    if isinstance(value, dict):
        fields = {_local(k): v for k, v in value.items()}
        creators = fields.get("creator")
        if "@id" in value and creators is not None:
            found[str(value["@id"])] = [
                str(c.get("schema:sameAs") or c.get("sameAs") or c.get("schema:name")
                    or c.get("name") or c.get("@id")) if isinstance(c, dict) else str(c)
                for c in (creators if isinstance(creators, list) else [creators])]
        for inner in value.values():
            _creator_orders(inner, found)
    elif isinstance(value, list):
        for inner in value:
            _creator_orders(inner, found)
    return found


def _rank(order: list[str], orcid: str | None, name: str | None) -> int:
    """A creator's place in the record's list (by ORCID, else name); unknown ones last."""
    for key in (orcid, name):
        if key in order:
            return order.index(key)
    return len(order)


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
    orders = _creator_orders(document)
    for index, node in enumerate(found):
        key = str(node) if isinstance(node, URIRef) else f"dataset-{index}"
        stated = (_text(parsed, node, SCHEMA.additionalType) or "").lower()
        identifiers = [str(i) for i in parsed.objects(node, SCHEMA.identifier)
                       if not isinstance(i, URIRef) or iri_or_none(str(i))]
        doi = next((doi_of(i) for i in identifiers if doi_of(i)), None)
        dataset = build.dataset(build.mint("dataset", key), _text(parsed, node, SCHEMA.name),
                                stated if stated in LEVELS else default_level(record, False),
                                doi)
        if isinstance(node, URIRef):
            g.add((dataset, SCHEMA.sameAs, node))
        keep = Faithful(build, dataset)
        keep.description(_text(parsed, node, SCHEMA.description))
        for identifier in identifiers:
            if doi_of(identifier) is None:
                keep.alternate(identifier, "URL" if iri_or_none(identifier) else "Local")
        for publisher in parsed.objects(node, SCHEMA.publisher):
            keep.publisher(_text(parsed, publisher, SCHEMA.name) or str(publisher))
        for word in parsed.objects(node, SCHEMA.keywords):
            for part in str(word).split(","):
                keep.keyword(part)
        for grant in parsed.objects(node, SCHEMA.funding):
            funder = parsed.value(grant, SCHEMA.funder)
            keep.funding(_text(parsed, funder, SCHEMA.name) if funder is not None else None,
                         _text(parsed, funder, SCHEMA.identifier) if funder is not None
                         else None, _text(parsed, grant, SCHEMA.identifier),
                         _text(parsed, grant, SCHEMA.name), _text(parsed, grant, SCHEMA.url))
        keep.version(_text(parsed, node, SCHEMA.version))
        keep.language(_text(parsed, node, SCHEMA.inLanguage))
        build.license(dataset, _text(parsed, node, SCHEMA.license))
        for about in parsed.objects(node, SCHEMA.about):
            if isinstance(about, URIRef):
                g.add((dataset, SCHEMA.about, about))
        people = []
        for person in parsed.objects(node, SCHEMA.creator):
            orcid = next((str(s) for s in parsed.objects(person, SCHEMA.sameAs)
                          if "orcid.org" in str(s)), None)
            people.append((person, orcid, _text(parsed, person, SCHEMA.name)))
        order = orders.get(str(node), [])
        people.sort(key=lambda p: (_rank(order, p[1], p[2]), str(p[2])))
        creators = []
        for number, (person, orcid, name) in enumerate(people):
            agent = build.agent(orcid or f"{key}-creator-{number}", name, orcid,
                                (person, RDF.type, SCHEMA.Organization) in parsed)
            build.creator(dataset, agent)
            keep.attribution(agent, "Creator", number + 1)
            for place in parsed.objects(person, SCHEMA.affiliation):
                ror = str(place) if "ror.org/" in str(place) else _text(parsed, place,
                                                                         SCHEMA.identifier)
                creators.append((agent, _text(parsed, place, SCHEMA.name), ror))
                keep.affiliation(agent, creators[-1][1], ror)
        for number, download in enumerate(parsed.objects(node, SCHEMA.distribution)):
            build.distribution(dataset, f"{key}-{number}",
                               download=_text(parsed, download, SCHEMA.contentUrl),
                               access=_text(parsed, node, SCHEMA.url),
                               media=_text(parsed, download, SCHEMA.encodingFormat),
                               size=_text(parsed, download, SCHEMA.contentSize),
                               title=_text(parsed, download, SCHEMA.name))
        techniques = sorted(str(t) for t in parsed.objects(node, SCHEMA.measurementTechnique))
        run = build.run(build.mint("run", key), dataset, techniques)
        for agent, name, ror in creators:
            build.affiliation(agent, run, name, ror)
        for predicate, kind in ((SCHEMA.datePublished, "issued"),
                                (SCHEMA.dateCreated, "created"),
                                (SCHEMA.dateModified, "updated")):
            for value in parsed.objects(node, predicate):
                keep.date(run, str(value), kind)
    return [record]


FORMAT = Format("SchemaOrgDataset", detect, read)
