"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rdflib import Dataset, Graph

CLI = str(Path(sys.executable).with_name("bigmap-kg"))


def cli(*args: str, env_store: Path | None = None) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ)
    if env_store is not None:
        env["BIGMAP_KG_STORE"] = str(env_store)
    return subprocess.run([CLI, *args], capture_output=True, text=True, env=env, timeout=300)


def test_validate_passes_on_shipped_data_and_reports_json() -> None:
    done = cli("validate", "--format", "json")
    assert done.returncode == 0, done.stdout[-2000:]
    report = json.loads(done.stdout)
    assert report["conforms"] is True and report["violations"] == 0


def test_validate_fails_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix bmo: <https://w3id.org/bigmap-kg/ontology#> .\n\n"
                   "<https://w3id.org/bigmap-kg/partner/x> a bmo:Partner .\n", encoding="utf-8")
    done = cli("validate", str(bad))
    assert done.returncode == 1
    assert f"{bad}:3: Violation: partner:x rdfs:label" in done.stdout
    broken = tmp_path / "broken.ttl"
    broken.write_text("<a> <b> .\n", encoding="utf-8")
    done = cli("validate", str(broken))
    assert done.returncode == 1 and f"{broken}:1:" in done.stderr


def test_query_formats(store_path: Path) -> None:
    query = "SELECT ?p WHERE { ?p a bmo:Partner } ORDER BY ?p"
    table = cli("query", "-e", query, env_store=store_path)
    assert table.returncode == 0 and "partner:dtu" in table.stdout and "(15 row(s))" in table.stdout
    as_json = json.loads(cli("query", "-e", query, "--format", "json",
                             env_store=store_path).stdout)
    assert len(as_json["results"]["bindings"]) == 15
    csv = cli("query", "-e", query, "--format", "csv", env_store=store_path).stdout
    assert csv.splitlines()[0] == "p" and len(csv.splitlines()) == 16
    turtle = cli("query", "-e", "CONSTRUCT WHERE { ?p a bmo:Partner }", "--format", "turtle",
                 env_store=store_path).stdout
    assert len(Graph().parse(data=turtle, format="turtle")) == 15
    bad = cli("query", "-e", "SELECT WHERE {", env_store=store_path)
    assert bad.returncode == 2 and "query failed" in bad.stderr


def test_query_file_with_parameter(store_path: Path) -> None:
    done = cli("query", "queries/tier1-experiments-starting-before.rq", "--param",
               'month="7"^^xsd:integer', "--format", "json", env_store=store_path)
    assert done.returncode == 0, done.stderr


def test_export_formats_read_back(store_path: Path, tmp_path: Path) -> None:
    for fmt, reader in [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]:
        out = tmp_path / f"export.{fmt}"
        assert cli("export", "--format", fmt, "-o", str(out), env_store=store_path).returncode == 0
        assert len(Graph().parse(out, format=reader)) > 5000
    trig = tmp_path / "export.trig"
    assert cli("export", "--format", "trig", "-o", str(trig), env_store=store_path).returncode == 0
    dataset = Dataset()
    dataset.parse(trig, format="trig")
    names = {str(g.identifier) for g in dataset.graphs()}
    assert {"https://w3id.org/bigmap-kg/graph/ontology", "https://w3id.org/bigmap-kg/graph/data",
            "https://w3id.org/bigmap-kg/graph/inferred"} <= names
