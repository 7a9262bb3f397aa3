"""Where a record stands: its side of the line, its zone and the hazard areas near it, worked
out when it is written, filtered on, shown on its page, and worked out again for every record
when the mission records a new version of the line."""

from __future__ import annotations

import copy
import json
import random
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import shapely
import yaml
from pyproj import Transformer

from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.geography import (
    BEYOND,
    Geography,
    hazard_areas,
    pack_geography,
    read_line,
)
from ceasefire.domain.incidents import IncidentDraft
from ceasefire.domain.scenario import Scenario
from ceasefire.services import geography, incidents, log
from ceasefire.store import log as log_store

from .builders import violation
from .conftest import REFERENCE_PACK
from .test_cli import run as run  # the fixture

AT = datetime(2021, 4, 12, tzinfo=UTC)
PARTIES = {"armenia", "azerbaijan", "karabakh-armenians", "russia", "turkey"}


@pytest.fixture(scope="module")
def geo(reference_scenario: Scenario) -> Geography:
    return pack_geography(reference_scenario)


@pytest.fixture(scope="module")
def points(reference_scenario: Scenario) -> tuple[list[float], list[float]]:
    """Records over the whole area, and more of them close to the hazard areas."""
    chooser = random.Random(5)
    lats = [chooser.uniform(39.3, 40.4) for _ in range(300)]
    lons = [chooser.uniform(46.0, 47.3) for _ in range(300)]
    for area in hazard_areas(reference_scenario):
        x, y = area.rings[0][0]
        for _ in range(60):
            lons.append(x + chooser.uniform(-0.03, 0.03))
            lats.append(y + chooser.uniform(-0.03, 0.03))
    return lats, lons


# --- the domain: sides, zones, hazards -----------------------------------------------------


@pytest.mark.parametrize(
    ("place_id", "party"),
    [
        ("stepanakert", "karabakh-armenians"),
        ("martakert", "karabakh-armenians"),
        ("goris", "armenia"),
        ("aghdam", "azerbaijan"),
        ("fizuli", "azerbaijan"),
        ("kelbajar", "azerbaijan"),
    ],
)
def test_reference_towns_are_on_their_sides(
    geo: Geography, reference_scenario: Scenario, place_id: str, party: str
) -> None:
    place = reference_scenario.place(place_id)
    assert place is not None
    (found,) = geo.stand([place.lat], [place.lon], 1, AT)
    assert found.side == party


def test_the_vectorised_path_agrees_with_the_plain_one(geo: Geography, points) -> None:  # type: ignore[no-untyped-def]
    lats, lons = points
    together = geo.enrich(lats, lons)
    for i, (lat, lon) in enumerate(zip(lats, lons, strict=True)):
        alone = geo.enrich_one(lat, lon)
        assert (alone.side, alone.zone) == (together.side[i], together.zone[i]), (lat, lon)
        assert alone.hazards == together.hazards[i], (lat, lon)
    assert {int(s) for s in together.side} >= {0, 1, 2}  # every side is met
    assert any(together.hazards)


def test_zones_are_the_bands_of_distance_from_the_line(geo: Geography, points) -> None:  # type: ignore[no-untyped-def]
    lats, lons = points
    found = geo.stand(lats, lons, 1, AT)
    bands = [(z.id, z.within_metres) for z in geo.zones]
    assert [b for _, b in bands] == [500, 2000, 10000]
    seen = set()
    for standing in found:
        assert standing.line_metres is not None
        expected = next((z for z, within in bands if standing.line_metres < within), BEYOND)
        assert standing.zone == expected
        seen.add(expected)
    assert seen == {"contact", "forward", "near-rear", BEYOND}


def test_hazards_are_those_within_the_radius_measured_in_another_projection(
    geo: Geography, points, reference_scenario: Scenario
) -> None:  # type: ignore[no-untyped-def]
    """UTM zone 38N, not the service's azimuthal projection: the two agree but at the edge."""
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32638", always_xy=True)
    areas = hazard_areas(reference_scenario)
    polygons = []
    for area in areas:
        xs, ys = to_utm.transform(*zip(*area.rings[0], strict=True))
        polygons.append(shapely.Polygon(list(zip(xs, ys, strict=True))))
    lats, lons = points
    found = geo.stand(lats, lons, 1, AT)
    checked = 0
    for lat, lon, standing in zip(lats, lons, found, strict=True):
        point = shapely.Point(*to_utm.transform(lon, lat))
        for area, polygon in zip(areas, polygons, strict=True):
            metres = polygon.distance(point)
            if abs(metres - geo.hazard_radius) < 5:
                continue  # too close to the edge to call in either projection
            assert (area.id in standing.hazards) == (metres <= geo.hazard_radius), (lat, lon)
            checked += 1
    assert checked > 1000


