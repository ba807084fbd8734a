"""The Tier 1 explorer (/tier1): the experiments of D5.1's Tables 1-4, filtered by material,
partner, technique, theme and start month (the URL holds the filters, named as in
/api/experiments), on a month-axis chart of the workflow periods and as tables."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..queryfile import view
from ..results import rows_as_dicts, run
from .gateway import store_for
from .pages import TEMPLATES, page_of

router = APIRouter(include_in_schema=False)
#: filter name → (heading, the links of an experiment it looks at)
FILTERS = {"material": ("Material", ("material",)), "partner": ("Partner", ("partner",)),
           "technique": ("Technique (narrower included)", ("technique", "broader technique")),
           "theme": ("Theme", ("theme",))}
MONTHS = 36  # the project's months (section 3.2: six periods of six months)


def experiments(store: ox.Store) -> tuple[list[dict], list[dict]]:
    """The experiments with their links (kind → [(page, label)], kind → slugs) and the periods."""
    rows = rows_as_dicts(run(store, view("tier1-experiments"), prefixes=False))
    by_iri = {r["experiment"]: {**r, "page": page_of(r["experiment"]), "links": {},
                                "slugs": {}} for r in rows}
    for link in rows_as_dicts(run(store, view("tier1-links"), prefixes=False)):
        row = by_iri[link["experiment"]]
        row["links"].setdefault(link["link"], []).append((page_of(link["thing"]), link["label"]))
        row["slugs"].setdefault(link["link"], set()).add(link["thing"].rsplit("/", 1)[1])
    for row in by_iri.values():
        for key in ("start", "end", "table", "row"):
            row[key] = int(row[key]) if row[key] else None
    periods = [{"label": r["label"], "start": int(r["start"]), "end": int(r["end"]),
                "page": page_of(r["p"])}
               for r in rows_as_dicts(run(store, view("periods"), prefixes=False))]
    return list(by_iri.values()), periods


def kept(row: dict, selected: dict[str, str]) -> bool:
    for name, value in selected.items():
        if name == "before":
            if row["start"] is None or row["start"] >= int(value):
                return False
        elif not any(value in row["slugs"].get(kind, ()) for kind in FILTERS[name][1]):
            return False
    return True


def options(rows: list[dict]) -> list[dict]:
    """One facet per filter, with the values present and how many experiments have each."""
    facets = []
    for name, (heading, kinds) in FILTERS.items():
        counts: dict[tuple[str, str], int] = {}
        for row in rows:
            seen = {(page.rsplit("/", 1)[1], label) for kind in kinds[:1]
                    for page, label in row["links"].get(kind, [])}
            for value in seen:
                counts[value] = counts.get(value, 0) + 1
        facets.append({"name": name, "label": heading, "options": [
            (slug, f"{label} ({n})") for (slug, label), n in
            sorted(counts.items(), key=lambda kv: kv[0][1].lower())]})
    facets.append({"name": "before", "label": "Starts before month", "options": [
        (str(m), f"M{m}") for m in range(6, MONTHS + 1, 6)]})
    return facets


@router.get("/tier1", response_class=HTMLResponse)
async def tier1(request: Request) -> HTMLResponse:
    rows, periods = await asyncio.to_thread(experiments, store_for(request))
    names = set(FILTERS) | {"before"}
    selected = {k: v for k, v in request.query_params.items() if k in names and v}
    if "before" in selected and not selected["before"].isdigit():
        selected.pop("before")
    shown = [r for r in rows if kept(r, selected)]
    tables = [(table, [r for r in shown if r["table"] == table])
              for table in sorted({r["table"] for r in shown})]
    clear_links = [(name, "/tier1?" + urlencode({k: v for k, v in selected.items() if k != name}))
                   for name in selected]
    return TEMPLATES.TemplateResponse(request, "tier1.html", {
        "title": "Tier 1 plan", "tables": tables, "periods": periods, "months": MONTHS,
        "timed": sorted((r for r in shown if r["start"]),
                        key=lambda r: (r["start"], r["end"] or r["start"])),
        "untimed": [r for r in shown if not r["start"]], "shown": len(shown),
        "total": len(rows), "facets": options(rows), "selected": selected,
        "clear_links": clear_links})
