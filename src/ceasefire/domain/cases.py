"""Residents' requests to the civilian desk, as filed: what is wrong, where, how urgent, who
asks (and, for a petition, who signs) and how they want to hear back.

Who asks is personal data: it is sealed before it is stored (store.sealing) and shown only
to the desk. A request gets a short reference the resident can quote on the phone and a
secret that opens its status page; neither says anything about the resident.
"""

from __future__ import annotations

import re
import secrets
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from ceasefire.domain.incidents import Point, Slug, Strict
from ceasefire.domain.naming import Language

REFERENCE_LETTERS = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Crockford-like: no 0/O, 1/I/L or U, which are misread over a phone line"""
REFERENCE = re.compile(r"^[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()./-]{4,23}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,24}$")


class Channel(StrEnum):
    """How the resident hears back."""

    sms = "sms"
    email = "email"
    telegram = "telegram"
    status_page = "status_page"


class CaseStatus(StrEnum):
    new = "new"
    assigned = "assigned"
    in_progress = "in_progress"
    resolved = "resolved"
    closed = "closed"


def normalise_phone(phone: str) -> str:
    """Digits only, with a leading + if it had one: one number, however it was typed."""
    digits = re.sub(r"\D", "", phone)
    return ("+" if phone.strip().startswith("+") else "") + digits


class Person(Strict):
    name: str = Field(min_length=1, max_length=200)
    phone: str | None = Field(default=None, max_length=24)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not PHONE.match(value):
            raise ValueError("a phone number, digits with an optional + and separators")
        return value


class Requester(Person):
    """Who asks, and how they want to hear back."""

    email: str | None = Field(default=None, max_length=254)
    language: Language
    channel: Channel = Channel.status_page
    home: Point | None = Field(default=None, description="Exact home location (sealed)")

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL.match(value):
            raise ValueError("an e-mail address like name@example.org")
        return value

    @model_validator(mode="after")
    def _reachable(self) -> Requester:
        if self.channel in (Channel.sms, Channel.telegram) and not self.phone:
            raise ValueError(f"phone: needed to answer by {self.channel.value}")
        if self.channel is Channel.email and not self.email:
            raise ValueError("email: needed to answer by e-mail")
        return self


class RequestDraft(Strict):
    """A resident's request, from the public form, the operator's console or the API."""

    category: Slug
    description: str = Field(min_length=1, max_length=4000)
    place_id: Slug | None = Field(default=None, description="The village it concerns")
    place_text: str = Field(default="", max_length=200, description="Where, in words")
    urgent: bool = False
    affected: int = Field(default=1, ge=1, le=100_000, description="How many people")
    requester: Requester
    signatories: list[Person] = Field(
        default_factory=list, max_length=2000, description="A petition's other signatories"
    )

    @model_validator(mode="after")
    def _somewhere(self) -> RequestDraft:
        if self.place_id is None and not self.place_text and self.requester.home is None:
            raise ValueError("place_id: say where (a village, in words, or the home's position)")
        return self


def new_reference() -> str:
    """A short reference to quote: 8 letters and digits that are not misread aloud."""
    letters = [secrets.choice(REFERENCE_LETTERS) for _ in range(8)]
    return "".join(letters[:4]) + "-" + "".join(letters[4:])


def new_secret() -> str:
    """The secret that, with the reference, opens a request's status page."""
    return secrets.token_urlsafe(12)