def test_without_a_line_nothing_is_measured_from_it(reference_scenario: Scenario) -> None:
    bare = Geography(reference_scenario.info.map.center, reference_scenario.places)
    (found,) = bare.stand([39.8], [46.75], 1, AT)
    assert (found.line_metres, found.zone, found.side) == (None, None, None)
    assert found.settlement_id == "stepanakert"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.update(type="Feature"), "type"),
        (lambda d: d.update(features={}), "features"),
        (lambda d: d["features"].__setitem__(0, {"type": "Feature"}), "features[0].geometry"),
        (
            lambda d: d["features"][0]["geometry"].update(type="Point"),
            "features[0].geometry.type",
        ),
        (
            lambda d: d["features"][0]["geometry"].update(coordinates=[[46.6, 40.2]]),
            "features[0].geometry.coordinates",
        ),
        (
            lambda d: d["features"][0]["geometry"].update(coordinates=[[46.6, 40.2], [246, 1]]),
            "features[0].geometry.coordinates",
        ),
        (lambda d: d["features"][2]["properties"].pop("party"), "features[2].properties.party"),
        (
            lambda d: d["features"][2]["properties"].update(party="atlantis"),
            "features[2].properties.party",
        ),
        (lambda d: d.update(features=d["features"][2:]), "features"),
    ],
)
def test_a_drawing_of_the_line_is_checked_feature_by_feature(
    reference_scenario: Scenario, change: Any, field: str
) -> None:
    document = copy.deepcopy(_pack_drawing(reference_scenario))
    change(document)
    with pytest.raises(InvalidInput) as caught:
        read_line(document, PARTIES)
    assert caught.value.field == field


# --- records: placed as written, filtered, shown -------------------------------------------


SPOTS = {
    "on-the-line-at-taghavard": (39.667, 46.918),
    "orchard-east-of-taghavard": (39.676, 46.93),
    "stepanakert-centre": (39.8177, 46.7528),
    "aghdam-ruins": (39.99096, 46.92736),
    "goris": (39.51288, 46.33816),
    "below-khramort": (40.012, 46.828),
}


def _report(dep, viewer, name: str) -> str:  # type: ignore[no-untyped-def]
    lat, lon = SPOTS[name]
    body = violation(location={"point": {"lat": lat, "lon": lon}, "precision": "exact"})
    body["title"] = name
    draft = IncidentDraft.model_validate(body)
    return incidents.report_incident(dep, viewer("jmc.duty"), draft).id


def test_a_reported_incident_carries_where_it_stands(client, auth, dep, viewer) -> None:  # type: ignore[no-untyped-def]
    incident_id = _report(dep, viewer, "orchard-east-of-taghavard")
    shown = client.get(f"/api/v1/incidents/{incident_id}", headers=auth("am.liaison")).json()
    standing = shown["geography"]
    assert standing["line_version"] == 1 and standing["line_illustrative"] is True
    assert standing["zone"]["id"] == "forward" and 500 <= standing["line_metres"] < 2000
    assert standing["zone"]["name"] == "Առաջնային գոտի (500 մ-ից 2 կմ)"
    assert standing["settlement"]["id"] == "taghavard"
    assert standing["settlement"]["name"] == "Թաղավարդ"
    assert standing["post"] is not None and standing["post"]["metres"] > 0
    assert [h["id"] for h in standing["hazards"]] == ["hazard-taghavard-orchards"]
    assert standing["hazards"][0]["name"].startswith("Ենթադրաբար ականապատված այգիներ")
    assert standing["side"] == {"party": "karabakh-armenians", "name": "Արցախ"}


