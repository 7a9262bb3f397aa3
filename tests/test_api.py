"""The incident API as a client uses it: report, read, list with filters and cursors, correct,
corroborate, change status, history, attachments and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from .builders import NOW, violation

MONITOR = "jmc.ru.monitor"


def report(client: TestClient, auth: Any, user: str = MONITOR, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/incidents", headers=auth(user), json=violation(**changes))
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_reported_incident_reads_back_with_its_location_header(client, auth) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/v1/incidents", headers=auth(MONITOR), json=violation())
    assert response.status_code == 201
    created = response.json()
    assert response.headers["location"] == f"/api/v1/incidents/{created['id']}"
    fetched = client.get(response.headers["location"], headers=auth(MONITOR)).json()
    assert fetched["id"] == created["id"]
    assert fetched["version"] == 1
    assert fetched["status"] == "reported"
    assert fetched["reporting_organisation"] == "jmc-russia"
    assert fetched["record"]["observations"][0]["explosion"] == "impact"
    assert fetched["record"]["casualties"] == {
        "civilian_killed": 0,
        "civilian_injured": None,
        "military_killed": None,
        "military_injured": None,
    }


def test_restricted_incident_is_not_found_for_an_organisation_outside_it(client, auth) -> None:  # type: ignore[no-untyped-def]
    created = report(client, auth, classification="restricted", restricted_to=["mod-armenia"])
    url = f"/api/v1/incidents/{created['id']}"
    assert client.get(url, headers=auth("am.liaison")).status_code == 200
    outsider = client.get(url, headers=auth("az.liaison"))
    assert outsider.status_code == 404
    unknown = client.get("/api/v1/incidents/no-such-id", headers=auth("az.liaison"))
    assert outsider.json() == unknown.json()  # the same answer as for a record that never existed


def test_names_in_the_response_follow_the_readers_audience(client, auth) -> None:  # type: ignore[no-untyped-def]
    created = report(client, auth, location={"place_id": "stepanakert", "precision": "town"})
    url = f"/api/v1/incidents/{created['id']}"
    seen = {
        user: client.get(url, headers=auth(user)).json()["display"]["place"]
        for user in ("am.liaison", "az.liaison", "jmc.tr.monitor")
    }
    assert seen["am.liaison"] == "Ստեփանակերտ"
    assert seen["az.liaison"] == "Xankəndi"
    assert seen["jmc.tr.monitor"] == "Stepanakert / Khankendi"


def test_list_filters_narrow_the_results(client, auth) -> None:  # type: ignore[no-untyped-def]
    old = (NOW - timedelta(days=20)).isoformat()
    shelling = report(client, auth)
    shooting = report(
        client,
        auth,
        category="small-arms-fire",
        observations=[],
        location={"point": {"lat": 40.25, "lon": 46.30}, "precision": "exact"},
        started_at=old,
        ended_at=None,
    )
    headers = auth(MONITOR)

    def ids(**params: Any) -> set[str]:
        response = client.get("/api/v1/incidents", headers=headers, params=params)
        assert response.status_code == 200, response.text
        return {item["id"] for item in response.json()["items"]}

    both = {shelling["id"], shooting["id"]}
    assert ids() == both
    assert ids(category="shelling") == {shelling["id"]}
    assert ids(category=["shelling", "small-arms-fire"]) == both
    assert ids(place="taghavard") == {shelling["id"]}
    assert ids(bbox="46.2,40.2,46.4,40.3") == {shooting["id"]}
    assert ids(since=(NOW - timedelta(days=1)).isoformat()) == {shelling["id"]}
    assert ids(until=(NOW - timedelta(days=1)).isoformat()) == {shooting["id"]}
    assert ids(status="reported") == both
    assert ids(status="verified") == set()
    assert ids(organisation="jmc-russia") == both
    assert ids(organisation="rpk") == set()


def test_cursor_pagination_returns_every_incident_once_newest_first(client, auth) -> None:  # type: ignore[no-untyped-def]
    made = [
        report(client, auth, started_at=(NOW - timedelta(hours=10 + i)).isoformat(), ended_at=None)
        for i in range(7)
    ]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/incidents", headers=auth(MONITOR), params=params).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [m["id"] for m in made]  # made newest first
    assert pages == 3


def test_correction_status_corroboration_and_history(client, auth) -> None:  # type: ignore[no-untyped-def]
    created = report(client, auth)
    url = f"/api/v1/incidents/{created['id']}"
    corrected = client.put(
        url,
        headers=auth(MONITOR),
        json={
            "record": violation(title="Mortar impacts south-east of Taghavard"),
            "base_version": 1,
            "reason": "bearing re-read from the feed",
        },
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["version"] == 2
    stale = client.put(
        url,
        headers=auth(MONITOR),
        json={"record": violation(), "base_version": 1, "reason": "again"},
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["field"] == "base_version"

    confirmed = client.post(
        f"{url}/corroborations",
        headers=auth("jmc.tr.monitor"),
        json={"note": "Turkish contingent saw the same four impacts on its feed"},
    )
    assert confirmed.status_code == 201, confirmed.text
    assert confirmed.json()["status"] == "corroborated"
    assert [c["organisation"] for c in confirmed.json()["corroborations"]] == ["jmc-turkey"]

    verified = client.post(
        f"{url}/status",
        headers=auth("rpk.duty"),
        json={"status": "verified", "reason": "patrol found the craters"},
    )
    assert verified.status_code == 200, verified.text

    history = client.get(f"{url}/history", headers=auth("am.liaison")).json()["versions"]
    assert [(v["version"], v["change"], v["status"]) for v in history] == [
        (1, "reported", "reported"),
        (2, "corrected", "reported"),
        (3, "corroborated", "corroborated"),
        (4, "status", "verified"),
    ]
    assert history[0]["record"]["title"] == "Mortar impacts east of Taghavard"
    assert history[1]["reason"] == "bearing re-read from the feed"
    assert all(v["by"] is None and "sources" not in v["record"] for v in history)


def test_attachment_is_stored_by_its_hash_and_referenced_from_an_incident(  # type: ignore[no-untyped-def]
    client, auth, settings
) -> None:
    import hashlib

    photo = b"\x89PNG\r\n\x1a\n" + b"crater" * 100
    uploaded = client.post(
        "/api/v1/attachments",
        headers={**auth(MONITOR), "Content-Type": "image/png"},
        content=photo,
    )
    assert uploaded.status_code == 201
    sha = hashlib.sha256(photo).hexdigest()
    assert uploaded.json() == {"sha256": sha, "size": len(photo)}
    assert (settings.attachments_dir / sha[:2] / sha).read_bytes() == photo
    report(client, auth, attachments=[{"sha256": sha, "filename": "crater.png"}])
    fetched = client.get(f"/api/v1/attachments/{sha}", headers=auth("jmc.tr.monitor"))
    assert fetched.status_code == 200
    assert fetched.content == photo
    assert fetched.headers["content-type"] == "image/png"


def test_openapi_document_describes_the_incident_endpoints(client) -> None:  # type: ignore[no-untyped-def]
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/incidents"])
    assert {"get", "put"} <= set(paths["/api/v1/incidents/{incident_id}"])
    assert "post" in paths["/api/v1/incidents/{incident_id}/corroborations"]
    assert "IncidentDraft" in document["components"]["schemas"]
