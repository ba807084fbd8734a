"""Exports of the dataset metadata, each in the shape its own ecosystem reads: a DCAT catalogue
(Turtle / JSON-LD) and a DataCite 4.5 JSON record for one dataset (the RO-Crate of an
experiment: crate_export.py). What the source record said beyond our model is read once
(`kept_rows`, `kept_fields`, `agents`) for both per-dataset exports."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox

from ..namespaces import PREFIXES
from ..queryfile import view
from ..results import run

FORMATS = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD,
           "nt": ox.RdfFormat.N_TRIPLES}
LEVEL_NAMES = {PREFIXES["chameo"] + "RawData": "raw", PREFIXES["chameo"] + "PrimaryData":
               "processed", PREFIXES["chameo"] + "SecondaryData": "analysed"}
CATALOG_PREFIXES = ("dcat", "dcterms", "prov", "schema", "spdx", "chameo", "panet", "bmo", "owl",
                    "foaf", "rdfs", "skos")
#: properties whose values DCAT(-AP) types more narrowly than the store returns them
RETYPED = {PREFIXES["dcat"] + "byteSize": PREFIXES["xsd"] + "nonNegativeInteger"}
#: where a dataset is (a distribution URL or its DOI resolver URL) → who publishes it
PUBLISHERS = {"archive.big-map.eu": "BIG-MAP Archive", "zenodo.org": "Zenodo",
              "doi.org/10.5281/zenodo.": "Zenodo"}


class ExportError(ValueError):
    """The graph lacks what the target format requires; says which fields."""


def catalog(store, fmt: str = "ttl") -> bytes:
    """The DCAT catalogue of every dataset in the store."""
    triples = [_retyped(t) for t in run(store, view("dcat-catalog"), prefixes=False)]
    return ox.serialize(triples, format=FORMATS[fmt],
                        prefixes={p: PREFIXES[p] for p in CATALOG_PREFIXES}
                        if fmt == "ttl" else None)


def _retyped(triple: ox.Triple) -> ox.Triple:
    """Give a value back the datatype DCAT asks for: Oxigraph stores integer subtypes such as
    xsd:nonNegativeInteger as xsd:integer (also in query results)."""
    datatype = RETYPED.get(triple.predicate.value)
    if datatype is None or not isinstance(triple.object, ox.Literal):
        return triple
    return ox.Triple(triple.subject, triple.predicate,
                     ox.Literal(triple.object.value, datatype=ox.NamedNode(datatype)))


def node_of(iri: str, missing: str) -> ox.NamedNode:
    """The node of an IRI; a string that is no valid IRI names nothing (ExportError)."""
    try:
        return ox.NamedNode(iri)
    except ValueError:
        raise ExportError(missing) from None


def _fields(store, dataset: str) -> dict[str, list[tuple[str | None, str | None]]]:
    found: dict[str, list[tuple[str | None, str | None]]] = defaultdict(list)
    rows = run(store, view("dataset-datacite"), prefixes=False,
               bindings={"dataset": node_of(dataset, f"no dataset {dataset}")})
    for row in rows:
        value, extra = row["value"], row["extra"]
        found[row["field"].value].append((value.value if value else None,
                                          extra.value if extra else None))
    return _in_order(found)


def _in_order(found: dict) -> dict:
    """Each field's rows sorted: a SPARQL answer has no order (Virtuoso and Oxigraph give
    different ones), and the export takes the first title, publisher, version…"""
    for rows in found.values():
        rows.sort(key=lambda row: [v or "" for v in (row.values() if isinstance(row, dict)
                                                     else row)])
    return found


def kept_rows(store, dataset: str) -> dict[str, list[dict[str, str | None]]]:
    """What the source record said beyond our model (sparql/dataset-datacite-kept.rq), by
    field: rows of key, value, extra, more."""
    found: dict[str, list[dict[str, str | None]]] = defaultdict(list)
    rows = run(store, view("dataset-datacite-kept"), prefixes=False,
               bindings={"dataset": node_of(dataset, f"no dataset {dataset}")})
    for row in rows:
        found[row["field"].value].append({k: row[k].value if row[k] is not None else None
                                          for k in ("key", "value", "extra", "more")})
    return _in_order(found)


#: Crossref Funder Registry ids a funding reference may carry without a funder name
FUNDER_NAMES = {"10.13039/501100000780": "European Commission"}
#: DataCite relatedIdentifierType, by its lower-case form (InvenioRDM's schemes)
IDENTIFIER_TYPES = {t.lower(): t for t in (
    "ARK", "arXiv", "bibcode", "DOI", "EAN13", "EISSN", "Handle", "IGSN", "ISBN", "ISSN",
    "ISTC", "LISSN", "LSID", "PMID", "PURL", "UPC", "URL", "URN", "w3id")}
IDENTIFIER_SCHEMES = (("orcid.org/", "ORCID", "https://orcid.org"),
                      ("ror.org/", "ROR", "https://ror.org"),
                      ("wikidata.org/", "Wikidata", "https://www.wikidata.org/wiki/"))


def _scheme(identifier: str) -> tuple[str, str] | None:
    return next(((name, uri) for host, name, uri in IDENTIFIER_SCHEMES if host in identifier),
                None)


def agents(kept: dict) -> tuple[list[dict], list[dict]]:
    """Creators and contributors, each in the record's order, with identifiers and
    affiliations as recorded."""
    by_key: dict[str, dict] = {}
    for row in kept["agent"]:
        by_key.setdefault(row["key"], {"name": row["value"], "role": row["extra"],
                                       "position": int(row["more"] or 0), "ids": [],
                                       "affiliations": [], "type": None})
    for row in kept["agentId"]:
        if row["key"] in by_key and row["value"] not in by_key[row["key"]]["ids"]:
            by_key[row["key"]]["ids"].append(row["value"])
    for row in kept["agentType"]:
        if row["key"] in by_key:
            by_key[row["key"]]["type"] = "Organizational" if row["value"].endswith(
                ("Organization", "Partner")) else by_key[row["key"]]["type"] or "Personal"
    for row in kept["affiliation"]:
        entry = {k: v for k, v in (("name", row["value"]),
                                   ("affiliationIdentifier", row["extra"])) if v}
        if row["key"] in by_key and entry and entry not in by_key[row["key"]]["affiliations"]:
            by_key[row["key"]]["affiliations"].append(entry)
    creators, contributors = [], []
    for agent in sorted(by_key.values(), key=lambda a: (a["role"] != "Creator", a["position"])):
        if not agent["name"]:
            continue
        out = {"name": agent["name"], "nameType": agent["type"] or "Personal",
               "nameIdentifiers": [
                   {"nameIdentifier": i, "nameIdentifierScheme": _scheme(i)[0],
                    "schemeUri": _scheme(i)[1]} for i in sorted(agent["ids"]) if _scheme(i)],
               "affiliation": [
                   {**a, **({"affiliationIdentifierScheme": "ROR",
                             "schemeUri": "https://ror.org"}
                            if "ror.org/" in a.get("affiliationIdentifier", "") else {})}
                   for a in sorted(agent["affiliations"], key=lambda a: a.get("name", ""))
                   if a.get("name")]}
        if agent["role"] == "Creator":
            creators.append(out)
        else:
            contributors.append({**out, "contributorType": agent["role"]})
    return creators, contributors


def kept_fields(kept: dict) -> dict:
    """The DataCite properties the record carried: descriptions, dates, funding, subjects,
    related identifiers, version, language."""
    dates = {(r["value"], r["extra"]) for r in kept["date"] if r["value"]}
    for row in kept["collected"]:
        dates.add((row["value"] + (f"/{row['extra']}" if row["extra"] else ""), "Collected"))
    funder_ids = {r["key"]: r["value"] for r in kept["funderId"]}
    award_uris = {r["key"]: r["value"] for r in kept["awardUri"]}
    funding = []
    for row in {r["key"]: r for r in kept["funding"]}.values():
        funder_id = funder_ids.get(row["key"])
        name = row["extra"] or FUNDER_NAMES.get(str(funder_id)) or funder_id
        if not name:
            continue
        reference = {"funderName": name}
        if funder_id:
            crossref = funder_id.startswith("10.13039/") or "doi.org/10.13039/" in funder_id
            reference.update(funderIdentifier=funder_id, funderIdentifierType=(
                "Crossref Funder ID" if crossref else "ROR" if "ror.org" in funder_id
                or len(funder_id) == 9 else "Other"))
        if row["value"]:
            reference["awardNumber"] = row["value"]
            if award_uris.get(row["key"]):
                reference["awardUri"] = award_uris[row["key"]]
        if row["more"]:
            reference["awardTitle"] = row["more"]
        funding.append(reference)
    subjects = [{"subject": r["value"]} for r in kept["keyword"]]
    for row in {r["key"]: r for r in kept["term"]}.values():
        subject = {"subject": row["value"] or row["extra"]}
        if row["extra"]:
            subject["valueUri"] = row["extra"]
        if row["more"]:
            subject["schemeUri" if row["more"].startswith("http") else "subjectScheme"] = \
                row["more"]
        if (row["extra"] or "").startswith(PREFIXES["panet"]):
            subject["subjectScheme"] = "PaNET"
        subjects.append(subject)
    related = []
    for row in {r["key"]: r for r in kept["related"]}.values():
        kind = IDENTIFIER_TYPES.get(str(row["more"]).lower()) or (
            "DOI" if row["value"].lower().startswith(("10.", "https://doi.org/10."))
            else "URL" if row["value"].startswith("http") else "Handle")
        related.append({"relatedIdentifier": row["value"], "relatedIdentifierType": kind,
                        "relationType": row["extra"]})
    return {
        "publisher": next((r["value"] for r in kept["publisher"]), None),
        "descriptions": sorted(({"description": r["value"], "descriptionType": r["extra"]}
                                for r in {r["value"]: r for r in kept["description"]}.values()),
                               key=lambda d: (d["descriptionType"] != "Abstract",
                                              d["description"])),
        "dates": [{"date": d, "dateType": t} for d, t in sorted(dates)],
        "fundingReferences": funding,
        "subjects": subjects,
        "relatedIdentifiers": related,
        "version": next((r["value"] for r in kept["version"]), None),
        "language": next((r["value"] for r in kept["language"]), None),
        "alternateIdentifiers": [
            {"alternateIdentifier": r["value"], "alternateIdentifierType": r["extra"]}
            for r in sorted({(r["value"], r["extra"]): r for r in kept["alternate"]}.values(),
                            key=lambda r: (r["extra"], r["value"]))],
        "resourceType": next((r["value"] for r in kept["resourceType"]), None),
    }


def datacite(store, dataset: str) -> dict:
    """A DataCite 4.5 REST JSON record; ExportError names what the graph cannot supply.

    A dataset without a DOI gets a record without `doi` (DataCite 4.5 JSON allows it: the DOI
    is given when the record is registered), its IRI and the record's own identifiers as
    alternateIdentifiers; publisher, publicationYear and a creator stay required."""
    found = _fields(store, dataset)
    if not found:
        raise ExportError(f"no dataset {dataset}")
    kept = kept_rows(store, dataset)
    more = kept_fields(kept)
    doi = next((v for v, _ in found["doi"]), None)
    urls = [v for v, _ in found["distribution"] if v]
    publisher = more["publisher"] or next(
        (name for host, name in PUBLISHERS.items()
         for u in [*urls, *([f"https://doi.org/{doi}"] if doi else [])] if host in u), None)
    year = next((v[:4] for v, _ in found["issued"] if v), None)
    missing = [name for name, value in (("publisher", publisher), ("publicationYear", year))
               if not value]
    if missing:
        raise ExportError(f"{dataset} cannot be a DataCite record: the graph has no "
                          + ", ".join(missing))
    creators, contributors = agents(kept)
    alternates = more["alternateIdentifiers"] + ([] if doi else [
        {"alternateIdentifier": dataset, "alternateIdentifierType": "URL"}])
    record = {
        "doi": doi,
        "alternateIdentifiers": [a for i, a in enumerate(alternates) if a not in alternates[:i]],
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": more["resourceType"] or (
            ", ".join(sorted({LEVEL_NAMES.get(v, "") for v, _ in found["level"]})) + " data")},
        "titles": [{"title": v} for v, _ in found["title"]][:1],
        "creators": creators or [{"name": name, "nameType": "Personal", "nameIdentifiers": [
            {"nameIdentifier": orcid, "nameIdentifierScheme": "ORCID",
             "schemeUri": "https://orcid.org"}] if orcid else []}
            for name, orcid in dict.fromkeys(found["creator"]) if name] + [
            {"name": name, "nameType": "Organizational"}  # the run's partners, when no person
            for name, _ in dict.fromkeys(found["partner"]) if name],
        "contributors": contributors,
        "descriptions": more["descriptions"],
        "dates": more["dates"] + [{"date": v, "dateType": "Issued"} for v, _ in found["issued"]
                                  if v and not any(d["dateType"] == "Issued"
                                                   for d in more["dates"])],
        "fundingReferences": more["fundingReferences"],
        "version": more["version"],
        "language": more["language"],
        "publisher": {"name": publisher},
        "publicationYear": year,
        "subjects": more["subjects"] + [
            {"subject": label, "subjectScheme": "PaNET",
             "schemeUri": "http://purl.org/pan-science/PaNET/PaNET.owl",
             "valueUri": panet} for label, panet in dict.fromkeys(found["technique"])
            if panet and panet not in {s.get("valueUri") for s in more["subjects"]}],
        "relatedIdentifiers": more["relatedIdentifiers"] + [
            {"relatedIdentifier": iri, "relatedIdentifierType": "URL",
             "relationType": "IsCollectedBy", "resourceTypeGeneral": "Instrument"}
            for _, iri in dict.fromkeys(found["instrument"])] + [
            {"relatedIdentifier": source_doi or iri,
             "relatedIdentifierType": "DOI" if source_doi else "URL",
             "relationType": "IsDerivedFrom", "resourceTypeGeneral": "Dataset"}
            for source_doi, iri in dict.fromkeys(found["derivedFrom"])],
        "rightsList": [{"rightsUri": v} if v.startswith("http") else {"rights": v}
                       for v, _ in dict.fromkeys(found["license"])],
        "formats": sorted({m.rsplit("media-types/", 1)[-1] for _, m in found["distribution"]
                           if m}),
        "sizes": [f"{v} bytes" for v, _ in found["size"]],
        "url": urls[0] if urls else None,
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }
    stated = {(r["relatedIdentifier"].lower(), r["relationType"])
              for r in more["relatedIdentifiers"]}
    record["relatedIdentifiers"] = [
        r for i, r in enumerate(record["relatedIdentifiers"])
        if i < len(more["relatedIdentifiers"]) or
        (str(r["relatedIdentifier"]).lower(), r["relationType"]) not in stated]
    if not record["creators"]:
        raise ExportError(f"{dataset} cannot be a DataCite record: the graph names no creator")
    return {k: v for k, v in record.items() if v not in (None, [])}
