"""One page per entity, for people: its facts with readable names, the sections its kind calls
for (entity_sections), related techniques with their reasons, cells and datasets; every
statement as stored behind a "raw data" toggle, the only place identifiers are shown."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse

from ...namespaces import BASE, BMO, PREFIXES, curie, iri_of
from ...queryfile import view
from ...relations import relations
from ...results import rows_as_dicts, run
from ..routes.collections import COLLECTIONS
from .entity_sections import sections
from .shared import CELL_FORMATS, TEMPLATES, page_of

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
#: names of the properties outside the project ontology (which labels its own)
PROPERTY_NAMES = {
    RDF + "type": "kind", RDFS + "comment": "note", SKOS + "altLabel": "also called",
    SKOS + "definition": "definition", SKOS + "exactMatch": "same as",
    SKOS + "closeMatch": "close to", SKOS + "narrowMatch": "narrower terms elsewhere",
    SKOS + "broadMatch": "broader terms elsewhere", SKOS + "relatedMatch": "related terms",
    SKOS + "broader": "broader", SKOS + "narrower": "narrower", SKOS + "notation": "notation",
    DCTERMS + "title": "title", DCTERMS + "bibliographicCitation": "citation",
    DCTERMS + "date": "year", DCTERMS + "identifier": "identifier",
}
#: properties not listed under "About": the title, the source caption, or a section shows them
HIDDEN = {RDFS + "label", SKOS + "prefLabel", SKOS + "inScheme",
          "http://www.w3.org/ns/prov#wasDerivedFrom",
          *(str(BMO[name]) for name in (
              "sourceLocation", "hasRelation", "complementaryTo", "combinableWith",
              "servedByCell", "hasCompetenceMapping", "hasMatrixEntry", "usedIn", "holdsCell",
              "operatesInstrument", "participatesIn", "offeredIn", "measures", "references"))}
FIRST = ("kind", "definition", "also called")
#: names of external vocabularies (link text for their terms, which the graph does not label)
VOCABULARIES = {
    PREFIXES["panet"]: "PaNET", PREFIXES["chameo"]: "CHAMEO", PREFIXES["emmo"]: "EMMO",
    PREFIXES["echem"]: "EMMO electrochemistry", PREFIXES["chemsub"]: "EMMO chemical substance",
    "http://data.europa.eu/s66/": "EU research organisations (CORDIS)",
    "https://w3id.org/big-map/": "BIG-MAP app ontology",
    PREFIXES["battery"]: "BattINFO",
}
#: the BattINFO battery formats of the cells, by IRI
BATTERY_FORMATS = dict(CELL_FORMATS.values())
CURIE = re.compile(r"\b(" + "|".join(sorted(PREFIXES, key=len, reverse=True))
                   + r"):([A-Za-z0-9_][\w\-./]*[\w])")
REASON_FALLBACK = re.compile(r"(?<=[a-z])(?=[A-Z])")


def entity_page(request: Request, store, iri: str, triples: list[ox.Triple],
                base: str) -> HTMLResponse:
    """The page of an entity (queries: call it in a thread)."""
    kind = iri[len(BASE):].split("/", 1)[0] if iri.startswith(BASE) else ""
    about, title, places = _about(store, iri)
    related = _relations(store, iri) if kind == "technique" else {}
    return TEMPLATES.TemplateResponse(request, "entity.html", {
        "title": title or iri.rsplit("/", 1)[-1], "iri": iri, "curie": curie(iri),
        "base": base, "kind": kind, "about": about, "about_source": places,
        "sections": sections(store, kind, iri), "relations": related,
        "cells": technique_cells(store, iri) if kind == "technique" else [],
        "cells_link": "/cells?" + urlencode({"technique": iri.rsplit("/", 1)[1]}),
        "datasets": _datasets_of(store, iri), "raw": raw_facts(iri, triples)})


def _about(store, iri: str) -> tuple[list[tuple[str, list[dict]]], str, str]:
    """(property name, values) pairs with readable names, the title, the D5.1 places."""
    rows = rows_as_dicts(run(store, view("entity-about"), prefixes=False,
                             bindings={"entity": ox.NamedNode(iri)}))
    title = next((r["value"] for r in rows if r["property"] == RDFS + "label"), None) or next(
        (r["value"] for r in rows if r["property"] == SKOS + "prefLabel"), None)
    places = "; ".join(sorted({r["value"] for r in rows
                               if r["property"] == str(BMO.sourceLocation)}))
    if not places and any(r["property"] == "http://www.w3.org/ns/prov#wasDerivedFrom"
                          for r in rows):
        places = "the document (no table or section recorded)"
    names = _names_in_text(store, [r["value"] for r in rows])
    facts: dict[str, list[dict]] = {}
    for row in rows:
        if row["property"] in HIDDEN:
            continue
        value = _value(row, names)
        if value is None:
            continue
        name = row["propertyLabel"] or PROPERTY_NAMES.get(row["property"]) or _words(
            row["property"])
        if value not in facts.setdefault(name, []):
            facts[name].append(value)
    ordered = sorted(facts.items(), key=lambda kv: (
        FIRST.index(kv[0]) if kv[0] in FIRST else len(FIRST), kv[0] == "curation note", kv[0]))
    return [(name, sorted(values, key=lambda v: v["text"].lower())) for name, values in ordered
            if values], title or "", places


def _value(row: dict, names: dict[str, str]) -> dict | None:
    """A value as {text, href, parts}; None for things without a readable name."""
    value, label = row["value"], row["valueLabel"]
    if not value.startswith(("http://", "https://")):
        text = {"true": "yes", "false": "no"}.get(value, value)
        return {"text": text, "href": None, "parts": _linked(text, names)}
    if label:
        return {"text": label, "href": page_of(value) if value.startswith(BASE) else value}
    if value in BATTERY_FORMATS:
        return {"text": f"{BATTERY_FORMATS[value]} (BattINFO)", "href": value}
    vocabulary = next((n for ns, n in VOCABULARIES.items() if value.startswith(ns)), None)
    return {"text": f"{vocabulary} term", "href": value} if vocabulary else None


def _names_in_text(store, texts: list[str]) -> dict[str, str]:
    """Labels of the things printed notes name by CURIE (cell:uu-fast-cycling-pouch-holder)."""
    iris = sorted({PREFIXES[m[1]] + m[2] for t in texts for m in CURIE.finditer(t or "")})
    if not iris:
        return {}
    rows = run(store, view("entity-labels"), prefixes=False,
               bindings={"thing": [ox.NamedNode(i) for i in iris]})
    return {r["thing"].value: r["label"].value for r in rows}


def _linked(text: str, names: dict[str, str]) -> list[dict] | None:
    """The text cut into plain parts and labelled links where it names a thing by CURIE."""
    if not CURIE.search(text):
        return None
    parts, at = [], 0
    for match in CURIE.finditer(text):
        iri = PREFIXES[match[1]] + match[2]
        parts.append({"text": text[at:match.start()], "href": None})
        parts.append({"text": names.get(iri) or _words(match[2]),
                      "href": page_of(iri) if iri.startswith(BASE) else None})
        at = match.end()
    parts.append({"text": text[at:], "href": None})
    return parts


def _words(iri: str) -> str:
    """A name from an identifier's last segment: 'curationNote' → 'curation note'."""
    local = re.split(r"[#/]", iri)[-1]
    return REASON_FALLBACK.sub(" ", local).replace("-", " ").replace("_", " ").lower()


