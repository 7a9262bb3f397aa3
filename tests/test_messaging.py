"""Residents who write by SMS or through the Telegram bot, on both databases: a signed
gateway's webhook, a guided dialogue in the resident's language, a civilian request with the
right category and place, and the reference back on the same channel (a real HTTP receiver
stands for the SMS gateway's sending API and for Telegram's)."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import text

from ceasefire.delivery import channels, messages
from ceasefire.i18n import translations
from ceasefire.intake.signatures import body_signature, twilio_signature
from ceasefire.services import cases
from ceasefire.services.deployment import Deployment

from .conftest import sign_in
from .test_cli import run as run  # the fixture
from .test_notifications import Receiver
from .test_notifications import receiver as receiver  # the fixture

SECRET = "gateway-shared-secret-0123456789"
PHONE = "+37497123456"
RU = translations("ru").gettext


@pytest.fixture
def gateway(dep: Deployment, receiver: Receiver) -> Deployment:
    """The desk with an SMS gateway that signs Twilio's way, a Telegram bot, and both
    answered through the receiver (the address in the payload's `to`)."""
    return replace(
        dep,
        sms_gateway=("twilio", SECRET),
        telegram_secret="bot-secret-token",
        public_url="https://desk.example",
        resident_channels={
            "sms": receiver.url + "?:to={to}",
            "telegram": receiver.url + "?:to={to}",
        },
    )


def texted(client: Any, body: str, sender: str = PHONE, signature: str | None = None) -> Any:
    fields = {"From": sender, "Body": body, "To": "+37410000000"}
    signed = twilio_signature(SECRET, "https://desk.example/api/v1/intake/sms", fields)
    return client.post(
        "/api/v1/intake/sms",
        content=urlencode(fields),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature or signed,
        },
    )


def replies(receiver: Receiver) -> list[dict[str, Any]]:
    said = [body for _headers, body in receiver.received]
    receiver.received.clear()
    return said


def test_a_russian_sms_conversation_files_a_request_and_the_reference_comes_back(  # type: ignore[no-untyped-def]
    gateway, client, receiver
) -> None:
    client.app.state.deployment = gateway
    first = texted(client, "Наша корова ушла за линию у Храморта, помогите её вернуть")
    assert first.status_code == 200, first.text
    (menu,) = replies(receiver)
    assert menu["to"] == PHONE
    assert "Какая помощь вам нужна?" in menu["message"]  # in the resident's language
    assert RU("What kind of help do you need? Answer with a number:") in menu["message"]
    assert "1 Отбившийся или пропавший скот" in menu["message"]
    texted(client, "один")  # not a number: asked again
    (again,) = replies(receiver)
    assert again["message"].startswith(RU("Sorry, I did not understand."))
    texted(client, "1")
    assert replies(receiver)[0]["message"] == RU("Which village is it about? Write its name.")
    texted(client, "Храморт")
    urgent = RU("Is someone's life or liberty at stake? Answer 1 for yes, 2 for no.")
    assert replies(receiver)[0]["message"] == urgent
    texted(client, "нет")
    assert replies(receiver)[0]["message"] == RU("What name should the desk know you by?")
    done = texted(client, "Ануш")
    assert done.json()["filed"] is True
    assert replies(receiver) == []  # the desk's confirmation is the case's own news
    with gateway.db.read() as conn:
        case = conn.execute(text("SELECT * FROM cases")).one()
    assert (case.category, case.place_id, case.channel, case.language) == (
        "livestock",
        "khramort",
        "sms",
        "ru",
    )
    assert (
        cases.deliver_to_residents(gateway, channels.send_to_resident, messages.resident_message)
        == 1
    )
    (confirmed,) = replies(receiver)
    assert confirmed["to"] == PHONE
    assert case.reference in confirmed["message"]
    heard = RU(
        "We have received your request {reference}. We will write when something changes."
    ).format(reference=case.reference)
    assert heard in confirmed["message"]
    duty = sign_in(client, "rpk.duty")
    listed = duty.get("/intake")
    assert f'href="/desk/cases/{case.id}"' in listed.text  # the dialogue and what it made
    with gateway.db.read() as conn:  # the number and the words are sealed at rest
        for table in ("conversations", "cases", "resident_messages"):
            rows = repr(conn.execute(text(f"SELECT * FROM {table}")).all())
            assert "97123456" not in rows and "Храморт" not in rows and "Ануш" not in rows


