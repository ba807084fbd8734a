"""The service's machinery, shared by every route: the query gateway, the door (hostile
input), settings, content negotiation, HEAD, compaction once writes go quiet."""
