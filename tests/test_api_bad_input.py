"""Bad input to the incident API: every refusal is a 4xx in the error shape, names the field
at fault, and writes nothing; no input at all — wrong types, unknown references, times out
of range, malformed or oversized bodies, bad query parameters, stale versions, missing or
revoked tokens, arbitrary JSON or arbitrary bytes — makes the server fail (5xx)."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ceasefire.services import accounts
from ceasefire.services.deployment import Deployment
from ceasefire.store import tables

from .builders import violation

MONITOR = "jmc.ru.monitor"
OTHER_MONITOR = "jmc.tr.monitor"
INCIDENTS = "/api/v1/incidents"
MAX_BODY = 1_000_000  # Settings.max_body_bytes default, which the test settings keep
TOLERANCE = timedelta(seconds=300)  # future_tolerance_seconds of the test settings
JSON_HEADERS = {"Content-Type": "application/json"}


# --- helpers -------------------------------------------------------------------------------


def written(dep: Deployment) -> dict[str, int]:
    """Row counts of the tables a write to an incident touches."""
    with dep.db.read() as conn:
        return {
            name: conn.execute(
                select(func.count()).select_from(tables.metadata.tables[name])
            ).scalar_one()
            for name in ("incidents", "incident_versions", "corroborations")
        }


def error_of(response: Response) -> dict[str, Any]:
    """The `error` object of a refusal, after checking the error contract's shape."""
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"], body
    assert isinstance(error["message"], str) and error["message"], body
    if "field" in error:
        assert isinstance(error["field"], str) and error["field"], body
    return error  # type: ignore[no-any-return]


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def observation(**changes: Any) -> dict[str, Any]:
    """The valid body's observation with some fields changed (None sets the field to null)."""
    found = copy.deepcopy(violation()["observations"][0])
    found.update(changes)
    return found


def without(key: str) -> dict[str, Any]:
    body = violation()
    del body[key]
    return body


def report(client: TestClient, auth: Any, **changes: Any) -> dict[str, Any]:
    response = client.post(INCIDENTS, headers=auth(MONITOR), json=violation(**changes))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def cursor_of(value: Any) -> str:
    """A cursor forged the way the service encodes its own (url-safe base64 of JSON)."""
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


# --- 1. invalid bodies for POST /api/v1/incidents ------------------------------------------

IN_AN_HOUR = (now() + timedelta(hours=1)).isoformat()
LATER_STILL = (now() + timedelta(hours=1, minutes=10)).isoformat()
LOCAL_NAIVE = (now() - timedelta(hours=3)).replace(tzinfo=None).isoformat()
BEFORE_START = (now() - timedelta(hours=4)).isoformat()

