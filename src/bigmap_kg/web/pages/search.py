"""Global search: every named thing of the graph by its name, aliases, legal name, identifiers
or printed text; accent- and case-insensitive, grouped by kind, best first, with why it matched.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from dataclasses import asdict, dataclass

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response

from ...queryfile import view
from ...results import rows_as_dicts, run
from ..routes.docs import examples
from ..server.gateway import store_for
from .shared import TEMPLATES, page_of

router = APIRouter()

#: kinds in the order their groups are listed when equally good, with their headings
KINDS = {"technique": "Techniques", "partner": "Partners", "facility": "Facilities",
         "instrument": "Instruments and beamlines", "cell": "Cells", "material": "Materials",
         "observable": "Observables", "experiment": "Tier 1 experiments"}
#: fields that name the thing itself count more than text that only mentions it
NAME_FIELDS = {"name", "also called", "legal name", "experiment id"}
MAX_QUERY = 200


def fold(text: str) -> str:
    """Compatibility-normalised (full-width letters, µ), accents dropped, case-folded, one space
    between words: the form both the query and the texts are compared in."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^\w]+", text) if w]


def score(query: str, text: str) -> int:
    """How well a folded text matches a folded query: 0 when it does not."""
    if text == query:
        return 100
    if text.startswith(query):
        return 80
    words = _words(text)
    terms = _words(query)
    if len(terms) == 1 and any(w.startswith(terms[0]) for w in words):
        return 60
    if query in text:
        return 40
    if terms and all(any(w.startswith(t) for w in words) for t in terms):
        return 30
    return 0


@dataclass(frozen=True)
class Hit:
    """One found thing, with the best text it matched and where that text comes from."""

    iri: str
    page: str
    kind: str
    label: str
    field: str
    matched: str
    score: int


def search(rows: list[dict], query: str, limit: int = 50) -> list[Hit]:
    """The best hit per thing, best first (name fields before other text, then by label)."""
    folded = fold(query)
    if not folded:
        return []
    best: dict[str, Hit] = {}
    for row in rows:
        points = score(folded, fold(row["text"]))
        if not points:
            continue
        points += 10 if row["field"] in NAME_FIELDS else 0
        known = best.get(row["thing"])
        if known is None or points > known.score:
            best[row["thing"]] = Hit(row["thing"], page_of(row["thing"]), row["kind"],
                                     row["label"], row["field"], row["text"], points)
    ranked = sorted(best.values(), key=lambda h: (-h.score, fold(h.label)))
    return ranked[:limit]


def grouped(hits: list[Hit]) -> list[dict]:
    """Hits by kind; groups ordered by their best hit, then by KINDS."""
    order = list(KINDS)
    groups: dict[str, list[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.kind, []).append(hit)
    return [{"kind": kind, "heading": KINDS[kind], "hits": found}
            for kind, found in sorted(groups.items(),
                                      key=lambda kv: (-kv[1][0].score, order.index(kv[0])))]


def index_rows(store: ox.Store) -> list[dict]:
    """Every searchable (thing, kind, label, field, text) of the graph, once each: the texts
    of view search-texts whose thing is one of view search-things (the gateway caches both
    answers per store generation)."""
    things = {row["thing"]: row
              for row in rows_as_dicts(run(store, view("search-things"), prefixes=False))}
    seen, rows = set(), []
    for row in rows_as_dicts(run(store, view("search-texts"), prefixes=False)):
        key = (row["thing"], row["field"], row["text"])
        if row["thing"] in things and key not in seen:
            seen.add(key)
            rows.append({**things[row["thing"]], **row})
    return rows


def _wants_json(request: Request, fmt: str | None) -> bool:
    if fmt is not None:
        return fmt == "json"
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


@router.get("/search", summary="Search everything by name, alias or printed text",
            response_model=None)
async def search_route(
    request: Request,
    q: str = Query("", description=f"what to look for (at most {MAX_QUERY} characters)",
                   openapi_examples=examples("D50", "NMC", "Uppsala", "pouch")),
    limit: int = Query(50, ge=1, le=200, description="at most this many things",
                       openapi_examples=examples(8)),
    format: str | None = Query(None, pattern="^(json|html)$",
                               description="json or html (default: by Accept)",
                               openapi_examples=examples("json", "html")),
) -> Response:
    """Techniques (with abbreviations), partners (short and legal names), facilities,
    instruments and beamlines, cells, materials, observables and Tier 1 experiments whose
    names or printed texts match `q`, grouped by kind, best first, each with why it matched."""
    if len(q) > MAX_QUERY:
        raise HTTPException(400, f"the search text is {len(q)} characters long; "
                                 f"at most {MAX_QUERY} are looked for")
    rows = await asyncio.to_thread(index_rows, store_for(request))
    hits = search(rows, q, limit)
    if _wants_json(request, format):
        return JSONResponse({"query": q, "count": len(hits),
                             "groups": [{**g, "hits": [asdict(h) for h in g["hits"]]}
                                        for g in grouped(hits)]})
    return TEMPLATES.TemplateResponse(request, "search.html", {
        "title": f"Search: {q}" if q else "Search", "query": q, "groups": grouped(hits),
        "count": len(hits)})