def test_a_correction_that_moves_the_record_moves_its_standing(client, auth, dep, viewer) -> None:  # type: ignore[no-untyped-def]
    incident_id = _report(dep, viewer, "orchard-east-of-taghavard")
    body = violation(location={"point": {"lat": 39.8177, "lon": 46.7528}, "precision": "exact"})
    incidents.correct_incident(
        dep,
        viewer("jmc.duty"),
        incident_id,
        IncidentDraft.model_validate(body),
        base_version=1,
        reason="the impacts were in the town",
    )
    standing = client.get(f"/api/v1/incidents/{incident_id}", headers=auth("jmc.duty")).json()[
        "geography"
    ]
    assert standing["settlement"]["id"] == "stepanakert"
    assert standing["side"]["party"] == "karabakh-armenians" and standing["hazards"] == []


def test_filters_by_zone_side_and_distance_return_exactly_the_matching_records(  # type: ignore[no-untyped-def]
    client, auth, dep, viewer, geo
) -> None:
    ids = {name: _report(dep, viewer, name) for name in SPOTS}
    expected = {name: geo.enrich_one(*SPOTS[name]) for name in SPOTS}  # the plain path
    zone_ids = [z.id for z in geo.zones] + [BEYOND]
    parties = [area.label for area in geo.sides]

    def listed(**params: Any) -> set[str]:
        response = client.get("/api/v1/incidents", params=params, headers=auth("jmc.duty"))
        assert response.status_code == 200, response.text
        return {item["record"]["title"] for item in response.json()["items"]}

    for zone in zone_ids:
        want = {n for n, e in expected.items() if zone_ids[e.zone] == zone}
        assert listed(zone=zone) == want, zone
    for party in ("karabakh-armenians", "azerbaijan", "armenia"):
        want = {n for n, e in expected.items() if e.side >= 0 and parties[e.side] == party}
        assert listed(side=party) == want, party
    assert listed(side="armenia") == {"goris"}
    for within in (300, 1500, 8000):
        want = {n for n, e in expected.items() if e.line_metres <= within}
        assert listed(within_line=within) == want, within
    both = listed(zone=["contact", "forward"], side="karabakh-armenians")
    assert both <= listed(side="karabakh-armenians") and both
    assert len(ids) == len(SPOTS)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"zone": "trenches"}, "zone"),
        ({"side": "atlantis"}, "side"),
        ({"within_line": "-1"}, "within_line"),
        ({"within_line": "nan"}, "within_line"),
        ({"within_line": "1e12"}, "within_line"),
    ],
)
def test_bad_geography_filters_name_the_field(client, auth, params, field) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/incidents", params=params, headers=auth("jmc.duty"))
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["error"])


def test_the_incident_page_shows_where_it_stands_in_the_readers_language(  # type: ignore[no-untyped-def]
    browser_for, dep, viewer
) -> None:
    incident_id = _report(dep, viewer, "orchard-east-of-taghavard")
    page = browser_for("az.liaison").get(f"/incidents/{incident_id}").text
    assert "Ön zona (500 m-dən 2 km-ə qədər)" in page
    assert "Minalandığı ehtimal edilən bağlar (Tağaverd)" in page
    russian = browser_for("rpk.duty").get(f"/incidents/{incident_id}").text
    assert "Прифронтовая зона (от 500 м до 2 км)" in russian
    assert "от линии" in russian


def test_the_incident_list_page_filters_by_zone(browser_for, dep, viewer) -> None:  # type: ignore[no-untyped-def]
    for name in ("goris", "on-the-line-at-taghavard"):
        _report(dep, viewer, name)
    page = browser_for("jmc.duty").get("/incidents", params={"zone": "contact"}).text
    assert "on-the-line-at-taghavard" in page and ">goris<" not in page
    bad = browser_for("jmc.duty").get("/incidents", params={"within_line": "far"}).text
    assert "within_line" in bad


# --- the line's versions --------------------------------------------------------------------


def _pack_drawing(scenario: Scenario) -> dict[str, Any]:
    return scenario.layer_geojson["layers/line-of-contact.geojson"]


def _moved_east(scenario: Scenario, degrees: float) -> dict[str, Any]:
    """The pack's drawing with every position moved east."""
    document = copy.deepcopy(_pack_drawing(scenario))

    def move(value: Any) -> Any:
        if isinstance(value, list) and value and isinstance(value[0], int | float):
            return [value[0] + degrees, value[1]]
        return [move(v) for v in value]

    for feature in document["features"]:
        feature["geometry"]["coordinates"] = move(feature["geometry"]["coordinates"])
    return document


