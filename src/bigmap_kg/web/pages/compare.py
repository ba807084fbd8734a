"""Techniques (or matrix entries) side by side: one column each, one row per attribute of the
matrix (probe, depths, resolutions, detection limit, observables with their marks, partners,
instruments, cells), rows whose values differ marked; as a page and as CSV."""

from __future__ import annotations

import asyncio
import csv
import io
from dataclasses import dataclass, field
from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from ...queryfile import view
from ...results import rows_as_dicts, run
from ..server.gateway import store_for
from .shared import TEMPLATES, page_of

router = APIRouter(include_in_schema=False)
MAX_COLUMNS = 6
#: attributes whose values are the same across a technique's entries are listed once; for the
#: printed columns each value says which entry (sample format) it is from
PER_ENTRY = {"probed area", "penetration depth", "lateral resolution", "depth resolution",
             "operando time resolution", "detection limit and contrast"}


@dataclass
class Column:
    """One technique or entry: its heading and, per attribute, its values (text, page)."""

    iri: str
    label: str
    values: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)
    #: attribute → its place among the rows (the view's ?order)
    order: dict[str, int] = field(default_factory=dict)


def column(store: ox.Store, thing: str, technique: str, label: str, **_: str) -> Column:
    """The compare column of a technique, or of one matrix entry of it (view compare-entries)."""
    rows = rows_as_dicts(run(store, view("compare-entries"), prefixes=False,
                             bindings={"technique": ox.NamedNode(technique)}))
    if thing != technique:
        rows = [r for r in rows if r["entry"] == thing]
    several = len({r["entry"] for r in rows}) > 1
    result = Column(thing, label)
    for row in rows:
        attribute = row["attribute"]
        result.order[attribute] = int(row["order"])
        text = row["value"]
        if attribute in PER_ENTRY and several:
            text = f"{row['category'] or row['entryLabel']}: {text}"
        item = (text, page_of(row["link"]) if row["link"] else None)
        values = result.values.setdefault(attribute, [])
        if item not in values:
            values.append(item)
    result.values = {a: sorted(v) for a, v in result.values.items()}
    return result


def choices(store: ox.Store) -> dict[str, dict[str, dict[str, str]]]:
    """Kind → slug → the row (thing, label, technique) of every technique and matrix entry."""
    found: dict[str, dict[str, dict[str, str]]] = {"technique": {}, "matrix-entry": {}}
    for row in rows_as_dicts(run(store, view("compare-choices"), prefixes=False)):
        found[row["kind"]].setdefault(row["thing"].rsplit("/", 1)[1], row)
    return found


def comparison(store: ox.Store, techniques: list[str], entries: list[str]) -> dict:
    known = choices(store)
    wanted = [("technique", s) for s in techniques] + [("matrix-entry", s) for s in entries]
    unknown = [f"{kind} '{slug}'" for kind, slug in wanted if slug not in known[kind]]
    if unknown:
        raise HTTPException(404, f"not in the matrix: {', '.join(unknown)}")
    columns = [column(store, **known[kind][slug]) for kind, slug in wanted]
    order = {a: n for c in columns for a, n in c.order.items()}
    attributes = sorted(order, key=order.get)
    rows = [{"attribute": a, "cells": [c.values.get(a, []) for c in columns],
             "differs": len({tuple(t for t, _ in c.values.get(a, [])) for c in columns}) > 1}
            for a in attributes]
    return {"columns": columns, "rows": rows, "choices": known}


Chosen = Annotated[list[str] | None, Query()]


def _chosen(technique: list[str] | None, entry: list[str] | None) -> tuple[list[str], list[str]]:
    techniques = list(dict.fromkeys(technique or []))
    entries = list(dict.fromkeys(entry or []))
    if len(techniques) + len(entries) > MAX_COLUMNS:
        raise HTTPException(400, f"compare at most {MAX_COLUMNS} techniques or entries")
    return techniques, entries


@router.get("/compare", response_class=HTMLResponse)
async def compare_page(request: Request, technique: Chosen = None,
                       entry: Chosen = None) -> HTMLResponse:
    """2–6 techniques (`technique=xps&technique=haxpes`) or matrix entries side by side."""
    techniques, entries = _chosen(technique, entry)
    found = await asyncio.to_thread(comparison, store_for(request), techniques, entries)
    return TEMPLATES.TemplateResponse(request, "compare.html", {
        "title": "Compare " + ", ".join(c.label for c in found["columns"]) if found["columns"]
        else "Compare techniques", **found, "techniques": techniques, "entries": entries,
        "query_string": str(request.url.query)})


@router.get("/compare.csv")
async def compare_csv(request: Request, technique: Chosen = None,
                      entry: Chosen = None) -> Response:
    techniques, entries = _chosen(technique, entry)
    found = await asyncio.to_thread(comparison, store_for(request), techniques, entries)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["attribute", *(c.label for c in found["columns"])])
    for row in found["rows"]:
        writer.writerow([row["attribute"], *("; ".join(t for t, _ in cell)
                                             for cell in row["cells"])])
    return Response(out.getvalue(), media_type="text/csv",
                    headers={"Content-Disposition": "attachment; filename=compare.csv"})
