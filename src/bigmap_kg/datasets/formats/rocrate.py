"""RO-Crate 1.1 / 1.2 (`ro-crate-metadata.json`, or a zipped `.eln` from an ELN).

Every `Dataset` entity with files is a dataset (level from `additionalType` or a level keyword;
its `File` parts → distributions with size, format and sha256, reached through the dataset's
`url`, else the root's). A `CreateAction` whose `result` is the dataset is its run
(`instrument` → D5.1 instrument by name, `agent` → D5.1 partner by name or an agent,
`location` → facility, `object` → sample, or the datasets a processing run used; times);
otherwise a run is made for it. The technique comes from `measurementTechnique`, else from the
keywords that name one. `about` → the sample. Persons (`author`, `creator`; datalab's `authors`)
keep every name the crate gives them, so that a person with two names is reported.
What a repository would export back is kept (common.Faithful): authors in the crate's order with
their affiliations (a D5.1 partner when one is named), contributors, publisher, description,
keywords, dates (published, created, modified), funding (grants and funders), version, language,
identifiers (a DOI → bmo:doi; others as alternate identifiers); the root's publisher, authors,
licence, funding and publication date stand for a dataset that states none of its own.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import urljoin

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, XSD

from ...namespaces import BMO, CHAMEO
from ..contexts import parse_jsonld
from ..records import Record
from ..resolve import Vocabulary
from . import Format, FormatError
from .common import LEVELS, SCHEMA, Builder, Faithful, default_level, doi_of, iri_or_none

CRATE = "http://crate.invalid/"  # base for the crate's relative @ids while reading
#: Terms ELNs write that RO-Crate does not define (JSON-LD would drop them) → the schema.org term
ALIASES = {"authors": "author"}


def detect(document: Any) -> bool:
    graph = document.get("@graph") if isinstance(document, dict) else None
    return isinstance(graph, list) and any(
        isinstance(n, dict) and str(n.get("@id", "")).endswith("ro-crate-metadata.json")
        for n in graph)


def _one(graph: Graph, node, predicate) -> str | None:
    value = graph.value(node, predicate)
    return str(value) if value is not None else None


def _local_key(node) -> str:
    text = str(node)
    return text[len(CRATE):] if text.startswith(CRATE) else text


def _keywords(crate: Graph, node) -> list[str]:
    """Keywords, whether given as a list or as one comma-separated string."""
    return [k.strip() for value in crate.objects(node, SCHEMA.keywords)
            for k in str(value).split(",") if k.strip()]


def _with_aliases(document: dict, notes: list[str]) -> dict:
    """Define the ELN terms of ALIASES in the context (datalab writes `authors`), noting it."""
    used = {k for n in document.get("@graph", []) if isinstance(n, dict) for k in n}
    extra = {alias: f"http://schema.org/{term}" for alias, term in ALIASES.items()
             if alias in used}
    if not extra:
        return document
    for alias, term in extra.items():
        notes.append(f"the term {alias!r} is not an RO-Crate term; read as schema.org "
                     f"{term.rsplit('/', 1)[-1]!r}")
    context = document.get("@context", [])
    return {**document, "@context": [*(context if isinstance(context, list) else [context]),
                                     extra]}


def _orders(document: dict) -> dict[tuple[str, str], list[str]]:
    """(entity, property) → the @ids it lists, in the crate's order (RDF keeps no order)."""
    orders: dict[tuple[str, str], list[str]] = {}
    for node in document.get("@graph", []):
        if not isinstance(node, dict) or "@id" not in node:
            continue
        for key in ("author", "authors", "creator", "contributor"):
            value = node.get(key)
            listed = value if isinstance(value, list) else [value] if value else []
            ids = [urljoin(CRATE, v["@id"]) for v in listed if isinstance(v, dict) and "@id" in v]
            if ids:
                orders.setdefault((urljoin(CRATE, node["@id"]), ALIASES.get(key, key)), ids)
    return orders


