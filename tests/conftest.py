"""Shared fixtures: one store built from the shipped data for the whole session, the app over
it in-process (FastAPI's TestClient: request → response, no socket), one real server over it
(uvicorn in a subprocess, for the clients that need real HTTP) and a real browser (Debian's
chromium driven by Playwright, one per module) on that server for the page tests. None of them
is written to: a test that writes makes its own store."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest
from rdflib import Graph

from bigmap_kg import sources
from bigmap_kg.build import build
from bigmap_kg.reason import java_available
from bigmap_kg.store import open_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED = SHARED / "seed" / "000_25d3a3d276579e9f.txt"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: screenshots of the browser tests (look at them)
ARTIFACTS = ROOT / "test-artifacts"
#: axe-core from the npm registry (package.json devDependencies; `make` runs npm ci)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="session")
def store_path(tmp_path_factory) -> Path:
    """A store built once from ontology/ + data/ttl into a temporary directory. Under
    pytest-xdist (`-n 2`) the workers share one: the first builds it, the others wait on a lock
    (every test opens it read-only; a test that writes makes its own)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, above each worker's own
    path = root / "shared-store" / "store"
    with open(root / "shared-store.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            _build_into(path)
    return path


def _build_into(path: Path) -> None:
    previous = os.environ.get("BIGMAP_KG_STORE")
    os.environ["BIGMAP_KG_STORE"] = str(path)
    try:
        summary = build()
        # the suite's proof that the D5.1 graph is consistent: the build ran HermiT over it
        assert "reason" in summary.timings or not java_available(), summary.timings
    finally:
        if previous is None:
            os.environ.pop("BIGMAP_KG_STORE", None)
        else:
            os.environ["BIGMAP_KG_STORE"] = previous


@pytest.fixture(scope="session")
def store(store_path):
    return open_store(store_path)


@pytest.fixture(scope="session")
def data_graph() -> Graph:
    return sources.read(sources.data_files()).graph


@pytest.fixture(scope="session")
def ontology_graph() -> Graph:
    return sources.read(sources.ontology_files()).graph


@pytest.fixture(scope="session")
def shapes_graph() -> Graph:
    return sources.read(sources.shapes_files()).graph


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The text of D5.1 (skips when ../shared is absent)."""
    if not SEED.exists():
        pytest.skip("../shared/seed is not present")
    return SEED.read_text(encoding="utf-8")


def select(store, query: str, inferred: bool = True) -> list[dict[str, str | None]]:
    """Run a SELECT over the store and return rows of plain strings."""
    from bigmap_kg.results import rows_as_dicts, run

    return rows_as_dicts(run(store, query, inferred=inferred))


@pytest.fixture(scope="session")
def client(store_path):
    """The app in-process over the session's store (its real gateway with one query process)."""
    from fastapi.testclient import TestClient

    from bigmap_kg.web.app import create_app
    from bigmap_kg.web.server.settings import Settings

    with TestClient(create_app(Settings(store=store_path, query_workers=1))) as c:
        yield c


@pytest.fixture(scope="session")
def server(store_path) -> str:
    """The base URL of one real server (uvicorn in a subprocess) over the session's store."""
    from .server import running_server

    with running_server(store_path) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server):
    """A chromium per test module (Playwright's sync API holds an event loop in this thread
    while it runs: a session-long one would break the asyncio.run of later tests)."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def browser_session(server, browser):
    """(base URL, page, console errors): one page on the session's server per test module."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield server, page, errors


@pytest.fixture
def browser_page(browser_session):
    """The shared page, with the console errors of earlier tests forgotten."""
    browser_session[2].clear()
    return browser_session


@pytest.fixture
def page_without_javascript(server, browser):
    """(base URL, a page with scripts off): what the forms do for a browser without them."""
    context = browser.new_context(java_script_enabled=False)
    try:
        yield server, context.new_page()
    finally:
        context.close()
