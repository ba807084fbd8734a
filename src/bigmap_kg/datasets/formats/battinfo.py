"""BattINFO / EMMO battery JSON-LD: the description of a test cell (a sample runs measure).

The whole description is kept (its nodes become the record's own); the cell is typed
bmo:Sample and chameo:DeviceSample, with `schema:sameAs` its outside @id; active materials (the
`hasActiveMaterial` types and labels) → Tier 1 materials where the name is one of theirs, else
kept as recorded and reported. Broken prefixes of the converter files are repaired (contexts).
"""

from __future__ import annotations

from typing import Any

from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from ...namespaces import BMO, CHAMEO
from ..contexts import parse_jsonld
from ..records import Record, mint
from ..resolve import Vocabulary
from . import Format, FormatError
from .common import SCHEMA, Builder

BATTERY_CONTEXT = "w3id.org/emmo/domain/battery/context"


def detect(document: Any) -> bool:
    return isinstance(document, dict) and BATTERY_CONTEXT in str(document.get("@context", ""))


def _materials(value: Any) -> list[str]:
    """Type names and labels of every hasActiveMaterial in the description."""
    names: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if key.rsplit(":", 1)[-1] == "hasActiveMaterial":
                for material in inner if isinstance(inner, list) else [inner]:
                    if isinstance(material, dict):
                        types = material.get("@type", [])
                        names += [t for t in (types if isinstance(types, list) else [types])
                                  if t != "Material"]
                        names += [str(v) for k, v in material.items()
                                  if k.rsplit(":", 1)[-1] in ("label", "name")]
            names += _materials(inner)
    elif isinstance(value, list):
        for inner in value:
            names += _materials(inner)
    return names


def read(document: dict, source: str, vocabulary: Vocabulary) -> list[Record]:
    outside = document.get("@id")
    product = next((document[k] for k in ("schema:productID", "productID") if k in document),
                   None)
    identity = str(product or outside or "")
    if not identity:
        raise FormatError(source, "the cell has neither a schema:productID nor an @id, so it "
                                  "cannot get a stable IRI")
    record = Record("BattINFODescription", identity, source)
    sample = mint("sample", "battinfo", identity)
    parsed = parse_jsonld({**document, "@id": str(sample)}, record.notes)
    if (sample, None, None) not in parsed:
        raise FormatError(source, "the description says nothing about the cell")
    record.graph += parsed
    g, build = record.graph, Builder(record, vocabulary)
    build.adopt_agents()
    for cls in (BMO.Sample, CHAMEO.DeviceSample):
        g.add((sample, RDF.type, cls))
    if outside:
        g.add((sample, SCHEMA.sameAs, URIRef(outside)))
    if product:
        g.add((sample, SCHEMA.productID, Literal(str(product))))
    for name in dict.fromkeys(_materials(document)):
        if build.link(sample, BMO.activeMaterial, "material", name) is None:
            g.add((sample, BMO.materialAsRecorded, Literal(name)))
    return [record]


FORMAT = Format("BattINFODescription", detect, read)
