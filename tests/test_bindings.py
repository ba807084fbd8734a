"""Parameters bound to lists of terms (`results.run`): one query per VALUES table of up to 400
combinations answers as the query run once per term would, and every term survives the trip
into the query text exactly (pyoxigraph writes it)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from bigmap_kg.queryfile import view
from bigmap_kg.querytext import with_values
from bigmap_kg.results import VALUES_PER_QUERY, run

ODD_LITERALS = [ox.Literal('a "quoted" \\ back\nslash'), ox.Literal("Zürich", language="de"),
                ox.Literal("0042", datatype=ox.NamedNode("https://example.org/code")),
                ox.Literal("tab\there\r\u2028")]


def test_every_term_comes_back_exactly_from_a_values_table(store) -> None:
    terms = [*ODD_LITERALS, ox.NamedNode("https://example.org/a%20b#c")]
    rows = run(store, "SELECT ?x WHERE { }", prefixes=False, bindings={"x": terms})
    assert [row["x"] for row in rows] == terms


def test_a_list_answers_as_one_run_per_term(store) -> None:
    """entity-labels, with the technique IRIs of the store (more than one VALUES table)."""
    techniques = [row["t"] for row in store.query(
        "SELECT DISTINCT ?t WHERE { ?t a <https://w3id.org/bigmap-kg/ontology#Technique> }",
        use_default_graph_as_union=True)]
    things = techniques * (VALUES_PER_QUERY // len(techniques) + 1)
    assert len(things) > VALUES_PER_QUERY
    listed = run(store, view("entity-labels"), prefixes=False, bindings={"thing": things})
    one_by_one = [row for thing in things for row in run(
        store, view("entity-labels"), prefixes=False, bindings={"thing": thing})]
    def key(row):
        return (row["thing"].value, row["label"].value)
    assert sorted(map(key, listed)) == sorted(map(key, one_by_one))
    assert len(one_by_one) >= len(things)


def test_a_filter_on_a_listed_variable_sees_its_value(store) -> None:
    """A VALUES table at the start of the WHERE group, not a trailing one: a FILTER in the
    group compares with the bound value (a trailing VALUES would join after the FILTER)."""
    query = "SELECT ?key ?hit WHERE { BIND (STR(?key) AS ?text) FILTER (?text = \"b\") " \
            "BIND (true AS ?hit) }"
    rows = run(store, query, prefixes=False, bindings={"key": [ox.Literal("a"), ox.Literal("b")]})
    assert [(row["key"].value, row["hit"].value) for row in rows] == [("b", "true")]


def test_a_blank_node_cannot_be_listed() -> None:
    with pytest.raises(ValueError, match="blank node"):
        with_values("SELECT * WHERE { }", ["x"], [(ox.BlankNode(),)])
