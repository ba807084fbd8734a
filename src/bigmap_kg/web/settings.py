"""Service settings, read once from the environment (documented in the README)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import paths
from ..namespaces import BASE


@dataclass(frozen=True)
class Settings:
    store: Path = field(default_factory=paths.store_dir)
    #: seconds a query may run before its worker is stopped and the client gets 503
    query_timeout: float = 10.0
    #: bytes a serialised result may take before the client gets 413-style refusal
    max_result_bytes: int = 50_000_000
    #: query worker processes per service process
    query_workers: int = 2
    #: answer queries in the service process itself (set by `bigmap-kg serve --workers N`,
    #: N >= 2: uvicorn's supervisor replaces a worker that retires after a timeout)
    in_process: bool = False
    #: the base of the entity IRIs this server answers for
    base_iri: str = BASE
    #: allow federated SERVICE calls to outside URLs (off: no requests on a user's behalf)
    allow_service: bool = False
    #: bearer token for writes (POST /api/datasets); None: writes are disabled
    write_token: str | None = None
    #: largest request body a write accepts, in bytes
    max_upload_bytes: int = 50_000_000
    #: seconds without a write after which an embedded store's uncompacted writes are compacted
    #: in the background (0: never; writes still compact past the threshold themselves)
    compact_after: float = 30.0
    #: the lock files that let unknown queries run on a worker's event loop when it serves one
    #: connection alone (laid out by `bigmap-kg serve --workers N`; None: never inline)
    inline_slots: Path | None = None

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            store=Path(env["BIGMAP_KG_STORE"]) if "BIGMAP_KG_STORE" in env else paths.store_dir(),
            query_timeout=float(env.get("BIGMAP_KG_QUERY_TIMEOUT", cls.query_timeout)),
            max_result_bytes=int(env.get("BIGMAP_KG_MAX_RESULT_BYTES", cls.max_result_bytes)),
            query_workers=int(env.get("BIGMAP_KG_QUERY_WORKERS", cls.query_workers)),
            in_process=env.get("BIGMAP_KG_IN_PROCESS", "") == "1",
            base_iri=env.get("BIGMAP_KG_BASE_IRI", cls.base_iri),
            allow_service=env.get("BIGMAP_KG_ALLOW_SERVICE", "") == "1",
            write_token=env.get("BIGMAP_KG_WRITE_TOKEN") or None,
            max_upload_bytes=int(env.get("BIGMAP_KG_MAX_UPLOAD_BYTES", cls.max_upload_bytes)),
            compact_after=float(env.get("BIGMAP_KG_COMPACT_AFTER", cls.compact_after)),
            inline_slots=Path(env["BIGMAP_KG_INLINE_SLOTS"])
            if env.get("BIGMAP_KG_INLINE_SLOTS") else None,
        )
