"""Movements through the corridor: a convoy registered with its manifest and escort; a
checkpoint that holds it records an incident linked to it and routed by rule, in one
transaction; who registers, reports and reads."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ceasefire.delivery import channels, messages
from ceasefire.services import log, notifications

from .test_cli import run as run  # the fixture
from .test_notifications import receiver as receiver  # the fixture
from .test_notifications import wired as wired  # the fixture

NOW = datetime.now(UTC).replace(microsecond=0)
ORGANISER = "az.liaison"  # the Azerbaijani ministry sends the trucks to Shusha
POST = "rpk.monitor"  # the peacekeepers' post records what happens on the road


def convoy(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "convoy",
        "title": "Trucks with cement and flour for Shusha",
        "from_place": "aghdam",
        "to_place": "shusha",
        "route": ["rpk-post-12", "rpk-hq-askeran", "rpk-hq-stepanakert"],
        "planned_at": (NOW - timedelta(hours=2)).isoformat(),
        "cargo": [
            {"category": "construction_materials", "quantity": 40, "unit": "t"},
            {"category": "food", "description": "flour", "quantity": 6, "unit": "t"},
        ],
        "vehicles": [
            {"kind": "truck", "plate": "10-AB-123"},
            {"kind": "truck", "plate": "10-AB-124", "driver": "E. Mammadov"},
        ],
        "people": 4,
        "escorted_by": "rpk",
        "classification": "restricted",
        "restricted_to": ["rpk", "nk-authorities"],
    }
    body.update(changes)
    return body


def report(outcome: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "place_id": "rpk-hq-askeran",
        "at": (NOW - timedelta(minutes=30)).isoformat(),
        "outcome": outcome,
    }
    body.update(changes)
    return body


PISTOL = "A pistol found on the driver's seat of the second truck; the convoy waits."


def test_a_hold_at_a_checkpoint_becomes_a_linked_incident_routed_by_rule(  # type: ignore[no-untyped-def]
    wired, client, auth, mailbox, receiver
) -> None:
    registered = client.post("/api/v1/movements", json=convoy(), headers=auth(ORGANISER))
    assert registered.status_code == 201, registered.text
    movement = registered.json()
    assert movement["status"] == "planned"
    assert movement["display"]["to"] == "Şuşa"  # named for the Azerbaijani reader
    passed = client.post(
        f"/api/v1/movements/{movement['id']}/checkpoints",
        json=report("passed", place_id="rpk-post-12"),
        headers=auth(POST),
    )
    assert passed.status_code == 201 and passed.json()["incident_id"] is None
    held = client.post(
        f"/api/v1/movements/{movement['id']}/checkpoints",
        json=report("held", inspected_by="nk-authorities", findings=PISTOL),
        headers=auth(POST),
    ).json()
    assert held["status"] == "held" and held["version"] == 3
    incident_id = held["incident_id"]
    assert [e["change"] for e in held["timeline"]] == ["registered", "checkpoint", "checkpoint"]
    assert held["timeline"][-1]["incident_id"] == incident_id
    incident = client.get(f"/api/v1/incidents/{incident_id}", headers=auth(ORGANISER)).json()
    assert incident["record"]["category"] == "convoy-obstruction"
    assert incident["record"]["location"]["place_id"] == "rpk-hq-askeran"
    assert incident["record"]["narrative"] == {"ru": PISTOL}
    assert sorted(incident["record"]["restricted_to"]) == ["mod-azerbaijan", "nk-authorities"]
    told = client.get(f"/api/v1/incidents/{incident_id}/notifications", headers=auth("rpk.duty"))
    assert {n["contact"] for n in told.json()["items"]} == {
        "rpk-duty",
        "mod-azerbaijan-duty",
        "nk-authorities-duty",
    }
    routing = client.get(f"/api/v1/incidents/{incident_id}/routing", headers=auth("rpk.duty"))
    fired = {r["rule"] for v in routing.json()["versions"] for r in v["rules"] if r["fired"]}
    assert "convoy-held" in fired
    assert notifications.deliver_due(wired, channels.send, messages.render) == 3
    assert sorted(str(m["To"]) for m in mailbox.received) == [
        "nk-authorities-duty@demo.invalid",
        "rpk-duty@demo.invalid",
    ]
    assert len(receiver.received) == 1 and "Trucks with cement" in receiver.received[0][1]["title"]
    assert log.audit(wired).problems == []


def test_a_checkpoint_report_that_cannot_be_recorded_records_no_incident(  # type: ignore[no-untyped-def]
    client, auth
) -> None:
    movement = client.post("/api/v1/movements", json=convoy(), headers=auth(ORGANISER)).json()
    stale = client.post(
        f"/api/v1/movements/{movement['id']}/checkpoints",
        json={**report("held", findings=PISTOL), "base_version": 7},
        headers=auth(POST),
    )
    assert stale.status_code == 409
    unknown = client.post(
        f"/api/v1/movements/{movement['id']}/checkpoints",
        json=report("held", findings=PISTOL, inspected_by="atlantis"),
        headers=auth(POST),
    )
    assert unknown.status_code == 422 and "inspected_by" in unknown.text
    assert client.get("/api/v1/incidents", headers=auth("rpk.duty")).json()["items"] == []
    shown = client.get(f"/api/v1/movements/{movement['id']}", headers=auth(ORGANISER)).json()
    assert shown["version"] == 1 and len(shown["timeline"]) == 1


def test_an_arrived_movement_takes_no_more_reports(client, auth) -> None:  # type: ignore[no-untyped-def]
    movement = client.post("/api/v1/movements", json=convoy(), headers=auth(ORGANISER)).json()
    url = f"/api/v1/movements/{movement['id']}/checkpoints"
    arrived = client.post(url, json=report("arrived", place_id="shusha"), headers=auth(POST))
    assert arrived.json()["status"] == "arrived"
    late = client.post(url, json=report("passed"), headers=auth(POST))
    assert late.status_code == 422 and "arrived" in late.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "caravan"}, "kind"),
        ({"from_place": "atlantis"}, "from_place"),
        ({"route": ["rpk-post-12", "nowhere"]}, "route.1"),
        ({"cargo": [{"category": "weapons", "quantity": 1, "unit": "t"}]}, "cargo"),
        ({"cargo": [{"category": "food", "quantity": -1, "unit": "t"}]}, "cargo"),
        ({"vehicles": [], "people": 0}, "vehicles"),
        ({"escorted_by": "atlantis"}, "escorted_by"),
        ({"classification": "public"}, "restricted_to"),
        ({"planned_at": "2021-04-12T10:00:00"}, "planned_at"),
        ({"extra": True}, "extra"),
    ],
)
def test_a_bad_movement_names_the_field_and_writes_nothing(  # type: ignore[no-untyped-def]
    client, auth, change, field
) -> None:
    response = client.post("/api/v1/movements", json=convoy(**change), headers=auth(ORGANISER))
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["error"])
    assert client.get("/api/v1/movements", headers=auth(ORGANISER)).json()["items"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"outcome": "exploded"}, "outcome"),
        ({"outcome": "held"}, "findings"),
        ({"place_id": "atlantis"}, "place_id"),
        ({"at": (NOW + timedelta(days=1)).isoformat()}, "at"),
    ],
)
def test_a_bad_checkpoint_report_names_the_field(client, auth, change, field) -> None:  # type: ignore[no-untyped-def]
    movement = client.post("/api/v1/movements", json=convoy(), headers=auth(ORGANISER)).json()
    response = client.post(
        f"/api/v1/movements/{movement['id']}/checkpoints",
        json={**report("passed"), **change},
        headers=auth(POST),
    )
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["error"])


def test_the_cli_registers_reports_and_shows_a_movement(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "convoy.json"
    path.write_text(json.dumps(convoy()), encoding="utf-8")
    registered = run("movement", "register", "--as", ORGANISER, "--file", str(path))
    assert registered.exit_code == 0, registered.output
    movement_id = registered.stdout.strip().splitlines()[-1]
    held = tmp_path / "held.json"
    held.write_text(json.dumps(report("held", findings=PISTOL)), encoding="utf-8")
    recorded = run("movement", "checkpoint", movement_id, "--as", POST, "--file", str(held))
    assert recorded.exit_code == 0, recorded.output
    incident_id = recorded.stdout.strip().splitlines()[-1].rsplit(" ", 1)[1]
    shown = json.loads(run("movement", "show", movement_id, "--as", ORGANISER, "--json").stdout)
    assert shown["status"] == "held" and shown["timeline"][-1]["incident_id"] == incident_id
    listed = run("movement", "list", "--as", "nk.liaison")
    assert movement_id[:8] in listed.stdout
    refused = run("movement", "checkpoint", movement_id, "--as", ORGANISER, "--file", str(held))
    assert refused.exit_code == 2 and "monitors" in refused.output


def test_the_pages_register_a_convoy_record_a_hold_and_link_the_incident(browser_for) -> None:  # type: ignore[no-untyped-def]
    from .conftest import csrf_of

    organiser = browser_for(ORGANISER)
    registered = organiser.post(
        "/movements/new",
        data={
            "csrf_token": csrf_of(organiser),
            "kind": "convoy",
            "title": "Flour for Shusha",
            "planned_at": (NOW - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            "from_place": "aghdam",
            "to_place": "shusha",
            "route": ["rpk-post-12", "rpk-hq-askeran"],
            "escorted_by": "rpk",
            "cargo_0_category": "food",
            "cargo_0_quantity": "6",
            "cargo_0_unit": "t",
            "vehicles": "truck 10-AB-123\ntruck 10-AB-124",
            "people": "2",
            "classification": "restricted",
            "restricted_to": ["rpk", "nk-authorities"],
        },
        follow_redirects=False,
    )
    assert registered.status_code == 303, registered.text
    url = registered.headers["location"]
    page = organiser.get(url).text
    assert "Flour for Shusha" in page and "10-AB-124" in page and "Şuşa" in page
    post = browser_for(POST)
    held = post.post(
        f"{url}/checkpoints",
        data={
            "csrf_token": csrf_of(post),
            "place_id": "rpk-hq-askeran",
            "at": (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "outcome": "held",
            "inspected_by": "nk-authorities",
            "findings": PISTOL,
        },
        follow_redirects=False,
    )
    assert held.status_code == 303, held.text
    tracked = post.get(url).text
    assert "задержано" in tracked and PISTOL.replace("'", "&#39;") in tracked
    (incident_id,) = re.findall(r'href="/incidents/([0-9a-f-]{36})"', tracked)
    incident_page = organiser.get(f"/incidents/{incident_id}").text
    assert f'href="{url}"' in incident_page  # the incident links back to the movement
    empty = post.post(
        f"{url}/checkpoints",
        data={
            "csrf_token": csrf_of(post),
            "place_id": "rpk-post-12",
            "at": "soon",
            "outcome": "passed",
        },
    )
    assert empty.status_code == 422
    listed = browser_for("nk.liaison").get("/movements").text
    assert "Flour for Shusha" in listed
    assert "Flour for Shusha" not in browser_for("am.liaison").get("/movements").text


@pytest.mark.parametrize(
    "user",
    ["jmc.duty", "rpk.monitor", "rpk.duty", "am.liaison", "az.liaison", "nk.liaison",
     "icrc.caseworker", "unhcr.analyst"],
)  # fmt: skip
def test_who_registers_reports_and_reads_movements(client, auth, user) -> None:  # type: ignore[no-untyped-def]
    """Liaison and duty officers register; monitors and duty officers report from
    checkpoints; a restricted movement is read by its organiser and those named."""
    mine = client.post("/api/v1/movements", json=convoy(), headers=auth(user))
    registers = {"jmc.duty", "rpk.duty", "am.liaison", "az.liaison", "nk.liaison"}
    assert mine.status_code == (201 if user in registers else 403), mine.text
    movement = client.post("/api/v1/movements", json=convoy(), headers=auth(ORGANISER)).json()
    readers = {"az.liaison", "nk.liaison", "rpk.monitor", "rpk.duty"}
    read = client.get(f"/api/v1/movements/{movement['id']}", headers=auth(user))
    assert read.status_code == (200 if user in readers else 404)
    reported = client.post(
        f"/api/v1/movements/{movement['id']}/checkpoints",
        json=report("passed", place_id="rpk-post-12"),
        headers=auth(user),
    )
    may_report = user in {"jmc.duty", "rpk.monitor", "rpk.duty"}
    expected = 201 if may_report and user in readers else 403 if not may_report else 404
    assert reported.status_code == expected, reported.text
