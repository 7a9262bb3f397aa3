"""The civilian desk at work on cases: the resident hears of each change in their language
through the channel they came by (a real SMS gateway's webhook, a real SMTP server); a case
that misses its first response escalates (clock injected); duplicates merge; a fix that
needs the other side is handed to the working group, de-identified; the dashboard's numbers
are the records' own; who asks is in no table, file, log or export in clear, and no party
reaches it through any endpoint."""

from __future__ import annotations

import json
import logging
import tarfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from ceasefire.delivery import channels, messages
from ceasefire.domain.cases import CaseUpdate, RequestDraft
from ceasefire.i18n import translations
from ceasefire.services import backups, bundles, cases, log, notifications, places
from ceasefire.services.deployment import Deployment
from ceasefire.store import tables

from .conftest import csrf_of
from .mail import Mailbox
from .test_cases import DESK, NAME, PHONE, WORDS, filed, public_form
from .test_cli import run as run  # the fixture
from .test_notifications import Receiver
from .test_notifications import receiver as receiver  # the fixture
from .test_notifications import wired as wired  # the fixture

NOON = datetime(2021, 4, 12, 9, 0, tzinfo=UTC)
hy = translations("hy").gettext


@pytest.fixture
def desk(wired: Deployment, mailbox: Mailbox, receiver: Receiver) -> Deployment:
    """The wired deployment, writing to residents: SMS through a gateway's webhook (the
    number in the payload's `to`), e-mail through the SMTP server."""
    return replace(
        wired,
        resident_channels={"sms": receiver.url + "?:to={to}", "email": mailbox.url("{to}")},
    )


def request(**changes: Any) -> RequestDraft:
    body: dict[str, Any] = {
        "category": "livestock",
        "description": "Our cow went over the line at dawn.",
        "place_id": "khramort",
        "requester": {"name": NAME, "phone": PHONE, "language": "hy", "channel": "sms"},
    }
    body.update(changes)
    return RequestDraft.model_validate(body)


def to_residents(dep: Deployment, now: datetime | None = None) -> int:
    return cases.deliver_to_residents(
        dep, channels.send_to_resident, messages.resident_message, now=now
    )


def sms(receiver: Receiver) -> list[dict[str, Any]]:
    """What the SMS gateway was asked to send (the desks' webhooks have no `to`)."""
    return [body for _headers, body in receiver.received if "to" in body]


def test_an_armenian_request_is_answered_in_armenian_by_sms(  # type: ignore[no-untyped-def]
    desk, client, auth, receiver, mailbox
) -> None:
    reference, secret = filed(public_form(client))
    (item,) = client.get("/api/v1/cases", headers=auth(DESK)).json()["items"]
    assert item["acts"] == ["rpk-south-desk"]
    assert notifications.deliver_due(desk, channels.send, messages.render) == 2
    assert "rpk-south-desk@demo.invalid" in [str(m["To"]) for m in mailbox.received]
    assert to_residents(desk) == 1
    (received,) = sms(receiver)
    assert received["to"] == PHONE
    said = hy("We have received your request {reference}. We will write when something changes.")
    assert (
        said != "We have received your request {reference}. We will write when something changes."
    )
    assert said.format(reference=reference) in received["message"]

    taken = client.post(f"/api/v1/cases/{item['id']}/take", headers=auth(DESK))
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "in_progress" and taken.json()["owner"] == DESK
    assert taken.json()["first_response_at"] is not None
    words = "Մեր պահակակետը վաղը կկապվի մյուս կողմի հետ։"
    body = {"status": "waiting_other_side", "to_resident": words,
            "internal_note": "The Azerbaijani post commander is on leave till Friday."}  # fmt: skip
    updated = client.post(f"/api/v1/cases/{item['id']}/update", json=body, headers=auth(DESK))
    assert updated.status_code == 200, updated.text
    assert to_residents(desk) == 2
    first, second, third = (m["message"] for m in sms(receiver))
    assert hy("in_progress") in second and hy("in_progress") != "in_progress"
    assert words in third and hy("waiting_other_side") in third
    assert not [m for m in (first, second, third) if "leave till Friday" in m]
    status = client.get(
        "/request/status", params={"reference": reference, "secret": secret},
        headers={"Accept-Language": "hy"},
    )  # fmt: skip
    assert words in status.text and "leave till Friday" not in status.text
    assert [u["status"] for u in cases.case_status(desk, reference, secret)["updates"]] == [
        "assigned", "in_progress", "waiting_other_side"
    ]  # fmt: skip
    assert log.audit(desk).problems == []


