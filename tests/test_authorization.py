"""The authorization table: every demo user (all six roles) × every incident endpoint and page
× every classification, on both databases.

The expectations below are written out by hand from the rules in DESIGN.md — who may read
a record of each classification, and who may act on it — not computed from
`domain.authorization`, so a change in the code that widens access fails here. A record a
user may not read must be invisible everywhere: 404 on direct access (never 403, so its
existence does not leak), absent from lists, the map and pages, and its title must appear
in no response that user receives.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ceasefire.domain.incidents import IncidentDraft
from ceasefire.services import attachments, bundles, incidents, log, notifications

from .builders import DAYTIME, violation, violation_draft
from .conftest import csrf_of

USERS = (
    "jmc.ru.monitor",  # monitor, monitoring centre (mission)
    "jmc.tr.monitor",  # monitor, monitoring centre (mission)
    "jmc.duty",  # duty officer, monitoring centre (mission)
    "jmc.tr.duty",  # duty officer, monitoring centre (mission)
    "rpk.monitor",  # monitor, peacekeepers (mission) — the reporter of every record here
    "rpk.duty",  # duty officer, peacekeepers (mission, reporting organisation)
    "rpk.desk",  # caseworker, peacekeepers (mission, reporting organisation)
    "admin",  # administrator, peacekeepers (mission, reporting organisation)
    "am.liaison",  # liaison officer, Armenian MoD — named on restricted records
    "az.liaison",  # liaison officer, Azerbaijani MoD
    "nk.liaison",  # liaison officer, de facto authorities
    "nk.rescue",  # duty officer, de facto emergency service
    "icrc.caseworker",  # caseworker, ICRC
    "unhcr.analyst",  # analyst, UNHCR — named on restricted records
    "ngo.caseworker",  # caseworker, local NGO
    "am.assist",  # caseworker, Armenian assistance programmes
)
CLASSIFICATIONS = ("public", "mission", "restricted", "confidential")
REPORTER = "rpk.monitor"
NAMED = ["mod-armenia", "unhcr"]

MISSION = {
    "jmc.ru.monitor",
    "jmc.tr.monitor",
    "jmc.duty",
    "jmc.tr.duty",
    "rpk.monitor",
    "rpk.duty",
    "rpk.desk",
    "admin",
}
READERS: dict[str, set[str]] = {
    "public": set(USERS),
    "mission": MISSION,
    # the reporting organisation and the organisations named on the record
    "restricted": {"rpk.monitor", "rpk.duty", "rpk.desk", "admin", "am.liaison", "unhcr.analyst"},
    # as restricted, but only the author and roles that must act (not admin, not an analyst)
    "confidential": {"rpk.monitor", "rpk.duty", "rpk.desk", "am.liaison"},
}
SEES_SOURCES = MISSION  # sources and the reporter's name: the mission and the reporting org
MAY_REPORT = {"jmc.ru.monitor", "jmc.tr.monitor", "jmc.duty", "jmc.tr.duty"} | {
    "rpk.monitor",
    "rpk.duty",
    "nk.rescue",
}
MAY_CORRECT = {"rpk.monitor", "rpk.duty"}
MAY_DISPUTE = {"jmc.duty", "jmc.tr.duty", "rpk.duty", "am.liaison", "az.liaison", "nk.liaison"} | {
    "nk.rescue"
}
MAY_VERIFY = {"jmc.duty", "jmc.tr.duty", "rpk.duty"}
MAY_RETRACT = {"rpk.duty"}
MAY_CORROBORATE = {"jmc.ru.monitor", "jmc.tr.monitor", "jmc.duty", "jmc.tr.duty", "nk.rescue"}


def expected(user: str, classification: str, allowed: set[str], success: int) -> int:
    if user not in READERS[classification]:
        return 404
    return success if user in allowed else 403


@dataclass
class Findings:
    """Every mismatch of one table row, so a failure lists them all at once."""

    user: str
    classification: str
    problems: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)

    def status(self, what: str, response: Any, want: int) -> None:
        self.bodies.append(response.text)
        if response.status_code != want:
            self.problems.append(f"{what}: got {response.status_code}, expected {want}")
        elif (
            want == 404
            and "/api/" in str(response.url)
            and response.json()["error"]["code"] != "not_found"
        ):
            self.problems.append(f"{what}: a 404 without the not_found error code")

    def check(self, what: str, ok: bool) -> None:
        if not ok:
            self.problems.append(what)


@pytest.fixture
def record(dep, viewer):  # type: ignore[no-untyped-def]
    """Report a fresh record of a classification; returns (incident, marker in its title)."""
    reporter = viewer(REPORTER)

    def make(classification: str, attachment: str | None = None) -> tuple[Any, str]:
        marker = f"SECRET-{uuid.uuid4().hex[:12]}"
        body = violation(
            title=f"Shelling {marker}",
            classification=classification,
            sources=[{"organisation_id": "rpk", "channel": "direct_observation"}],
        )
        if classification in ("restricted", "confidential"):
            body["restricted_to"] = NAMED
        if attachment:
            body["attachments"] = [{"sha256": attachment, "filename": "crater.jpg"}]
        return incidents.report_incident(dep, reporter, IncidentDraft.model_validate(body)), marker

    return make


@pytest.mark.parametrize("classification", CLASSIFICATIONS)
@pytest.mark.parametrize("user", USERS)
def test_authorization_table(  # type: ignore[no-untyped-def]
    user, classification, dep, viewer, record, client, auth, browser_for
) -> None:
    found = Findings(user, classification)
    headers = auth(user)
    page = browser_for(user)
    reads = user in READERS[classification]
    photo = attachments.upload_attachment(
        dep, viewer(REPORTER), uuid.uuid4().bytes * 8, "image/jpeg"
    )
    incident, marker = record(classification, attachment=photo)
    url = f"/api/v1/incidents/{incident.id}"

    # --- reading through the API ---
    one = client.get(url, headers=headers)
    found.status("GET incident", one, 200 if reads else 404)
    if reads and one.status_code == 200:
        shown = one.json()
        sources_shown = "sources" in shown["record"]
        found.check(
            f"sources {'hidden from' if user in SEES_SOURCES else 'shown to'} this user",
            sources_shown == (user in SEES_SOURCES),
        )
        found.check(
            "reporter's name visibility",
            (shown["reported_by"] == REPORTER) == (user in SEES_SOURCES),
        )
    found.status(
        "GET history", client.get(f"{url}/history", headers=headers), 200 if reads else 404
    )
    listed = client.get("/api/v1/incidents", headers=headers, params={"limit": 500})
    found.status("GET list", listed, 200)
    ids = {item["id"] for item in listed.json()["items"]}
    found.check(
        "list shows the record" if reads else "list leaks the record", (incident.id in ids) == reads
    )
    filtered = client.get(
        "/api/v1/incidents",
        headers=headers,
        params={"place": "taghavard", "category": "shelling", "bbox": "46,39,47.5,40.5"},
    )
    found.check(
        "filtered list visibility",
        (incident.id in {i["id"] for i in filtered.json()["items"]}) == reads,
    )
    found.status(
        "GET attachment",
        client.get(f"/api/v1/attachments/{photo}", headers=headers),
        200 if reads or user in {"rpk.duty", "rpk.desk", "admin"} else 404,
    )

    # --- reading through the pages ---
    found.status("page incident", page.get(f"/incidents/{incident.id}"), 200 if reads else 404)
    listing = page.get("/incidents")
    found.status("page list", listing, 200)
    found.check("page list visibility", (marker in listing.text) == reads)
    geo = page.get("/map/incidents.geojson")
    found.status("map GeoJSON", geo, 200)
    found.check(
        "map visibility",
        (incident.id in {f["id"] for f in geo.json()["features"]}) == reads,
    )

    # --- acting through the API, each on a fresh record ---
    def fresh() -> str:
        return f"/api/v1/incidents/{record(classification)[0].id}"

    target = fresh()
    correction = {"record": violation(classification="public"), "base_version": 1, "reason": "fix"}
    found.status(
        "PUT correct",
        client.put(target, headers=headers, json=correction),
        expected(user, classification, MAY_CORRECT, 200),
    )
    for status, allowed in (
        ("disputed", MAY_DISPUTE),
        ("verified", MAY_VERIFY),
        ("retracted", MAY_RETRACT),
    ):
        found.status(
            f"POST status {status}",
            client.post(
                f"{fresh()}/status", headers=headers, json={"status": status, "reason": "r"}
            ),
            expected(user, classification, allowed, 200),
        )
    found.status(
        "POST corroboration",
        client.post(f"{fresh()}/corroborations", headers=headers, json={"note": "seen too"}),
        expected(user, classification, MAY_CORROBORATE, 201),
    )

    # --- acting through the pages ---
    csrf = csrf_of(page)
    target_id = record(classification)[0].id
    dispute = page.post(
        f"/incidents/{target_id}/status",
        data={"status": "disputed", "reason": "not so", "csrf_token": csrf, "base_version": "1"},
        follow_redirects=False,
    )
    found.status(
        "page dispute",
        dispute,
        {200: 303}.get(w := expected(user, classification, MAY_DISPUTE, 200), w),
    )
    corroborate = page.post(
        f"/incidents/{record(classification)[0].id}/corroborate",
        data={"note": "seen", "csrf_token": csrf},
        follow_redirects=False,
    )
    found.status(
        "page corroborate",
        corroborate,
        {201: 303}.get(w := expected(user, classification, MAY_CORROBORATE, 201), w),
    )

    # --- the log: a bundle holds what the user may read, the entries only commitments ---
    log.publish_checkpoint(dep)
    bundle = json.dumps(bundles.export_bundle(dep, viewer(user)), ensure_ascii=False)
    found.check("bundle visibility", (marker in bundle) == reads)
    size = log.checkpoint_state(dep).size  # type: ignore[union-attr]
    entries = client.get(f"/api/v1/log/entries?start=0&end={size}", headers=headers)
    found.status("GET log entries", entries, 200)
    leaves = b"".join(base64.b64decode(e) for e in entries.json()["entries"]).decode()
    found.check("log entries show the content", (marker in leaves) == (classification == "public"))
    if classification != "public":
        found.bodies.append(leaves)

    if not reads:
        leaks = [i for i, body in enumerate(found.bodies) if marker in body]
        found.check(f"the record's title appears in responses {leaks}", not leaks)
    assert not found.problems, f"{user} × {classification}: " + "; ".join(found.problems)


@pytest.mark.parametrize("classification", CLASSIFICATIONS)
@pytest.mark.parametrize("user", USERS)
def test_reporting_is_for_monitors_and_duty_officers(  # type: ignore[no-untyped-def]
    user, classification, client, auth, dep
) -> None:
    body = violation(classification=classification)
    if classification in ("restricted", "confidential"):
        body["restricted_to"] = NAMED
    response = client.post("/api/v1/incidents", headers=auth(user), json=body)
    assert response.status_code == (201 if user in MAY_REPORT else 403), response.text
    upload = client.post(
        "/api/v1/attachments", headers={**auth(user), "Content-Type": "image/png"}, content=b"png"
    )
    uploads = MAY_REPORT | {"icrc.caseworker", "ngo.caseworker", "am.assist"}  # claims' evidence
    assert upload.status_code == (201 if user in uploads else 403), upload.text


@pytest.mark.parametrize("user", USERS)
def test_report_form_is_for_monitors_and_duty_officers(user, browser_for) -> None:  # type: ignore[no-untyped-def]
    page = browser_for(user)
    response = page.post(
        "/incidents/new",
        data={
            "csrf_token": csrf_of(page),
            "category": "shelling",
            "title": "Impacts seen from the post",
            "started_at": "2021-04-11T09:30",
            "place_id": "taghavard",
            "classification": "public",
        },
        follow_redirects=False,
    )
    assert response.status_code == (303 if user in MAY_REPORT else 403), response.text


REFERENCE = (
    "/api/v1/me",
    "/api/v1/categories",
    "/api/v1/places",
    "/api/v1/places?q=Shusha",
    "/api/v1/places.geojson",
    "/api/v1/organisations",
    "/api/v1/layers",
    "/api/v1/geo/lines",
    "/api/v1/geo/lines/1",
    "/api/v1/geo/zones",
    "/api/v1/geo/standing?lat=39.8&lon=46.75",
)


@pytest.mark.parametrize("user", USERS)
def test_every_user_reads_the_deployments_reference_data(user, client, auth) -> None:  # type: ignore[no-untyped-def]
    for path in REFERENCE:
        assert client.get(path, headers=auth(user)).status_code == 200, path


@pytest.mark.parametrize("user", USERS)
def test_only_the_missions_administrator_records_a_new_line(  # type: ignore[no-untyped-def]
    user, client, auth, reference_scenario
) -> None:
    drawing = reference_scenario.layer_geojson["layers/line-of-contact.geojson"]
    body = {"provenance": "authorization test", "illustrative": True, "drawing": drawing}
    response = client.post("/api/v1/geo/lines", headers=auth(user), json=body)
    assert response.status_code == (201 if user == "admin" else 403), response.text
    versions = client.get("/api/v1/geo/lines", headers=auth(user)).json()["items"]
    assert len(versions) == (2 if user == "admin" else 1)


@pytest.mark.parametrize("user", USERS)
def test_a_notice_is_read_by_its_filer_the_mission_and_those_told_of_it(  # type: ignore[no-untyped-def]
    user, client, auth, browser_for
) -> None:
    """A farming notice at the line, filed by the local authorities: the Azerbaijani ministry
    (across the line) is told, so it reads it; the Armenian ministry, the ICRC, the NGOs
    are not told and do not see it, in the API, in lists, on pages or in a post's day."""
    from .test_notices import TOMORROW, notice

    filed = client.post("/api/v1/notices", json=notice(), headers=auth("nk.liaison")).json()
    may_read = user in MISSION or user in {"nk.liaison", "az.liaison"}
    one = client.get(f"/api/v1/notices/{filed['id']}", headers=auth(user))
    assert one.status_code == (200 if may_read else 404), one.text
    listed = client.get("/api/v1/notices", headers=auth(user)).json()["items"]
    assert [n["id"] for n in listed] == ([filed["id"]] if may_read else [])
    day = client.get(
        "/api/v1/posts/rpk-post-26/notices",
        params={"date": TOMORROW.isoformat()},
        headers=auth(user),
    ).json()["items"]
    assert len(day) == (1 if may_read else 0)
    page = browser_for(user).get(f"/notices/{filed['id']}")
    assert page.status_code == (200 if may_read else 404)
    cancel = client.post(
        f"/api/v1/notices/{filed['id']}/cancel", json={"reason": "test"}, headers=auth(user)
    )
    assert cancel.status_code == (200 if user == "nk.liaison" else 403 if may_read else 404)


