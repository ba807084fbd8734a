"""Unknown queries on the event loop, when no one else would wait for them.

Handing a query to a thread costs a first run about 0.15 ms of cross-thread wake-ups. A query
on the event loop makes no one else wait when this worker serves nothing but the request's own
connection, another worker is free to accept newcomers, and the time limit still holds:

- `InlineSlots`: the N uvicorn workers share N-1 lock files; a worker runs a query on its loop
  only while it holds one (a non-blocking `flock`), so one worker is always free to accept;
- `sole_connection_socket`: the request's socket, when it is all this worker serves;
- `Watchdog`: a thread that looks at the running query every `poll` seconds. Past the time limit
  it writes the 503 straight to that socket and ends the process (a running query cannot be
  stopped any other way); uvicorn's supervisor starts a fresh worker, as after a retirement.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

CONNECTION = "bigmap_kg.connection"  # the scope extension that carries the request's protocol
EXIT_TIMED_OUT = 75  # the worker's exit status after a runaway inline query (not uvicorn's 3)
log = logging.getLogger("uvicorn.error")


class InlineSlots:
    """Lock files shared by the workers of one server; `take` holds one or gives None."""

    prefix = "slot-"

    def __init__(self, directory: Path) -> None:
        self._files = [os.open(path, os.O_RDWR)
                       for path in sorted(directory.glob(f"{self.prefix}*"))]

    @classmethod
    def create(cls, directory: Path, workers: int) -> None:
        """Lay out the slots for `workers` workers: one fewer than the workers."""
        for index in range(max(0, workers - 1)):
            (directory / f"{cls.prefix}{index}").touch()

    def take(self) -> int | None:
        for descriptor in self._files:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue
            return descriptor
        return None

    @staticmethod
    def give_back(descriptor: int) -> None:
        fcntl.flock(descriptor, fcntl.LOCK_UN)

    def close(self) -> None:
        for descriptor in self._files:
            os.close(descriptor)
        self._files = []


def sole_connection_socket(connection) -> int | None:
    """The socket of `connection` (a `ConnectionAwareProtocol`) when it is all its worker
    serves: no other connection, no request task but the caller's own (a request answered in
    the protocol itself has none), nothing of it left to send."""
    if connection is None or connection.socket_fd is None:
        return None
    state = connection.server_state
    if len(state.connections) != 1 or connection.transport.get_write_buffer_size():
        return None
    if state.tasks and (len(state.tasks) > 1 or asyncio.current_task() not in state.tasks):
        return None
    return connection.socket_fd


class Watchdog:
    """Ends this process if a watched call outlives `timeout`, after sending `last_words` to
    the watched socket. Watching costs the call two attribute stores and a lock."""

    def __init__(self, timeout: float, last_words: bytes, poll: float = 0.1) -> None:
        self.timeout, self.last_words, self.poll = timeout, last_words, poll
        self._lock = threading.Lock()
        self._watched: tuple[float, int] | None = None
        threading.Thread(target=self._watch, name="inline-watchdog", daemon=True).start()

    @contextlib.contextmanager
    def watching(self, socket_fd: int) -> Iterator[None]:
        self._watched = (time.monotonic() + self.timeout, socket_fd)
        try:
            yield
        finally:
            with self._lock:  # after this the watchdog cannot speak for the finished call
                self._watched = None

    def _watch(self) -> None:
        while True:
            time.sleep(self.poll)
            watched = self._watched
            if watched is None or time.monotonic() < watched[0]:
                continue
            with self._lock:
                if self._watched is watched:
                    self._expire(watched[1])

    def _expire(self, socket_fd: int) -> None:
        with contextlib.suppress(OSError):  # the client may have gone
            os.write(socket_fd, self.last_words)
        log.error("a query on the event loop outlived the time limit of %g s: answered 503; "
                  "this worker exits and the supervisor starts a fresh one", self.timeout)
        logging.shutdown()
        os._exit(EXIT_TIMED_OUT)


class Inline:
    """The inline path of one worker: its share of the slots and its watchdog."""

    def __init__(self, slots: InlineSlots, watchdog: Watchdog) -> None:
        self.slots, self.watchdog = slots, watchdog

    def turn(self, connection) -> tuple[int, int] | None:
        """(socket, slot) when a query for `connection` may run on the loop now, else None."""
        socket_fd = sole_connection_socket(connection)
        if socket_fd is None:
            return None
        slot = self.slots.take()
        return None if slot is None else (socket_fd, slot)

    def run(self, turn: tuple[int, int], call: Callable, *args):
        socket_fd, slot = turn
        try:
            with self.watchdog.watching(socket_fd):
                return call(*args)
        finally:
            self.slots.give_back(slot)

    def close(self) -> None:
        self.slots.close()