def test_a_resident_who_asked_by_email_hears_by_email(desk, viewer, mailbox) -> None:  # type: ignore[no-untyped-def]
    requester = {"name": NAME, "email": "anahit@example.org", "language": "ru", "channel": "email"}
    made = cases.file_request(desk, request(requester=requester), viewer=viewer(DESK))
    notifications.deliver_due(desk, channels.send, messages.render)
    mailbox.received.clear()
    cases.update(desk, viewer(DESK), made.case.id, CaseUpdate(status="resolved"))
    assert to_residents(desk) == 2
    assert [str(m["To"]) for m in mailbox.received] == ["anahit@example.org"] * 2
    resolved = translations("ru").gettext("resolved")
    assert resolved != "resolved" and resolved in mailbox.texts()[1]


def test_a_failing_channel_is_retried_and_its_error_keeps_no_address(  # type: ignore[no-untyped-def]
    desk, viewer, receiver
) -> None:
    unset = replace(desk, resident_channels={})
    made = cases.file_request(unset, request(), viewer=viewer(DESK))
    assert to_residents(unset) == 1
    receiver.failing = True
    later = datetime.now(UTC) + timedelta(days=1)
    assert to_residents(desk, now=later) == 1
    with desk.db.read() as conn:
        (message,) = conn.execute(select(tables.resident_messages)).all()
    assert message.status == "retrying" and message.attempts == 2
    forms = (PHONE, "97 555 123", "97555123", "97%20555")
    assert message.last_error and not [f for f in forms if f in message.last_error]
    receiver.failing = False
    assert to_residents(desk, now=later + timedelta(days=1)) == 1
    assert cases.case_view(desk, viewer(DESK), made.case.id)["messages"][0]["status"] == "sent"


def test_a_case_that_misses_its_first_response_escalates(desk, viewer, mailbox) -> None:  # type: ignore[no-untyped-def]
    """A detention is urgent: an hour for a first response. The clock is injected."""
    made = cases.file_request(desk, request(category="detention"), viewer=viewer(DESK), now=NOON)
    assert made.case.priority.value == "urgent"
    assert cases.escalate_overdue(desk, NOON + timedelta(minutes=59)) == 0
    assert cases.escalate_overdue(desk, NOON + timedelta(minutes=61)) == 1
    assert cases.escalate_overdue(desk, NOON + timedelta(minutes=62)) == 0  # once
    view = cases.case_view(desk, viewer(DESK), made.case.id)
    assert view["escalated"] == 1
    assert view["timeline"][-1]["action"] == "escalated"
    assert view["timeline"][-1]["details"]["missed"] == "first_response"
    mailbox.received.clear()
    notifications.deliver_due(desk, channels.send, messages.render, now=NOON + timedelta(hours=2))
    duty = [t for m, t in zip(mailbox.received, mailbox.texts(), strict=True)
            if str(m["To"]) == "rpk-duty@demo.invalid"]  # fmt: skip
    overdue = translations("ru").gettext("Overdue: nobody answered the resident by {due} UTC.")
    assert [t for t in duty if overdue.format(due="2021-04-12 10:00") in t]
    assert not [t for t in duty if NAME in t or "97 555 123" in t or "97555123" in t]
    # answered in time, another case does not escalate on its first response
    other = cases.file_request(desk, request(category="detention", place_id="shusha"),
                               viewer=viewer(DESK), now=NOON)  # fmt: skip
    cases.take(desk, viewer(DESK), other.case.id, now=NOON + timedelta(minutes=20))
    assert cases.escalate_overdue(desk, NOON + timedelta(hours=2)) == 0
    # ... but does when it is not resolved within a day
    assert cases.escalate_overdue(desk, NOON + timedelta(days=1, minutes=1)) == 2
    assert log.audit(desk).problems == []


