"""Who is told of what: the deployment's notification policy, and routing an event through it.

The policy is data in the scenario pack (`notifications.yaml`): *contact points*
(a desk of an organisation, its language and its channels, and whom it
escalates to) and *rules* (what an event must match, whom to notify, how soon
they must acknowledge). `route` runs an event through every rule and keeps,
for each rule, whether it fired and why or why not, so a user can ask "why
was this ministry told?" and get the rule and the condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator, model_validator

from ceasefire.domain.incidents import Slug
from ceasefire.domain.naming import Language
from ceasefire.domain.notices import Activity, Risk

DURATION = re.compile(r"^(\d+)\s*(s|m|h|d)$")
HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")
UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class Severity(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"


SEVERITY_ORDER = list(Severity)


def parse_duration(text: str) -> timedelta:
    found = DURATION.match(text.strip())
    if not found:
        raise ValueError("a duration like 90s, 15m, 2h or 1d")
    return timedelta(**{UNITS[found.group(2)]: int(found.group(1))})


class PolicyModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ContactPoint(PolicyModel):
    """A desk that receives notifications for an organisation (a duty officer, a hotline)."""

    id: Slug
    organisation: Slug
    name: str = Field(min_length=1, max_length=200)
    language: Language
    audience: str | None = Field(default=None, description="Naming; default: the org's")
    channels: list[str] = Field(default_factory=list, description="Apprise URLs")
    escalates_to: Slug | None = Field(default=None, description="Next in the chain if unanswered")
    posts: list[Slug] = Field(
        default_factory=list,
        description="Posts this desk answers for: told of notices whose nearest post they are",
    )

    @field_validator("channels")
    @classmethod
    def _urls(cls, value: list[str]) -> list[str]:
        for url in value:
            if "://" not in url:
                raise ValueError(f"{url!r} is not a channel URL (scheme://…)")
        return value


REPORT = "report"
"""The kind of a situation report's event: it matches only rules that name it (a rule about
records, with no `kinds`, is not about reports)."""


class Match(PolicyModel):
    """What an event must be for a rule to fire; every condition given must hold."""

    kinds: list[Literal["incident", "reply", "notice", "report"]] = Field(
        default_factory=list,
        description="Empty: any record; a situation report only where `report` is named",
    )
    changes: list[
        Literal[
            "reported",
            "corrected",
            "status",
            "corroborated",
            "reply",
            "filed",
            "cancelled",
            "daily",
        ]
    ] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list, description="Notices: the assessed risk")
    activities: list[Activity] = Field(default_factory=list, description="Notices: what")
    statuses: list[str] = Field(default_factory=list)
    categories: list[Slug] = Field(default_factory=list)
    violation: bool | None = None
    min_severity: Severity | None = None
    reporting_organisations: list[Slug] = Field(default_factory=list)
    places: list[Slug] = Field(default_factory=list)
    hours: str | None = Field(default=None, description="HH:MM-HH:MM, deployment time")

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: str | None) -> str | None:
        if value is not None and not HOURS.match(value):
            raise ValueError("a time window like 20:00-08:00")
        return value


class Rule(PolicyModel):
    id: Slug
    description: str = Field(min_length=1, max_length=500)
    match: Match
    notify: list[Slug] = Field(default_factory=list, description="Contact point ids")
    notify_organisations: list[Slug] = Field(
        default_factory=list, description="Organisations: each one's entry desks"
    )
    notify_counterparts: bool = Field(
        default=False, description="Notices: the desks of the parties across the line"
    )
    notify_nearest_post: bool = Field(
        default=False, description="Notices: the desks that answer for the nearest post"
    )
    notify_filer: bool = Field(
        default=False, description="Notices: the filing organisation's entry desks (the outcome)"
    )
    suggest_escort: bool = Field(default=False, description="Notices: an escort is suggested")
    ack_within: str = Field(default="30m")

    @model_validator(mode="after")
    def _someone(self) -> Rule:
        chosen = [self.notify, self.notify_organisations]
        flags = [self.notify_counterparts, self.notify_nearest_post, self.notify_filer]
        if not any(chosen) and not any(flags):
            raise ValueError(
                "name contact points in notify, organisations in notify_organisations, or "
                "set notify_counterparts, notify_nearest_post or notify_filer"
            )
        return self

    @field_validator("ack_within")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value

    @property
    def ack_deadline(self) -> timedelta:
        return parse_duration(self.ack_within)


class Counterparts(RootModel[dict[Slug, list[Slug]]]):
    """Party -> the contact points told of activities planned near its side."""


class Policy(PolicyModel):
    contact_points: list[ContactPoint] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    counterparts: dict[Slug, list[Slug]] = Field(
        default_factory=dict,
        description="Party -> the contact points told of activities planned near its side",
    )

    def contact(self, contact_id: str) -> ContactPoint | None:
        return next((c for c in self.contact_points if c.id == contact_id), None)

    def entry_desks(self, organisation: str) -> list[str]:
        """An organisation's contact points that no other escalates to: where news arrives."""
        upper = {c.escalates_to for c in self.contact_points}
        return [
            c.id
            for c in self.contact_points
            if c.organisation == organisation and c.id not in upper and not c.posts
        ]

    def recipients_of(self, rule: Rule, event: Event | None = None) -> list[str]:
        chosen = list(rule.notify)

        def add(contacts: list[str]) -> None:
            chosen.extend(c for c in contacts if c not in chosen)

        for organisation in rule.notify_organisations:
            add(self.entry_desks(organisation))
        if event is not None and rule.notify_counterparts:
            for party in event.counterparts:
                add(self.counterparts.get(party, []))
        if event is not None and rule.notify_filer:
            add(self.entry_desks(event.reporting_organisation))
        if event is not None and rule.notify_nearest_post and event.nearest_post:
            add([c.id for c in self.contact_points if event.nearest_post in c.posts])
        return chosen


