"""The sections of an entity page, per kind: what a scientist looks for on a technique,
facility, partner … page, each a view (src/bigmap_kg/sparql/entity-*.rq, ?entity bound) shown
as a table of labelled links, with the place in D5.1 its facts come from."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pyoxigraph as ox

from ...queryfile import view
from ...results import rows_as_dicts, run
from .quantities import quantity_text
from .shared import page_of


@dataclass(frozen=True)
class Column:
    """A table column: its heading and the view variable it shows (an IRI when the view also
    has `<key>Label`, which is then the link text)."""

    heading: str
    key: str


@dataclass(frozen=True)
class Section:
    """One fact group of a page: heading, view, columns; `grouped` merges the rows with the
    same first column (their other cells become lists); `source` names the place in D5.1 when
    the rows carry none (?source)."""

    heading: str
    view: str
    columns: tuple[Column, ...]
    grouped: bool = True
    source: str = ""
    prepare: Callable[[dict], dict] | None = None
    anchor: str = ""


def _quantity(row: dict) -> dict:
    return {**row, "value": quantity_text(row["min"], row["max"], row["unit"],
                                          row["approximate"] == "true")}


def _months(row: dict) -> dict:
    start, end = row["start"], row["end"]
    span = f"M{start}–M{end}" if start and end and start != end else \
        f"M{start or end}" if start or end else ""
    return {**row, "months": span or row["time"] or ""}


C = Column
MEASURES = Section("What it measures (quality marks H / M / L as printed)", "entity-measures",
                   (C("Observable", "observable"), C("Mark", "mark"), C("Matrix row", "entry")),
                   grouped=False, anchor="measures")


def _marked_entry(row: dict) -> dict:
    """The matrix row's name with the mark it prints for the observable."""
    mark = f" — {row['mark']}" if row.get("mark") else ""
    return {**row, "entryLabel": f"{row['entryLabel']}{mark}"}


#: a technique page: one line per observable, the matrix rows (its own and its variants')
#: that measure it, each with its mark
MEASURES_BY_OBSERVABLE = Section(
    "What it measures (quality marks H / M / L as printed)", "entity-measures",
    (C("Observable", "observable"), C("Matrix rows (with the mark each prints)", "entry")),
    prepare=_marked_entry, anchor="measures")
OFFERS = Section("Who offers it, where, with which instrument or cell", "entity-offers",
                 (C("Partner", "partner"), C("Instrument or beamline", "instrument"),
                  C("Facility", "facility"), C("Cell", "cell"), C("As printed", "printed"),
                  C("Matrix row", "entry")), grouped=False, anchor="offers")
QUANTITIES = Section("Probed area, depth and resolution", "entity-quantities",
                     (C("Matrix row", "entry"), C("Quantity", "quantity"),
                      C("As printed", "printed"), C("Value", "value"),
                      C("Condition", "condition")),
                     grouped=False, prepare=_quantity, anchor="quantities")
REFERENCES = Section("References", "entity-references",
                     (C("Reference", "reference"), C("Citation", "citation"),
                      C("Cited in", "entry")), anchor="references")
EXPERIMENTS = Section("Tier 1 experiments", "entity-experiments",
                      (C("Experiment", "experiment"), C("Partners", "partners"),
                       C("Techniques", "technique"), C("Material", "material"),
                       C("Months", "months")), prepare=_months, anchor="experiments")
OFFERED_IN = Section("Techniques it is offered for in the matrix", "entity-offered-in",
                     (C("Technique", "technique"), C("Matrix row", "entry"),
                      C("Partner", "partner"), C("As printed", "printed")),
                     grouped=False, anchor="offered-in")

