"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives, for tests."""

from __future__ import annotations

import email
import socket
from dataclasses import dataclass, field
from email.message import Message as Mail
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Mailbox:
    """A real SMTP server on loopback that keeps what it receives."""

    port: int
    received: list[Mail] = field(default_factory=list)
    controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def start(self) -> None:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def url(self, to: str) -> str:
        return f"mailto://127.0.0.1:{self.port}?from=desk@ceasefire.invalid&to={to}&mode=insecure"

    def texts(self) -> list[str]:
        return [mail_text(mail) for mail in self.received]


def mail_text(mail: Mail) -> str:
    for part in mail.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text part")
