"""Distances from a record to the nearest settlement, the nearest post and the line of
contact: in metres, the vectorised path equal to the plain one, and within 1 m of the
geodesic distances PROJ computes by brute force and of PostGIS's on `geography`."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

import numpy as np
import pytest
from pyproj import Geod
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from ceasefire.domain.geography import Geography, line_of_contact
from ceasefire.domain.scenario import Scenario

from .conftest import _postgres_database, require

WGS84 = Geod(ellps="WGS84")
POINTS = 300


@pytest.fixture(scope="module")
def geography(reference_scenario: Scenario) -> Geography:
    lat, lon = reference_scenario.info.map.center
    return Geography((lat, lon), reference_scenario.places, line_of_contact(reference_scenario))


@pytest.fixture(scope="module")
def points() -> tuple[list[float], list[float]]:
    """Records scattered over the scenario's area (Nagorno-Karabakh and around it), and
    one whose nearest point of the line is where its second part begins (locating it along
    the whole line, then interpolating, once gave the first part's end, 600 m off)."""
    chooser = random.Random(11)
    return (
        [chooser.uniform(39.3, 40.4) for _ in range(POINTS)] + [39.77371275573272],
        [chooser.uniform(46.2, 47.3) for _ in range(POINTS)] + [46.72029611605603],
    )


def test_the_pack_has_settlements_posts_and_a_line(geography: Geography) -> None:
    assert len(geography.settlements) > 15 and len(geography.posts) > 20
    assert not np.isnan(geography.enrich([39.8], [46.75]).line_metres).any()


def test_the_vectorised_path_agrees_with_the_plain_one(geography: Geography, points) -> None:  # type: ignore[no-untyped-def]
    lats, lons = points
    together = geography.enrich(lats, lons)
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        alone = geography.enrich_one(lat, lon)
        assert alone.settlement == together.settlement.index[i]
        assert alone.post == together.post.index[i]
        assert alone.settlement_metres == pytest.approx(together.settlement.metres[i], abs=1e-6)
        assert alone.post_metres == pytest.approx(together.post.metres[i], abs=1e-6)
        assert alone.line_metres == pytest.approx(together.line_metres[i], abs=1e-6)


def test_nearest_places_are_the_geodesically_nearest_within_a_metre(geography, points) -> None:  # type: ignore[no-untyped-def]
    lats, lons = points
    found = geography.enrich(lats, lons)
    for kind, places, nearest in (
        ("settlement", geography.settlements, found.settlement),
        ("post", geography.posts, found.post),
    ):
        place_lats = [p.lat for p in places]
        place_lons = [p.lon for p in places]
        for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
            _, _, every = WGS84.inv(
                [lon] * len(places), [lat] * len(places), place_lons, place_lats
            )
            assert nearest.metres[i] == pytest.approx(min(every), abs=1.0), (kind, lat, lon)


def densified(line: list[tuple[float, float]], step: float = 5.0) -> list[tuple[float, float]]:
    """The line's geodesic segments as positions every `step` metres."""
    out = [line[0]]
    for (lon1, lat1), (lon2, lat2) in itertools.pairwise(line):
        length = WGS84.inv(lon1, lat1, lon2, lat2)[2]
        between = WGS84.npts(lon1, lat1, lon2, lat2, int(length // step))
        out += [*between, (lon2, lat2)]
    return out


def test_distance_to_the_line_is_the_geodesic_one_within_a_metre(  # type: ignore[no-untyped-def]
    geography, points, reference_scenario
) -> None:
    lats, lons = points[0][:60] + points[0][-1:], points[1][:60] + points[1][-1:]
    found = geography.enrich(lats, lons)
    line = [p for part in line_of_contact(reference_scenario) for p in densified(part)]
    line_lons, line_lats = [p[0] for p in line], [p[1] for p in line]
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        _, _, every = WGS84.inv([lon] * len(line), [lat] * len(line), line_lons, line_lats)
        assert found.line_metres[i] == pytest.approx(min(every), abs=1.0), (lat, lon)


@pytest.fixture(scope="module")
def postgis() -> Iterator[str]:
    for url in _postgres_database():
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            available = True
        except DBAPIError:
            available = False
        finally:
            engine.dispose()
        require(available, "PostGIS: apt-get install postgresql-15-postgis-3")
        yield url


def test_distances_agree_with_postgis_geography_within_a_metre(  # type: ignore[no-untyped-def]
    geography, points, reference_scenario, postgis
) -> None:
    """To settlements, always. To the line, for all but the odd point whose nearest point of
    the line is a vertex: there PostGIS (which finds the closest point on a sphere, then
    measures on the spheroid) comes out a few metres longer than the exact geodesic distance
    to that vertex, which is what we report (checked by brute force above)."""
    lats, lons = points
    found = geography.enrich(lats, lons)
    line = line_of_contact(reference_scenario)
    wkt = (
        "MULTILINESTRING("
        + ",".join("(" + ",".join(f"{x} {y}" for x, y in part) + ")" for part in line)
        + ")"
    )
    off: list[tuple[float, float]] = []
    engine = create_engine(postgis)
    try:
        with engine.connect() as conn:
            for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
                settlement = geography.settlements[found.settlement.index[i]]
                to_settlement, to_line = conn.execute(
                    text(
                        "SELECT ST_Distance(ST_MakePoint(:lon, :lat)::geography,"
                        " ST_MakePoint(:plon, :plat)::geography),"
                        " ST_Distance(ST_MakePoint(:lon, :lat)::geography,"
                        " ST_GeogFromText(:line))"
                    ),
                    {"lon": lon, "lat": lat, "plon": settlement.lon, "plat": settlement.lat,
                     "line": f"SRID=4326;{wkt}"},
                ).one()  # fmt: skip
                assert found.settlement.metres[i] == pytest.approx(to_settlement, abs=1.0)
                if abs(found.line_metres[i] - to_line) > 1.0:
                    off.append((found.line_metres[i], to_line))
    finally:
        engine.dispose()
    assert len(off) <= len(lats) // 100, off
    assert all(ours < theirs < ours + 5 for ours, theirs in off), off
