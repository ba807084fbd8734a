"""No network or file access during ingest, ever, and size limits (issue 17, "Network and
files": "nested / scoped / @import contexts are fetched (also on dry_run), file:// contexts read
local files, and a slow host holds the write lock for 45 s"). A real HTTP listener on
127.0.0.1 serves every context these records name, so a fetch would succeed — and is counted;
an audit hook (sys.addaudithook) sees every file the process opens. Each test fails on the
old main, which fetched the listener's contexts and read the file.
"""

from __future__ import annotations

import io
import json
import sys
import threading
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bigmap_kg.datasets.ingest import ingest

from .test_datasets import dataset_quads, writable  # noqa: F401
from .test_datasets import ingest as ingest_into

OWN = Path(__file__).parent / "data" / "datasets"
CRATE = OWN / "rocrate-operando-xrd-id31.json"
CONTEXT = {"@context": {"title": "https://schema.org/name", "@vocab": "https://schema.org/"}}
OPENED: list[str] = []
WATCHED: set[str] = set()
REQUESTS: list[str] = []  # the paths the listener was asked for


def _audit(event: str, args: tuple) -> None:
    if event == "open" and args and str(args[0]) in WATCHED:
        OPENED.append(str(args[0]))


sys.addaudithook(_audit)


class _Contexts(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        REQUESTS.append(self.path)
        body = json.dumps(CONTEXT).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture()
def listener() -> Iterator[tuple[str, list[str]]]:
    """(base URL, the paths asked for) of a real HTTP server that serves a valid context."""
    REQUESTS.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Contexts)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", REQUESTS
    finally:
        server.shutdown()
        server.server_close()


def dataset(context, distribution_context=None) -> dict:
    """A schema.org Dataset with one download, as a catalogue would publish it."""
    download = {"@type": "DataDownload", "contentUrl": "https://example.org/data/cycle-1.csv",
                "encodingFormat": "text/csv"}
    if distribution_context is not None:
        download = {"@context": distribution_context, **download}
    return {"@context": context, "@type": "Dataset", "@id": "https://example.org/datasets/1",
            "name": "Cycling of an LNO half-cell", "measurementTechnique": "XRD",
            "license": "https://creativecommons.org/licenses/by/4.0/",
            "url": "https://example.org/datasets/1", "distribution": download}


def hostile_documents(base: str, secret: Path) -> dict[str, dict]:
    crate = json.loads(CRATE.read_text())
    crate["@context"] = [crate["@context"], f"{base}/crate-extra.jsonld"]
    return {
        "nested": dataset("https://schema.org/", f"{base}/nested.jsonld"),
        "scoped": dataset(["https://schema.org/", {"distribution": {
            "@id": "schema:distribution", "@context": f"{base}/scoped.jsonld"}}]),
        "import": dataset(["https://schema.org/", {"@import": f"{base}/import.jsonld"}]),
        "file": dataset(["https://schema.org/", secret.as_uri()]),
        "relative": dataset(["https://schema.org/", secret.name]),
        "crate": crate,
    }


def test_no_context_is_ever_fetched_or_read(store, listener, tmp_path, monkeypatch) -> None:
    base, requests = listener
    secret = tmp_path / "secret-context.jsonld"
    secret.write_text(json.dumps(CONTEXT))
    WATCHED.add(str(secret))
    monkeypatch.chdir(tmp_path)  # where a relative context would be looked for
    for name, document in hostile_documents(base, secret).items():
        report = ingest([(json.dumps(document).encode(), f"{name}.json")], store, None)
        assert not report.accepted, name
        assert any("not available offline" in e or "could not be replaced" in e
                   for e in report.errors), (name, report.errors)
    assert requests == [] and OPENED == []


def test_the_real_ingest_fetches_nothing_either(writable: Path, listener,  # noqa: F811
                                                tmp_path: Path) -> None:
    base, requests = listener
    before = dataset_quads(writable)
    for name, document in hostile_documents(base, tmp_path / "absent.jsonld").items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(document))
        report = ingest_into(writable, path)
        assert not report.written and report.errors, name
    assert requests == [] and dataset_quads(writable) == before


def test_local_contexts_still_work(store) -> None:
    """The same dataset with only the schema.org context (a local vocabulary context)."""
    report = ingest([(json.dumps(dataset("https://schema.org/")).encode(), "d.json")],
                    store, None)
    assert report.accepted, report.as_text()


def test_a_record_over_the_size_limit_is_refused(store, monkeypatch) -> None:
    data = CRATE.read_bytes()
    monkeypatch.setenv("BIGMAP_KG_MAX_RECORD_BYTES", str(len(data) - 1))
    report = ingest([(data, "crate.json")], store, None)
    assert report.errors == [f"crate.json: {len(data)} bytes, more than the {len(data) - 1} "
                             "bytes one record may have (BIGMAP_KG_MAX_RECORD_BYTES)"]
    # a zipped crate is measured before its metadata file is decompressed
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("crate/ro-crate-metadata.json", data + b" " * 100_000)
    monkeypatch.setenv("BIGMAP_KG_MAX_RECORD_BYTES", "50000")
    report = ingest([(buffer.getvalue(), "crate.eln")], store, None)
    assert len(buffer.getvalue()) < 50000
    assert report.errors and "more than the 50000 bytes" in report.errors[0]


def test_a_literal_over_the_size_limit_is_refused(store, monkeypatch) -> None:
    document = json.loads(CRATE.read_text())
    root = next(n for n in document["@graph"] if n.get("@id") == "scan-0301/")
    root["description"] = "x" * 2000
    monkeypatch.setenv("BIGMAP_KG_MAX_LITERAL_CHARS", "1000")
    report = ingest([(json.dumps(document, indent=1).encode(), "crate.json")], store, None)
    assert any("dcterms:description" in e and "a literal of 2000 characters, more than the "
               "1000 one may have" in e for e in report.errors), report.errors
