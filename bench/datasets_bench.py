"""Benchmark: dataset metadata at scale — ingest throughput, SHACL validation per batch as the
store grows, memory while ingesting, and dataset-query latency of our /sparql against
`oxigraph serve-read-only` loaded with the same data, in one run.

    .venv/bin/python bench/datasets_bench.py [--runs 20000] [--ingest-records 1000] [--batch 100]

--runs 20000 gives about 1.05 M triples of dataset metadata (≈52 per run); --runs 190000 ≈ 10 M.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).parent))

from generate_datasets import generate  # noqa: E402
from sparql_bench import (  # noqa: E402
    BIN,
    free_port,
    oxigraph_store,
    paired_latencies,
    process,
    ratio_spread,
)

from bigmap_kg import paths  # noqa: E402
from bigmap_kg.datasets.ingest import ingest_files  # noqa: E402
from bigmap_kg.datasets.resolve import Vocabulary  # noqa: E402
from bigmap_kg.namespaces import sparql_prologue  # noqa: E402
from bigmap_kg.queryfile import QueryFile  # noqa: E402
from bigmap_kg.store import LiveStore  # noqa: E402
from bigmap_kg.store.generations import load_file  # noqa: E402

QUERIES = {
    "operando XRD, LNO half-cells, ESRF": paths.QUERIES_DIR /
    "datasets-by-technique-material-facility.rq",
    "datasets per level of a partner": Path(__file__).parent / "queries" /
    "datasets-by-partner.rq",
    "datasets of a Tier 1 experiment": Path(__file__).parent / "queries" /
    "datasets-of-experiment.rq",
    "provenance chain (wasDerivedFrom+)": Path(__file__).parent / "queries" /
    "provenance-chain.rq",
}


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def ingest_batches(files: list[str], link: Path, batch: int, vocabulary: Vocabulary,
                   one_run: bool) -> dict:
    """Ingest files in batches through the whole pipeline; timings per batch and memory.
    `one_run`: as one `bigmap-kg ingest` run (compaction deferred to its end, and timed);
    otherwise each batch on its own, as one POST /api/datasets each. `stages`: seconds spent
    in each stage of the report's timings, summed over the batches."""
    store = LiveStore(link)
    validate, peak, stages = [], rss_mb(), {}
    began = time.perf_counter()
    with store.compaction_deferred() if one_run else nullcontext():
        for start in range(0, len(files), batch):
            chunk = [Path(f) for f in files[start:start + batch]]
            report = ingest_files(chunk, store, store.replace_records, vocabulary)
            if not report.written:
                raise SystemExit(report.as_text())
            validate.append(report.timings["validate"])
            for stage, seconds in report.timings.items():
                stages[stage] = stages.get(stage, 0.0) + seconds
            peak = max(peak, rss_mb())
        written = time.perf_counter() - began
    total = time.perf_counter() - began
    return {"records_per_s": len(files) / total, "validate_median_s": statistics.median(validate),
            "batches": len(validate), "peak_rss_mb": peak, "writes_per_s": len(files) / written,
            "compaction_s": total - written, "stages": stages, "validator": report.validator}


def triples(link: Path) -> int:
    return len(ox.Store.read_only(os.path.realpath(link)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--ingest-records", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--one-run", action="store_true",
                        help="ingest each half as one CLI run (one compaction at its end) "
                             "instead of one request per batch")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bigmap-datasets-bench-"))
    try:
        link = work / "store"
        ox.Store.read_only(os.path.realpath(paths.store_dir())).backup(str(work / "store-0"))
        link.symlink_to("store-0")
        started = time.perf_counter()
        files = [f for f, _ in generate(LiveStore(link), args.runs, 3, work / "data",
                                        args.ingest_records)]
        print(f"generated {args.runs} runs ({3 * args.runs} datasets) in "
              f"{time.perf_counter() - started:.1f} s")
        records, bulk = files[:-1], Path(files[-1])
        vocabulary = Vocabulary.from_store(LiveStore(link))
        half = len(records) // 2
        small = ingest_batches(records[:half], link, args.batch, vocabulary, args.one_run)
        small_size = triples(link)
        started = time.perf_counter()
        load_file(bulk, target=link)
        print(f"bulk-loaded the rest in {time.perf_counter() - started:.1f} s")
        large = ingest_batches(records[half:], link, args.batch, vocabulary, args.one_run)
        large_size = triples(link)
        print(f"\ningest through the whole pipeline (read, link, SHACL, one update), "
              f"batches of {args.batch} records, "
              f"{'as one CLI run' if args.one_run else 'one request per batch'}:")
        print(f"{'store size (triples)':<24}{'records/s':>11}{'SHACL s/batch':>15}"
              f"{'peak RSS MB':>13}")
        for size, figures in ((small_size, small), (large_size, large)):
            print(f"{size:<24}{figures['records_per_s']:>11.1f}"
                  f"{figures['validate_median_s']:>15.3f}{figures['peak_rss_mb']:>13.0f}")
        print(f"validation per batch, large/small store: "
              f"{large['validate_median_s'] / small['validate_median_s']:.2f} "
              f"(store grew {large_size / small_size:.1f}x)")

        nquads = work / "all.nq"
        ox.Store.read_only(os.path.realpath(link)).dump(str(nquads), ox.RdfFormat.N_QUADS)
        oxigraph_store(nquads, work / "oxigraph")
        ours_port, oxi_port = free_port(), free_port()
        texts = {name: sparql_prologue() + QueryFile.read(path).text
                 for name, path in QUERIES.items()}
        servers = {
            "ours": ([str(BIN / "bigmap-kg"), "serve", "--port", str(ours_port), "--workers",
                      str(args.workers)], f"http://127.0.0.1:{ours_port}/sparql",
                     # no background compaction while measuring: the store as the ingest
                     # left it (compacted after a --one-run; threshold leftovers otherwise)
                     {"BIGMAP_KG_STORE": str(link), "BIGMAP_KG_QUERY_TIMEOUT": "600",
                      "BIGMAP_KG_COMPACT_AFTER": "0"}),
            "oxigraph": ([str(BIN / "oxigraph"), "serve-read-only", "--location",
                          str(work / "oxigraph"), "--bind", f"127.0.0.1:{oxi_port}",
                          "--union-default-graph"], f"http://127.0.0.1:{oxi_port}/query", {}),
        }
        # both servers run side by side and take turns: each pair of requests saw the same load
        with process(*servers["ours"]) as ours, process(*servers["oxigraph"]) as oxigraph:
            measured = {q: paired_latencies({"ours": ours, "oxigraph": oxigraph}, t,
                                            args.requests, warmup=1) for q, t in texts.items()}
        print(f"\ndataset queries at {large_size} triples ({args.requests} request pairs, "
              "p50 ms; paired ratios: median [quartiles]):")
        print(f"{'query':<38}{'ours':>9}{'oxigraph':>10}{'ours/oxigraph':>15}{'quartiles':>14}")
        for query, times in measured.items():
            ours_ms, oxi_ms = (statistics.median(times[n]) * 1000 for n in ("ours", "oxigraph"))
            ratio, first, third = ratio_spread(times["ours"], times["oxigraph"])
            print(f"{query:<38}{ours_ms:>9.2f}{oxi_ms:>10.2f}{ratio:>15.2f}"
                  f"{f'{first:.2f}–{third:.2f}':>14}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
