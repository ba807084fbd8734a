"""What a DataCite / InvenioRDM (Zenodo) record says, field by field, in one comparable shape —
read straight from the source file (never through the ingest readers), so that a DataCite
export of the ingested record can be compared with the record it came from.

Each field is a list (creators and contributors in the record's order) or a set of plain
tuples; `compare(source, exported)` lists what the export lost or changed.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

#: the fields compared (DataCite 4.5 property names)
FIELDS = ("publisher", "descriptions", "dates", "fundingReferences", "subjects", "creators",
          "contributors", "relatedIdentifiers", "rights", "version", "language")
ORDERED = ("creators", "contributors")


def _norm(text) -> str:
    return " ".join(str(text).split()) if text is not None else ""


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
        "dates": {(_norm(d.get("date")), d.get("dateType")) for d in meta.get("dates") or []},
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
