"""What a SPARQL query text holds, read by a tokenizer before the query goes anywhere near the
engine: SERVICE calls, update forms, a FROM dataset, and how deep and long it nests.

The tokenizer skips what can never be a keyword — comments, strings (short and long, with
escapes), IRIs (`<…>` without spaces, quotes or braces, as SPARQL's IRIREF), variables and
prefixed names (with the `\\'`-style escapes their local parts may hold) — so `?service` is a
variable and `"SERVICE"` a string. Oxigraph's parser matches keywords without a word boundary
(`SERVICEex:x{…}` is SERVICE `ex:x` `{…}`), so a word whose prefix part (before any `:`) holds
"service" counts as a SERVICE call: a prefix named `myservice:` is refused too, and the reply
says why.

Nesting and long chains are bounded because pyoxigraph recurses over the query: a FILTER with
5,000 nested parentheses, or 3,000 BINDs or 10,000 `+` in a row, overflow its stack and kill the
process (measured on pyoxigraph 0.5.13).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

#: nesting of ( { [ a query may have; real queries stay far below (2,000 parses, 5,000 crashes)
MAX_DEPTH = 64
#: operators and group keywords that chain (+ || UNION OPTIONAL BIND …; 3,000 BINDs crash)
MAX_CHAIN = 1000
UPDATE_FORMS = {"insert", "delete", "load", "clear", "drop", "create", "add", "move", "copy",
                "with"}
PROLOGUE = {"prefix", "base"}
CHAIN_WORDS = {"union", "optional", "minus", "bind", "filter", "service", "graph", "values",
               "exists", "in"}
_TOKEN = re.compile(r"""
    (?P<skip> \#[^\r\n]*                                   # comment
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"                # long strings
      | '''(?:[^'\\]|\\.|'(?!''))*'''
      | "(?:[^"\\\r\n]|\\.)*"                              # strings
      | '(?:[^'\\\r\n]|\\.)*'
      | <[^<>"{}|^`\\\x00-\x20]*>                          # IRIs
      | [?$][\w\u00B7-\uFFFF]+ )                           # variables
    | (?P<word> (?:[\w\-.:\u00B7-\uFFFF] | %[0-9A-Fa-f]{2}
                 | \\[_~.\-!$&'()*+,;=/?\#@%])+ )          # keywords, prefixed names, numbers
    | (?P<open> [({[] ) | (?P<close> [)}\]] )
    | (?P<operator> \|\| | && | != | <= | >= | [-+*/|^=<>!] )
    """, re.VERBOSE)


@dataclass(frozen=True)
class Scan:
    service: bool      # a SERVICE call (to another endpoint)
    update: bool       # an update form (INSERT, DELETE, LOAD, CLEAR, DROP, …)
    has_dataset: bool  # FROM or FROM NAMED: the query names its own dataset
    depth: int         # deepest nesting of ( { [
    chain: int         # operators and group keywords that chain


def scan(query: str) -> Scan:
    """Read the query's tokens (see the module docstring)."""
    service = update = has_dataset = False
    depth = deepest = chain = 0
    first = True  # the first keyword after the prologue says which form it is
    for token in _TOKEN.finditer(query):
        kind = token.lastgroup
        if kind == "word":
            word = token.group().lower()
            head = word.split(":", 1)[0]
            if "service" in head:
                service = True
            if word in CHAIN_WORDS:
                chain += 1
            if word.startswith("from") and ":" not in word:
                has_dataset = True
            if first and word not in PROLOGUE and ":" not in word:
                update = word in UPDATE_FORMS
                first = False
        elif kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth -= 1
        elif kind == "operator":
            chain += 1
    return Scan(service, update, has_dataset, deepest, chain)


def pattern_start(query: str) -> int:
    """Where the query's WHERE group begins: the offset just after its `{` (for a VALUES block
    that binds parameters where a server has no substitutions). ValueError when there is none."""
    depth, seen_form, template_seen = 0, None, False
    for token in _TOKEN.finditer(query):
        kind = token.lastgroup
        if kind == "word" and depth == 0:
            word = token.group().lower()
            if word in {"select", "ask", "construct", "describe"} and seen_form is None:
                seen_form = word
            elif word == "where":
                seen_form = "where"  # the next top-level group is the pattern
        elif kind == "open":
            if depth == 0 and token.group() == "{" and seen_form:
                if seen_form == "construct" and not template_seen:  # the template
                    template_seen = True
                else:
                    return token.end()
            depth += 1
        elif kind == "close":
            depth -= 1
    raise ValueError("the query has no WHERE group to bind parameters in")


def with_values(query: str, variables: list[str], rows: list[tuple]) -> str:
    """The query with a VALUES table at the start of its WHERE group, each term written by
    pyoxigraph (N-Triples syntax, which SPARQL reads): how a list of terms is bound in one
    query, and how a server without substitutions gets its parameters. Blank nodes cannot
    be VALUES (ValueError)."""
    for row in rows:
        if any(isinstance(term, ox.BlankNode) for term in row):
            raise ValueError("a blank node cannot be bound in a VALUES table")
    names = " ".join(f"?{v}" for v in variables)
    table = " ".join(f"({' '.join(map(str, row))})" for row in rows)
    start = pattern_start(query)
    return f"{query[:start]} VALUES ({names}) {{ {table} }} {query[start:]}"


def query_form(query: str) -> str:
    """The query's form: "select", "ask", "construct" or "describe" (the first keyword after
    the prologue; "" when there is none), to ask a server for the matching media types."""
    for token in _TOKEN.finditer(query):
        if token.lastgroup == "word":
            word = token.group().lower()
            if word in {"select", "ask", "construct", "describe"}:
                return word
            if word not in PROLOGUE and ":" not in word:
                return ""
    return ""


def selects_distinct(query: str) -> bool:
    """Whether the query's own SELECT (not a sub-select's) is SELECT DISTINCT or REDUCED."""
    words = (t.group().lower() for t in _TOKEN.finditer(query) if t.lastgroup == "word")
    for word in words:
        if word == "select":
            return next(words, "") in {"distinct", "reduced"}
        if word not in PROLOGUE and ":" not in word:
            return False
    return False


def update_operations(update: str) -> int:
    """How many operations a SPARQL Update request holds (`;`-separated at the top level,
    outside strings, IRIs and comments; an empty trailing operation does not count)."""
    operations, depth, words = 0, 0, False
    position = 0
    for token in _TOKEN.finditer(update):
        gap = update[position:token.start()]
        position = token.end()
        if depth == 0 and ";" in gap:
            operations += words
            words = False
        kind = token.lastgroup
        if kind == "word":
            words = True
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
    if depth == 0 and ";" in update[position:]:
        operations += words
        words = False
    return operations + words
