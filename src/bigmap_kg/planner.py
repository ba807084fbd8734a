"""The experiment planner: smallest sets of matrix entries that cover a study's observables.

Exact on the D5.1 graph (55 entries): every combination of candidate entries up to `max_size`
is examined with bit masks; the covers of minimum size are ranked by fewest techniques, most
partners able to cross-check, most techniques on one shared cell, best time resolution. When no
set covers everything, the best covers of what can be covered are returned with the rest listed
as uncovered, each with the rows that measure it and the constraints that exclude them.

Offers are kept one by one: with a facility-type constraint, a step lists only the partners and
instruments at such a facility (a partner's laboratory diffractometer is not a neutron offer);
with a partner constraint, only those partners' instruments and cells.
"""

from __future__ import annotations

import difflib
import math
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from itertools import combinations

import pyoxigraph as ox

from .namespaces import BMO, PREFIXES, iri_of, to_iri
from .queryfile import view
from .results import run

CATEGORIES = {"commercial": str(BMO.Commercial), "realistic": str(BMO.Realistic),
              "model": str(BMO.Model)}
FACILITY_TYPES = {"laboratory": str(BMO.LaboratoryFacility), "lab": str(BMO.LaboratoryFacility),
                  "neutron": str(BMO.NeutronFacility),
                  "synchrotron": str(BMO.SynchrotronFacility)}


class PlanError(ValueError):
    """A request the planner cannot read: unknown observable, material, partner ..."""

    def __init__(self, message: str, close_matches: list[str] | None = None) -> None:
        super().__init__(message)
        self.close_matches = close_matches or []


@dataclass(frozen=True)
class Constraints:
    operando_only: bool = False
    categories: tuple[str, ...] = ()
    facility_types: tuple[str, ...] = ()
    partners: tuple[str, ...] = ()
    material: str | None = None
    max_size: int = 4
    limit: int = 10


@dataclass
class Candidate:
    entry: str
    technique: str
    category: str | None = None
    covers: set[str] = field(default_factory=set)
    partners: set[str] = field(default_factory=set)
    facility_types: set[str] = field(default_factory=set)
    instruments: set[str] = field(default_factory=set)
    cells: set[str] = field(default_factory=set)
    time: float | None = None


@dataclass
class Plan:
    entries: list[str]
    techniques: list[str]
    #: entry → the required observables it covers (itself or through a narrower concept)
    covers: dict[str, list[str]]
    partners: dict[str, list[str]]
    instruments: dict[str, list[str]]
    cells: dict[str, list[str]]
    shared_cells: list[str]
    cross_check_partners: int
    best_time_resolution_s: float | None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Uncovered:
    """Why an observable is left: the rows that measure it at all, and each constraint which,
    dropped alone, would let one of them cover it (none: D5.1 has no row for it)."""

    observable: str
    measured_by: list[str]
    relax: list[str]


@dataclass
class PlanResult:
    required: list[str]
    covered: list[str]
    uncovered: list[str]
    plans: list[Plan]
    candidates: int
    exact: bool = True
    why_uncovered: list[Uncovered] = field(default_factory=list)
    #: IRI → label of every entry, technique, observable, partner, instrument and cell named
    labels: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {**asdict(self), "plans": [p.as_dict() for p in self.plans]}


def _rows(store: ox.Store, query: str, bindings: dict | None = None):
    return run(store, query, prefixes=False, bindings=bindings)


def _resolve(store: ox.Store, values: tuple[str, ...] | list[str], prefix: str, cls: str,
             what: str) -> list[str]:
    """Slugs / CURIEs / IRIs to IRIs of instances of `cls`; unknown ones raise PlanError."""
    known = {r["s"].value for r in _rows(store, view("instances"),
                                         {"class": ox.NamedNode(iri_of(cls))})}
    resolved = []
    for value in values:
        iri = to_iri(value, prefix)
        if iri not in known:
            slugs = [k[len(PREFIXES[prefix]):] for k in known if k.startswith(PREFIXES[prefix])]
            raise PlanError(f"unknown {what} {value!r}",
                            difflib.get_close_matches(value.rsplit("/", 1)[-1], slugs, n=5,
                                                      cutoff=0.5))
        resolved.append(iri)
    return resolved


def _offers(store: ox.Store) -> dict[str, list[dict]]:
    """entry → its offers: {partner, instrument, facilityType, cell} (IRIs or None)."""
    offers: dict[str, list[dict]] = defaultdict(list)
    for row in _rows(store, view("plan-offers")):
        offers[row["entry"].value].append({k: row[k].value if row[k] is not None else None
                                           for k in ("partner", "instrument", "facilityType",
                                                     "cell")})
    return offers


def _candidates(store: ox.Store, required: list[str], constraints: Constraints,
                allowed_techniques: set[str] | None) -> list[Candidate]:
    found: dict[str, Candidate] = {}
    for row in _rows(store, view("plan-candidates"),
                     {"required": [ox.NamedNode(r) for r in required]}):
        entry = row["entry"].value
        candidate = found.setdefault(entry, Candidate(entry, row["technique"].value))
        candidate.covers.add(row["required"].value)
        if row["category"] is not None:
            candidate.category = row["category"].value
        if row["bestTime"] is not None:
            candidate.time = float(row["bestTime"].value)
    categories = {CATEGORIES[c] for c in constraints.categories}
    if constraints.operando_only:
        operando = {CATEGORIES["commercial"], CATEGORIES["realistic"]}
        categories = (categories & operando) if categories else operando
    facility_types = {FACILITY_TYPES[f] for f in constraints.facility_types}
    partners = set(constraints.partners)
    offers = _offers(store)
    kept = []
    for candidate in found.values():
        if categories and candidate.category not in categories:
            continue
        if allowed_techniques is not None and candidate.technique not in allowed_techniques:
            continue
        for offer in offers.get(candidate.entry, ()):
            if partners and offer["partner"] not in partners:
                continue
            if offer["instrument"] is not None:
                if facility_types and offer["facilityType"] not in facility_types:
                    continue
                candidate.instruments.add(offer["instrument"])
                candidate.facility_types.add(offer["facilityType"])
            else:
                candidate.cells.add(offer["cell"])
                if facility_types:  # a cell is brought to the facility: not an offer of it
                    continue
            candidate.partners.add(offer["partner"])
        if facility_types and not candidate.instruments:
            continue
        if partners and not candidate.partners:
            continue
        kept.append(candidate)
    return sorted(kept, key=lambda c: c.entry)