def test_the_same_resident_asking_again_is_merged_into_the_open_case(  # type: ignore[no-untyped-def]
    desk, viewer, receiver
) -> None:
    first = cases.file_request(desk, request(), viewer=viewer(DESK))
    same = {"name": "A. Hakobyan", "phone": "+37497555123", "language": "hy", "channel": "sms"}
    again = cases.file_request(desk, request(requester=same))
    assert again.case.status.value == "merged" and again.case.merged_into == first.case.id
    queue = cases.queue(desk, viewer(DESK))
    assert [c["reference"] for c in queue] == [first.case.reference]
    seen = cases.case_status(desk, again.case.reference, again.secret)
    assert seen["follows"] == first.case.reference and seen["status"] == "assigned"
    timeline = cases.case_view(desk, viewer(DESK), first.case.id)["timeline"]
    assert timeline[-1]["action"] == "joined"
    assert timeline[-1]["details"]["duplicate"] == again.case.reference
    to_residents(desk)
    assert first.case.reference in sms(receiver)[-1]["message"]
    # the merged request's resident hears of the case's status too, never of words to another
    receiver.received.clear()
    words = CaseUpdate(status="in_progress", to_resident="The patrol goes out at noon.")
    cases.update(desk, viewer(DESK), first.case.id, words)
    assert to_residents(desk) == 2
    (own,) = [m["message"] for m in sms(receiver) if first.case.reference in m["message"]]
    (merged,) = [m["message"] for m in sms(receiver) if again.case.reference in m["message"]]
    assert "patrol" in own and "patrol" not in merged and hy("in_progress") in merged
    # a different thing from the same number is a case of its own; the desk merges by hand
    water = cases.file_request(desk, request(category="infrastructure"), viewer=viewer(DESK))
    assert water.case.status.value == "assigned"
    merged = cases.merge(desk, viewer(DESK), water.case.id, first.case.reference.lower())
    assert merged.status.value == "merged"
    assert log.audit(desk).problems == []


def test_a_pipe_behind_the_other_sides_trenches_is_handed_to_the_working_group(  # type: ignore[no-untyped-def]
    desk, viewer, client, auth, receiver
) -> None:
    made = cases.file_request(desk, request(category="infrastructure", place_id="taghavard",
                                            description=WORDS), viewer=viewer(DESK))  # fmt: skip
    notifications.deliver_due(desk, channels.send, messages.render)
    receiver.received.clear()
    body = {"party": "mod-azerbaijan", "needs": "Let the water company's crew mend the main "
            "pipe north of the village, under escort.", "by": "2021-04-20"}  # fmt: skip
    handed = client.post(f"/api/v1/cases/{made.case.id}/handover", json=body, headers=auth(DESK))
    assert handed.status_code == 200, handed.text
    assert handed.json()["status"] == "handed_over"
    assert handed.json()["handover"]["party"] == "mod-azerbaijan"
    assert notifications.deliver_due(desk, channels.send, messages.render) >= 1
    told = [b for _h, b in receiver.received if "to" not in b]
    assert told and all(NAME not in b["message"] and "97 555 123" not in b["message"] for b in told)
    assert any("main pipe" in b["message"] for b in told)
    # the Azerbaijani liaison reads the case, de-identified; never who asks
    seen = client.get(f"/api/v1/cases/{made.case.id}", headers=auth("az.liaison"))
    assert seen.status_code == 200, seen.text
    assert "requester" not in seen.json() and NAME not in seen.text and PHONE not in seen.text
    assert WORDS not in seen.text
    bad = client.post(f"/api/v1/cases/{made.case.id}/handover",
                      json={**body, "party": "icrc"}, headers=auth(DESK))  # fmt: skip
    assert bad.status_code == 422 and "party" in bad.text


