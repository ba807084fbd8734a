"""The in-process query runner (proven jobs run on the spot) and the protocol's request parsing."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from urllib.parse import parse_qsl, quote, quote_plus

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bigmap_kg.store import LiveStore
from bigmap_kg.web import protocol
from bigmap_kg.web.pool import InProcessRunner, Job, QueryError, QueryThreads, execute
from bigmap_kg.web.protocol import form

from .test_service import TECHNIQUES

JSON = ("application/sparql-results+json",)


def job(query: str) -> Job:
    return Job(query=query, default_graphs=None, named_graphs=None, result_types=JSON,
               graph_types=(), max_bytes=10_000_000)


class Swappable:
    """A store whose current generation the test replaces (as an ingest would)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.swap()

    def swap(self) -> None:
        self.store = ox.Store.read_only(str(self.path.resolve()))

    def current(self) -> ox.Store:
        return self.store


def test_a_fast_job_is_proven_and_then_answered_on_the_spot_with_the_same_bytes(
        store_path: Path) -> None:
    store = LiveStore(store_path)
    runner = InProcessRunner(store, timeout=10)
    techniques = job(TECHNIQUES)
    try:
        assert not runner.is_proven(techniques)
        first = asyncio.run(runner.run(techniques))
        assert runner.is_proven(techniques)
        second = asyncio.run(runner.run(techniques))
        assert second == first == execute(store.current(), techniques)
        assert b"/technique/xrd" in first.body
    finally:
        runner.close()


def test_query_threads_hand_back_results_and_errors_and_drop_answers_nobody_awaits() -> None:
    threads, release = QueryThreads(2), threading.Event()

    def fail() -> None:
        raise QueryError(400, "bad")

    async def scenario() -> None:
        errors: list[dict] = []
        asyncio.get_running_loop().set_exception_handler(lambda _, context: errors.append(context))
        assert await threads.submit(sum, (1, 2, 3)) == 6
        with pytest.raises(QueryError, match="bad"):
            await threads.submit(fail)
        late = threads.submit(release.wait)  # a call that outlives its request
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(asyncio.shield(late), 0.05)
        late.cancel()
        release.set()  # its answer now arrives for a future nobody awaits: dropped
        assert await threads.submit(len, "four") == 4
        await asyncio.sleep(0.1)
        assert errors == []
    try:
        asyncio.run(scenario())
    finally:
        threads.close()


def test_slow_jobs_and_failed_jobs_are_not_proven(store_path: Path) -> None:
    runner = InProcessRunner(LiveStore(store_path), timeout=10, inline_seconds=0.0)
    try:
        asyncio.run(runner.run(job(TECHNIQUES)))
        assert not runner.is_proven(job(TECHNIQUES))
        fast = InProcessRunner(LiveStore(store_path), timeout=10)
        try:
            broken = job("SELECT * WHERE { ?s ?p }")
            with pytest.raises(QueryError) as refused:
                asyncio.run(fast.run(broken))
            assert refused.value.status == 400
            assert not fast.is_proven(broken)
        finally:
            fast.close()
    finally:
        runner.close()


def test_a_new_store_generation_proves_every_job_afresh(store_path: Path) -> None:
    store = Swappable(store_path)
    runner = InProcessRunner(store, timeout=10)
    try:
        asyncio.run(runner.run(job(TECHNIQUES)))
        assert runner.is_proven(job(TECHNIQUES))
        store.swap()
        asyncio.run(runner.run(job("ASK {}")))
        assert not runner.is_proven(job(TECHNIQUES))
    finally:
        runner.close()


def test_remembered_jobs_are_bounded(store_path: Path) -> None:
    runner = InProcessRunner(LiveStore(store_path), timeout=10)
    runner.max_proven = 3
    try:
        queries = [f"ASK {{ ?s ?p {n} }}" for n in range(5)]
        for query in queries:
            asyncio.run(runner.run(job(query)))
        assert [runner.is_proven(job(q)) for q in queries] == [False, False, True, True, True]
    finally:
        runner.close()


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
