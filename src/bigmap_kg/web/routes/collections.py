"""The JSON-LD collections of /api, read from sparql/api/collections.toml: which class each lists
and which filters it takes, each filter a SPARQL file sparql/api/<collection>/<filter>.rq over
?item, ?class and ?value (the TOML file's header says how a value becomes an RDF term)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ...namespaces import iri_of, to_iri
from ...queryfile import SPARQL_DIR, view

DESCRIPTION = SPARQL_DIR / "api" / "collections.toml"
Term = ox.NamedNode | ox.Literal


class CollectionsError(Exception):
    """collections.toml names something that is not there."""


@dataclass(frozen=True)
class Filter:
    collection: str
    name: str
    description: str
    slug: str | None = None      # the prefix of a bare id: "cluster" → cluster:<id>
    datatype: str | None = None  # the datatype of a literal filter (e.g. xsd:boolean)
    aliases: dict[str, str] = field(default_factory=dict)  # word → IRI

    @property
    def query(self) -> str:
        """The filter's SPARQL (with the prologue): ?item of ?class whose value is ?value."""
        return view(f"api/{self.collection}/{self.name}")

    def term(self, value: str) -> Term:
        """The RDF term a client's value stands for; ValueError when it is no valid IRI."""
        if self.datatype:
            text = value.lower() if self.datatype == "xsd:boolean" else value
            return ox.Literal(text, datatype=ox.NamedNode(iri_of(self.datatype)))
        iri = self.aliases.get(value.lower()) or to_iri(value, self.slug)
        return ox.NamedNode(iri) if iri else ox.Literal(value)


@dataclass(frozen=True)
class CollectionSpec:
    prefix: str
    cls: str
    filters: dict[str, Filter]
    description: str


def load(path: Path = DESCRIPTION) -> tuple[dict[str, CollectionSpec], dict[str, str]]:
    """The collections and the example value of each filter name."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        aliases = {table: {word: iri_of(curie) for word, curie in words.items()}
                   for table, words in data.get("aliases", {}).items()}
        collections = {
            name: CollectionSpec(spec["prefix"], spec["class"], {
                filter_name: Filter(name, filter_name, entry["description"], entry.get("slug"),
                                    entry.get("datatype"), aliases[entry.get("aliases")]
                                    if "aliases" in entry else {})
                for filter_name, entry in spec.get("filters", {}).items()},
                spec["description"])
            for name, spec in data["collections"].items()}
    except (OSError, tomllib.TOMLDecodeError, KeyError, ValueError) as error:
        raise CollectionsError(f"{path}: {type(error).__name__}: {error}") from None
    for spec in collections.values():
        for item in spec.filters.values():
            rq = path.parent / item.collection / f"{item.name}.rq"
            if not rq.is_file():
                raise CollectionsError(f"{path}: filter {item.name!r} of {item.collection!r} "
                                       f"has no query file {rq}")
    return collections, dict(data.get("examples", {}))


COLLECTIONS, FILTER_EXAMPLES = load()


def filter_parameters() -> list[dict]:
    """The filters of every collection as OpenAPI query parameters, each saying which
    collections take it."""
    takers: dict[str, list[str]] = {}
    for collection, spec in COLLECTIONS.items():
        for name in spec.filters:
            takers.setdefault(name, []).append(collection)
    return [{"name": name, "in": "query", "required": False, "schema": {"type": "string"},
             "example": FILTER_EXAMPLES[name],
             "description": "; ".join(f"{c}: {COLLECTIONS[c].filters[name].description}"
                                      for c in collections)}
            for name, collections in sorted(takers.items())]
