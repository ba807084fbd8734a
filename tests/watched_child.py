"""A process that runs a call under the inline watchdog, for `test_inline`:
`python -m tests.watched_child PORT TIMEOUT WORK` connects to 127.0.0.1:PORT, sleeps WORK
seconds while watched with a time limit of TIMEOUT seconds, then says "finished" and exits 0."""

from __future__ import annotations

import socket
import sys
import time

from bigmap_kg.web.inline import Watchdog
from bigmap_kg.web.pool import QueryError
from bigmap_kg.web.sparql import error_reply

LAST_WORDS = error_reply(QueryError(503, "too slow")).as_http(cors=True, close=True)


def main(port: int, timeout: float, work: float) -> None:
    connection = socket.create_connection(("127.0.0.1", port))
    watchdog = Watchdog(timeout, LAST_WORDS, poll=0.05)
    with watchdog.watching(connection.fileno()):
        time.sleep(work)
    time.sleep(2 * timeout)  # past the deadline, no longer watched: the watchdog keeps quiet
    connection.sendall(b"finished")
    connection.close()


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]))
