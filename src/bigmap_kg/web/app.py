"""The FastAPI application: one store, opened once per process, served read-only."""

from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..store import LiveStore, connect, ontology_graph
from .pages.cells import router as cells_router
from .pages.compare import router as compare_router
from .pages.competence import router as competence_router
from .pages.editor import YASGUI
from .pages.editor import router as editor_router
from .pages.matrix import router as matrix_router
from .pages.plan_page import router as plan_page_router
from .pages.search import router as search_router
from .pages.shared import not_found_page
from .pages.tier1 import router as tier1_router
from .routes.api import router as api_router
from .routes.apidocs import SWAGGER_UI
from .routes.apidocs import router as apidocs_router
from .routes.datasets import router as datasets_router
from .routes.jsonld import build_context
from .routes.linkeddata import router as linkeddata_router
from .routes.ontology import router as ontology_router
from .routes.plan import router as plan_router
from .routes.sparql import router as sparql_router
from .server.compaction import QuietCompactor
from .server.door import Door, short_validation_errors
from .server.gateway import Gateway, QueryError
from .server.head import HeadAsGet
from .server.settings import Settings


def create_app(settings: Settings | None = None) -> Door:
    """The service: the FastAPI app behind the door (`door.py`: body limits, read timeout, the
    Host header)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # the store itself, for writes (and the ontology at start); every query takes the gateway
        app.state.backing_store = connect(settings.store)
        app.state.context = build_context(ontology_graph(app.state.backing_store))
        app.state.gateway = Gateway(app.state.backing_store, settings.store,
                                    workers=settings.query_workers,
                                    timeout=settings.query_timeout,
                                    max_bytes=settings.max_result_bytes)
        await app.state.gateway.started()
        embedded = isinstance(app.state.backing_store, LiveStore)
        app.state.compactor = QuietCompactor(settings.store, settings.compact_after) \
            if embedded and settings.compact_after > 0 else None
        if app.state.compactor:
            app.state.compactor.poke()  # leftovers of writes before this start
        try:
            yield
        finally:
            app.state.gateway.close()
            if app.state.compactor:
                app.state.compactor.close()

    app = FastAPI(title="bigmap-kg", version=__version__, lifespan=lifespan,
                  docs_url=None, redoc_url=None,  # /docs from local assets (apidocs.py)
                  description="The BIG-MAP characterisation knowledge graph (D5.1): a standard "
                              "SPARQL 1.1 endpoint and JSON-LD views.")
    app.state.settings = settings
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["*"], expose_headers=["Content-Location", "Link"])
    app.add_middleware(HeadAsGet)  # outermost: HEAD is GET for everything inside
    app.include_router(sparql_router)
    app.include_router(datasets_router)  # before /api/{collection}/{id}: /api/datasets/catalog
    app.include_router(api_router)
    app.include_router(plan_router)
    app.include_router(linkeddata_router)
    app.include_router(ontology_router)
    app.include_router(search_router)
    app.include_router(compare_router)
    app.include_router(tier1_router)
    app.include_router(apidocs_router)
    app.include_router(matrix_router)
    app.include_router(cells_router)
    app.include_router(editor_router)
    app.include_router(plan_page_router)
    app.include_router(competence_router)
    app.mount("/static", StaticFiles(directory=str(Path(__file__).parent / "static")),
              name="static")
    if SWAGGER_UI.exists():
        app.mount("/vendor/swagger-ui", StaticFiles(directory=str(SWAGGER_UI)), name="swagger-ui")
    if YASGUI.exists():
        app.mount("/vendor/yasgui", StaticFiles(directory=str(YASGUI)), name="yasgui")

    app.add_exception_handler(RequestValidationError, short_validation_errors)

    @app.exception_handler(QueryError)
    async def query_refused(request: Request, error: QueryError) -> Response:
        """A query of a page or view that the gateway refused (time limit, busy, size)."""
        return JSONResponse({"error": error.message}, status_code=error.status)

    @app.exception_handler(StarletteHTTPException)
    async def friendly_404(request: Request, error: StarletteHTTPException) -> Response:
        """Browsers get a page with a search box; programs get JSON."""
        wants_html = "text/html" in request.headers.get("accept", "")
        if error.status_code == 404 and wants_html:
            detail = error.detail if isinstance(error.detail, str) else \
                error.detail.get("error", "Not found") if isinstance(error.detail, dict) \
                else "Not found"
            return not_found_page(request, detail)
        return await http_exception_handler(request, error)
    return Door(app, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes,
                upload_paths=("/api/datasets",), read_timeout=settings.read_timeout,
                public_url=settings.public_url)
