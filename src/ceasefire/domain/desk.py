"""The civilian desk's rules, as a pack states them: the categories of residents' requests,
the mandate (category × zone → who acts, who must be informed, whether the other side must
be contacted first), and the response times per priority.

The mandate is read top to bottom; the first rule whose categories and zones hold for a case
decides it, so a pack puts its narrow rules (a detention at the line) above its broad ones
(any detention). `assign` also says which rule decided, so the desk can show why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ceasefire.domain.incidents import Slug
from ceasefire.domain.naming import Language
from ceasefire.domain.notifications import parse_duration

NEAREST_POST = "nearest_post"
"""`acts` value: the desks answering for the post nearest to the case"""


class Priority(StrEnum):
    urgent = "urgent"
    high = "high"
    normal = "normal"
    low = "low"


class DeskModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class RequestCategory(DeskModel):
    id: Slug
    names: dict[Language, str]
    default_priority: Priority = Priority.normal


class MandateRule(DeskModel):
    """Who acts on the cases this rule matches, and who else is told."""

    categories: list[Slug] = Field(default_factory=list, description="Empty: any category")
    zones: list[Slug] = Field(default_factory=list, description="Empty: any zone (or none)")
    acts: Slug = Field(description="A contact point id, or nearest_post")
    inform: list[Slug] = Field(default_factory=list, description="Contact point ids")
    other_side_first: bool = Field(
        default=False, description="The party across the line is contacted before anyone acts"
    )
    note: str = ""


def _duration(value: str) -> str:
    parse_duration(value)
    return value


class ResponseTimes(DeskModel):
    """How soon a case of a priority must get its first response, and be resolved."""

    first_response: str
    resolution: str

    _first = field_validator("first_response")(_duration)
    _resolution = field_validator("resolution")(_duration)

    @property
    def first_response_within(self) -> timedelta:
        return parse_duration(self.first_response)

    @property
    def resolution_within(self) -> timedelta:
        return parse_duration(self.resolution)


class DeskPolicy(DeskModel):
    """The `desk.yaml` of a pack."""

    categories: list[RequestCategory] = Field(default_factory=list)
    mandate: list[MandateRule] = Field(default_factory=list)
    response_times: dict[Priority, ResponseTimes] = Field(default_factory=dict)
    escalate_to: list[Slug] = Field(
        default_factory=list,
        description="Contact points told when a case misses its first response or resolution",
    )

    def category(self, category_id: str) -> RequestCategory | None:
        return next((c for c in self.categories if c.id == category_id), None)


@dataclass(frozen=True)
class Assignment:
    """What the mandate says of a case: the rule (its index), who acts, who is informed."""

    rule: int
    acts: str
    inform: tuple[str, ...]
    other_side_first: bool


def assign(policy: DeskPolicy, category: str, zone: str | None) -> Assignment | None:
    """The first mandate rule that holds for a case of this category in this zone."""
    for index, rule in enumerate(policy.mandate):
        if rule.categories and category not in rule.categories:
            continue
        if rule.zones and zone not in rule.zones:
            continue
        return Assignment(index, rule.acts, tuple(rule.inform), rule.other_side_first)
    return None
