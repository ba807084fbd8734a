"""DataCite metadata (kernel 4.x), as REST JSON or XML.

A record of `resourceTypeGeneral` Dataset → one dataset (IRI from the DOI); PaNET subjects
(`subjectScheme` PaNET with a `valueUri`) and keywords that name one technique → the run's
technique; `relatedIdentifiers` IsCollectedBy → instrument, IsDerivedFrom → prov:wasDerivedFrom;
`dates` Collected → the run's time; `rightsList` → licence; creators → agents (ORCID);
`alternateIdentifiers` and the free-text `resourceType` are kept as recorded.
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from typing import Any

from rdflib import Literal
from rdflib.namespace import DCTERMS, PROV, XSD

from ...namespaces import PANET
from ..records import Record
from ..resolve import Vocabulary
from . import Format, FormatError
from .common import SCHEMA, Builder, Faithful, default_level, doi_of, iri_or_none, require_doi


def detect(document: Any) -> bool:
    inner = document.get("data", {}).get("attributes", document) if isinstance(
        document, dict) else None
    return isinstance(inner, dict) and "doi" in inner and ("types" in inner or "titles" in inner)


def _text(value: Any) -> str | None:
    return value.get("name") if isinstance(value, dict) else value


def read(document: dict, source: str, vocabulary: Vocabulary) -> list[Record]:
    meta = document.get("data", {}).get("attributes", document)
    doi = require_doi(source, meta.get("doi"))
    if not doi:
        raise FormatError(source, "a DataCite record needs its DOI ('doi')")
    general = (meta.get("types") or {}).get("resourceTypeGeneral", "Dataset")
    if general != "Dataset":
        raise FormatError(source, f"DataCite record {doi} describes {general!r} "
                                  "(resourceTypeGeneral), not a Dataset; instruments come from "
                                  "D5.1 and are linked by a dataset's IsCollectedBy")
    record = Record("DataCiteRecord", doi, source)
    build, g = Builder(record, vocabulary), record.graph
    title = next((t.get("title") for t in meta.get("titles") or [] if t.get("title")), None)
    derived = any(r.get("relationType") == "IsDerivedFrom" for r in meta.get(
        "relatedIdentifiers") or [])
    dataset = build.dataset(build.dataset_iri(doi), title, default_level(record, derived), doi)
    if meta.get("publicationYear"):
        g.add((dataset, DCTERMS.issued, Literal(str(meta["publicationYear"]),
                                                datatype=XSD.gYear)))
    keep = Faithful(build, dataset)
    keep.resource_type((meta.get("types") or {}).get("resourceType"))
    for alternate in meta.get("alternateIdentifiers") or []:
        keep.alternate(alternate.get("alternateIdentifier"),
                       alternate.get("alternateIdentifierType"))
    publisher = meta.get("publisher")
    keep.publisher(_text(publisher))
    for description in meta.get("descriptions") or []:
        keep.description(description.get("description"), description.get("descriptionType"))
    for funding in meta.get("fundingReferences") or []:
        keep.funding(funding.get("funderName"), funding.get("funderIdentifier"),
                     funding.get("awardNumber"), funding.get("awardTitle"),
                     funding.get("awardUri") or funding.get("awardURI"))
    keep.version(meta.get("version"))
    keep.language(meta.get("language"))
    affiliations: list = []  # (agent, name or {name, affiliationIdentifier}): after the run
    for role, people in (("Creator", meta.get("creators") or []),
                         (None, meta.get("contributors") or [])):
        for index, creator in enumerate(people):
            orcid = next((n.get("nameIdentifier") for n in creator.get("nameIdentifiers") or []
                          if (n.get("nameIdentifierScheme") or "").upper() == "ORCID"), None)
            kind = role or creator.get("contributorType") or "Other"
            agent = build.agent(f"{'creator' if role else 'contributor'}-{index}",
                                _text(creator.get("name")), orcid,
                                creator.get("nameType") == "Organizational" or (
                                    not role and kind in ("HostingInstitution",
                                                          "ResearchGroup", "Sponsor")))
            for other in creator.get("nameIdentifiers") or []:  # a ROR, a Wikidata id …
                scheme = (other.get("nameIdentifierScheme") or "").upper()
                if scheme != "ORCID" and iri_or_none(other.get("nameIdentifier")):
                    g.add((agent, SCHEMA.sameAs, iri_or_none(other["nameIdentifier"])))
            if role:
                build.creator(dataset, agent)
            keep.attribution(agent, kind, index + 1)
            for affiliation in creator.get("affiliation") or []:
                if isinstance(affiliation, dict):
                    keep.affiliation(agent, affiliation.get("name"),
                                     affiliation.get("affiliationIdentifier"))
                else:
                    keep.affiliation(agent, affiliation, None)
                if role:
                    affiliations.append((agent, affiliation))
    for right in meta.get("rightsList") or []:
        build.license(dataset, right.get("rightsUri") or right.get("rightsIdentifier"))
    build.distribution(dataset, "landing", access=meta.get("url") or f"https://doi.org/{doi}",
                       media=next(iter(meta.get("formats") or []), None))
    techniques, words = [], []
    for subject in meta.get("subjects") or []:
        uri = subject.get("valueUri") or subject.get("valueURI") or ""
        if uri or subject.get("subjectScheme"):
            keep.subject(subject.get("subject"), uri, subject.get("subjectScheme"),
                         subject.get("schemeUri") or subject.get("schemeURI"))
        else:
            keep.keyword(subject.get("subject"))
        if (subject.get("subjectScheme") or "").lower() == "panet" or uri.startswith(str(PANET)):
            techniques.append(uri)
        elif subject.get("subject") and vocabulary.resolve("technique", subject["subject"]).node:
            techniques.append(subject["subject"])
        elif subject.get("subject"):
            words.append(str(subject["subject"]))
    run = build.run(build.mint("run", "collection"), dataset, techniques)
    build.keywords(run, words)
    for agent, affiliation in affiliations:
        name = affiliation.get("name") if isinstance(affiliation, dict) else affiliation
        ror = affiliation.get("affiliationIdentifier") if isinstance(affiliation, dict) else None
        build.affiliation(agent, run, name, ror)
    for date in meta.get("dates") or []:
        keep.date(run, str(date.get("date") or ""), date.get("dateType"))
    for related in meta.get("relatedIdentifiers") or []:
        relation, target = related.get("relationType"), related.get("relatedIdentifier")
        keep.relation(target, relation, related.get("relatedIdentifierType"),
                      related.get("resourceTypeGeneral"))
        if relation == "IsCollectedBy":
            build.instrument(run, target)
        elif relation == "IsDerivedFrom" and doi_of(target):
            g.add((dataset, PROV.wasDerivedFrom, build.dataset_iri(doi_of(target))))
    for contributor in meta.get("contributors") or []:
        if contributor.get("contributorType") == "HostingInstitution":
            build.link(run, PROV.atLocation, "facility", _text(contributor.get("name")))
    return [record]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [c for c in element if _local(c.tag) == name]


def xml_to_json(root: ElementTree.Element) -> dict:
    """The DataCite XML kernel as the REST JSON shape (the fields this reader uses)."""
    def first(name: str) -> ElementTree.Element | None:
        return next(iter(_children(root, name)), None)

    def items(group: str, item: str) -> list[ElementTree.Element]:
        found = first(group)
        return _children(found, item) if found is not None else []

    identifier = first("identifier")
    resource = first("resourceType")

    def agent(element: ElementTree.Element, tag: str) -> dict:
        name = next(iter(_children(element, tag)), None)
        return {"name": name.text if name is not None else None,
                "nameType": name.get("nameType") if name is not None else None,
                "nameIdentifiers": [{"nameIdentifier": n.text,
                                     "nameIdentifierScheme": n.get("nameIdentifierScheme")}
                                    for n in _children(element, "nameIdentifier")],
                "affiliation": [{"name": a.text, "affiliationIdentifier":
                                 a.get("affiliationIdentifier")}
                                for a in _children(element, "affiliation")]}

    def text(name: str) -> str | None:
        found = first(name)
        return found.text if found is not None else None

    return {
        "publisher": text("publisher"),
        "version": text("version"),
        "language": text("language"),
        "descriptions": [{"description": d.text, "descriptionType": d.get("descriptionType")}
                         for d in items("descriptions", "description")],
        "fundingReferences": [
            {"funderName": next((n.text for n in _children(f, "funderName")), None),
             "funderIdentifier": next((n.text for n in _children(f, "funderIdentifier")), None),
             "awardNumber": next((n.text for n in _children(f, "awardNumber")), None),
             "awardUri": next((n.get("awardURI") for n in _children(f, "awardNumber")), None),
             "awardTitle": next((n.text for n in _children(f, "awardTitle")), None)}
            for f in items("fundingReferences", "fundingReference")],
        "doi": identifier.text if identifier is not None else None,
        "types": {"resourceTypeGeneral": resource.get("resourceTypeGeneral")
                  if resource is not None else "Dataset",
                  "resourceType": resource.text if resource is not None else None},
        "alternateIdentifiers": [
            {"alternateIdentifier": a.text, "alternateIdentifierType":
             a.get("alternateIdentifierType")}
            for a in items("alternateIdentifiers", "alternateIdentifier")],
        "titles": [{"title": t.text} for t in items("titles", "title")],
        "creators": [agent(c, "creatorName") for c in items("creators", "creator")],
        "publicationYear": (first("publicationYear").text
                            if first("publicationYear") is not None else None),
        "subjects": [{"subject": s.text, "subjectScheme": s.get("subjectScheme"),
                      "valueUri": s.get("valueURI"), "schemeUri": s.get("schemeURI")}
                     for s in items("subjects", "subject")],
        "dates": [{"date": d.text, "dateType": d.get("dateType")} for d in items("dates", "date")],
        "relatedIdentifiers": [{"relatedIdentifier": r.text, "relationType": r.get("relationType"),
                                "relatedIdentifierType": r.get("relatedIdentifierType"),
                                "resourceTypeGeneral": r.get("resourceTypeGeneral")}
                               for r in items("relatedIdentifiers", "relatedIdentifier")],
        "contributors": [{**agent(c, "contributorName"),
                          "contributorType": c.get("contributorType")}
                         for c in items("contributors", "contributor")],
        "rightsList": [{"rightsUri": r.get("rightsURI"), "rightsIdentifier":
                        r.get("rightsIdentifier"), "rights": r.text}
                       for r in items("rightsList", "rights")],
        "formats": [f.text for f in items("formats", "format")],
    }


def read_xml(data: bytes, source: str, vocabulary: Vocabulary) -> list[Record]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise FormatError(source, f"not well-formed XML: {error}") from None
    if _local(root.tag) != "resource":
        raise FormatError(source, f"XML of no known format (root <{_local(root.tag)}>, expected "
                                  "a DataCite <resource>)")
    return read(xml_to_json(root), source, vocabulary)


FORMAT = Format("DataCiteRecord", detect, read)
