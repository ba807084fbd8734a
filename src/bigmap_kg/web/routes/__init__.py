"""The machine-facing routes: the SPARQL 1.1 protocol, the JSON-LD API and its collections,
dereferenceable IRIs and the ontology, dataset ingest and export, the planner API, the OpenAPI
page."""
