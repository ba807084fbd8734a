"""What a record may say, checked before a batch is validated or written.

A record adds datasets and what produced them. Its subjects are the datasets, runs, samples,
agents and distributions it mints (or blank nodes); it points at D5.1 nodes but never describes
them; it never defines classes, properties or axioms (OWL, RDFS or SHACL terms, or a type of the
curated vocabulary such as bmo:Technique or bmo:Partner); and every IRI it names in the
project's namespaces exists (a typo such as `partner/esfr` is rejected with the closest IRI
that does). Each offence names the triple, and the file and line where it can be found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import lru_cache

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from ..namespaces import BASE, BMO, curie
from .records import Record

#: Kinds of node a record mints and may describe (the record node itself is the ingest's).
DESCRIBABLE = ("dataset", "run", "sample", "distribution", "agent")
#: The classes of our vocabulary a record's own nodes may have.
RECORD_CLASSES = {BMO.Dataset, BMO.MeasurementRun, BMO.Sample}
#: OWL / RDFS predicates that annotate rather than define.
ANNOTATIONS = {RDFS.label, RDFS.comment, RDFS.seeAlso, OWL.sameAs}
SCHEMA_NAMESPACES = (str(OWL), str(RDFS), str(SH))
#: characters an IRI may not hold (RFC 3987); rdflib keeps them, the store refuses them
BAD_IRI = re.compile(r'[\s<>"{}|^`\\]')
TYPE = RDF.type
#: Predicates only the ingest writes (the record node's own).
INGEST_ONLY = {BMO.describes, BMO.ingestNote, BMO.recordFormat, BMO.recordId}


@lru_cache(maxsize=1 << 16)  # the same D5.1 IRIs recur in every record
def kind_of(node: URIRef) -> str | None:
    """The path segment of an IRI of the project's namespace (`partner`, `dataset` …)."""
    text = str(node)
    if not text.startswith(BASE):
        return None
    return re.split(r"[/#]", text[len(BASE):], maxsplit=1)[0]


def _is_schema_term(node: URIRef) -> bool:
    return str(node).startswith(SCHEMA_NAMESPACES) or node == RDF.Property


class Screen:
    """Which triples surely give no offence (`offences` would find none), each term judged
    once per batch: only the few suspect triples are examined in full."""

    def __init__(self, known: set[str], longest: int = 100_000) -> None:
        self.known, self.longest = known, longest
        #: verdicts on terms as subject, predicate, object, on the types stated, and whether
        #: a predicate is rdf:type
        self._verdicts: tuple[dict, ...] = ({}, {}, {}, {}, {})

    def clean(self, triple: tuple) -> bool:
        s, p, o = triple
        subjects, predicates, objects, types, typing = self._verdicts
        if not ((subjects.get(s) or self._judge(s, 0))
                and (predicates.get(p) or self._judge(p, 1))
                and (objects.get(o) or self._judge(o, 2))):
            return False
        is_type = typing.get(p)
        if is_type is None:
            is_type = typing[p] = p == TYPE
        return not (is_type and isinstance(o, URIRef)) or types.get(o) or self._judge_type(o)

    def _judge(self, term, position: int) -> bool:
        ok = self._verdicts[position][term] = _term_clean(term, position, self.known,
                                                          self.longest)
        return ok

    def _judge_type(self, o: URIRef) -> bool:
        ok = self._verdicts[3][o] = not _is_schema_term(o) and not (
            kind_of(o) == "ontology" and o not in RECORD_CLASSES and str(o) in self.known)
        return ok


def _term_clean(term, position: int, known: set[str], longest: int) -> bool:
    """A term that, in this position, gives no offence whatever the rest of its triple (the
    type a triple states is checked by `_clean`)."""
    if isinstance(term, Literal):
        return len(term) <= longest
    if not isinstance(term, URIRef):
        return True
    text = str(term)
    if BAD_IRI.search(text):
        return False
    kind = kind_of(term)
    if position == 0:
        return kind in DESCRIBABLE
    if position == 1 and ((text.startswith(SCHEMA_NAMESPACES) and term not in ANNOTATIONS)
                          or term in INGEST_ONLY):
        return False
    return kind in (None, *DESCRIBABLE, "record") or text in known


