"""Issue 17 item 3: what DataCite / Zenodo records, RO-Crates and schema.org Datasets carry
survives ingest and a DataCite 4.5 export, field by field against the source file
(tests/roundtrip_fields.py reads the record itself, never our readers), and every export passes
the DataCite 4.5 JSON schema. A dataset without a DOI exports without one (alternate
identifiers instead); one without publisher or publication year is refused, naming them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from datacite import schema45
from rdflib.namespace import DCTERMS, RDF

from bigmap_kg.datasets import crate_export, export
from bigmap_kg.datasets.formats.common import SCHEMA
from bigmap_kg.datasets.ingest import ingest
from bigmap_kg.namespaces import BMO, PREFIXES
from bigmap_kg.store import LiveStore

from . import rocrate_must
from .roundtrip_fields import (
    compare,
    from_datacite_json,
    from_invenio,
    from_rocrate,
    from_schemaorg,
    source_fields,
)
from .stores import store_copy

OWN = Path(__file__).parent / "data" / "datasets"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "metadata" / "samples"
#: the records with a DOI that are ingested alone (the others need a source dataset first)
RECORDS = ["datacite-zenodo-0000101.json", "datacite-xas-collected.xml",
           "invenio-keywords-affiliation.json", "invenio-operando-xrd.json",
           "zenodo-legacy-record.json", "zenodo-partner-deposit.json",
           "datacite-partner-collected.xml"]


def ingested(store_path: Path, tmp_path: Path, data: bytes, name: str) -> tuple[Path, dict]:
    """Ingest one record into a copy of the store: the store and {dataset IRI: its title, or
    the source's @id when the record names the dataset by one (schema:sameAs)}."""
    link = store_copy(store_path, tmp_path)
    report = ingest([(data, name)], LiveStore(link), LiveStore(link).replace_records)
    assert report.written, report.as_text()
    return link, {str(d): str(r.graph.value(d, SCHEMA.sameAs) or r.graph.value(d, DCTERMS.title))
                  for r in report.records for d in r.graph.subjects(RDF.type, BMO.Dataset)}


def valid_datacite(link: Path, dataset: str) -> dict:
    record = export.datacite(LiveStore(link), dataset)
    assert [e.message for e in schema45.validator.iter_errors(record)] == []
    return record


def exported(store_path: Path, tmp_path: Path, data: bytes, name: str) -> dict:
    """Ingest one record into a copy of the store and export its dataset as DataCite."""
    link, datasets = ingested(store_path, tmp_path, data, name)
    return valid_datacite(link, next(iter(datasets)))


@pytest.mark.parametrize("name", RECORDS)
def test_every_field_of_the_record_comes_back_in_its_datacite_export(
        name: str, store_path: Path, tmp_path: Path) -> None:
    path = OWN / name
    record = exported(store_path, tmp_path, path.read_bytes(), name)
    assert compare(source_fields(path), from_datacite_json(record)) == {}


def test_partner_zenodo_deposit_keeps_creator_order_orcid_ror_and_the_grant(
        store_path: Path, tmp_path: Path) -> None:
    path = OWN / "zenodo-partner-deposit.json"
    meta = json.loads(path.read_text())["metadata"]
    record = exported(store_path, tmp_path, path.read_bytes(), path.name)
    # creators in the deposit's order, each with its ORCID and its ROR as given
    assert [c["name"] for c in record["creators"]] == [
        f"{c['person_or_org']['family_name']}, {c['person_or_org']['given_name']}"
        for c in meta["creators"]]
    assert [c["nameIdentifiers"][0]["nameIdentifier"] for c in record["creators"]] == [
        f"https://orcid.org/{c['person_or_org']['identifiers'][0]['identifier']}"
        for c in meta["creators"]]
    assert [c["affiliation"][0]["affiliationIdentifier"] for c in record["creators"]] == [
        f"https://ror.org/{c['affiliations'][0]['id']}" for c in meta["creators"]]
    funding = meta["funding"][0]
    assert record["fundingReferences"][0]["awardNumber"] == funding["award"]["number"]
    assert record["fundingReferences"][0]["funderName"] == funding["funder"]["name"]
    panet = next(s for s in meta["subjects"] if "id" in s)
    assert panet["id"] in {s.get("valueUri") for s in record["subjects"]}
    assert {s["subject"] for s in meta["subjects"]} <= {s["subject"] for s in
                                                        record["subjects"]}
    assert record["publisher"] == {"name": meta["publisher"]}


def test_partner_datacite_xml_keeps_dates_hosting_institution_and_instrument(
        store_path: Path, tmp_path: Path) -> None:
    path = OWN / "datacite-partner-collected.xml"
    record = exported(store_path, tmp_path, path.read_bytes(), path.name)
    # quoted from the record
    assert {"date": "2022-11-14T08:00:00Z/2022-11-15T20:00:00Z",
            "dateType": "Collected"} in record["dates"]
    assert {"date": "2023-02-01", "dateType": "Issued"} in record["dates"]
    assert record["publicationYear"] == "2023"
    host = next(c for c in record["contributors"] if c["contributorType"] == "HostingInstitution")
    assert host["name"] == "ESRF" and host["nameIdentifiers"][0]["nameIdentifier"] == \
        "https://ror.org/02550n020"
    assert {"relatedIdentifier": "10.82433/08QF-EE96", "relatedIdentifierType": "DOI",
            "relationType": "IsCollectedBy"} in record["relatedIdentifiers"]
    assert [c["name"] for c in record["creators"]] == ["Roe, Richard", "Doe, Jane"]
    assert record["fundingReferences"][0]["awardNumber"] == "957189"


@pytest.mark.parametrize("name", ["datacite_4.5_instrument-example.json",
                                  "inveniordm_deposit-payload_from-ro-crate.json"])
def test_the_shared_samples_round_trip(name: str, store_path: Path, tmp_path: Path) -> None:
    """DataCite's own 4.5 example and a real InvenioRDM deposit payload, made dataset records
    in memory (typed Dataset with a technique; given the id and DOI a published record has)."""
    path = SAMPLES / name
    if not path.exists():
        pytest.skip("../shared/anchors/metadata/samples is not present")
    document = json.loads(path.read_text())
    if "metadata" in document:
        document.update(id="deposit-1", pids={"doi": {"identifier": "10.5281/zenodo.9990001"}},
                        custom_fields={"bigmap:technique": "XRD"})
        source = from_invenio(document)
    else:
        document["types"]["resourceTypeGeneral"] = "Dataset"
        document["subjects"] = [{"subject": "x-ray diffraction", "subjectScheme": "PaNET",
                                 "valueUri": "http://purl.org/pan-science/PaNET/PaNET01216"}]
        source = from_datacite_json(document)
    record = exported(store_path, tmp_path, json.dumps(document).encode(), name)
    assert compare(source, from_datacite_json(record)) == {}


def test_partner_ro_crate_round_trips_both_datasets_with_and_without_doi(
        store_path: Path, tmp_path: Path) -> None:
    """An RO-Crate 1.1 as a partner's ELN would write it: the DOI dataset comes back with its
    DOI, the refined one (no DOI) without, its IRI as alternate identifier; every field the
    crate states (the root's where the dataset states none) comes back."""
    path = OWN / "rocrate-partner-deposit.json"
    document = json.loads(path.read_text())
    link, datasets = ingested(store_path, tmp_path, path.read_bytes(), path.name)
    by_name = {e.get("name"): e["@id"] for e in document["@graph"]}
    assert len(datasets) == 2
    for dataset, title in datasets.items():
        record = valid_datacite(link, dataset)
        source = from_rocrate(document, by_name[title])
        assert compare(source, from_datacite_json(record)) == {}, title
        entity = next(e for e in document["@graph"] if e.get("name") == title)
        if "identifier" in entity:
            assert f"https://doi.org/{record['doi']}" == entity["identifier"]
        else:
            assert "doi" not in record
            assert {"alternateIdentifier": dataset, "alternateIdentifierType": "URL"} in \
                record["alternateIdentifiers"]
    # creators in the crate's order, not alphabetical (Roe before Doe before Poe)
    raw = next(d for d, t in datasets.items() if "raw" in t)
    assert [c["name"] for c in valid_datacite(link, raw)["creators"]] == [
        next(e["name"] for e in document["@graph"] if e["@id"] == a["@id"])
        for a in next(e for e in document["@graph"] if e["@id"] == "xrd-0412/")["author"]]


def test_schema_org_dataset_keeps_its_fields_and_says_what_datacite_needs_more(
        store_path: Path, tmp_path: Path) -> None:
    """The Battery Data Format registry's collection: no publisher, no publication date —
    DataCite 4.5 requires both (its schema's `required`), so the export says so; with the
    two added in memory, every other field the record states comes back."""
    path = SAMPLES / "bdf_sintef_g20m7_dataset-collection_metadata.jsonld"
    if not path.exists():
        pytest.skip("../shared/anchors/metadata/samples is not present")
    assert {"publisher", "publicationYear"} <= set(schema45.validator.schema["required"])
    link, datasets = ingested(store_path, tmp_path, path.read_bytes(), path.name)
    with pytest.raises(export.ExportError, match="no publisher, publicationYear"):
        export.datacite(LiveStore(link), next(iter(datasets)))
    document = json.loads(path.read_text())
    for part in document["schema:hasPart"]:
        part.update({"schema:publisher": {"@type": "schema:Organization",
                                          "schema:name": "SINTEF"},
                     "schema:datePublished": "2026-01-09"})
    link, datasets = ingested(store_path, tmp_path / "again", json.dumps(document).encode(),
                              path.name)
    assert sorted(datasets.values()) == sorted(p["@id"] for p in document["schema:hasPart"])
    for dataset, source_id in datasets.items():
        record = valid_datacite(link, dataset)
        assert compare(from_schemaorg(document, source_id), from_datacite_json(record)) == {}
        assert "doi" not in record and record["publisher"] == {"name": "SINTEF"}


def test_datalab_crate_keeps_publisher_licence_authors_and_dates(
        store_path: Path, tmp_path: Path) -> None:
    """datalab's real RO-Crate is rejected as it is (no technique; a person with two names,
    test_ingest_formats); given a technique and one name per person in memory, its datasets
    cannot be DataCite records: nothing names their publisher (the descriptor's sdPublisher
    publishes the metadata, not the data). Once the root names that instance as publisher,
    what the crate states of each dataset comes back."""
    path = SAMPLES / "rocrate_datalab_NaCoO2-coin-cell_ro-crate-metadata.json"
    if not path.exists():
        pytest.skip("../shared/anchors/metadata/samples is not present")
    document = json.loads(path.read_text())
    seen: set[str] = set()
    graph = []
    for entity in document["@graph"]:
        if entity.get("@type") == "Person":
            if entity["@id"] in seen:
                continue
            seen.add(entity["@id"])
        if entity.get("@type") == "Dataset" and entity["@id"] != "./":
            entity = {**entity, "keywords": "XRD"}
        graph.append(entity)
    document["@graph"] = graph
    link, datasets = ingested(store_path, tmp_path, json.dumps(document).encode(), path.name)
    with pytest.raises(export.ExportError, match=r"the graph has no publisher$"):
        export.datacite(LiveStore(link), next(iter(datasets)))
    root = next(e for e in graph if e["@id"] == "./")
    root["publisher"] = next(e for e in graph if e["@id"] == "ro-crate-metadata.json")[
        "sdPublisher"]
    link, datasets = ingested(store_path, tmp_path / "again", json.dumps(document).encode(),
                              path.name)
    by_name = {e.get("name"): e for e in graph if e.get("@type") == "Dataset"}
    authored = 0
    for dataset, title in datasets.items():
        if not (by_name[title].get("author") or by_name[title].get("authors") or
                root.get("author")):  # DataCite needs a creator: said, not invented
            with pytest.raises(export.ExportError, match="names no creator"):
                export.datacite(LiveStore(link), dataset)
            continue
        record = valid_datacite(link, dataset)
        assert compare(from_rocrate(document, by_name[title]["@id"]),
                       from_datacite_json(record)) == {}
        authored += 1
    assert authored


def test_partner_ro_crate_comes_back_in_the_experiment_ro_crate(
        store_path: Path, tmp_path: Path) -> None:
    """The partner crate, its raw dataset tagged with the Tier 1 experiment it belongs to
    ("T3-09", as partners write it): the experiment's RO-Crate carries every field the source
    crate gave that dataset, and passes the RO-Crate 1.1 MUST rules."""
    document = json.loads((OWN / "rocrate-partner-deposit.json").read_text())
    entity = next(e for e in document["@graph"] if e["@id"] == "xrd-0412/")
    entity["keywords"] += ", T3-09"
    link, _ = ingested(store_path, tmp_path, json.dumps(document).encode(), "crate.json")
    folder = crate_export.ro_crate(LiveStore(link), PREFIXES["exp"] + "t3-09", tmp_path / "out")
    assert rocrate_must.check_folder(folder) == []
    out = json.loads((folder / "ro-crate-metadata.json").read_text())
    exported = next(e["@id"] for e in out["@graph"] if e.get("name") == entity["name"])
    assert compare(from_rocrate(document, "xrd-0412/"), from_rocrate(out, exported)) == {}
