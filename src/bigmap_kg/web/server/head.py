"""HEAD answered as GET without the body (RFC 9110, section 9.3.2: every general-purpose server
supports GET and HEAD); FastAPI routes declare GET only. Link checkers and Linked Data clients
ask for the headers alone: the 303 of an entity IRI, a document's type and length."""

from __future__ import annotations


class HeadAsGet:
    """ASGI middleware: a HEAD request goes to the app as GET; the headers it answers are sent
    as they are (Content-Length included), the body is not."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)

        async def headers_only(message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)
