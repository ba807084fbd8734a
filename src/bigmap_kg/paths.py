"""Where the project's inputs live and where the store is built (overridable by environment)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("BIGMAP_KG_ROOT", Path(__file__).resolve().parents[2]))
ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "data" / "ttl"
SHAPES_DIR = ROOT / "shapes"
RULES_DIR = ROOT / "rules"
QUERIES_DIR = ROOT / "queries"


def store_dir() -> Path:
    """The built store (a symlink swapped atomically by each successful build)."""
    return Path(os.environ.get("BIGMAP_KG_STORE", ROOT / "var" / "store"))
