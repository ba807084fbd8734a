"""The ingest formats: recognise a record's format and map it to our model (a list of Records).

Each format module offers `detect(document) -> bool` (on the parsed JSON, for JSON formats) and
`read(document, source, vocabulary) -> list[Record]`. A reader raises `FormatError` for input it
cannot map (with what is wrong); gaps it can map around become notes on the record.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..limits import Limits
from ..records import Record
from ..resolve import Vocabulary


class FormatError(ValueError):
    """Input that no reader can map, or that its reader rejects; says which file and why."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source, self.message = source, message


@dataclass(frozen=True)
class Format:
    name: str  # local name of the bmo:MetadataFormat individual
    detect: Callable[[Any], bool]
    read: Callable[[Any, str, Vocabulary], list[Record]]


def json_formats() -> list[Format]:
    """The JSON formats, most specific first (the first whose detect() accepts wins)."""
    from . import battinfo, datacite, invenio, native, rocrate, schemaorg
    return [rocrate.FORMAT, invenio.FORMAT, datacite.FORMAT, battinfo.FORMAT, schemaorg.FORMAT,
            native.JSON_FORMAT]


def read_bytes(data: bytes, source: str, vocabulary: Vocabulary) -> list[Record]:
    """Map one input (file content) to records, choosing the reader by content and name."""
    records = _read(data, source, vocabulary)
    if data[:4] != b"PK\x03\x04":
        for record in records:
            record.text = record.text or data.decode("utf-8", "replace")
    return records


def _read(data: bytes, source: str, vocabulary: Vocabulary) -> list[Record]:
    from . import native
    suffix = Path(source).suffix.lower()
    if suffix in {".eln", ".zip"} or data[:4] == b"PK\x03\x04":
        return read_bytes(_crate_from_zip(data, source), f"{source}!/ro-crate-metadata.json",
                          vocabulary)
    if suffix in {".ttl", ".nt", ".n3"}:
        return native.read_rdf(data, source, vocabulary)
    if suffix == ".xml" or data.lstrip()[:1] == b"<":
        from . import datacite
        return datacite.read_xml(data, source, vocabulary)
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FormatError(source, f"not JSON, Turtle, N-Triples, XML or a zip: {error}") from None
    check_text(source, data.decode("utf-8"), _strings(document))
    for fmt in json_formats():
        if fmt.detect(document):
            try:
                return fmt.read(document, source, vocabulary)
            except (AttributeError, TypeError, KeyError, IndexError) as error:
                # a field of another type or shape than the format has: say so, never crash
                raise FormatError(source, f"read as {fmt.name}, but a field has an unexpected "
                                          f"type or shape ({type(error).__name__}: {error})"
                                  ) from None
    raise FormatError(source, "JSON of no known format (expected an RO-Crate, an InvenioRDM / "
                              "Zenodo record, DataCite JSON, BattINFO or schema.org JSON-LD, or "
                              "JSON-LD in the bigmap-kg vocabulary)")


def _crate_from_zip(data: bytes, source: str) -> bytes:
    """The ro-crate-metadata.json of a zipped crate (.eln): at the top or one folder down."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist()
                     if n.rsplit("/", 1)[-1] == "ro-crate-metadata.json" and n.count("/") <= 1]
            if not names:
                raise FormatError(source, "the zip holds no ro-crate-metadata.json")
            name = sorted(names, key=len)[0]
            too_big = Limits.from_env().record_error(archive.getinfo(name).file_size)
            if too_big:  # checked before it is decompressed
                raise FormatError(source, f"{name}: {too_big}")
            return archive.read(name)
    except zipfile.BadZipFile as error:
        raise FormatError(source, f"not a valid zip: {error}") from None


def _strings(value: Any) -> Iterator[str]:
    """Every string of a parsed JSON document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


SURROGATE = re.compile("[\ud800-\udfff]")
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def check_text(source: str, text: str, strings: Iterable[str]) -> None:
    """Reject text that is not valid Unicode (a lone surrogate, written `\\ud800` in JSON or
    Turtle): it cannot be stored or written back. The same message in a dry run."""
    for value in strings:
        found = SURROGATE.search(value)
        if found:
            code = f"U+{ord(found.group()):04X}"
            escape = SURROGATE_ESCAPE.search(text)
            line = text.count("\n", 0, escape.start()) + 1 if escape else 0
            where = f"{source}:{line}" if line else source
            shown = SURROGATE.sub("\ufffd", value)[:60]
            raise FormatError(where, f"the string {shown!r} holds a lone surrogate ({code}), "
                                     "which is not valid Unicode text; correct the record")
