"""What a round-trip loses: ingest each DataCite / InvenioRDM / RO-Crate / schema.org sample into a
copy of the store, export each of its datasets back as DataCite 4.5 JSON, and compare field by
field with the source record (tests/roundtrip_fields.py), and validate against the DataCite 4.5
schema. A dataset the export refuses (no publisher, publication year or creator) is counted
with the reason. The DCAT catalogue of each store is validated with the DCAT-AP-style shape
(tests/data/shapes/dcat-ap-lite.ttl).

    .venv/bin/python -m bench.roundtrip_measure [FILES…]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from datacite import schema45
from rdflib import Graph
from rdflib.namespace import DCTERMS, RDF, SH
from tests import roundtrip_fields as fields

from bigmap_kg import paths
from bigmap_kg.datasets import export
from bigmap_kg.datasets.formats.common import SCHEMA
from bigmap_kg.datasets.ingest import ingest
from bigmap_kg.namespaces import BMO
from bigmap_kg.store import LiveStore

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "anchors" / "metadata" / "samples"
DCAT_AP = ROOT / "tests" / "data" / "shapes" / "dcat-ap-lite.ttl"


def dcat_violations(link: Path) -> list[str]:
    """The DCAT-AP-style shape's violations (not warnings) on the store's catalogue."""
    graph = Graph().parse(data=export.catalog(LiveStore(link), "ttl"), format="turtle")
    _, report, _ = pyshacl.validate(graph, shacl_graph=Graph().parse(DCAT_AP),
                                    allow_warnings=True)
    return sorted({str(report.value(r, SH.resultMessage))
                   for r in report.subjects(SH.resultSeverity, SH.Violation)})


def adapted(path: Path) -> tuple[bytes, dict | None]:
    """The shared samples that are not dataset records, made into one in memory (as the
    tests do): the Instrument example typed Dataset; the deposit payload given an id."""
    data = path.read_bytes()
    if path.name == "datacite_4.5_instrument-example.json":
        document = json.loads(data)
        document["types"]["resourceTypeGeneral"] = "Dataset"
        document["subjects"] = [{"subject": "x-ray diffraction", "subjectScheme": "PaNET",
                                 "valueUri": "http://purl.org/pan-science/PaNET/PaNET01216"}]
        return json.dumps(document).encode(), None
    if path.name == "inveniordm_deposit-payload_from-ro-crate.json":
        document = json.loads(data)
        document["id"] = "deposit-1"
        document["pids"] = {"doi": {"identifier": "10.5281/zenodo.9990001"}}
        document["custom_fields"] = {"bigmap:technique": "XRD"}
        return json.dumps(document).encode(), document
    return data, None


def source_of(path: Path, document: dict | None, graph, dataset) -> dict:
    """The compared fields of the source record of one ingested dataset."""
    if document is not None:
        return fields.from_invenio(document)
    if path.suffix in (".json", ".jsonld"):
        raw = json.loads(path.read_bytes())
        if "@graph" in raw:  # an RO-Crate: the dataset of the same name
            title = str(graph.value(dataset, DCTERMS.title))
            return fields.from_rocrate(raw, next(e["@id"] for e in raw["@graph"]
                                          if e.get("name") == title))
        if "schema.org" in str(raw.get("@context")):
            return fields.from_schemaorg(raw, str(graph.value(dataset, SCHEMA.sameAs)))
    return fields.source_fields(path)


def measure(path: Path, store_path: Path) -> dict:
    data, document = adapted(path)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "store-copy"
        ox.Store.read_only(str(store_path.resolve())).backup(str(copy))
        link = Path(folder) / "store"
        link.symlink_to("store-copy")
        report = ingest([(data, str(path))], LiveStore(link), LiveStore(link).replace_records)
        if not report.written:
            return {"file": path.name, "ingested": False,
                    "why": (report.errors or [v.message for v in report.violations])[:1]}
        datasets = sorted((d, r.graph) for r in report.records
                          for d in r.graph.subjects(RDF.type, BMO.Dataset))
        out = {"file": path.name, "ingested": True, "datasets": len(datasets), "refused": [],
               "schema_errors": [], "lost": {}, "fields": 0, "kept": 0}
        for dataset, graph in datasets:
            source = source_of(path, document, graph, dataset)
            try:
                record = export.datacite(LiveStore(link), str(dataset))
            except export.ExportError as error:
                out["refused"].append(str(error).split(": ", 1)[-1])
                continue
            out["schema_errors"] += [e.message for e in schema45.validator.iter_errors(record)]
            lost = fields.compare(source, fields.from_datacite_json(record))
            out["lost"].update(lost)
            out["fields"] += sum(1 for v in source.values() if v)
            out["kept"] += sum(1 for k, v in source.items() if v and k not in lost)
        out["dcat_violations"] = dcat_violations(link)
        return out


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or [
        *sorted((ROOT / "tests" / "data" / "datasets").glob("*.json")),
        *sorted((ROOT / "tests" / "data" / "datasets").glob("*.xml")),
        *[SAMPLES / n for n in ("datacite_4.5_instrument-example.json",
                                "inveniordm_deposit-payload_from-ro-crate.json",
                                "bdf_sintef_g20m7_dataset-collection_metadata.jsonld",
                                "rocrate_datalab_NaCoO2-coin-cell_ro-crate-metadata.json")
          if (SAMPLES / n).exists()]]
    total = kept = exported = refused = dcat_ok = ingested = 0
    for path in files:
        result = measure(path, paths.store_dir())
        total += result.get("fields", 0)
        kept += result.get("kept", 0)
        refused += len(result.get("refused", []))
        exported += result.get("datasets", 0) - len(result.get("refused", []))
        ingested += result["ingested"]
        dcat_ok += result["ingested"] and not result["dcat_violations"]
        print(json.dumps(result, ensure_ascii=False))
    print(f"datasets exported to DataCite 4.5: {exported}, refused with the reason: {refused}")
    print(f"fields kept through ingest + DataCite export: {kept}/{total}")
    print(f"ingested records whose DCAT catalogue passes the DCAT-AP shape: {dcat_ok}/{ingested}")


if __name__ == "__main__":
    main()
