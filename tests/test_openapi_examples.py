"""The OpenAPI document (/docs) gives every parameter and request body of every route an
example, and every example works: each is sent to a real server over a copy of the store, after
the documentation's example record has been POSTed (the dataset examples name what it creates).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bigmap_kg.web.routes.collections import COLLECTIONS, FILTER_EXAMPLES
from bigmap_kg.web.routes.linkeddata import EXAMPLES, SEGMENTS

from .server import running_server
from .stores import store_copy

TOKEN = "example-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def served(store_path: Path, tmp_path_factory) -> Iterator[tuple[str, dict]]:
    """(base URL, OpenAPI document) of a server over a copy of the store that takes writes,
    once the documentation's example record is written."""
    link = store_copy(store_path, tmp_path_factory.mktemp("examples"))
    with running_server(link, BIGMAP_KG_WRITE_TOKEN=TOKEN) as base:
        spec = httpx.get(base + "/openapi.json").json()
        record = spec["paths"]["/api/datasets"]["post"]["requestBody"]["content"][
            "text/turtle"]["example"]
        posted = httpx.post(base + "/api/datasets", params={"name": "record.ttl"},
                            headers={**AUTH, "Content-Type": "text/turtle"}, content=record)
        assert posted.status_code == 201, posted.text
        yield base, spec


def operations(spec: dict) -> Iterator[tuple[str, str, dict]]:
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield method.upper(), path, operation


def example_values(holder: dict) -> list:
    """The example values a parameter or body content gives (`example` or `examples`)."""
    if "example" in holder:
        return [holder["example"]]
    return [example["value"] for example in holder.get("examples", {}).values()]


def test_every_parameter_and_request_body_has_an_example(served) -> None:
    _, spec = served
    missing = []
    for method, path, operation in operations(spec):
        missing += [f"{method} {path} {p['name']}" for p in operation.get("parameters", [])
                    if not example_values(p)]
        contents = operation.get("requestBody", {}).get("content", {})
        if contents and not any(example_values(c) for c in contents.values()):
            missing.append(f"{method} {path} body")
    assert missing == []
    assert set(EXAMPLES) == set(SEGMENTS)
    assert {name for spec_ in COLLECTIONS.values() for name in spec_.filters} == \
        set(FILTER_EXAMPLES)


def requests_of(path: str, operation: dict) -> Iterator[tuple[str, dict, dict]]:
    """(URL path, query parameters, body keywords) for every example: the first example of
    every parameter together, then each further example of each parameter in turn. Collection
    filters are left to their own test (each belongs to some collections only)."""
    parameters = [p for p in operation.get("parameters", [])
                  if p["name"] not in FILTER_EXAMPLES or p["in"] != "query"]
    first = {p["name"]: example_values(p)[0] for p in parameters}
    variants = [first] + [{**first, p["name"]: value} for p in parameters
                          for value in example_values(p)[1:]]
    contents = operation.get("requestBody", {}).get("content", {})
    bodies = [body_keywords(media, value) for media, content in contents.items()
              for value in example_values(content)] or [{}]
    located = {p["name"]: p["in"] for p in parameters}
    for values, body in itertools.product(variants, bodies):
        url = path.format(**{n: v for n, v in values.items() if located[n] == "path"})
        yield url, {n: v for n, v in values.items() if located[n] == "query"}, body


def body_keywords(media: str, example) -> dict:
    if media == "application/x-www-form-urlencoded":
        return {"data": example}
    if media == "application/json":
        return {"json": example}
    return {"content": example if isinstance(example, str) else json.dumps(example),
            "headers": {"Content-Type": media}}


def test_every_example_request_succeeds(served) -> None:
    base, spec = served
    with httpx.Client(base_url=base, follow_redirects=True, timeout=60) as client:
        failed, sent = [], 0
        for method, path, operation in operations(spec):
            for url, params, body in requests_of(path, operation):
                headers = {**AUTH, **body.pop("headers", {})}
                response = client.request(method, url, params=params, headers=headers, **body)
                sent += 1
                if not 200 <= response.status_code < 300:
                    failed.append(f"{method} {url} {params}: {response.status_code} "
                                  f"{response.text[:200]}")
    assert failed == []
    assert sent > 60


def test_every_filter_example_is_taken_by_its_collections_and_selects_something(
        served) -> None:
    base, _ = served
    with httpx.Client(base_url=base, timeout=60) as client:
        empty = []
        for name, value in FILTER_EXAMPLES.items():
            totals = {}
            for collection, spec in COLLECTIONS.items():
                if name in spec.filters:
                    response = client.get(f"/api/{collection}", params={name: value})
                    assert response.status_code == 200, (collection, name, response.text)
                    totals[collection] = response.json()["totalItems"]
            if not any(totals.values()):
                empty.append(f"{name}={value}: {totals}")
    assert empty == []
