"""Realistic synthetic dataset metadata for the D5.1 graph (deterministic, streamed).

Each record is one measurement run of a technique on an instrument that a matrix entry offers
for it, by the operating partner, at the instrument's facility, on a sample (a half- or
full-cell of a Tier 1 material, in a cell of the index that supports the technique where there
is one), sometimes inside a Tier 1 experiment that uses the technique; it produced raw data,
then processed data derived from it and analysed data derived from that (`--datasets-per-run`,
at least 3), each with a distribution. Written as N-Triples: the first `--ingest-records`
records one file each (for the ingest benchmark), the rest streamed into `bulk.nt`.

    .venv/bin/python bench/generate_datasets.py --runs 20000 --out var/bench-datasets
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from bigmap_kg.namespaces import BASE, PREFIXES  # noqa: E402
from bigmap_kg.queryfile import QueryFile  # noqa: E402
from bigmap_kg.results import rows_as_dicts, run  # noqa: E402

QUERIES = Path(__file__).parent / "queries"
B, XSD = PREFIXES["bmo"], PREFIXES["xsd"]
PROV, DCAT, DCT = PREFIXES["prov"], PREFIXES["dcat"], PREFIXES["dcterms"]
CHAMEO, SCHEMA, RDF = PREFIXES["chameo"], PREFIXES["schema"], PREFIXES["rdf"] + "type"
LEVELS = (("raw", CHAMEO + "RawData"), ("processed", CHAMEO + "PrimaryData"),
          ("analysed", CHAMEO + "SecondaryData"))
MATERIALS = ("lno", "graphite", "nmc", "si-gr", "ni-rich-nmc")


def rows(store, name: str) -> list[dict[str, str | None]]:
    return rows_as_dicts(run(store, QueryFile.read(QUERIES / f"{name}.rq").text))


class Vocabulary:
    """What runs may combine, from the built store."""

    def __init__(self, store) -> None:
        self.offers = rows(store, "generator-combinations")
        self.cells: dict[str, list[str]] = defaultdict(list)
        for offer in self.offers:
            if offer["cell"]:
                self.cells[offer["technique"]].append(offer["cell"])
        self.experiments: dict[str, list[str]] = defaultdict(list)
        for row in rows(store, "generator-experiments"):
            self.experiments[row["technique"]].append(row["experiment"])


def triple(s: str, p: str, o: str) -> str:
    return f"<{s}> <{p}> {o} .\n"


def iri(value: str) -> str:
    return f"<{value}>"


def literal(value: str | int | bool, datatype: str | None = None) -> str:
    if isinstance(value, bool):
        return f'"{str(value).lower()}"^^<{XSD}boolean>'
    if isinstance(value, int):
        return f'"{value}"^^<{XSD}nonNegativeInteger>'
    return f'"{value}"' + (f"^^<{datatype}>" if datatype else "")


def record(vocabulary: Vocabulary, number: int, per_run: int, rng: random.Random) -> str:
    """One run with its sample and datasets, as N-Triples."""
    offer = rng.choice(vocabulary.offers)
    key = f"syn-{number:07d}"
    run_, sample = f"{BASE}run/{key}", f"{BASE}sample/syn-{number // 4:07d}"
    material = rng.choice(MATERIALS)
    operando = rng.random() < 0.7
    lines = [triple(run_, RDF, iri(B + "MeasurementRun")),
             triple(run_, B + "appliedTechnique", iri(offer["technique"])),
             triple(run_, B + "operando", literal(operando)),
             triple(run_, CHAMEO + "hasCharacterisationMeasurementInstrument",
                    iri(offer["instrument"])),
             triple(run_, PROV + "used", iri(offer["instrument"])),
             triple(run_, CHAMEO + "hasMeasurementSample", iri(sample)),
             triple(run_, PROV + "used", iri(sample)),
             triple(run_, PROV + "wasAssociatedWith", iri(offer["partner"])),
             triple(run_, PROV + "startedAtTime", literal(
                 f"2021-{1 + number % 12:02d}-{1 + number % 28:02d}T08:00:00Z",
                 XSD + "dateTime")),
             triple(sample, RDF, iri(B + "Sample")),
             triple(sample, B + "activeMaterial", iri(f"{BASE}material/{material}")),
             triple(sample, B + "configuration",
                    iri(B + ("HalfCell" if (number // 4) % 3 else "FullCell")))]
    if offer["facility"]:
        lines.append(triple(run_, PROV + "atLocation", iri(offer["facility"])))
    cells = vocabulary.cells.get(offer["technique"])
    if cells:
        lines.append(triple(sample, B + "cellDesign", iri(rng.choice(cells))))
    experiments = vocabulary.experiments.get(offer["technique"])
    if experiments and rng.random() < 0.5:
        lines.append(triple(run_, B + "partOfExperiment", iri(rng.choice(experiments))))
    levels = [LEVELS[0]] * (per_run - 2) + [LEVELS[1], LEVELS[2]]
    sources: list[str] = []  # what the next level derives from: all raw data, then one each
    for index, (name, cls) in enumerate(levels):
        dataset = f"{BASE}dataset/{key}-{index}"
        distribution = f"{BASE}distribution/{key}-{index}"
        lines += [triple(dataset, RDF, iri(B + "Dataset")), triple(dataset, RDF, iri(cls)),
                  triple(dataset, RDF, iri(DCAT + "Dataset")),
                  triple(dataset, DCT + "title", literal(f"{name} data of run {key}")),
                  triple(dataset, PREFIXES["schema"] + "about", iri(sample)),
                  triple(dataset, DCT + "license",
                         iri("https://creativecommons.org/licenses/by/4.0/")),
                  triple(dataset, DCAT + "distribution", iri(distribution)),
                  triple(distribution, RDF, iri(DCAT + "Distribution")),
                  triple(distribution, DCAT + "accessURL",
                         iri(f"https://archive.big-map.eu/records/{key}-{index}")),
                  triple(distribution, DCAT + "byteSize", literal(rng.randrange(1, 10**10)))]
        if name == "raw":
            lines.append(triple(dataset, PROV + "wasGeneratedBy", iri(run_)))
            sources.append(dataset)
            continue
        step = f"{BASE}run/{key}-{name}"
        lines += [triple(step, RDF, iri(B + "MeasurementRun")),
                  triple(step, PROV + "wasAssociatedWith", iri(offer["partner"])),
                  triple(dataset, PROV + "wasGeneratedBy", iri(step))]
        for source in sources:
            lines += [triple(step, PROV + "used", iri(source)),
                      triple(dataset, PROV + "wasDerivedFrom", iri(source))]
        sources = [dataset]
    return "".join(lines)


def generate(store, runs: int, per_run: int, out: Path, ingest_records: int,
             seed: int = 2026) -> Iterator[tuple[str, int]]:
    """Write the records; yield (file, triples) for each file written."""
    rng = random.Random(seed)
    vocabulary = Vocabulary(store)
    (out / "records").mkdir(parents=True, exist_ok=True)
    bulk_triples = 0
    with open(out / "bulk.nt", "w", encoding="utf-8") as bulk:
        for number in range(runs):
            text = record(vocabulary, number, per_run, rng)
            if number < ingest_records:
                path = out / "records" / f"syn-{number:07d}.nt"
                path.write_text(text, encoding="utf-8")
                yield str(path), text.count("\n")
            else:
                bulk.write(text)
                bulk_triples += text.count("\n")
    yield str(out / "bulk.nt"), bulk_triples


def main() -> None:
    from bigmap_kg.store import LiveStore

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20000)
    parser.add_argument("--datasets-per-run", type=int, default=3)
    parser.add_argument("--ingest-records", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench-datasets")
    args = parser.parse_args()
    total = sum(count for _, count in generate(LiveStore(), args.runs,
                                               max(3, args.datasets_per_run), args.out,
                                               args.ingest_records))
    print(f"{args.runs} runs, {args.runs * max(3, args.datasets_per_run)} datasets, "
          f"{total} triples in {args.out}")


if __name__ == "__main__":
    main()
