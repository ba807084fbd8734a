"""DL reasoning with owlready2 + HermiT: consistency, classification, inferred facts.

The ontology and data are handed to owlready2 as N-Triples; HermiT checks consistency
(an inconsistent graph raises ReasoningError with owlready2's explanation) and the facts it
infers (types and property values) come back as triples for the `inferred` graph.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import owlready2
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL


class ReasoningError(Exception):
    """The reasoner could not run, or found the graph inconsistent."""


@dataclass
class ReasoningResult:
    inferred: Graph
    seconds: float


def java_available() -> bool:
    return shutil.which("java") is not None


def reason(graph: Graph, *, timeout_note: str = "") -> ReasoningResult:
    """Run HermiT over `graph`; return the newly inferred named-individual facts."""
    if not java_available():
        raise ReasoningError("Java is not installed: the HermiT reasoner needs a JRE "
                             "(`make test` installs one with apt when it is missing)")
    started = time.perf_counter()
    world = owlready2.World()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.nt"
        closed = Graph()
        closed += graph
        closed.remove((None, OWL.imports, None))  # the caller hands over the whole closure
        closed.serialize(path, format="nt", encoding="utf-8")
        ontology = world.get_ontology(path.as_uri()).load(format="ntriples")
        before = set(world.as_rdflib_graph())
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, infer_property_values=True,
                                               debug=0, keep_tmp_file=False)
        except owlready2.OwlReadyInconsistentOntologyError as error:
            raise ReasoningError(f"the ontology and data are inconsistent: {error}"
                                 f"{timeout_note}") from None
        except owlready2.base.OwlReadyJavaError as error:
            raise ReasoningError(f"HermiT failed: {error}") from None
        after = set(world.as_rdflib_graph())
    inferred = Graph()
    for s, p, o in after - before:
        if isinstance(s, BNode) or isinstance(o, BNode) or o == OWL.Thing:
            continue
        if isinstance(s, URIRef) and isinstance(o, URIRef | Literal):
            inferred.add((s, p, o))
    return ReasoningResult(inferred=inferred, seconds=time.perf_counter() - started)
