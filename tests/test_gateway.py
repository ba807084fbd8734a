"""The query gateway (`web/server/gateway.py`): killable query processes with the time limit, the
client-gone check, "busy" for a job waiting behind others, and answers cached per store
generation; and the protocol's request parsing."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from urllib.parse import parse_qsl, quote, quote_plus

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib.namespace import RDF

from bigmap_kg.namespaces import BASE, BMO
from bigmap_kg.store import LiveStore
from bigmap_kg.store.generations import apply_update
from bigmap_kg.web.routes import protocol
from bigmap_kg.web.routes.protocol import form
from bigmap_kg.web.server.gateway import Gateway, Job, QueryError

from .stores import store_copy
from .test_service import HEAVY, TECHNIQUES

JSON = ("application/sparql-results+json",)
#: 5,000 nested parentheses: pyoxigraph 0.5 overflows its stack on it (the process dies)
DEEP = "ASK { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }"


def job(query: str) -> Job:
    return Job(query=query, union=True, result_types=JSON, graph_types=())


async def _with_gateway(path: Path, scenario, **options):
    gateway = Gateway(LiveStore(path), path, **options)
    try:
        return await scenario(gateway)
    finally:
        gateway.close()


def run(path: Path, scenario, **options):
    return asyncio.run(_with_gateway(path, scenario, **options))


def test_the_gateway_answers_with_the_techniques_the_data_names(store_path: Path,
                                                                 data_graph) -> None:
    """Through a query process: the techniques the data files type bmo:Technique, in IRI
    order, as SPARQL JSON results."""
    async def scenario(gateway: Gateway):
        return await gateway.run(job(TECHNIQUES))
    answer = run(store_path, scenario, workers=1)
    assert answer.media_type.startswith("application/sparql-results+json")
    found = [row["t"]["value"] for row in json.loads(answer.body)["results"]["bindings"]]
    assert found == sorted(str(t) for t in data_graph.subjects(RDF.type, BMO.Technique))
    assert BASE + "technique/xrd" in found


def test_a_swapped_in_store_is_seen_at_once(tmp_path: Path, store_path: Path) -> None:
    """The answer cache is keyed on the store generation: the same query asked again after a
    swap (an ingest's update) sees the new store."""
    link = store_copy(store_path, tmp_path)
    ask = job("ASK { <https://example.org/new> ?p ?o }")

    async def scenario(gateway: Gateway):
        before = await gateway.run(ask)
        again = await gateway.run(ask)
        apply_update("INSERT DATA { GRAPH <https://example.org/g> { <https://example.org/new> "
                     "<https://example.org/p> 1 } }", link, compact=False)
        return before, again, await gateway.run(ask)
    before, again, after = run(link, scenario, workers=1)
    assert b"false" in before.body and again == before
    assert b"true" in after.body


def test_a_runaway_query_is_stopped_at_the_time_limit_and_the_next_one_answered(
        store_path: Path) -> None:
    async def scenario(gateway: Gateway):
        started = time.monotonic()
        with pytest.raises(QueryError) as stopped:
            await gateway.run(job(HEAVY))
        took = time.monotonic() - started
        return stopped.value, took, await gateway.run(job(TECHNIQUES))
    stopped, took, answer = run(store_path, scenario, workers=1, timeout=1)
    assert stopped.status == 503 and "timed out after 1 s" in stopped.message
    assert took < 3
    assert b"/technique/xrd" in answer.body


def test_a_query_whose_client_has_gone_is_stopped(store_path: Path) -> None:
    """With one query process and a time limit of 60 s, the next query is answered within
    seconds only if the runaway's process was stopped when its client went away."""
    async def scenario(gateway: Gateway):
        started = time.monotonic()

        async def gone() -> bool:
            return time.monotonic() - started > 0.3
        with pytest.raises(QueryError) as stopped:
            await gateway.run(job(HEAVY), gone)
        answer = await gateway.run(job(TECHNIQUES))
        return stopped.value, answer, time.monotonic() - started
    stopped, answer, took = run(store_path, scenario, workers=1, timeout=60)
    assert stopped.status == 499 and b"/technique/xrd" in answer.body
    assert took < 10


def test_a_query_behind_a_runaway_waits_or_is_told_busy_never_timed_out(
        store_path: Path) -> None:
    async def scenario(gateway: Gateway):
        runaway = asyncio.ensure_future(gateway.run(job(HEAVY)))
        await asyncio.sleep(0.2)
        try:
            behind = await gateway.run(job(TECHNIQUES))
        except QueryError as error:
            behind = error
        with pytest.raises(QueryError):
            await runaway
        return behind
    behind = run(store_path, scenario, workers=1, timeout=1)
    if isinstance(behind, QueryError):
        assert behind.status == 503 and behind.message.startswith("busy"), behind.message
    else:
        assert b"/technique/xrd" in behind.body


def test_a_query_that_crashes_its_process_is_answered_and_the_process_replaced(
        store_path: Path) -> None:
    async def scenario(gateway: Gateway):
        with pytest.raises(QueryError) as crashed:
            await gateway.run(job(DEEP))
        return crashed.value, await gateway.run(job(TECHNIQUES))
    crashed, answer = run(store_path, scenario, workers=1)
    assert crashed.status == 500 and "stopped unexpectedly" in crashed.message
    assert b"/technique/xrd" in answer.body


def test_a_failing_query_is_a_client_error(store_path: Path) -> None:
    async def scenario(gateway: Gateway):
        with pytest.raises(QueryError) as refused:
            await gateway.run(job("SELECT * WHERE { ?s ?p }"))
        return refused.value
    assert run(store_path, scenario, workers=1).status == 400


@given(st.lists(st.tuples(st.text(), st.text()), max_size=4))
def test_form_decoding_matches_the_standard_library_on_encoded_forms(pairs) -> None:
    encoded = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)
    expected: dict[str, list[str]] = {}
    for key, value in parse_qsl(encoded, keep_blank_values=True):
        expected.setdefault(key, []).append(value)
    assert form(encoded) == expected


@given(st.text(alphabet="%+=&abcXYZ019\\é\x00 ", max_size=30))
def test_form_decoding_matches_the_standard_library_on_any_text(text: str) -> None:
    expected: dict[str, list[str]] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        expected.setdefault(key, []).append(value)
    assert form(text) == expected


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("graph", ["nope", " https://example.org/g", "https://exa mple.org/"])
def test_a_dataset_graph_that_is_no_absolute_iri_is_a_client_error(name: str, graph: str) -> None:
    with pytest.raises(QueryError) as refused:
        protocol.parse("GET", f"query=ASK%7B%7D&{name}={quote(graph)}", None, b"")
    assert refused.value.status == 400 and name in refused.value.message
    accepted = protocol.parse("GET", f"query=ASK%7B%7D&{name}=https%3A%2F%2Fexample.org%2Fg",
                              None, b"")
    assert "https://example.org/g" in accepted.default_graphs + accepted.named_graphs
