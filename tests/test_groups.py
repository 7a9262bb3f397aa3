"""Working groups: a meeting's proposed agenda holds exactly what the group's rules take since
the previous meeting (the expected set is built by the test from what it records); an overdue
commitment is reminded, then escalated, through the notification system (clock injected); a
confidential group is invisible to non-members; bad input names its field and writes
nothing; every version is in the log."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from ceasefire.delivery import channels, messages
from ceasefire.domain import authorization as authz
from ceasefire.domain.cases import HandOver, RequestDraft
from ceasefire.domain.documents import DocumentDraft
from ceasefire.domain.groups import CommitmentChange, CommitmentDraft, MeetingDraft
from ceasefire.i18n import translations
from ceasefire.services import bundles, cases, documents, groups, incidents, log, notifications
from ceasefire.store import tables

from .builders import violation_draft
from .test_authorization import USERS
from .test_cli import run as run  # the fixture
from .test_notifications import receiver as receiver  # the fixture
from .test_notifications import wired as wired  # the fixture

WATER = "water-infrastructure"
FIRST = datetime(2021, 4, 10, 12, 0, tzinfo=UTC)
"""The water group's first meeting"""
BEFORE, BETWEEN = FIRST - timedelta(days=1), FIRST + timedelta(days=1)
PROPOSED = FIRST + timedelta(days=2)
"""When the second meeting is scheduled (and its agenda proposed)"""
SECRETARY = "rpk.duty"  # the water group's chair is the peacekeepers


def incident(dep: Any, viewer: Any, at: datetime, **changes: Any) -> Any:
    body = {"category": "property-damage", "observations": [], "title": "Orchard burned"}
    body.update(changes)
    return incidents.report_incident(dep, viewer("rpk.monitor"), violation_draft(at, **body),
                                      now=at)  # fmt: skip


def handed_over(dep: Any, viewer: Any, at: datetime, category: str = "infrastructure") -> Any:
    draft = RequestDraft.model_validate({
        "category": category, "description": "The pipe runs behind the trenches.",
        "place_id": "taghavard",
        "requester": {"name": "Elmira G.", "language": "ru"},  # no number: never merged
    })  # fmt: skip
    filed = cases.file_request(dep, draft, viewer=viewer("rpk.desk"), now=at).case
    needs = HandOver(party="mod-azerbaijan", needs="Let the crew mend the pipe.")
    return cases.hand_over(dep, viewer("rpk.desk"), filed.id, needs, now=at)


def commitment(dep: Any, viewer: Any, due: date, **changes: Any) -> Any:
    body = {"organisation": "mod-azerbaijan", "text": "Let the water company's crew in",
            "due": due, "evidence": "The crew's report"}  # fmt: skip
    body.update(changes)
    return groups.add_commitment(dep, viewer(SECRETARY), WATER, CommitmentDraft(**body),
                                 now=FIRST)  # fmt: skip


def test_the_proposed_agenda_holds_exactly_what_the_groups_rules_take(dep, viewer) -> None:  # type: ignore[no-untyped-def]
    first = groups.schedule_meeting(dep, viewer(SECRETARY), WATER,
                                    MeetingDraft(scheduled_at=FIRST), now=BEFORE)  # fmt: skip
    assert first.number == 1
    incident(dep, viewer, BEFORE - timedelta(hours=1))  # before the first meeting
    taken = incident(dep, viewer, BETWEEN, title="Water tower hit")
    incident(dep, viewer, BETWEEN, classification="restricted", restricted_to=["mod-armenia"])
    incident(dep, viewer, BETWEEN - timedelta(hours=2), category="fortification")
    handed_over(dep, viewer, BEFORE)  # handed over before the first meeting
    pipe = handed_over(dep, viewer, BETWEEN)
    handed_over(dep, viewer, BETWEEN, category="escort")  # another group's
    late = commitment(dep, viewer, FIRST.date(), resolves=[{"kind": "case", "id": pipe.id}])
    assert late.resolves == [{"kind": "case", "id": pipe.id}]
    commitment(dep, viewer, PROPOSED.date() + timedelta(days=5))  # not due yet
    kept = commitment(dep, viewer, FIRST.date() - timedelta(days=5))
    groups.change_commitment(dep, viewer("az.liaison"), kept.id,
                             CommitmentChange(status="done", evidence="Crew went in"))  # fmt: skip
    next_one = MeetingDraft(scheduled_at=PROPOSED + timedelta(days=1), place_id="stepanakert")
    second = groups.schedule_meeting(dep, viewer(SECRETARY), WATER, next_one, now=PROPOSED)
    expected = {("handover", pipe.id), ("commitment", late.id), ("incident", taken.id),
                ("standing", "0")}  # fmt: skip
    assert second.number == 2 and second.since == FIRST
    assert {(i["kind"], i["ref"]) for i in second.agenda} == expected
    assert log.audit(dep).problems == []


