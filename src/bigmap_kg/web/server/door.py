"""Hostile input stopped at the door, before any route sees it (tests/test_attacks.py):

- `Door`: a request body beyond its limit is refused with 413 (by Content-Length, or while it
  streams in); a body that stalls between two chunks for `read_timeout` seconds gets 408; the
  Host header is replaced by the configured public URL's (`BIGMAP_KG_PUBLIC_URL`) or, without
  one, by the address the server listens on: a client's Host never reaches the links and base
  IRIs the service writes;
- `short_validation_errors`: FastAPI's 422 without the `input` it would echo back whole (a
  100 MB observable name came back in the reply).
"""

from __future__ import annotations

import asyncio
import json
from urllib.parse import urlsplit

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

#: characters of a rejected value an error message may quote
QUOTED = 80


def short(text: str, limit: int = QUOTED) -> str:
    """A value as an error message may quote it: never more than `limit` characters."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


class _TooLarge(Exception):
    pass


class _Stalled(Exception):
    pass


class Door:
    """ASGI middleware for the body limits, the body read timeout and the Host header."""

    def __init__(self, app, *, max_body: int, max_upload: int, upload_paths: tuple[str, ...],
                 read_timeout: float, public_url: str | None) -> None:
        self.app, self.max_body, self.max_upload = app, max_body, max_upload
        self.upload_paths, self.read_timeout = upload_paths, read_timeout
        parts = urlsplit(public_url) if public_url else None
        self.public = (parts.scheme, parts.netloc.encode("latin-1")) if parts else None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        scope = self._hosted(scope)
        limit = self.max_upload if scope["path"] in self.upload_paths else self.max_body
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            return await _refuse(send, 413, f"the request body is larger than {limit} bytes")
        received, stopped, started = 0, None, False

        async def limited():
            nonlocal received, stopped
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout)
            except TimeoutError:
                stopped = _Stalled()
                raise stopped from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    stopped = _TooLarge()
                    raise stopped
            return message

        async def watched(message) -> None:
            nonlocal started
            if stopped is None:  # the app's own error reply to our stop is not sent
                started = started or message["type"] == "http.response.start"
                await send(message)
        try:
            await self.app(scope, limited, watched)
        except (_TooLarge, _Stalled):
            if started or stopped is None:
                raise
            too_large = isinstance(stopped, _TooLarge)
            await _refuse(send, 413 if too_large else 408,
                          f"the request body is larger than {limit} bytes" if too_large else
                          f"the request body stalled for {self.read_timeout:g} s")

    def _hosted(self, scope):
        """The scope with the Host header the service's own URLs are made from."""
        if self.public:
            scheme, host = self.public
        else:
            address, port = scope.get("server") or ("127.0.0.1", 80)
            scheme, host = scope.get("scheme", "http"), f"{address}:{port}".encode("latin-1")
        headers = [(k, v) for k, v in scope["headers"] if k != b"host"]
        return {**scope, "scheme": scheme, "headers": [(b"host", host), *headers]}


async def _refuse(send, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


async def short_validation_errors(request, error: RequestValidationError) -> JSONResponse:
    """422 with where and what is wrong, and at most a short quote of the value."""
    errors = []
    for found in error.errors():
        entry = {k: found[k] for k in ("loc", "msg", "type") if k in found}
        if "input" in found:
            entry["input"] = short(found["input"] if isinstance(found["input"], str)
                                   else json.dumps(found["input"], default=str))
        errors.append(entry)
    return JSONResponse({"detail": errors}, status_code=422)
