"""Examples for the OpenAPI document (/docs): every parameter and body of every documented
route has one, and `tests/test_openapi_examples.py` runs them all against a real server."""

from __future__ import annotations

from pathlib import Path

#: the body of the POST /api/datasets example; the dataset examples name what it creates
EXAMPLE_RECORD = (Path(__file__).parent.parent / "examples" / "dataset-record.ttl").read_text()
EXAMPLE_DATASET = "example-xrd-analysed"
EXAMPLE_EXPERIMENT = "t3-09"


def examples(*values, **named) -> dict[str, dict]:
    """`openapi_examples` for a parameter: plain values, or summaries with their values."""
    return {**{str(value): {"value": value} for value in values},
            **{summary: {"summary": summary, "value": value} for summary, value in named.items()}}