def _sha256(document: dict) -> dict[str, str]:
    """sha256 of the files, from the JSON itself: RO-Crate 1.1's context lacks the term."""
    return {urljoin(CRATE, n["@id"]): n["sha256"] for n in document.get("@graph", [])
            if isinstance(n, dict) and "@id" in n and isinstance(n.get("sha256"), str)}


class _Crate:
    """One crate being mapped into one record."""

    def __init__(self, crate: Graph, record: Record, vocabulary: Vocabulary,
                 root: URIRef, checksums: dict[str, str],
                 orders: dict[tuple[str, str], list[str]]) -> None:
        self.crate, self.record, self.root, self.checksums = crate, record, root, checksums
        self.orders = orders
        self.build, self.g, self.vocabulary = Builder(record, vocabulary), record.graph, vocabulary
        self.results = {r: a for a in crate.subjects(RDF.type, SCHEMA.CreateAction)
                        for r in crate.objects(a, SCHEMA.result)}
        self.datasets = sorted((d for d in crate.subjects(RDF.type, SCHEMA.Dataset) if any(
            (p, RDF.type, SCHEMA.MediaObject) in crate for p in crate.objects(d, SCHEMA.hasPart))),
            key=str)

    def minted(self, kind: str, node) -> URIRef:
        return self.build.mint(kind, _local_key(node))

    def agent(self, node) -> URIRef:
        """A D5.1 partner when an organisation's name is one; else an agent of the record."""
        crate = self.crate
        names = [str(n) for n in crate.objects(node, SCHEMA.name)]
        organisation = (node, RDF.type, SCHEMA.Organization) in crate
        if organisation and names:
            partner = self.vocabulary.resolve("partner", names[0]).node
            if partner is not None:
                return partner
        made = self.build.agent(_local_key(node), names[0] if names else None,
                                str(node) if "orcid.org" in str(node) else None, organisation)
        for name in names[1:]:  # every name is kept: the shapes report a person with two
            self.g.add((made, SCHEMA.name, Literal(name)))
        return made

    def level(self, node) -> str:
        stated = [v.lower() for v in (_one(self.crate, node, SCHEMA.additionalType) or "",
                                      *_keywords(self.crate, node)) if v.lower() in LEVELS]
        return stated[0] if stated else default_level(
            self.record, (node, SCHEMA.isBasedOn, None) in self.crate)

    def own_or_root(self, node, predicate) -> list:
        """The dataset's values of a property, else the root's (the crate's as a whole)."""
        return list(self.crate.objects(node, predicate)) or \
            list(self.crate.objects(self.root, predicate))

    def name(self, node) -> str | None:
        """An entity's name, or the text itself when the crate gives a literal."""
        return _one(self.crate, node, SCHEMA.name) or (
            str(node) if isinstance(node, Literal) else None)

    def dataset(self, node) -> None:
        crate, g, build = self.crate, self.g, self.build
        identifiers = [str(i) for i in crate.objects(node, SCHEMA.identifier)]
        doi = next((doi_of(i) for i in identifiers if doi_of(i)), None)
        dataset = build.dataset(self.minted("dataset", node), _one(crate, node, SCHEMA.name),
                                self.level(node), doi)
        keep = Faithful(build, dataset)
        for text in crate.objects(node, SCHEMA.description):
            keep.description(str(text))
        for identifier in identifiers:
            if not doi or doi_of(identifier) != doi:
                keep.alternate(identifier, "URL" if iri_or_none(identifier) else "Local")
        for publisher in self.own_or_root(node, SCHEMA.publisher):
            keep.publisher(self.name(publisher))
        build.license(dataset, _one(crate, node, SCHEMA.license) or
                      _one(crate, self.root, SCHEMA.license))
        for grant in self.own_or_root(node, SCHEMA.funding):
            funder = crate.value(grant, SCHEMA.funder)
            keep.funding(self.name(funder) if funder is not None else None,
                         str(funder) if isinstance(funder, URIRef) and not str(
                             funder).startswith(CRATE) else None,
                         _one(crate, grant, SCHEMA.identifier), _one(crate, grant, SCHEMA.name),
                         _one(crate, grant, SCHEMA.url))
        for word in _keywords(crate, node):
            keep.keyword(word)
        keep.version(_one(crate, node, SCHEMA.version))
        keep.language(_one(crate, node, SCHEMA.inLanguage))
        for source in crate.objects(node, SCHEMA.isBasedOn):
            if source in self.datasets:
                g.add((dataset, PROV.wasDerivedFrom, self.minted("dataset", source)))
        self.files(dataset, node)
        run = self.run(dataset, node)
        self.people(dataset, node, run, keep)
        published = self.own_or_root(node, SCHEMA.datePublished)
        for value, kind in ((published[0] if published else None, "issued"),
                            (crate.value(node, SCHEMA.dateCreated), "created"),
                            (crate.value(node, SCHEMA.dateModified), "updated")):
            if value is not None:
                keep.date(run, str(value), kind)

    def people(self, dataset: URIRef, node, run: URIRef, keep: Faithful) -> None:
        """Authors (the dataset's, else the root's) in the crate's order, then contributors;
        each person's affiliations as recorded and, when one names a D5.1 partner, linked."""
        crate = self.crate
        owner = node if any(crate.objects(node, SCHEMA.author)) or any(
            crate.objects(node, SCHEMA.creator)) else self.root
        for predicate, role in ((SCHEMA.author, "Creator"), (SCHEMA.creator, "Creator"),
                                (SCHEMA.contributor, "Other")):
            found = set(crate.objects(owner, predicate))
            order = [URIRef(i) for i in self.orders.get((str(owner), str(predicate).rsplit(
                "/", 1)[-1]), []) if URIRef(i) in found]
            people = order + sorted(found - set(order), key=str)
            for position, person in enumerate(people, start=1):
                agent = self.agent(person)
                if role == "Creator":
                    self.build.creator(dataset, agent)
                keep.attribution(agent, role, position)
                for place in crate.objects(person, SCHEMA.affiliation):
                    name = self.name(place)
                    ror = str(place) if "ror.org/" in str(place) else None
                    keep.affiliation(agent, name, ror)
                    if role == "Creator" and (person, RDF.type, SCHEMA.Person) in crate:
                        self.build.affiliation(agent, run, name, ror)

    def files(self, dataset: URIRef, node) -> None:
        crate = self.crate
        landing = _one(crate, node, SCHEMA.url) or _one(crate, self.root, SCHEMA.url)
        if landing is None:
            self.record.notes.append(f"dataset {_local_key(node)!r} and the crate state no url: "
                                     "its files have no access URL")
        for part in sorted(crate.objects(node, SCHEMA.hasPart), key=str):
            if (part, RDF.type, SCHEMA.MediaObject) not in crate:
                continue
            sha = _one(crate, part, SCHEMA.sha256) or self.checksums.get(str(part))
            local = str(part).startswith(CRATE)
            self.build.distribution(
                dataset, _local_key(part), access=landing,
                download=None if local else str(iri_or_none(str(part)) or "") or None,
                media=_one(crate, part, SCHEMA.encodingFormat),
                size=_one(crate, part, SCHEMA.contentSize),
                checksum=("sha256", sha) if sha else None, title=_one(crate, part, SCHEMA.name))

    def run(self, dataset: URIRef, node) -> URIRef:
        crate, g, build = self.crate, self.g, self.build
        action = self.results.get(node)
        techniques = sorted({str(t) for t in (
            *crate.objects(action or node, SCHEMA.measurementTechnique),
            *crate.objects(node, SCHEMA.measurementTechnique))})
        if not techniques:  # keywords that name exactly one D5.1 technique
            techniques = [k for k in _keywords(crate, node)
                          if self.vocabulary.resolve("technique", k).node is not None]
        run = build.run(self.minted("run", action or node), dataset, techniques)
        build.keywords(run, [k for k in _keywords(crate, node) if k not in techniques])
        things = list(crate.objects(node, SCHEMA.about))
        if action is not None:
            self.action(run, action)
            things += crate.objects(action, SCHEMA.object)
        for thing in things:
            if thing in self.datasets:  # a processing run: it used our dataset
                g.add((run, PROV.used, self.minted("dataset", thing)))
            elif (thing, RDF.type, SCHEMA.Dataset) not in crate:
                self.sample(dataset, run, thing)
        return run

    def action(self, run: URIRef, action) -> None:
        crate, g, build = self.crate, self.g, self.build
        if _one(crate, action, SCHEMA.name):
            g.add((run, RDFS.label, Literal(_one(crate, action, SCHEMA.name))))
        for start, ours in ((SCHEMA.startTime, PROV.startedAtTime),
                            (SCHEMA.endTime, PROV.endedAtTime)):
            if crate.value(action, start) is not None:
                g.add((run, ours, Literal(str(crate.value(action, start)),
                                          datatype=XSD.dateTime)))
        for instrument in crate.objects(action, SCHEMA.instrument):
            if (instrument, RDF.type, SCHEMA.SoftwareApplication) in crate:
                continue
            found = build.instrument(run, _one(crate, instrument, SCHEMA.name) or
                                     _local_key(instrument))
            if found is None and not str(instrument).startswith(CRATE):
                g.add((run, PROV.used, instrument))  # its PID, outside D5.1
        for who in crate.objects(action, SCHEMA.agent):
            g.add((run, PROV.wasAssociatedWith, self.agent(who)))
        for place in crate.objects(action, SCHEMA.location):
            build.link(run, PROV.atLocation, "facility", _one(crate, place, SCHEMA.name)
                       or str(place))

    def sample(self, dataset: URIRef, run: URIRef, thing) -> None:
        g, crate = self.g, self.crate
        sample = self.minted("sample", thing)
        g.add((sample, RDF.type, BMO.Sample))
        g.add((dataset, SCHEMA.about, sample))
        g.add((run, CHAMEO.hasMeasurementSample, sample))
        g.add((run, PROV.used, sample))
        if _one(crate, thing, SCHEMA.name):
            g.add((sample, RDFS.label, Literal(_one(crate, thing, SCHEMA.name))))
        for material in crate.objects(thing, SCHEMA.material):
            g.add((sample, BMO.materialAsRecorded,
                   Literal(_one(crate, material, SCHEMA.name) or str(material))))


