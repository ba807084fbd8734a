"""Dataset metadata over HTTP: `POST /api/datasets` ingests a batch and `DELETE
/api/datasets/{id}` withdraws the record that added a dataset (token required); the exports
(DCAT catalogue, DataCite JSON, RO-Crate of an experiment) are open reads."""

from __future__ import annotations

import asyncio
import hmac
import io
import tempfile
import zipfile
from pathlib import Path

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi import Path as PathParameter
from fastapi.responses import JSONResponse, Response

from ...datasets import crate_export, export
from ...datasets.ingest import WithdrawError, ingest, withdraw
from ...media import extension
from ...namespaces import PREFIXES
from ..server.gateway import store_for
from ..server.negotiation import acceptable
from .docs import EXAMPLE_DATASET, EXAMPLE_EXPERIMENT, EXAMPLE_RECORD, examples

router = APIRouter(tags=["datasets"])

#: media type of a posted record → the file suffix the format readers know it by
SUFFIXES = {media: "." + extension(media) for media in (
    "text/turtle", "application/n-triples", "application/zip", "application/xml", "text/xml",
    "application/json", "application/ld+json", "application/vnd.eln+zip")}
#: one write at a time per process (the store's writer lock serialises processes)
_WRITE_LOCK = asyncio.Lock()


def _authorise(request: Request) -> None:
    token = request.app.state.settings.write_token
    if token is None:
        raise HTTPException(403, "writes are disabled on this server: set BIGMAP_KG_WRITE_TOKEN "
                                 "to enable POST /api/datasets")
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.encode(), token.encode()):
        raise HTTPException(401, "a valid 'Authorization: Bearer <token>' header is required",
                            headers={"WWW-Authenticate": 'Bearer realm="bigmap-kg"'})


@router.post("/api/datasets", status_code=201, responses={
    201: {"description": "The batch was validated and written (report in the body)."},
    200: {"description": "Dry run: the batch is valid; nothing was written."},
    401: {"description": "Missing or wrong token."},
    403: {"description": "Writes are disabled (no token configured)."},
    413: {"description": "The body is larger than BIGMAP_KG_MAX_UPLOAD_BYTES."},
    422: {"description": "The batch was rejected (report in the body); nothing was written."},
}, openapi_extra={"requestBody": {"required": True, "content": {
    "text/turtle": {"schema": {"type": "string"}, "example": EXAMPLE_RECORD},
    **{media: {"schema": {"type": "string"}} for media in SUFFIXES if media != "text/turtle"}}}})
async def post_datasets(request: Request,
                        name: str = Query("request", description="A name for the record's "
                                          "source (its suffix also tells the format: "
                                          "'crate.eln', 'record.json', 'batch.ttl')",
                                          openapi_examples=examples("record.ttl")),
                        dry_run: bool = Query(False, description="Validate only.",
                                              openapi_examples=examples(True, False))):
    """Ingest one record (RO-Crate JSON or .eln zip, InvenioRDM / Zenodo JSON, DataCite JSON or
    XML, BattINFO or schema.org JSON-LD, Turtle / JSON-LD in our vocabulary) as one batch.

    Example: `curl -X POST -H 'Authorization: Bearer $TOKEN' -H 'Content-Type: text/turtle'
    --data-binary @batch.ttl 'http://127.0.0.1:8000/api/datasets?name=batch.ttl'`."""
    _authorise(request)
    settings = request.app.state.settings
    body = await request.body()
    if len(body) > settings.max_upload_bytes:
        raise HTTPException(413, f"the body is larger than {settings.max_upload_bytes} bytes")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    source = name if "." in name else name + SUFFIXES.get(media, "")
    write = None if dry_run else request.app.state.backing_store.replace_records
    store = store_for(request)  # the look-ups take the gateway
    async with _WRITE_LOCK:
        report = await asyncio.to_thread(ingest, [(body, source)], store, write)
    if report.written and request.app.state.compactor:
        request.app.state.compactor.poke()
    status = (200 if dry_run else 201) if report.accepted else 422
    return JSONResponse(report.as_dict(), status_code=status)


@router.delete("/api/datasets/{identifier}", responses={
    200: {"description": "The record that added the dataset was withdrawn (or, with dry_run, "
                         "would be): every node it described is removed."},
    401: {"description": "Missing or wrong token."},
    403: {"description": "Writes are disabled (no token configured)."},
    404: {"description": "No ingested record describes this dataset."},
    409: {"description": "The name matches several records."}})
