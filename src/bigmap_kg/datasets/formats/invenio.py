"""InvenioRDM / Zenodo record JSON (the BIG-MAP Archive runs InvenioRDM).

One record → one dataset (IRI from the DOI when there is one, else from the record id), its
files → distributions (access URL: the record's page, see `_landing`), creators → agents,
`rights` → licence, `related_identifiers` (isderivedfrom → prov:wasDerivedFrom, iscollectedby
→ instrument). The archive has no technique, instrument, cell or material fields: they come
from `custom_fields` (`bigmap:technique`,
`bigmap:instrument`, `bigmap:partner`, `bigmap:experiment`, `bigmap:material`,
`bigmap:cell`, `bigmap:configuration`, `bigmap:level`, `bigmap:operando`), InvenioRDM's
route for domain fields, and, for the technique, from the subjects (keywords) that name one.
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlparse

from rdflib import Literal
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from ...namespaces import BMO, CHAMEO
from ..records import Record
from ..resolve import Vocabulary
from . import Format, FormatError
from .common import (
    CONTRIBUTOR_TYPES,
    SCHEMA,
    Builder,
    Faithful,
    default_level,
    doi_of,
    require_doi,
)


def detect(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("metadata"), dict) and \
        any(k in document for k in ("files", "access", "pids", "parent"))


def _field(custom: dict, name: str) -> list[str]:
    value = custom.get(f"bigmap:{name}")
    return [str(v) for v in value] if isinstance(value, list) else [str(value)] if value else []


def _host(links: dict) -> str:
    """The repository's host name, from the record's links or BIGMAP_KG_INVENIO_BASE: records
    of two repositories may have the same id."""
    for url in (links.get("self_html"), links.get("html"), links.get("self"),
                os.environ.get("BIGMAP_KG_INVENIO_BASE")):
        if url:
            return urlparse(str(url)).netloc
    return ""


def _landing(record: Record, links: dict, doi: str | None, record_id: str) -> str | None:
    """The record's page: `links.self_html`, or the page of the API URL `links.self`, or the
    page under `BIGMAP_KG_INVENIO_BASE` (the repository the records were taken from), or the
    DOI. On the BIG-MAP Archive this is https://archive.big-map.eu/records/{id}."""
    if links.get("self_html") or links.get("html"):  # html: Zenodo's legacy API
        return links.get("self_html") or links["html"]
    if "/api/records/" in str(links.get("self", "")):
        return str(links["self"]).replace("/api/records/", "/records/", 1)
    base = os.environ.get("BIGMAP_KG_INVENIO_BASE", "").rstrip("/")
    if base:
        record.notes.append(f"the record has no links; its page is taken to be under "
                            f"{base} (BIGMAP_KG_INVENIO_BASE)")
        return f"{base}/records/{record_id}"
    if doi:
        return f"https://doi.org/{doi}"
    record.notes.append("the record has no links, no DOI, and BIGMAP_KG_INVENIO_BASE is not "
                        "set: its files have no access URL")
    return None


def _ror(identifier: object) -> str | None:
    """An InvenioRDM affiliation id (a bare ROR id in its vocabulary) as the ROR IRI."""
    if not identifier:
        return None
    text = str(identifier)
    return text if "://" in text else f"https://ror.org/{text}"


