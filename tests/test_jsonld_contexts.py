"""JSON-LD records whose @context names contexts (RO-Crate, BattINFO) have the context
processed once per process (issue 17: "for RO-Crates 3.3 s re-parsing the same context" per
batch of 100), and map to the same graphs and notes as when rdflib processes it per record."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.compare import isomorphic

from bigmap_kg.datasets import contexts
from bigmap_kg.datasets.formats import read_bytes
from bigmap_kg.datasets.resolve import Vocabulary

from .conftest import SHARED

OWN = Path(__file__).parent / "data" / "datasets"
SAMPLES = SHARED / "anchors" / "metadata" / "samples"
NAMED_CONTEXTS = [OWN / "rocrate-operando-xrd-id31.json",
                  SAMPLES / "rocrate_datalab_NaCoO2-coin-cell_ro-crate-metadata.json",
                  SAMPLES / "bdf_sintef_g20m7_dataset-collection_metadata.jsonld"]


@pytest.fixture(scope="module")
def vocabulary(store) -> Vocabulary:
    return Vocabulary.from_store(store)


def mapped(path: Path, vocabulary: Vocabulary) -> list[tuple]:
    return [(r.record_id, r.graph, r.notes) for r in read_bytes(path.read_bytes(), str(path),
                                                                 vocabulary)]


@pytest.mark.parametrize("path", NAMED_CONTEXTS, ids=lambda p: p.name)
def test_the_same_graph_as_rdflib_processing_the_context_per_record(path, vocabulary,
                                                                    monkeypatch) -> None:
    if not path.exists():
        pytest.skip(f"{path} is not present")
    once = mapped(path, vocabulary)
    monkeypatch.setattr(contexts, "_context_references", lambda document: None)
    each = mapped(path, vocabulary)
    assert [(i, n) for i, _, n in once] == [(i, n) for i, _, n in each]
    assert all(isomorphic(a, b) for (_, a, _), (_, b, _) in zip(once, each, strict=True))
    assert len(once[0][1]) > 20


def test_the_context_is_processed_once(vocabulary) -> None:
    contexts._processed.cache_clear()
    for _ in range(3):
        mapped(NAMED_CONTEXTS[0], vocabulary)
    info = contexts._processed.cache_info()
    assert (info.misses, info.hits) == (1, 2)
