"""Benchmark: what plain uvicorn + FastAPI cost before any query runs, next to Oxigraph.

Issue 16 asks for /sparql p50 within 1.5x of `oxigraph serve-read-only` on sub-millisecond
queries, with `bigmap-kg serve` plain uvicorn and FastAPI. This measures the floor of that
stack: a FastAPI app under plain uvicorn (httptools, uvloop, one worker, as `bigmap-kg serve`
runs) whose GET /sparql answers the label lookup's result bytes without running any query.
Three servers side by side, one request to each in turn (order alternating), every text new:

- **floor**: that app (no store, no gateway, no query);
- **ours**: `bigmap-kg serve --workers 1` answering the query through the gateway;
- **oxigraph**: `oxigraph serve-read-only --union-default-graph` over the same export.

If floor / oxigraph is near or above 1.5, no way of running the query inside this stack can
meet the target for that query; ours - floor is what the gateway (hand-over to the query
process and back, the query itself) adds.

    .venv/bin/python bench/framework_floor.py [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import Response

sys.path.insert(0, str(Path(__file__).parent))

from sparql_bench import (
    BIN,
    MIX,
    first_runs,
    free_port,
    oxigraph_store,
    paired_latencies,
    process,
    ratio_spread,
)

QUERY = MIX["lookup by label"]
app = FastAPI()


@app.get("/sparql")
async def fixed_answer(request: Request) -> Response:
    """The label lookup's answer, read once from the environment: no store, no query."""
    return Response(os.environ["FLOOR_ANSWER"].encode(),
                    media_type="application/sparql-results+json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bigmap-floor-"))
    try:
        nquads = work / "export.nq"
        subprocess.run([BIN / "bigmap-kg", "export", "--format", "nq", "-o", nquads], check=True)
        oxigraph_store(nquads, work / "oxigraph")
        ports = {name: free_port() for name in ("floor", "ours", "oxigraph")}
        with ExitStack() as running:
            oxigraph = running.enter_context(process(
                [str(BIN / "oxigraph"), "serve-read-only", "--location", str(work / "oxigraph"),
                 "--bind", f"127.0.0.1:{ports['oxigraph']}", "--union-default-graph"],
                f"http://127.0.0.1:{ports['oxigraph']}/query"))
            answer = httpx.get(oxigraph, params={"query": QUERY}, headers={
                "Accept": "application/sparql-results+json"}).text
            urls = {
                "floor": running.enter_context(process(
                    [sys.executable, "-m", "uvicorn", "framework_floor:app", "--app-dir",
                     str(Path(__file__).parent), "--host", "127.0.0.1", "--port",
                     str(ports["floor"]), "--log-level", "warning"],
                    f"http://127.0.0.1:{ports['floor']}/sparql", env={"FLOOR_ANSWER": answer})),
                "ours": running.enter_context(process(
                    [str(BIN / "bigmap-kg"), "serve", "--port", str(ports["ours"]),
                     "--workers", "1"], f"http://127.0.0.1:{ports['ours']}/sparql")),
                "oxigraph": oxigraph,
            }
            times = paired_latencies(urls, first_runs(QUERY), args.requests, warmup=20)
        p50 = {name: statistics.median(t) * 1000 for name, t in times.items()}
        print(f"label lookup, first runs, {args.requests} requests each, load average "
              f"{os.getloadavg()[0]:.2f}")
        for name in urls:
            print(f"  {name:9} p50 {p50[name]:.3f} ms")
        for name in ("floor", "ours"):
            median, first, third = ratio_spread(times[name], times["oxigraph"])
            print(f"  {name}/oxigraph {median:.2f} ({first:.2f}-{third:.2f})")
        print(f"  ours - floor: {p50['ours'] - p50['floor']:.3f} ms (the gateway and the query)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
