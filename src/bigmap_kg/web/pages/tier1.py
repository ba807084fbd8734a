"""The Tier 1 explorer (/tier1): the experiments of D5.1's Tables 1-4 on a month-axis chart of
the workflow periods and as tables, filtered by the facet engine (facets.py): material, partner,
technique, theme (named as in /api/experiments) and start month, several values of a facet
meaning any of them, each option with the number of experiments it would give; `q` searches
the printed text of a row."""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...queryfile import view
from ...results import rows_as_dicts, run
from ..server.gateway import store_for
from .facets import Selection, counted, passes, query, selection, without
from .shared import TEMPLATES, page_of

router = APIRouter(include_in_schema=False)
#: facet → (heading, the links of an experiment it looks at; the first gives its options)
FILTERS = {"material": ("Material", ("material",)), "partner": ("Partner", ("partner",)),
           "technique": ("Technique (narrower included)", ("technique", "broader technique")),
           "theme": ("Theme", ("theme",))}
BEFORE = "before"  # the start-month facet: experiments starting before month <value>
SEARCHED = ("partnersAsPrinted", "experimentAsPrinted", "object", "observables", "time",
            "themeLabel")
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
        linked = [label for links in row["links"].values() for _, label in links]
        row["searchText"] = " ".join([*(row[k] or "" for k in SEARCHED), *linked]).lower()
    periods = [{"label": r["label"], "start": int(r["start"]), "end": int(r["end"]),
                "page": page_of(r["p"])}
               for r in rows_as_dicts(run(store, view("periods"), prefixes=False))]
    return list(by_iri.values()), periods


def check(row: dict, name: str, value: str) -> bool:
    """Whether an experiment has one value of a facet."""
    if name == BEFORE:
        return row["start"] is not None and row["start"] < int(value)
    if name == "q":
        return value.lower() in row["searchText"]
    return any(value in row["slugs"].get(kind, ()) for kind in FILTERS[name][1])


def facets(rows: list[dict], selected: Selection) -> list[dict]:
    """One facet per filter with the values present, and the start months; each option with
    the number of experiments it would give."""
    found = []
    for name, (heading, kinds) in FILTERS.items():
        values = {(page.rsplit("/", 1)[1], label) for row in rows
                  for page, label in row["links"].get(kinds[0], [])}
        found.append({"name": name, "label": heading,
                      "options": sorted(values, key=lambda v: v[1].lower())})
    found.append({"name": BEFORE, "label": "Starts before month",
                  "options": [(str(m), f"M{m}") for m in range(6, MONTHS + 1, 6)]})
    return counted(found, rows, selected, check)


@router.get("/tier1", response_class=HTMLResponse)
async def tier1(request: Request) -> HTMLResponse:
    rows, periods = await asyncio.to_thread(experiments, store_for(request))
    selected = selection(request.query_params, {*FILTERS, BEFORE})
    months = [v for v in selected.pop(BEFORE, []) if v.isdigit()]  # others are ignored
    if months:
        selected[BEFORE] = months
    shown = [r for r in rows if passes(r, selected, check)]
    tables = [(table, [r for r in shown if r["table"] == table])
              for table in sorted({r["table"] for r in shown})]
    clear_links = [(name if name != "q" else "search", "/tier1?" + query(without(selected, name)))
                   for name in selected]
    return TEMPLATES.TemplateResponse(request, "tier1.html", {
        "title": "Tier 1 plan", "tables": tables, "periods": periods, "months": MONTHS,
        "timed": sorted((r for r in shown if r["start"]),
                        key=lambda r: (r["start"], r["end"] or r["start"])),
        "untimed": [r for r in shown if not r["start"]], "shown": len(shown),
        "total": len(rows), "facets": facets(rows, selected), "selected": selected,
        "clear_links": clear_links})
