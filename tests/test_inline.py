"""The inline path (`web/inline.py`): slots shared by the workers, the alone check on a real
uvicorn server, and the watchdog that answers for a runaway query and ends its process."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bigmap_kg.web.inline import CONNECTION, EXIT_TIMED_OUT, InlineSlots, sole_connection_socket
from bigmap_kg.web.uvicorn_protocol import ConnectionAwareProtocol

from .server import uvicorn_in_thread
from .watched_child import LAST_WORDS

ROOT = Path(__file__).parent.parent


def test_the_slots_let_all_workers_but_one_run_inline_at_a_time(tmp_path: Path) -> None:
    InlineSlots.create(tmp_path, workers=3)
    workers = [InlineSlots(tmp_path) for _ in range(3)]  # separate opens, as three processes
    try:
        first, second = workers[0].take(), workers[1].take()
        assert first is not None and second is not None
        assert workers[2].take() is None
        InlineSlots.give_back(first)
        assert workers[2].take() is not None
        assert workers[0].take() is None
    finally:
        for slots in workers:
            slots.close()


def test_a_single_worker_has_no_slot(tmp_path: Path) -> None:
    InlineSlots.create(tmp_path, workers=1)
    slots = InlineSlots(tmp_path)
    try:
        assert slots.take() is None
    finally:
        slots.close()


def test_a_slot_is_free_again_when_the_process_holding_it_dies(tmp_path: Path) -> None:
    InlineSlots.create(tmp_path, workers=2)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from bigmap_kg.web.inline import InlineSlots; "
         "assert InlineSlots(Path(sys.argv[1])).take() is not None; print('held', flush=True); "
         "time.sleep(60)", str(tmp_path)], stdout=subprocess.PIPE)
    slots = InlineSlots(tmp_path)
    try:
        assert holder.stdout.readline() == b"held\n"
        assert slots.take() is None
        holder.kill()
        holder.wait(timeout=10)
        assert slots.take() is not None
    finally:
        holder.kill()
        slots.close()


def watched(timeout: float, work: float) -> tuple[int, bytes, float]:
    """Run `watched_child` against a listening socket: (exit status, what it sent, seconds)."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, "-m", "tests.watched_child",
                                  str(server.getsockname()[1]), str(timeout), str(work)],
                                 cwd=ROOT)
        server.settimeout(30)
        connection, _ = server.accept()
        with connection:
            received = b""
            while chunk := connection.recv(4096):
                received += chunk
        status = child.wait(timeout=30)
        return status, received, time.monotonic() - started


def test_the_watchdog_answers_for_a_runaway_call_and_ends_its_process() -> None:
    status, received, seconds = watched(timeout=0.5, work=30)
    assert status == EXIT_TIMED_OUT
    assert received == LAST_WORDS
    assert received.startswith(b"HTTP/1.1 503 ") and received.endswith(b"too slow\n")
    assert seconds < 10  # the time limit, not the 30 s the call wanted


def test_the_watchdog_keeps_quiet_for_a_call_that_ends_in_time() -> None:
    status, received, _ = watched(timeout=0.5, work=0.1)
    assert (status, received) == (0, b"finished")


async def alone_app(scope, receive, send) -> None:
    """Answers `alone` when its request's connection is all the server serves, else `shared`."""
    if scope["type"] != "http":
        return
    connection = scope.get("extensions", {}).get(CONNECTION)
    body = b"alone" if sole_connection_socket(connection) is not None else b"shared"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def answer_becomes(client: httpx.Client, url: str, expected: str) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if client.get(url).text == expected:
            return True
        time.sleep(0.05)
    return False


def test_a_connection_is_alone_only_while_no_other_is_open() -> None:
    with uvicorn_in_thread(alone_app, http=ConnectionAwareProtocol, lifespan="off") \
            as port, httpx.Client() as client:
        url = f"http://127.0.0.1:{port}/"
        assert client.get(url).text == "alone"
        assert client.get(url).text == "alone"  # the same keep-alive connection again
        with socket.create_connection(("127.0.0.1", port)):  # another client, idle
            assert answer_becomes(client, url, "shared")
        assert answer_becomes(client, url, "alone")
