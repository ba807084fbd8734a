"""The MUST rules of the RO-Crate 1.1 specification, checked offline on an RO-Crate metadata file.

Written here because crs4's `rocrate-validator` (PyPI `roc-validator` 0.13) does not run
offline: it ships its SHACL profiles but not the RO-Crate JSON-LD context, fetches that context
over HTTP, and its `--offline` mode only reads a cache filled by an earlier online run — without
one it skips the SHACL checks and still reports "passed". Each rule below quotes the sentence
of the specification (https://w3id.org/ro/crate/1.1, the pages named) that it checks. The
context used to check that the document is compacted JSON-LD is the copy the `rocrate` package
ships (read here directly, not through the project's code).

    violations(document, folder) -> list of "rule: what is wrong"
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pyld import jsonld

CONTEXT_URL = "https://w3id.org/ro/crate/1.1/context"
RULES = {
    "json-ld": "structure: The RO-Crate Metadata File MUST contain RO-Crate JSON-LD; a valid "
               "JSON-LD 1.0 document in flattened and compacted form",
    "flattened": "appendix/jsonld: all described entities must be JSON objects as direct "
                 "children of the @graph element rather than being nested under another object "
                 "or array. Properties referencing entities must use a JSON object with @id as "
                 "the only key",
    "descriptor": "root-data-entity: The RO-Crate JSON-LD MUST contain a self-describing "
                  "RO-Crate Metadata File Descriptor with the @id value ro-crate-metadata.json "
                  "[…] and @type CreativeWork. This descriptor MUST have an about property "
                  "referencing the Root Data Entity",
    "root-type": "root-data-entity: The Root Data Entity MUST have the following properties: "
                 "@type: MUST be Dataset",
    "root-id": "root-data-entity: @id: MUST end with /",
    "root-date": "root-data-entity: datePublished: MUST be a string in ISO 8601 date format",
    "root-properties": "root-data-entity: The Root Data Entity MUST have the following "
                       "properties: […] name […] description […] datePublished […] license",
    "has-part": "data-entities: Where files and folders are represented as Data Entities in "
                "the RO-Crate JSON-LD, these MUST be linked to, either directly or indirectly, "
                "from the Root Data Entity using the hasPart property",
    "file-type": "data-entities: Data Entities representing files MUST have \"File\" as a value "
                 "for @type",
    "entity-id": "data-entities: @id MUST be either a URI Path relative to the RO Crate root, "
                 "or an absolute URI",
    "payload": "structure: Data Entities in the RO-Crate MUST either be payload "
               "files/directories present within the RO-Crate root directory or its "
               "subdirectories, or be Web-based Data Entities",
}
ISO_8601 = re.compile(r"\d{4}(-\d{2}(-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
                      r"(Z|[+-]\d{2}:?\d{2})?)?)?)?")
URI_PATH = re.compile(r"[^\s\\<>\"{}|^`]+")


def context() -> dict:
    """The RO-Crate JSON-LD context the `rocrate` package ships."""
    path = resources.files("rocrate") / "data" / "ro-crate.jsonld"
    return json.loads(path.read_text(encoding="utf-8"))["@context"]


def _loader(url: str, options: dict | None = None) -> dict:
    if url.rstrip("/") != CONTEXT_URL:
        raise ValueError(f"the check reads no context but {CONTEXT_URL} (asked for {url})")
    return {"contextUrl": None, "documentUrl": url, "document": {"@context": context()}}


def _types(entity: dict) -> set[str]:
    value = entity.get("@type", [])
    return set(value if isinstance(value, list) else [value])


def _refs(value: Any) -> list[str]:
    listed = value if isinstance(value, list) else [value]
    return [v["@id"] for v in listed if isinstance(v, dict) and "@id" in v]


def _structure(document: dict) -> list[str]:
    found = []
    if document.get("@context") != CONTEXT_URL and CONTEXT_URL not in (
            document.get("@context") or []):
        found.append(f"json-ld: @context is {document.get('@context')!r}, not {CONTEXT_URL}")
    try:
        jsonld.expand(document, {"documentLoader": _loader})
    except jsonld.JsonLdError as error:
        found.append(f"json-ld: not valid JSON-LD ({error})")
    terms = set(context())
    ids = [e.get("@id") for e in document.get("@graph", [])]
    found += [f"flattened: @id {i!r} is described {ids.count(i)} times" for i in set(ids)
              if ids.count(i) > 1]
    for entity in document.get("@graph", []):
        if "@id" not in entity:
            found.append(f"flattened: an entity of the @graph has no @id: {entity}")
        for key, value in entity.items():
            if not key.startswith("@") and key not in terms and ":" not in key:
                found.append(f"json-ld: {entity.get('@id')} uses {key!r}, no term of the "
                             "context (not compacted)")
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, dict) and set(item) - {"@id"} and "@value" not in item:
                    found.append(f"flattened: {entity.get('@id')} {key} nests an entity "
                                 f"({sorted(item)})")
    return found


def _root(document: dict) -> tuple[dict | None, list[str]]:
    by_id = {e.get("@id"): e for e in document.get("@graph", [])}
    descriptor = by_id.get("ro-crate-metadata.json")
    if descriptor is None or "CreativeWork" not in _types(descriptor):
        return None, ["descriptor: no entity ro-crate-metadata.json of @type CreativeWork"]
    about = _refs(descriptor.get("about"))
    root = by_id.get(about[0]) if about else None
    if root is None:
        return None, ["descriptor: its about names no entity of the @graph"]
    found = []
    if "Dataset" not in _types(root):
        found.append(f"root-type: the root's @type is {root.get('@type')!r}")
    if not str(root["@id"]).endswith("/"):
        found.append(f"root-id: the root's @id {root['@id']!r} does not end with /")
    found += [f"root-properties: the root has no {name}" for name in (
        "name", "description", "datePublished", "license") if not root.get(name)]
    published = root.get("datePublished")
    if published and not (isinstance(published, str) and ISO_8601.fullmatch(published)):
        found.append(f"root-date: datePublished {published!r} is no ISO 8601 date")
    return root, found


def _data_entities(document: dict, root: dict, folder: Path | None) -> list[str]:
    by_id = {e.get("@id"): e for e in document.get("@graph", [])}
    reached, todo = set(), _refs(root.get("hasPart"))
    while todo:
        current = todo.pop()
        if current not in reached:
            reached.add(current)
            todo += _refs(by_id.get(current, {}).get("hasPart"))
    found = []
    for entity in document.get("@graph", []):
        identifier = str(entity.get("@id", ""))
        if "File" in _types(entity) or "MediaObject" in _types(entity):
            if "File" not in _types(entity):
                found.append(f"file-type: {identifier} is a file whose @type lacks \"File\"")
            if identifier not in reached:
                found.append(f"has-part: {identifier} is not reached by hasPart from the root")
        if identifier in reached and by_id.get(identifier) is not None:
            absolute = bool(urlparse(identifier).scheme)
            if not URI_PATH.fullmatch(identifier):
                found.append(f"entity-id: {identifier!r} is no URI path or absolute URI")
            elif not absolute and folder is not None and not identifier.startswith("#") and \
                    not (folder / identifier).exists():
                found.append(f"payload: {identifier} is neither in the crate's folder nor a "
                             "web-based data entity")
    return found


def violations(document: dict, folder: Path | None = None) -> list[str]:
    """Every MUST rule of RO-Crate 1.1 the document breaks (empty: it passes)."""
    found = _structure(document)
    root, more = _root(document)
    found += more
    if root is not None:
        found += _data_entities(document, root, folder)
    return [f"{text} — breaks “{RULES[key]}”" for key, _, text in
            (f.partition(": ") for f in found)]


def check_folder(folder: Path) -> list[str]:
    """The violations of the crate in `folder` (its ro-crate-metadata.json)."""
    path = folder / "ro-crate-metadata.json"
    if not path.is_file():
        return ["structure: the RO-Crate Metadata File MUST be named ro-crate-metadata.json "
                "and appear in the RO-Crate Root — there is none"]
    return violations(json.loads(path.read_text(encoding="utf-8")), folder)
