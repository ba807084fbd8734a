"""Pages for the scientists: the filterable matrix and one page per entity (server-rendered)."""

from __future__ import annotations

import asyncio
import csv
import io
import math
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ..namespaces import BASE, curie
from ..queryfile import view
from ..relations import relations
from ..results import rows_as_dicts, run
from .apidocs import NODE_MODULES
from .collections import COLLECTIONS
from .gateway import store_for

router = APIRouter(include_in_schema=False)
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
FACETS = [("cluster", "Cluster"), ("category", "Sample format"), ("facility", "Facility type"),
          ("partner", "Partner"), ("observable", "Observable"), ("operando", "Operando"),
          ("cellformat", "Cell format"), ("lengthscale", "Length scale")]
#: length-scale bands (upper bound in metres) for the finest printed lateral resolution, else
#: the side of the smallest printed probed area (the competence map's two x-axis lengths)
LENGTH_SCALES = [("sub-nm", "below 1 nm", 1e-9), ("nm", "1 nm – 100 nm", 1e-7),
                 ("um", "100 nm – 10 µm", 1e-5), ("sub-mm", "10 µm – 1 mm", 1e-3),
                 ("mm", "1 mm and above", float("inf"))]
#: BattINFO battery format classes (data/ttl/cell-formats.ttl) by facet value
CELL_FORMATS = {
    "pouch": "https://w3id.org/emmo/domain/battery#battery_392b3f47_d62a_4bd4_a819_b58b09b8843a",
    "coin": "https://w3id.org/emmo/domain/battery#battery_b7fdab58_6e91_4c84_b097_b06eff86a124",
    "cylindrical":
        "https://w3id.org/emmo/domain/battery#battery_ac604ecd_cc60_4b98_b57c_74cd5d3ccd40",
    "swagelok": "https://w3id.org/emmo/domain/battery#battery_74d6a5a9_efd6_43de_ad4b_e7b5f6b64aae",
}
COLUMNS = [("technique", "Technique"), ("category", "Category"), ("area", "Probed area"),
           ("depth", "Penetration depth"), ("detection", "Detection limit and contrast"),
           ("observables", "Observables"), ("time", "Operando time resolution"),
           ("partners", "Partners")]


def page_of(iri: str) -> str:
    """The site path of an entity IRI (its dereferenceable page)."""
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else iri


def _solutions(store: ox.Store) -> list[dict]:
    return rows_as_dicts(run(store, view("matrix-rows"), prefixes=False))


def _labels(store: ox.Store) -> dict[str, tuple[str, str]]:
    return {r["thing"].value: (r["label"].value, r["kind"].value)
            for r in run(store, view("labels"), prefixes=False)}


def _prepare(rows: list[dict], labels: dict) -> list[dict]:
    for row in rows:
        row["partnerSet"] = set((row["partners"] or "").split())
        row["facilitySet"] = set((row["facilityTypes"] or "").split())
        row["conceptSet"] = set((row["concepts"] or "").split())
        row["formatSet"] = set((row["cellFormats"] or "").split())
        row["partnerLabels"] = ", ".join(sorted(labels[p][0] for p in row["partnerSet"]
                                                if p in labels))
        row["categoryClass"] = (row["categoryLabel"] or "unknown").lower()
        row["techniquePage"] = page_of(row["technique"])
        row["entryPage"] = page_of(row["entry"])
        row["lengthScale"] = _length_scale(row)
    return rows


def _length_scale(row: dict) -> str | None:
    """The band of the entry's printed spatial figure (None when D5.1 prints none)."""
    metres = float(row["resolution"]) if row["resolution"] else \
        math.sqrt(float(row["areaMin"])) if row["areaMin"] else None
    if metres is None:
        return None
    return next(key for key, _, upper in LENGTH_SCALES if metres < upper)


def _keep(row: dict, selected: dict[str, str]) -> bool:
    checks = {
        "cluster": lambda v: row["cluster"].endswith("/" + v),
        "category": lambda v: (row["categoryLabel"] or "").lower() == v,
        "facility": lambda v: any(f.endswith("#" + v) for f in row["facilitySet"]),
        "partner": lambda v: any(p.endswith("/" + v) for p in row["partnerSet"]),
        "observable": lambda v: any(c.endswith("/" + v) for c in row["conceptSet"]),
        "operando": lambda v: (row["categoryLabel"] in ("commercial", "realistic")) == (v == "yes"),
        "cellformat": lambda v: CELL_FORMATS.get(v) in row["formatSet"],
        "lengthscale": lambda v: row["lengthScale"] == v,
        "q": lambda v: v.lower() in " ".join(str(row[k] or "") for k in (
            "printed", "techniqueLabel", "observables", "area", "depth", "detection")).lower(),
    }
    return all(checks[name](value) for name, value in selected.items() if name in checks)