def _relations(store, iri: str) -> dict[str, list[dict]]:
    """The technique's relations by kind, reasons and evidence under their readable names."""
    reasons = {r["reason"].rsplit("#", 1)[1]: r["label"] for r in rows_as_dicts(
        run(store, view("reason-kinds"), prefixes=False))}
    found: dict[str, list[dict]] = {"complementary": [], "comparable": [], "same-cell": []}
    seen = set()
    for r in relations(store, iri):
        key = (r.kind, r.other, r.observable, r.cell, r.explanation)
        if key in seen:
            continue
        seen.add(key)
        found[r.kind].append({
            "other_label": r.other_label, "other_href": page_of(r.other) if r.other else None,
            "observable_label": r.observable_label,
            "observable_href": page_of(r.observable) if r.observable else None,
            "cell_label": r.cell_label, "cell_href": page_of(r.cell) if r.cell else None,
            "reasons": [reasons.get(code) or _words(code) for code in r.reasons],
            "explanation": r.explanation, "page": page_of(r.iri),
            "evidence": [(reasons.get(code) or _words(code), values)
                         for code, values in r.evidence.items()]})
    return {kind: items for kind, items in found.items() if items}


def raw_facts(iri: str, triples: list[ox.Triple]) -> list[tuple[str, list[dict]]]:
    """Every statement about the entity as stored (CURIEs), for the raw-data toggle."""
    subject = ox.NamedNode(iri)
    names: dict[str, str] = {}
    owned: dict[ox.BlankNode, list[ox.Triple]] = {}
    for triple in triples:
        if triple.predicate.value in (RDFS + "label", SKOS + "prefLabel", DCTERMS + "title"):
            names.setdefault(triple.subject.value, triple.object.value)
        if isinstance(triple.subject, ox.BlankNode):
            owned.setdefault(triple.subject, []).append(triple)

    def link(node: ox.NamedNode) -> dict:
        return {"text": curie(node.value),
                "href": page_of(node.value) if node.value.startswith(BASE) else None}

    facts: dict[str, list[dict]] = {}
    for triple in triples:
        if triple.subject != subject:
            continue
        value = triple.object
        if isinstance(value, ox.BlankNode):  # an offer, quantity or statement: text + its links
            parts = owned.get(value, [])
            text = next((t.object.value for t in parts if t.predicate.value.endswith("#asPrinted")),
                        "")
            item = {"text": text, "href": None,
                    "links": [link(t.object) for t in parts if isinstance(t.object, ox.NamedNode)
                              and t.object.value.startswith(BASE)
                              and not t.predicate.value.endswith("#type")]}
        elif isinstance(value, ox.NamedNode):
            item = link(value)
        else:
            item = {"text": value.value, "href": None}
        facts.setdefault(curie(triple.predicate.value), []).append(item)
    return sorted(facts.items())