def test_a_new_line_version_places_every_record_again(  # type: ignore[no-untyped-def]
    client, auth, dep, viewer, reference_scenario, browser_for
) -> None:
    ids = [_report(dep, viewer, name) for name in SPOTS]
    before = {i: incidents.get_incident(dep, viewer("jmc.duty"), i).standing for i in ids}
    body = {
        "provenance": "Survey by the joint monitoring centre, 12 April 2021 (test)",
        "illustrative": False,
        "drawing": _moved_east(reference_scenario, 0.01),
    }
    response = client.post("/api/v1/geo/lines", json=body, headers=auth("admin"))
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 2 and response.json()["records_placed"] == len(ids)
    for incident_id in ids:
        after = incidents.get_incident(dep, viewer("jmc.duty"), incident_id).standing
        old = before[incident_id]
        assert after is not None and old is not None
        assert after.line_version == 2 and old.line_version == 1
        assert after.line_metres != old.line_metres
        assert after.settlement_id == old.settlement_id  # places did not move
    versions = client.get("/api/v1/geo/lines", headers=auth("az.liaison")).json()["items"]
    assert [(v["version"], v["illustrative"]) for v in versions] == [(1, True), (2, False)]
    assert versions[1]["recorded_by"] == "admin"
    drawn = client.get("/api/v1/geo/lines/2", headers=auth("am.liaison")).json()
    assert drawn["type"] == "FeatureCollection" and drawn["line_version"]["version"] == 2
    assert client.get("/api/v1/geo/lines/3", headers=auth("am.liaison")).status_code == 404
    new = _report(dep, viewer, "goris")
    placed = incidents.get_incident(dep, viewer("jmc.duty"), new).standing
    assert placed is not None and placed.line_version == 2
    page = browser_for("az.liaison").get("/geo/lines").text
    assert "Survey by the joint monitoring centre, 12 April 2021 (test)" in page
    assert "Təmas xəttinin versiyaları" in page
    drawing = browser_for("az.liaison").get("/geo/lines/2.geojson").json()
    assert drawing == body["drawing"]
    # the new version is a public leaf of the log, which the audit recomputes
    with dep.db.read() as conn:
        (leaf,) = log_store.leaves_of(conn, "line", ["line-of-contact"])
    assert leaf.version == 2 and b"Survey by the joint monitoring centre" in leaf.data
    assert log.audit(dep).problems == []


@pytest.mark.parametrize("user", ["jmc.duty", "am.liaison", "az.liaison", "icrc.caseworker"])
def test_only_the_missions_administrators_record_the_line(  # type: ignore[no-untyped-def]
    client, auth, reference_scenario, user
) -> None:
    body = {
        "provenance": "mine",
        "illustrative": True,
        "drawing": _pack_drawing(reference_scenario),
    }
    response = client.post("/api/v1/geo/lines", json=body, headers=auth(user))
    assert response.status_code == 403, response.text
    assert len(client.get("/api/v1/geo/lines", headers=auth(user)).json()["items"]) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda b: b.update(provenance="   "), "provenance"),
        (lambda b: b.pop("illustrative"), "illustrative"),
        (lambda b: b["drawing"]["features"][2]["properties"].update(party="x"), "party"),
        (lambda b: b["drawing"].update(features=[]), "features"),
        (lambda b: b.update(extra=1), "extra"),
    ],
)
def test_a_bad_line_is_refused_naming_the_field_and_records_nothing(  # type: ignore[no-untyped-def]
    client, auth, reference_scenario, change, field
) -> None:
    body = {
        "provenance": "test",
        "illustrative": True,
        "drawing": copy.deepcopy(_pack_drawing(reference_scenario)),
    }
    change(body)
    response = client.post("/api/v1/geo/lines", json=body, headers=auth("admin"))
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["error"])
    assert len(client.get("/api/v1/geo/lines", headers=auth("admin")).json()["items"]) == 1


