"""Working groups: the regular channel where the parties settle practical disputes. A pack
states each group (its theme, member organisations, chairs, whether it is confidential, and
what its agenda takes); meetings are numbered per group, with an agenda the system proposes
and the secretary edits, attendance and minutes; commitments say which organisation promised
what, by when, and how its completion is shown.

A confidential group is seen by its members only; any other group by every signed-in user.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from ceasefire.domain.incidents import Slug, Strict
from ceasefire.domain.naming import Language
from ceasefire.domain.notifications import parse_duration


class GroupModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class AgendaRules(GroupModel):
    """What a group's proposed agenda takes, besides its own overdue commitments."""

    incident_categories: list[Slug] = Field(
        default_factory=list, description="Incidents of these categories reported since"
    )
    zones: list[Slug] = Field(default_factory=list, description="… in these zones (empty: any)")
    handovers: list[Slug] = Field(
        default_factory=list, description="The desk's hand-overs of cases of these categories"
    )
    open_cases: list[Slug] = Field(
        default_factory=list, description="Open desk cases of these categories (detentions)"
    )
    standing: list[dict[Language, str]] = Field(
        default_factory=list, description="Items on every agenda"
    )


class WorkingGroup(GroupModel):
    id: Slug
    names: dict[Language, str]
    members: list[Slug] = Field(min_length=2, description="Member organisations")
    chairs: list[Slug] = Field(min_length=1, description="Chairing or facilitating organisations")
    confidential: bool = Field(default=False, description="Seen by its members only")
    agenda: AgendaRules = Field(default_factory=AgendaRules)
    remind_before: str = Field(default="2d", description="Remind a commitment this long before")
    escalate_to: list[Slug] = Field(
        default_factory=list, description="Contact points told when a commitment is overdue"
    )

    @field_validator("remind_before")
    @classmethod
    def _duration(cls, value: str) -> str:
        parse_duration(value)
        return value


class AgendaItem(Strict):
    """One item of a meeting's agenda: what it is about, and, once met, what each side said
    and what was decided."""

    kind: Literal["incident", "handover", "case", "commitment", "standing", "other"]
    ref: str | None = Field(default=None, max_length=36, description="The record it is about")
    title: str = Field(min_length=1, max_length=300)
    positions: dict[Slug, str] = Field(
        default_factory=dict, description="Organisation id -> its position (minutes)"
    )
    decision: str = Field(default="", max_length=4000)


class MeetingDraft(Strict):
    scheduled_at: AwareDatetime
    place_id: Slug | None = None
    place_text: str = Field(default="", max_length=200)


class Attendance(Strict):
    organisation: Slug
    people: int = Field(ge=0, le=100)


class Minutes(Strict):
    """What the secretary records after a meeting: who came, and each item's positions and
    decision (the agenda as it was met)."""

    attendance: list[Attendance] = Field(min_length=1)
    items: list[AgendaItem] = Field(min_length=1, max_length=200)


class CommitmentStatus(StrEnum):
    open = "open"
    done = "done"
    disputed = "disputed"


class Resolves(Strict):
    """An incident or a desk case a commitment is meant to settle."""

    kind: Literal["incident", "case"]
    id: str = Field(min_length=1, max_length=36)


class CommitmentDraft(Strict):
    organisation: Slug = Field(description="Who commits")
    text: str = Field(min_length=1, max_length=2000, description="To what")
    due: date = Field(description="By when")
    evidence: str = Field(min_length=1, max_length=1000, description="How completion is shown")
    meeting: int | None = Field(default=None, ge=1, description="The meeting it was made at")
    resolves: list[Resolves] = Field(default_factory=list, max_length=20)


class CommitmentChange(Strict):
    """Done (with what shows it) or disputed (with why), or open again."""

    status: CommitmentStatus
    evidence: str = Field(min_length=1, max_length=2000)


def overdue(status: CommitmentStatus, due: date, today: date) -> bool:
    return status is CommitmentStatus.open and due < today
