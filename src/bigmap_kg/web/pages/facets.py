"""The one facet engine of the pages (matrix, cell index, Tier 1 plan), as pure functions.

A selection maps a facet to the values chosen in the query string (the URL keeps the state):
OR within a facet (AND for the facets a page names in `every`, as the cell index's
techniques), AND across facets. A page says whether an item has one value of a facet (a
`check`); the engine says which items a selection keeps, what a click on an option would
select (`trial`) and how many items each option would give (`counted`).

The matrix adds offers (partner × cell or instrument): its row facets (cluster, sample format,
observable, operando, length scale, search) keep or drop a whole row; the offer facets
(partner, facility type, cell format) also narrow the row's offers:

- a cell offer satisfies them when its partner is chosen (if any) and one of its formats is;
- an instrument offer when its partner is chosen (if any) and its facility type is;
- a row is kept when each chosen offer facet is satisfied by one of its offers;
- with a cell format but no facility type chosen, the row shows its matching cells and the
  instruments of *their* partners (and the other way round): who offers it, with what.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

OFFER_FACETS = ("partner", "facility", "cellformat")
Selection = dict[str, list[str]]
#: whether an item has one value of a facet: check(item, facet, value)
Check = Callable[[Any, str, str], bool]
#: whether a selection keeps an item: keeps(item, selection)
Keeps = Callable[[Any, Selection], bool]


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


def passes(item: Any, selected: Selection, check: Check,
           every: Collection[str] = ()) -> bool:
    """Whether the selection keeps the item: one chosen value of each facet (every chosen
    value of the facets in `every`)."""
    return all((all if name in every else any)(check(item, name, v) for v in values)
               for name, values in selected.items() if values)


def trial(selected: Selection, name: str, value: str, every: Collection[str] = ()) -> Selection:
    """What an option counts: the selection with the value alone in its facet (added to the
    chosen ones for a facet in `every`)."""
    if name not in every:
        return {**selected, name: [value]}
    chosen = selected.get(name) or []
    return selected if value in chosen else {**selected, name: [*chosen, value]}


def counted(facets: list[dict], items: list, selected: Selection, check: Check,
            every: Collection[str] = (), keeps: Keeps | None = None,
            joint: Collection[str] = ()) -> list[dict]:
    """The facets ({name, label, options: [(value, text)]}) with each option's count appended:
    how many items its `trial` selection keeps. `keeps` says whether a selection keeps an item
    (by default: it `passes`); a value of a facet in `joint` is counted by `keeps`, as its
    values interact (the matrix's offer facets), any other by `check` alone."""
    keeps = keeps or (lambda item, chosen: passes(item, chosen, check, every))
    found = []
    for facet in facets:
        name = facet["name"]
        # a chosen value only narrows: what the rest of the selection drops stays dropped
        rest = selected if name in every else without(selected, name)
        base = [i for i in items if keeps(i, rest)]
        found.append({**facet, "options": [
            (value, text, sum(1 for i in base if (
                keeps(i, trial(selected, name, value, every)) if name in joint
                else check(i, name, value))))
            for value, text in facet["options"]]})
    return found


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


#: facet → whether a matrix row has one value of it
ROW_CHECKS: dict[str, Callable[[dict, str], bool]] = {
    "cluster": lambda row, v: slug(row["cluster"]) == v,
    "category": lambda row, v: (row["categoryLabel"] or "").lower() == v,
    "observable": lambda row, v: v in row["conceptSlugs"],
    "operando": lambda row, v: (row["categoryLabel"] in ("commercial", "realistic"))
    == (v == "yes"),
    "lengthscale": lambda row, v: row["lengthScale"] == v,
    "q": lambda row, v: v.lower() in row["searchText"],
}


def row_check(row: dict, name: str, value: str) -> bool:
    """Whether a matrix row has one value of a row facet."""
    return ROW_CHECKS[name](row, value)


def shown_offers(offers: Iterable[Offer], selected: Selection) -> list[Offer] | None:
    """The offers a selection shows for a row, or None when the offer facets drop the row."""
    partners, formats, facilities = (set(selected.get(f) or ())
                                     for f in ("partner", "cellformat", "facility"))
    if not (partners or formats or facilities):
        return list(offers)
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
    if not passes(row, {n: v for n, v in selected.items() if n in ROW_CHECKS}, row_check):
        return None
    return shown_offers(row["offers"], selected)


def row_kept(row: dict, selected: Selection) -> bool:
    """Whether the selection keeps the matrix row (`keeps` of the matrix's counts)."""
    return keep(row, selected) is not None
