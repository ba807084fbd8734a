"""JSON-LD without the network: remote @contexts come from local copies, known defects are repaired.

Local copies are looked up, by file name, in the folders of `BIGMAP_KG_CONTEXTS`
(os.pathsep-separated), then in the packages the project installs (the `rocrate` package
ships the RO-Crate context), then in the import catalog (`BIGMAP_KG_IMPORTS`: the EMMO domain
ontologies carry their context in `context/context.jsonld`). A context with no local copy is
an error that says where to put one.
Repairs, each reported as a note: `http://schema.org/` → `https://schema.org/` (in records.finish),
prefixes that do not expand (`"schema": "https://schema.org"` without the trailing slash leaves
`schema:name` unexpanded), duplicate `@id`s (merged, as JSON-LD does, and listed).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections import Counter
from collections.abc import Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.plugins.parsers.jsonld import Parser
from rdflib.plugins.shared.jsonld.context import Context

from ..import_catalog import folders_from_env
from ..namespaces import PREFIXES

#: Remote context URL → file names of local copies, best first.
LOCAL_COPIES: dict[str, tuple[str, ...]] = {
    "https://w3id.org/ro/crate/1.1/context": ("ro-crate-1.1-context.jsonld", "ro-crate.jsonld"),
    "https://w3id.org/ro/crate/1.2/context": ("ro-crate-1.2-context.jsonld", "ro-crate.jsonld"),
    "https://w3id.org/ro/crate/1.3/context": ("ro-crate.jsonld",),
    "https://w3id.org/emmo/domain/battery/context": ("domain-battery/context/context.jsonld",),
}
#: Contexts that only set a vocabulary or namespace: written here rather than fetched.
VOCABULARY_CONTEXTS: dict[str, dict[str, str]] = {
    "https://schema.org/": {"@vocab": "https://schema.org/", "schema": "https://schema.org/"},
    "https://schema.org": {"@vocab": "https://schema.org/", "schema": "https://schema.org/"},
    "http://schema.org/": {"@vocab": "https://schema.org/", "schema": "https://schema.org/"},
    "http://www.w3.org/ns/csvw": {"csvw": "http://www.w3.org/ns/csvw#"},
}
#: Namespaces for prefixes that records use without a working definition.
KNOWN_PREFIXES = {**PREFIXES, "schema": "https://schema.org/",
                  "csvw": "http://www.w3.org/ns/csvw#", "emmo": "https://w3id.org/emmo#"}
#: how deep contexts may nest (scoped contexts, @import, local copies naming others)
MAX_CONTEXT_DEPTH = 8
REGISTERED_SCHEMES = {"http", "https", "urn", "mailto", "file", "doi", "tag", "data"}


class ContextError(ValueError):
    """A JSON-LD document that cannot be read offline."""


def _folders() -> list[Path]:
    folders = [Path(p) for p in os.environ.get("BIGMAP_KG_CONTEXTS", "").split(os.pathsep) if p]
    with contextlib.suppress(ModuleNotFoundError):
        folders.append(Path(str(resources.files("rocrate") / "data")))
    return folders + [folder for folder in folders_from_env() if folder.is_dir()]


@cache
def local_context(url: str) -> Any:
    """The `@context` value of the local copy of a remote context."""
    key = url.rstrip("#")
    if key in VOCABULARY_CONTEXTS:
        return VOCABULARY_CONTEXTS[key]
    for name in LOCAL_COPIES.get(key, ()):
        for folder in _folders():
            for path in [folder / name, *folder.rglob(Path(name).name)]:
                if path.is_file() and (path.name == name or str(path).endswith(name)):
                    return json.loads(path.read_text(encoding="utf-8"))["@context"]
    raise ContextError(f"the JSON-LD context {url} is not available offline; put a copy "
                       f"({' or '.join(LOCAL_COPIES.get(key, ('its file',)))}) in a folder "
                       "named by BIGMAP_KG_CONTEXTS (or in the import catalog, BIGMAP_KG_IMPORTS)")


def _inline(context: Any, notes: list[str], depth: int = 0) -> Any:
    """Replace every context reference by its local copy — the context itself, lists, scoped
    contexts of term definitions, `@import` — and repair the top level's prefix definitions.
    Nothing is ever fetched or read from a path the record names: a reference without a
    local copy (a `file://` or relative one included) is a ContextError."""
    if depth > MAX_CONTEXT_DEPTH:
        raise ContextError(f"JSON-LD contexts nested more than {MAX_CONTEXT_DEPTH} deep")
    if isinstance(context, list):
        return [_inline(c, notes, depth) for c in context]
    if isinstance(context, str):
        return _inline(local_context(context), notes, depth + 1)
    if not isinstance(context, dict):
        return context
    repaired = dict(context)
    imported = repaired.pop("@import", None)
    if imported is not None:  # JSON-LD 1.1: the imported context, then this one's terms
        base = _inline(imported, notes, depth + 1)
        if not isinstance(base, dict):
            raise ContextError(f"@import {imported!r} is not one context object")
        repaired = {**base, **repaired}
    for term, value in list(repaired.items()):
        if isinstance(value, dict) and "@context" in value:  # a scoped context
            repaired[term] = {**value, "@context": _inline(value["@context"], notes, depth + 1)}
        if depth:
            continue
        wanted = KNOWN_PREFIXES.get(term)
        if isinstance(value, str) and wanted and value != wanted and \
                wanted.rstrip("/#") == value.rstrip("/#"):
            repaired[term] = wanted
            notes.append(f"prefix {term!r} was defined as {value!r}, which does not expand "
                         f"(no trailing '/' or '#'); repaired to {wanted!r}")
        elif isinstance(value, str) and wanted and not value.startswith(wanted) and \
                value.startswith("http") and not value.endswith(("/", "#")):
            repaired[term] = wanted
            notes.append(f"prefix {term!r} was defined as {value!r}, which is not a "
                         f"namespace; repaired to {wanted!r}")
    return repaired


def _inline_nodes(value: Any, notes: list[str]) -> Any:
    """Inline the contexts of the document and of every node object nested in it."""
    if isinstance(value, list):
        return [_inline_nodes(v, notes) for v in value]
    if not isinstance(value, dict):
        return value
    return {key: _inline(inner, notes) if key == "@context" else _inline_nodes(inner, notes)
            for key, inner in value.items()}


def _references(value: Any) -> Iterator[str]:
    """Context references left anywhere (a context string, an @import): none may remain."""
    if isinstance(value, list):
        for inner in value:
            yield from _references(inner)
    elif isinstance(value, dict):
        for key, inner in value.items():
            if key in ("@context", "@import") and isinstance(inner, str):
                yield inner
            elif key == "@context" and isinstance(inner, list):
                yield from (c for c in inner if isinstance(c, str))
            yield from _references(inner)


def _duplicates(document: Any, notes: list[str]) -> None:
    nodes = document.get("@graph", []) if isinstance(document, dict) else document
    counts = Counter(n["@id"] for n in nodes if isinstance(n, dict) and "@id" in n)
    for node_id, count in sorted(counts.items()):
        if count > 1:
            notes.append(f"@id {node_id!r} appears {count} times; its descriptions were merged")


def _dropped_terms(document: Any, context: Any, notes: list[str]) -> None:
    """Keys the context does not define are silently dropped by JSON-LD: say which."""
    contexts = context if isinstance(context, list) else [context]
    defined = {k for c in contexts if isinstance(c, dict) for k in c}
    if any(isinstance(c, dict) and "@vocab" in c for c in contexts):
        return
    dropped: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if not key.startswith("@") and ":" not in key and key not in defined:
                    dropped.add(key)
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk({k: v for k, v in document.items() if k != "@context"})
    for key in sorted(dropped):
        notes.append(f"the term {key!r} is not defined by the context, so JSON-LD drops it")


def _expand_leftovers(graph: Graph, notes: list[str]) -> Graph:
    """Normalise http://schema.org/; expand IRIs left as `prefix:local` by a missing prefix."""
    unknown: set[str] = set()
    http_schema = False

    def fix(term):
        nonlocal http_schema
        if not isinstance(term, URIRef):
            return term
        if str(term).startswith("http://schema.org/"):
            http_schema = True
            return URIRef("https://schema.org/" + str(term)[len("http://schema.org/"):])
        scheme, _, local = str(term).partition(":")
        if not local or scheme in REGISTERED_SCHEMES:
            return term
        if scheme in KNOWN_PREFIXES:
            return URIRef(KNOWN_PREFIXES[scheme] + local)
        unknown.add(scheme)
        return term

    fixed = Graph()
    changed = False
    for triple in graph:
        new = tuple(fix(t) for t in triple)
        changed |= new != triple and not http_schema
        fixed.add(new)
    if http_schema:
        notes.append("http://schema.org/ IRIs normalised to https://schema.org/")
    if changed:
        notes.append("IRIs with unexpanded prefixes were expanded with the known namespaces")
    for scheme in sorted(unknown):
        notes.append(f"prefix {scheme!r} is not defined and not known: its IRIs are kept as is")
    return fixed


