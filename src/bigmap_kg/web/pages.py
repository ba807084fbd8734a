"""What every server-rendered page shares: the templates, an entity's site path, the labels
of the graph's things, and the 404 page."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ..namespaces import BASE
from ..queryfile import view
from ..results import run

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))


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
