"""What a DataCite / InvenioRDM (Zenodo) record, an RO-Crate or a schema.org Dataset says, field by
field, in one comparable shape —
read straight from the source file (never through the ingest readers), so that a DataCite
export of the ingested record can be compared with the record it came from.

Each field is a list (creators and contributors in the record's order) or a set of plain
tuples; `compare(source, exported)` lists what the export lost or changed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from datetime import datetime
from pathlib import Path

#: the fields compared (DataCite 4.5 property names)
FIELDS = ("publisher", "descriptions", "dates", "fundingReferences", "subjects", "creators",
          "contributors", "relatedIdentifiers", "rights", "version", "language",
          "alternateIdentifiers", "resourceType")
ORDERED = ("creators", "contributors")


def _norm(text) -> str:
    return " ".join(str(text).split()) if text is not None else ""


def _when(text) -> str:
    """A date compared by its value: 2024-02-22T07:22:00+00:00 is 2024-02-22T07:22:00Z (a store
    may write either); a year, a range or other text as written."""
    value = _norm(text)
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).isoformat() \
            if "T" in value else value
    except ValueError:
        return value


def _id(text) -> str:
    """An identifier compared without resolver prefix and case (ORCID, ROR, DOI)."""
    value = _norm(text).lower()
    for prefix in ("https://orcid.org/", "http://orcid.org/", "https://ror.org/",
                   "https://doi.org/", "http://doi.org/", "doi:"):
        value = value.removeprefix(prefix)
    return value


def from_datacite_json(meta: dict) -> dict:
    """DataCite REST JSON (attributes) → the compared fields."""
    meta = meta.get("data", {}).get("attributes", meta)
    publisher = meta.get("publisher")

    def person(c: dict, kind: str | None = None) -> tuple:
        orcid = next((_id(n.get("nameIdentifier")) for n in c.get("nameIdentifiers") or []
                      if (n.get("nameIdentifierScheme") or "").upper() == "ORCID"), "")
        affiliations = tuple(sorted(
            (_norm(a.get("name")), _id(a.get("affiliationIdentifier")))
            if isinstance(a, dict) else (_norm(a), "") for a in c.get("affiliation") or []))
        return (_norm(c.get("name")), orcid, affiliations, *((kind,) if kind else ()))

    return {
        "publisher": {_norm(publisher.get("name") if isinstance(publisher, dict)
                            else publisher)} if publisher else set(),
        "descriptions": {(_norm(d.get("description")), d.get("descriptionType") or "Abstract")
                         for d in meta.get("descriptions") or [] if d.get("description")},
        "dates": {(_when(d.get("date")), d.get("dateType")) for d in meta.get("dates") or []},
        "fundingReferences": {(_norm(f.get("funderName")), _norm(f.get("awardNumber")))
                              for f in meta.get("fundingReferences") or []},
        "subjects": {_norm(s.get("subject")) for s in meta.get("subjects") or []
                     if s.get("subject")},
        "creators": [person(c) for c in meta.get("creators") or []],
        "contributors": [person(c, c.get("contributorType"))
                         for c in meta.get("contributors") or []],
        "relatedIdentifiers": {(_id(r.get("relatedIdentifier")), r.get("relationType"))
                               for r in meta.get("relatedIdentifiers") or []},
        "rights": {_norm(r.get("rightsUri") or r.get("rightsURI") or r.get("rightsIdentifier")
                         or r.get("rights")) for r in meta.get("rightsList") or []},
        "version": {_norm(meta["version"])} if meta.get("version") else set(),
        "language": {_norm(meta["language"])} if meta.get("language") else set(),
        "alternateIdentifiers": {_norm(a.get("alternateIdentifier"))
                                 for a in meta.get("alternateIdentifiers") or []},
        "resourceType": {_norm((meta.get("types") or {}).get("resourceType"))}
        if (meta.get("types") or {}).get("resourceType") else set(),
    }


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def datacite_xml_as_json(path: Path) -> dict:
    """The DataCite XML kernel as REST JSON, written here independently of the reader."""
    root = ElementTree.parse(path).getroot()

    def kids(element, name):
        return [c for c in element if _local(c.tag) == name] if element is not None else []

    def one(element, name):
        return next(iter(kids(element, name)), None)

    def text(element, name):
        found = one(element, name)
        return found.text if found is not None else None

    def agent(element, name_tag):
        return {"name": text(element, name_tag),
                "nameIdentifiers": [{"nameIdentifier": n.text, "nameIdentifierScheme":
                                     n.get("nameIdentifierScheme")}
                                    for n in kids(element, "nameIdentifier")],
                "affiliation": [{"name": a.text, "affiliationIdentifier":
                                 a.get("affiliationIdentifier")}
                                for a in kids(element, "affiliation")]}

    return {
        "publisher": text(root, "publisher"),
        "descriptions": [{"description": d.text, "descriptionType": d.get("descriptionType")}
                         for d in kids(one(root, "descriptions"), "description")],
        "dates": [{"date": d.text, "dateType": d.get("dateType")}
                  for d in kids(one(root, "dates"), "date")],
        "fundingReferences": [{"funderName": text(f, "funderName"),
                               "awardNumber": text(f, "awardNumber")}
                              for f in kids(one(root, "fundingReferences"), "fundingReference")],
        "subjects": [{"subject": s.text} for s in kids(one(root, "subjects"), "subject")],
        "creators": [agent(c, "creatorName") for c in kids(one(root, "creators"), "creator")],
        "contributors": [{**agent(c, "contributorName"),
                          "contributorType": c.get("contributorType")}
                         for c in kids(one(root, "contributors"), "contributor")],
        "relatedIdentifiers": [{"relatedIdentifier": r.text, "relationType":
                                r.get("relationType")}
                               for r in kids(one(root, "relatedIdentifiers"),
                                             "relatedIdentifier")],
        "rightsList": [{"rightsUri": r.get("rightsURI"), "rights": r.text}
                       for r in kids(one(root, "rightsList"), "rights")],
        "version": text(root, "version"),
        "language": text(root, "language"),
        "alternateIdentifiers": [{"alternateIdentifier": a.text} for a in kids(
            one(root, "alternateIdentifiers"), "alternateIdentifier")],
        "types": {"resourceType": text(root, "resourceType")},
    }


def from_invenio(document: dict) -> dict:
    """InvenioRDM / Zenodo record JSON → the compared fields (DataCite's names)."""
    meta = document["metadata"]

    def person(c: dict, kind: str | None = None) -> tuple:
        who = c.get("person_or_org") or c
        name = who.get("name") or ", ".join(filter(None, (who.get("family_name"),
                                                          who.get("given_name"))))
        orcid = next((_id(i["identifier"]) for i in who.get("identifiers") or []
                      if i.get("scheme") == "orcid"), _id(who.get("orcid")) if
                     who.get("orcid") else "")
        stated = c.get("affiliations") or ([{"name": c["affiliation"]}] if isinstance(
            c.get("affiliation"), str) else [])
        affiliations = tuple(sorted((_norm(a.get("name")), _id(a.get("id"))) for a in stated))
        return (_norm(name), orcid, affiliations,
                *((kind,) if kind else ()))

    descriptions = {(_norm(meta["description"]), "Abstract")} if meta.get("description") \
        else set()
    descriptions |= {(_norm(d["description"]), (d.get("type") or {}).get("id", "other"))
                     for d in meta.get("additional_descriptions") or []}
    dates = {(_norm(meta["publication_date"]), "Issued")} if meta.get("publication_date") \
        else set()
    dates |= {(_norm(d["date"]), (d.get("type") or {}).get("id")) for d in meta.get("dates")
              or []}
    languages = {_norm(lang.get("id")) for lang in meta.get("languages") or []}
    return {
        "publisher": {_norm(meta["publisher"])} if meta.get("publisher") else set(),
        "descriptions": descriptions,
        "dates": dates,
        "fundingReferences": {(_norm((f.get("funder") or {}).get("name")),
                               _norm((f.get("award") or {}).get("number")))
                              for f in meta.get("funding") or []},
        "subjects": {_norm(s.get("subject") or s.get("id")) for s in meta.get("subjects") or []}
        | {_norm(k) for k in meta.get("keywords") or []},
        "creators": [person(c) for c in meta.get("creators") or []],
        "contributors": [person(c, (c.get("role") or {}).get("id"))
                         for c in meta.get("contributors") or []],
        "relatedIdentifiers": {(_id(r.get("identifier")), (r.get("relation_type") or {}).get(
            "id")) for r in meta.get("related_identifiers") or []},
        "rights": {_norm(r.get("link") or (r.get("props") or {}).get("url") or r.get("id"))
                   for r in meta.get("rights") or []},
        "version": {_norm(meta["version"])} if meta.get("version") else set(),
        "language": languages,
        "alternateIdentifiers": {_norm(i.get("identifier")) for i in meta.get("identifiers")
                                 or [] if isinstance(i, dict)},
    }


def _listed(value) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


def from_rocrate(document: dict, dataset_id: str) -> dict:
    """One dataset of an RO-Crate (its @id in the crate) → the compared fields; what the
    dataset does not state, the root (the crate as a whole) does: publisher, authors, licence,
    funding, publication date."""
    by_id = {e["@id"]: e for e in document["@graph"]}
    about = by_id["ro-crate-metadata.json"]["about"]["@id"]
    root, entity = by_id[about], by_id[dataset_id]

    def get(key):
        return entity.get(key) or root.get(key)

    def name(value):
        return _norm(by_id.get(value["@id"], {}).get("name")) if isinstance(value, dict) \
            else _norm(value)

    def person(reference: dict) -> tuple:
        who = by_id[reference["@id"]]
        orcid = _id(who["@id"]) if "orcid.org" in who["@id"] else ""
        return (_norm(who.get("name")), orcid, tuple(sorted(
            (name(a), _id(a["@id"]) if "ror.org" in a.get("@id", "") else "")
            for a in _listed(who.get("affiliation")))))

    keywords = entity.get("keywords")
    words = keywords.split(",") if isinstance(keywords, str) else _listed(keywords)
    identifiers = [str(i) for i in _listed(entity.get("identifier"))]
    licence = get("license")
    return {
        "publisher": {name(p) for p in _listed(get("publisher"))},
        "descriptions": {(_norm(d), "Abstract") for d in _listed(entity.get("description"))},
        "dates": {(_when(v), kind) for v, kind in (
            (get("datePublished"), "Issued"), (entity.get("dateCreated"), "Created"),
            (entity.get("dateModified"), "Updated")) if v},
        "fundingReferences": {(name(by_id[g["@id"]].get("funder")),
                               _norm(by_id[g["@id"]].get("identifier")))
                              for g in _listed(get("funding"))},
        "subjects": {_norm(w) for w in words if _norm(w)},
        "creators": [person(a) for a in _listed(entity.get("author") or entity.get("authors")
                                                or root.get("author"))],
        "rights": {licence["@id"] if isinstance(licence, dict) else _norm(licence)}
        if licence else set(),
        "version": {_norm(entity["version"])} if entity.get("version") else set(),
        "language": {_norm(entity["inLanguage"])} if entity.get("inLanguage") else set(),
        "alternateIdentifiers": {_norm(i) for i in identifiers if "doi.org/" not in i},
    }


def from_schemaorg(document: dict, dataset_id: str) -> dict:
    """One schema:Dataset (its @id) of a schema.org JSON-LD document written with `schema:`
    prefixed keys (the Battery Data Format registry's form) → the compared fields."""
    def find(value):
        if isinstance(value, dict):
            if value.get("@id") == dataset_id:
                return value
            value = list(value.values())
        for inner in value if isinstance(value, list) else []:
            found = find(inner)
            if found is not None:
                return found
        return None

    entity = {k.removeprefix("schema:"): v for k, v in find(document).items()}

    def person(who: dict) -> tuple:
        who = {k.removeprefix("schema:"): v for k, v in who.items()}
        return (_norm(who.get("name")), _id(who.get("sameAs")) if who.get("sameAs") else "",
                tuple(sorted((_norm(a.get("schema:name")), "")
                             for a in _listed(who.get("affiliation")))))

    return {
        "descriptions": {(_norm(d), "Abstract") for d in _listed(entity.get("description"))},
        "subjects": {_norm(w) for w in _listed(entity.get("keywords"))},
        "creators": [person(c) for c in _listed(entity.get("creator"))],
        "rights": {_norm(r) for r in _listed(entity.get("license"))},
        "version": {_norm(entity["version"])} if entity.get("version") else set(),
        "language": {_norm(entity["inLanguage"])} if entity.get("inLanguage") else set(),
        "alternateIdentifiers": {_norm(i) for i in _listed(entity.get("identifier"))},
    }


def source_fields(path: Path) -> dict:
    """The compared fields of a DataCite JSON / XML or InvenioRDM record file."""
    if path.suffix == ".xml":
        return from_datacite_json(datacite_xml_as_json(path))
    document = json.loads(path.read_text(encoding="utf-8"))
    return from_invenio(document) if "metadata" in document else from_datacite_json(document)


def _lower(value):
    """Case-insensitive comparison of controlled-list values (Invenio ids are lower case)."""
    if isinstance(value, tuple):
        return tuple(_lower(v) for v in value)
    return value.lower() if isinstance(value, str) else value


def compare(source: dict, exported: dict, lists: tuple[str, ...] = ORDERED) -> dict[str, str]:
    """field → what the export lost (every source value must be in the export; lists in the
    same order). An export may add values (e.g. the technique's PaNET subject)."""
    lost: dict[str, str] = {}
    for name in FIELDS:
        want, got = source.get(name), exported.get(name)
        if not want:
            continue
        if name in lists:
            want_l, got_l = [_lower(w) for w in want], [_lower(g) for g in got or []]
            if got_l[:len(want_l)] != want_l:
                lost[name] = f"source {want} != export {got}"
        else:
            missing = {_lower(w) for w in want} - {_lower(g) for g in got or set()}
            if missing:
                lost[name] = f"missing {sorted(map(str, missing))}"
    return lost
