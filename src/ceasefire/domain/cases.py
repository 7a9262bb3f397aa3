"""Residents' requests to the civilian desk, as filed: what is wrong, where, how urgent, who
asks (and, for a petition, who signs) and how they want to hear back.

Who asks is personal data: it is sealed before it is stored (store.sealing) and shown only
to the desk. A request gets a short reference the resident can quote on the phone and a
secret that opens its status page; neither says anything about the resident.
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from enum import StrEnum
from typing import Literal

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
    waiting_other_side = "waiting_other_side"
    handed_over = "handed_over"
    resolved = "resolved"
    closed = "closed"
    merged = "merged"


FINISHED = frozenset({CaseStatus.resolved, CaseStatus.closed, CaseStatus.merged})
"""A case in one of these is off the queue; its timers stop"""
SET_BY_HAND = (
    CaseStatus.in_progress,
    CaseStatus.waiting_other_side,
    CaseStatus.resolved,
    CaseStatus.closed,
)
"""The statuses the desk sets with an update (the others come from filing, merging and
handing over)"""


def can_move(current: CaseStatus, new: CaseStatus) -> str | None:
    """Why a case cannot go from `current` to `new` by an update, or None."""
    if new not in SET_BY_HAND:
        return f"{new.value} is set by its own action, not by an update"
    if current in (CaseStatus.closed, CaseStatus.merged):
        return f"the case is {current.value}: nothing changes it any more"
    if new is CaseStatus.closed and current is not CaseStatus.resolved:
        return "only a resolved case is closed"
    return None


def checked_phone(value: str | None) -> str | None:
    """A phone number as typed, if it looks like one (None and "" pass: none given)."""
    if value and not PHONE.match(value):
        raise ValueError("a phone number, digits with an optional + and separators")
    return value


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
        return checked_phone(value)


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


class CaseUpdate(Strict):
    """What the desk does with a case: a new status, a word to the resident (sent through
    their channel, in the words written here), a note only the desk reads. Any of the three."""

    status: CaseStatus | None = None
    to_resident: str = Field(default="", max_length=1000)
    internal_note: str = Field(default="", max_length=4000)

    @model_validator(mode="after")
    def _something(self) -> CaseUpdate:
        if self.status is None and not self.to_resident and not self.internal_note:
            raise ValueError("status: change the status, write to the resident, or add a note")
        return self


class HandOver(Strict):
    """A case whose fix needs the other side, carried to the working group as a structured
    item: which party must act, what is needed of it, by when. Never who asks: the working
    group reads this, the parties' members among them."""

    party: Slug = Field(description="The organisation across the line whose action is needed")
    needs: str = Field(min_length=1, max_length=2000, description="What the other side must do")
    by: date | None = Field(default=None, description="When it is needed by")


class Link(Strict):
    """A case's link to a record of the ceasefire (an incident or an activity notice)."""

    kind: Literal["incident", "notice"]
    id: str = Field(min_length=1, max_length=36)
