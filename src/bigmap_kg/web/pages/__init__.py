"""The pages for people, server-rendered: the matrix, the cell index, the Tier 1 plan, the
competence map, the planner, comparison, search, entity pages, the SPARQL editor (`shared`:
what they share; `facets`: the one facet engine)."""