def offences(record: Record, known: set[str], longest: int = 100_000,
             screen: Screen | None = None) -> list[tuple[tuple, str]]:
    """(offending triple, why) for everything the record may not say; `longest`: the most
    characters one literal may have; `screen`: the batch's (for these `known` and
    `longest`)."""
    found: list[tuple[tuple, str]] = []
    reported: set[URIRef] = set()
    screen = screen or Screen(known, longest)
    suspect = [t for t in record.graph if not screen.clean(t)]
    for triple in sorted(suspect, key=lambda t: tuple(map(str, t))):
        s, p, o = triple
        why = []
        if isinstance(s, URIRef) and kind_of(s) not in DESCRIBABLE and s not in reported:
            reported.add(s)
            kind = kind_of(s)
            what = ("an ontology term" if kind == "ontology" else f"the D5.1 node {curie(s)}"
                    if kind else f"{s}, which is not a node it mints")
            why.append("a record may only describe the datasets, runs, samples, agents and "
                       f"distributions it mints; this one describes {what}")
        if str(p).startswith(SCHEMA_NAMESPACES) and p not in ANNOTATIONS:
            why.append(f"{curie(p)} states an axiom; records may not define classes, "
                       "properties or axioms")
        elif p in INGEST_ONLY:
            why.append(f"{curie(p)} is written by the ingest itself, not by records")
        elif p == RDF.type and isinstance(o, URIRef) and (
                _is_schema_term(o) or (kind_of(o) == "ontology" and o not in RECORD_CLASSES
                                       and str(o) in known)):
            why.append(f"typed {curie(o)}: records add datasets, runs and samples; they never "
                       "define techniques, partners, classes or axioms")
        if isinstance(o, Literal) and len(o) > longest:
            why.append(f"a literal of {len(o)} characters, more than the {longest} one may have "
                       "(BIGMAP_KG_MAX_LITERAL_CHARS)")
        for term in triple:
            if isinstance(term, URIRef) and BAD_IRI.search(str(term)) and term not in reported:
                reported.add(term)
                why.append(f"{str(term)[:80]!r} is not an IRI (it holds white space or one "
                           "of <>\"{}|^`\\)")
        for term in (p, o):
            if isinstance(term, URIRef) and kind_of(term) not in (None, *DESCRIBABLE, "record") \
                    and str(term) not in known and term not in reported:
                reported.add(term)
                why.append(unknown(term, known))
        if why:
            found.append((triple, "; ".join(why)))
    return found


def unknown(term: URIRef, known: Iterable[str]) -> str:
    """'… does not exist' with the closest IRI of the same kind, if any is close."""
    kind = kind_of(term)
    head = f"{BASE}{kind}"
    candidates = [k for k in known if k.startswith(head)]
    close = difflib.get_close_matches(str(term), candidates, n=1, cutoff=0.8)
    hint = f"; did you mean {curie(close[0])}?" if close else ""
    return f"{curie(term)} is not in the curated graph (no such {kind} IRI){hint}"


def _prefixes(text: str) -> dict[str, str]:
    """Prefixes declared in Turtle (@prefix / PREFIX) or a JSON-LD context ("p": "ns")."""
    found = dict(re.findall(r"(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", text))
    found.update(re.findall(r'"([A-Za-z][\w.-]*)"\s*:\s*"(https?://[^"]*[/#])"', text))
    return found


def line_of(text: str, term, start: int = 1) -> int:
    """The first line of `text`, from line `start` on, that names `term` (full IRI or prefixed
    name); 0 if none."""
    if not isinstance(term, URIRef) or not text:
        return 0
    iri = str(term)
    needles = [re.escape(f"<{iri}>"), re.escape(f'"{iri}"')]
    for prefix, namespace in _prefixes(text).items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            needles.append(rf"(?<![\w:-]){re.escape(prefix)}:{re.escape(iri[len(namespace):])}"
                           r"(?![\w-])")
    pattern = re.compile("|".join(needles))
    for number, line in enumerate(text.splitlines()[start - 1:], start):
        if pattern.search(line):
            return number
    return 0


def describe(triple: tuple) -> str:
    """A triple as the report shows it: prefixed names where the project has a prefix."""
    def show(term) -> str:
        if isinstance(term, URIRef):
            short = curie(str(term))
            return short if short != str(term) else f"<{term}>"
        if isinstance(term, BNode):
            return "[]"
        return repr(str(term))[:80]
    return " ".join(show(t) for t in triple)


def check(record: Record, known: set[str], text: str, longest: int = 100_000,
          screen: Screen | None = None) -> list[str]:
    """The errors for a record that says what records may not: 'file:line: triple: why'."""
    errors = []
    for triple, why in offences(record, known, longest, screen):
        subject = line_of(text, triple[0]) or 1
        line = next((n for n in (line_of(text, t, subject) or line_of(text, t)
                                 for t in (triple[2], triple[1]) if _notable(t, why)) if n),
                    line_of(text, triple[0]))
        where = f"{record.source}:{line}" if line else record.source
        errors.append(f"{where}: {describe(triple)}: {why}")
    return errors


def _notable(term, why: str) -> bool:
    """Whether the offence is about this term (the one to look for in the text)."""
    return isinstance(term, URIRef) and (curie(str(term)) in why or str(term) in why)
