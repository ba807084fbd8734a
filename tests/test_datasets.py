"""Dataset metadata: ingest a batch, answer the issue's question, replace on re-ingest,
reject a bad batch whole (store untouched), and guard writes over HTTP with a token."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from bigmap_kg import paths
from bigmap_kg.datasets.ingest import ingest_files
from bigmap_kg.namespaces import GRAPH_DATASETS, PREFIXES, curie
from bigmap_kg.queryfile import QueryFile
from bigmap_kg.results import rows_as_dicts, run
from bigmap_kg.store import LiveStore
from bigmap_kg.store import generations as generations_module
from bigmap_kg.store.generations import (
    apply_update,
    compact_in_background,
    compact_store,
    needs_compaction,
)
from bigmap_kg.web.server import compaction as compaction_module
from bigmap_kg.web.server.compaction import QuietCompactor

from .server import running_server
from .stores import store_copy

BATCH = Path(__file__).parent / "data" / "datasets" / "operando-xrd-lno.ttl"
QUERY = QueryFile.read(paths.QUERIES_DIR / "datasets-by-technique-material-facility.rq")
#: By the comments of the batch file: the raw data of runs 0001 (ID31) and 0002 (ID15A) and
#: the analysed data of run 0001; the processed level, the ex situ run, the full cell, the NMC
#: cell, the DTU lab instrument and the XAS run each miss one condition.
EXPECTED = {"esrf-id31-0001-raw", "esrf-id15a-0002-raw", "esrf-id31-0001-analysed"}


@pytest.fixture()
def writable(store_path: Path, tmp_path: Path) -> Path:
    """A private copy of the session store behind its own symlink (as `bigmap-kg build` makes)."""
    link = store_copy(store_path, tmp_path)
    copy = link.resolve()
    marker = tmp_path / ".store.compacted"  # a copy of a compacted store is compacted
    marker.write_text(str(sum(1 for _ in copy.glob("*.sst"))))
    return link


def ingest(link: Path, *files: Path, write: bool = True):
    return ingest_files(list(files), LiveStore(link),
                        LiveStore(link).replace_records if write else None)


def dataset_quads(link: Path) -> set[str]:
    store = ox.Store.read_only(os.path.realpath(link))
    return {str(q) for q in store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_DATASETS))}


def test_batch_answers_the_operando_xrd_question(writable: Path) -> None:
    report = ingest(writable, BATCH)
    assert report.accepted and report.written, report.as_text()
    rows = rows_as_dicts(run(LiveStore(writable), QUERY.text))
    assert {r["dataset"].rsplit("/", 1)[1] for r in rows} == EXPECTED
    assert {r["level"] for r in rows} == {"raw", "analysed"}
    # parameters are RDF terms: the same question for NMC finds the NMC half-cell run only
    nmc = rows_as_dicts(run(LiveStore(writable), QUERY.text, bindings={
        "material": ox.NamedNode("https://w3id.org/bigmap-kg/material/nmc")}))
    assert {r["dataset"].rsplit("/", 1)[1] for r in nmc} == {"esrf-id31-0005-raw"}


def test_runs_get_the_panet_class_of_their_technique(writable: Path) -> None:
    ingest(writable, BATCH)
    rows = rows_as_dicts(run(LiveStore(writable), """
        SELECT ?type WHERE { <https://w3id.org/bigmap-kg/run/esrf-id20-0007> a ?type }"""))
    matches = rows_as_dicts(run(LiveStore(writable), """
        SELECT ?panet WHERE { tech:xas skos:exactMatch ?panet
                              FILTER(STRSTARTS(STR(?panet), STR(panet:))) }"""))
    assert matches, "tech:xas has a PaNET class in the curated data"
    assert {m["panet"] for m in matches} <= {r["type"] for r in rows}
    assert any(r["type"].endswith("#MeasurementRun") for r in rows)


def test_runs_get_the_chameo_and_panet_classes_of_broad_matches(writable: Path) -> None:
    """XRD-CT (D5.1: 'XRD-CT', X-ray diffraction computed tomography) has no CHAMEO or PaNET
    class of its own: a run that applied it is a tomography and an X-ray diffraction in both
    vocabularies (the technique's broad matches)."""
    ingest(writable, BATCH)
    rows = rows_as_dicts(run(LiveStore(writable), """
        SELECT ?type WHERE { <https://w3id.org/bigmap-kg/run/esrf-id15a-0002> a ?type }"""))
    types = {r["type"] for r in rows}
    assert {PREFIXES["chameo"] + "Tomography", PREFIXES["chameo"] + "XrayDiffraction",
            PREFIXES["panet"] + "PaNET01207", PREFIXES["panet"] + "PaNET01216"} <= types


def test_reingest_replaces_instead_of_duplicating(writable: Path, tmp_path: Path) -> None:
    ingest(writable, BATCH)
    first = dataset_quads(writable)
    ingest(writable, BATCH)
    again = dataset_quads(writable)
    # only the record's ingest time may differ
    assert {q for q in first if "generatedAtTime" not in q} == \
        {q for q in again if "generatedAtTime" not in q}
    edited = tmp_path / BATCH.name
    edited.write_text(BATCH.read_text().replace(
        '"Operando XRD of an NMC half-cell"', '"Operando XRD of an NMC half-cell (corrected)"'))
    assert ingest(writable, edited).written
    titles = {q for q in dataset_quads(writable) if "NMC half-cell" in q and "title" in q}
    assert len(titles) == 1 and "(corrected)" in titles.pop()


def test_a_bad_batch_is_rejected_whole_and_the_store_is_untouched(writable: Path,
                                                                  tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(BATCH.read_text().replace(
        "prov:wasGeneratedBy run:esrf-id31-0005 ;", "").replace(
        '"53687091200"^^xsd:nonNegativeInteger', '"big"'))
    good = tmp_path / "good.ttl"  # a copy under its own IRIs: a node belongs to one record
    text = BATCH.read_text()
    for kind in ("dataset", "run", "sample", "distribution"):
        text = text.replace(f"<https://w3id.org/bigmap-kg/{kind}/>",
                            f"<https://w3id.org/bigmap-kg/{kind}/copy->")
    good.write_text(text.replace("10.5281/zenodo.0000001", "10.5281/zenodo.1000001"))
    before_target, before = os.path.realpath(writable), dataset_quads(writable)
    folders = sorted(writable.parent.iterdir())
    report = ingest(writable, good, bad)
    assert not report.accepted and not report.written
    assert os.path.realpath(writable) == before_target and dataset_quads(writable) == before
    # the write begun beside the validation (LiveStore.prepare_records) is dropped whole
    left = [p for p in set(writable.parent.iterdir()) - set(folders) if p.name != ".store.lock"]
    assert left == []
    problems = {(f.file, f.node, f.path) for f in report.violations}
    assert (str(bad), "dataset:esrf-id31-0005-raw", "prov:wasGeneratedBy") in problems
    assert any(f.path == "dcat:byteSize" and f.file == str(bad) and f.line > 0
               for f in report.violations)
    assert "REJECTED" in report.as_text()


def test_a_write_the_store_refuses_leaves_it_exactly_as_it_was(writable: Path) -> None:
    """The bulk write of a batch runs in a copy of the store: when the store refuses the
    triples (here a line that is no N-Triples, after a valid one), the copy is dropped."""
    ingest(writable, BATCH)
    before_target, before = os.path.realpath(writable), dataset_quads(writable)
    folders = sorted(writable.parent.iterdir())
    record = "https://w3id.org/bigmap-kg/record/nativerdf-x"
    with pytest.raises(SyntaxError):
        LiveStore(writable).replace_records(
            f"DELETE WHERE {{ GRAPH <{GRAPH_DATASETS}> {{ <{record}> ?p ?o }} }}",
            f"<{record}> <{PREFIXES['rdfs']}label> \"kept?\" .\n<{record}> broken .\n")
    assert os.path.realpath(writable) == before_target and dataset_quads(writable) == before
    left = sorted(set(writable.parent.iterdir()) - set(folders))
    assert left == [], [sorted(p.name for p in path.iterdir()) for path in left]  # copy gone


def test_a_prepared_write_that_fails_raises_on_commit_and_leaves_nothing(writable: Path) -> None:
    """`prepare_records` writes in a thread: its error is raised by `commit()`, the copy is
    gone, the store is as it was, and the writer lock is free again (the next write works)."""
    ingest(writable, BATCH)
    before_target, before = os.path.realpath(writable), dataset_quads(writable)
    folders = sorted(writable.parent.iterdir())
    record = "https://w3id.org/bigmap-kg/record/nativerdf-x"
    pending = LiveStore(writable).prepare_records(
        f"DELETE WHERE {{ GRAPH <{GRAPH_DATASETS}> {{ <{record}> ?p ?o }} }}",
        f"<{record}> <{PREFIXES['rdfs']}label> \"kept?\" .\n<{record}> broken .\n")
    with pytest.raises(SyntaxError):
        pending.commit()
    assert os.path.realpath(writable) == before_target and dataset_quads(writable) == before
    assert sorted(writable.parent.iterdir()) == folders
    LiveStore(writable).prepare_records("", f"<{record}> <{PREFIXES['rdfs']}label> \"x\" .\n"
                                        ).abort()
    assert os.path.realpath(writable) == before_target and dataset_quads(writable) == before
    assert sorted(writable.parent.iterdir()) == folders
    assert ingest(writable, BATCH).written


def test_a_batch_replaces_what_its_records_said_in_one_write(writable: Path) -> None:
    """`replace_records` removes, then adds: re-ingesting an edited record leaves no trace of
    the old text (checked on the title of the batch file's NMC dataset)."""
    ingest(writable, BATCH)
    store = LiveStore(writable)
    title = "Operando XRD of an NMC half-cell"
    old = [q for q in dataset_quads(writable) if f'"{title}"' in q]
    assert len(old) == 1
    subject = old[0].split(" ", 1)[0]
    store.replace_records(
        f"DELETE WHERE {{ GRAPH <{GRAPH_DATASETS}> {{ {subject} <{PREFIXES['dcterms']}title> "
        "?t } }", f"{subject} <{PREFIXES['dcterms']}title> \"{title} (v2)\" .\n")
    assert [q for q in dataset_quads(writable) if title in q] == \
        [old[0].replace(f'"{title}"', f'"{title} (v2)"')]


def test_unreadable_input_and_foreign_descriptions_are_errors(writable: Path,
                                                              tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix x: <urn:x#> .\nx:a x:b \n")
    report = ingest(writable, BATCH, broken)
    assert report.errors and "broken.ttl" in report.errors[0] and not report.written
    hijack = tmp_path / "hijack.ttl"
    hijack.write_text('<https://w3id.org/bigmap-kg/technique/xrd> '
                      '<http://www.w3.org/2000/01/rdf-schema#label> "not XRD" .\n')
    report = ingest(writable, hijack)
    # the offending triple, with file and line
    assert not report.accepted and f"{hijack}:1: tech:xrd rdfs:label" in report.errors[0]
    report = ingest(writable, tmp_path / "nothing.json")
    assert report.errors and "nothing.json" in report.errors[0]


def test_builds_keep_ingested_records(writable: Path) -> None:
    from bigmap_kg.store.generations import write_store

    ingest(writable, BATCH)
    before = dataset_quads(writable)
    write_store(iter(()), writable)  # an (empty) rebuild must carry the records over
    assert dataset_quads(writable) == before


def test_writes_over_http_need_the_token(writable: Path, client) -> None:
    body = BATCH.read_bytes()
    # the session's app (in-process) has no write token: writes are refused before anything
    refused = client.post("/api/datasets", content=body, headers={"Content-Type": "text/turtle"})
    assert refused.status_code == 403 and "BIGMAP_KG_WRITE_TOKEN" in refused.text
    with running_server(writable, BIGMAP_KG_WRITE_TOKEN="s3cret") as base:
        url = f"{base}/api/datasets?name=batch.ttl"
        wrong = httpx.post(url, content=body, headers={"Content-Type": "text/turtle",
                                                      "Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        before = dataset_quads(writable)
        invalid = httpx.post(url, content=body.replace(b"dcterms:title", b"dcterms:titel"),
                             headers={"Content-Type": "text/turtle",
                                      "Authorization": "Bearer s3cret"}, timeout=60)
        assert invalid.status_code == 422
        assert any(v["path"] == "dcterms:title" for v in invalid.json()["violations"])
        assert dataset_quads(writable) == before
        written = httpx.post(url, content=body, headers={"Content-Type": "text/turtle",
                                                        "Authorization": "Bearer s3cret"},
                             timeout=60)
        assert written.status_code == 201, written.text
        assert written.json()["records"][0]["datasets"] == 9
        # readers see the new data at once, through the standard endpoint
        sparql = SPARQLWrapper(f"{base}/sparql")
        sparql.setReturnFormat(JSON)
        sparql.setQuery("PREFIX bmo: <https://w3id.org/bigmap-kg/ontology#> "
                        "SELECT (COUNT(?d) AS ?n) WHERE { ?d a bmo:Dataset }")
        count = sparql.queryAndConvert()["results"]["bindings"][0]["n"]["value"]
        assert int(count) == 9


@pytest.mark.parametrize(("text", "expected", "operando"), [
    ("XRD", {"xrd"}, None),                        # an alternative label
    ("operando Raman", {"raman"}, True),           # qualifier split off, family word added
    ("ex-situ SEM", {"sem"}, False),
    ("http://purl.org/pan-science/PaNET/PaNET01196", {"xas"}, None),  # PaNET exact match
    ("C30", set(), None),                          # a cycling protocol, not a D5.1 technique
    ("neutron", {"neutron-diffraction", "neutron-imaging", "neutron-spectroscopy",
                 "neutron-tomography"}, None),     # ambiguous: reported, never picked
])
def test_technique_names_resolve_only_when_unambiguous(store, text, expected, operando) -> None:
    from bigmap_kg.datasets.resolve import Vocabulary

    found = Vocabulary.from_store(store).resolve("technique", text)
    assert {m.rsplit("/", 1)[1] for m in found.matches} == expected
    assert found.operando is operando
    assert (found.node is not None) == (len(expected) == 1)
    assert (found.note() is None) == (len(expected) == 1)


def test_dataset_collection_filters_over_http(writable: Path) -> None:
    ingest(writable, BATCH)
    with running_server(writable) as base:
        url = (f"{base}/api/datasets?technique=xrd&material=lno&facility=esrf&operando=true"
               "&configuration=half-cell&level=")
        by_level = {level: {m["@id"].rsplit("/", 1)[1]: m["label"]
                            for m in httpx.get(url + level, timeout=30).json()["member"]}
                    for level in ("raw", "processed", "analysed")}
        # the same answer as the named query, one level at a time; titles as labels
        assert set(by_level["raw"]) | set(by_level["analysed"]) == EXPECTED
        assert set(by_level["processed"]) == {"esrf-id31-0001-processed"}
        assert by_level["raw"]["esrf-id15a-0002-raw"].startswith("Operando XRD-CT")
        assert httpx.get(f"{base}/api/datasets?level=wrong-level").json()["member"] == []
        # an instrument's page says how many datasets it measured and links to them
        listed = httpx.get(f"{base}/api/datasets?instrument=esrf-id31").json()["totalItems"]
        page = " ".join(httpx.get(f"{base}/instrument/esrf-id31.html").text.split())
        assert f"{listed} dataset(s) in the graph" in page and listed > 0
        assert 'href="/api/datasets?instrument=esrf-id31"' in page
        assert "No dataset in the graph" in httpx.get(f"{base}/technique/ftir.html").text


def cli_on(link: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bigmap_kg.cli", *args],
                          env={**os.environ, "BIGMAP_KG_STORE": str(link)},
                          capture_output=True, text=True, timeout=300)


def test_cli_ingest_dry_run_batches_and_exit_codes(writable: Path, tmp_path: Path) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess:
        return cli_on(writable, "ingest", *args)

    before = dataset_quads(writable)
    dry = cli("--dry-run", str(BATCH))
    assert dry.returncode == 0 and "accepted (dry run)" in dry.stdout
    assert dataset_quads(writable) == before
    bad = tmp_path / "bad.ttl"
    bad.write_text(BATCH.read_text().replace("dcterms:title", "dcterms:titel"))
    rejected = cli("--batch-size", "1", str(BATCH), str(bad), "--format", "json")
    assert rejected.returncode == 1
    first, second = rejected.stdout.split("batch 2: files 2-2")
    assert '"written": true' in first and '"written": false' in second
    assert "dcterms:title" in second and str(bad) in second


def sst_files(link: Path) -> int:
    return sum(1 for _ in Path(os.path.realpath(link)).glob("*.sst"))


def insert(number: int) -> str:
    return f"INSERT DATA {{ GRAPH <{GRAPH_DATASETS}> {{ <urn:x:{number}> <urn:x:p> {number} }} }}"


def compacted_files(link: Path) -> int:
    """The store's file count after its last compaction (its marker)."""
    return int((link.parent / f".{link.name}.compacted").read_text())


def test_compaction_threshold_is_relative_to_the_compacted_store() -> None:
    assert not needs_compaction(17, 14) and needs_compaction(18, 14)  # 4 new files
    assert not needs_compaction(124, 100) and needs_compaction(125, 100)  # a quarter
    assert needs_compaction(4, 0)


def test_writes_keep_the_store_compacted(writable: Path) -> None:
    """However many writes, the store never has more files than the threshold allows: every
    write flushes new level-0 files, and reads slow down with each of them."""
    for number in range(12):
        apply_update(insert(number), writable)
        files, last = sst_files(writable), compacted_files(writable)
        assert files - last < max(4, last // 4)
    assert len(dataset_quads(writable)) == 12


def test_a_run_of_writes_compacts_once_at_its_end_even_when_it_stops_early(
        writable: Path) -> None:
    store = LiveStore(writable)
    assert compact_store(writable)
    compacted = sst_files(writable)
    with pytest.raises(RuntimeError, match="stopped"), store.compaction_deferred():
        for number in range(6):
            store.update(insert(number))
        during = sst_files(writable)
        raise RuntimeError("stopped")
    assert needs_compaction(during, compacted)  # nothing was compacted during the run
    assert compacted_files(writable) == sst_files(writable) < during  # but at its end
    assert len(dataset_quads(writable)) == 6


def test_a_cli_run_leaves_its_compaction_to_a_process_of_its_own(writable: Path) -> None:
    """`bigmap-kg ingest` returns once its batches are written; the compaction they call for
    runs after it, in the background, and leaves the same triples."""
    store = LiveStore(writable)
    assert compact_store(writable)
    compacted = sst_files(writable)
    with store.compaction_deferred(in_background=True):
        for number in range(6):
            store.update(insert(number))
        during = sst_files(writable)
    assert needs_compaction(during, compacted)
    written = dataset_quads(writable)
    wait_until_compacted(writable)
    assert sst_files(writable) < during and dataset_quads(writable) == written
    assert compact_in_background(writable) is None  # nothing left to compact


def test_compaction_on_demand(writable: Path) -> None:
    assert compact_store(writable)
    assert not compact_store(writable, when=needs_compaction)  # no write since: nothing to do
    apply_update(insert(1), writable, compact=False)  # about one new file per index
    before, files = dataset_quads(writable), sst_files(writable)
    assert compact_store(writable, when=needs_compaction)
    assert dataset_quads(writable) == before and sst_files(writable) < files


def test_a_write_during_a_compaction_wins(writable: Path, monkeypatch) -> None:
    optimize, writes = generations_module._optimize, []

    def optimize_while_someone_writes(store: ox.Store) -> None:
        optimize(store)
        if not writes:  # once (the write may compact, through this same function)
            writes.append(insert(7))
            apply_update(writes[0], writable)  # no writer lock to wait for

    monkeypatch.setattr(generations_module, "_optimize", optimize_while_someone_writes)
    before = os.path.realpath(writable)
    assert not compact_store(writable)  # dropped: its checkpoint predates the write
    assert os.path.realpath(writable) != before and len(dataset_quads(writable)) == 1
    assert not list(writable.parent.glob(".*.compacting"))  # the dropped copy is removed


def wait_until_compacted(link: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while compacted_files(link) != sst_files(link):
        assert time.monotonic() < deadline, "the leftover writes were not compacted"
        time.sleep(0.2)


def test_leftover_writes_are_compacted_once_writes_go_quiet(writable: Path,
                                                            monkeypatch) -> None:
    compact_store(writable)
    apply_update(insert(1), writable, compact=False)  # a leftover, as on a large store
    calls = []

    def counted(*args, **options) -> bool:
        calls.append(args)
        return compact_store(*args, **options)

    monkeypatch.setattr(compaction_module, "compact_store", counted)
    compactor = QuietCompactor(writable, delay=0.5)
    try:
        compactor.poke()
        compactor.poke()  # a second write restarts the quiet period: one compaction
        assert sst_files(writable) > compacted_files(writable)
        wait_until_compacted(writable)
        time.sleep(1)  # longer than the delay: a second timer would have fired by now
    finally:
        compactor.close()
    assert len(calls) == 1 and len(dataset_quads(writable)) == 1


def test_the_service_compacts_leftovers_once_quiet(writable: Path) -> None:
    compact_store(writable)
    apply_update(insert(1), writable, compact=False)
    with running_server(writable, BIGMAP_KG_COMPACT_AFTER="0.5") as base:
        wait_until_compacted(writable)
        query = f"SELECT ?s {{ GRAPH <{GRAPH_DATASETS}> {{ ?s ?p ?o }} }}"
        rows = httpx.get(f"{base}/sparql", params={"query": query},
                         headers={"Accept": "text/csv"}).text.split()
        assert rows == ["s", "urn:x:1"]


def test_cli_compact(writable: Path) -> None:
    assert cli_on(writable, "compact").stdout.strip() == "compacted"
    again = cli_on(writable, "compact", "--if-fragmented")
    assert again.returncode == 0 and again.stdout.strip() == "not fragmented: nothing to do"
    missing = cli_on(writable.parent / "nowhere", "compact")
    assert missing.returncode == 2 and "run `bigmap-kg build` first" in missing.stderr


def test_abandoned_compactions_are_removed_and_running_ones_kept(writable: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    dead, alive = (writable.parent / f".store-20261125T000000-{pid}-1.compacting"
                   for pid in (int(finished.stdout), os.getpid()))
    for work in (dead, alive):
        work.mkdir()
    assert compact_store(writable)
    assert not dead.exists() and alive.exists()


def test_a_node_another_record_in_the_store_describes_is_refused(writable: Path,
                                                                 tmp_path: Path) -> None:
    """The same runs and samples under another record (the batch file with another DOI): each
    node the stored record describes is named with that record; nothing is written."""
    first = ingest(writable, BATCH)
    assert first.written
    other = tmp_path / "other.ttl"
    other.write_text(BATCH.read_text().replace("10.5281/zenodo.0000001", "10.5281/zenodo.2000001"))
    before = dataset_quads(writable)
    report = ingest(writable, other)
    assert not report.written and dataset_quads(writable) == before
    owner = curie(str(first.records[0].iri))
    refused = [e for e in report.errors if "is already described by record" in e]
    assert any(e.startswith(f"{other}: run:esrf-id31-0001 is already described by record "
                            f"{owner} (") for e in refused), report.errors
    assert all(f"record {owner} (" in e and "bigmap-kg withdraw" in e for e in refused)
