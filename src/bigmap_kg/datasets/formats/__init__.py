"""The ingest formats: recognise a record's format and map it to our model (a list of Records).

Each format module offers `detect(document) -> bool` (on the parsed JSON, for JSON formats) and
`read(document, source, vocabulary) -> list[Record]`. A reader raises `FormatError` for input it
cannot map (with what is wrong); gaps it can map around become notes on the record.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    for fmt in json_formats():
        if fmt.detect(document):
            return fmt.read(document, source, vocabulary)
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
            return archive.read(sorted(names, key=len)[0])
    except zipfile.BadZipFile as error:
        raise FormatError(source, f"not a valid zip: {error}") from None
