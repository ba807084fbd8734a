"""Which variables of a SPARQL query hold computed booleans or GROUP_CONCAT concatenations.

Engines differ in these values, and the answer alone cannot tell: Virtuoso 7.2 has no boolean
type in its SQL engine (a computed boolean comes back as the integer 1 or 0), and it joins
nothing into "" where Oxigraph leaves a GROUP_CONCAT unbound. The query says which variable
is which, so the remote store's result reader asks here (rdflib's SPARQL parser and algebra).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from rdflib import XSD, Literal, Variable
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.parserutils import CompValue

#: expression forms whose value is always a boolean
BOOLEAN_FORMS = frozenset({
    "RelationalExpression", "ConditionalAndExpression", "ConditionalOrExpression", "UnaryNot",
    "Builtin_EXISTS", "Builtin_NOTEXISTS", "Builtin_BOUND", "Builtin_isIRI", "Builtin_isURI",
    "Builtin_isBLANK", "Builtin_isLITERAL", "Builtin_isNUMERIC", "Builtin_sameTerm",
    "Builtin_REGEX", "Builtin_CONTAINS", "Builtin_STRSTARTS", "Builtin_STRENDS",
    "Builtin_LANGMATCHES"})
#: aggregates whose value is one of the values aggregated
PASSING = frozenset({"Aggregate_Sample", "Aggregate_Min", "Aggregate_Max"})


@dataclass(frozen=True)
class VariableKinds:
    """The names of the variables a query binds to computed booleans and to concatenations."""
    booleans: frozenset[str] = frozenset()
    concatenations: frozenset[str] = frozenset()


@lru_cache(maxsize=256)
def variable_kinds(query: str) -> VariableKinds:
    """Booleans: an expression that is boolean by its form, an IF or COALESCE of such, a
    SAMPLE / MIN / MAX of a boolean variable; concatenations: a GROUP_CONCAT; each also a
    variable copied from one. Nothing when rdflib cannot parse the query."""
    try:
        algebra = translateQuery(parseQuery(query)).algebra
    except Exception:
        return VariableKinds()
    definitions = list(_definitions(algebra))
    booleans: set[str] = set()
    concatenations: set[str] = set()
    while True:
        found = {str(v) for v, expression in definitions if _is_boolean(expression, booleans)}
        joined = {str(v) for v, expression in definitions
                  if _is_concatenation(expression, concatenations)}
        if found <= booleans and joined <= concatenations:
            return VariableKinds(frozenset(booleans), frozenset(concatenations))
        booleans |= found
        concatenations |= joined


def _definitions(node) -> Iterator[tuple[Variable, object]]:
    """Every (variable, expression) a BIND, a projected expression or an aggregate sets."""
    if isinstance(node, CompValue):
        if node.name == "Extend":
            yield node["var"], node["expr"]
        elif node.name in PASSING:
            yield node["res"], node["vars"]
        elif node.name == "Aggregate_GroupConcat":
            yield node["res"], node
        for value in node.values():
            yield from _definitions(value)
    elif isinstance(node, list | tuple):
        for value in node:
            yield from _definitions(value)


def _is_concatenation(expression, concatenations: set[str]) -> bool:
    if isinstance(expression, Variable):
        return str(expression) in concatenations
    return isinstance(expression, CompValue) and expression.name == "Aggregate_GroupConcat"


def _is_boolean(expression, booleans: set[str]) -> bool:
    if isinstance(expression, Literal):
        return expression.datatype == XSD.boolean
    if isinstance(expression, Variable):
        return str(expression) in booleans
    if not isinstance(expression, CompValue):
        return False
    if expression.name in BOOLEAN_FORMS:
        return True
    if expression.name == "Builtin_IF":
        return all(_is_boolean(expression[arm], booleans) for arm in ("arg2", "arg3"))
    if expression.name == "Builtin_COALESCE":
        # a stored value beside a boolean constant (COALESCE(?flag, false)) counts as boolean
        arguments = expression["arg"]
        return any(_is_boolean(a, booleans) for a in arguments) and all(
            _is_boolean(a, booleans) or isinstance(a, Variable) for a in arguments)
    return False