def test_the_secretary_edits_the_agenda_and_records_the_minutes(client, auth, dep) -> None:  # type: ignore[no-untyped-def]
    at = datetime.now(UTC) + timedelta(days=3)
    made = client.post(f"/api/v1/groups/{WATER}/meetings",
                       json={"scheduled_at": at.isoformat(), "place_id": "stepanakert"},
                       headers=auth(SECRETARY))  # fmt: skip
    assert made.status_code == 201, made.text
    meeting = made.json()
    assert meeting["number"] == 1 and meeting["place"]
    items = [*meeting["agenda"], {"kind": "other", "title": "Irrigation canals across the line"}]
    edited = client.put(f"/api/v1/groups/{WATER}/meetings/1/agenda", json=items,
                        headers=auth(SECRETARY))  # fmt: skip
    assert edited.status_code == 200, edited.text
    assert edited.json()["agenda"][-1]["title"] == "Irrigation canals across the line"
    minutes = {
        "attendance": [{"organisation": "mod-armenia", "people": 2},
                       {"organisation": "mod-azerbaijan", "people": 2}],
        "items": [{"kind": "other", "title": "Irrigation canals across the line",
                   "positions": {"mod-armenia": "Repair the old canal.",
                                 "mod-azerbaijan": "Only with an escort."},
                   "decision": "A joint visit on 20 April, escorted."}],
    }  # fmt: skip
    held = client.post(f"/api/v1/groups/{WATER}/meetings/1/minutes", json=minutes,
                       headers=auth(SECRETARY))  # fmt: skip
    assert held.status_code == 200, held.text
    assert held.json()["status"] == "met" and len(held.json()["attendance"]) == 2
    promise = {"organisation": "mod-azerbaijan", "text": "Escort the joint visit",
               "due": "2021-04-20", "evidence": "The escort's report", "meeting": 1}  # fmt: skip
    made = client.post(f"/api/v1/groups/{WATER}/commitments", json=promise,
                       headers=auth(SECRETARY))  # fmt: skip
    assert made.status_code == 201, made.text
    listed = client.get("/api/v1/commitments", params={"group": WATER, "status": "overdue"},
                        headers=auth("am.liaison")).json()["items"]  # fmt: skip
    assert [c["id"] for c in listed] == [made.json()["id"]]
    disputed = client.post(f"/api/v1/commitments/{made.json()['id']}/status",
                           json={"status": "disputed", "evidence": "No escort came."},
                           headers=auth("am.liaison"))  # fmt: skip
    assert disputed.status_code == 200 and disputed.json()["status"] == "disputed"
    record = client.get(f"/api/v1/groups/{WATER}", headers=auth("az.liaison")).json()["record"]
    assert record["mod-azerbaijan"] == {"made": 1, "done": 0, "open": 0, "overdue": 0,
                                        "disputed": 1}  # fmt: skip
    assert record["mod-armenia"]["made"] == 0
    assert log.audit(dep).problems == []


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("meetings", {"scheduled_at": "2021-04-10T12:00:00"}, "scheduled_at"),  # no zone
        ("meetings", {"scheduled_at": "2021-04-10T12:00:00Z", "place_id": "atlantis"},
         "place_id"),
        ("commitments", {"organisation": "unhcr", "text": "x", "due": "2021-04-20",
                         "evidence": "y"}, "organisation"),  # not a member
        ("commitments", {"organisation": "mod-armenia", "text": "", "due": "2021-04-20",
                         "evidence": "y"}, "text"),
        ("commitments", {"organisation": "mod-armenia", "text": "x", "due": "soon",
                         "evidence": "y"}, "due"),
        ("commitments", {"organisation": "mod-armenia", "text": "x", "due": "2021-04-20",
                         "evidence": "y", "meeting": 7}, "meeting"),
        ("commitments", {"organisation": "mod-armenia", "text": "x", "due": "2021-04-20",
                         "evidence": "y", "resolves": [{"kind": "incident", "id": "nothing"}]},
         "resolves.0.id"),
    ],
)  # fmt: skip
def test_bad_input_names_its_field_and_writes_nothing(client, auth, dep, path, body, field) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(f"/api/v1/groups/{WATER}/{path}", json=body, headers=auth(SECRETARY))
    assert answer.status_code == 422, answer.text
    assert field in str(answer.json()["error"])
    with dep.db.read() as conn:
        assert conn.execute(select(tables.meetings)).first() is None
        assert conn.execute(select(tables.commitments)).first() is None


