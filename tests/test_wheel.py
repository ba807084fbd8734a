"""The package stands alone (issue 16): a wheel built from the checkout, installed with its
`serve` extra into a fresh virtual environment, builds the graph and serves it from an empty
folder, with no checkout on the path. Slow: it builds a wheel and installs it from PyPI (the
pip cache of `make` makes the second time quick)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .server import free_port, stop, wait_until_answering

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def run(*command: str | Path, cwd: Path, env: dict) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]} {done.stderr[-2000:]}"
    return done.stdout


def test_a_wheel_installed_with_serve_builds_and_serves_in_an_empty_folder(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BIGMAP_KG_", "VIRTUAL_ENV",
                                                                     "PYTHONPATH"))}
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT,
        cwd=tmp_path, env=env)
    wheel = next(dist.glob("bigmap_kg-*.whl"))
    venv = tmp_path / "venv"
    # a venv without its own pip, filled by this one's (`pip --python`): 5 s less
    run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp_path, env=env)
    run(sys.executable, "-m", "pip", "--python", venv / "bin" / "python", "install", "-q",
        "--no-compile", f"{wheel}[serve]", cwd=tmp_path, env=env)
    empty = tmp_path / "empty"
    empty.mkdir()
    where = run(venv / "bin" / "python", "-c",
                "import bigmap_kg.paths as p; print(p.ROOT); print(p.store_dir())",
                cwd=empty, env=env).split()
    assert where[0].startswith(str(venv)) and where[0].endswith("bigmap_kg/_data")
    assert where[1] == str(empty / "var" / "store")
    run(venv / "bin" / "bigmap-kg", "build", cwd=empty, env=env)
    port = free_port()
    server = subprocess.Popen([str(venv / "bin" / "bigmap-kg"), "serve", "--port", str(port),
                               "--workers", "1"], cwd=empty, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_answering(server, base + "/matrix")
        matrix = httpx.get(base + "/matrix", timeout=30)
        assert matrix.status_code == 200 and "(55 of 55 entries)" in matrix.text
        answer = httpx.get(base + "/sparql", timeout=30, params={
            "query": "SELECT ?l { <https://w3id.org/bigmap-kg/technique/xrd> "
                     "<http://www.w3.org/2000/01/rdf-schema#label> ?l }"},
                           headers={"Accept": "application/sparql-results+json"})
        assert answer.json()["results"]["bindings"][0]["l"]["value"] == "X-ray diffraction"
    finally:
        stop(server)
