"""The store the project reads and writes: one interface (`base.GraphStore`), two kinds —
the embedded pyoxigraph store on disk (`embedded`, written in generations: `generations`) and
a remote SPARQL 1.1 server (`remote`, with Virtuoso's answers normalised: `virtuoso`).
`connect` is the one place that opens the configured one."""

from __future__ import annotations

import os
from pathlib import Path

from .base import GraphStore, QueryResult, StoreMissingError, graphs_for, ontology_graph
from .embedded import LiveStore, open_store
from .remote import RemoteStore, remote_credentials

__all__ = ["GraphStore", "LiveStore", "QueryResult", "RemoteStore", "StoreMissingError",
           "connect", "graphs_for", "ontology_graph", "open_store"]


def connect(link: Path | None = None) -> GraphStore:
    """The configured store: remote when BIGMAP_KG_STORE_URL names a SPARQL query endpoint
    (update, Graph Store endpoints and credentials from the other BIGMAP_KG_STORE_* variables),
    else the embedded one behind the `store` symlink."""
    env = os.environ
    url = env.get("BIGMAP_KG_STORE_URL")
    if not url:
        return LiveStore(link)
    return RemoteStore.from_url(url, env.get("BIGMAP_KG_STORE_UPDATE_URL"),
                                env.get("BIGMAP_KG_STORE_GSP_URL"), **remote_credentials())
