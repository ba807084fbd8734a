"""Forward-chaining of the declarative rules in rules/*.rq (SPARQL CONSTRUCT), to a fixpoint.

Each rule file is a CONSTRUCT query with a `# title:` comment; the project prefixes are added
in front. The rules are data, not code: curators read and change them as files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from . import paths
from .namespaces import GRAPH_INFERRED, sparql_prologue
from .queryfile import QueryFile, QueryFileError


@dataclass(frozen=True)
class RuleResult:
    """How many new triples each rule contributed."""

    counts: dict[str, int]
    rounds: int

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def rule_files(directory: Path | None = None) -> list[QueryFile]:
    """Load and syntax-check every rule; a rule that does not parse names its file and line."""
    rules = [QueryFile.read(p) for p in sorted((directory or paths.RULES_DIR).glob("*.rq"))]
    for rule in rules:
        if rule.form != "CONSTRUCT":
            raise QueryFileError(rule.path, None,
                                 f"a rule must be a CONSTRUCT query, not {rule.form}")
        rule.check_syntax()
    return rules


def apply_rules(store: ox.Store, rules: list[QueryFile], max_rounds: int = 10) -> RuleResult:
    """Run the rules over all graphs of `store`, adding new triples to the inferred graph."""
    inferred = ox.NamedNode(GRAPH_INFERRED)
    counts = {rule.name: 0 for rule in rules}
    for round_number in range(1, max_rounds + 1):
        added = 0
        for rule in rules:
            produced = store.query(sparql_prologue() + rule.text, use_default_graph_as_union=True)
            new = [ox.Quad(t.subject, t.predicate, t.object, inferred) for t in produced
                   if not any(True for _ in store.quads_for_pattern(t.subject, t.predicate,
                                                                    t.object, None))]
            store.extend(new)
            counts[rule.name] += len(new)
            added += len(new)
        if not added:
            return RuleResult(counts, round_number)
    raise RuntimeError(f"rules did not reach a fixpoint in {max_rounds} rounds")
