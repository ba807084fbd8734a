"""uvicorn's httptools protocol, telling the app which connection a request came on, and
answering /sparql itself when the answer is ready at once.

`bigmap-kg serve` passes it to uvicorn (`http=`). Each HTTP scope carries the protocol instance
under `scope["extensions"][CONNECTION]`, so that the query runner can see whether the request's
connection is all its worker serves (`inline.sole_connection_socket`).

GET and POST /sparql are held until the request is complete and then answered here, with no
ASGI task, receive/send messages or cycle, when `sparql.answer_at_once` can: a proven job, one
that may run inline, or a reply that needs no query. That saves uvicorn's ASGI cycle, about
0.1 ms a request. Everything else, and every job that must wait for a query thread, goes on to
the app as usual, with the body already read. What uvicorn does for every request is kept: its
default `date` / `server` headers, keep-alive (HTTP/1.0 and `Connection: close` close),
pipelining (a request queued behind another is answered in turn), the access log, the request
count (`--limit-max-requests`), `--limit-concurrency` and `Expect: 100-continue` (both left to
the app). Requests with `X-Forwarded-*` headers go to the app, whose proxy-headers middleware
decides what they mean.

It overrides uvicorn's `HttpToolsProtocol._start_asgi_task` (uvicorn 0.45 and later, hence the
lower bound in pyproject.toml) and sets `RequestResponseCycle` fields; on a uvicorn without them
(`SUPPORTED` is False) every request goes to the app. tests/test_protocol_path.py checks that
the installed uvicorn has them.
"""

from __future__ import annotations

import logging

from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from uvicorn.protocols.http.flow_control import HIGH_WATER_LIMIT
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle
from uvicorn.protocols.utils import get_client_addr, get_path_with_query_string

from .inline import CONNECTION
from .sparql import Reply, SparqlFastPath, answer_at_once, answers, sparql_request

IMPORT_STRING = f"{__name__}:ConnectionAwareProtocol"
log = logging.getLogger("uvicorn.error")
#: what the protocol path takes from uvicorn: the hook it overrides and the fields of a cycle
CYCLE_FIELDS = ("waiting_for_100_continue", "response_started", "response_complete",
                "more_body", "keep_alive", "body")
#: False on a uvicorn without them: every request then goes to the app, as before this path
SUPPORTED = callable(getattr(HttpToolsProtocol, "_start_asgi_task", None)) and \
    set(CYCLE_FIELDS) <= set(RequestResponseCycle.__init__.__code__.co_names)


def sparql_app(app) -> SparqlFastPath | None:
    """Our app under uvicorn's proxy-headers middleware, when nothing else wraps it (uvicorn
    adds a message logger at trace level, which must see every request)."""
    if isinstance(app, ProxyHeadersMiddleware):
        app = app.app
    return app if isinstance(app, SparqlFastPath) else None


class ConnectionAwareProtocol(HttpToolsProtocol):
    socket_fd: int | None = None
    held: tuple[RequestResponseCycle, object] | None = None  # a /sparql request being read

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        self.socket_fd = sock.fileno() if sock is not None else None
        self.sparql = sparql_app(self.app) if SUPPORTED else None

    def on_message_begin(self) -> None:
        self._unset_keepalive_if_required()  # a request has begun: the connection is not idle
        super().on_message_begin()
        self.scope.setdefault("extensions", {})[CONNECTION] = self  # type: ignore[typeddict-item]

    def _start_asgi_task(self, cycle: RequestResponseCycle, app) -> None:
        if self.sparql is None or app is not self.app or cycle.waiting_for_100_continue or \
                not answers(cycle.scope) or \
                any(name.startswith(b"x-forwarded-") for name, _ in cycle.scope["headers"]):
            return super()._start_asgi_task(cycle, app)
        if cycle.more_body:  # wait for the whole request (on_message_complete)
            self.held = (cycle, app)
        elif not self._answer_here(cycle):
            super()._start_asgi_task(cycle, app)

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        if self.held and len(self.held[0].body) > HIGH_WATER_LIMIT:  # reading pauses: let
            self._release()                                        # the app take the body

    def on_message_complete(self) -> None:
        super().on_message_complete()
        held, self.held = self.held, None
        if held and not self._answer_here(held[0]):
            super()._start_asgi_task(*held)

    def connection_lost(self, exc: Exception | None) -> None:
        self.held = None
        super().connection_lost(exc)

    def _release(self) -> None:
        held, self.held = self.held, None
        super()._start_asgi_task(*held)  # type: ignore[misc]

    def _answer_here(self, cycle: RequestResponseCycle) -> bool:
        """Answer the complete request of `cycle` now, if its answer is ready at once."""
        request = sparql_request(cycle.scope, bytes(cycle.body))
        try:
            reply = answer_at_once(self.sparql.app.state, request, self)  # type: ignore[union-attr]
        except Exception:  # the app answers it again, and reports the error as uvicorn does
            log.debug("answering /sparql in the protocol failed; the app takes it",
                      exc_info=True)
            return False
        if reply is None:
            return False
        self._send(cycle, reply, request.cross_origin)
        return True

    def _send(self, cycle: RequestResponseCycle, reply: Reply, cors: bool) -> None:
        """Write `reply` as uvicorn's cycle would, then complete the request as it does."""
        cycle.response_started = cycle.response_complete = True
        if self.access_log:
            scope = cycle.scope
            self.access_logger.info('%s - "%s %s HTTP/%s" %d', get_client_addr(scope),
                                    scope["method"], get_path_with_query_string(scope),
                                    scope["http_version"], reply.status)
        self.transport.write(reply.as_http(cors=cors, close=not cycle.keep_alive,
                                           first=self.server_state.default_headers))
        if not cycle.keep_alive:
            self.transport.close()
        self.on_response_complete()
