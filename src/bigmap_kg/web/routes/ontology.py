"""The ontology at its IRI: `https://w3id.org/bigmap-kg/ontology` resolves here, and with it
every `bmo:` term (hash IRIs in that document: a browser asks for `/ontology` and keeps the
fragment). 303 to `/ontology.html`, `.ttl`, `.nt` or `.jsonld` by Accept; the HTML page lists
every term with its anchor, definition and alignment."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response

from ...namespaces import BMO, GRAPH_ONTOLOGY, ONTOLOGY, OWL, RDFS, curie
from ...queryfile import view
from ...results import run
from ..pages.shared import TEMPLATES, page_of
from ..server.gateway import store_for
from .docs import examples
from .linkeddata import DOCUMENT_TYPES, document_headers, rdf_document, see_other

router = APIRouter()
#: the sections of the page, in order, and the types that put a term in them (first wins)
SECTIONS = (("Classes", (str(OWL.Class), str(RDFS.Class))),
            ("Object properties", (str(OWL.ObjectProperty),)),
            ("Datatype properties", (str(OWL.DatatypeProperty),)),
            ("Annotation properties", (str(OWL.AnnotationProperty),)),
            ("Individuals", ()))


def ontology_triples(store) -> list[ox.Triple]:
    return [quad.triple for quad in
            store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ONTOLOGY))]


def link(iri: str) -> dict[str, str]:
    """How the page links a term: our terms to their anchor, our entities to their page,
    everything else (EMMO, CHAMEO, PaNET, W3C vocabularies) to its own IRI."""
    href = "#" + iri[len(BMO):] if iri.startswith(str(BMO)) else page_of(iri)
    return {"text": curie(iri), "href": href}


def terms(store) -> list[dict]:
    """The page's sections: each term with its anchor, label, definitions and links."""
    found: dict[str, dict] = {}
    for row in run(store, view("ontology-terms"), prefixes=False):
        iri = row["term"].value
        term = found.setdefault(iri, {"anchor": iri[len(BMO):], "types": set(),
                                      "labels": set(), "definitions": set(),
                                      "links": defaultdict(set)})
        term["types"].add(row["type"].value)
        for key, name in (("labels", "label"), ("definitions", "definition")):
            if row[name] is not None:
                term[key].add(row[name].value)
        if row["relation"] is not None:
            term["links"][curie(row["relation"].value)].add(row["target"].value)
    sections: dict[str, list[dict]] = {title: [] for title, _ in SECTIONS}
    for iri, term in sorted(found.items(), key=lambda item: item[1]["anchor"].lower()):
        title = next((t for t, types in SECTIONS if term["types"] & set(types)), "Individuals")
        if title == "Individuals":  # an individual's classes are worth a line of their own
            classes = term["types"] - {str(OWL.NamedIndividual)}
            term["links"]["rdf:type"] |= classes
        sections[title].append({
            "iri": iri, "anchor": term["anchor"], "label": sorted(term["labels"]),
            "definitions": sorted(term["definitions"]),
            "links": [(name, [link(t) for t in sorted(targets)])
                      for name, targets in sorted(term["links"].items())]})
    return [{"title": title, "id": title.lower().replace(" ", "-"), "terms": items}
            for title, items in sections.items() if items]


def header(store) -> list[tuple[str, list[dict]]]:
    """The ontology's own annotations (title, version, description, imports, …)."""
    rows: dict[str, list[dict]] = defaultdict(list)
    for row in run(store, view("ontology-header"), prefixes=False):
        value = row["value"]
        rows[curie(row["property"].value)].append(
            link(value.value) if isinstance(value, ox.NamedNode) else
            {"text": value.value, "href": None})
    return sorted(rows.items())


@router.get("/ontology", tags=["Linked data"],
            summary="Dereference the ontology IRI (303 to a document by Accept)",
            description=f"`{ONTOLOGY}` and its terms (`{BMO}Technique`, …) resolve here: "
                        "303 See Other to `/ontology.html`, `.ttl`, `.nt` or `.jsonld` by "
                        "Accept.")
async def ontology(request: Request) -> Response:
    return see_other(request, "/ontology")


@router.get("/ontology.{extension}", tags=["Linked data"],
            summary="The ontology as a document (html, ttl, nt or jsonld)",
            description="The whole ontology graph (classes, properties, alignment to "
                        "BattINFO / EMMO, CHAMEO and PaNET, defined classes) as Turtle, "
                        "N-Triples or JSON-LD, or a page listing every term with its anchor.")
async def ontology_document(request: Request, extension: str = Path(
        openapi_examples=examples(*DOCUMENT_TYPES))) -> Response:
    if extension not in DOCUMENT_TYPES:
        raise HTTPException(404, {"error": f"no ontology document .{extension}",
                                  "documents": [f"/ontology.{e}" for e in DOCUMENT_TYPES]})
    store = store_for(request)
    headers = document_headers(f"/ontology.{extension}", ONTOLOGY)
    media = DOCUMENT_TYPES[extension][0]
    if extension == "html":
        sections, annotations = await asyncio.to_thread(
            lambda: (terms(store), header(store)))
        response = TEMPLATES.TemplateResponse(request, "ontology.html", {
            "title": "The bigmap-kg ontology", "iri": ONTOLOGY, "base": "/ontology",
            "sections": sections,
            "annotations": annotations})
        response.headers.update(headers)
        return response
    triples = await asyncio.to_thread(ontology_triples, store)
    body = ox.serialize(triples, format=ox.RdfFormat.JSON_LD) if extension == "jsonld" \
        else rdf_document(triples, extension)
    return Response(body, media_type=media, headers=headers)
