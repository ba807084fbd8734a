"""A store swapped in while the service runs (what an ingest or a rebuild does) shows on every
page and view at once: answers are remembered per store generation, never per process.
In-process (FastAPI's TestClient over the real app, its query processes real)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bigmap_kg.store.generations import apply_update
from bigmap_kg.web.app import create_app
from bigmap_kg.web.server.settings import Settings

from .stores import store_copy

#: a matrix entry that D5.1 does not have (invented for this test, only in its store copy)
NEW_ENTRY = """
PREFIX bmo: <https://w3id.org/bigmap-kg/ontology#>
INSERT DATA { GRAPH <https://w3id.org/bigmap-kg/graph/data> {
  <https://w3id.org/bigmap-kg/matrix-entry/test-swap-entry> a bmo:MatrixEntry ;
      bmo:rowNumber 99 ; bmo:cluster <https://w3id.org/bigmap-kg/cluster/imaging> ;
      bmo:technique <https://w3id.org/bigmap-kg/technique/xrd> ;
      bmo:techniqueAsPrinted "Swap test technique" .
} }
"""


@pytest.fixture
def copied_store(store_path: Path, tmp_path: Path) -> Path:
    """A store link of its own, pointing at a copy of the session store."""
    return store_copy(store_path, tmp_path)


def entries_shown(page: str) -> tuple[int, int]:
    """The '(shown of total entries)' count of the matrix page."""
    found = re.search(r"\((\d+) of (\d+) entries\)", page)
    assert found, page[:500]
    return int(found.group(1)), int(found.group(2))


def test_a_swap_that_adds_a_matrix_entry_shows_on_the_matrix_at_once(copied_store: Path) -> None:
    settings = Settings(store=copied_store, compact_after=0, query_workers=1)
    with TestClient(create_app(settings)) as client:
        before = entries_shown(client.get("/matrix").text)
        listed = client.get("/api/matrix-entries").json()["totalItems"]
        assert before[0] == before[1] == listed
        assert "Swap test technique" not in client.get("/matrix").text
        apply_update(NEW_ENTRY, copied_store, compact=False)
        page = client.get("/matrix").text
        assert entries_shown(page) == (before[0] + 1, before[1] + 1)
        assert "Swap test technique" in page
        assert client.get("/api/matrix-entries").json()["totalItems"] == listed + 1