async def delete_dataset(request: Request, identifier: str = PathParameter(
        openapi_examples=examples(EXAMPLE_DATASET)),
                         dry_run: bool = Query(False, description="Say what would be removed "
                                               "(the example only looks: it removes nothing).",
                                               openapi_examples=examples(True))):
    """Withdraw the record that added a dataset: everything that record added (all its
    datasets, runs, samples, agents, distributions) is removed in one atomic update, as
    `bigmap-kg withdraw`. The identifier is the dataset's (as in /api/datasets/{id}/datacite),
    or a record identifier or DOI."""
    _authorise(request)
    write = None if dry_run else request.app.state.backing_store.update
    store = store_for(request)  # the look-ups take the gateway
    names = [PREFIXES["dataset"] + identifier]

    def run_withdraw() -> dict:
        try:
            return withdraw(store, names, write)
        except WithdrawError:
            return withdraw(store, [identifier], write)
    async with _WRITE_LOCK:
        try:
            done = await asyncio.to_thread(run_withdraw)
        except WithdrawError as error:
            status = 409 if "names" in str(error) and "records" in str(error) else 404
            raise HTTPException(status, str(error)) from None
    if done["withdrawn"] and request.app.state.compactor:
        request.app.state.compactor.poke()
    return JSONResponse(done)


CATALOG_TYPES = {media: extension(media) for media in (
    "text/turtle", "application/ld+json", "application/n-triples")}


@router.get("/api/datasets/catalog", responses={200: {"content": {
    t: {} for t in CATALOG_TYPES}, "description": "The DCAT catalogue of every dataset."}})
async def dataset_catalog(request: Request, format: str | None = Query(
        None, description="ttl, jsonld or nt (instead of an Accept header)",
        openapi_examples=examples(*CATALOG_TYPES.values()))):
    """The DCAT catalogue of the ingested datasets (Turtle, JSON-LD or N-Triples by Accept)."""
    wanted = {v: k for k, v in CATALOG_TYPES.items()}.get(format or "") or next(
        iter(acceptable(request.headers.get("accept") or "text/turtle", CATALOG_TYPES)), None)
    if wanted is None:
        raise HTTPException(406, f"the catalogue is available as {', '.join(CATALOG_TYPES)}")
    body = await asyncio.to_thread(export.catalog, store_for(request),
                                   CATALOG_TYPES[wanted])
    return Response(body, media_type=wanted)


@router.get("/api/datasets/{identifier}/datacite", responses={
    404: {"description": "No such dataset."},
    422: {"description": "The graph lacks a field DataCite requires (named in the message)."}})
async def dataset_datacite(request: Request, identifier: str = PathParameter(
        openapi_examples=examples(EXAMPLE_DATASET))):
    """One dataset as a DataCite 4.5 JSON record (PaNET subjects, IsCollectedBy instrument)."""
    try:
        record = await asyncio.to_thread(export.datacite, store_for(request),
                                         PREFIXES["dataset"] + identifier)
    except export.ExportError as error:
        status = 404 if str(error).startswith("no dataset") else 422
        raise HTTPException(status, str(error)) from None
    return JSONResponse(record, media_type="application/vnd.datacite.datacite+json")


@router.get("/api/experiments/{identifier}/ro-crate", responses={
    200: {"content": {"application/zip": {}}, "description": "The crate, zipped."},
    404: {"description": "No such experiment, or no dataset belongs to it."}})
async def experiment_crate(request: Request, identifier: str = PathParameter(
        openapi_examples=examples(EXAMPLE_EXPERIMENT))):
    """The datasets of one Tier 1 experiment as a zipped RO-Crate (runs, samples, cells,
    instruments, partners as contextual entities)."""
    store = store_for(request)

    def build() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            target = crate_export.ro_crate(store,
                                     PREFIXES["exp"] + identifier, Path(folder) / "crate",
                                     identifier)
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in sorted(target.rglob("*")):
                    archive.write(path, path.relative_to(target))
            return buffer.getvalue()
    try:
        body = await asyncio.to_thread(build)
    except export.ExportError as error:
        raise HTTPException(404, str(error)) from None
    return Response(body, media_type="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{identifier}-ro-crate.zip"'})
