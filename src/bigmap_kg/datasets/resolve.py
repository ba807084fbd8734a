"""Resolve the free text and foreign IRIs of records to the D5.1 graph's own nodes."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import URIRef

from ..namespaces import PANET, curie
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
    """Case-, punctuation-, spacing- and Unicode-form-insensitive form of a name: NFKC first
    (full-width "ＸＲＤ" → "XRD", the micro sign of "µXRT" → the Greek μ of D5.1's "μXRT",
    non-breaking spaces → spaces), then lower case, punctuation and runs of space → one space."""
    text = unicodedata.normalize("NFKC", text)
    return " ".join(re.sub(r"[^0-9a-zμ]+", " ", text.lower()).split())


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
    """What a name resolved to: one node, or several (ambiguous), or none; `how` says why."""

    text: str
    kind: str
    matches: tuple[URIRef, ...]
    operando: bool | None = None
    how: str = ""  # for PaNET IRIs: exact, close, narrower (than …), broad (…), none

    @property
    def node(self) -> URIRef | None:
        return self.matches[0] if len(self.matches) == 1 else None

    def note(self) -> str | None:
        """What went wrong (None when the name resolved)."""
        if len(self.matches) == 1:
            return None
        if self.how:
            return self.decision()
        if not self.matches:
            return f"{self.kind} {self.text!r} does not name a D5.1 {self.kind}; kept as recorded"
        return (f"{self.kind} {self.text!r} is ambiguous ({', '.join(sorted(self.matches))}); "
                "kept as recorded")

    def decision(self) -> str:
        """What the ingest decided, for the report: every resolution, made or not."""
        if self.how.startswith("broad"):
            return (f"{self.kind} {self.text} is broader than {self.how[6:]} (their "
                    "skos:broadMatch): a broader class never picks a narrower technique; kept "
                    "as the run's type, no D5.1 technique")
        if self.how == "none":
            return (f"{self.kind} {self.text} matches no D5.1 technique (exactly, closely or "
                    "as a narrower class); kept as the run's type")
        if self.node is None:
            return self.note() or ""
        qualifier = {True: " (operando)", False: " (ex situ)"}.get(self.operando, "")
        why = {"exact": " (its skos:exactMatch)", "close": " (its skos:closeMatch)"}.get(
            self.how, f" (the class is {self.how[9:]}'s skos:narrowMatch: D5.1's technique is "
                      "broader; the run keeps the narrower class as its type)"
            if self.how.startswith("narrower") else "")
        return f"{self.kind} {self.text!r} → {curie(str(self.node))}{qualifier}{why}"


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
            name, kind, thing = row["name"].value, row["kind"].value, row["thing"].value
            key = name if kind.startswith("technique-") or name.startswith("http") \
                else normalise(name)
            vocabulary.names[kind][key].add(URIRef(thing))
            if not kind.startswith("technique-"):  # its id: "T3-09", "esrf-id31"
                vocabulary.names[kind][normalise(thing.rsplit("/", 1)[-1])].add(URIRef(thing))
        vocabulary.known = {row["iri"].value for row in run(
            store, view("ingest-known-iris"), prefixes=False)}
        return vocabulary

    def resolve(self, kind: str, text: str) -> Resolution:
        """A name (or, for techniques, a PaNET IRI) to the node(s) it names."""
        text = " ".join(unicodedata.normalize("NFKC", text).split())
        if kind == "technique" and text.startswith(str(PANET)):
            return self.resolve_panet(text)
        operando = None
        if kind == "technique" and not text.startswith("http"):
            text, operando = split_qualifier(text)
        key = text if text.startswith("http") else normalise(text)
        matches = self.names[kind].get(key, set())
        if not matches and kind == "technique" and not text.startswith("http"):
            matches = set().union(*(self.names[kind].get(f"{key} {word}", set())
                                    for word in FAMILY_WORDS))
        return Resolution(text, kind, tuple(sorted(matches)), operando)

    def resolve_panet(self, iri: str) -> Resolution:
        """A PaNET class to a D5.1 technique, deliberately: its exactMatch; else its closeMatch;
        else the technique whose skos:narrowMatch it is (the record is more specific than
        D5.1); never a technique that is narrower than the class (its broadMatch)."""
        names = self.names
        for kind, how in (("technique", "exact"), ("technique-close", "close")):
            found = names[kind].get(iri, set())
            if found:
                return Resolution(iri, "technique", tuple(sorted(found)), how=how
                                  if len(found) == 1 else "")
        found = names["technique-narrow"].get(iri, set())
        if found:
            broader = ", ".join(sorted(curie(str(t)) for t in found))
            return Resolution(iri, "technique", tuple(sorted(found)),
                              how=f"narrower {broader}" if len(found) == 1 else "")
        narrower = names["technique-broad"].get(iri, set())
        if narrower:
            return Resolution(iri, "technique", (), how="broad " + ", ".join(
                sorted(curie(str(t)) for t in narrower)))
        return Resolution(iri, "technique", (), how="none")
