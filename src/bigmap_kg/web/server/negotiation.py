"""Content negotiation by Accept header (and a `format=` parameter for browsers)."""

from __future__ import annotations

from functools import lru_cache

from ...media import FORMAT_ALIASES, GRAPH_FORMATS, RESULT_FORMATS, SYNONYMS


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """Media ranges with their q-values, best first (stable for equal q)."""
    if not header:
        return [("*/*", 1.0)]
    ranges = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            key, _, value = parameter.partition("=")
            if key.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((fields[0].lower(), quality, position))
    ranges.sort(key=lambda r: (-r[1], r[2]))
    return [(media, quality) for media, quality, _ in ranges if quality > 0]


def acceptable(header: str | None, offered: list[str] | tuple[str, ...] | dict) -> list[str]:
    """The offered media types the client accepts, in the client's order of preference."""
    chosen: list[str] = []
    for media, _ in parse_accept(header):
        media = SYNONYMS.get(media, media)
        if media == "*/*":
            matches = list(offered)
        elif media.endswith("/*"):
            matches = [o for o in offered if o.startswith(media[:-1])]
        else:
            matches = [o for o in offered if o == media]
        chosen += [m for m in matches if m not in chosen]
    return chosen


@lru_cache(maxsize=256)
def choose(accept: str | None, fmt: str | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Acceptable (result types, graph types); `format=` overrides Accept."""
    if fmt:
        media = FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        return ((media,) if media in RESULT_FORMATS else (),
                (media,) if media in GRAPH_FORMATS else ())
    return tuple(acceptable(accept, RESULT_FORMATS)), tuple(acceptable(accept, GRAPH_FORMATS))
