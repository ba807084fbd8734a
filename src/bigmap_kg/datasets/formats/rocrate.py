"""RO-Crate 1.1 / 1.2 (`ro-crate-metadata.json`, or a zipped `.eln` from an ELN).

Every `Dataset` entity with files is a dataset (its `File` parts → distributions with size,
format and sha256); a `CreateAction` whose `result` is the dataset is its run (`instrument` →
D5.1 instrument by name, `agent`, `object` → sample, times); otherwise a run is made for it with
the technique the dataset states (`measurementTechnique`, `keywords`). `about` → the sample.
Persons keep every name the crate gives them, so that a person with two names is reported.
"""

from __future__ import annotations

import hashlib
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, XSD

from ...namespaces import BMO, CHAMEO
from ..contexts import parse_jsonld
from ..records import Record
from ..resolve import Vocabulary
from . import Format, FormatError
from .common import SCHEMA, Builder, default_level, iri_or_none

CRATE = "http://crate.invalid/"  # base for the crate's relative @ids while reading


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


def read(document: dict, source: str, vocabulary: Vocabulary) -> list[Record]:
    notes: list[str] = []
    crate = parse_jsonld(document, notes, base=CRATE)
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
    build, g = Builder(record, vocabulary), record.graph

    def minted(kind: str, node) -> URIRef:
        return build.mint(kind, _local_key(node))

    def agent(node) -> URIRef:
        names = [str(n) for n in crate.objects(node, SCHEMA.name)]
        organisation = (node, RDF.type, SCHEMA.Organization) in crate
        made = build.agent(_local_key(node), names[0] if names else None,
                           str(node) if "orcid.org" in str(node) else None, organisation)
        for name in names[1:]:  # every name is kept: the shapes report a person with two
            g.add((made, SCHEMA.name, Literal(name)))
        return made

    results = {r: a for a in crate.subjects(RDF.type, SCHEMA.CreateAction)
               for r in crate.objects(a, SCHEMA.result)}
    datasets = [d for d in crate.subjects(RDF.type, SCHEMA.Dataset)
                if any((p, RDF.type, SCHEMA.MediaObject) in crate
                       for p in crate.objects(d, SCHEMA.hasPart))]
    if not datasets:
        raise FormatError(source, "the crate holds no Dataset with files")
    for node in sorted(datasets, key=str):
        level = _one(crate, node, SCHEMA.additionalType)
        level = level.lower() if level and level.lower() in ("raw", "processed", "analysed") \
            else default_level(record, False)
        dataset = build.dataset(minted("dataset", node), _one(crate, node, SCHEMA.name), level)
        for predicate, ours in ((SCHEMA.description, DCTERMS.description),
                                (SCHEMA.dateCreated, DCTERMS.created)):
            if crate.value(node, predicate) is not None:
                g.add((dataset, ours, Literal(str(crate.value(node, predicate)))))
        build.license(dataset, _one(crate, node, SCHEMA.license) or
                      _one(crate, root, SCHEMA.license))
        for person in (*crate.objects(node, SCHEMA.author), *crate.objects(node, SCHEMA.creator)):
            build.creator(dataset, agent(person))
        landing = _one(crate, node, SCHEMA.url)
        for part in sorted(crate.objects(node, SCHEMA.hasPart), key=str):
            if (part, RDF.type, SCHEMA.MediaObject) not in crate:
                continue
            sha = _one(crate, part, SCHEMA.sha256)
            build.distribution(dataset, _local_key(part), access=landing,
                               download=str(iri_or_none(str(part)) or "") or None
                               if not str(part).startswith(CRATE) else None,
                               media=_one(crate, part, SCHEMA.encodingFormat),
                               size=_one(crate, part, SCHEMA.contentSize),
                               checksum=("sha256", sha) if sha else None,
                               title=_one(crate, part, SCHEMA.name))
        action = results.get(node)
        techniques = [str(t) for t in (*crate.objects(action or node, SCHEMA.measurementTechnique),
                                       *crate.objects(node, SCHEMA.measurementTechnique))]
        run = build.run(minted("run", action or node), dataset, sorted(set(techniques)))
        if action is not None:
            for start, ours in ((SCHEMA.startTime, PROV.startedAtTime),
                                (SCHEMA.endTime, PROV.endedAtTime)):
                if crate.value(action, start) is not None:
                    g.add((run, ours, Literal(str(crate.value(action, start)),
                                              datatype=XSD.dateTime)))
            for instrument in crate.objects(action, SCHEMA.instrument):
                if (instrument, RDF.type, SCHEMA.SoftwareApplication) in crate:
                    continue
                build.link(run, CHAMEO.hasCharacterisationMeasurementInstrument, "instrument",
                           _one(crate, instrument, SCHEMA.name) or str(instrument),
                           (PROV.used,))
            for who in crate.objects(action, SCHEMA.agent):
                g.add((run, PROV.wasAssociatedWith, agent(who)))
        for thing in (*crate.objects(node, SCHEMA.about),
                      *(crate.objects(action, SCHEMA.object) if action is not None else ())):
            if thing == root or (thing, RDF.type, SCHEMA.Dataset) in crate:
                continue
            sample = minted("sample", thing)
            g.add((sample, RDF.type, BMO.Sample))
            g.add((dataset, SCHEMA.about, sample))
            g.add((run, CHAMEO.hasMeasurementSample, sample))
            g.add((run, PROV.used, sample))
            if _one(crate, thing, SCHEMA.name):
                g.add((sample, BMO.materialAsRecorded, Literal(_one(crate, thing, SCHEMA.name))))
    return [record]


FORMAT = Format("ROCrate", detect, read)