@pytest.mark.parametrize("user", USERS)
def test_every_user_gets_place_suggestions_on_pages(user, browser_for) -> None:  # type: ignore[no-untyped-def]
    response = browser_for(user).get("/places/search", params={"q": "Shusha"})
    assert response.status_code == 200
    assert 'data-id="shusha"' in response.text


CASE_ACTIONS = ("take", "triage", "update", "merge", "handover", "links")
WORKS_DESK = {"rpk.desk", "rpk.duty", "jmc.duty", "jmc.tr.duty"}  # the mission's desk
TOLD_OF_THE_PIPE = {"rpk.duty", "rpk.desk", "nk.liaison"}  # acts: rpk-south-desk; informed: nk


@pytest.mark.parametrize("user", USERS)
def test_a_case_and_who_asks_by_user(user, client, auth, browser_for, dep) -> None:  # type: ignore[no-untyped-def]
    """A resident's request for a pipe at the line: the mission's desk works it and sees who
    asks; the desks the mandate told (the post's, the local authorities') read it without the
    person; nobody else reads it at all. Who asks reaches no one but the desk, by any route:
    the API, the pages, the inbox, the log."""
    from .test_cases import NAME, PHONE, WORDS

    body = {
        "category": "infrastructure",
        "description": WORDS,
        "place_id": "taghavard",
        "requester": {"name": NAME, "phone": PHONE, "language": "hy", "channel": "sms"},
    }
    taken = client.post("/api/v1/requests", json=body, headers=auth(user))
    assert taken.status_code == (201 if user in WORKS_DESK else 403), taken.text
    other = {**body, "requester": {**body["requester"], "phone": "+374 91 000 000"}}
    case_id = client.post("/api/v1/requests", json=other, headers=auth("rpk.desk")).json()["id"]
    desk, reads = user in WORKS_DESK, user in WORKS_DESK | TOLD_OF_THE_PIPE
    found = Findings(user, "case")
    headers = auth(user)
    found.status("GET cases", client.get("/api/v1/cases", headers=headers), 200 if desk else 403)
    found.status(
        "GET dashboard",
        client.get("/api/v1/cases/dashboard", headers=headers),
        200 if desk else 403,
    )
    one = client.get(f"/api/v1/cases/{case_id}", headers=headers)
    found.status("GET case", one, 200 if reads else 404)
    bodies = {
        "take": {},
        "triage": {"priority": "urgent"},
        "update": {"internal_note": "seen"},
        "merge": {"into": "ZZZZ-ZZZZ"},
        "handover": {"party": "mod-azerbaijan", "needs": "Let the crew mend the pipe."},
        "links": {"kind": "incident", "id": "nothing"},
    }
    for action in CASE_ACTIONS:
        done = client.post(
            f"/api/v1/cases/{case_id}/{action}", json=bodies[action], headers=headers
        )
        want = (422 if action in ("merge", "links") else 200) if desk else 403
        found.status(f"POST {action}", done, want)
    page = browser_for(user)
    for path in ("/desk/cases", "/desk/dashboard", "/desk/cases/new"):
        found.status(f"page {path}", page.get(path), 200 if desk else 403)
    found.status("case page", page.get(f"/desk/cases/{case_id}"), 200 if reads else 404)
    found.status("inbox", page.get("/inbox"), 200)
    found.status("notifications", client.get("/api/v1/notifications", headers=headers), 200)
    size = log.checkpoint_state(dep)
    if size is not None and user in MISSION:
        found.status(
            "log entries",
            client.get(f"/api/v1/log/entries?start=0&end={size.size}", headers=headers),
            200,
        )
    shows = [b for b in found.bodies if NAME in b or PHONE in b or WORDS in b]
    found.check("who asks is shown", bool(shows) == desk)
    assert found.problems == []


