"""The cell index page (D5.1 Appendix A): one card per operando cell, with filters.

Facets may take several values (`technique=xrd&technique=xas`): a cell must serve *every*
chosen technique (narrower techniques included: a cell for synchrotron XRD serves XRD); for
the other facets any chosen value will do. `q` searches the text of the card."""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ...queryfile import view
from ...results import rows_as_dicts, run
from ..server.gateway import store_for
from .facets import Selection, counted, passes, query, selection, slug, without
from .shared import CELL_FORMATS, TEMPLATES, labels, page_of

router = APIRouter(include_in_schema=False)
FACETS = {"technique": "Techniques (all of them; narrower included)",
          "cellformat": "Cell format", "geometry": "Geometry", "window": "Window material",
          "partner": "Partner"}
SEARCHED = ("label", "partnerLabel", "makeLabel", "geometries", "windowLabels",
            "techniqueLabels", "formatLabels")


def _cards(store: ox.Store) -> list[dict]:
    formats = {iri: key for key, (iri, _) in CELL_FORMATS.items()}
    cards = rows_as_dicts(run(store, view("cell-cards"), prefixes=False))
    for card in cards:
        card["page"] = page_of(card["cell"])
        card["techniqueIris"] = set((card["techniques"] or "").split())
        card["windowIris"] = set((card["windows"] or "").split())
        card["techniqueSet"] = {slug(t) for t in card["techniqueIris"]}
        card["windowSet"] = {slug(w) for w in card["windowIris"]}
        card["formatSet"] = {formats[f] for f in (card["formats"] or "").split() if f in formats}
        card["formatLabels"] = ", ".join(sorted(card["formatSet"]))
        card["searchText"] = " ".join(card[k] or "" for k in SEARCHED).lower()
    return cards


#: facet → whether a card has one value of it
CHECKS = {
    "technique": lambda card, v: v in card["techniqueSet"],
    "cellformat": lambda card, v: v in card["formatSet"],
    "geometry": lambda card, v: v in (card["geometries"] or ""),
    "window": lambda card, v: v in card["windowSet"],
    "partner": lambda card, v: bool(card["partner"]) and slug(card["partner"]) == v,
    "q": lambda card, v: v.lower() in card["searchText"],
}
EVERY = {"technique"}  # a cell must serve every chosen technique


def card_check(card: dict, name: str, value: str) -> bool:
    return CHECKS[name](card, value)


def _cell_facets(cards: list[dict], selected: Selection, names: dict) -> list[dict]:
    """The facets with their options (value, label, cells kept with that value chosen)."""
    def labelled(iris: set[str]) -> list[tuple[str, str]]:
        return sorted({(slug(i), names.get(i, (slug(i),))[0]) for i in iris},
                      key=lambda o: o[1].lower())

    options = {
        "technique": labelled({t for c in cards for t in c["techniqueIris"]}),
        "cellformat": [(key, name) for key, (_, name) in CELL_FORMATS.items()],
        "geometry": [("transmission", "transmission"), ("reflection", "reflection")],
        "window": labelled({w for c in cards for w in c["windowIris"]}),
        "partner": sorted({(slug(c["partner"]), c["partnerLabel"]) for c in cards
                           if c["partner"]}, key=lambda o: o[1]),
    }
    return counted([{"name": name, "label": FACETS[name], "options": choices}
                    for name, choices in options.items()], cards, selected, card_check, EVERY)


def _page(store: ox.Store, selected: Selection) -> dict:
    cards = _cards(store)
    kept = [c for c in cards if passes(c, selected, card_check, EVERY)]
    clear_links = [(FACETS.get(name, "search"), "/cells?" + query(without(selected, name)))
                   for name in selected]
    return {"cards": kept, "total": len(cards), "selected": selected,
            "facets": _cell_facets(cards, selected, labels(store)), "clear_links": clear_links}


@router.get("/cells", response_class=HTMLResponse)
async def cell_index(request: Request) -> HTMLResponse:
    chosen = selection(request.query_params, FACETS)
    found = await asyncio.to_thread(_page, store_for(request), chosen)
    return TEMPLATES.TemplateResponse(request, "cells.html", {"title": "Cell index", **found})
