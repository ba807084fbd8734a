"""bigmap-kg: the knowledge graph of the BIG-MAP battery characterisation platform."""

__version__ = "0.1.0"
