"""Data-management metadata: ingest records from repositories, link them to the D5.1 graph."""
