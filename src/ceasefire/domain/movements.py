"""Movements through the corridor: convoys and passages with their manifest and escort, and
what happened at each checkpoint on the way.

In spring 2021 Azerbaijani trucks to Shusha crossed Armenian-held roads under Russian
escort, carrying only construction materials and food; a pistol found on a driver's seat
held a convoy for hours until senior peacekeepers came. A checkpoint report that holds,
turns back or disputes a movement therefore becomes an incident of its own, linked to the
movement, and is routed by the notification rules like any other.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field, field_validator, model_validator

from ceasefire.domain.classification import Classification
from ceasefire.domain.incidents import Slug, Strict, check_era, readers_need_restriction


class MovementKind(StrEnum):
    convoy = "convoy"
    passage = "passage"


class CargoCategory(StrEnum):
    food = "food"
    construction_materials = "construction_materials"
    fuel = "fuel"
    medicine = "medicine"
    humanitarian_aid = "humanitarian_aid"
    household_goods = "household_goods"
    personal_belongings = "personal_belongings"
    other_cargo = "other_cargo"


class Outcome(StrEnum):
    passed = "passed"
    inspected = "inspected"
    held = "held"
    turned_back = "turned_back"
    disputed = "disputed"
    arrived = "arrived"


HOLDING = frozenset({Outcome.held, Outcome.turned_back, Outcome.disputed})
"""Outcomes that become an incident of their own."""


class MovementStatus(StrEnum):
    planned = "planned"
    under_way = "under_way"
    held = "held"
    turned_back = "turned_back"
    arrived = "arrived"


FINISHED = frozenset({MovementStatus.arrived, MovementStatus.turned_back})
"""A movement in one of these takes no more checkpoint reports."""


def status_after(outcome: Outcome) -> MovementStatus:
    """Where a movement stands after a checkpoint's outcome."""
    if outcome is Outcome.arrived:
        return MovementStatus.arrived
    if outcome is Outcome.turned_back:
        return MovementStatus.turned_back
    if outcome in HOLDING:
        return MovementStatus.held
    return MovementStatus.under_way


class Cargo(Strict):
    category: CargoCategory
    description: str = Field(default="", max_length=200)
    quantity: float = Field(gt=0, le=1_000_000)
    unit: str = Field(min_length=1, max_length=20, description="t, kg, boxes, litres…")


class Vehicle(Strict):
    kind: Literal["truck", "bus", "car", "ambulance", "other"]
    plate: str | None = Field(default=None, max_length=20)
    driver: str | None = Field(default=None, max_length=120)


class MovementDraft(Strict):
    """A convoy or a passage as its organiser registers it."""

    kind: MovementKind
    title: str = Field(min_length=1, max_length=200)
    from_place: Slug
    to_place: Slug
    route: list[Slug] = Field(
        default_factory=list, max_length=50, description="Posts and checkpoints on the way"
    )
    planned_at: AwareDatetime
    cargo: list[Cargo] = Field(default_factory=list, max_length=100)
    vehicles: list[Vehicle] = Field(default_factory=list, max_length=200)
    people: int = Field(ge=0, le=10_000)
    escorted_by: Slug | None = Field(default=None, description="The escorting organisation")
    classification: Classification = Classification.mission
    restricted_to: list[Slug] = Field(default_factory=list, max_length=50)

    @field_validator("planned_at")
    @classmethod
    def _era(cls, value: AwareDatetime) -> AwareDatetime:
        check_era(value)
        return value

    _readers = field_validator("restricted_to")(readers_need_restriction)

    @model_validator(mode="after")
    def _something_moves(self) -> MovementDraft:
        if not self.vehicles and not self.people:
            raise ValueError("vehicles: a movement has vehicles or people")
        return self


class CheckpointReport(Strict):
    """What happened to a movement at one place on its way."""

    place_id: Slug
    at: AwareDatetime
    outcome: Outcome
    inspected_by: Slug | None = Field(default=None, description="Whose people inspected")
    findings: str = Field(default="", max_length=4000)

    @field_validator("at")
    @classmethod
    def _era(cls, value: AwareDatetime) -> AwareDatetime:
        check_era(value)
        return value

    @model_validator(mode="after")
    def _a_hold_says_why(self) -> CheckpointReport:
        if self.outcome in HOLDING and not self.findings:
            raise ValueError(f"findings: say why the movement was {self.outcome.value}")
        return self
