"""`bigmap-kg serve --workers 2` (plain uvicorn): a query that times out gets 503, only its query
process is stopped (the uvicorn workers stay as they are), and the service keeps answering."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from .server import free_port, stop
from .test_service import HEAVY, TECHNIQUES

#: a real `bigmap-kg serve --workers 2` and runaway queries: slow (`make test-fast` skips it)
pytestmark = pytest.mark.slow
STOPPED_LINE = "a query outlived the time limit of 1 s: its process is killed"


def workers(pid: int) -> set[int]:
    """The uvicorn worker processes of the server `pid` (its spawned children)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status and b"spawn_main" in command:
                found.add(int(entry.name))
    return found


@contextmanager
def two_workers(store_path: Path, log: Path, timeout: str) -> Iterator[tuple[int, str]]:
    """`bigmap-kg serve --workers 2` with the query time limit `timeout` (its output in `log`):
    yields (server pid, /sparql URL) once both workers answer."""
    port = free_port()
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "bigmap_kg.cli", "serve", "--port", str(port), "--workers",
             "2"], stdout=output, stderr=subprocess.STDOUT,
            env={**os.environ, "BIGMAP_KG_STORE": str(store_path),
                 "BIGMAP_KG_QUERY_TIMEOUT": timeout})
    base = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 60
        while len(workers(server.pid)) < 2 or not _answers(base):
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        yield server.pid, base
    finally:
        stop(server)


def in_background(base: str, query: str, into: list[httpx.Response],
                  finished: list[float] | None = None) -> threading.Thread:
    """GET `query` from `base` on a thread of its own (its own connection); the reply goes
    `into` the list, and the time.monotonic() it arrived `finished`, if given."""
    def ask() -> None:
        into.append(httpx.get(base, params={"query": query}, timeout=30))
        if finished is not None:
            finished.append(time.monotonic())

    thread = threading.Thread(target=ask)
    thread.start()
    return thread


def test_runaway_queries_are_stopped_and_hold_no_one_up(store_path: Path,
                                                        tmp_path: Path) -> None:
    """Two runaway queries at once: both answered 503 "timed out" after the limit; queries
    asked meanwhile are answered at once (other query processes, the other worker); the uvicorn
    workers are the same processes afterwards (only the query processes were stopped)."""
    log = tmp_path / "server.log"
    with two_workers(store_path, log, timeout="1") as (pid, base):
        before, slow, stopped = workers(pid), [], []
        runaways = [in_background(base, HEAVY, slow, stopped) for _ in range(2)]
        during = []
        started = time.monotonic()
        while time.monotonic() - started < 0.8:  # the runaways are still running
            status = httpx.get(base, params={"query": TECHNIQUES}, timeout=30).status_code
            during.append((status, time.monotonic()))
        for runaway in runaways:
            runaway.join(timeout=60)
        assert [r.status_code for r in slow] == [503, 503], [r.text for r in slow]
        assert all("timed out after 1 s" in r.text for r in slow)
        assert during and all(status == 200 for status, _ in during), during
        # not queued behind the runaways: answers came while both still ran (how fast they
        # came is the bench's business: on two shared cores it measures the machine)
        assert min(at for _, at in during) < min(stopped), (during, stopped)
        answered = [httpx.get(base, params={"query": TECHNIQUES}, timeout=30).status_code
                    for _ in range(20)]
        assert set(answered) == {200}, answered
        assert workers(pid) == before
    assert log.read_text().count(STOPPED_LINE) == 2


def _answers(base: str) -> bool:
    try:
        return httpx.get(base, params={"query": TECHNIQUES}, timeout=5).status_code == 200
    except httpx.TransportError:
        return False
