"""Benchmark: our /sparql against `oxigraph serve-read-only` and rdflib-endpoint, in one run.

All three serve the same export of the built store (union default graph). For each query of the
mix it prints the p50 latency per server and our ratio against each peer, then the throughput of
the whole mix with 8 concurrent clients. Run after `make run` (needs the built store):

    .venv/bin/python bench/sparql_bench.py [--requests 50] [--seconds 5] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
P = ("PREFIX bmo: <https://w3id.org/bigmap-kg/ontology#> "
     "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
     "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ")
MIX = {
    "lookup by label": P + 'SELECT ?t WHERE { ?t rdfs:label "X-ray diffraction"@en }',
    "2-hop join": P + "SELECT ?entry ?partner WHERE { ?entry bmo:hasCellOffer ?o . "
                      "?o bmo:partner ?partner }",
    "3-hop join": P + "SELECT DISTINCT ?tech ?facility WHERE { ?entry bmo:technique ?tech ; "
                      "bmo:hasInstrumentOffer ?o . ?o bmo:instrument ?i . "
                      "?i bmo:atFacility ?facility }",
    "count group by": P + "SELECT ?cluster (COUNT(?e) AS ?n) WHERE { ?e bmo:cluster ?cluster } "
                          "GROUP BY ?cluster",
    "text filter": P + 'SELECT ?e ?text WHERE { ?e bmo:observablesAsPrinted ?text '
                       'FILTER(CONTAINS(LCASE(?text), "phase")) }',
    "property path": P + "SELECT ?o ?top WHERE { ?o skos:broader+ ?top }",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def process(command: list[str], url: str, env: dict | None = None):
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"{command[0]} did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def latencies(url: str, query: str, requests: int, warmup: int = 3) -> list[float]:
    with httpx.Client(headers={"Accept": "application/sparql-results+json"},
                      timeout=600) as client:
        for _ in range(warmup):
            client.get(url, params={"query": query}).raise_for_status()
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url, params={"query": query}).raise_for_status()
            times.append(time.perf_counter() - started)
    return times


def throughput(url: str, seconds: float, clients: int = 8) -> float:
    done = [0] * clients
    stop = time.monotonic() + seconds

    def loop(index: int) -> None:
        with httpx.Client(headers={"Accept": "application/sparql-results+json"}) as client:
            while time.monotonic() < stop:
                for query in MIX.values():
                    client.get(url, params={"query": query}).raise_for_status()
                    done[index] += 1

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--workers", type=int, default=2, help="our uvicorn workers")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bigmap-bench-"))
    try:
        nquads, turtle = work / "export.nq", work / "export.ttl"
        subprocess.run([BIN / "bigmap-kg", "export", "--format", "nq", "-o", nquads], check=True)
        subprocess.run([BIN / "bigmap-kg", "export", "--format", "ttl", "-o", turtle], check=True)
        subprocess.run([BIN / "oxigraph", "load", "--location", work / "oxigraph", "--file",
                        nquads], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ports = {name: free_port() for name in ("ours", "oxigraph", "rdflib")}
        servers = {
            "ours": ([BIN / "bigmap-kg", "serve", "--port", str(ports["ours"]), "--workers",
                      str(args.workers)], f"http://127.0.0.1:{ports['ours']}/sparql"),
            "oxigraph": ([BIN / "oxigraph", "serve-read-only", "--location", work / "oxigraph",
                          "--bind", f"127.0.0.1:{ports['oxigraph']}", "--union-default-graph"],
                         f"http://127.0.0.1:{ports['oxigraph']}/query"),
            "rdflib": ([BIN / "rdflib-endpoint", "serve", "--host", "127.0.0.1", "--port",
                        str(ports["rdflib"]), turtle], f"http://127.0.0.1:{ports['rdflib']}/"),
        }
        p50: dict[str, dict[str, float]] = {}
        rates: dict[str, float] = {}
        for name, (command, url) in servers.items():
            with process([str(c) for c in command], url):
                p50[name] = {q: statistics.median(latencies(url, text, args.requests))
                             for q, text in MIX.items()}
                rates[name] = throughput(url, args.seconds)
        print(f"{'query':<18}{'ours ms':>9}{'oxigraph ms':>13}{'rdflib ms':>11}"
              f"{'ours/oxigraph':>15}{'ours/rdflib':>13}")
        for query in MIX:
            ours, oxi, rdf = (p50[n][query] * 1000 for n in ("ours", "oxigraph", "rdflib"))
            print(f"{query:<18}{ours:>9.2f}{oxi:>13.2f}{rdf:>11.2f}{ours / oxi:>15.2f}"
                  f"{ours / rdf:>13.2f}")
        floor_port = free_port()
        floor_url = f"http://127.0.0.1:{floor_port}/"
        with process([sys.executable, "-m", "uvicorn", "asgi_floor:app", "--app-dir",
                      str(Path(__file__).parent), "--port", str(floor_port), "--http",
                      "httptools", "--loop", "uvloop", "--log-level", "warning"], floor_url):
            floor = statistics.median(latencies(floor_url, "ASK {}", args.requests)) * 1000
        ask = {}
        for name in ("ours", "oxigraph"):
            command, url = servers[name]
            with process([str(c) for c in command], url):
                ask[name] = statistics.median(latencies(url, "ASK {}", args.requests)) * 1000
        print(f"\nfloor (ASK {{}}, ms): uvicorn hello-world app {floor:.2f}, "
              f"ours {ask['ours']:.2f}, "
              f"oxigraph {ask['oxigraph']:.2f} — a Python ASGI server alone costs "
              f"{floor / ask['oxigraph']:.2f}x Oxigraph's whole answer")
        print(f"\nthroughput with 8 clients (queries/s): ours {rates['ours']:.0f}, "
              f"oxigraph {rates['oxigraph']:.0f}, rdflib-endpoint {rates['rdflib']:.0f}; "
              f"ours/oxigraph {rates['ours'] / rates['oxigraph']:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