#: entity kind (IRI segment) → its sections, in page order
SECTIONS: dict[str, tuple[Section, ...]] = {
    "technique": (
        MEASURES_BY_OBSERVABLE,
        Section("Variants", "entity-variants",
                (C("Technique or matrix row", "thing"), C("Relation", "relation"),
                 C("Sample format", "format")), anchor="variants"),
        OFFERS, QUANTITIES, EXPERIMENTS, REFERENCES),
    "matrix-entry": (MEASURES, OFFERS, QUANTITIES, REFERENCES),
    "facility": (
        Section("Beamlines and instruments, with their techniques", "entity-instruments",
                (C("Beamline or instrument", "instrument"), C("Techniques", "technique"),
                 C("Operated by", "operator")), anchor="instruments"),
        EXPERIMENTS),
    "instrument": (
        OFFERED_IN,
        Section("Cells optimised for it", "entity-cells",
                (C("Cell", "cell"), C("Techniques", "technique"), C("Held by", "holder")),
                anchor="cells")),
    "cell": (OFFERED_IN,),
    "partner": (
        Section("Techniques it offers", "entity-partner-offers",
                (C("Technique", "technique"), C("Instrument or beamline", "instrument"),
                 C("Cell", "cell"), C("Matrix row", "entry")), anchor="techniques"),
        Section("Instruments and beamlines", "entity-instruments",
                (C("Instrument or beamline", "instrument"), C("Techniques", "technique"),
                 C("Facility", "facility")), anchor="instruments"),
        Section("Cells it holds", "entity-cells",
                (C("Cell", "cell"), C("Techniques", "technique")), anchor="cells"),
        Section("People", "entity-people", (C("Name", "person"),),
                source="Figure 3; Section 2.2", anchor="people"),
        EXPERIMENTS),
    "material": (EXPERIMENTS,),
    "period": (EXPERIMENTS,),
    "theme": (EXPERIMENTS,),
    "observable": (
        Section("Techniques that measure it (or a narrower concept), with the marks",
                "entity-measured-by",
                (C("Technique", "technique"), C("Matrix rows (with the mark each prints)",
                                                "entry")),
                prepare=_marked_entry, anchor="measured-by"),
        EXPERIMENTS),
}


def sections(store: ox.Store, kind: str, iri: str) -> list[dict]:
    """The filled sections of an entity of `kind` (the empty ones left out)."""
    found = []
    for section in SECTIONS.get(kind, ()):
        rows = rows_as_dicts(run(store, view(section.view), prefixes=False,
                                 bindings={"entity": ox.NamedNode(iri)}))
        if section.prepare:
            rows = [section.prepare(r) for r in rows]
        if rows:
            found.append({"heading": section.heading, "anchor": section.anchor,
                          "columns": [c.heading for c in section.columns],
                          "rows": table(section, rows),
                          "source": sources([r.get("source") for r in rows]) or section.source})
    return found


def cell(row: dict, key: str) -> dict | None:
    """One value of a row: {text, href} (a link when the view labels it), None when empty."""
    value = row.get(key)
    if not value:
        return None
    label = row.get(key + "Label")
    if label:
        return {"text": label, "href": page_of(value) if value.startswith("http") else None}
    return {"text": value, "href": None}


def table(section: Section, rows: list[dict]) -> list[list[list[dict]]]:
    """Rows of cells, each cell a list of values; grouped by the first column if asked."""
    merged: dict[object, list[list[dict]]] = {}
    for n, row in enumerate(rows):
        key = row.get(section.columns[0].key) if section.grouped else n
        cells = merged.setdefault(key, [[] for _ in section.columns])
        for values, column in zip(cells, section.columns, strict=True):
            value = cell(row, column.key)
            if value and value not in values:
                values.append(value)
    return list(merged.values())


ROW = re.compile(r"^(?P<place>.*?),? rows? (?P<row>\d+)(?P<rest>.*)$")


def sources(places: list[str | None]) -> str:
    """D5.1 places, rows of one table merged: 'Table 3, rows 1, 9; Section 3.1'."""
    tables: dict[tuple[str, str], list[int]] = {}
    for place in dict.fromkeys(p for p in places if p):
        match = ROW.match(place)
        key = (match["place"], match["rest"]) if match else (place, "")
        rows = tables.setdefault(key, [])
        if match:
            rows.append(int(match["row"]))
    parts = []
    for (place, rest), rows in tables.items():
        numbers = ", ".join(str(n) for n in sorted(set(rows)))
        parts.append(f"{place}, row{'s' if len(set(rows)) > 1 else ''} {numbers}{rest}"
                     if rows else place)
    return "; ".join(parts)
