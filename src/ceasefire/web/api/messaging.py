"""/api/v1/intake/sms and /api/v1/intake/telegram: where the SMS gateway and the Telegram
Bot API post residents' messages. Not bearer-token endpoints: each request must carry the
gateway's signature (or the bot webhook's secret token); a request without it is refused
and nothing is kept. The answer to the resident goes out through the resident channels."""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request

from ceasefire.domain.errors import Forbidden, InvalidInput, NotFound
from ceasefire.intake.signatures import body_signature, same, twilio_signature
from ceasefire.services import messaging
from ceasefire.services.deployment import Deployment
from ceasefire.web.deps import deployment

router = APIRouter(tags=["field intake"])
DepDep = Annotated[Deployment, Depends(deployment)]


@router.post("/intake/sms")
async def sms(request: Request, dep: DepDep) -> dict[str, Any]:
    """A resident's text from the SMS gateway: form-encoded (`From`, `Body`) or JSON (`from`,
    `text`), signed as the deployment's `sms_gateway` says (twilio or hmac)."""
    if dep.sms_gateway is None:
        raise NotFound("the SMS webhook is not configured")
    style, secret = dep.sms_gateway
    body = await request.body()
    fields = _fields(request, body)
    if style == "twilio":
        url = (
            dep.public_url
            + request.url.path
            + (f"?{request.url.query}" if request.url.query else "")
        )
        signed = same(
            twilio_signature(secret, url, fields), request.headers.get("x-twilio-signature", "")
        )
    else:
        signed = same(body_signature(secret, body), request.headers.get("x-signature", ""))
    if not signed:
        raise Forbidden("the gateway's signature does not match")
    sender = fields.get("From") or fields.get("from") or ""
    text = fields.get("Body") or fields.get("text") or fields.get("message") or ""
    return _answer(dep, "sms", sender, text)


@router.post("/intake/telegram")
async def telegram(request: Request, dep: DepDep) -> dict[str, Any]:
    """An update from the Telegram Bot API (its webhook set with the deployment's secret
    token); text messages go on the resident's dialogue, anything else is acknowledged."""
    if not dep.telegram_secret:
        raise NotFound("the Telegram webhook is not configured")
    if not same(dep.telegram_secret, request.headers.get("x-telegram-bot-api-secret-token", "")):
        raise Forbidden("the bot webhook's secret token does not match")
    update = _json(await request.body())
    message = update.get("message")
    message = message if isinstance(message, dict) else {}
    chat = message.get("chat")
    chat = chat.get("id") if isinstance(chat, dict) else None
    text = message.get("text")
    if not isinstance(chat, int) or chat <= 0 or not isinstance(text, str):
        return {"ok": True}  # not a text message in a private chat: nothing to answer
    return _answer(dep, "telegram", str(chat), text) | {"ok": True}


def _answer(dep: Deployment, channel: str, sender: str, text: str) -> dict[str, Any]:
    answered = messaging.converse(dep, channel, sender, text)
    error = messaging.send_reply(dep, channel, sender, answered.reply) if answered.reply else None
    return {"received": True, "filed": answered.case_id is not None, "reply_error": error}


def _fields(request: Request, body: bytes) -> dict[str, str]:
    if request.headers.get("content-type", "").startswith("application/json"):
        data = _json(body)
        return {k: str(v) for k, v in data.items() if isinstance(v, str | int)}
    try:
        return dict(parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=bool(body)))
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("body", "is not form-encoded text") from None


def _json(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("body", "is not JSON") from None
    if not isinstance(data, dict):
        raise InvalidInput("body", "must be a JSON object")
    return data
