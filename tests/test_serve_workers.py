"""`bigmap-kg serve --workers 2`: queries run in the uvicorn workers themselves; a query that
times out gets 503, its worker is replaced, and the service keeps answering. A runaway query
runs on a worker's event loop (the inline path) or in a query thread; both are covered."""

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

from .server import free_port
from .test_service import HEAVY, TECHNIQUES

INLINE_LINE = "a query on the event loop outlived the time limit"
THREAD_LINE = "a query in a query thread outlived the time limit"


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
        server.terminate()
        server.wait(timeout=30)


def wait_for_replacement(pid: int, before: set[int]) -> None:
    deadline = time.monotonic() + 60
    while not (len(workers(pid)) == 2 and workers(pid) != before):
        assert time.monotonic() < deadline, "the stopped worker was not replaced"
        time.sleep(0.3)


def in_background(base: str, query: str, into: list[httpx.Response]) -> threading.Thread:
    """GET `query` from `base` on a thread of its own (its own connection); the reply goes
    `into` the list."""
    thread = threading.Thread(
        target=lambda: into.append(httpx.get(base, params={"query": query}, timeout=30)))
    thread.start()
    return thread


def test_timed_out_workers_are_replaced_and_the_service_stays_up(store_path: Path,
                                                                  tmp_path: Path) -> None:
    """Two runaway queries at once: at most one may run on a worker's event loop (one inline
    slot for two workers), so at least one runs in a query thread and its worker retires."""
    log = tmp_path / "server.log"
    with two_workers(store_path, log, timeout="1") as (pid, base):
        before, slow = workers(pid), []
        for runaway in [in_background(base, HEAVY, slow) for _ in range(2)]:
            runaway.join(timeout=60)
        assert len(slow) == 2
        for response in slow:
            assert response.status_code == 503 and "timed out" in response.text, \
                (response.status_code, response.text)
        # every query keeps being answered while the stopped workers are replaced
        answered = [httpx.get(base, params={"query": TECHNIQUES}, timeout=30).status_code
                    for _ in range(20)]
        assert set(answered) == {200}, answered
        wait_for_replacement(pid, before)
        assert _answers(base)
    assert f"{THREAD_LINE} of 1 s" in log.read_text()


def test_a_runaway_query_on_the_event_loop_holds_no_one_else_up(store_path: Path,
                                                                 tmp_path: Path) -> None:
    """Alone on its connection, the runaway query runs on its worker's loop (the watchdog's log
    line shows it); meanwhile the other worker answers everyone, and the service recovers."""
    log = tmp_path / "server.log"
    with two_workers(store_path, log, timeout="3") as (pid, base):
        before, slow = workers(pid), []
        started = time.monotonic()
        runaway = in_background(base, HEAVY, slow)
        time.sleep(0.5)
        during = []
        while time.monotonic() - started < 2.5:  # the runaway is still running
            asked = time.monotonic()
            during.append((httpx.get(base, params={"query": TECHNIQUES}, timeout=30).status_code,
                           time.monotonic() - asked))
        runaway.join(timeout=30)
        assert slow[0].status_code == 503 and "timed out after 3 s" in slow[0].text
        assert slow[0].headers["connection"] == "close"
        assert during and all(status == 200 for status, _ in during), during
        assert max(seconds for _, seconds in during) < 1.0, during
        wait_for_replacement(pid, before)
        assert _answers(base)
    assert INLINE_LINE in log.read_text()


def _answers(base: str) -> bool:
    try:
        return httpx.get(base, params={"query": TECHNIQUES}, timeout=5).status_code == 200
    except httpx.TransportError:
        return False