def test_an_overdue_commitment_is_reminded_then_escalated(  # type: ignore[no-untyped-def]
    wired, viewer, mailbox, receiver
) -> None:
    promised = commitment(wired, viewer, date(2021, 4, 20))
    assert groups.remind_commitments(wired, datetime(2021, 4, 17, 23, tzinfo=UTC)) == (0, 0)
    assert groups.remind_commitments(wired, datetime(2021, 4, 18, 1, tzinfo=UTC)) == (1, 0)
    assert groups.remind_commitments(wired, datetime(2021, 4, 19, tzinfo=UTC)) == (0, 0)
    notifications.deliver_due(wired, channels.send, messages.render)
    reminders = [b["message"] for _h, b in receiver.received]
    assert len(reminders) == 1 and "2021-04-20" in reminders[0]  # the Azerbaijani ministry
    assert groups.remind_commitments(wired, datetime(2021, 4, 21, 1, tzinfo=UTC)) == (0, 1)
    assert groups.remind_commitments(wired, datetime(2021, 4, 22, tzinfo=UTC)) == (0, 0)
    notifications.deliver_due(wired, channels.send, messages.render)
    told = {str(m["To"]) for m in mailbox.received}
    assert "rpk-duty@demo.invalid" in told  # the chairs' and the group's escalation desk
    overdue = translations("ru").gettext("Overdue: this commitment was due on {due}.")
    assert any(overdue.format(due="2021-04-20") in t for t in mailbox.texts())
    assert len(receiver.received) == 2  # the ministry again, now overdue
    assert groups.list_commitments(wired, viewer("rpk.duty"), WATER)[0]["id"] == promised.id
    assert log.audit(wired).problems == []


MISSING = "missing-persons"
MEMBERS = {"rpk.monitor", "rpk.duty", "rpk.desk", "admin", "am.liaison", "az.liaison",
           "icrc.caseworker"}  # fmt: skip


@pytest.mark.parametrize("user", USERS)
def test_a_confidential_group_is_invisible_outside_its_members(  # type: ignore[no-untyped-def]
    user, client, auth, dep, viewer, browser_for
) -> None:
    at = datetime.now(UTC) + timedelta(days=1)
    groups.schedule_meeting(dep, viewer("icrc.caseworker"), MISSING, MeetingDraft(scheduled_at=at))
    secret = "Exchange of remains near Aghdam"
    promise = CommitmentDraft(organisation="mod-azerbaijan", text=secret, due=date(2021, 5, 1),
                              evidence="ICRC")  # fmt: skip
    groups.add_commitment(dep, viewer("icrc.caseworker"), MISSING, promise)
    agreement = DocumentDraft(title="Handing over remains", text=f"{secret}, at dawn.",
                              language="en", signatories=["mod-armenia", "mod-azerbaijan"],
                              copies=["armenian", "azerbaijani"])  # fmt: skip
    issued = documents.issue_document(dep, viewer("icrc.caseworker"), MISSING, agreement)
    member = user in MEMBERS
    headers = auth(user)
    for path in (
        f"/api/v1/documents/{issued.id}",
        f"/api/v1/documents/{issued.id}/copies/armenian",
    ):
        assert client.get(path, headers=headers).status_code == (200 if member else 404), path
    listed = client.get("/api/v1/groups", headers=headers).json()["items"]
    assert (MISSING in [g["id"] for g in listed]) == member
    for path in (f"/api/v1/groups/{MISSING}", f"/api/v1/groups/{MISSING}/meetings/1"):
        assert client.get(path, headers=headers).status_code == (200 if member else 404), path
    commitments = client.get("/api/v1/commitments", headers=headers)
    assert (secret in commitments.text) == member
    alone = client.get("/api/v1/commitments", params={"group": MISSING}, headers=headers)
    assert alone.status_code == (200 if member else 404)
    schedule = client.post(f"/api/v1/groups/{MISSING}/meetings",
                           json={"scheduled_at": (at + timedelta(days=7)).isoformat()},
                           headers=headers)  # fmt: skip
    assert schedule.status_code == (201 if user == "icrc.caseworker" else 403 if member else 404)
    pages = [f"/groups/{MISSING}", f"/groups/{MISSING}/meetings/1", f"/documents/{issued.id}",
             f"/documents/{issued.id}/copies/azerbaijani", "/groups", "/commitments"]  # fmt: skip
    bodies = [browser_for(user).get(path) for path in pages]
    assert [b.status_code for b in bodies[:4]] == [200 if member else 404] * 4
    assert any(secret in b.text for b in bodies) == member
    if authz.can_export_bundle(viewer(user)):  # nor in what the log proves to them
        log.publish_checkpoint(dep)
        bundle = json.dumps(bundles.export_bundle(dep, viewer(user)), ensure_ascii=False)
        assert (issued.substance_sha256 in bundle) == member
        assert (secret in bundle) == member


