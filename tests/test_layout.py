"""The README's layout table names every package folder of src/bigmap_kg and every module in
it (issue 16, item 5: a newcomer finds each part where the table says)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "bigmap_kg"


def layout_rows() -> dict[str, str]:
    """Rows of the README's layout table: path → what it holds."""
    rows = {}
    for line in (ROOT / "README.md").read_text().splitlines():
        found = re.match(r"\| `([^`]+)` \| (.*) \|$", line)
        if found:
            rows[found.group(1)] = found.group(2)
    return rows


def package_folders() -> list[Path]:
    return sorted(p.parent for p in PACKAGE.rglob("__init__.py"))


def row_key(folder: Path) -> str:
    return f"src/{folder.relative_to(ROOT / 'src').as_posix()}/"


def test_every_package_folder_has_a_row() -> None:
    rows = layout_rows()
    missing = [row_key(p) for p in package_folders() if row_key(p) not in rows]
    assert not missing, f"README layout table lacks rows for {missing}"


def test_every_module_is_named_in_its_folders_row() -> None:
    rows = layout_rows()
    unnamed = []
    for folder in package_folders():
        row = rows.get(row_key(folder), "")
        for module in sorted(folder.glob("*.py")):
            if module.stem != "__init__" and f"`{module.stem}`" not in row:
                unnamed.append(module.relative_to(PACKAGE).as_posix())
        for sub in sorted(p for p in folder.iterdir() if p.is_dir() and p.name != "__pycache__"
                          and not (p / "__init__.py").exists()):
            if f"`{sub.name}/`" not in row and row_key(sub) not in rows:
                unnamed.append(sub.relative_to(PACKAGE).as_posix() + "/")
    assert not unnamed, f"README layout table does not name {unnamed}"
