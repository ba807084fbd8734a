"""Start the real service (uvicorn in a subprocess) on a free loopback port for tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_answering(process: subprocess.Popen, url: str, seconds: float = 60,
                         **params: str) -> None:
    """Poll `url` until it answers 200 (a server just started); fail if the process exits or
    the time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise RuntimeError(f"server exited: {output}")
        try:
            if httpx.get(url, params=params, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {seconds:g} s")
        time.sleep(0.2)


def stop(process: subprocess.Popen, seconds: float = 30) -> None:
    """Terminate a server the test started; kill it if it does not stop in time."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def running_server(store: Path, workers: int | None = None, **env: str) -> Iterator[str]:
    """Yield the base URL of a real uvicorn server over `store`; stop it afterwards. With
    `workers`, it is `bigmap-kg serve --workers N` (queries in the uvicorn workers for N ≥ 2)."""
    port = free_port()
    environment = {**os.environ, "BIGMAP_KG_STORE": str(store), **env}
    command = [sys.executable, "-m", "uvicorn", "bigmap_kg.web.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"] \
        if workers is None else \
        [sys.executable, "-m", "bigmap_kg.cli", "serve", "--port", str(port), "--workers",
         str(workers)]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(process, base + "/sparql", query="ASK {}")
        yield base
    finally:
        stop(process, 10)


@contextmanager
def uvicorn_in_thread(app, **config) -> Iterator[int]:
    """Serve the ASGI `app` with a real uvicorn in a thread of this process (so that a test can
    look inside it); yield its port. `config`: more `uvicorn.Config` options."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", **config))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield port
    finally:
        server.should_exit = True
        thread.join(timeout=10)
