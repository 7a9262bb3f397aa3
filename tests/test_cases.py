"""The civilian desk's intake: a resident's request on the public form, in Armenian, becomes a
case assigned by the mandate to the right post's desk, which is told (de-identified); the
resident follows it with a reference and a secret; who asks is sealed in the database and
seen by the desk only."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ceasefire.delivery import channels, messages
from ceasefire.services import log, notifications
from ceasefire.store import tables

from .test_notifications import receiver as receiver  # the fixture
from .test_notifications import wired as wired  # the fixture

PHONE = "+374 97 555 123"
NAME = "Anahit Hakobyan"
WORDS = "The pipe that brings our water runs behind the trenches; it broke in March."
DESK = "rpk.desk"


def public_form(client: TestClient, min_seconds: float = 0, **changes: str) -> Any:
    """Fill the public form in as a resident whose browser speaks Armenian (as fast as the
    test likes: a person needs `min_seconds`)."""
    client.app.state.form_min_seconds = min_seconds  # type: ignore[attr-defined]
    headers = {"Accept-Language": "hy"}
    page = client.get("/request", headers=headers).text
    token = re.search(r'name="form_token" value="([^"]+)"', page)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token and csrf
    data = {
        "csrf_token": csrf.group(1),
        "form_token": token.group(1),
        "category": "infrastructure",
        "description": WORDS,
        "place_id": "taghavard",
        "name": NAME,
        "phone": PHONE,
        "channel": "sms",
        "website": "",
    }
    data.update(changes)
    return client.post("/request", data=data, headers=headers)


def filed(response: Any) -> tuple[str, str]:
    reference = re.search(r'id="reference">([^<]+)<', response.text)
    secret = re.search(r'id="secret">([^<]+)<', response.text)
    assert reference and secret, response.text
    return reference.group(1), secret.group(1)


def test_a_request_on_the_public_form_reaches_the_queue_and_the_right_post(  # type: ignore[no-untyped-def]
    wired, client, auth, mailbox, receiver
) -> None:
    response = public_form(client)
    assert response.status_code == 200, response.text
    assert "Ձեր դիմումը ստացվել է" in response.text  # in Armenian, without an account
    reference, secret = filed(response)
    queue = client.get("/api/v1/cases", headers=auth(DESK)).json()["items"]
    (item,) = [c for c in queue if c["reference"] == reference]
    assert item["requester"]["name"] == NAME and item["requester"]["phone"] == PHONE
    assert item["requester"]["language"] == "hy" and item["description"] == WORDS
    # Taghavard lies on the line: the mandate's rule for repairs at the line
    assert item["zone"] == "contact" and item["nearest_post"] == "rpk-post-23"
    assert item["acts"] == ["rpk-south-desk"] and item["inform"] == ["nk-authorities-duty"]
    assert item["other_side_first"] is True and item["status"] == "assigned"
    assert item["priority"] == "high"
    assert notifications.deliver_due(wired, channels.send, messages.render) == 2
    by_desk = {str(m["To"]): t for m, t in zip(mailbox.received, mailbox.texts(), strict=True)}
    post = by_desk["rpk-south-desk@demo.invalid"]
    assert "Ремонт водопровода" in post and reference in post
    assert "Ваш пункт действует по этому обращению." in post
    assert "Сначала нужно связаться с другой стороной." in post
    local = by_desk["nk-authorities-duty@demo.invalid"]
    assert "Ի գիտություն։" in local
    for text in by_desk.values():  # never who asks, nor their words
        assert (
            NAME not in text
            and "97 555 123" not in text
            and "97555123" not in text
            and "pipe" not in text
        )
    status = client.get(
        "/api/v1/requests/status", params={"reference": reference, "secret": secret}
    )
    assert status.json()["status"] == "assigned"
    page = client.get(
        "/request/status", params={"reference": reference, "secret": secret},
        headers={"Accept-Language": "hy"},
    )  # fmt: skip
    assert "նշանակված" in page.text and NAME not in page.text
    wrong = client.get("/api/v1/requests/status", params={"reference": reference, "secret": "x"})
    assert wrong.status_code == 404
    assert log.audit(wired).problems == []


def test_a_detention_at_the_line_goes_to_the_post_with_the_other_side_first(  # type: ignore[no-untyped-def]
    wired, client, auth, mailbox
) -> None:
    body = {
        "category": "detention",
        "description": "My neighbour went to his orchard at dawn and did not come back.",
        "place_id": "taghavard",
        "requester": {"name": NAME, "phone": PHONE, "language": "ru", "channel": "sms"},
    }
    taken = client.post("/api/v1/requests", json=body, headers=auth(DESK))
    assert taken.status_code == 201, taken.text
    case = taken.json()
    assert case["priority"] == "urgent" and case["other_side_first"] is True
    assert case["acts"] == ["rpk-south-desk"]
    assert case["inform"] == ["rpk-duty", "icrc-protection"]
    assert re.match(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$", case["reference"]) and case["secret"]
    assert "requester" not in case  # the answer to the operator carries no identity back
    assert notifications.deliver_due(wired, channels.send, messages.render) == 3


def test_the_public_form_keeps_robots_out_and_writes_nothing(client, dep) -> None:  # type: ignore[no-untyped-def]
    trapped = public_form(client, website="http://spam.example")
    assert trapped.status_code == 422 and "leave the last field empty" in trapped.text
    forged = public_form(client, form_token="made-up")
    assert forged.status_code == 422 and "reload it" in forged.text
    fast = public_form(client, min_seconds=3600)
    assert fast.status_code == 422 and "too fast" in fast.text
    missing = public_form(client, name="")
    assert missing.status_code == 422 and "name" in missing.text
    with dep.db.read() as conn:
        assert conn.execute(select(tables.cases)).first() is None


def test_an_address_that_sends_too_many_requests_is_told_to_call() -> None:
    """Ten requests an hour from one address, then 429 (the window itself)."""
    from ceasefire.web.deps import FailureWindow

    window = FailureWindow(limit=10, seconds=3600)
    for _ in range(10):
        assert not window.exceeded("10.0.0.1")
        window.add("10.0.0.1")
    assert window.exceeded("10.0.0.1") and not window.exceeded("10.0.0.2")


@pytest.mark.parametrize(
    ("user", "desk"),
    [("rpk.desk", True), ("rpk.duty", True), ("jmc.duty", True), ("rpk.monitor", False),
     ("am.liaison", False), ("az.liaison", False), ("nk.liaison", False),
     ("icrc.caseworker", False), ("unhcr.analyst", False), ("admin", False)],
)  # fmt: skip
def test_only_the_missions_desk_takes_requests_and_sees_who_asks(  # type: ignore[no-untyped-def]
    client, auth, user, desk
) -> None:
    body = {
        "category": "livestock",
        "description": "Our cow went over the line.",
        "place_id": "khramort",
        "requester": {"name": NAME, "phone": PHONE, "language": "hy"},
    }
    taken = client.post("/api/v1/requests", json=body, headers=auth(user))
    assert taken.status_code == (201 if desk else 403), taken.text
    queue = client.get("/api/v1/cases", headers=auth(user))
    assert queue.status_code == (200 if desk else 403)
    assert (NAME in queue.text) == desk


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"category": "weather"}, "category"),
        ({"place_id": "atlantis"}, "place_id"),
        ({"place_id": None}, "place_id"),
        ({"requester": {"name": NAME, "language": "hy", "channel": "sms"}}, "phone"),
        ({"requester": {"name": NAME, "language": "hy", "phone": "call me"}}, "phone"),
        ({"requester": {"name": NAME, "language": "hy", "channel": "email"}}, "email"),
        ({"requester": {"name": "", "language": "hy"}}, "name"),
        ({"description": ""}, "description"),
    ],
)
def test_a_bad_request_names_the_field_and_writes_nothing(  # type: ignore[no-untyped-def]
    client, auth, dep, change, field
) -> None:
    body: dict[str, Any] = {
        "category": "livestock",
        "description": "Our cow went over the line.",
        "place_id": "khramort",
        "requester": {"name": NAME, "phone": PHONE, "language": "hy"},
    }
    body.update(change)
    response = client.post("/api/v1/requests", json=body, headers=auth(DESK))
    assert response.status_code == 422, response.text
    assert field in json.dumps(response.json()["error"])
    with dep.db.read() as conn:
        assert conn.execute(select(tables.cases)).first() is None


def test_init_will_not_make_a_new_desk_key_over_sealed_cases(  # type: ignore[no-untyped-def]
    client, dep, settings, reference_scenario, tmp_path
) -> None:
    from ceasefire.services.deployment import NotInitialised, initialise

    assert public_form(client).status_code == 200
    key = settings.resolved_desk_key_file
    kept = tmp_path / "desk.key"
    key.rename(kept)
    try:
        with pytest.raises(NotInitialised, match="put the key file back"):
            initialise(settings, dep.db, reference_scenario)
        assert not key.exists()
    finally:
        kept.rename(key)
