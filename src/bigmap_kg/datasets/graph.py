"""The graph a record is mapped into: an rdflib `Graph` whose triples live in plain dicts.

rdflib's Memory store tracks contexts and events for every triple, which cost most of an
ingest's time for records of fifty triples (cProfile: adding and iterating them 3.6 s of a
4.3 s batch of 1,000 records). `RecordGraph` keeps the triples (rdflib terms, as before) in an
insertion-ordered dict with one index per position, and answers the methods the readers, the
guard and the pipeline use; every other `Graph` method goes through them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.paths import Path
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
#: the usual terms (rdflib terms: what `add` checks)
TERMS = {URIRef, BNode, Literal}


class RecordGraph(Graph):
    """An in-memory rdflib graph of one record (no contexts, no events)."""

    def __init__(self, triples: Iterable[Triple] = ()) -> None:
        """`triples`: of rdflib terms (not checked, unlike those given to `add`)."""
        super().__init__()
        self._spo: dict[Triple, None] = {}
        #: by subject, by predicate, by object: the term's triples, in the order added
        self._index: tuple[dict, dict, dict] = ({}, {}, {})
        add = self._add
        for triple in triples:
            add(triple)

    def add(self, triple: Triple) -> RecordGraph:
        s, p, o = triple
        if not (type(s) in TERMS and type(p) in TERMS and type(o) in TERMS):  # rdflib's checks
            assert isinstance(s, Node), f"Subject {s} must be an rdflib term"
            assert isinstance(p, Node), f"Predicate {p} must be an rdflib term"
            assert isinstance(o, Node), f"Object {o} must be an rdflib term"
        self._add((s, p, o))
        return self

    def _add(self, triple: Triple) -> None:
        spo = self._spo
        if triple not in spo:
            spo[triple] = None
            for index, term in zip(self._index, triple, strict=True):
                found = index.get(term)
                if found is None:
                    index[term] = [triple]
                else:
                    found.append(triple)

    def addN(self, quads) -> RecordGraph:
        for s, p, o, context in quads:
            if isinstance(context, Graph) and context.identifier is self.identifier:
                self.add((s, p, o))
        return self

    def remove(self, triple) -> RecordGraph:
        for found in list(self._matches(triple)):
            del self._spo[found]
            for index, term in zip(self._index, found, strict=True):
                bucket = index[term]
                bucket.remove(found)
                if not bucket:
                    del index[term]
        return self

    def _matches(self, pattern) -> Iterable[Triple]:
        """The triples matching a pattern of terms and None (a snapshot when it is a view)."""
        given = [(position, term) for position, term in enumerate(pattern) if term is not None]
        if not given:
            return tuple(self._spo)
        if len(given) == 3:
            return (tuple(pattern),) if tuple(pattern) in self._spo else ()
        lists = [self._index[position].get(term, ()) for position, term in given]
        smallest = min(lists, key=len)
        if len(given) == 1:
            return tuple(smallest)
        return tuple(t for t in smallest if all(t[i] == term for i, term in given))

    def triples(self, triple) -> Iterator:
        s, p, o = triple
        if isinstance(p, Path):
            for found_s, found_o in p.eval(self, s, o):
                yield found_s, p, found_o
        else:
            yield from self._matches(triple)

    def triples_choices(self, triple, context=None) -> Iterator[Triple]:
        """The triples matching a pattern with one list of terms (rdflib's Store reads them
        from its own store, which a RecordGraph leaves empty)."""
        for position, choices in enumerate(triple):
            if isinstance(choices, list | tuple):
                for term in choices:
                    pattern = list(triple)
                    pattern[position] = term
                    yield from self.triples(tuple(pattern))
                return
        yield from self.triples(triple)

    def __len__(self) -> int:
        return len(self._spo)

    def __iter__(self) -> Iterator[Triple]:
        return iter(tuple(self._spo))

    def __contains__(self, triple) -> bool:
        if isinstance(triple[1], Path):
            return super().__contains__(triple)
        return bool(self._matches(triple))

    def subject_terms(self) -> list[Node]:
        """Each subject once, in the order first added (`subjects(unique=True)`, faster)."""
        return list(self._index[0])

    def predicate_terms(self) -> list[Node]:
        """Each predicate once, in the order first added."""
        return list(self._index[1])

    def object_terms(self) -> list[Node]:
        """Each object once, in the order first added (`objects(unique=True)`, faster)."""
        return list(self._index[2])
