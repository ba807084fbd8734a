"""Issue 17 item 3: what DataCite / Zenodo records carry survives ingest and a DataCite 4.5
export, field by field against the source file (tests/roundtrip_fields.py reads the record
itself, never our readers), and every export passes the DataCite 4.5 JSON schema."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from datacite import schema45
from rdflib.namespace import RDF

from bigmap_kg.datasets import export
from bigmap_kg.datasets.ingest import ingest
from bigmap_kg.namespaces import BMO
from bigmap_kg.store import LiveStore, apply_update

from .roundtrip_fields import compare, from_datacite_json, from_invenio, source_fields

OWN = Path(__file__).parent / "data" / "datasets"
SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "anchors" / "metadata" / "samples"
#: the records with a DOI that are ingested alone (the others need a source dataset first)
RECORDS = ["datacite-zenodo-0000101.json", "datacite-xas-collected.xml",
           "invenio-keywords-affiliation.json", "invenio-operando-xrd.json",
           "zenodo-legacy-record.json", "zenodo-partner-deposit.json",
           "datacite-partner-collected.xml"]


def exported(store_path: Path, tmp_path: Path, data: bytes, name: str) -> dict:
    """Ingest one record into a copy of the store and export its dataset as DataCite."""
    ox.Store.read_only(str(store_path.resolve())).backup(str(tmp_path / "store-copy"))
    link = tmp_path / "store"
    link.symlink_to("store-copy")
    report = ingest([(data, name)], LiveStore(link), lambda u: apply_update(u, link))
    assert report.written, report.as_text()
    dataset = next(str(d) for r in report.records for d in r.graph.subjects(RDF.type,
                                                                          BMO.Dataset))
    record = export.datacite(LiveStore(link), dataset)
    assert [e.message for e in schema45.validator.iter_errors(record)] == []
    return record


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
