"""Outbound channels through Apprise: e-mail, JSON webhooks, Telegram, Matrix, SMS gateways —
whatever Apprise URL a contact point has. Every message carries its idempotency key as a
header where the channel has headers (`X-Ceasefire-Idempotency-Key`) and in its text."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import apprise

from ceasefire.services.notifications import Message

HEADER = "X-Ceasefire-Idempotency-Key"
WITH_HEADERS = frozenset({"json", "jsons", "xml", "xmls", "form", "forms", "mailto", "mailtos"})


def with_key(url: str, key: str) -> str:
    """The URL with the idempotency key as an extra header, for schemes that send headers."""
    if urlsplit(url).scheme.lower() not in WITH_HEADERS:
        return url
    return f"{url}{'&' if '?' in url else '?'}+{HEADER}={key}"


def scheme_of(url: str) -> str:
    """A channel as it may be shown or logged: its scheme only (URLs carry secrets)."""
    return urlsplit(url).scheme.lower() or "?"


def send(urls: list[str], message: Message) -> str | None:
    """Deliver to every channel; None when at least one took it, else what went wrong."""
    errors = []
    for url in urls:
        sender = apprise.Apprise()
        if not sender.add(with_key(url, message.idempotency_key)):
            errors.append(f"{scheme_of(url)}: not a usable channel URL")
            continue
        with apprise.LogCapture(level=logging.WARNING) as captured:  # type: ignore[no-untyped-call]
            delivered = sender.notify(
                title=message.title, body=message.body, body_format=apprise.NotifyFormat.TEXT
            )
        if delivered:
            return None
        detail = " ".join(str(captured.getvalue()).split())[:300]
        errors.append(f"{scheme_of(url)}: {detail or 'refused'}")
    return "; ".join(errors) or "no channel"