INVALID_REPORTS = [
    # wrong types
    pytest.param(violation(title=12), 422, "title", id="title_is_a_number"),
    pytest.param(
        violation(observations=[observation(count="four")]),
        422,
        "observations.0.count",
        id="count_is_a_string",
    ),
    pytest.param(violation(started_at="yesterday"), 422, "started_at", id="started_at_not_a_date"),
    # references the deployment does not know
    pytest.param(violation(category="bombardment"), 422, "category", id="unknown_category"),
    pytest.param(
        violation(location={"place_id": "atlantis", "precision": "near_town"}),
        422,
        "location.place_id",
        id="unknown_place_id",
    ),
    pytest.param(
        violation(actors=[{"organisation_id": "no-such-org", "role": "alleged_perpetrator"}]),
        422,
        "actors.0.organisation_id",
        id="unknown_actor_organisation",
    ),
    pytest.param(
        violation(sources=[{"organisation_id": "no-such-org", "channel": "drone"}]),
        422,
        "sources.0.organisation_id",
        id="unknown_source_organisation",
    ),
    pytest.param(
        # restricted_to needs a restricted record, so the classification changes with it
        violation(classification="restricted", restricted_to=["mod-armenia", "no-such-org"]),
        422,
        "restricted_to.1",
        id="unknown_reader_organisation",
    ),
    # coordinates
    pytest.param(
        violation(location={"point": {"lat": 91, "lon": 46.5}, "precision": "exact"}),
        422,
        "location.point.lat",
        id="latitude_91",
    ),
    pytest.param(
        violation(location={"point": {"lat": 40.0, "lon": -181}, "precision": "exact"}),
        422,
        "location.point.lon",
        id="longitude_minus_181",
    ),
    pytest.param(
        violation(location={"point": {"lat": "NaN", "lon": 46.5}, "precision": "exact"}),
        422,
        "location.point.lat",
        id="latitude_nan_as_string",
    ),
    # times
    pytest.param(
        # an hour ahead is beyond the 5-minute tolerance; ended_at goes so it cannot be earlier
        violation(started_at=IN_AN_HOUR, ended_at=None),
        422,
        "started_at",
        id="started_at_in_the_future",
    ),
    pytest.param(
        violation(observations=[observation(window_start=IN_AN_HOUR, window_end=LATER_STILL)]),
        422,
        "observations.0.window_start",
        id="observation_window_in_the_future",
    ),
    pytest.param(
        violation(started_at=LOCAL_NAIVE), 422, "started_at", id="naive_datetime_without_offset"
    ),
    pytest.param(
        violation(ended_at=BEFORE_START), 422, "ended_at", id="ended_at_before_started_at"
    ),
    pytest.param(
        # one of the first hours of year 1 in a zone east of UTC is in year 0 in UTC
        violation(started_at="0001-01-01T00:30:00+01:00", ended_at=None),
        422,
        "started_at",
        id="started_at_before_year_1_in_utc",
    ),
    # observations
    pytest.param(
        # `livestock` has no `violation: true` in taxonomy.yaml, so it takes no observations
        violation(category="livestock"),
        422,
        "observations",
        id="observation_on_a_non_violation_category",
    ),
    pytest.param(
        violation(observations=[observation(explosion=None)]),
        422,
        "observations.0.explosion",
        id="explosion_without_its_kind",
    ),
    # counts, shape
    pytest.param(
        violation(casualties={"civilian_killed": -1}),
        422,
        "casualties.civilian_killed",
        id="negative_casualty_count",
    ),
    pytest.param(violation(severity="high"), 422, "severity", id="unknown_top_level_field"),
    pytest.param(
        violation(location={"place_id": "taghavard", "precision": "near_town", "altitude": 900}),
        422,
        "location.altitude",
        id="unknown_nested_field",
    ),
    pytest.param(
        violation(observations=[observation(colour="red")]),
        422,
        "observations.0.colour",
        id="unknown_field_in_an_observation",
    ),
    pytest.param(without("title"), 422, "title", id="missing_title"),
    pytest.param(without("started_at"), 422, "started_at", id="missing_started_at"),
    pytest.param(
        violation(restricted_to=["mod-armenia"]),
        422,
        "restricted_to",
        id="restricted_to_on_a_public_record",
    ),
    pytest.param(violation(title="x" * 201), 422, "title", id="title_of_201_characters"),
    pytest.param(violation(title="   "), 422, "title", id="title_only_blanks"),
    pytest.param(violation(title="Mortar\x00impacts"), 422, "title", id="title_with_nul_character"),
    pytest.param(
        violation(attachments=[{"sha256": "ab" * 32, "filename": "crater.png"}]),
        422,
        "attachments.0.sha256",
        id="attachment_never_uploaded",
    ),
    pytest.param(
        violation(classification="secret"), 422, "classification", id="invalid_classification"
    ),
    pytest.param(
        violation(narrative={"fr": "Quatre impacts dans un verger."}),
        422,
        "narrative.fr",
        id="narrative_in_unsupported_language",
    ),
]