def read(document: dict, source: str, vocabulary: Vocabulary) -> list[Record]:
    notes: list[str] = []
    crate = parse_jsonld(_with_aliases(document, notes), notes, base=CRATE)
    descriptor = next((s for s in crate.subjects() if str(s).endswith("ro-crate-metadata.json")),
                      None)
    root = crate.value(descriptor, SCHEMA.about) if descriptor is not None else None
    if root is None:
        raise FormatError(source, "the crate's metadata descriptor names no root dataset "
                                  "(about)")
    publisher = _one(crate, descriptor, SCHEMA.sdPublisher) or ""
    identity = (_one(crate, root, SCHEMA.identifier) or _one(crate, root, SCHEMA.url)
                or f"{publisher}|{_local_key(root)}|{_one(crate, root, SCHEMA.name)}")
    record_id = identity if len(identity) <= 80 else hashlib.sha1(identity.encode()).hexdigest()
    record = Record("ROCrate", record_id, source, notes=notes)
    mapper = _Crate(crate, record, vocabulary, root, _sha256(document), _orders(document))
    if not mapper.datasets:
        raise FormatError(source, "the crate holds no Dataset with File parts (no data to "
                                  "ingest)")
    for node in mapper.datasets:
        mapper.dataset(node)
    return [record]


FORMAT = Format("ROCrate", detect, read)
