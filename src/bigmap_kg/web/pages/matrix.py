"""The experimental matrix page: facets (facets.py), sorting, and its CSV and JSON-LD
downloads, which honour the same facets."""

from __future__ import annotations

import asyncio
import csv
import io
import math

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ...queryfile import view
from ...results import rows_as_dicts, run
from ..server.gateway import store_for
from .facets import (
    OFFER_FACETS,
    Offer,
    Selection,
    counted,
    keep,
    query,
    row_check,
    row_kept,
    selection,
    slug,
    without,
)
from .shared import CELL_FORMATS, TEMPLATES, labels, page_of

router = APIRouter(include_in_schema=False)
FACETS = [("cluster", "Cluster"), ("category", "Sample format"), ("facility", "Facility type"),
          ("partner", "Partner"), ("observable", "Observable"), ("operando", "Operando"),
          ("cellformat", "Cell format"), ("lengthscale", "Length scale")]
FACET_NAMES = {name for name, _ in FACETS} | {"q"}
#: length-scale bands (upper bound in metres) for the finest printed lateral resolution, else
#: the side of the smallest printed probed area (the competence map's two x-axis lengths)
LENGTH_SCALES = [("sub-nm", "below 1 nm", 1e-9), ("nm", "1 nm – 100 nm", 1e-7),
                 ("um", "100 nm – 10 µm", 1e-5), ("sub-mm", "10 µm – 1 mm", 1e-3),
                 ("mm", "1 mm and above", float("inf"))]
COLUMNS = [("technique", "Technique"), ("category", "Category"), ("area", "Probed area"),
           ("depth", "Penetration depth"), ("detection", "Detection limit and contrast"),
           ("observables", "Observables"), ("time", "Operando time resolution"),
           ("partners", "Partners"), ("cells", "Cells")]
SEARCHED = ("printed", "techniqueLabel", "observables", "area", "depth", "detection")


def _solutions(store: ox.Store) -> list[dict]:
    """The rows in table order (cluster, then row number), sorted here: an ORDER BY in the
    view cost more than the rest of it (issue 14)."""
    rows = rows_as_dicts(run(store, view("matrix-rows"), prefixes=False))
    return sorted(rows, key=lambda r: (r["cluster"], int(r["row"])))


def _offers(store: ox.Store, names: dict) -> dict[str, list[Offer]]:
    """Entry → its offers (view matrix-offers) labelled as the row prints them, a cell's
    formats and an instrument's facility type as the facet values."""
    formats = {iri: key for key, (iri, _) in CELL_FORMATS.items()}
    merged: dict[tuple[str, str, str, str], set[str]] = {}
    printed: dict[tuple[str, str], str] = {}  # the offer's text in the row
    for r in rows_as_dicts(run(store, view("matrix-offers"), prefixes=False)):
        features = merged.setdefault((r["entry"], r["kind"], r["partner"], r["thing"]), set())
        if r["feature"]:
            features.add(formats.get(r["feature"], slug(r["feature"])))
        printed[(r["entry"], r["thing"])] = r["printed"] or names.get(r["thing"],
                                                                      (slug(r["thing"]),))[0]
    found: dict[str, list[Offer]] = {}
    for (entry, kind, partner, thing), features in merged.items():
        found.setdefault(entry, []).append(
            Offer(kind, partner, thing, printed[(entry, thing)], frozenset(features)))
    for offers in found.values():
        offers.sort(key=lambda o: (o.kind, o.label.lower()))
    return found


def _prepare(rows: list[dict], offers: dict[str, list[Offer]], names: dict) -> list[dict]:
    for row in rows:
        row["conceptSet"] = set((row["concepts"] or "").split())
        row["conceptSlugs"] = {slug(c) for c in row["conceptSet"]}
        row["offers"] = offers.get(row["entry"], [])
        row["categoryClass"] = (row["categoryLabel"] or "unknown").lower()
        row["techniquePage"] = page_of(row["technique"])
        row["entryPage"] = page_of(row["entry"])
        row["lengthScale"] = _length_scale(row)
        row["searchText"] = " ".join(str(row[k] or "") for k in SEARCHED).lower()
        _show(row, row["offers"], names)
    return rows


def _show(row: dict, shown: list[Offer], names: dict) -> None:
    """Set the row's Partners and Cells columns to the offers shown."""
    partners = sorted({o.partner for o in shown}, key=lambda p: names.get(p, (p,))[0])
    row["partnerLinks"] = [(names.get(p, (slug(p),))[0], page_of(p)) for p in partners]
    row["cellLinks"] = [(o.label, page_of(o.thing), names.get(o.partner, (slug(o.partner),))[0])
                        for o in shown if o.kind == "cell"]
    row["shownOffers"] = shown
    row["partnerLabels"] = ", ".join(label for label, _ in row["partnerLinks"])
    row["cellLabels"] = "; ".join(f"{c} ({p})" for c, _, p in row["cellLinks"])


def _length_scale(row: dict) -> str | None:
    """The band of the entry's printed spatial figure (None when D5.1 prints none)."""
    metres = float(row["resolution"]) if row["resolution"] else \
        math.sqrt(float(row["areaMin"])) if row["areaMin"] else None
    if metres is None:
        return None
    return next(key for key, _, upper in LENGTH_SCALES if metres < upper)


