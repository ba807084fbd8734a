"""Compaction once writes go quiet. A write compacts the store only past a threshold
(`store.generations.needs_compaction`), so on a large store the last writes of a burst leave
files that every read must merge (reads up to 1.3x slower at 9.4 M triples, bench/README.md).
The service compacts them in the background once no write has come for `delay` seconds."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ...store.generations import compact_store, has_uncompacted_writes

log = logging.getLogger(__name__)


class QuietCompactor:
    """Compacts an embedded store `delay` seconds after the last `poke()`."""

    def __init__(self, link: Path, delay: float) -> None:
        self.link, self.delay = link, delay
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def poke(self) -> None:
        """A write happened (or the service started): compact after `delay` quiet seconds."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self._compact)
            self._timer.daemon = True
            self._timer.start()

    def _compact(self) -> None:
        try:
            if compact_store(self.link, when=has_uncompacted_writes):
                log.info("compacted %s after writes went quiet", self.link)
        except Exception:  # the store is unchanged; the next write or start tries again
            log.exception("background compaction of %s failed", self.link)

    def close(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
