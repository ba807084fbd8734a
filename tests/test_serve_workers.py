"""`bigmap-kg serve --workers 2`: queries run in the uvicorn workers themselves; a query that
times out gets 503, its worker retires and is replaced, and the service keeps answering."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .server import free_port
from .test_service import HEAVY, TECHNIQUES


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


def test_a_timed_out_worker_is_replaced_and_the_service_stays_up(store_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "bigmap_kg.cli", "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "BIGMAP_KG_STORE": str(store_path), "BIGMAP_KG_QUERY_TIMEOUT": "1"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/sparql"
    try:
        deadline = time.monotonic() + 60
        while len(workers(server.pid)) < 2 or not _answers(base):
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        before = workers(server.pid)
        slow = httpx.get(base, params={"query": HEAVY}, timeout=30)
        assert slow.status_code == 503 and "timed out" in slow.text, (slow.status_code, slow.text)
        # every query keeps being answered while the retired worker is replaced
        answered = [httpx.get(base, params={"query": TECHNIQUES}, timeout=30).status_code
                    for _ in range(20)]
        assert set(answered) == {200}, answered
        deadline = time.monotonic() + 60
        while not (len(workers(server.pid)) == 2 and workers(server.pid) != before):
            assert time.monotonic() < deadline, "the retired worker was not replaced"
            time.sleep(0.3)
        assert _answers(base)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _answers(base: str) -> bool:
    try:
        return httpx.get(base, params={"query": TECHNIQUES}, timeout=5).status_code == 200
    except httpx.TransportError:
        return False
