"""Benchmark: dataset ingest throughput with full validation at two store sizes, next to
`oxigraph load` of the same triples into the same store, in one run (issue 17, item 6).

For each size: the store (a copy of the built one) is filled with synthetic dataset
metadata by a bulk load up to the size; then `--records` record files go through the whole
ingest pipeline (read, link, checks, SHACL validation of the batch, one bulk write per batch
into a copy-on-write generation, swap) as one `bigmap-kg ingest` run — whose compaction runs
after it, in the background; the bench runs it in the foreground and times it apart — and the
same records, as one N-Triples file, are loaded by `oxigraph load` into
a checkpoint of the store as it was before the ingest.

    .venv/bin/python bench/ingest_bench.py [--sizes 1000000 10000000] [--records 1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).parent))

from datasets_bench import ingest_batches, triples
from generate_datasets import RUNS_PER_SAMPLE, generate
from sparql_bench import BIN

from bigmap_kg import paths
from bigmap_kg.datasets.resolve import Vocabulary
from bigmap_kg.namespaces import GRAPH_DATASETS
from bigmap_kg.store import LiveStore
from bigmap_kg.store.generations import load_file

TRIPLES_PER_RUN = 52  # of the generator, three datasets per run (bench/README.md)


def oxigraph_load(link: Path, records: list[str], work: Path) -> float:
    """Seconds `oxigraph load` takes for the records' triples into a checkpoint of the store."""
    data = work / "records.nt"
    with open(data, "wb") as out:
        for name in records:
            out.write(Path(name).read_bytes())
    peer = work / "oxigraph-peer"
    shutil.rmtree(peer, ignore_errors=True)
    ox.Store.read_only(os.path.realpath(link)).backup(str(peer))
    began = time.perf_counter()
    subprocess.run([BIN / "oxigraph", "load", "--location", peer, "--file", data,
                    "--graph", GRAPH_DATASETS], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - began
    shutil.rmtree(peer, ignore_errors=True)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bigmap-ingest-bench-"))
    rows = []
    try:
        link = work / "store"
        ox.Store.read_only(os.path.realpath(paths.store_dir())).backup(str(work / "store-0"))
        link.symlink_to("store-0")
        vocabulary = Vocabulary.from_store(LiveStore(link))
        start = 0
        for size in sorted(args.sizes):
            missing = max(0, size - triples(link)) // TRIPLES_PER_RUN
            runs = -(-(missing + args.records) // RUNS_PER_SAMPLE) * RUNS_PER_SAMPLE
            began = time.perf_counter()
            out = work / f"data-{size}"
            files = [f for f, _ in generate(LiveStore(link), runs, 3, out, args.records,
                                            start=start)]
            start += runs
            records, bulk = files[:-1], Path(files[-1])
            load_file(bulk, target=link)
            bulk.unlink()
            before = triples(link)
            print(f"{before} triples after generating and bulk-loading {runs - args.records} "
                  f"runs ({time.perf_counter() - began:.0f} s)", flush=True)
            peer_s = oxigraph_load(link, records, work)
            ours = ingest_batches(records, link, args.batch, vocabulary, one_run=True)
            rows.append((before, ours, len(records) / peer_s))
            shutil.rmtree(out / "records", ignore_errors=True)
        print(f"\n{args.records} records ({TRIPLES_PER_RUN} triples each on average), batches of "
              f"{args.batch}, as one CLI run; validator: {rows[-1][1]['validator']}")
        print("records/s: as `bigmap-kg ingest` returns (it compacts in the background, after "
              "the run); with the compaction waited for: the same run plus that compaction")
        print(f"{'store (triples)':>16}{'records/s':>11}{'with compaction':>17}"
              f"{'compaction s':>14}{'oxigraph load':>15}{'ours/oxigraph':>15}")
        for size, ours, peer in rows:
            print(f"{size:>16}{ours['writes_per_s']:>11.1f}{ours['records_per_s']:>17.1f}"
                  f"{ours['compaction_s']:>14.1f}{peer:>15.1f}"
                  f"{ours['writes_per_s'] / peer:>15.3f}")
        print("\nseconds per stage (all batches):")
        for size, ours, _ in rows:
            stages = ", ".join(f"{k} {v:.2f}" for k, v in ours["stages"].items())
            print(f"{size:>16}  {stages}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
