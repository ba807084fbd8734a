"""Dereferenceable IRIs: /<kind>/<id> answers for https://w3id.org/bigmap-kg/<kind>/<id>.

Entity IRIs name things, not documents, so the server answers 303 See Other to a document
about the thing, chosen by Accept: `.ttl`, `.nt`, `.jsonld` or `.html`. The documents carry
Content-Location and Link headers; unknown IRIs get 404.
"""

from __future__ import annotations

import asyncio

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from ..namespaces import BASE, KINDS, PREFIXES
from .api import _exists, entity_document, entity_triples
from .negotiation import acceptable
from .ui import entity_page

router = APIRouter()
DOCUMENT_TYPES = {"ttl": ("text/turtle", ox.RdfFormat.TURTLE),
                  "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                  "jsonld": ("application/ld+json", None),
                  "html": ("text/html", None)}
SEGMENTS = sorted(set(KINDS.values()))


def _iri(request: Request, segment: str, identifier: str) -> str:
    base = request.app.state.settings.base_iri
    return f"{base}{segment}/{identifier}"


async def _require(request: Request, iri: str) -> None:
    if not await asyncio.to_thread(_exists, request.app.state.store, iri):
        raise HTTPException(404, {"error": f"unknown IRI {iri}"})


def register(segment: str) -> None:
    @router.get(f"/{segment}/{{identifier}}", tags=["Linked data"],
                summary=f"Dereference a {segment} IRI (303 to a document by Accept)",
                description=f"`{BASE}{segment}/<id>` resolves here. Accept text/html, "
                            "text/turtle, application/n-triples or application/ld+json.")
    async def thing(request: Request, identifier: str) -> Response:
        if "." in identifier and identifier.rsplit(".", 1)[1] in DOCUMENT_TYPES:
            return await document(request, identifier)
        await _require(request, _iri(request, segment, identifier))
        offered = [media for media, _ in DOCUMENT_TYPES.values()]
        chosen = acceptable(request.headers.get("accept"), offered)
        if not chosen:
            raise HTTPException(406, {"error": "no acceptable representation",
                                      "offered": offered})
        extension = next(e for e, (m, _) in DOCUMENT_TYPES.items() if m == chosen[0])
        return RedirectResponse(f"/{segment}/{identifier}.{extension}", status_code=303,
                                headers={"Vary": "Accept"})

    async def document(request: Request, name: str) -> Response:
        identifier, extension = name.rsplit(".", 1)
        iri = _iri(request, segment, identifier)
        await _require(request, iri)
        media, rdf_format = DOCUMENT_TYPES[extension]
        headers = {"Content-Location": f"/{segment}/{name}",
                   "Link": f'<{iri}>; rel="describes"'}
        if extension == "jsonld":
            body = await asyncio.to_thread(entity_document, request, iri)
            body["@context"] = str(request.base_url) + "context.jsonld"
            return JSONResponse(body, media_type=media, headers=headers)
        triples = await asyncio.to_thread(entity_triples, request.app.state.store, iri)
        if rdf_format is not None:
            data = ox.serialize(triples, format=rdf_format,
                                prefixes=PREFIXES if extension == "ttl" else None)
            return Response(data, media_type=media, headers=headers)
        response = entity_page(request, iri, triples, f"/{segment}/{identifier}")
        response.headers.update(headers)
        return response


for _segment in SEGMENTS:
    register(_segment)
