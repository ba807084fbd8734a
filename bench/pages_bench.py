"""Page load times of the web pages over the full graph (server-side, p50 and p95 of 30 loads).

    .venv/bin/python bench/pages_bench.py      # after `make run`'s build
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sparql_bench import free_port

PAGES = ["/matrix", "/matrix?cluster=imaging&operando=yes", "/competence-map", "/cells",
         "/cells?technique=xas", "/technique/xrd.html", "/technique/xps.html",
         "/cell/dtu-capillary.html", "/partner/cea.html", "/experiment/t1-08.html"]


@contextmanager
def serving() -> Iterator[str]:
    """`bigmap-kg serve` over the built store on a free port; yields its base URL."""
    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("bigmap-kg")), "serve",
                               "--port", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/matrix", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    with serving() as base, httpx.Client(base_url=base) as client:
        print(f"{'page':<42}{'p50 ms':>8}{'p95 ms':>8}")
        for page in PAGES:
            client.get(page).raise_for_status()
            times = []
            for _ in range(30):
                started = time.perf_counter()
                client.get(page).raise_for_status()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            print(f"{page:<42}{statistics.median(times):>8.1f}{times[28]:>8.1f}")


if __name__ == "__main__":
    main()
