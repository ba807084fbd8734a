"""Virtuoso's answers normalised to what the embedded store gives, once for every caller."""

from __future__ import annotations

import json

import pyoxigraph as ox

from ..querytext import selects_distinct
from ..variablekinds import VariableKinds, variable_kinds

_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {_XSD + t for t in ("double", "float", "decimal")}
_BOOLEAN, _INTEGER = ox.NamedNode(_XSD + "boolean"), ox.NamedNode(_XSD + "integer")
_TRUTH = {"1": "true", "0": "false", "true": "true", "false": "false"}


def normal_term(term, boolean: bool = False):
    """A term as the embedded store writes it, from Virtuoso, which writes it otherwise:
    doubles, floats and decimals in the embedded store's canonical forms (positional, no
    trailing zeros: Virtuoso writes the double 2 as `2.0`, Oxigraph as `2`); a stored boolean
    as `true` / `false` (Virtuoso: `"1"^^xsd:boolean`); an integer of 2^31 or more as
    xsd:integer (Virtuoso keeps it as a decimal: an integral decimal that large is read as the
    integer it most likely was); with `boolean` (a variable the query binds to a computed
    boolean, `variablekinds.variable_kinds`), the integers 1 / 0 as true / false. Language tags
    need nothing: both engines lower-case them."""
    if not isinstance(term, ox.Literal):
        return term
    datatype = term.datatype.value
    if datatype == _XSD + "boolean" or (boolean and datatype == _XSD + "integer"):
        truth = _TRUTH.get(term.value)
        return ox.Literal(truth, datatype=_BOOLEAN) if truth else term
    if datatype in _NUMERIC:
        written = _positional(term.value)
        if datatype == _XSD + "decimal" and written.isdigit() and int(written) >= 2**31:
            return ox.Literal(written, datatype=_INTEGER)
        return ox.Literal(written, datatype=term.datatype)
    return term


def _positional(text: str) -> str:
    """A number as Oxigraph writes doubles and decimals (`2`, `0.1`, `0.00001`, `1.5`)."""
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(repr(float(text))) if "e" in text.lower() else Decimal(text)
    except (InvalidOperation, ValueError):
        return text
    if not number.is_finite():
        return text
    written = format(number, "f")
    return written.rstrip("0").rstrip(".") if "." in written else written


def virtuoso_solutions(solutions: ox.QuerySolutions, query: str, ask: bool,
                        bound: dict | None = None):
    """Virtuoso's answers as the embedded store's: an ASK's one-row `__ASK_RETVAL` table as a
    boolean, each value through `normal_term`, a concatenation of nothing ("" there) unbound
    as Oxigraph leaves it (which variables hold computed booleans and concatenations is read
    from the query, and only when a 1, 0 or "" is in the answer), and the rows of a SELECT
    DISTINCT without the duplicates Virtuoso leaves where a value is unbound. A variable the
    caller bound (`bound`, substitutions) holds the term it was bound to: Virtuoso writes a
    bound boolean back as the integer 1 or 0."""
    variables = list(solutions.variables)
    rows = list(solutions)
    if ask and [v.value for v in variables] == ["__ASK_RETVAL"]:
        truth = bool(rows) and rows[0][0] is not None and rows[0][0].value not in ("0", "false")
        return ox.parse_query_results(
            b'{"head":{},"boolean":%s}' % (b"true" if truth else b"false"),
            format=ox.QueryResultsFormat.JSON)
    kinds = variable_kinds(query) if any(
        isinstance(t, ox.Literal) and t.value in ("0", "1", "") for row in rows for t in row
    ) else VariableKinds()
    bound = bound or {}
    values = [tuple(bound[v] if v in bound and row[v] is not None else
                    normal_term(row[v], v.value in kinds.booleans)
                    if not (v.value in kinds.concatenations and _empty(row[v])) else None
                    for v in variables) for row in rows]
    if selects_distinct(query):  # Virtuoso keeps duplicates that differ only by unbound values
        values = list(dict.fromkeys(values))
    return _solutions(variables, values)


def virtuoso_blank_nodes(content: bytes) -> bytes:
    """Virtuoso writes a blank node in JSON results as `nodeID://b123`, which is no blank node
    label (pyoxigraph refuses the whole answer): as `b123`, the label its N-Triples use."""
    if b"nodeID://" not in content:
        return content
    document = json.loads(content)
    for row in document.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "bnode":
                term["value"] = term["value"].removeprefix("nodeID://")
    return json.dumps(document).encode()


def _empty(term) -> bool:
    return isinstance(term, ox.Literal) and term.value == "" and not term.language


def _solutions(variables: list[ox.Variable], rows: list) -> ox.QuerySolutions:
    """pyoxigraph solutions made from values (through the JSON results format: pyoxigraph
    builds QuerySolutions only by parsing)."""
    def binding(term) -> dict:
        if isinstance(term, ox.NamedNode):
            return {"type": "uri", "value": term.value}
        if isinstance(term, ox.BlankNode):
            return {"type": "bnode", "value": term.value}
        found = {"type": "literal", "value": term.value}
        if term.language:
            found["xml:lang"] = term.language
        elif term.datatype.value != _XSD + "string":
            found["datatype"] = term.datatype.value
        return found

    document = {"head": {"vars": [v.value for v in variables]},
                "results": {"bindings": [
                    {v.value: binding(t) for v, t in zip(variables, row, strict=True)
                     if t is not None} for row in rows]}}
    return ox.parse_query_results(json.dumps(document).encode(),
                                  format=ox.QueryResultsFormat.JSON)
