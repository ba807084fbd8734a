"""uvicorn's httptools protocol, telling the app which connection a request came on.

`bigmap-kg serve` passes it to uvicorn (`http=`); each HTTP scope then carries the protocol
instance under `scope["extensions"][CONNECTION]`, so that the query runner can see whether the
request's connection is all its worker serves (`inline.sole_connection_socket`).
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from .inline import CONNECTION

IMPORT_STRING = f"{__name__}:ConnectionAwareProtocol"


class ConnectionAwareProtocol(HttpToolsProtocol):
    socket_fd: int | None = None

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        self.socket_fd = sock.fileno() if sock is not None else None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.scope.setdefault("extensions", {})[CONNECTION] = self  # type: ignore[typeddict-item]
