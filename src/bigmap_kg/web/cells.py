"""The cell index page (D5.1 Appendix A): one card per operando cell, with filters."""

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