def test_an_unsigned_or_forged_text_is_refused_and_nothing_is_kept(  # type: ignore[no-untyped-def]
    gateway, client, receiver
) -> None:
    client.app.state.deployment = gateway
    forged = texted(client, "Помогите", signature="bm90IGEgc2lnbmF0dXJl")
    assert forged.status_code == 403
    unsigned = client.post("/api/v1/intake/sms", data={"From": PHONE, "Body": "Помогите"})
    assert unsigned.status_code == 403
    client.app.state.deployment = replace(gateway, sms_gateway=None)
    assert client.post("/api/v1/intake/sms", data={"From": PHONE, "Body": "x"}).status_code == 404
    with gateway.db.read() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM conversations")).scalar() == 0
    assert receiver.received == []


def test_a_json_gateway_signs_the_body(gateway, client, receiver) -> None:  # type: ignore[no-untyped-def]
    client.app.state.deployment = replace(gateway, sms_gateway=("hmac", SECRET))
    body = json.dumps({"from": PHONE, "text": "Salam, inəyimiz xəttin o tayına keçib"}).encode()
    answered = client.post(
        "/api/v1/intake/sms",
        content=body,
        headers={"Content-Type": "application/json", "X-Signature": body_signature(SECRET, body)},
    )
    assert answered.status_code == 200, answered.text
    (menu,) = replies(receiver)
    assert "Sizə hansı kömək lazımdır?" in menu["message"]
    bad = client.post(
        "/api/v1/intake/sms",
        content=body + b" ",
        headers={"Content-Type": "application/json", "X-Signature": body_signature(SECRET, body)},
    )
    assert bad.status_code == 403


def test_the_telegram_bot_talks_armenian_and_checks_its_secret(  # type: ignore[no-untyped-def]
    gateway, client, receiver
) -> None:
    client.app.state.deployment = gateway
    update = {
        "update_id": 1,
        "message": {
            "message_id": 5,
            "chat": {"id": 4242, "type": "private"},
            "text": "Բարև, ջրագիծը վնասված է",
        },
    }
    refused = client.post(
        "/api/v1/intake/telegram", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
    )
    assert refused.status_code == 403
    sent = client.post(
        "/api/v1/intake/telegram",
        json=update,
        headers={"X-Telegram-Bot-Api-Secret-Token": "bot-secret-token"},
    )
    assert sent.status_code == 200 and sent.json()["ok"] is True
    (menu,) = replies(receiver)
    assert menu["to"] == "4242"
    assert "Ինչ օգնության կարիք ունեք" in menu["message"]
    sticker = {"update_id": 2, "message": {"message_id": 6, "chat": {"id": 4242}, "sticker": {}}}
    quiet = client.post(
        "/api/v1/intake/telegram",
        json=sticker,
        headers={"X-Telegram-Bot-Api-Secret-Token": "bot-secret-token"},
    )
    assert quiet.status_code == 200 and receiver.received == []


def test_the_terminal_writes_as_a_resident_would(dep, run) -> None:  # type: ignore[no-untyped-def]
    said = run("intake", "text", "--from", PHONE, "Սարուշենի մոտ արկի բեկոր կա այգում")
    assert said.exit_code == 0, said.output
    assert "Ինչ օգնության կարիք ունեք" in said.output and "4 Չպայթած զինամթերք" in said.output
    for answer in ("4", "Սարուշեն", "2"):
        assert run("intake", "text", "--from", PHONE, answer).exit_code == 0
    filed = run("intake", "text", "--from", PHONE, "Արամ")
    assert filed.exit_code == 0 and "Filed" in filed.output
    with dep.db.read() as conn:
        case = conn.execute(text("SELECT category, place_id, language FROM cases")).one()
    assert tuple(case) == ("uxo", "sarushen", "hy")
    empty = run("intake", "text", "--from", PHONE, "   ")
    assert empty.exit_code == 2 and "text" in empty.output
