"""Stores the tests write to: copies of the session store (checkpoints: hard links, fast)
behind a `store` link of their own, as `bigmap-kg build` makes; with records ingested."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from bigmap_kg.datasets.ingest import ingest_files
from bigmap_kg.store import LiveStore


def store_copy(source: Path, folder: Path) -> Path:
    """A copy of the store `source` (a link or a directory) in `folder`: its `store` link."""
    folder.mkdir(parents=True, exist_ok=True)
    ox.Store.read_only(str(source.resolve())).backup(str(folder / "store-copy"))
    link = folder / "store"
    link.symlink_to("store-copy")
    return link


def store_with(records: list[Path], source: Path, folder: Path) -> Path:
    """A copy of `source` with the records ingested (one batch, which must be accepted)."""
    link = store_copy(source, folder)
    live = LiveStore(link)
    report = ingest_files(records, live, live.replace_records)
    assert report.written, report.as_text()
    return link