def _sort_key(key: str):
    def value(row: dict):
        if key == "technique":
            return (row["printed"] or "").lower()
        if key == "time":
            return row["timeMax"] is None, float(row["timeMax"] or 0)
        if key == "partners":
            return -len(row["partnerSet"])
        return str(row.get({"category": "categoryLabel"}.get(key, key)) or "~").lower()
    return value


def _all_rows(store) -> list[dict]:
    """The matrix rows (the gateway remembers the queries' answers per store generation)."""
    return _prepare(_solutions(store), _labels(store))


def _select(request: Request, store) -> tuple[dict[str, str], list[dict], int]:
    selected = {k: v for k, v in request.query_params.items()
                if v and k in {name for name, _ in FACETS} | {"q"}}
    rows = _all_rows(store)
    total = len(rows)
    kept = [r for r in rows if _keep(r, selected)]
    sort = request.query_params.get("sort", "")
    key = sort.lstrip("-")
    if key in dict(COLUMNS):
        kept = sorted(kept, key=_sort_key(key), reverse=sort.startswith("-"))
    return selected, kept, total


def _options(store: ox.Store, rows: list[dict]) -> list[dict]:
    labels = _labels(store)
    used_partners = {p for r in rows for p in r["partnerSet"]}
    used_concepts = {c for r in rows for c in r["conceptSet"]}
    clusters = sorted({(r["cluster"].rsplit("/", 1)[1], r["clusterLabel"]) for r in rows})
    return [
        {"name": "cluster", "label": "Cluster", "options": clusters},
        {"name": "category", "label": "Sample format",
         "options": [("commercial", "commercial"), ("realistic", "realistic"), ("model", "model")]},
        {"name": "facility", "label": "Facility type",
         "options": [("LaboratoryFacility", "laboratory"), ("NeutronFacility", "neutron"),
                     ("SynchrotronFacility", "synchrotron")]},
        {"name": "partner", "label": "Partner",
         "options": sorted(((p.rsplit("/", 1)[1], labels[p][0]) for p in used_partners
                            if p in labels), key=lambda o: o[1])},
        {"name": "observable", "label": "Observable (with narrower)",
         "options": sorted(((c.rsplit("/", 1)[1], labels[c][0]) for c in used_concepts
                            if c in labels), key=lambda o: o[1].lower())},
        {"name": "operando", "label": "Operando", "options": [("yes", "yes"), ("no", "no")]},
        {"name": "cellformat", "label": "Cell format (of a cell offered)",
         "options": [(f, f) for f in CELL_FORMATS]},
        {"name": "lengthscale", "label": "Length scale (printed resolution or probed area)",
         "options": [(key, label) for key, label, _ in LENGTH_SCALES]},
    ]


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/matrix", status_code=303)


@router.get("/matrix", response_class=HTMLResponse)
async def matrix(request: Request) -> HTMLResponse:
    store = store_for(request)
    selected, rows, total = await asyncio.to_thread(_select, request, store)
    facets = await asyncio.to_thread(lambda: _options(store, _all_rows(store)))
    sort = request.query_params.get("sort", "")
    sort_links = {key: "/matrix?" + urlencode({**selected, "sort": ("-" + key) if sort == key
                                                else key}) for key, _ in COLUMNS}
    clear_links = [(name, "/matrix?" + urlencode({k: v for k, v in selected.items() if k != name}))
                   for name in selected]
    return TEMPLATES.TemplateResponse(request, "matrix.html", {
        "title": "Experimental matrix", "rows": rows, "total": total, "facets": facets,
        "selected": selected, "columns": COLUMNS, "sort": sort, "sort_links": sort_links,
        "clear_links": clear_links, "query_string": urlencode(selected)})


@router.get("/matrix.csv")
async def matrix_csv(request: Request) -> Response:
    _, rows, _ = await asyncio.to_thread(_select, request, store_for(request))
    out = io.StringIO()
    fields = ["entry", "clusterLabel", "row", "categoryLabel", "printed", "area", "depth",
              "detection", "observables", "time", "partnerLabels"]
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": "attachment; filename=matrix.csv"})


@router.get("/matrix.jsonld")
async def matrix_jsonld(request: Request) -> JSONResponse:
    _, rows, _ = await asyncio.to_thread(_select, request, store_for(request))
    return JSONResponse({
        "@context": str(request.base_url) + "context.jsonld",
        "@graph": [{"@id": r["entry"], "@type": "bmo:MatrixEntry", "technique": r["technique"],
                    "cluster": r["cluster"], "techniqueAsPrinted": r["printed"]}
                   for r in rows]}, media_type="application/ld+json")


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


