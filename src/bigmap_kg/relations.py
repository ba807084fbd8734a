"""Relations between techniques (complementary, comparable, same cell) as plain records.

The relations themselves are inferred at build time by rules/relation-*.rq; this module only
reads them, for the API and the CLI.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pyoxigraph as ox

from .namespaces import curie, to_iri
from .queryfile import view
from .results import run

KINDS = {"Complementarity": "complementary", "Comparability": "comparable",
         "SameCellCombination": "same-cell"}


@dataclass(frozen=True)
class Relation:
    kind: str
    other: str | None
    other_label: str | None
    observable: str | None
    observable_label: str | None
    cell: str | None
    cell_label: str | None
    partners: list[str]
    reasons: list[str]
    explanation: str
    iri: str
    evidence: dict[str, str]

    def as_dict(self) -> dict:
        return asdict(self)


def relations(store: ox.Store, technique: str, entry: str | None = None) -> list[Relation]:
    """Relations of a technique (IRI); restricted to what `entry` measures when given."""
    bindings = {"technique": ox.NamedNode(technique)}
    if entry:
        bindings["entry"] = ox.NamedNode(entry)
    found = []
    for row in run(store, view("relations"), prefixes=False, bindings=bindings):
        text = _texts(row)
        found.append(Relation(
            kind=KINDS[row["kind"].value.rsplit("#", 1)[1]],
            other=text("other"), other_label=text("otherLabel"),
            observable=text("observable"), observable_label=text("observableLabel"),
            cell=text("cell"), cell_label=text("cellLabel"),
            partners=sorted((text("partners") or "").split()),
            reasons=sorted((text("reasons") or "").split()),
            explanation=text("explanation") or "", iri=row["relation"].value,
            evidence=_evidence(text("evidence"))))
    return found


def _evidence(lines: str | None) -> dict[str, str]:
    """Reason kind -> the printed values it rests on ("Kind\tvalues" lines of the view)."""
    pairs = (line.split("\t", 1) for line in (lines or "").splitlines() if "\t" in line)
    return dict(sorted(pairs))


def _texts(row: ox.QuerySolution):
    """Accessor for optional values of one solution (None when unbound)."""

    def text(name: str) -> str | None:
        return row[name].value if row[name] is not None else None

    return text


def technique_iri(name: str) -> str:
    """A technique given as slug, CURIE or IRI."""
    return to_iri(name, "tech")


def format_relation(relation: Relation) -> str:
    """One line for the CLI; a complementarity adds its sentence and printed evidence."""
    about = relation.observable_label or relation.cell_label or ""
    who = f" [{', '.join(relation.partners)}]" if relation.partners else ""
    other = relation.other_label or ""
    line = (f"{relation.kind:<13} {other:<45} {about:<32} "
            f"{', '.join(r for r in relation.reasons)}{who}")
    if relation.kind != "complementary":
        return line
    printed = "".join(f"\n    {kind}: {values}" for kind, values in relation.evidence.items())
    return f"{line}\n    {relation.explanation}{printed}"


__all__ = ["Relation", "curie", "format_relation", "relations", "technique_iri"]