def _sort_key(key: str):
    def value(row: dict):
        if key == "technique":
            return (row["printed"] or "").lower()
        if key == "time":
            return row["timeMax"] is None, float(row["timeMax"] or 0)
        if key in ("partners", "cells"):
            return -len(row["partnerLinks" if key == "partners" else "cellLinks"])
        return str(row.get({"category": "categoryLabel"}.get(key, key)) or "~").lower()
    return value


def all_rows(store) -> list[dict]:
    """The matrix rows with all their offers (the gateway remembers the queries' answers per
    store generation)."""
    names = labels(store)
    return _prepare(_solutions(store), _offers(store, names), names)


def _select(request: Request, store) -> tuple[Selection, list[dict], list[dict]]:
    """The selection, the rows it keeps (their offers narrowed, sorted as asked) and all rows."""
    selected = selection(request.query_params, FACET_NAMES)
    rows = all_rows(store)
    names = labels(store)
    kept = []
    for row in rows:
        shown = keep(row, selected)
        if shown is not None:
            kept.append(row)
            _show(row, shown, names)
    sort = request.query_params.get("sort", "")
    key = sort.lstrip("-")
    if key in dict(COLUMNS):
        kept = sorted(kept, key=_sort_key(key), reverse=sort.startswith("-"))
    return selected, kept, rows


def _options(store: ox.Store, rows: list[dict], selected: Selection) -> list[dict]:
    """The facets with their options (value, label, count of rows it would give)."""
    names = labels(store)
    used_partners = {o.partner for r in rows for o in r["offers"]}
    used_concepts = {c for r in rows for c in r["conceptSet"]}
    clusters = sorted({(slug(r["cluster"]), r["clusterLabel"]) for r in rows})
    facets = [
        {"name": "cluster", "label": "Cluster", "options": clusters},
        {"name": "category", "label": "Sample format",
         "options": [("commercial", "commercial"), ("realistic", "realistic"), ("model", "model")]},
        {"name": "operando", "label": "Operando", "options": [("yes", "yes"), ("no", "no")]},
        {"name": "cellformat", "label": "Cell format (of a cell offered)",
         "options": [(key, name) for key, (_, name) in CELL_FORMATS.items()]},
        {"name": "facility", "label": "Facility type",
         "options": [("LaboratoryFacility", "laboratory"), ("NeutronFacility", "neutron"),
                     ("SynchrotronFacility", "synchrotron")]},
        {"name": "partner", "label": "Partner",
         "options": sorted(((slug(p), names[p][0]) for p in used_partners if p in names),
                           key=lambda o: o[1])},
        {"name": "observable", "label": "Observable (with narrower)",
         "options": sorted(((slug(c), names[c][0]) for c in used_concepts if c in names),
                           key=lambda o: o[1].lower())},
        {"name": "lengthscale", "label": "Length scale (printed resolution or probed area)",
         "options": [(key, label) for key, label, _ in LENGTH_SCALES]},
    ]
    return counted(facets, rows, selected, row_check, keeps=row_kept, joint=OFFER_FACETS)


@router.get("/")
async def home() -> RedirectResponse:
    return RedirectResponse("/matrix", status_code=303)


@router.get("/matrix", response_class=HTMLResponse)
async def matrix(request: Request) -> HTMLResponse:
    store = store_for(request)
    selected, rows, everything = await asyncio.to_thread(_select, request, store)
    facets = await asyncio.to_thread(_options, store, everything, selected)
    sort = request.query_params.get("sort", "")
    sort_links = {key: "/matrix?" + query(selected, sort=("-" + key) if sort == key else key)
                  for key, _ in COLUMNS}
    clear_links = [(dict(FACETS).get(name, "search"),
                    "/matrix?" + query(without(selected, name), sort=sort)) for name in selected]
    return TEMPLATES.TemplateResponse(request, "matrix.html", {
        "title": "Experimental matrix", "rows": rows, "total": len(everything),
        "facets": facets, "selected": selected, "columns": COLUMNS, "sort": sort,
        "sort_links": sort_links, "clear_links": clear_links, "query_string": query(selected)})


@router.get("/matrix.csv")
async def matrix_csv(request: Request) -> Response:
    _, rows, _ = await asyncio.to_thread(_select, request, store_for(request))
    out = io.StringIO()
    fields = ["entry", "clusterLabel", "row", "categoryLabel", "printed", "area", "depth",
              "detection", "observables", "time", "partnerLabels", "cellLabels"]
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
                    "cluster": r["cluster"], "techniqueAsPrinted": r["printed"],
                    "hasCellOffer": [{"@type": "bmo:CellOffer", "partner": o.partner,
                                      "cell": o.thing}
                                     for o in r["shownOffers"] if o.kind == "cell"],
                    "hasInstrumentOffer": [{"@type": "bmo:InstrumentOffer", "partner": o.partner,
                                            "instrument": o.thing}
                                           for o in r["shownOffers"] if o.kind == "instrument"]}
                   for r in rows]}, media_type="application/ld+json")