@dataclass(frozen=True)
class Event:
    """Something recorded that rules may route: a record's new version."""

    kind: str
    record_id: str
    version: int
    change: str
    status: str
    category: str
    violation: bool
    severity: Severity
    reporting_organisation: str
    place_id: str | None
    at: datetime
    risk: str | None = None
    """Notices: the assessed risk"""
    counterparts: tuple[str, ...] = ()
    """Notices: the parties across the line"""
    nearest_post: str | None = None


@dataclass(frozen=True)
class Decision:
    rule: str
    fired: bool
    reason: str


@dataclass
class Routing:
    decisions: list[Decision] = field(default_factory=list)
    recipients: dict[str, list[str]] = field(default_factory=dict)
    """contact point id -> ids of the rules that chose it"""
    deadlines: dict[str, timedelta] = field(default_factory=dict)
    escort: bool = False
    """A rule that fired suggests an escort"""


def _fails(match: Match, event: Event, zone: ZoneInfo) -> str | None:
    """Why the event does not match, or None if it does."""
    checks: list[tuple[bool, str]] = [
        (
            event.kind in match.kinds if match.kinds or event.kind == REPORT else True,
            f"kind {event.kind} is not in {match.kinds}",
        ),
        (
            not match.changes or event.change in match.changes,
            f"change {event.change} is not in {match.changes}",
        ),
        (
            not match.statuses or event.status in match.statuses,
            f"status {event.status} is not in {match.statuses}",
        ),
        (
            not match.categories or event.category in match.categories,
            f"category {event.category} is not in {match.categories}",
        ),
        (
            match.violation is None or event.violation == match.violation,
            "the category is " + ("not " if not event.violation else "") + "a violation",
        ),
        (
            match.min_severity is None
            or SEVERITY_ORDER.index(event.severity) >= SEVERITY_ORDER.index(match.min_severity),
            f"severity {event.severity} is below {match.min_severity}",
        ),
        (
            not match.reporting_organisations
            or event.reporting_organisation in match.reporting_organisations,
            f"reported by {event.reporting_organisation}, not by {match.reporting_organisations}",
        ),
        (
            not match.places or event.place_id in match.places,
            f"place {event.place_id} is not in {match.places}",
        ),
        (
            not match.activities or event.category in match.activities,
            f"activity {event.category} is not in {match.activities}",
        ),
        (
            not match.risks or event.risk in match.risks,
            f"risk {event.risk} is not in {match.risks}",
        ),
        (
            match.hours is None or _within(match.hours, event.at.astimezone(zone).time()),
            f"{event.at.astimezone(zone):%H:%M} is outside {match.hours}",
        ),
    ]
    return next((reason for ok, reason in checks if not ok), None)


def _within(window: str, moment: time) -> bool:
    start_text, end_text = window.split("-")
    start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    return start <= moment < end if start <= end else moment >= start or moment < end


def route(policy: Policy, event: Event, zone: ZoneInfo) -> Routing:
    """Run the event through every rule; collect recipients and the reasons."""
    routing = Routing()
    for rule in policy.rules:
        reason = _fails(rule.match, event, zone)
        if reason is not None:
            routing.decisions.append(Decision(rule.id, False, reason))
            continue
        routing.decisions.append(Decision(rule.id, True, "every condition holds"))
        routing.escort = routing.escort or rule.suggest_escort
        for contact in policy.recipients_of(rule, event):
            routing.recipients.setdefault(contact, []).append(rule.id)
            deadline = routing.deadlines.get(contact)
            if deadline is None or rule.ack_deadline < deadline:
                routing.deadlines[contact] = rule.ack_deadline
    return routing


def severity_of(killed: int | None, injured: int | None, violation: bool) -> Severity:
    """Deaths are critical, injuries high, a ceasefire violation medium, anything else low."""
    if killed:
        return Severity.critical
    if injured:
        return Severity.high
    return Severity.medium if violation else Severity.low