def read(document: dict, source: str, vocabulary: Vocabulary) -> list[Record]:
    meta, custom = document["metadata"], document.get("custom_fields") or {}
    record_id = str(document.get("id") or "")
    if not record_id:
        raise FormatError(source, "an InvenioRDM deposit payload without a record 'id': stable "
                                  "IRIs need the id the repository gave the record; ingest the "
                                  "published record (GET /api/records/{id}) instead")
    kind = (meta.get("resource_type") or {}).get("id") or \
        (meta.get("resource_type") or {}).get("type", "dataset")  # type: the legacy API
    if not str(kind).startswith("dataset"):
        raise FormatError(source, f"record {record_id} is a {kind!r}, not a dataset")
    links = document.get("links") or {}
    host = _host(links)  # the id is the repository's: "archive.big-map.eu:t3x09-r0101"
    record = Record("InvenioRDMRecord", f"{host}:{record_id}" if host else record_id, source)
    build = Builder(record, vocabulary)
    doi = require_doi(source, ((document.get("pids") or {}).get("doi") or {}).get(
        "identifier") or document.get("doi") or meta.get("doi"))
    derived = any((r.get("relation_type") or {}).get("id", "").lower() == "isderivedfrom"
                  for r in meta.get("related_identifiers") or [])
    levels = _field(custom, "level") or [default_level(record, derived)]
    dataset = build.dataset(build.dataset_iri(doi, "record"), meta.get("title"),
                            levels[0].lower(), doi)
    g = record.graph
    keep = Faithful(build, dataset)
    keep.publisher(meta.get("publisher"))
    keep.description(meta.get("description"), "abstract")
    for extra in meta.get("additional_descriptions") or []:
        keep.description(extra.get("description"), (extra.get("type") or {}).get("id"))
    if meta.get("publication_date"):
        g.add((dataset, DCTERMS.issued, Literal(meta["publication_date"], datatype=XSD.date)))
    for funding in meta.get("funding") or []:
        funder, award = funding.get("funder") or {}, funding.get("award") or {}
        title = award.get("title")
        keep.funding(funder.get("name"), funder.get("id"), award.get("number"),
                     next(iter(title.values()), None) if isinstance(title, dict) else title,
                     next((i.get("identifier") for i in award.get("identifiers") or []
                           if i.get("scheme") == "url"), None))
    for grant in meta.get("grants") or []:  # the legacy API: "10.13039/501100000780::957189"
        funder_id, _, number = str(grant.get("id") or "").rpartition("::")
        keep.funding(None, funder_id or None, number or None)
    keep.version(meta.get("version"))
    for alternate in meta.get("identifiers") or []:  # InvenioRDM's alternate identifiers
        if isinstance(alternate, dict):
            keep.alternate(alternate.get("identifier"), str(alternate.get("scheme") or "")
                           .upper() or None)
    for language in meta.get("languages") or []:
        keep.language(language.get("id") if isinstance(language, dict) else language)
    if isinstance(meta.get("language"), str):  # the legacy API
        keep.language(meta["language"])
    g.add((dataset, DCTERMS.identifier, Literal(record_id)))
    landing = _landing(record, links, doi, record_id)
    affiliations: list = []  # (agent, [{id, name}]): resolved once the run exists
    for index, creator in enumerate(meta.get("creators") or []):
        who = creator.get("person_or_org") or creator  # flat {name, orcid}: the legacy API
        orcid = next((i["identifier"] for i in who.get("identifiers") or []
                      if i.get("scheme") == "orcid"), who.get("orcid"))
        name = who.get("name") or ", ".join(filter(None, (who.get("family_name"),
                                                          who.get("given_name"))))
        agent = build.agent(f"creator-{index}", name, orcid,
                            who.get("type") == "organizational")
        build.creator(dataset, agent)
        keep.attribution(agent, "Creator", index + 1)
        legacy = creator.get("affiliation")  # a string in the legacy API
        stated = creator.get("affiliations") or (
            [{"name": legacy}] if isinstance(legacy, str) else [])
        affiliations.append((agent, stated))
        for affiliation in (a for a in stated if isinstance(a, dict)):
            keep.affiliation(agent, affiliation.get("name"), _ror(affiliation.get("id")))
    for index, contributor in enumerate(meta.get("contributors") or []):
        who = contributor.get("person_or_org") or contributor
        orcid = next((i["identifier"] for i in who.get("identifiers") or []
                      if i.get("scheme") == "orcid"), who.get("orcid"))
        name = who.get("name") or ", ".join(filter(None, (who.get("family_name"),
                                                          who.get("given_name"))))
        role = (contributor.get("role") or {}).get("id") or contributor.get("type") or "other"
        agent = build.agent(f"contributor-{index}", name, orcid,
                            who.get("type") == "organizational")
        keep.attribution(agent, CONTRIBUTOR_TYPES.get(str(role).lower(), str(role)), index + 1)
        for affiliation in contributor.get("affiliations") or []:
            keep.affiliation(agent, affiliation.get("name"), _ror(affiliation.get("id")))
    for right in meta.get("rights") or ([meta["license"]] if isinstance(
            meta.get("license"), dict) else []):  # license {id}: the legacy API
        build.license(dataset, right.get("link") or (right.get("props") or {}).get("url")
                      or right.get("id"))
    files = document.get("files") or {}
    # InvenioRDM: {"entries": {key: entry}}; Zenodo's legacy /api/records: a list of files
    entries = files if isinstance(files, list) else files.get("entries") or {}
    for key, entry in (entries.items() if isinstance(entries, dict) else
                       ((e.get("key"), e) for e in entries)):
        algorithm, _, value = str(entry.get("checksum") or "").partition(":")
        download = (entry.get("links") or {}).get("self") or (
            links.get("files") and f"{links['files']}/{key}/content") or None
        build.distribution(
            dataset, str(key), access=landing, media=entry.get("mimetype"),
            size=entry.get("size"), download=download,
            checksum=(algorithm, value) if value else None, title=str(key))
    if not entries and landing:
        build.distribution(dataset, "record", access=landing)
    subjects = [str(s.get("subject") or s.get("id")) for s in meta.get("subjects") or []] + [
        str(k) for k in meta.get("keywords") or []]  # keywords: the legacy API
    for subject in meta.get("subjects") or []:
        if str(subject.get("id") or "").startswith(("http://", "https://")):
            keep.subject(subject.get("subject"), subject["id"], subject.get("scheme"))
        else:
            keep.keyword(subject.get("subject") or subject.get("id"))
    for word in meta.get("keywords") or []:
        keep.keyword(str(word))
    techniques = _field(custom, "technique") or [  # else keywords that name one technique
        s for s in subjects if vocabulary.resolve("technique", s).node]
    operando = _field(custom, "operando")
    run = build.run(build.mint("run", "record"), dataset, techniques,
                    operando[0].lower() == "true" if operando else None)
    build.keywords(run, [s for s in subjects if s not in techniques])
    for date in meta.get("dates") or []:
        keep.date(run, str(date.get("date") or ""), (date.get("type") or {}).get("id"))
    for agent, stated in affiliations:
        for affiliation in (a for a in stated if isinstance(a, dict)):
            build.affiliation(agent, run, affiliation.get("name"), _ror(affiliation.get("id")))
    for name, predicate, also in (
            ("instrument", CHAMEO.hasCharacterisationMeasurementInstrument, (PROV.used,)),
            ("partner", PROV.wasAssociatedWith, ()),
            ("experiment", BMO.partOfExperiment, ())):
        for value in _field(custom, name):
            build.link(run, predicate, name, value, also)
    samples = _field(custom, "sample") or (["sample"] if any(
        _field(custom, n) for n in ("material", "cell", "configuration")) else [])
    for sample_key in samples[:1]:
        sample = build.mint("sample", sample_key)
        g.add((sample, RDF.type, BMO.Sample))
        g.add((run, CHAMEO.hasMeasurementSample, sample))
        g.add((run, PROV.used, sample))
        g.add((dataset, SCHEMA.about, sample))
        for material in _field(custom, "material"):
            g.add((sample, BMO.materialAsRecorded, Literal(material)))
        for cell in _field(custom, "cell"):
            build.link(sample, BMO.cellDesign, "cell", cell)
        for configuration in _field(custom, "configuration"):
            g.add((sample, BMO.configuration,
                   BMO.HalfCell if "half" in configuration.lower() else BMO.FullCell))
    for related in meta.get("related_identifiers") or []:
        relation = (related.get("relation_type") or {}).get("id", "").lower()
        target = related.get("identifier")
        keep.relation(target, relation, related.get("scheme"),
                      (related.get("resource_type") or {}).get("id"))
        if relation == "isderivedfrom" and doi_of(target):
            g.add((dataset, PROV.wasDerivedFrom, build.dataset_iri(doi_of(target))))
        elif relation == "iscollectedby":
            build.instrument(run, target)
    return [record]


FORMAT = Format("InvenioRDMRecord", detect, read)
