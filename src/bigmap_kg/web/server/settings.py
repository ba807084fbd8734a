"""Service settings, read once from the environment (documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ... import paths
from ...namespaces import BASE


@dataclass(frozen=True)
class Settings:
    store: Path = field(default_factory=paths.store_dir)
    #: seconds a query may run before its worker is stopped and the client gets 503
    query_timeout: float = 10.0
    #: bytes a serialised result may take before the client gets 413-style refusal
    max_result_bytes: int = 50_000_000
    #: characters a /sparql query may have (longer: 400 before it is parsed)
    max_query_chars: int = 100_000
    #: query processes per service process (killable: the time limit stops them)
    query_workers: int = 2
    #: the base of the entity IRIs this server answers for
    base_iri: str = BASE
    #: allow federated SERVICE calls to outside URLs (off: no requests on a user's behalf)
    allow_service: bool = False
    #: bearer token for writes (POST /api/datasets); None: writes are disabled
    write_token: str | None = None
    #: largest request body a write accepts, in bytes
    max_upload_bytes: int = 50_000_000
    #: largest request body any other route accepts (a /sparql POST, /api/plan), in bytes
    max_body_bytes: int = 1_000_000
    #: seconds a request body may stall between two chunks before the client gets 408
    read_timeout: float = 10.0
    #: the URL this service is reached at (scheme and host of the links and base IRIs it
    #: writes); None: the address it listens on (a client's Host header is never used)
    public_url: str | None = None
    #: seconds without a write after which an embedded store's uncompacted writes are compacted
    #: in the background (0: never; writes still compact past the threshold themselves)
    compact_after: float = 30.0

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            store=Path(env["BIGMAP_KG_STORE"]) if "BIGMAP_KG_STORE" in env else paths.store_dir(),
            query_timeout=float(env.get("BIGMAP_KG_QUERY_TIMEOUT", cls.query_timeout)),
            max_result_bytes=int(env.get("BIGMAP_KG_MAX_RESULT_BYTES", cls.max_result_bytes)),
            max_query_chars=int(env.get("BIGMAP_KG_MAX_QUERY_CHARS", cls.max_query_chars)),
            query_workers=int(env.get("BIGMAP_KG_QUERY_WORKERS", cls.query_workers)),
            base_iri=env.get("BIGMAP_KG_BASE_IRI", cls.base_iri),
            allow_service=env.get("BIGMAP_KG_ALLOW_SERVICE", "") == "1",
            write_token=env.get("BIGMAP_KG_WRITE_TOKEN") or None,
            max_upload_bytes=int(env.get("BIGMAP_KG_MAX_UPLOAD_BYTES", cls.max_upload_bytes)),
            max_body_bytes=int(env.get("BIGMAP_KG_MAX_BODY_BYTES", cls.max_body_bytes)),
            read_timeout=float(env.get("BIGMAP_KG_READ_TIMEOUT", cls.read_timeout)),
            public_url=env.get("BIGMAP_KG_PUBLIC_URL") or None,
            compact_after=float(env.get("BIGMAP_KG_COMPACT_AFTER", cls.compact_after)),
        )