@pytest.mark.parametrize(("body", "status", "field"), INVALID_REPORTS)
def test_invalid_report_is_refused_naming_the_field_and_writes_nothing(  # type: ignore[no-untyped-def]
    client, auth, dep, body: dict[str, Any], status: int, field: str
) -> None:
    before = written(dep)
    response = client.post(INCIDENTS, headers=auth(MONITOR), json=body)
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["code"] == "invalid_input", error
    assert error.get("field") == field, error
    assert written(dep) == before


def test_the_valid_body_the_table_derives_from_is_accepted(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    before = written(dep)
    response = client.post(INCIDENTS, headers=auth(MONITOR), json=violation())
    assert response.status_code == 201, response.text
    after = written(dep)
    assert after["incidents"] == before["incidents"] + 1
    assert after["incident_versions"] == before["incident_versions"] + 1


def test_limits_themselves_are_accepted(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    """The refusals above are at the limits, not before them."""
    within_tolerance = (now() + TOLERANCE - timedelta(seconds=60)).isoformat()
    for body in (
        violation(title="x" * 200),
        violation(started_at=within_tolerance, ended_at=None),
        violation(location={"point": {"lat": 90, "lon": -180}, "precision": "exact"}),
        violation(casualties={"civilian_killed": 0, "military_injured": 1_000_000}),
        violation(classification="restricted", restricted_to=["mod-armenia"]),
    ):
        response = client.post(INCIDENTS, headers=auth(MONITOR), json=body)
        assert response.status_code == 201, (body, response.text)
    assert written(dep)["incidents"] == 5


def test_a_party_cannot_report_and_nothing_is_written(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    before = written(dep)
    response = client.post(INCIDENTS, headers=auth("am.liaison"), json=violation())
    assert response.status_code == 403, response.text
    assert error_of(response)["code"] == "forbidden"
    assert written(dep) == before


# --- 2. malformed JSON ---------------------------------------------------------------------

VALID_BYTES = json.dumps(violation()).encode()

MALFORMED_BODIES = [
    pytest.param(VALID_BYTES[: len(VALID_BYTES) // 2], 400, "malformed_json", id="truncated"),
    pytest.param(
        VALID_BYTES.replace(b"Mortar", b"Mor\xff\xfetar"),
        400,
        "malformed_json",
        id="invalid_utf8_bytes",
    ),
    pytest.param(b"{'title': 'single quotes'}", 400, "malformed_json", id="single_quotes"),
    pytest.param(b"", 422, "invalid_input", id="empty_body"),
    pytest.param(json.dumps([violation()]).encode(), 422, "invalid_input", id="top_level_array"),
    pytest.param(b"[]", 422, "invalid_input", id="empty_array"),
    pytest.param(b"null", 422, "invalid_input", id="null"),
    pytest.param(b'"a string"', 422, "invalid_input", id="top_level_string"),
    pytest.param(b"42", 422, "invalid_input", id="top_level_number"),
]


@pytest.mark.parametrize(("content", "status", "code"), MALFORMED_BODIES)
def test_malformed_json_is_a_client_error_and_writes_nothing(  # type: ignore[no-untyped-def]
    client, auth, dep, content: bytes, status: int, code: str
) -> None:
    before = written(dep)
    response = client.post(INCIDENTS, headers={**auth(MONITOR), **JSON_HEADERS}, content=content)
    assert response.status_code == status, response.text
    assert error_of(response)["code"] == code
    assert written(dep) == before


# --- 3. size and depth ---------------------------------------------------------------------


def test_body_over_the_limit_is_refused_with_413(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps(violation(narrative={"en": "x" * MAX_BODY})).encode()
    assert len(body) > MAX_BODY
    before = written(dep)
    response = client.post(INCIDENTS, headers={**auth(MONITOR), **JSON_HEADERS}, content=body)
    assert response.status_code == 413, response.text
    assert error_of(response)["code"] == "too_large"
    assert written(dep) == before


def test_body_at_the_limit_is_read_and_one_byte_more_is_refused(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    valid = json.dumps(violation()).encode()
    at_limit = valid + b" " * (MAX_BODY - len(valid))  # trailing blanks are still valid JSON
    response = client.post(INCIDENTS, headers={**auth(MONITOR), **JSON_HEADERS}, content=at_limit)
    assert response.status_code == 201, response.text
    over = at_limit + b" "
    response = client.post(INCIDENTS, headers={**auth(MONITOR), **JSON_HEADERS}, content=over)
    assert response.status_code == 413, response.text
    assert error_of(response)["code"] == "too_large"
    assert written(dep)["incidents"] == 1


def test_streamed_body_over_the_limit_without_content_length_is_refused_with_413(  # type: ignore[no-untyped-def]
    client, auth, dep
) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while reading
        yield b'{"title": "'
        for _ in range(20):
            yield b"x" * 60_000
        yield b'"}'

    before = written(dep)
    response = client.post(INCIDENTS, headers={**auth(MONITOR), **JSON_HEADERS}, content=chunks())
    assert response.status_code == 413, response.text
    assert error_of(response)["code"] == "too_large"
    assert written(dep) == before


def test_non_numeric_content_length_is_refused(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    before = written(dep)
    response = client.post(
        INCIDENTS,
        headers={**auth(MONITOR), **JSON_HEADERS, "Content-Length": "lots"},
        content=b"{}",
    )
    assert response.status_code == 413, response.text
    assert error_of(response)["code"] == "too_large"
    assert written(dep) == before


DEPTH = 100_000

DEEP_DOCUMENTS = [
    pytest.param(b"[" * DEPTH + b"]" * DEPTH, id="nested_lists"),
    pytest.param(b'{"a":' * DEPTH + b"1" + b"}" * DEPTH, id="nested_objects"),
    pytest.param(
        json.dumps(violation(title="@@")).encode().replace(b'"@@"', b"[" * DEPTH + b"]" * DEPTH),
        id="nested_lists_as_the_title",
    ),
]


@pytest.mark.parametrize("content", DEEP_DOCUMENTS)
def test_deeply_nested_json_under_the_byte_limit_is_a_client_error(  # type: ignore[no-untyped-def]
    client, auth, dep, content: bytes
) -> None:
    assert len(content) < MAX_BODY
    before = written(dep)
    response = client.post(INCIDENTS, headers={**auth(MONITOR), **JSON_HEADERS}, content=content)
    assert 400 <= response.status_code < 500, response.text
    error_of(response)
    assert written(dep) == before


def polygon(vertices: int) -> dict[str, Any]:
    """A GeoJSON polygon of `vertices` points around Taghavard, closed."""
    ring = [[46.9 + (i % 1000) * 1e-5, 39.6 + (i // 1000) * 1e-5] for i in range(vertices)]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_a_geometry_bomb_is_refused_before_it_is_read(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    bomb = violation()
    bomb["location"]["geometry"] = polygon(1_000_000)
    body = json.dumps(bomb).encode()
    before = written(dep)
    response = client.post(INCIDENTS, headers={**auth(MONITOR), **JSON_HEADERS}, content=body)
    assert response.status_code == 413, response.text  # on Content-Length, unread
    assert error_of(response)["code"] == "too_large"
    assert written(dep) == before


def test_a_polygon_under_the_byte_limit_where_a_point_goes_is_refused_naming_it(  # type: ignore[no-untyped-def]
    client, auth, dep
) -> None:
    for where in ("location", "point"):
        body = violation()
        if where == "location":
            body["location"]["geometry"] = polygon(30_000)
        else:
            body["location"]["point"] = polygon(30_000)
        content = json.dumps(body).encode()
        assert len(content) < MAX_BODY
        before = written(dep)
        response = client.post(
            INCIDENTS, headers={**auth(MONITOR), **JSON_HEADERS}, content=content
        )
        assert response.status_code == 422, response.text
        assert error_of(response)["field"].startswith("location"), response.text
        assert written(dep) == before


# --- 4. bad query parameters on GET /api/v1/incidents --------------------------------------

BAD_QUERIES = [
    pytest.param({"bbox": "46.2,40.2,46.4"}, "bbox", id="bbox_three_numbers"),
    pytest.param({"bbox": "46.2,40.2,46.4,40.3,1"}, "bbox", id="bbox_five_numbers"),
    pytest.param({"bbox": "-200,40.2,46.4,40.3"}, "bbox", id="bbox_longitude_out_of_range"),
    pytest.param({"bbox": "46.2,-95,46.4,40.3"}, "bbox", id="bbox_latitude_out_of_range"),
    pytest.param({"bbox": "46.4,40.2,46.2,40.3"}, "bbox", id="bbox_min_over_max"),
    pytest.param({"bbox": "nan,40.2,46.4,40.3"}, "bbox", id="bbox_nan"),
    pytest.param({"bbox": "inf,40.2,46.4,40.3"}, "bbox", id="bbox_inf"),
    pytest.param({"bbox": "west,south,east,north"}, "bbox", id="bbox_words"),
    pytest.param({"since": "2021-04-11T09:30:00"}, "since", id="since_without_time_zone"),
    pytest.param({"until": "2021-04-11T09:30:00"}, "until", id="until_without_time_zone"),
    pytest.param({"since": "last tuesday"}, "since", id="since_not_a_date"),
    pytest.param({"since": "0001-01-01T00:00:00+05:00"}, "since", id="since_before_year_1_in_utc"),
    pytest.param({"limit": 0}, "limit", id="limit_0"),
    pytest.param({"limit": 10_000}, "limit", id="limit_10000"),
    pytest.param({"limit": "ten"}, "limit", id="limit_not_a_number"),
    pytest.param({"cursor": "not-a-cursor"}, "cursor", id="cursor_garbage"),
    pytest.param({"cursor": cursor_of([1, 2, 3])}, "cursor", id="cursor_wrong_shape"),
    pytest.param(
        {"cursor": cursor_of(["2021-04-11T09:30:00", "some-id"])},
        "cursor",
        id="cursor_naive_time",
    ),
    pytest.param(
        {"cursor": cursor_of(["2021-04-11T09:30:00+00:00", 7])}, "cursor", id="cursor_id_not_text"
    ),
    pytest.param(
        {"cursor": cursor_of(["0001-01-01T00:00:00+05:00", "some-id"])},
        "cursor",
        id="cursor_before_year_1_in_utc",
    ),
    pytest.param({"cursor": "x" * 501}, "cursor", id="cursor_too_long"),
    pytest.param({"status": "rumoured"}, "status.0", id="unknown_status"),
    pytest.param({"place": "p" * 81}, "place", id="place_too_long"),
]


@pytest.mark.parametrize(("params", "field"), BAD_QUERIES)
def test_bad_list_query_is_refused_naming_the_parameter(  # type: ignore[no-untyped-def]
    client, auth, params: dict[str, Any], field: str
) -> None:
    report(client, auth)  # something to list, so a refusal is not an empty page
    response = client.get(INCIDENTS, headers=auth(MONITOR), params=params)
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "invalid_input", error
    assert error.get("field") == field, error


NUL_IN_LIST_QUERIES = [
    pytest.param({"place": "tag\x00havard"}, id="place"),
    pytest.param({"category": "shel\x00ling"}, id="category"),
    pytest.param({"organisation": "jmc\x00russia"}, id="organisation"),
    pytest.param({"cursor": cursor_of(["2021-04-11T09:30:00+00:00", "id\x00"])}, id="cursor_id"),
]


@pytest.mark.parametrize("params", NUL_IN_LIST_QUERIES)
def test_nul_character_in_a_list_query_matches_nothing_or_is_refused(  # type: ignore[no-untyped-def]
    client, auth, params: dict[str, Any]
) -> None:
    report(client, auth)  # an incident the NUL-free value would match
    response = client.get(INCIDENTS, headers=auth(MONITOR), params=params)
    assert response.status_code in (200, 422), response.text
    if response.status_code == 200:
        assert response.json()["items"] == []
    else:
        assert error_of(response).get("field") == next(iter(params))


@pytest.mark.parametrize("suffix", ["", "/history"], ids=["read", "history"])
def test_nul_character_in_the_incident_id_is_not_found(client, auth, suffix: str) -> None:  # type: ignore[no-untyped-def]
    report(client, auth)
    response = client.get(f"{INCIDENTS}/a%00b{suffix}", headers=auth(MONITOR))
    assert response.status_code == 404, response.text
    assert error_of(response)["code"] == "not_found"


# --- 5. bad input on the other writes ------------------------------------------------------


def test_correction_from_a_stale_base_version_is_a_conflict(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    created = report(client, auth)
    url = f"{INCIDENTS}/{created['id']}"
    first = client.put(
        url,
        headers=auth(MONITOR),
        json={"record": violation(title="Corrected once"), "base_version": 1, "reason": "re-read"},
    )
    assert first.status_code == 200, first.text
    before = written(dep)
    stale = client.put(
        url,
        headers=auth(MONITOR),
        json={"record": violation(title="From version 1"), "base_version": 1, "reason": "again"},
    )
    assert stale.status_code == 409, stale.text
    error = error_of(stale)
    assert error["code"] == "conflict"
    assert error["field"] == "base_version"
    assert written(dep) == before
    current = client.get(url, headers=auth(MONITOR)).json()
    assert (current["version"], current["record"]["title"]) == (2, "Corrected once")


BAD_CORRECTIONS = [
    pytest.param({"base_version": 1, "reason": ""}, "reason", id="empty_reason"),
    pytest.param({"base_version": 1, "reason": "   "}, "reason", id="blank_reason"),
    pytest.param({"base_version": 0, "reason": "re-read"}, "base_version", id="base_version_0"),
    pytest.param({"reason": "re-read"}, "base_version", id="no_base_version"),
    pytest.param(
        {"base_version": 1, "reason": "re-read", "record": violation(category="bombardment")},
        "record.category",
        id="unknown_category_in_the_record",
    ),
    pytest.param(
        {"base_version": 1, "reason": "re-read", "record": violation(title="")},
        "record.title",
        id="empty_title_in_the_record",
    ),
]


@pytest.mark.parametrize(("body", "field"), BAD_CORRECTIONS)
def test_invalid_correction_is_refused_naming_the_field(  # type: ignore[no-untyped-def]
    client, auth, dep, body: dict[str, Any], field: str
) -> None:
    created = report(client, auth)
    before = written(dep)
    response = client.put(
        f"{INCIDENTS}/{created['id']}",
        headers=auth(MONITOR),
        json={"record": violation(title="Corrected"), **body},
    )
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert error.get("field") == field, error
    assert written(dep) == before


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blanks"])
def test_status_change_without_a_reason_is_refused(client, auth, dep, reason: str) -> None:  # type: ignore[no-untyped-def]
    created = report(client, auth)
    before = written(dep)
    response = client.post(
        f"{INCIDENTS}/{created['id']}/status",
        headers=auth("rpk.duty"),
        json={"status": "verified", "reason": reason},
    )
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert error["field"] == "reason"
    assert written(dep) == before


def test_status_change_that_is_not_allowed_is_refused(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    created = report(client, auth)
    url = f"{INCIDENTS}/{created['id']}"
    same = client.post(
        f"{url}/status", headers=auth("rpk.duty"), json={"status": "reported", "reason": "again"}
    )
    assert same.status_code == 422, same.text
    assert error_of(same)["field"] == "status"
    retracted = client.post(
        f"{url}/status", headers=auth("jmc.duty"), json={"status": "retracted", "reason": "error"}
    )
    assert retracted.status_code == 200, retracted.text
    before = written(dep)
    response = client.post(
        f"{url}/status",
        headers=auth("rpk.duty"),
        json={"status": "verified", "reason": "patrol found the craters"},
    )
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert error["field"] == "status"
    assert written(dep) == before
    assert client.get(url, headers=auth(MONITOR)).json()["status"] == "retracted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"status": "confirmed", "reason": "x"}, "status", id="unknown_status"),
        pytest.param({"reason": "x"}, "status", id="no_status"),
        pytest.param(
            {"status": "verified", "reason": "x", "base_version": 0}, "base_version", id="version_0"
        ),
        pytest.param(
            {"status": "verified", "reason": "x", "urgent": True}, "urgent", id="unknown_field"
        ),
    ],
)
def test_malformed_status_change_is_refused_naming_the_field(  # type: ignore[no-untyped-def]
    client, auth, dep, body: dict[str, Any], field: str
) -> None:
    created = report(client, auth)
    before = written(dep)
    response = client.post(
        f"{INCIDENTS}/{created['id']}/status", headers=auth("rpk.duty"), json=body
    )
    assert response.status_code == 422, response.text
    assert error_of(response).get("field") == field
    assert written(dep) == before


def test_status_change_from_a_stale_base_version_is_a_conflict(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    created = report(client, auth)
    before = written(dep)
    response = client.post(
        f"{INCIDENTS}/{created['id']}/status",
        headers=auth("rpk.duty"),
        json={"status": "verified", "reason": "patrol found the craters", "base_version": 7},
    )
    assert response.status_code == 409, response.text
    assert error_of(response)["field"] == "base_version"
    assert written(dep) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param({"note": ""}, "note", id="empty_note"),
        pytest.param({"note": "   "}, "note", id="blank_note"),
        pytest.param({}, "note", id="no_note"),
        pytest.param(
            {"note": "seen", "observations": [observation(count=0)]},
            "observations.0.count",
            id="observation_count_0",
        ),
        pytest.param(
            {
                "note": "seen",
                "observations": [observation(window_start=IN_AN_HOUR, window_end=LATER_STILL)],
            },
            "observations.0.window_start",
            id="observation_in_the_future",
        ),
    ],
)
def test_invalid_corroboration_is_refused_and_the_status_stays(  # type: ignore[no-untyped-def]
    client, auth, dep, body: dict[str, Any], field: str
) -> None:
    created = report(client, auth)
    url = f"{INCIDENTS}/{created['id']}"
    before = written(dep)
    response = client.post(f"{url}/corroborations", headers=auth(OTHER_MONITOR), json=body)
    assert response.status_code == 422, response.text
    error = error_of(response)
    assert error["code"] == "invalid_input"
    assert error.get("field") == field, error
    assert written(dep) == before
    assert client.get(url, headers=auth(MONITOR)).json()["status"] == "reported"


UNKNOWN = f"{INCIDENTS}/00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        pytest.param("GET", UNKNOWN, None, id="read"),
        pytest.param("GET", f"{UNKNOWN}/history", None, id="history"),
        pytest.param(
            "PUT",
            UNKNOWN,
            {"record": violation(), "base_version": 1, "reason": "re-read"},
            id="correct",
        ),
        pytest.param(
            "POST", f"{UNKNOWN}/status", {"status": "disputed", "reason": "no"}, id="status"
        ),
        pytest.param(
            "POST", f"{UNKNOWN}/corroborations", {"note": "seen it too"}, id="corroborate"
        ),
        pytest.param("GET", f"{INCIDENTS}/{'x' * 5000}", None, id="read_overlong_id"),
    ],
)
def test_unknown_incident_is_not_found(  # type: ignore[no-untyped-def]
    client, auth, dep, method: str, url: str, body: dict[str, Any] | None
) -> None:
    report(client, auth)  # one incident exists, just not this one
    before = written(dep)
    # each call from a user who could make it on an incident that existed
    user = {"PUT": MONITOR}.get(method, OTHER_MONITOR if "corroborations" in url else "rpk.duty")
    response = client.request(method, url, headers=auth(user), json=body)
    assert response.status_code == 404, response.text
    error = error_of(response)
    assert error["code"] == "not_found"
    assert written(dep) == before


AUTHENTICATED_CALLS = [
    pytest.param("GET", INCIDENTS, None, id="list"),
    pytest.param("POST", INCIDENTS, violation(), id="report"),
]


@pytest.mark.parametrize(("method", "url", "body"), AUTHENTICATED_CALLS)
@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no_header"),
        pytest.param("Bearer", id="bearer_without_token"),
        pytest.param("Bearer    ", id="bearer_blank_token"),
        pytest.param("Basic am1jLnJ1Lm1vbml0b3I6Y2Vhc2VmaXJlLWRlbW8=", id="basic_scheme"),
        pytest.param("Bearer garbage", id="garbage_token"),
        pytest.param("Bearer cf_" + "A" * 43, id="well_formed_unknown_token"),
    ],
)
def test_request_without_a_valid_token_is_unauthenticated(  # type: ignore[no-untyped-def]
    client, dep, method: str, url: str, body: Any, authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    before = written(dep)
    response = client.request(method, url, headers=headers, json=body)
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert error_of(response)["code"] == "unauthenticated"
    assert written(dep) == before


def test_revoked_token_is_unauthenticated(client, dep) -> None:  # type: ignore[no-untyped-def]
    token = accounts.create_token(dep, MONITOR, "to revoke")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(INCIDENTS, headers=headers).status_code == 200  # it worked before
    assert accounts.revoke_token(dep, token) == 1
    before = written(dep)
    for response in (
        client.get(INCIDENTS, headers=headers),
        client.post(INCIDENTS, headers=headers, json=violation()),
    ):
        assert response.status_code == 401, response.text
        assert response.headers["www-authenticate"] == "Bearer"
        assert error_of(response)["code"] == "unauthenticated"
    assert written(dep) == before


# --- 6. properties -------------------------------------------------------------------------


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every field of a JSON document, top-level and nested, as a path of keys and indexes."""
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*prefix, index))


FIELD_PATHS = sorted(_paths(violation()), key=repr)


def replaced(path: tuple[Any, ...], new: Any) -> dict[str, Any]:
    body = violation()
    parent: Any = body
    for step in path[:-1]:
        parent = parent[step]
    parent[path[-1]] = new
    return body


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=10,
)

PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,  # write no example database into the working tree
)


@PROPERTY_SETTINGS
@given(path=st.sampled_from(FIELD_PATHS), value=JSON_VALUES)
def test_any_field_replaced_by_any_json_value_is_never_a_server_error(  # type: ignore[no-untyped-def]
    client, auth, dep, path: tuple[Any, ...], value: Any
) -> None:
    before = written(dep)
    response = client.post(INCIDENTS, headers=auth(MONITOR), json=replaced(path, value))
    after = written(dep)
    if response.status_code == 201:
        assert after["incidents"] == before["incidents"] + 1
        assert after["incident_versions"] == before["incident_versions"] + 1
        assert response.json()["version"] == 1
    else:
        assert 400 <= response.status_code < 500, (path, value, response.status_code)
        error_of(response)
        assert after == before, (path, value)


BODY_BYTES = st.one_of(
    st.binary(max_size=2_000),
    # near misses: the valid body cut short, or with bytes that are not UTF-8 spliced in
    st.integers(0, len(VALID_BYTES) - 1).map(lambda n: VALID_BYTES[:n]),
    st.tuples(
        st.integers(0, len(VALID_BYTES)), st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])
    ).map(lambda cut: VALID_BYTES[: cut[0]] + cut[1] + VALID_BYTES[cut[0] :]),
)


@PROPERTY_SETTINGS
@given(content=BODY_BYTES)
def test_arbitrary_bytes_as_the_body_are_never_a_server_error(  # type: ignore[no-untyped-def]
    client, auth, dep, content: bytes
) -> None:
    before = written(dep)
    response = client.post(INCIDENTS, headers={**auth(MONITOR), **JSON_HEADERS}, content=content)
    assert 400 <= response.status_code < 500, (content, response.status_code, response.text)
    error_of(response)
    assert written(dep) == before
