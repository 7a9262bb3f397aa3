"""The channel between the parties, end to end: rules choose the recipients, messages reach a
real SMTP server (aiosmtpd) and a real HTTP receiver in each recipient's language and naming,
acknowledgement links work once, unanswered messages escalate on an injected clock, nothing
is lost while the mail server is down, and two dispatchers never deliver twice."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ceasefire.delivery import channels, messages, worker
from ceasefire.services import incidents, log, notifications
from ceasefire.services.deployment import Deployment
from ceasefire.web.app import create_app

from .builders import DAYTIME, violation_draft
from .conftest import csrf_of
from .mail import Mailbox


@dataclass
class Receiver:
    """A real HTTP webhook receiver on loopback; `failing` makes it answer 503."""

    server: ThreadingHTTPServer
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    failing: bool = False

    @property
    def url(self) -> str:
        return f"json://127.0.0.1:{self.server.server_address[1]}/hook"

    def keys(self) -> list[str]:
        return [headers["X-Ceasefire-Idempotency-Key"] for headers, _body in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state: dict[str, Receiver] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if state["r"].failing:
                self.send_response(503)
                self.end_headers()
                return
            with lock:
                state["r"].received.append((dict(self.headers), json.loads(body)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = Receiver(server)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state["r"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def wired(dep: Deployment, mailbox: Mailbox, receiver: Receiver) -> Deployment:
    """The deployment with channels: the Armenian side and the mission by e-mail, the
    Azerbaijani side and the ICRC by webhook."""
    by_mail = {"mod-armenia", "rpk", "jmc-russia", "nk-authorities", "nk-emergency-service"}
    wiring = {
        contact.id: [mailbox.url(f"{contact.id}@demo.invalid")]
        if contact.organisation in by_mail
        else [receiver.url]
        for contact in dep.scenario.policy.contact_points
    }
    return replace(dep, channels=wiring, public_url="http://desk.test")


def deliver(dep: Deployment, now: Any = None) -> int:
    return notifications.deliver_due(dep, channels.send, messages.render, now=now)


def report(dep: Deployment, viewer: Any, user: str, **changes: Any) -> Any:
    """Recorded at noon, so that only the daytime rules apply."""
    draft = violation_draft(DAYTIME, **changes)
    return incidents.report_incident(dep, viewer(user), draft, now=DAYTIME)


def test_russian_contingent_violation_notifies_both_ministries_in_their_languages(  # type: ignore[no-untyped-def]
    wired, viewer, mailbox, receiver
) -> None:
    report(wired, viewer, "jmc.ru.monitor", classification="restricted",
           restricted_to=["mod-armenia", "mod-azerbaijan"])  # fmt: skip
    assert deliver(wired) == 2
    assert [str(m["To"]) for m in mailbox.received] == ["mod-armenia-duty@demo.invalid"]
    armenian = mailbox.texts()[0]
    assert len(armenian.splitlines()) >= 10  # one fact a line, as rendered
    assert "Թաղավարդ" in armenian  # the Armenian usage, in Armenian
    assert "Tağaverd" not in armenian and "Taghavard /" not in armenian
    assert re.search(r"http://desk\.test/ack/[0-9a-f]{40}", armenian)
    assert len(receiver.received) == 1
    azerbaijani = receiver.received[0][1]["message"]
    assert "Tağaverd" in azerbaijani and "Թաղավարդ" not in azerbaijani
    assert "Ստեփանակերտ" not in azerbaijani
    key = receiver.received[0][0]["X-Ceasefire-Idempotency-Key"]
    assert f"{key}" in azerbaijani


def test_turkish_contingent_violation_notifies_only_the_azerbaijani_ministry(  # type: ignore[no-untyped-def]
    wired, viewer, mailbox, receiver
) -> None:
    report(wired, viewer, "jmc.tr.monitor")  # public: both ministries could read it
    assert deliver(wired) == 1
    assert mailbox.received == []
    assert len(receiver.received) == 1
    assert "mod-azerbaijan-duty" in json.dumps(
        [n.contact_id for n in notifications.inbox(wired, viewer("az.liaison"))]
    )
    assert notifications.inbox(wired, viewer("am.liaison")) == []


def test_a_record_a_ministry_may_not_read_is_not_sent_to_it(
    wired, viewer, mailbox, receiver
) -> None:  # type: ignore[no-untyped-def]
    incident = report(wired, viewer, "jmc.ru.monitor", classification="mission")
    assert deliver(wired) == 0
    explained = notifications.explain_incident(wired, viewer("jmc.duty"), incident.id)[0]
    assert explained.recipients == {}
    assert explained.withheld["mod-armenia-duty"] == "mod-armenia may not read a mission record"


def test_the_acknowledgement_link_works_once_and_only_once(  # type: ignore[no-untyped-def]
    wired, viewer, mailbox, settings
) -> None:
    incident = report(wired, viewer, "jmc.ru.monitor", classification="restricted",
                      restricted_to=["mod-armenia", "mod-azerbaijan"])  # fmt: skip
    deliver(wired)
    link = re.search(r"http://desk\.test(/ack/[0-9a-f]{40})", mailbox.texts()[0])
    assert link is not None
    browser = TestClient(create_app(settings, wired))
    page = browser.get(link.group(1))
    assert page.status_code == 200 and "Acknowledge" in page.text
    assert (
        notifications.notifications_for_incident(wired, viewer("jmc.duty"), incident.id)[
            0
        ].acknowledged_at
        is None
    )  # opening the link does not acknowledge
    first = browser.post(link.group(1), data={"csrf_token": csrf_of(browser), "name": "Capt. A"})
    assert first.status_code == 200 and 'id="ack-done"' in first.text
    again = browser.post(link.group(1), data={"csrf_token": csrf_of(browser)})
    assert again.status_code == 409 and "already acknowledged" in again.text
    forged = browser.post("/ack/" + "0" * 40, data={"csrf_token": csrf_of(browser)})
    assert forged.status_code == 404
    told = notifications.notifications_for_incident(wired, viewer("am.liaison"), incident.id)
    assert [(n.contact_id, n.acknowledged_by, n.ack_channel) for n in told] == [
        ("mod-armenia-duty", "Capt. A", "link")
    ]
    assert log.audit(wired).problems == []  # every step is a leaf that matches its record


def test_an_unacknowledged_message_escalates_on_time(wired, viewer, mailbox) -> None:  # type: ignore[no-untyped-def]
    report(wired, viewer, "jmc.ru.monitor", classification="restricted",
           restricted_to=["mod-armenia", "mod-azerbaijan"])  # fmt: skip
    t0 = DAYTIME
    deliver(wired, now=t0)
    assert notifications.escalate_overdue(wired, now=t0 + timedelta(minutes=14)) == []
    escalated = notifications.escalate_overdue(wired, now=t0 + timedelta(minutes=16))
    assert len(escalated) == 2  # each ministry's duty officer was silent
    assert notifications.escalate_overdue(wired, now=t0 + timedelta(minutes=17)) == []
    deliver(wired, now=t0 + timedelta(minutes=16))
    assert [str(m["To"]) for m in mailbox.received] == [
        "mod-armenia-duty@demo.invalid",
        "mod-armenia-deputy@demo.invalid",
    ]
    inbox = notifications.inbox(wired, viewer("am.liaison"))
    deputy = next(n for n in inbox if n.contact_id == "mod-armenia-deputy")
    assert deputy.level == 1 and deputy.escalated_from is not None
    assert deputy.id in mailbox.texts()[1]
    notifications.acknowledge(wired, viewer("am.liaison"), deputy.id, "web")
    later = notifications.escalate_overdue(wired, now=t0 + timedelta(hours=2))
    contacts = {n.contact_id for n in notifications.inbox(wired, viewer("az.liaison"))}
    assert "mod-azerbaijan-head" in contacts  # the silent side goes up again
    assert all(
        n.contact_id != "mod-armenia-head" for n in notifications.inbox(wired, viewer("am.liaison"))
    )
    assert len(later) == 1  # only the silent Azerbaijani deputy goes up to the head


def test_nothing_is_lost_while_the_mail_server_is_down(wired, viewer, mailbox) -> None:  # type: ignore[no-untyped-def]
    mailbox.stop()
    for n in range(3):
        report(wired, viewer, "rpk.monitor", category="livestock", observations=[],
               title=f"Cow {n} strayed")  # fmt: skip
    t0 = DAYTIME
    assert deliver(wired, now=t0) == 3
    states = notifications.inbox(wired, viewer("rpk.duty"))
    assert {n.status for n in states} == {"retrying"}
    assert all(n.last_error and n.last_error.startswith("mailto") for n in states)
    assert deliver(wired, now=t0 + timedelta(seconds=2)) == 0  # not due yet: backing off
    mailbox.start()
    assert deliver(wired, now=t0 + timedelta(seconds=6)) == 3
    assert deliver(wired, now=t0 + timedelta(hours=1)) == 0
    keys = [str(m["X-Ceasefire-Idempotency-Key"]) for m in mailbox.received]
    assert len(keys) == len(set(keys)) == 3
    assert {n.status for n in notifications.inbox(wired, viewer("rpk.duty"))} == {"sent"}


def test_a_contact_without_a_channel_is_dead_lettered_and_shows_on_the_desk(  # type: ignore[no-untyped-def]
    wired, viewer, settings
) -> None:
    unwired = replace(wired, channels={**wired.channels, "rpk-duty": []})
    report(unwired, viewer, "rpk.monitor", category="livestock", observations=[])
    deliver(unwired)
    dead = notifications.inbox(unwired, viewer("rpk.duty"))
    assert [(n.status, n.last_error) for n in dead] == [
        ("dead", "no channel is configured for this contact point")
    ]
    assert notifications.desk_counts(unwired)["dead"] == 1
    from .conftest import sign_in

    desk = sign_in(TestClient(create_app(settings, unwired)), "rpk.duty").get("/desk")
    assert '<strong id="count-dead">1</strong>' in desk.text


def test_two_dispatchers_deliver_a_thousand_messages_once_each(  # type: ignore[no-untyped-def]
    wired, viewer, receiver
) -> None:
    hooked = replace(wired, channels={c: [receiver.url] for c in wired.channels})
    monitor = viewer("rpk.monitor")
    draft = violation_draft(category="livestock", observations=[])
    for _ in range(1000):
        incidents.report_incident(hooked, monitor, draft)  # one message each, to rpk-duty
    errors: list[BaseException] = []

    def dispatcher() -> None:
        try:
            while notifications.deliver_due(hooked, channels.send, messages.render, limit=20):
                pass
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    keys = receiver.keys()
    assert len(keys) == 1000
    assert len(set(keys)) == 1000
    assert notifications.desk_counts(hooked)["retrying"] == 0


def test_the_worker_round_escalates_then_delivers(wired, viewer, mailbox) -> None:  # type: ignore[no-untyped-def]
    draft = violation_draft(category="livestock", observations=[])  # no violation: any hour
    incidents.report_incident(wired, viewer("rpk.monitor"), draft)  # now: nothing is overdue
    assert worker.run_once(wired) == 1
    assert [str(m["To"]) for m in mailbox.received] == ["rpk-duty@demo.invalid"]


def test_policy_explain_and_policy_test_on_the_reference_pack(dep, viewer, settings, monkeypatch):  # type: ignore[no-untyped-def]
    import shutil

    import yaml
    from typer.testing import CliRunner

    from ceasefire.cli import app

    from .conftest import REFERENCE_PACK

    monkeypatch.setenv("CEASEFIRE_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("CEASEFIRE_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CEASEFIRE_SCENARIO", str(REFERENCE_PACK))
    monkeypatch.setenv("CEASEFIRE_CONFIG", str(settings.data_dir / "absent.toml"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    incident = report(dep, viewer, "jmc.tr.monitor")
    explained = runner.invoke(app, ["policy", "explain", incident.id, "--as", "jmc.duty"])
    assert explained.exit_code == 0, explained.output
    assert "FIRED   jmc-turkish-staff-violation: every condition holds" in explained.output
    assert (
        "skipped jmc-russian-staff-violation: reported by jmc-turkey, not by ['jmc-russia']"
        in explained.output
    )
    assert "-> mod-azerbaijan-duty (by jmc-turkish-staff-violation)" in explained.output
    hidden = runner.invoke(app, ["policy", "explain", incident.id, "--as", "nobody"])
    assert hidden.exit_code == 2

    cases = REFERENCE_PACK / "policy-tests.yaml"
    passed = runner.invoke(app, ["policy", "test", str(cases)])
    assert passed.exit_code == 0, passed.output
    assert "11 passed, 0 failed" in passed.output

    pack = settings.data_dir / "broken-pack"
    shutil.copytree(REFERENCE_PACK, pack, dirs_exist_ok=True)
    policy = yaml.safe_load((pack / "notifications.yaml").read_text(encoding="utf-8"))
    policy["rules"][1]["notify"] = ["mod-azerbaijan-duty", "mod-azerbaijan-desk"]
    policy["rules"][2]["ack_within"] = "soon"
    (pack / "notifications.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), "utf-8")
    refused = runner.invoke(app, ["scenario", "validate", str(pack)])
    assert refused.exit_code == 1
    assert "notifications.yaml: rules[2].ack_within:" in refused.output
    policy["rules"][2]["ack_within"] = "15m"
    (pack / "notifications.yaml").write_text(yaml.safe_dump(policy, allow_unicode=True), "utf-8")
    refused = runner.invoke(app, ["scenario", "validate", str(pack)])
    assert (
        "notifications.yaml: rules[1].notify[1]: unknown contact point 'mod-azerbaijan-desk' "
        "(rule jmc-turkish-staff-violation)" in refused.output
    )
    wrong = runner.invoke(app, ["policy", "test", str(cases), "--scenario", str(pack)])
    assert wrong.exit_code == 1


def test_a_reply_is_attached_to_the_record_and_routed_back_by_rule(  # type: ignore[no-untyped-def]
    wired, viewer, mailbox, receiver, client, auth
) -> None:
    incident = report(wired, viewer, "jmc.tr.monitor")  # the Azerbaijani ministry is told
    deliver(wired)
    told = notifications.inbox(wired, viewer("az.liaison"))[0]
    response = client.post(
        f"/api/v1/notifications/{told.id}/reply",
        headers=auth("az.liaison"),
        json={"text": "Our post saw no fire from our side at that hour."},
    )
    assert response.status_code == 201, response.text
    assert notifications.inbox(wired, viewer("az.liaison"))[0].ack_channel == "reply"
    replies = client.get(f"/api/v1/incidents/{incident.id}/replies", headers=auth("jmc.duty"))
    assert [r["text"] for r in replies.json()["items"]] == [
        "Our post saw no fire from our side at that hour."
    ]
    outsider = client.post(
        f"/api/v1/notifications/{told.id}/reply", headers=auth("am.liaison"), json={"text": "x"}
    )
    assert outsider.status_code == 404
    empty = client.post(
        f"/api/v1/notifications/{told.id}/reply", headers=auth("az.liaison"), json={"text": " "}
    )
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "text"
    mailbox.received.clear()
    deliver(wired)
    assert sorted(str(m["To"]) for m in mailbox.received) == [
        "jmc-duty@demo.invalid",
        "rpk-duty@demo.invalid",
    ]
    text = mailbox.texts()[0]
    assert "Our post saw no fire from our side at that hour." in text
    assert log.audit(wired).problems == []
