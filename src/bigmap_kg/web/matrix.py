"""The experimental matrix page: facets, sorting, and its CSV and JSON-LD downloads."""

from __future__ import annotations

import asyncio
import csv
import io
import math
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ..queryfile import view
from ..results import rows_as_dicts, run
from .gateway import store_for
from .pages import TEMPLATES, labels, page_of

router = APIRouter(include_in_schema=False)
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


def _solutions(store: ox.Store) -> list[dict]:
    return rows_as_dicts(run(store, view("matrix-rows"), prefixes=False))


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


def all_rows(store) -> list[dict]:
    """The matrix rows (the gateway remembers the queries' answers per store generation)."""
    return _prepare(_solutions(store), labels(store))


def _select(request: Request, store) -> tuple[dict[str, str], list[dict], int]:
    selected = {k: v for k, v in request.query_params.items()
                if v and k in {name for name, _ in FACETS} | {"q"}}
    rows = all_rows(store)
    total = len(rows)
    kept = [r for r in rows if _keep(r, selected)]
    sort = request.query_params.get("sort", "")
    key = sort.lstrip("-")
    if key in dict(COLUMNS):
        kept = sorted(kept, key=_sort_key(key), reverse=sort.startswith("-"))
    return selected, kept, total


def _options(store: ox.Store, rows: list[dict]) -> list[dict]:
    names = labels(store)
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
         "options": sorted(((p.rsplit("/", 1)[1], names[p][0]) for p in used_partners
                            if p in names), key=lambda o: o[1])},
        {"name": "observable", "label": "Observable (with narrower)",
         "options": sorted(((c.rsplit("/", 1)[1], names[c][0]) for c in used_concepts
                            if c in names), key=lambda o: o[1].lower())},
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
    facets = await asyncio.to_thread(lambda: _options(store, all_rows(store)))
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
