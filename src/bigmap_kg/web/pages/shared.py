"""What every server-rendered page shares: the templates, an entity's site path, the labels
of the graph's things, and the 404 page."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ...namespaces import BASE, PREFIXES
from ...queryfile import view
from ...results import run

#: BattINFO battery format classes (data/ttl/cell-formats.ttl) by facet value: (IRI, name). The
#: names are ours: the graph holds no annotation on another ontology's class
CELL_FORMATS = {
    "pouch": (PREFIXES["battery"] + "battery_392b3f47_d62a_4bd4_a819_b58b09b8843a", "pouch cell"),
    "coin": (PREFIXES["battery"] + "battery_b7fdab58_6e91_4c84_b097_b06eff86a124", "coin cell"),
    "cylindrical": (PREFIXES["battery"] + "battery_ac604ecd_cc60_4b98_b57c_74cd5d3ccd40",
                    "cylindrical cell"),
    "swagelok": (PREFIXES["battery"] + "battery_74d6a5a9_efd6_43de_ad4b_e7b5f6b64aae",
                 "Swagelok cell"),
}
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent.parent / "templates"))


def page_of(iri: str) -> str:
    """The site path of an entity IRI (its dereferenceable page)."""
    return "/" + iri[len(BASE):] if iri.startswith(BASE) else iri


def labels(store: ox.Store) -> dict[str, tuple[str, str]]:
    """Every labelled thing of the graph → (label, kind)."""
    return {r["thing"].value: (r["label"].value, r["kind"].value)
            for r in run(store, view("labels"), prefixes=False)}


def not_found_page(request: Request, message: str) -> HTMLResponse:
    guess = request.url.path.rstrip("/").rsplit("/", 1)[-1].split(".")[0]
    return TEMPLATES.TemplateResponse(request, "404.html", {
        "title": "Not found", "message": message, "guess": guess}, status_code=404)
