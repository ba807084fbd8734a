"""The planner page: choose observables and constraints, read the ranked alternatives — which
technique covers which observable, who offers it where with which instrument and cell, and why
an observable is left uncovered with the constraint to relax."""

from __future__ import annotations

import asyncio
from itertools import groupby

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...planner import FACILITY_TYPES, Constraints, PlanError, PlanResult, plan
from ...queryfile import view
from ...results import rows_as_dicts, run
from ..server.gateway import store_for
from .shared import TEMPLATES, page_of

router = APIRouter(include_in_schema=False)
FACILITIES = ["laboratory", "neutron", "synchrotron"]


def _choices(store) -> dict[str, list]:
    """Observables grouped by top concept, materials and partners: (value, label) pairs."""
    rows = rows_as_dicts(run(store, view("planner-choices"), prefixes=False))
    local = {kind: [(r["value"].rsplit("/", 1)[1], r["label"]) for r in rows if r["kind"] == kind]
             for kind in ("material", "partner")}
    observables = [r for r in rows if r["kind"] == "observable"]
    groups = [(label, [(r["value"].rsplit("/", 1)[1], r["label"]) for r in members])
              for label, members in groupby(observables, key=lambda r: r["groupLabel"])]
    return {**local, "groups": groups}


def _link(result: PlanResult, iri: str) -> dict:
    return {"href": page_of(iri), "text": result.labels.get(iri, iri.rsplit("/", 1)[-1])}


def _readable(result: PlanResult) -> dict:
    """The plan result with every IRI turned into a labelled link, step by step."""
    def links(iris) -> list[dict]:
        return sorted((_link(result, i) for i in iris), key=lambda link: link["text"].lower())

    plans = []
    for found in result.plans:
        steps = [{"entry": _link(result, entry), "covers": links(found.covers[entry]),
                  "partners": links(found.partners[entry]),
                  "instruments": links(found.instruments[entry]),
                  "cells": links(found.cells[entry])} for entry in found.entries]
        plans.append({"steps": steps, "shared_cells": links(found.shared_cells),
                      "cross_checked": sum(len(s["partners"]) > 1 for s in steps),
                      "time": found.best_time_resolution_s})
    return {"covered": links(result.covered), "plans": plans,
            "uncovered": [{"observable": _link(result, why.observable),
                           "measured_by": links(why.measured_by), "relax": why.relax}
                          for why in result.why_uncovered]}


@router.get("/planner", response_class=HTMLResponse)
async def planner_page(request: Request) -> HTMLResponse:
    store = store_for(request)
    choices = await asyncio.to_thread(_choices, store)
    params = request.query_params
    chosen = params.getlist("observable")
    form = {"chosen": chosen, "operando": params.get("operando") == "yes",
            "facility": params.get("facility") if params.get("facility") in FACILITY_TYPES
            else "", "material_chosen": params.get("material") or ""}
    result, error = None, None
    if chosen:
        constraints = Constraints(
            operando_only=form["operando"], material=form["material_chosen"] or None,
            facility_types=(form["facility"],) if form["facility"] else ())
        try:
            found = await asyncio.to_thread(plan, store, chosen, constraints)
        except PlanError as problem:
            error = f"{problem}" + (f" (did you mean {', '.join(problem.close_matches)}?)"
                                    if problem.close_matches else "")
        else:
            result = _readable(found)
    return TEMPLATES.TemplateResponse(request, "planner.html", {
        "title": "Planner", **choices, **form, "facilities": FACILITIES, "result": result,
        "error": error})
