"""Generations of the embedded store: every write fills a new directory and swaps the
`store` symlink only when it succeeded; compaction of the fragments writes leave.

Writes after the build (dataset ingest) are copy-on-write: the current store is checkpointed
into a fresh directory (hard links, milliseconds), the write runs there, and the symlink is
swapped only when it succeeded. One writer at a time, across processes (`writer_lock`).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from .. import paths
from ..namespaces import GRAPH_DATASETS


@contextmanager
def writer_lock(link: Path) -> Iterator[None]:
    """One writer at a time (build or ingest), across processes."""
    link.parent.mkdir(parents=True, exist_ok=True)
    with open(link.parent / f".{link.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fresh_dir(link: Path) -> Path:
    return link.parent / f"{link.name}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-" \
                         f"{time.monotonic_ns() % 10**9}"


def carried_over(link: Path) -> Iterator[ox.Quad]:
    """The ingested dataset records of the current store, which a rebuild keeps."""
    if not link.exists():
        return
    store = ox.Store.read_only(os.path.realpath(link))
    yield from store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DATASETS))


def _next_generation(link: Path, fill: Callable[[ox.Store, Path], object],
                     from_current: bool) -> Path:
    """Fill a new store directory — empty, or a checkpoint of the current store (hard links,
    milliseconds) — and swap it in only when `fill` succeeded; one writer at a time. A failure
    removes the new directory and leaves the current store exactly as it was."""
    with writer_lock(link):
        fresh = _filled(link, fill, from_current)
        _swap(link, fresh)
    return fresh


def _filled(link: Path, fill: Callable[[ox.Store, Path], object], from_current: bool) -> Path:
    """A new store directory filled by `fill` and closed (the caller holds the writer lock);
    a failure removes it."""
    fresh = _fresh_dir(link)
    if from_current:
        ox.Store.read_only(os.path.realpath(link)).backup(str(fresh))
    store = ox.Store(str(fresh))
    try:
        fill(store, fresh)
        store.flush()
    except BaseException as error:
        # the traceback's frames (fill's) hold the store open, and RocksDB would go on
        # writing files into the directory being removed (measured: one failed write in
        # four left an SST file, a CURRENT and a MANIFEST behind)
        traceback.clear_frames(error.__traceback__)
        del store
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    del store  # closed before readers can open the new generation
    return fresh


class PendingWrite:
    """A new generation filled in a thread of its own (pyoxigraph writes without holding
    Python's lock) while the caller goes on, e.g. validates the batch: `commit()` waits for
    it and swaps it in, raising what the write raised; `abort()` waits for it and removes it.
    Until then the store is as it was; the writer lock is held from the start to the end."""

    def __init__(self, link: Path, fill: Callable[[ox.Store, Path], object]) -> None:
        self._link, self._fresh, self._error = link, None, None
        self._lock = writer_lock(link)
        self._lock.__enter__()
        self._thread = threading.Thread(target=self._fill, args=(fill,), daemon=True)
        try:
            self._thread.start()
        except BaseException:
            self._lock.__exit__(None, None, None)
            raise

    def _fill(self, fill: Callable[[ox.Store, Path], object]) -> None:
        try:
            self._fresh = _filled(self._link, fill, from_current=True)
        except BaseException as error:  # raised by commit()
            self._error = error

    def commit(self) -> Path:
        self._thread.join()
        try:
            if self._error is not None:
                raise self._error
            assert self._fresh is not None
            older = _swap(self._link, self._fresh, tidy=False)
            # removed meanwhile (0.1 s of unlinks at 1 M triples); the list is fixed now, so
            # the next generation, made later, is never among them
            threading.Thread(target=_remove, args=(older,)).start()
            return self._fresh
        finally:
            self._lock.__exit__(None, None, None)

    def abort(self) -> None:
        self._thread.join()
        try:
            if self._fresh is not None:
                shutil.rmtree(self._fresh, ignore_errors=True)
        finally:
            self._lock.__exit__(None, None, None)


def write_store(quads: Iterable[ox.Quad], target: Path | None = None) -> Path:
    """Write the quads (plus the current store's dataset records) into a new store directory
    and swap it in; return the new directory."""
    link = target or paths.store_dir()

    def fill(store: ox.Store, fresh: Path) -> None:
        store.bulk_extend(quads)
        store.bulk_extend(carried_over(link))
        store.flush()
        _compact(store, fresh, link)
    return _next_generation(link, fill, from_current=False)


def apply_update(update: str, target: Path | None = None, *, compact: bool = True) -> Path:
    """Run a SPARQL Update against a copy of the current store and swap it in on success;
    compact the copy when writes have fragmented it (`compact=False`: leave that to the caller,
    who runs `compact_store` later).

    A failing update raises and leaves the store exactly as it was (same directory, same files).
    """
    link = target or paths.store_dir()

    def fill(store: ox.Store, fresh: Path) -> None:
        store.update(update)
        store.flush()
        if compact:
            _compact_when_fragmented(store, fresh, link)
    return _next_generation(link, fill, from_current=True)


def compact_store(target: Path | None = None, *,
                  when: Callable[[int, int], bool] = lambda files, last: True) -> bool:
    """Compact a checkpoint of the current store and swap it in, if `when(files, files after the
    last compaction)` holds (`needs_compaction`, `has_uncompacted_writes`; default: always).

    The compaction runs without the writer lock, so writes are not held up meanwhile; a write
    that lands first wins and the compacted copy is dropped (False): nothing is ever lost."""
    link = target or paths.store_dir()
    current = Path(os.path.realpath(link))
    if not when(_sst_files(current), _files_after_last_compaction(link)):
        return False
    _remove_abandoned_compactions(link)
    work = link.parent / f".{_fresh_dir(link).name}.compacting"  # hidden from _swap's clean-up
    try:
        ox.Store.read_only(str(current)).backup(str(work))
        store = ox.Store(str(work))
        _optimize(store)
        del store
        with writer_lock(link):
            if Path(os.path.realpath(link)) != current:
                return False
            fresh = _fresh_dir(link)
            work.rename(fresh)
            _swap(link, fresh)
            _compaction_marker(link).write_text(str(_sst_files(fresh)))
        return True
    finally:
        shutil.rmtree(work, ignore_errors=True)


def compact_in_background(link: Path) -> subprocess.Popen | None:
    """If writes fragmented the store, start `bigmap-kg compact --if-fragmented` on it as a
    process of its own session (it outlives the caller; a write that lands meanwhile wins, see
    compact_store) and return it; None when there is nothing to compact. At 10 M triples a
    compaction takes 23 s, which an ingest run no longer waits for (bench/README.md)."""
    current = Path(os.path.realpath(link))
    if not needs_compaction(_sst_files(current), _files_after_last_compaction(link)):
        return None
    return subprocess.Popen([sys.executable, "-m", "bigmap_kg.cli", "compact", "--if-fragmented"],
                            env={**os.environ, "BIGMAP_KG_STORE": str(link)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def _remove_abandoned_compactions(link: Path) -> None:
    """Remove the work directories of compactions whose process has died (named by _fresh_dir:
    `.<link>-<time>-<pid>-<ns>.compacting`); those of live processes are theirs to finish."""
    for work in link.parent.glob(f".{link.name}-*.compacting"):
        pid = int(work.name.split("-")[-2])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(work, ignore_errors=True)
        except PermissionError:  # alive, another user's
            pass


def has_uncompacted_writes(files: int, files_after_last_compaction: int) -> bool:
    return files > files_after_last_compaction


def _optimize(store: ox.Store) -> None:
    store.optimize()


def load_file(path: Path, graph: str = GRAPH_DATASETS, target: Path | None = None) -> Path:
    """Bulk-load an N-Triples or Turtle file into a named graph of a copy of the store and swap
    it in (no validation: for benchmarks and restores of exported records)."""
    link = target or paths.store_dir()
    fmt = ox.RdfFormat.TURTLE if path.suffix == ".ttl" else ox.RdfFormat.N_TRIPLES

    def fill(store: ox.Store, fresh: Path) -> None:
        store.bulk_load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph))
        store.flush()
        _compact(store, fresh, link)
    return _next_generation(link, fill, from_current=True)


def replace_in_datasets(removal: str, triples: str, target: Path | None = None, *,
                        compact: bool = True) -> Path:
    """Run the `removal` update, then bulk-load the N-Triples `triples` into the datasets
    graph, in a copy of the current store swapped in on success (a failure leaves the store
    exactly as it was). The bulk loader is safe here, as nobody reads the copy before the
    swap, and it writes 52,000 triples in 0.6 s where an INSERT DATA takes 1.5 s (measured)."""
    link = target or paths.store_dir()
    return _next_generation(link, records_replacement(removal, triples, link, compact),
                            from_current=True)


def records_replacement(removal: str, triples: str, link: Path,
               compact: bool) -> Callable[[ox.Store, Path], None]:
    """What replace_in_datasets does in the copy."""
    def fill(store: ox.Store, fresh: Path) -> None:
        store.update(removal)
        store.bulk_load(triples.encode(), ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(GRAPH_DATASETS))
        store.flush()
        if compact:
            _compact_when_fragmented(store, fresh, link)
    return fill


def _compact_when_fragmented(store: ox.Store, directory: Path, link: Path) -> None:
    """Compact the store once writes have added enough files since the last compaction.

    Each write flushes new level-0 files (about one per index) and closes the store before
    RocksDB's background compaction runs, and every read must merge all level-0 files: 12 of
    them made the dataset queries at 1 M triples 1.3x slower than the same data compacted
    (measured). A full compaction costs time proportional to the store, so the threshold
    (`needs_compaction`) trades read speed against write cost; on a large store the last
    write or two stay uncompacted (bench/README.md, 9.4 M triples)."""
    if needs_compaction(_sst_files(directory), _files_after_last_compaction(link)):
        _compact(store, directory, link)


def needs_compaction(files: int, files_after_last_compaction: int) -> bool:
    """Whether a store with `files` SST files should be compacted: when writes have added
    at least 4 files, or a quarter of the compacted count if that is more."""
    added = files - files_after_last_compaction
    return added >= max(4, files_after_last_compaction // 4)


def _compact(store: ox.Store, directory: Path, link: Path) -> None:
    _optimize(store)
    _compaction_marker(link).write_text(str(_sst_files(directory)))


def _compaction_marker(link: Path) -> Path:
    return link.parent / f".{link.name}.compacted"


def _files_after_last_compaction(link: Path) -> int:
    marker = _compaction_marker(link)
    return int(marker.read_text()) if marker.exists() else 0


def _sst_files(directory: Path) -> int:
    return sum(1 for _ in directory.glob("*.sst"))


def _swap(link: Path, fresh: Path, tidy: bool = True) -> list[Path]:
    """Point `link` at `fresh` atomically; keep the previous directory, remove older ones
    (`tidy=False`: return them for the caller to remove)."""
    if link.exists() and not link.is_symlink():
        raise RuntimeError(f"{link} exists and is not a symlink made by bigmap-kg build")
    previous = link.resolve() if link.is_symlink() else None
    temporary = link.parent / f".{link.name}.swap-{os.getpid()}"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(fresh.name)
    os.replace(temporary, link)
    keep = {fresh.resolve(), previous}
    older = [old for old in link.parent.glob(f"{link.name}-*")
             if old.is_dir() and old.resolve() not in keep]
    if tidy:
        _remove(older)
    return older


def _remove(directories: list[Path]) -> None:
    for directory in directories:
        shutil.rmtree(directory, ignore_errors=True)
