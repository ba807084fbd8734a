"""The settings table of the README against the code (as Datasette tests its settings): every
`BIGMAP_KG_*` variable the code reads is documented, nothing documented is unread, and each
service setting is read from its variable with the default the README gives."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bigmap_kg.web.server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"BIGMAP_KG_[A-Z_]*[A-Z]")


def documented() -> dict[str, str]:
    """Variable → default, from the rows of the README's settings table."""
    rows: dict[str, str] = {}
    for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0].startswith("`BIGMAP_KG_"):
            for name in NAME.findall(cells[0]):
                rows[name] = cells[1].strip("`")
    return rows


def read_by_code() -> set[str]:
    return {name for path in (ROOT / "src").rglob("*.py")
            for name in NAME.findall(path.read_text(encoding="utf-8"))}


def test_every_variable_the_code_reads_is_documented_and_no_other() -> None:
    assert read_by_code() == set(documented())


SERVICE = {  # the service settings: a valid value for each, unlike its default
    "BIGMAP_KG_QUERY_TIMEOUT": "7", "BIGMAP_KG_MAX_RESULT_BYTES": "123",
    "BIGMAP_KG_MAX_QUERY_CHARS": "456", "BIGMAP_KG_QUERY_WORKERS": "5",
    "BIGMAP_KG_BASE_IRI": "https://example.org/", "BIGMAP_KG_PUBLIC_URL": "https://kg.example",
    "BIGMAP_KG_ALLOW_SERVICE": "1", "BIGMAP_KG_WRITE_TOKEN": "t",
    "BIGMAP_KG_MAX_UPLOAD_BYTES": "789", "BIGMAP_KG_MAX_BODY_BYTES": "321",
    "BIGMAP_KG_READ_TIMEOUT": "3", "BIGMAP_KG_COMPACT_AFTER": "0",
}


@pytest.mark.parametrize("name", sorted(SERVICE))
def test_each_service_setting_is_read_with_the_documented_default(name: str,
                                                                   monkeypatch) -> None:
    for other in SERVICE:
        monkeypatch.delenv(other, raising=False)
    default = Settings.from_env()
    monkeypatch.setenv(name, SERVICE[name])
    changed = [f for f in dataclasses.fields(Settings)
               if getattr(Settings.from_env(), f.name) != getattr(default, f.name)]
    assert len(changed) == 1, f"{name} changes {[f.name for f in changed]}"
    value, text = getattr(default, changed[0].name), documented()[name]
    if isinstance(value, bool):
        assert value is False and text == "off"
    elif isinstance(value, int | float):
        assert float(text) == value
    elif value is None:
        assert text.startswith("(")
    else:
        assert text == value
