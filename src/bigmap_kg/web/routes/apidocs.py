"""The OpenAPI page (/docs): Swagger UI served from the npm package `make` installs, never from
a CDN, so the documentation works with no internet like the SPARQL editor does."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

#: front-end packages from the npm registry (package.json; `make` runs npm ci)
NODE_MODULES = Path(__file__).resolve().parents[4] / "node_modules"
SWAGGER_UI = NODE_MODULES / "swagger-ui-dist"

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
async def swagger_ui() -> HTMLResponse:
    if not (SWAGGER_UI / "swagger-ui-bundle.js").exists():
        return HTMLResponse(
            "<!doctype html><html lang='en'><title>API documentation · bigmap-kg</title>"
            "<h1>API documentation</h1><p>Swagger UI is not installed: run <code>make</code> "
            "(it runs <code>npm ci</code>). The OpenAPI document itself is at "
            "<a href='/openapi.json'>/openapi.json</a>.</p></html>")
    return get_swagger_ui_html(
        openapi_url="/openapi.json", title="bigmap-kg API",
        swagger_js_url="/vendor/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url="/vendor/swagger-ui/swagger-ui.css",
        swagger_favicon_url="/vendor/swagger-ui/favicon-32x32.png")
