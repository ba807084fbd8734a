"""The SPARQL editor page: YASGUI (installed from npm by `make`) with the named queries."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from ..routes.apidocs import NODE_MODULES
from .shared import TEMPLATES

router = APIRouter(include_in_schema=False)
YASGUI = NODE_MODULES / "@zazuko" / "yasgui" / "build"


@router.get("/sparql-editor", response_class=HTMLResponse)
async def sparql_editor(request: Request) -> HTMLResponse:
    """A real query editor (YASGUI, installed from npm by `make`) pre-loaded with the named
    queries."""
    return TEMPLATES.TemplateResponse(request, "sparql.html", {
        "title": "SPARQL", "yasgui": (YASGUI / "yasgui.min.js").exists()})