ENDPOINTS = (
    ("GET", "/api/v1/incidents"),
    ("POST", "/api/v1/incidents"),
    ("GET", "/api/v1/incidents/x"),
    ("PUT", "/api/v1/incidents/x"),
    ("GET", "/api/v1/incidents/x/history"),
    ("POST", "/api/v1/incidents/x/status"),
    ("POST", "/api/v1/incidents/x/corroborations"),
    ("POST", "/api/v1/attachments"),
    ("GET", "/api/v1/attachments/" + "0" * 64),
    ("GET", "/api/v1/log/entries?start=0&end=1"),
    ("GET", "/api/v1/notifications"),
    ("POST", "/api/v1/notifications/x/ack"),
    ("GET", "/api/v1/incidents/x/notifications"),
    ("GET", "/api/v1/incidents/x/routing"),
    ("GET", "/api/v1/incidents/x/replies"),
    ("POST", "/api/v1/notifications/x/reply"),
    ("POST", "/api/v1/geo/lines"),
    ("POST", "/api/v1/notices"),
    ("POST", "/api/v1/notices/assessment"),
    ("GET", "/api/v1/notices"),
    ("GET", "/api/v1/notices/x"),
    ("POST", "/api/v1/notices/x/cancel"),
    ("GET", "/api/v1/posts/rpk-post-01/notices?date=2021-04-12"),
    ("GET", "/api/v1/posts/rpk-post-01/notices.ics"),
    ("POST", "/api/v1/movements"),
    ("GET", "/api/v1/movements"),
    ("GET", "/api/v1/movements/x"),
    ("POST", "/api/v1/movements/x/checkpoints"),
    ("POST", "/api/v1/requests"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/cases/dashboard"),
    ("GET", "/api/v1/cases/x"),
    *(("POST", f"/api/v1/cases/x/{action}") for action in CASE_ACTIONS),
    ("GET", "/api/v1/groups"),
    ("GET", "/api/v1/groups/x"),
    ("POST", "/api/v1/groups/x/meetings"),
    ("GET", "/api/v1/groups/x/meetings/1"),
    ("PUT", "/api/v1/groups/x/meetings/1/agenda"),
    ("POST", "/api/v1/groups/x/meetings/1/minutes"),
    ("POST", "/api/v1/groups/x/commitments"),
    ("GET", "/api/v1/commitments"),
    ("POST", "/api/v1/commitments/x/status"),
    ("POST", "/api/v1/groups/x/documents"),
    ("GET", "/api/v1/documents/x"),
    ("GET", "/api/v1/documents/x/copies/armenian"),
    ("POST", "/api/v1/documents/x/copies/armenian/signatures"),
    *(("GET", path) for path in REFERENCE),
)

PUBLIC_LOG = (
    "/api/v1/log/checkpoint",
    "/api/v1/log/keys",
    "/api/v1/log/proof/inclusion?index=0&size=1",
    "/api/v1/log/proof/consistency?old=0&new=1",
)


@pytest.mark.parametrize("path", PUBLIC_LOG)
def test_the_logs_checkpoint_proofs_and_keys_need_no_account(path, client, dep, viewer) -> None:  # type: ignore[no-untyped-def]
    incidents.report_incident(dep, viewer(REPORTER), IncidentDraft.model_validate(violation()))
    log.publish_checkpoint(dep)
    response = client.get(path)
    assert response.status_code == 200, response.text
    assert "Mortar" not in response.text  # hashes and keys only


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("token", [None, "cf_not-a-token", "garbage"])
def test_every_api_endpoint_refuses_anonymous_and_unknown_tokens(  # type: ignore[no-untyped-def]
    method, path, token, client
) -> None:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = client.request(method, path, headers=headers, json={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "path",
    [
        "/map",
        "/incidents",
        "/incidents/new",
        "/map/incidents.geojson",
        "/incidents/x",
        "/places/search?q=Shusha",
        "/notices",
        "/notices/new",
        "/notices/x",
        "/posts/rpk-post-01/day",
        "/posts/rpk-post-01/notices.ics",
        "/movements",
        "/movements/new",
        "/movements/x",
        "/geo/lines",
        "/geo/lines/1.geojson",
        "/desk/cases",
        "/desk/cases/new",
        "/desk/cases/x",
        "/desk/dashboard",
        "/groups",
        "/groups/x",
        "/groups/x/meetings/1",
        "/commitments",
        "/documents/x",
        "/documents/x/copies/armenian",
    ],
)
def test_pages_send_anonymous_visitors_to_sign_in(path: str, client: TestClient) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_revoked_token_no_longer_opens_the_api(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    from ceasefire.services import accounts

    token = accounts.create_token(dep, "jmc.duty", "test")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    assert accounts.revoke_token(dep, token) == 1
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_page_forms_without_the_csrf_token_are_refused_and_write_nothing(  # type: ignore[no-untyped-def]
    browser_for, record, dep, viewer
) -> None:
    incident, _marker = record("public")
    page = browser_for("rpk.duty")
    response = page.post(
        f"/incidents/{incident.id}/status",
        data={"status": "verified", "reason": "seen", "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert response.status_code == 422
    after = incidents.get_incident(dep, viewer("rpk.duty"), incident.id)
    assert (after.version, after.status.value) == (1, "reported")


MISSION_DUTY = {"jmc.duty", "jmc.tr.duty", "rpk.duty"}
ORG = {
    "jmc.ru.monitor": "jmc-russia",
    "jmc.tr.monitor": "jmc-turkey",
    "jmc.duty": "jmc-russia",
    "jmc.tr.duty": "jmc-turkey",
    "rpk.monitor": "rpk",
    "rpk.duty": "rpk",
    "rpk.desk": "rpk",
    "admin": "rpk",
    "am.liaison": "mod-armenia",
    "az.liaison": "mod-azerbaijan",
    "nk.liaison": "nk-authorities",
    "nk.rescue": "nk-emergency-service",
    "icrc.caseworker": "icrc",
    "unhcr.analyst": "unhcr",
    "ngo.caseworker": "local-ngo",
    "am.assist": "am-assistance",
}


@pytest.mark.parametrize("user", USERS)
def test_inbox_acknowledgement_and_desk_by_user(
    user, dep, viewer, client, auth, browser_for
) -> None:  # type: ignore[no-untyped-def]
    incident = incidents.report_incident(
        dep, viewer("jmc.ru.monitor"), violation_draft(DAYTIME), now=DAYTIME
    )  # public, by day: both ministries' duty officers are told, and no one else
    headers = auth(user)
    inbox = client.get("/api/v1/notifications", headers=headers).json()["items"]
    organisations = {item["organisation"] for item in inbox}
    if user in MISSION_DUTY:
        assert organisations == {"mod-armenia", "mod-azerbaijan"}
    else:
        assert organisations <= {ORG[user]}
    armenian = next(
        n.id
        for n in notifications.inbox(dep, viewer("rpk.duty"))
        if n.organisation_id == "mod-armenia"
    )
    answer = client.post(
        f"/api/v1/notifications/{armenian}/reply", headers=headers, json={"text": "seen"}
    )
    assert answer.status_code == (201 if user == "am.liaison" else 404), answer.text
    told = client.get(f"/api/v1/incidents/{incident.id}/notifications", headers=headers).json()
    told_orgs = {item["organisation"] for item in told["items"]}
    if user in MISSION:
        assert told_orgs == {"mod-armenia", "mod-azerbaijan"}
    else:
        assert told_orgs <= {ORG[user]}
    desk = browser_for(user).get("/desk")
    assert desk.status_code == (200 if user in MISSION_DUTY else 403)
    assert browser_for(user).get("/inbox").status_code == 200


def test_repeated_failed_sign_ins_lock_the_account_for_a_while(dep, viewer) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from ceasefire.domain.errors import Locked
    from ceasefire.services import accounts
    from ceasefire.services.deployment import utcnow

    now = utcnow()
    for _ in range(accounts.MAX_FAILURES_PER_USER):
        assert accounts.authenticate(dep, "rpk.duty", "guess", "10.9.9.9", now) is None
    with pytest.raises(Locked):
        accounts.authenticate(dep, "rpk.duty", "ceasefire-demo", "10.9.9.9", now)  # right one
    later = now + accounts.LOCKOUT + timedelta(seconds=1)
    assert accounts.authenticate(dep, "rpk.duty", "ceasefire-demo", "10.9.9.9", later) is not None
    assert accounts.authenticate(dep, "rpk.duty", "guess", None, later) is None  # counts anew


def test_the_sign_in_page_says_when_an_account_is_locked(client) -> None:  # type: ignore[no-untyped-def]
    from .conftest import csrf_of

    def attempt(password: str) -> int:
        form = {"username": "jmc.duty", "password": password, "csrf_token": csrf_of(client)}
        return client.post("/login", data=form, follow_redirects=False).status_code

    assert [attempt("wrong") for _ in range(5)] == [401] * 5
    assert attempt("ceasefire-demo") == 429


def test_guessing_api_tokens_is_slowed_down(client) -> None:  # type: ignore[no-untyped-def]
    statuses = [
        client.get("/api/v1/me", headers={"Authorization": f"Bearer cf_guess{n}"}).status_code
        for n in range(31)
    ]
    assert statuses[:30] == [401] * 30
    assert statuses[30] == 429
    assert client.get("/api/v1/me").json()["error"]["code"] == "locked"


# --- humanitarian assistance ---------------------------------------------------------------

AID_CASEWORKERS = {"icrc.caseworker", "ngo.caseworker", "am.assist", "nk.housing"}
RUNS_PROGRAMMES = {"icrc.caseworker", "ngo.caseworker", "am.assist"}  # the pack's programmes
AID_ENDPOINTS = (
    ("POST", "/api/v1/households"),
    ("GET", "/api/v1/households"),
    ("GET", "/api/v1/households/x"),
    ("POST", "/api/v1/households/x/verify"),
    ("POST", "/api/v1/households/x/changes"),
    ("POST", "/api/v1/households/x/close"),
    ("POST", "/api/v1/households/x/members"),
    ("POST", "/api/v1/households/x/members/y/left"),
    ("GET", "/api/v1/households/duplicates"),
    ("POST", "/api/v1/households/duplicates/x/merge"),
    ("GET", "/api/v1/programmes"),
    ("POST", "/api/v1/programmes/runs"),
    ("GET", "/api/v1/programmes/reconciliation"),
    ("POST", "/api/v1/deliveries"),
    ("GET", "/api/v1/housing"),
    ("GET", "/api/v1/housing/housing-2021/candidates"),
    ("POST", "/api/v1/claims"),
    ("GET", "/api/v1/claims"),
    ("GET", "/api/v1/activities"),
    ("POST", "/api/v1/activities"),
    ("GET", "/api/v1/activities.hxl.csv"),
    ("GET", "/api/v1/assessments"),
    ("POST", "/api/v1/assessments"),
    ("GET", "/api/v1/aid/figures"),
    ("GET", "/api/v1/aid/displaced.hxl.csv"),
)


@pytest.mark.parametrize("user", [*USERS, "nk.housing"])
def test_a_household_and_its_people_by_user(user, client, auth) -> None:  # type: ignore[no-untyped-def]
    """A household registered by the Armenian programmes' caseworker: only the caseworkers of
    the organisations serving it open it (not the mission, not an administrator, not an
    analyst); every signed-in user reads the aggregates and the 3W, which name nobody;
    programmes are run, and handovers recorded, by the organisations running them; housing
    and claims by the housing and compensation office. The members' names reach nobody else
    by any route."""
    from .test_households import family

    body = family().model_dump(mode="json")
    headers = auth(user)
    teacher = {
        "given_name": "Mkrtych",
        "family_name": "Petrosyan",
        "born": "1970-02-02",
        "sex": "male",
    }
    own = family(members=[teacher], address="").model_dump(mode="json")
    registered = client.post("/api/v1/households", json=own, headers=headers)
    assert registered.status_code == (201 if user in AID_CASEWORKERS else 403), registered.text
    mine = client.post("/api/v1/households", json=body, headers=auth("am.assist")).json()
    opens = user == "am.assist"
    found = Findings(user, "household")
    found.status(
        "GET household",
        client.get(f"/api/v1/households/{mine['id']}", headers=headers),
        200 if opens else 403,
    )
    found.status(
        "GET households",
        client.get("/api/v1/households", headers=headers),
        200 if user in AID_CASEWORKERS else 403,
    )
    found.status(
        "GET duplicates",
        client.get("/api/v1/households/duplicates", headers=headers),
        200 if user in AID_CASEWORKERS else 403,
    )
    baby = {"given_name": "Nare", "family_name": "Galstyan", "born": "2021-04-25", "sex": "female"}
    added = client.post(f"/api/v1/households/{mine['id']}/members", json=baby, headers=headers)
    found.status("POST member", added, 201 if opens else 403)
    found.status(
        "POST change",
        client.post(
            f"/api/v1/households/{mine['id']}/changes", json={"shelter": "rented"}, headers=headers
        ),
        200 if opens else 403,
    )
    for path in (
        "/api/v1/aid/figures",
        "/api/v1/aid/displaced.hxl.csv",
        "/api/v1/activities",
        "/api/v1/activities.hxl.csv",
        "/api/v1/programmes",
        "/api/v1/programmes/reconciliation",
        "/api/v1/housing",
    ):
        found.status(f"GET {path}", client.get(path, headers=headers), 200)
    run = client.post("/api/v1/programmes/runs", json={"period": "2021-05"}, headers=headers)
    found.status("POST run", run, 201 if user in RUNS_PROGRAMMES else 403)
    moved = client.post(
        f"/api/v1/housing/housing-2021/households/{mine['id']}",
        json={"stage": "registered"},
        headers=headers,
    )
    found.status("POST housing move", moved, 200 if user == "nk.housing" else 403)
    candidates = client.get("/api/v1/housing/housing-2021/candidates", headers=headers)
    found.status("GET housing candidates", candidates, 200 if user == "nk.housing" else 403)
    found.status(
        "GET claims queue",
        client.get("/api/v1/claims", headers=headers),
        200 if user == "nk.housing" else 403,
    )
    activity = {
        "organisation": "unhcr",
        "partner": "local-ngo",
        "sector": "shelter",
        "place_id": "goris",
        "activity": "Winterising",
        "status": "planned",
        "start": "2021-06-01",
    }
    found.status(
        "POST activity",
        client.post("/api/v1/activities", json=activity, headers=headers),
        201 if user in {"unhcr.analyst", "ngo.caseworker"} else 403,
    )
    shows = [b for b in found.bodies if "Angela" in b or "Tumanyan" in b]
    found.check("the members' names are shown", bool(shows) == opens)
    assert found.problems == []


@pytest.mark.parametrize(("method", "path"), AID_ENDPOINTS)
def test_every_aid_endpoint_refuses_anonymous_callers(method, path, client) -> None:  # type: ignore[no-untyped-def]
    response = client.request(method, path, json={})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
