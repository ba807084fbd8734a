"""One page per entity: what the graph says about it, with its relations, cells and datasets."""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse

from ..namespaces import BASE, curie
from ..queryfile import view
from ..relations import relations
from ..results import rows_as_dicts, run
from .collections import COLLECTIONS
from .pages import TEMPLATES, page_of


def entity_page(request: Request, store, iri: str, triples: list[ox.Triple],
                base: str) -> HTMLResponse:
    """Everything the graph says about the entity, with links both ways where rules made them
    (queries: call it in a thread)."""
    subject = ox.NamedNode(iri)
    names: dict[str, str] = {}
    for triple in triples:
        if triple.predicate.value in ("http://www.w3.org/2000/01/rdf-schema#label",
                                      "http://www.w3.org/2004/02/skos/core#prefLabel",
                                      "http://purl.org/dc/terms/title"):
            names.setdefault(triple.subject.value, triple.object.value)
    owned: dict[ox.BlankNode, list[ox.Triple]] = {}
    for triple in triples:
        if isinstance(triple.subject, ox.BlankNode):
            owned.setdefault(triple.subject, []).append(triple)

    def link(node: ox.NamedNode) -> dict:
        return {"text": names.get(node.value, curie(node.value)),
                "href": page_of(node.value) if node.value.startswith(BASE) else None}

    facts: dict[str, list[dict]] = {}
    for triple in triples:
        if triple.subject != subject:
            continue
        name = curie(triple.predicate.value).split(":", 1)[-1]
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
        facts.setdefault(name, []).append(item)
    related, cells = [], []
    if "/technique/" in iri:
        for r in relations(store, iri):
            related.append({**r.as_dict(), "other_href": page_of(r.other) if r.other else None,
                            "cell_href": page_of(r.cell) if r.cell else None})
        cells = technique_cells(store, iri)
    ordered = sorted(facts.items(), key=lambda kv: (kv[0] not in ("label", "prefLabel"), kv[0]))
    return TEMPLATES.TemplateResponse(request, "entity.html", {
        "title": names.get(iri, curie(iri)), "iri": iri, "base": base, "facts": ordered,
        "relations": related, "cells": cells,
        "cells_link": "/cells?" + urlencode({"technique": iri.rsplit("/", 1)[1]}),
        "datasets": _datasets_of(store, iri)})


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
    """How many ingested datasets the entity is linked to (capped at 100+), and where to list
    them; None for kinds datasets do not link to."""
    kind, _, local = iri[len(BASE):].partition("/")
    name = DATASET_FILTER_OF.get(kind)
    if name is None:
        return None
    pattern = COLLECTIONS["datasets"].filters[name].pattern
    rows = list(run(store, view("datasets-of-entity").replace("FILTER_PATTERN", pattern),
                    prefixes=False, bindings={"value": ox.NamedNode(iri)}))
    return {"count": "100+" if len(rows) > 100 else str(len(rows)),
            "href": f"/api/datasets?{urlencode({name: local})}"}