def not_found_page(request: Request, message: str) -> HTMLResponse:
    guess = request.url.path.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
    return TEMPLATES.TemplateResponse(request, "404.html", {
        "title": "Not found", "message": message, "guess": guess}, status_code=404)


def _cards(store: ox.Store) -> list[dict]:
    cards = rows_as_dicts(run(store, view("cell-cards"), prefixes=False))
    for card in cards:
        card["page"] = page_of(card["cell"])
        card["techniqueSet"] = set((card["techniques"] or "").split())
        card["windowSet"] = set((card["windows"] or "").split())
    return cards


def _cell_facets(cards: list[dict]) -> list[dict]:
    def slug(iri: str) -> str:
        return iri.rsplit("/", 1)[1]

    techniques = sorted({slug(t) for c in cards for t in c["techniqueSet"]})
    windows = sorted({slug(w) for c in cards for w in c["windowSet"]})
    partners = sorted({(slug(c["partner"]), c["partnerLabel"]) for c in cards if c["partner"]},
                      key=lambda o: o[1])
    return [
        {"name": "technique", "label": "Technique (narrower included)",
         "options": [(t, t) for t in techniques]},
        {"name": "geometry", "label": "Geometry",
         "options": [("transmission", "transmission"), ("reflection", "reflection")]},
        {"name": "window", "label": "Window material", "options": [(w, w) for w in windows]},
        {"name": "partner", "label": "Partner", "options": partners},
    ]


def _card_kept(card: dict, selected: dict[str, str]) -> bool:
    checks = {
        "technique": lambda v: any(t.endswith("/" + v) for t in card["techniqueSet"]),
        "geometry": lambda v: v in (card["geometries"] or ""),
        "window": lambda v: any(w.endswith("/" + v) for w in card["windowSet"]),
        "partner": lambda v: bool(card["partner"]) and card["partner"].endswith("/" + v),
    }
    return all(checks[k](v) for k, v in selected.items())


@router.get("/cells", response_class=HTMLResponse)
async def cell_index(request: Request) -> HTMLResponse:
    cards = await asyncio.to_thread(_cards, store_for(request))
    selected = {k: v for k, v in request.query_params.items()
                if v and k in {"technique", "geometry", "window", "partner"}}
    kept = [c for c in cards if _card_kept(c, selected)]
    clear_links = [(name, "/cells?" + urlencode({k: v for k, v in selected.items() if k != name}))
                   for name in selected]
    return TEMPLATES.TemplateResponse(request, "cells.html", {
        "title": "Cell index", "cards": kept, "total": len(cards),
        "facets": _cell_facets(cards), "selected": selected, "clear_links": clear_links})


YASGUI = NODE_MODULES / "@zazuko" / "yasgui" / "build"


@router.get("/sparql-editor", response_class=HTMLResponse)
async def sparql_editor(request: Request) -> HTMLResponse:
    """A real query editor (YASGUI, installed from npm by `make`) pre-loaded with the named
    queries."""
    return TEMPLATES.TemplateResponse(request, "sparql.html", {
        "title": "SPARQL", "yasgui": (YASGUI / "yasgui.min.js").exists()})


@router.get("/planner", response_class=HTMLResponse)
async def planner_page(request: Request) -> HTMLResponse:
    from ..planner import Constraints, PlanError, plan

    store = store_for(request)
    labels = await asyncio.to_thread(_labels, store)
    observables = sorted(((iri.rsplit("/", 1)[1], label) for iri, (label, kind) in labels.items()
                          if kind == "observable"), key=lambda o: o[1].lower())
    chosen = request.query_params.getlist("observable")
    operando = request.query_params.get("operando") == "yes"
    facility = request.query_params.get("facility") or ""
    result, error = None, None
    if chosen:
        try:
            found = await asyncio.to_thread(plan, store, chosen, Constraints(
                operando_only=operando, facility_types=(facility,) if facility else ()))
        except PlanError as problem:
            error = f"{problem}" + (f" (did you mean {', '.join(problem.close_matches)}?)"
                                    if problem.close_matches else "")
        else:
            entry_labels = {r["entry"]: r["printed"] + (f" ({r['categoryLabel']})"
                                                        if r["categoryLabel"] else "")
                            for r in await asyncio.to_thread(_all_rows, store)}
            result = {
                "uncovered": found.uncovered,
                "uncovered_labels": [labels.get(o, (o, ""))[0] for o in found.uncovered],
                "plans": [{**p.as_dict(), "entries": [{"page": page_of(e),
                                                       "label": entry_labels.get(e, e)}
                                                      for e in p.entries]}
                          for p in found.plans]}
    return TEMPLATES.TemplateResponse(request, "planner.html", {
        "title": "Planner", "observables": observables, "chosen": chosen,
        "operando": operando, "facility": facility, "result": result, "error": error})