def _material_techniques(store: ox.Store, material: str) -> set[str]:
    return {r["t"].value for r in _rows(store, view("material-techniques"),
                                        {"material": ox.NamedNode(material)})}


def _cells_by_technique(store: ox.Store) -> dict[str, set[str]]:
    cells: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, view("cells-by-technique")):
        cells[row["t"].value].add(row["c"].value)
    return cells


def _plan(chosen: tuple[Candidate, ...], cells_by_technique: dict[str, set[str]]) -> Plan:
    techniques = sorted({c.technique for c in chosen})
    counts: dict[str, int] = defaultdict(int)
    for technique in techniques:
        for cell in cells_by_technique.get(technique, ()):
            counts[cell] += 1
    most = max(counts.values(), default=0)
    shared = sorted(c for c, n in counts.items() if n == most and n >= 2)
    times = [c.time for c in chosen if c.time is not None]
    return Plan(entries=[c.entry for c in chosen], techniques=techniques,
                covers={c.entry: sorted(c.covers) for c in chosen},
                partners={c.entry: sorted(c.partners) for c in chosen},
                instruments={c.entry: sorted(c.instruments) for c in chosen},
                cells={c.entry: sorted(c.cells) for c in chosen}, shared_cells=shared,
                cross_check_partners=sum(max(len(c.partners) - 1, 0) for c in chosen),
                best_time_resolution_s=min(times) if times else None)


def _rank(plan: Plan) -> tuple:
    """Fewest techniques, most partners able to cross-check, a shared cell, best time."""
    return (len(plan.techniques), -plan.cross_check_partners, -len(plan.shared_cells),
            plan.best_time_resolution_s if plan.best_time_resolution_s is not None else math.inf,
            plan.entries)


def plan(store: ox.Store, observables: list[str], constraints: Constraints) -> PlanResult:
    """The ranked smallest covers of `observables` under `constraints`."""
    if not observables:
        raise PlanError("give at least one observable")
    required = _resolve(store, observables, "obs", "bmo:Observable", "observable")
    constraints = Constraints(**{**asdict(constraints), "partners": tuple(
        _resolve(store, constraints.partners, "partner", "bmo:Partner", "partner"))})
    for category in constraints.categories:
        if category not in CATEGORIES:
            raise PlanError(f"unknown category {category!r}", list(CATEGORIES))
    for facility in constraints.facility_types:
        if facility not in FACILITY_TYPES:
            raise PlanError(f"unknown facility type {facility!r}", list(FACILITY_TYPES))
    allowed = None
    if constraints.material:
        material = _resolve(store, [constraints.material], "mat", "bmo:Material", "material")[0]
        allowed = _material_techniques(store, material)
    candidates = _candidates(store, required, constraints, allowed)
    index = {observable: 1 << i for i, observable in enumerate(required)}
    masks = [sum(index[o] for o in c.covers) for c in candidates]
    reachable = 0
    for mask in masks:
        reachable |= mask
    covered = [o for o in required if reachable & index[o]]
    cells_by_technique = _cells_by_technique(store)
    plans: list[Plan] = []
    for size in range(1, constraints.max_size + 1):
        for chosen in combinations(range(len(candidates)), size):
            union = 0
            for i in chosen:
                union |= masks[i]
            if union == reachable and reachable:
                plans.append(_plan(tuple(candidates[i] for i in chosen), cells_by_technique))
        if plans:
            break
    plans.sort(key=_rank)
    uncovered = [o for o in required if o not in covered]
    return PlanResult(required=required, covered=covered, uncovered=uncovered,
                      plans=plans[:constraints.limit], candidates=len(candidates),
                      exact=bool(plans) or not reachable,
                      why_uncovered=[_why_uncovered(store, o, constraints, allowed)
                                     for o in uncovered],
                      labels=_labels(store))


#: the constraints a reader can drop, and the Constraints fields that drop them
RELAXABLE = {"operando only": {"operando_only": False}, "sample format": {"categories": ()},
             "facility type": {"facility_types": ()}, "partners": {"partners": ()},
             "material": {"material": None}}


def _why_uncovered(store: ox.Store, observable: str, constraints: Constraints,
                   allowed: set[str] | None) -> Uncovered:
    """The rows measuring `observable` under no constraint, and which constraints, dropped
    alone, would leave one of them."""
    free = Constraints(max_size=constraints.max_size, limit=constraints.limit)
    measured_by = [c.entry for c in _candidates(store, [observable], free, None)]
    relax = []
    for name, dropped in RELAXABLE.items():
        relaxed = Constraints(**{**asdict(constraints), **dropped})
        if relaxed == constraints:
            continue
        if _candidates(store, [observable], relaxed,
                       None if name == "material" else allowed):
            relax.append(name)
    return Uncovered(observable, measured_by, relax)


def _labels(store: ox.Store) -> dict[str, str]:
    """Labels of the things a plan names (entries, techniques, observables, partners,
    instruments, cells)."""
    return {r["thing"].value: r["label"].value for r in _rows(store, view("plan-labels"))}
