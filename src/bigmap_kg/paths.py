"""Where the project's inputs live and where the store is built (overridable by environment).

In a checkout the top-level folders (ontology/, data/ttl/, shapes/, rules/, queries/) are the
source of truth; an installed wheel carries a copy of them in `bigmap_kg/_data/` (see
pyproject.toml) and builds its store under the working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
PACKAGED = Path(__file__).resolve().parent / "_data"
#: a checkout when its ontology/ is there, else the copy inside the installed package
IN_CHECKOUT = (CHECKOUT / "ontology").is_dir() and (CHECKOUT / "pyproject.toml").is_file()
ROOT = Path(os.environ.get("BIGMAP_KG_ROOT", CHECKOUT if IN_CHECKOUT else PACKAGED))
ONTOLOGY_DIR = ROOT / "ontology"
DATA_DIR = ROOT / "data" / "ttl"
SHAPES_DIR = ROOT / "shapes"
RULES_DIR = ROOT / "rules"
QUERIES_DIR = ROOT / "queries"


def store_dir() -> Path:
    """The built store (a symlink swapped atomically by each successful build): var/store of
    the checkout, or of the working directory when installed from a wheel."""
    default = (CHECKOUT if IN_CHECKOUT else Path.cwd()) / "var" / "store"
    return Path(os.environ.get("BIGMAP_KG_STORE", default))