def test_the_dashboard_counts_what_the_records_hold(desk, viewer, client, auth) -> None:  # type: ignore[no-untyped-def]
    operator = viewer(DESK)
    start = datetime.now(UTC) - timedelta(days=10)
    made = []
    for i, (category, place) in enumerate([
        ("livestock", "khramort"), ("livestock", "taghavard"), ("detention", "taghavard"),
        ("uxo", "shusha"), ("escort", "khramort"), ("property", "shusha"), ("other", "askeran"),
    ]):  # fmt: skip
        requester = {"name": f"R{i}", "phone": f"+3749700000{i}", "language": "hy"}
        draft = request(category=category, place_id=place, requester=requester)
        made.append(cases.file_request(desk, draft, viewer=operator, now=start + timedelta(days=i)))
    cases.take(desk, operator, made[0].case.id, now=start + timedelta(hours=3))
    cases.update(desk, operator, made[0].case.id, CaseUpdate(status="resolved"),
                 now=start + timedelta(days=2))  # fmt: skip
    cases.take(desk, operator, made[3].case.id, now=start + timedelta(days=3, hours=1))
    board = client.get("/api/v1/cases/dashboard", headers=auth(DESK)).json()
    now = datetime.fromisoformat(board["at"])
    c = tables.cases.c
    finished = ["resolved", "closed", "merged"]
    with desk.db.read() as conn:
        open_rows = conn.execute(select(tables.cases).where(c.status.not_in(finished))).all()
        by_category = dict(conn.execute(select(c.category, func.count()).where(
            c.status.not_in(finished)).group_by(c.category)).all())  # fmt: skip
        by_post = dict(conn.execute(select(c.nearest_post, func.count()).where(
            c.status.not_in(finished)).group_by(c.nearest_post)).all())  # fmt: skip
        late = conn.execute(select(func.count()).select_from(tables.cases).where(
            c.status.not_in(finished),
            ((c.first_response_at.is_(None)) & (c.first_response_due <= now))
            | (c.resolution_due <= now))).scalar_one()  # fmt: skip
    assert board["open"] == len(open_rows) == 6
    assert board["by"]["category"] == by_category
    assert board["by"]["post"] == {(k or "-"): v for k, v in by_post.items()}
    assert len(board["overdue"]) == late
    assert sum(p["overdue"] for p in board["posts"].values()) == late
    ages = [(now - r.created_at).days for r in open_rows]
    assert board["by"]["age"].get("older", 0) == len([a for a in ages if a >= 7])
    assert board["first_response_hours"] == 2.0  # 3 h and 1 h
    assert board["resolution_hours"] == 48.0
    page = client.get("/desk/dashboard", headers=auth(DESK))
    assert page.status_code in (200, 303)


