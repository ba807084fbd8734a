"""What the remote store's reader learns from a query: which variables hold computed booleans
(the SPARQL 1.1 operators and functions whose result is xsd:boolean, section 17.4) and
GROUP_CONCAT concatenations, and whether its own SELECT is DISTINCT."""

from __future__ import annotations

import pytest

from bigmap_kg.querytext import selects_distinct
from bigmap_kg.variablekinds import variable_kinds

QUERY = """PREFIX ex: <https://example.org/>
SELECT ?label (SAMPLE(?measured) AS ?anyMeasured) (GROUP_CONCAT(?name; separator=", ") AS ?names)
       (COALESCE(?flag, false) AS ?flagged) (IF(?n > 2, "many", "few") AS ?size) ?copy WHERE {
  ?s ex:label ?label ; ex:name ?name ; ex:n ?n .
  OPTIONAL { ?s ex:flag ?flag }
  BIND (EXISTS { ?s ex:measures ?o } AS ?measured)
  BIND (?measured AS ?copy)
  BIND (STRSTARTS(?label, "X") && BOUND(?flag) AS ?both)
} GROUP BY ?label ?flag ?n ?copy"""


def test_booleans_are_the_variables_bound_to_boolean_expressions() -> None:
    kinds = variable_kinds(QUERY)
    assert {"measured", "anyMeasured", "flagged", "copy", "both"} <= kinds.booleans
    assert not {"label", "names", "size", "name", "n"} & kinds.booleans


def test_concatenations_are_the_group_concat_variables() -> None:
    assert "names" in variable_kinds(QUERY).concatenations
    assert "label" not in variable_kinds(QUERY).concatenations


def test_a_query_rdflib_cannot_parse_has_no_known_kinds() -> None:
    kinds = variable_kinds("SELECT ?x WHERE { FILTER_PATTERN }")
    assert not kinds.booleans and not kinds.concatenations


@pytest.mark.parametrize(("query", "distinct"), [
    ("PREFIX a: <x:> SELECT DISTINCT ?x WHERE {}", True),
    ("BASE <x:> SELECT REDUCED * WHERE {}", True),
    ("# SELECT DISTINCT\nSELECT ?x WHERE { { SELECT DISTINCT ?x WHERE {} } }", False),
    ("ASK { ?s ?p ?o }", False),
])
def test_selects_distinct_reads_the_query_s_own_select(query: str, distinct: bool) -> None:
    assert selects_distinct(query) is distinct