def test_zones_and_a_points_standing_answer_in_the_callers_language(client, auth) -> None:  # type: ignore[no-untyped-def]
    zones = client.get("/api/v1/geo/zones", headers=auth("rpk.duty")).json()
    assert [f["properties"]["zone"] for f in zones["features"]] == [
        "contact",
        "forward",
        "near-rear",
    ]
    assert zones["features"][0]["properties"]["name"] == "Зона соприкосновения (до 500 м)"
    for feature in zones["features"]:
        assert shapely.geometry.shape(feature["geometry"]).is_valid
    found = client.get(
        "/api/v1/geo/standing", params={"lat": 39.8177, "lon": 46.7528}, headers=auth("az.liaison")
    ).json()
    assert found["settlement"]["name"] == "Xankəndi"
    bad = client.get(
        "/api/v1/geo/standing", params={"lat": 95, "lon": 46.7}, headers=auth("az.liaison")
    )
    assert bad.status_code == 422 and "lat" in json.dumps(bad.json()["error"])


def test_the_cli_records_a_line_and_places_the_records_again(  # type: ignore[no-untyped-def]
    run, dep, viewer, reference_scenario, tmp_path: Path
) -> None:
    incident_id = _report(dep, viewer, "aghdam-ruins")
    drawing = tmp_path / "line.geojson"
    drawing.write_text(json.dumps(_moved_east(reference_scenario, -0.005)))
    added = run(
        "geo", "line", "add", str(drawing), "--as", "admin", "--provenance", "CLI test survey"
    )
    assert added.exit_code == 0, added.output
    assert "Version 2" in added.output and "1 records placed" in added.output
    listed = run("geo", "line", "list")
    assert "CLI test survey" in listed.output and "admin" in listed.output
    shown = json.loads(run("geo", "line", "show", "2").stdout)
    assert shown["type"] == "FeatureCollection"
    again = run("geo", "reenrich")
    assert again.exit_code == 0 and "1 records placed" in again.output
    refused = run("geo", "line", "add", str(drawing), "--as", "jmc.duty", "--provenance", "x")
    assert refused.exit_code == 2 and "administrators" in refused.output
    standing = incidents.get_incident(dep, viewer("jmc.duty"), incident_id).standing
    assert standing is not None and standing.line_version == 2
    listed_json = json.loads(
        run("incident", "list", "--as", "jmc.duty", "--side", "azerbaijan", "--json").stdout
    )
    assert [i["id"] for i in listed_json["items"]] == [incident_id]


def test_replacing_reports_progress_to_the_end(dep, viewer) -> None:  # type: ignore[no-untyped-def]
    for name in SPOTS:
        _report(dep, viewer, name)
    seen: list[tuple[int, int]] = []
    assert geography.replace_all(dep, lambda done, total: seen.append((done, total))) == 6
    assert seen[-1] == (6, 6)


def test_a_packs_geography_is_validated_with_file_and_key(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pack = tmp_path / "pack"
    shutil.copytree(REFERENCE_PACK, pack)
    layers = yaml.safe_load((pack / "layers.yaml").read_text(encoding="utf-8"))
    layers["geography"]["zones"][1]["id"] = "contact"
    layers["geography"]["zones"][2]["within_metres"] = -5
    layers["geography"]["hazard_radius_metres"] = "wide"
    (pack / "layers.yaml").write_text(yaml.safe_dump(layers, allow_unicode=True), "utf-8")
    line = json.loads((pack / "layers/line-of-contact.geojson").read_text(encoding="utf-8"))
    line["features"][3]["properties"]["party"] = "nobody"
    (pack / "layers/line-of-contact.geojson").write_text(json.dumps(line), encoding="utf-8")
    result = run("scenario", "validate", str(pack))
    assert result.exit_code == 1
    assert "layers.yaml: geography.zones.2.within_metres:" in result.output
    assert "layers.yaml: geography.hazard_radius_metres:" in result.output
    assert "layers/line-of-contact.geojson: features[3].properties.party:" in result.output
    layers["geography"]["zones"][2]["within_metres"] = 10000
    layers["geography"]["hazard_radius_metres"] = 1000
    (pack / "layers.yaml").write_text(yaml.safe_dump(layers, allow_unicode=True), "utf-8")
    shutil.copy(REFERENCE_PACK / "layers/line-of-contact.geojson", pack / "layers")
    again = run("scenario", "validate", str(pack))
    assert "layers.yaml: geography.zones[1].id: duplicate id 'contact'" in again.output