def test_who_asks_is_in_no_table_file_log_or_export_in_clear(  # type: ignore[no-untyped-def]
    desk, client, auth, viewer, settings, caplog, tmp_path, receiver
) -> None:
    caplog.set_level(logging.DEBUG)
    reference, _secret = filed(public_form(client, channel="sms"))
    (item,) = cases.queue(desk, viewer(DESK))
    cases.take(desk, viewer(DESK), item["id"])
    note = CaseUpdate(to_resident="We call you tomorrow.", internal_note=f"Called {PHONE}")
    cases.update(desk, viewer(DESK), item["id"], note)
    notifications.deliver_due(desk, channels.send, messages.render)
    to_residents(desk)
    forms = [PHONE, "+37497555123", "97555123", "97 555 123", "97%20555", NAME, WORDS]
    with desk.db.read() as conn:
        for table in tables.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                text = json.dumps([str(v) for v in row], ensure_ascii=False)
                assert not [f for f in forms if f in text], table.name
    if desk.db.is_sqlite:
        for path in Path(settings.data_dir).rglob("*.db*"):
            raw = path.read_bytes()
            assert not [f for f in forms if f.encode() in raw], path
    assert not [f for f in forms if f in caplog.text]
    log.publish_checkpoint(desk)
    exports = {
        "bundle": json.dumps(bundles.export_bundle(desk, viewer("rpk.duty")), ensure_ascii=False),
        "places": json.dumps(places.export_geojson(desk, viewer("rpk.duty")), ensure_ascii=False),
    }
    archive = tmp_path / "backup.tar.gz"
    backups.backup(desk, settings, archive, include_keys=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            handle = tar.extractfile(member)
            if handle is not None:
                exports[member.name] = handle.read().decode("utf-8", "replace")
    for name, text in exports.items():
        assert not [f for f in forms if f in text], name
    assert reference not in exports["bundle"]  # the case is committed to, never shown


def test_the_desk_works_a_case_from_the_terminal(run) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps({
        "category": "escort",
        "description": "We want to visit our parents' graves behind the post.",
        "place_id": "khramort",
        "requester": {"name": NAME, "phone": PHONE, "language": "ru", "channel": "sms"},
        "signatories": [{"name": "Gohar Hakobyan"}, {"name": "Armen Hakobyan"}],
    })  # fmt: skip
    taken = run("case", "take-request", "--as", DESK, "--file", "-", stdin=body)
    assert taken.exit_code == 0, taken.output
    case_id = taken.output.strip().splitlines()[-1]
    assert "Reference:" in taken.output and "Secret:" in taken.output
    listed = run("case", "list", "--as", DESK, "--json")
    (item,) = json.loads(listed.output)["items"]
    assert item["id"] == case_id and item["signatories"] == 2
    assert run("case", "take", case_id, "--as", DESK).exit_code == 0
    done = run("case", "update", case_id, "--as", DESK, "--status", "resolved",
               "--to-resident", "The escort is on Saturday at 9.")  # fmt: skip
    assert done.exit_code == 0, done.output
    shown = json.loads(run("case", "show", case_id, "--as", DESK, "--json").output)
    assert [t["action"] for t in shown["timeline"]] == ["filed", "taken", "updated"]
    assert shown["timeline"][-1]["notes"]["to_resident"] == "The escort is on Saturday at 9."
    board = json.loads(run("case", "dashboard", "--as", DESK, "--json").output)
    assert board["open"] == 0 and board["resolved"] == 1
    # refusals name the field and change nothing
    closed = run("case", "update", case_id, "--as", DESK, "--status", "handed_over")
    assert closed.exit_code == 2 and "status:" in closed.output
    nobody = run("case", "update", case_id, "--as", DESK)
    assert nobody.exit_code == 2 and "status" in nobody.output
    bad_day = run("case", "hand-over", case_id, "--as", DESK, "--party", "mod-azerbaijan",
                  "--needs", "Open the road", "--by", "someday")  # fmt: skip
    assert bad_day.exit_code == 2 and "by" in bad_day.output
    stranger = run("case", "show", case_id, "--as", "am.liaison")
    assert stranger.exit_code == 2 and NAME not in stranger.output
    assert run("case", "list", "--as", "az.liaison").exit_code == 2
    after = json.loads(run("case", "show", case_id, "--as", DESK, "--json").output)
    assert after["version"] == shown["version"]


def test_the_demo_desk_holds_the_packs_sample_requests(desk, viewer) -> None:  # type: ignore[no-untyped-def]
    from ceasefire.services import scenarios

    now = datetime.now(UTC)
    assert scenarios.load_sample_requests(desk, now=now) == len(desk.scenario.requests) == 9
    assert scenarios.load_sample_requests(desk, now=now) == 0  # once
    board = cases.dashboard(desk, viewer("rpk.duty"), now=now)
    assert board["open"] == 7 and board["resolved"] == 2
    late = {(c["category"], c["place_id"]) for c in board["overdue"]}
    assert late == {("uxo", "vardadzor"), ("property", "krasniy-bazar")}
    waiting = [c for c in cases.queue(desk, viewer(DESK)) if c["status"] == "waiting_other_side"]
    assert {c["place_id"] for c in waiting} == {"khramort", "taghavard"}
    assert log.audit(desk).problems == []


def test_a_new_desk_key_seals_from_now_on_and_the_old_ones_still_open(  # type: ignore[no-untyped-def]
    run, settings, monkeypatch, tmp_path
) -> None:
    from ceasefire.store.sealing import Sealer

    key = tmp_path / "desk.key"
    key.write_bytes(settings.resolved_desk_key_file.read_bytes())
    monkeypatch.setenv("CEASEFIRE_DESK_KEY_FILE", str(key))
    before = Sealer.from_file(key).seal(PHONE, "test")
    rotated = run("case", "rotate-key")
    assert rotated.exit_code == 0, rotated.output
    assert len(key.read_text().splitlines()) == 2
    after = Sealer.from_file(key)
    assert after.open(before, "test") == PHONE
    assert after.seal(PHONE, "test").split(".")[1] == key.read_text().split()[-2]
    key.write_text("damaged\n")
    assert run("case", "rotate-key").exit_code == 2


def test_the_console_takes_a_petition_and_the_case_page_refuses_bad_actions(  # type: ignore[no-untyped-def]
    browser_for, dep, viewer
) -> None:
    page = browser_for(DESK)
    csrf = csrf_of(page)
    form = {
        "csrf_token": csrf,
        "category": "escort",
        "place_search": "Berdashen",  # typed, no suggestion picked: the one exact name is taken
        "description": "The families ask to visit the graves behind the positions.",
        "name": NAME,
        "phone": PHONE,
        "language": "hy",
        "channel": "sms",
        "affected": "40",
        "signatories": "Gohar Simonyan; +374 91 111 111\nArmen Avetisyan\n",
    }
    taken = page.post("/desk/cases/new", data=form)
    assert taken.status_code == 200, taken.text
    case_id = taken.text.split('href="/desk/cases/', 1)[1].split('"', 1)[0]
    shown = page.get(f"/desk/cases/{case_id}")
    assert "Gohar Simonyan (+374 91 111 111); Armen Avetisyan" in shown.text, shown.text
    view = cases.case_view(dep, viewer(DESK), case_id)
    assert view["signatories"] == 2 and view["affected"] == 40 and view["place_id"] == "berdashen"
    refused = [
        ("triage", {"priority": "soon"}, "priority"),
        ("update", {}, "status"),
        ("update", {"status": "closed"}, "only a resolved case is closed"),
        ("merge", {"into": "ZZZZ-ZZZZ"}, "into"),
        ("handover", {"party": "icrc", "needs": "Open the road."}, "party"),
        ("handover", {"party": "rpk", "needs": "Open the road."}, "party"),  # the mission
        ("handover", {"party": "mod-azerbaijan", "needs": ""}, "needs"),
        ("link", {"kind": "incident", "id": "nothing"}, "id"),
    ]
    for action, data, said in refused:
        answer = page.post(f"/desk/cases/{case_id}/{action}", data={**data, "csrf_token": csrf})
        assert answer.status_code == 422 and said in answer.text, (action, answer.text[:300])
    assert cases.case_view(dep, viewer(DESK), case_id)["version"] == view["version"]
    missing = page.post("/desk/cases/new", data={**form, "name": ""})
    assert missing.status_code == 422 and "name" in missing.text
    board = page.get("/desk/dashboard")
    assert board.status_code == 200 and 'id="open-cases">1<' in board.text


def test_the_inbox_links_a_case_to_its_page(desk, viewer, browser_for) -> None:  # type: ignore[no-untyped-def]
    made = cases.file_request(desk, request(), viewer=viewer(DESK))
    inbox = browser_for("rpk.duty").get("/inbox").text
    assert f'href="/desk/cases/{made.case.id}"' in inbox and made.case.reference in inbox
    assert NAME not in inbox
