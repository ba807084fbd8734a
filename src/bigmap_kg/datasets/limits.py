"""Size limits of the ingest, so that one record cannot exhaust memory or the store.

`BIGMAP_KG_MAX_RECORD_BYTES` bounds one input (a file, a request body, the metadata file inside
a zipped crate, before it is read); `BIGMAP_KG_MAX_LITERAL_CHARS` bounds one string of a record
(a title, a description). A record over either is an error naming it; nothing is written.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    record_bytes: int = 32 * 1024 * 1024
    literal_chars: int = 100_000

    @classmethod
    def from_env(cls) -> Limits:
        env = os.environ
        return cls(int(env.get("BIGMAP_KG_MAX_RECORD_BYTES", cls.record_bytes)),
                   int(env.get("BIGMAP_KG_MAX_LITERAL_CHARS", cls.literal_chars)))

    def record_error(self, size: int) -> str | None:
        if size <= self.record_bytes:
            return None
        return (f"{size} bytes, more than the {self.record_bytes} bytes one record may have "
                "(BIGMAP_KG_MAX_RECORD_BYTES)")
