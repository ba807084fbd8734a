"""The planner page: choose observables and constraints, read the ranked plans."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..planner import Constraints, PlanError, plan
from .gateway import store_for
from .matrix import all_rows
from .pages import TEMPLATES, labels, page_of

router = APIRouter(include_in_schema=False)


@router.get("/planner", response_class=HTMLResponse)
async def planner_page(request: Request) -> HTMLResponse:
    store = store_for(request)
    names = await asyncio.to_thread(labels, store)
    observables = sorted(((iri.rsplit("/", 1)[1], label) for iri, (label, kind) in names.items()
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
                            for r in await asyncio.to_thread(all_rows, store)}
            result = {
                "uncovered": found.uncovered,
                "uncovered_labels": [names.get(o, (o, ""))[0] for o in found.uncovered],
                "plans": [{**p.as_dict(), "entries": [{"page": page_of(e),
                                                       "label": entry_labels.get(e, e)}
                                                      for e in p.entries]}
                          for p in found.plans]}
    return TEMPLATES.TemplateResponse(request, "planner.html", {
        "title": "Planner", "observables": observables, "chosen": chosen,
        "operando": operando, "facility": facility, "result": result, "error": error})
