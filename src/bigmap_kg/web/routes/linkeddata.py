"""Dereferenceable IRIs: /<kind>/<id> answers for https://w3id.org/bigmap-kg/<kind>/<id>.

Entity IRIs name things, not documents, so the server answers 303 See Other to a document
about the thing, chosen by Accept: `.ttl`, `.nt`, `.jsonld` or `.html`. The documents carry
Content-Location and Link headers; unknown IRIs get 404.
"""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ...namespaces import BASE, KINDS, PREFIXES, SRC
from ..pages.entity import entity_page
from ..server.gateway import store_for
from ..server.negotiation import acceptable
from .api import _exists, entity_document, entity_triples
from .docs import examples

router = APIRouter()
DOCUMENT_TYPES = {"ttl": ("text/turtle", ox.RdfFormat.TURTLE),
                  "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                  "jsonld": ("application/ld+json", None),
                  "html": ("text/html", None)}
#: the path segments of entity IRIs: the kinds of the D5.1 graph and of dataset records, and
#: the source documents (`src:D5.1`)
SEGMENTS = sorted({*KINDS.values(), str(SRC).removeprefix(BASE).strip("/")})
#: one identifier per segment for the OpenAPI examples (the record kinds: what the example
#: record of POST /api/datasets creates)
EXAMPLES = {
    "agent": "example-person", "cell": "uu-pouch-transmission", "cell-sheet": "01",
    "cluster": "imaging", "dataset": "example-xrd-raw", "distribution": "example-xrd-raw",
    "element": "li", "nuclide": "li-6",
    "experiment": "t1-08", "facility": "esrf", "instrument": "esrf-id31", "material": "lno",
    "matrix-entry": "lab-xrd-realistic", "observable": "crystal-structure", "partner": "uu",
    "period": "m06-m12", "person": "a-benayad", "record": "nativerdf-record",
    "reference": "1", "relation": "complementary/haxpes--xps--sei-composition",
    "run": "example-operando-xrd", "sample": "example-lno-half-cell", "source": "D5.1",
    "technique": "xrd", "theme": "lithiation-mechanism",
}


def _iri(request: Request, segment: str, identifier: str) -> str:
    base = request.app.state.settings.base_iri
    return f"{base}{segment}/{identifier}"


async def _require(request: Request, iri: str) -> None:
    if not await asyncio.to_thread(_exists, store_for(request), iri):
        raise HTTPException(404, {"error": f"unknown IRI {iri}"})


def document_name(name: str) -> tuple[str, str] | None:
    """(identifier, extension) when `name` asks for one of the documents (`xrd.ttl`)."""
    identifier, dot, extension = name.rpartition(".")
    return (identifier, extension) if dot and extension in DOCUMENT_TYPES else None


def see_other(request: Request, path: str) -> RedirectResponse:
    """303 See Other from a thing to the document about it that the Accept header prefers."""
    offered = [media for media, _ in DOCUMENT_TYPES.values()]
    chosen = acceptable(request.headers.get("accept"), offered)
    if not chosen:
        raise HTTPException(406, {"error": "no acceptable representation", "offered": offered})
    extension = next(e for e, (m, _) in DOCUMENT_TYPES.items() if m == chosen[0])
    return RedirectResponse(f"{path}.{extension}", status_code=303, headers={"Vary": "Accept"})


def rdf_document(triples: list[ox.Triple], extension: str) -> bytes:
    """Turtle (with the project prefixes) or N-Triples."""
    return ox.serialize(triples, format=DOCUMENT_TYPES[extension][1],
                        prefixes=PREFIXES if extension == "ttl" else None)


def document_headers(path: str, iri: str) -> dict[str, str]:
    return {"Content-Location": path, "Link": f'<{iri}>; rel="describes"'}


def register(segment: str) -> None:
    @router.get(f"/{segment}/{{identifier:path}}", tags=["Linked data"],
                summary=f"Dereference a {segment} IRI (303 to a document by Accept)",
                description=f"`{BASE}{segment}/<id>` resolves here (303 See Other to "
                            f"`/{segment}/<id>.html`, `.ttl`, `.nt` or `.jsonld` by Accept: "
                            "text/html, text/turtle, application/n-triples, "
                            "application/ld+json); the documents themselves answer at those "
                            "paths. Unknown IRIs get 404.")
    async def thing(request: Request, identifier: str = Path(
            openapi_examples=examples(EXAMPLES[segment], f"{EXAMPLES[segment]}.ttl"))
            ) -> Response:
        if (asked := document_name(identifier)) is not None:
            return await document(request, *asked)
        await _require(request, _iri(request, segment, identifier))
        return see_other(request, f"/{segment}/{identifier}")

    async def document(request: Request, identifier: str, extension: str) -> Response:
        iri = _iri(request, segment, identifier)
        await _require(request, iri)
        headers = document_headers(f"/{segment}/{identifier}.{extension}", iri)
        media = DOCUMENT_TYPES[extension][0]
        store = store_for(request)
        if extension == "jsonld":
            body = await asyncio.to_thread(entity_document, store, request.app.state.context, iri)
            body["@context"] = str(request.base_url) + "context.jsonld"
            return JSONResponse(body, media_type=media, headers=headers)
        triples = await asyncio.to_thread(entity_triples, store, iri)
        if extension != "html":
            return Response(rdf_document(triples, extension), media_type=media, headers=headers)
        response = await asyncio.to_thread(entity_page, request, store, iri, triples,
                                           f"/{segment}/{identifier}")
        response.headers.update(headers)
        return response


for _segment in SEGMENTS:
    register(_segment)
