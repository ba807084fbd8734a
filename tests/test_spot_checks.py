"""A spot check of 40 random facts against D5.1 (tests/data/spot-checks.tsv).

Each line was drawn at random from data/ttl (seed 2026) and checked by hand against the document:
the fact must be in the graph, and the quote that supports it must occur in D5.1.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from rdflib import Literal, URIRef

from bigmap_kg.namespaces import PREFIXES

TABLE = Path(__file__).parent / "data" / "spot-checks.tsv"


def _rows() -> list[dict[str, str]]:
    if not TABLE.exists():
        return []
    with TABLE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


ROWS = _rows()


def _iri(text: str) -> URIRef:
    if text.startswith("<") and text.endswith(">"):
        return URIRef(text[1:-1])
    prefix, _, local = text.partition(":")
    return URIRef(PREFIXES[prefix] + local)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_there_are_at_least_40_spot_checks() -> None:
    assert len(ROWS) >= 40


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['subject']}-{r['predicate']}" for r in ROWS])
def test_spot_checked_fact(row: dict[str, str], data_graph, seed_text) -> None:
    subject, predicate = _iri(row["subject"]), _iri(row["predicate"])
    values = list(data_graph.objects(subject, predicate))
    expected = row["object"]
    if expected.startswith("<") or (":" in expected and expected.split(":", 1)[0] in PREFIXES
                                    and " " not in expected):
        assert _iri(expected) in values, (subject, predicate, values)
    else:
        assert any(isinstance(v, Literal) and str(v) == expected for v in values), values
    assert _squash(row["quote"]) in _squash(seed_text), row["quote"]
