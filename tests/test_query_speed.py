"""Every named query and view answers fast on the D5.1 graph (bench/queries_bench.py runs the
same jobs and prints the table; issue 14 asks for 20 ms). The bound here is ten times that, so
that two busy shared cores do not fail it, while a query that needs a second — as
shallow-probing-techniques and operando-xrd-pouch-cells did before the patterns were reordered —
still does."""

from __future__ import annotations

import importlib.util
import statistics
import time
from pathlib import Path

from bigmap_kg.results import run

BENCH = Path(__file__).resolve().parents[1] / "bench" / "queries_bench.py"
LIMIT_MS = 200.0


def load_bench():
    spec = importlib.util.spec_from_file_location("queries_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_named_query_and_view_is_fast(store) -> None:
    jobs = load_bench().jobs()
    assert len(jobs) >= 50  # every file of queries/ and src/bigmap_kg/views/
    slow = {}
    for name, text, bindings in jobs:
        samples = []
        for _ in range(3):
            started = time.perf_counter()
            result = run(store, text, prefixes=False, bindings=bindings)
            if not isinstance(result, bool):
                sum(1 for _ in result)
            samples.append((time.perf_counter() - started) * 1000)
        if statistics.median(samples) > LIMIT_MS:
            slow[name] = round(statistics.median(samples))
    assert slow == {}
