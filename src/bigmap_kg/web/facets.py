"""The facets of the pages as pure functions: the selection a query string makes (shared by the
matrix and the cell index), and for the matrix which rows a selection keeps, which of a row's
offers (partner × cell or instrument) it shows, and how many rows each facet option would give.

A selection maps a facet to the values chosen: OR within a facet, AND across facets. The row
facets (cluster, sample format, observable, operando, length scale, search) keep or drop a whole
row; the offer facets (partner, facility type, cell format) also narrow the row's offers:

- a cell offer satisfies them when its partner is chosen (if any) and one of its formats is;
- an instrument offer when its partner is chosen (if any) and its facility type is;
- a row is kept when each chosen offer facet is satisfied by one of its offers;
- with a cell format but no facility type chosen, the row shows its matching cells and the
  instruments of *their* partners (and the other way round): who offers it, with what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

ROW_FACETS = ("cluster", "category", "observable", "operando", "lengthscale", "q")
OFFER_FACETS = ("partner", "facility", "cellformat")
Selection = dict[str, list[str]]


def selection(params: QueryParams, names: Mapping[str, object] | set[str]) -> Selection:
    """The chosen values of the facets `names` (and the search text `q`, once) in a query
    string; a facet may repeat (OR within it)."""
    chosen: Selection = {}
    for name, value in params.multi_items():
        value = value.strip()
        if value and (name in names or name == "q") and value not in chosen.get(name, []):
            chosen.setdefault(name, []).append(value)
    if "q" in chosen:
        chosen["q"] = chosen["q"][:1]
    return chosen


def query(selected: Selection, **extra: str) -> str:
    """The query string of a selection (repeated names for several values)."""
    return urlencode([(k, v) for k, values in selected.items() for v in values]
                     + [(k, v) for k, v in extra.items() if v], doseq=True)


def without(selected: Selection, name: str) -> Selection:
    """The selection with one facet cleared."""
    return {k: v for k, v in selected.items() if k != name}


def slug(iri: str) -> str:
    """The last path (or fragment) segment of an IRI: the facet value that names it."""
    return iri.replace("#", "/").rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Offer:
    """One partner offering one cell or instrument for a matrix entry."""

    kind: str                      # "cell" or "instrument"
    partner: str                   # IRI
    thing: str                     # IRI of the cell or instrument
    label: str
    features: frozenset[str] = frozenset()  # cell formats / facility type, as facet values

    @property
    def partner_slug(self) -> str:
        return slug(self.partner)


def _row_check(name: str) -> Callable[[dict, str], bool]:
    return {
        "cluster": lambda row, v: slug(row["cluster"]) == v,
        "category": lambda row, v: (row["categoryLabel"] or "").lower() == v,
        "observable": lambda row, v: any(slug(c) == v for c in row["conceptSet"]),
        "operando": lambda row, v: (row["categoryLabel"] in ("commercial", "realistic"))
        == (v == "yes"),
        "lengthscale": lambda row, v: row["lengthScale"] == v,
        "q": lambda row, v: v.lower() in row["searchText"],
    }[name]


def row_passes(row: dict, name: str, values: list[str]) -> bool:
    """Whether one row facet keeps the row (any of its chosen values)."""
    check = _row_check(name)
    return any(check(row, v) for v in values)


def shown_offers(offers: Iterable[Offer], selected: Selection) -> list[Offer] | None:
    """The offers a selection shows for a row, or None when the offer facets drop the row."""
    partners, formats, facilities = (set(selected.get(f) or ())
                                     for f in ("partner", "cellformat", "facility"))
    cells, instruments = [], []
    for offer in offers:
        if partners and offer.partner_slug not in partners:
            continue
        if offer.kind == "cell" and (not formats or offer.features & formats):
            cells.append(offer)
        elif offer.kind == "instrument" and (not facilities or offer.features & facilities):
            instruments.append(offer)
    if (formats and not cells) or (facilities and not instruments) or \
            (partners and not cells + instruments):
        return None
    if formats and not facilities:
        instruments = [o for o in instruments if o.partner in {c.partner for c in cells}]
    if facilities and not formats:
        cells = [o for o in cells if o.partner in {i.partner for i in instruments}]
    return cells + instruments


def keep(row: dict, selected: Selection) -> list[Offer] | None:
    """The row's shown offers when the selection keeps the row, else None."""
    if not all(row_passes(row, name, values) for name, values in selected.items()
               if name in ROW_FACETS and values):
        return None
    return shown_offers(row["offers"], selected)


def counts(rows: list[dict], selected: Selection,
           options: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Facet → option → the number of rows kept if that option alone were chosen in its
    facet (the other facets as selected)."""
    row_facets = [n for n in ROW_FACETS if selected.get(n)]
    passes = [{n: row_passes(r, n, selected[n]) for n in row_facets} for r in rows]
    offers_ok = [shown_offers(r["offers"], selected) is not None for r in rows]
    found: dict[str, dict[str, int]] = {}
    for name, values in options.items():
        others = [all(ok for n, ok in p.items() if n != name) for p in passes]
        if name in OFFER_FACETS:
            found[name] = {v: sum(1 for r, o in zip(rows, others, strict=True) if o and
                                  shown_offers(r["offers"], {**selected, name: [v]}) is not None)
                           for v in values}
        else:
            check = _row_check(name)
            found[name] = {v: sum(1 for r, o, k in zip(rows, others, offers_ok, strict=True)
                                  if o and k and check(r, v)) for v in values}
    return found
