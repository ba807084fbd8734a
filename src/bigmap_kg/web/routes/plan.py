"""POST /api/plan: the experiment planner over HTTP."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Body, HTTPException, Request
from pydantic import BaseModel, Field

from ...planner import Constraints, PlanError, plan
from ..server.gateway import store_for

router = APIRouter()


#: a name (slug, CURIE or IRI) the planner is given: longer ones are refused with 422
Name = Annotated[str, Field(max_length=300)]


class PlanRequest(BaseModel):
    observables: list[Name] = Field(..., min_length=1, max_length=12,
                                   examples=[["crystal-structure", "sei-composition",
                                              "lithium-distribution"]],
                                   description="Observables the study needs (slugs, CURIEs or "
                                               "IRIs of the observable scheme).")
    operando_only: bool = Field(False, description="Only commercial / realistic rows.")
    categories: list[Name] = Field([], max_length=3, description="commercial, realistic, model")
    facility_types: list[Name] = Field([], max_length=3,
                                       description="laboratory, neutron, synchrotron")
    partners: list[Name] = Field([], max_length=50,
                                 description="Only offers of these partners (slugs).")
    material: Name | None = Field(None, description="Only techniques the Tier 1 plan applies to "
                                                   "this material (e.g. lno, graphite).")
    max_size: int = Field(4, ge=1, le=5, description="Largest set of entries examined.")
    limit: int = Field(10, ge=1, le=100, description="Plans returned.")


EXAMPLES = {
    "operando structure, SEI and lithium": {"value": {
        "observables": ["crystal-structure", "sei-composition", "lithium-distribution"],
        "operando_only": True}},
    "on LNO, at synchrotrons": {"value": {
        "observables": ["crystal-structure", "oxidation-state"], "material": "lno",
        "facility_types": ["synchrotron"]}},
}


@router.post("/api/plan", tags=["Reasoning"], summary="Plan a multi-technique study",
             description="Smallest sets of matrix entries covering all requested observables "
                         "under the constraints, ranked: fewest techniques, most partners able "
                         "to cross-check, a shared cell, best time resolution. Exact (every "
                         "combination up to max_size is examined). When nothing covers "
                         "everything, `uncovered` lists what is left and `why_uncovered` the "
                         "rows that measure each and the constraints whose removal covers it; "
                         "`labels` names every IRI of the answer.")
async def plan_route(request: Request,
                     body: Annotated[PlanRequest, Body(openapi_examples=EXAMPLES)]) -> dict:
    constraints = Constraints(operando_only=body.operando_only,
                              categories=tuple(body.categories),
                              facility_types=tuple(body.facility_types),
                              partners=tuple(body.partners), material=body.material,
                              max_size=body.max_size, limit=body.limit)
    try:
        result = await asyncio.to_thread(plan, store_for(request), body.observables,
                                         constraints)
    except PlanError as error:
        raise HTTPException(422, {"error": str(error),
                                  "closeMatches": error.close_matches}) from None
    return result.as_dict()