def technique_cells(store: ox.Store, technique: str) -> list[dict]:
    """The cells of the index serving the technique or a narrower one (the cell facet's set)."""
    cells = rows_as_dicts(run(store, view("technique-cells"), prefixes=False,
                              bindings={"technique": ox.NamedNode(technique)}))
    for cell in cells:
        cell["page"] = page_of(cell["cell"])
    return cells


#: entity kind (IRI segment) → the /api/datasets filter that selects its datasets
DATASET_FILTER_OF = {"technique": "technique", "instrument": "instrument",
                     "facility": "facility", "partner": "partner", "experiment": "experiment",
                     "material": "material", "cell": "cell"}


def _datasets_of(store, iri: str) -> dict | None:
    """How many ingested datasets the entity is linked to (the /api filter's own query, which
    lists them all: the count is exact), and where to list them; None for kinds datasets do
    not link to."""
    kind, _, local = iri[len(BASE):].partition("/")
    name = DATASET_FILTER_OF.get(kind)
    if name is None:
        return None
    datasets = COLLECTIONS["datasets"]
    rows = list(run(store, datasets.filters[name].query, prefixes=False,
                    bindings={"class": ox.NamedNode(iri_of(datasets.cls)),
                              "value": ox.NamedNode(iri)}))
    return {"count": str(len(rows)),
            "href": f"/api/datasets?{urlencode({name: local})}"}
