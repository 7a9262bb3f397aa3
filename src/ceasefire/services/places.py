"""Places of the gazetteer as a reader finds them: by any name, in any script, with typos."""

from __future__ import annotations

from dataclasses import dataclass

from ceasefire.domain.authorization import Viewer
from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.scenario import Place
from ceasefire.services.deployment import Deployment

MAX_QUERY = 200
MAX_RESULTS = 50


@dataclass(frozen=True)
class Found:
    place: Place
    name: str
    """the place's name for the reader (its audience and language)"""
    matched: str
    """the name the query matched, as written"""
    score: float


def search_places(dep: Deployment, viewer: Viewer, query: str, limit: int = 10) -> list[Found]:
    """Places whose names match `query`, best first, named for the viewer."""
    query = query.strip()
    if not query:
        raise InvalidInput("q", "type part of a place's name")
    if len(query) > MAX_QUERY:
        raise InvalidInput("q", f"must be at most {MAX_QUERY} characters")
    if "\x00" in query:
        raise InvalidInput("q", "must not contain NUL characters")
    if not 1 <= limit <= MAX_RESULTS:
        raise InvalidInput("limit", f"must be between 1 and {MAX_RESULTS}")
    scenario = dep.scenario
    found = []
    for match in dep.place_names.search(query, limit):
        place = scenario.place(match.place_id)
        if place is not None:
            name = scenario.name_of(place.names, viewer.audience, viewer.language)
            found.append(Found(place, name, match.name, round(match.score, 3)))
    return found
