"""What a round-trip loses: ingest each DataCite / InvenioRDM sample into a copy of the store,
export each of its datasets back as DataCite 4.5 JSON, and compare field by field with the
source record (tests/roundtrip_fields.py), and validate against the DataCite 4.5 schema.

    .venv/bin/python -m bench.roundtrip_measure [FILES…]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
from datacite import schema45
from rdflib.namespace import RDF
from tests.roundtrip_fields import compare, from_datacite_json, from_invenio, source_fields

from bigmap_kg import paths
from bigmap_kg.datasets import export
from bigmap_kg.datasets.ingest import ingest
from bigmap_kg.namespaces import BMO
from bigmap_kg.store import LiveStore, apply_update

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "anchors" / "metadata" / "samples"


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


def measure(path: Path, store_path: Path) -> dict:
    data, document = adapted(path)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "store-copy"
        ox.Store.read_only(str(store_path.resolve())).backup(str(copy))
        link = Path(folder) / "store"
        link.symlink_to("store-copy")
        report = ingest([(data, str(path))], LiveStore(link), lambda u: apply_update(u, link))
        if not report.written:
            return {"file": path.name, "ingested": False,
                    "why": (report.errors or [v.message for v in report.violations])[:1]}
        datasets = sorted(str(d) for r in report.records
                          for d in r.graph.subjects(RDF.type, BMO.Dataset))
        source = from_invenio(document) if document is not None else source_fields(path)
        out = {"file": path.name, "ingested": True, "datasets": len(datasets)}
        for dataset in datasets[:1]:
            try:
                record = export.datacite(LiveStore(link), dataset)
            except export.ExportError as error:
                out["export"] = f"ExportError: {error}"
                continue
            errors = [e.message for e in schema45.validator.iter_errors(record)]
            lost = compare(source, from_datacite_json(record))
            out.update(schema_errors=errors, lost=lost,
                       fields=sum(1 for v in source.values() if v), kept=sum(
                           1 for k, v in source.items() if v and k not in lost))
        return out


def main() -> None:
    files = [Path(a) for a in sys.argv[1:]] or [
        *sorted((ROOT / "tests" / "data" / "datasets").glob("*.json")),
        *sorted((ROOT / "tests" / "data" / "datasets").glob("*.xml")),
        *[SAMPLES / n for n in ("datacite_4.5_instrument-example.json",
                                "inveniordm_deposit-payload_from-ro-crate.json")
          if (SAMPLES / n).exists()]]
    total = kept = 0
    for path in files:
        result = measure(path, paths.store_dir())
        total += result.get("fields", 0)
        kept += result.get("kept", 0)
        print(json.dumps(result, ensure_ascii=False))
    print(f"fields kept through ingest + DataCite export: {kept}/{total}")


if __name__ == "__main__":
    main()