def parse_jsonld(document: Any, notes: list[str], base: str | None = None) -> Graph:
    """Parse a JSON-LD document offline into a graph, noting what was repaired."""
    _duplicates(document, notes)
    references = _context_references(document)
    document = _inline_nodes(document, notes)  # a private, repaired copy
    if isinstance(document, dict) and "@context" in document:
        _dropped_terms(document, document["@context"], notes)
    left = sorted(set(_references(document)))
    if left:  # never handed to the parser, which would fetch them
        raise ContextError(f"JSON-LD context(s) {', '.join(left)} could not be replaced by "
                           "local copies; nothing is fetched")
    if references:  # the context processed once per process, not once per record
        context = _processed(references).subcontext({})  # a copy the record cannot change
        context.base = context.doc_base = base
        graph = Graph()
        Parser().parse({k: v for k, v in document.items() if k != "@context"}, context, graph)
    else:
        graph = Graph().parse(data=json.dumps(document), format="json-ld", base=base)
    return _expand_leftovers(graph, notes)


def _context_references(document: Any) -> tuple[str, ...] | None:
    """The top-level @context when it only names contexts (a URL, or a list of URLs)."""
    context = document.get("@context") if isinstance(document, dict) else None
    if isinstance(context, str):
        return (context,)
    if isinstance(context, list) and context and all(isinstance(c, str) for c in context):
        return tuple(context)
    return None


@cache
def _processed(references: tuple[str, ...]) -> Context:
    """The local copies of named contexts, processed by rdflib's JSON-LD context once: the
    RO-Crate context has about 3,000 terms, and processing it took 60 % of parsing a crate."""
    return Context(_inline(list(references), []))
