"""Named SPARQL files (queries/ and rules/): text, title, description and parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from .namespaces import PREFIXES, sparql_prologue

HEADER = re.compile(r"^#\s*(title|description|param)\s*:\s*(.*)$", re.IGNORECASE)
CONTINUATION = re.compile(r"^#\s{2,}(\S.*)$")
FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
SYNTAX_POSITION = re.compile(r"(?:at |line )(\d+)(?::| column )(\d+)")


class QueryFileError(Exception):
    """A query or rule file that cannot be used, with file and line."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path, self.line, self.message = path, line, message
        super().__init__(f"{path}{':' + str(line) if line else ''}: {message}")


@dataclass(frozen=True)
class Parameter:
    """A query parameter: a variable bound to an RDF term supplied by the caller."""

    name: str
    kind: str  # "iri" or "literal"
    description: str


@dataclass
class QueryFile:
    """A .rq file with its header comments parsed."""

    path: Path
    text: str
    title: str = ""
    description: str = ""
    parameters: list[Parameter] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query keyword after the prologue."""
        body = "\n".join(line.split("#", 1)[0] for line in self.text.splitlines())
        found = FORM.search(body)
        return found.group(1).upper() if found else "UNKNOWN"

    @classmethod
    def read(cls, path: Path) -> QueryFile:
        text = path.read_text(encoding="utf-8")
        query = cls(path=path, text=text)
        last = None
        for line in text.splitlines():
            if not line.startswith("#"):
                continue
            match = HEADER.match(line)
            if match:
                key, value = match.group(1).lower(), match.group(2).strip()
                if key == "param":
                    query.parameters.append(_parse_parameter(path, value))
                else:
                    setattr(query, key, value)
                last = key
            elif last in {"title", "description"} and (cont := CONTINUATION.match(line)):
                setattr(query, last, f"{getattr(query, last)} {cont.group(1).strip()}")
        if not query.title:
            raise QueryFileError(path, 1, "missing '# title:' comment")
        return query

    def check_syntax(self) -> None:
        """Parse the query (with the project prefixes); errors point at the file's own line."""
        try:
            ox.Store().query(self.text, prefixes=PREFIXES)
        except SyntaxError as error:
            message = str(error)
            found = SYNTAX_POSITION.search(message)
            line = int(found.group(1)) if found else None
            if found:
                message = SYNTAX_POSITION.sub(f"line {line} column {found.group(2)}", message, 1)
            raise QueryFileError(self.path, line, f"SPARQL syntax error: {message}") from None


def _parse_parameter(path: Path, spec: str) -> Parameter:
    """`# param: ?technique iri  the technique to look up`."""
    parts = spec.split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("?"):
        raise QueryFileError(path, None, f"bad '# param:' line {spec!r}; "
                             "expected '?name iri|literal[:datatype] description'")
    description = parts[2] if len(parts) > 2 else ""
    return Parameter(name=parts[0][1:], kind=parts[1], description=description)


SPARQL_DIR = Path(__file__).parent / "sparql"


@cache
def view(name: str) -> str:
    """A query the code runs (a view of the graph for the API, a page, the planner, the ingest)
    from src/bigmap_kg/sparql/, with the project's prefixes."""
    return sparql_prologue() + QueryFile.read(SPARQL_DIR / f"{name}.rq").text
