"""Resolve the free text and foreign IRIs of records to the D5.1 graph's own nodes."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef

from ..queryfile import view
from ..results import run

#: "Raman" names "Raman spectroscopy": tried when a technique name matches nothing as it is
FAMILY_WORDS = ("spectroscopy", "microscopy", "diffraction", "scattering", "imaging",
                "tomography", "spectrometry")
QUALIFIERS = {
    "operando": True, "in operando": True, "in situ": True, "in-situ": True, "insitu": True,
    "ex situ": False, "ex-situ": False, "post mortem": False, "post-mortem": False,
}


def normalise(text: str) -> str:
    """Case-, punctuation- and spacing-insensitive form of a name."""
    return " ".join(re.sub(r"[^0-9a-zµμ]+", " ", text.lower()).split())


def split_qualifier(text: str) -> tuple[str, bool | None]:
    """("operando XRD") → ("XRD", True): the operando / ex situ qualifier of a technique name."""
    lowered = f" {text.lower()} "
    for word in sorted(QUALIFIERS, key=len, reverse=True):
        if f" {word} " in lowered or lowered.strip().startswith(word + " "):
            rest = re.sub(re.escape(word), " ", text, flags=re.IGNORECASE)
            return " ".join(rest.split()), QUALIFIERS[word]
    return text, None


@dataclass(frozen=True)
class Resolution:
    """What a name resolved to: one node, or several (ambiguous), or none."""

    text: str
    kind: str
    matches: tuple[URIRef, ...]
    operando: bool | None = None

    @property
    def node(self) -> URIRef | None:
        return self.matches[0] if len(self.matches) == 1 else None

    def note(self) -> str | None:
        if len(self.matches) == 1:
            return None
        if not self.matches:
            return f"{self.kind} {self.text!r} does not name a D5.1 {self.kind}; kept as recorded"
        return (f"{self.kind} {self.text!r} is ambiguous ({', '.join(sorted(self.matches))}); "
                "kept as recorded")


@dataclass
class Vocabulary:
    """Names of the D5.1 graph's things, by kind, read once from the store."""

    names: dict[str, dict[str, set[URIRef]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    #: every IRI of the project's namespaces the curated graph has (D5.1 nodes, bmo: terms)
    known: set[str] = field(default_factory=set)

    @classmethod
    def from_store(cls, store) -> Vocabulary:
        vocabulary = cls()
        for row in run(store, view("ingest-vocabulary"), prefixes=False):
            name = row["name"].value
            key = name if row["kind"].value.startswith("technique-") or \
                name.startswith("http") else normalise(name)
            vocabulary.names[row["kind"].value][key].add(URIRef(row["thing"].value))
        vocabulary.known = {row["iri"].value for row in run(
            store, view("ingest-known-iris"), prefixes=False)}
        return vocabulary

    def resolve(self, kind: str, text: str) -> Resolution:
        """A name (or, for techniques, a PaNET IRI) to the node(s) it names."""
        operando = None
        if kind == "technique" and not text.startswith("http"):
            text, operando = split_qualifier(text)
        key = text if text.startswith("http") else normalise(text)
        matches = self.names[kind].get(key, set())
        if not matches and kind == "technique" and text.startswith("http"):
            matches = self.names["technique-broad"].get(key, set())
        elif not matches and kind == "technique":
            matches = set().union(*(self.names[kind].get(f"{key} {word}", set())
                                    for word in FAMILY_WORDS))
        return Resolution(text, kind, tuple(sorted(matches)), operando)
