"""Realistic synthetic dataset metadata for the D5.1 graph (deterministic, streamed).

Runs come in campaigns: one sample (a half- or full-cell of a Tier 1 electrode material, in a
cell of the index that supports the technique where there is one) measured `RUNS_PER_SAMPLE`
times with one instrument that a matrix entry offers for the technique, by the partner that
offers it, at the instrument's facility; half of the campaigns belong to a Tier 1 experiment
that uses the technique, and then the sample is of that experiment's material when it names
one. Each run produced raw data, then processed data derived from it and analysed data derived
from that (`--datasets-per-run`, at least 3), each with a distribution. The sample is described
once, in its campaign's first run (so records are ingested in order). Written as N-Triples:
the first `--ingest-records` records one file each (for the ingest benchmark), the rest streamed
into `bulk.nt`.

    .venv/bin/python bench/generate_datasets.py --runs 20000 --out var/bench-datasets
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
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
RUNS_PER_SAMPLE = 4


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
        self.materials = [row["material"] for row in rows(store, "generator-materials")]
        studied: dict[str, set[str]] = defaultdict(set)
        self.experiments: dict[str, list[str]] = defaultdict(list)
        for row in rows(store, "generator-experiments"):
            if row["experiment"] not in self.experiments[row["technique"]]:
                self.experiments[row["technique"]].append(row["experiment"])
            if row["material"] in self.materials:
                studied[row["experiment"]].add(row["material"])
        self.studied = {experiment: sorted(found) for experiment, found in studied.items()}


@dataclass(frozen=True)
class Campaign:
    """One sample measured by several runs with one instrument offer."""

    offer: dict[str, str | None]
    sample: str
    material: str
    half_cell: bool
    cell: str | None
    experiment: str | None

    @classmethod
    def draw(cls, vocabulary: Vocabulary, number: int, rng: random.Random) -> Campaign:
        offer = rng.choice(vocabulary.offers)
        experiments = vocabulary.experiments.get(offer["technique"])
        experiment = rng.choice(experiments) if experiments and rng.random() < 0.5 else None
        materials = vocabulary.studied.get(experiment or "") or vocabulary.materials
        cells = vocabulary.cells.get(offer["technique"])
        return cls(offer, f"{BASE}sample/syn-{number:07d}", rng.choice(materials),
                   rng.random() < 2 / 3, rng.choice(cells) if cells else None, experiment)

    def sample_triples(self) -> list[str]:
        lines = [triple(self.sample, RDF, iri(B + "Sample")),
                 triple(self.sample, B + "activeMaterial", iri(self.material)),
                 triple(self.sample, B + "configuration",
                        iri(B + ("HalfCell" if self.half_cell else "FullCell")))]
        if self.cell:
            lines.append(triple(self.sample, B + "cellDesign", iri(self.cell)))
        return lines


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


def record(campaign: Campaign, number: int, per_run: int, rng: random.Random,
           first: bool) -> str:
    """One run of the campaign with its datasets (and the sample, in the first run), as
    N-Triples."""
    offer, sample = campaign.offer, campaign.sample
    key = f"syn-{number:07d}"
    run_ = f"{BASE}run/{key}"
    lines = [triple(run_, RDF, iri(B + "MeasurementRun")),
             triple(run_, B + "appliedTechnique", iri(offer["technique"])),
             triple(run_, B + "operando", literal(rng.random() < 0.7)),
             triple(run_, CHAMEO + "hasCharacterisationMeasurementInstrument",
                    iri(offer["instrument"])),
             triple(run_, PROV + "used", iri(offer["instrument"])),
             triple(run_, CHAMEO + "hasMeasurementSample", iri(sample)),
             triple(run_, PROV + "used", iri(sample)),
             triple(run_, PROV + "wasAssociatedWith", iri(offer["partner"])),
             triple(run_, PROV + "startedAtTime", literal(
                 f"2021-{1 + number % 12:02d}-{1 + number % 28:02d}T08:00:00Z",
                 XSD + "dateTime"))]
    if first:
        lines += campaign.sample_triples()
    if offer["facility"]:
        lines.append(triple(run_, PROV + "atLocation", iri(offer["facility"])))
    if campaign.experiment:
        lines.append(triple(run_, B + "partOfExperiment", iri(campaign.experiment)))
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
             seed: int = 2026, start: int = 0) -> Iterator[tuple[str, int]]:
    """Write the records; yield (file, triples) for each file written. Runs are numbered from
    `start` (a multiple of RUNS_PER_SAMPLE), so that two calls write distinct nodes."""
    rng = random.Random(seed)
    vocabulary = Vocabulary(store)
    (out / "records").mkdir(parents=True, exist_ok=True)
    bulk_triples = 0
    with open(out / "bulk.nt", "w", encoding="utf-8") as bulk:
        for number in range(start, start + runs):
            first = number % RUNS_PER_SAMPLE == 0
            if first:
                campaign = Campaign.draw(vocabulary, number // RUNS_PER_SAMPLE, rng)
            text = record(campaign, number, per_run, rng, first)
            if number < start + ingest_records:
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
