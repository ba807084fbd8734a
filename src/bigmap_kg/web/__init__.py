"""The web service: SPARQL 1.1 protocol endpoint and JSON-LD views over the built store."""