def test_the_secretariat_works_from_the_terminal(run) -> None:  # type: ignore[no-untyped-def]
    scheduled = run("group", "schedule", WATER, "--as", SECRETARY,
                    "--at", "2031-04-20T10:00+04:00", "--place", "stepanakert")  # fmt: skip
    assert scheduled.exit_code == 0, scheduled.output
    assert "1" in scheduled.output.splitlines()[0]
    listed = json.loads(run("group", "list", "--as", "am.liaison", "--json").output)
    water = next(g for g in listed["items"] if g["id"] == WATER)
    assert [m["number"] for m in water["meetings"]] == [1]
    promise = json.dumps({"organisation": "mod-armenia", "text": "Open the canal gate",
                          "due": "2031-04-25", "evidence": "A photo of the open gate"})  # fmt: skip
    made = run("group", "commit", WATER, "--as", SECRETARY, "--file", "-", stdin=promise)
    assert made.exit_code == 0, made.output
    commitment_id = made.output.strip()
    done = run("group", "mark", commitment_id, "--as", "am.liaison", "--status", "done",
               "--evidence", "Photo sent on 24 April")  # fmt: skip
    assert done.exit_code == 0, done.output
    shown = json.loads(run("group", "commitments", "--as", "az.liaison", "--json").output)
    assert [c["status"] for c in shown["items"]] == ["done"]
    refused = run("group", "mark", commitment_id, "--as", "az.liaison", "--status", "done",
                  "--evidence", "x")  # fmt: skip
    assert refused.exit_code == 2 and "may not" in refused.output
    bad = run("group", "schedule", WATER, "--as", SECRETARY, "--at", "next tuesday")
    assert bad.exit_code == 2 and "at:" in bad.output
    hidden = run("group", "meeting", "missing-persons", "1", "--as", "nk.liaison")
    assert hidden.exit_code == 2 and "no such working group" in hidden.output


def test_open_detentions_stay_on_the_missing_persons_agenda_once(dep, viewer) -> None:  # type: ignore[no-untyped-def]
    detained = handed_over(dep, viewer, BETWEEN, category="detention")
    draft = RequestDraft.model_validate({
        "category": "detention", "description": "My son did not come back from the pasture.",
        "place_id": "khatsi", "requester": {"name": "N. A.", "language": "hy"},
    })  # fmt: skip
    still = cases.file_request(dep, draft, viewer=viewer("rpk.desk"), now=BETWEEN).case
    when = MeetingDraft(scheduled_at=PROPOSED)
    meeting = groups.schedule_meeting(dep, viewer("icrc.caseworker"), MISSING, when, now=PROPOSED)
    refs = [(i["kind"], i["ref"]) for i in meeting.agenda]
    assert refs == [("handover", detained.id), ("case", still.id)]
