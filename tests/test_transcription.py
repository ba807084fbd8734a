"""The graph holds every row of D5.1, and what it says verbatim comes from the document.

Counts are those of the printed tables (section 2.3: 11 + 23 + 8 + 13 matrix rows; Appendix A:
38 sheets; section 2.6: 38 references; Tables 1-4: 10 + 6 + 10 + 17 Tier 1 rows).
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from rdflib import Literal

from bigmap_kg.namespaces import BMO

from .conftest import select

PREFIX = "PREFIX bmo: <https://w3id.org/bigmap-kg/ontology#> "


def count(store, where: str) -> int:
    rows = select(store, PREFIX + f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {where} }}",
                  inferred=False)
    return int(rows[0]["n"])


@pytest.mark.parametrize(("cluster", "rows"), [("diffraction-scattering", 11), ("imaging", 23),
                                               ("bulk-spectroscopy", 8),
                                               ("surface-spectroscopy", 13)])
def test_every_matrix_row_is_an_entry(store, cluster: str, rows: int) -> None:
    where = (f"?x a bmo:MatrixEntry ; bmo:cluster "
             f"<https://w3id.org/bigmap-kg/cluster/{cluster}>")
    assert count(store, where) == rows
    numbers = select(store, PREFIX + f"SELECT ?r WHERE {{ {where} ; bmo:rowNumber ?r }}",
                     inferred=False)
    assert sorted(int(r["r"]) for r in numbers) == list(range(1, rows + 1))


def test_matrix_has_55_rows(store) -> None:
    assert count(store, "?x a bmo:MatrixEntry") == 55


def test_every_cell_sheet(store) -> None:
    assert count(store, "?x a bmo:CellSheet") == 38
    numbers = select(store, PREFIX + "SELECT ?n WHERE { ?s bmo:sheetNumber ?n }", inferred=False)
    assert sorted(int(r["n"]) for r in numbers) == list(range(1, 39))
    # three cells are described twice (07/32, 10/33, 14/36): 35 cells have a sheet
    assert count(store, "?s bmo:describesCell ?x") == 35


def test_references_partners_clusters(store) -> None:
    assert count(store, "?x a bmo:Reference") == 38
    assert count(store, "?x a bmo:Partner") == 15
    assert count(store, "?x a bmo:Cluster") == 4


@pytest.mark.parametrize(("table", "rows"), [(1, 10), (2, 6), (3, 10), (4, 17)])
def test_every_tier1_row_is_an_experiment(store, table: int, rows: int) -> None:
    where = f"?x a bmo:Tier1Experiment ; bmo:tableNumber {table}"
    assert count(store, where) == rows
    numbers = select(store, PREFIX + f"SELECT ?r WHERE {{ {where} ; bmo:rowNumber ?r }}",
                     inferred=False)
    assert sorted(int(r["r"]) for r in numbers) == list(range(1, rows + 1))


def test_missing_techniques_of_section_2_5(store) -> None:
    rows = select(store, PREFIX + "SELECT ?x WHERE { ?x a bmo:MissingTechnique }", inferred=False)
    assert {r["x"].rsplit("/", 1)[1] for r in rows} == {
        "optical-microscopy", "mossbauer", "afm", "tof-sims", "dems", "optical-fibre-sensing"}


def test_no_person_for_retracted_contacts(data_graph) -> None:
    """'[retracted]' is never a value (curation notes may mention it, to explain a reading)."""
    for _, predicate, literal in data_graph:
        if isinstance(literal, Literal) and predicate != BMO.curationNote:
            assert "retracted]" not in str(literal), (predicate, literal)


SUPERSCRIPTS = str.maketrans({c: " " for c in "⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃₄₅₆₇₈₉"})


def _normalise(text: str) -> str:
    """Case, micro sign and the extraction's detached superscripts ('mm ²') do not count."""
    text = unicodedata.normalize("NFC", text).replace("µ", "μ").translate(SUPERSCRIPTS)
    return text.lower()


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W_]{2,}", _normalise(text))}


def test_every_verbatim_word_is_in_the_document(data_graph, ontology_graph, seed_text) -> None:
    """Words of every `…AsPrinted` literal occur in D5.1: nothing verbatim was invented."""
    printed = {p for p in ontology_graph.subjects()
               if str(p).startswith(str(BMO)) and str(p).endswith(("AsPrinted", "asPrinted"))}
    printed |= {BMO.asPrinted, BMO.additionalInformation}
    source = _words(seed_text)
    foreign = {}
    for subject, predicate, literal in data_graph:
        if predicate in printed:
            missing = _words(str(literal)) - source
            if missing:
                foreign[(str(subject), str(predicate), str(literal))] = sorted(missing)
    assert not foreign, "\n".join(f"{k}: {v}" for k, v in list(foreign.items())[:20])
