"""The incident record: what a monitor reports, and how its verification status may move.

An `IncidentDraft` is everything a reporter states about an event: category,
when (with ACLED time precision), where (a point or a named place, with ACLED
geo-precision), ceasefire-violation observations in the monitoring missions'
pattern, actors, casualties (where "unknown" is `None`, distinct from 0),
property and livestock affected, narrative in any of the four languages,
sources and attachments. The draft validates its own shape; checks that need
the deployment (is the category known? is the place known?) live in
`check_against_scenario`, and checks that need a clock in `check_times`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from ceasefire.domain.classification import Classification
from ceasefire.domain.errors import InvalidInput
from ceasefire.domain.naming import Language

EARLIEST_YEAR = 1900


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must include a time zone offset, e.g. 2021-04-11T09:30:00+04:00")
    check_era(value)
    return value


def check_era(value: datetime) -> None:
    """Refuse times a record cannot be about (and that would not fit the database)."""
    try:
        in_utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range") from None
    if in_utc.year < EARLIEST_YEAR:
        raise ValueError(f"is before {EARLIEST_YEAR}")


def _no_nul(value: Any) -> Any:
    """Refuse NUL characters anywhere in a value (no store keeps them faithfully)."""
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, list | tuple):
        for item in value:
            _no_nul(item)
    if isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
ShortText = Annotated[str, Field(min_length=1, max_length=200)]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]{0,79}$")]


STORED: dict[str, bool] = {"stored": True}
"""Validation context for a record read back from the database (`model_validate(…,
context=STORED)`): what was checked on the way in is not walked again."""


class Strict(BaseModel):
    """Base for input models: unknown fields are errors, strings are trimmed, NUL refused."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any, info: ValidationInfo) -> Any:
        if info.context is not None and info.context.get("stored") is True:
            return value  # refused when it was written; the walk is most of a read's cost
        return _no_nul(value)


class Status(StrEnum):
    reported = "reported"
    corroborated = "corroborated"
    verified = "verified"
    disputed = "disputed"
    retracted = "retracted"


class TimePrecision(StrEnum):
    """ACLED's time precision: exact, or known only to the day, week or month."""

    exact = "exact"
    day = "day"
    week = "week"
    month = "month"


class GeoPrecision(StrEnum):
    """ACLED's geo-precision: exact point, the town itself, near a town, or the region."""

    exact = "exact"
    town = "town"
    near_town = "near_town"
    region = "region"


class Platform(StrEnum):
    post = "post"
    patrol = "patrol"
    camera = "camera"
    drone = "drone"


class Sighting(StrEnum):
    explosion = "explosion"
    projectile = "projectile_in_flight"
    muzzle_flash = "muzzle_flash"
    flare = "flare"
    burst = "burst"
    shot = "shot"


class ExplosionKind(StrEnum):
    impact = "impact"
    airburst = "airburst"
    undetermined = "undetermined"


class Direction(StrEnum):
    incoming = "incoming"
    outgoing = "outgoing"
    undetermined = "undetermined"


class Weapon(StrEnum):
    small_arms = "small_arms"
    heavy_machine_gun = "heavy_machine_gun"
    grenade_launcher = "grenade_launcher"
    mortar = "mortar"
    artillery = "artillery"
    rocket = "rocket"
    tank = "tank"
    drone = "drone"
    undetermined = "undetermined"


class Confidence(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class Point(Strict):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class Location(Strict):
    """Where: a point, a named place of the deployment's gazetteer, or both."""

    point: Point | None = None
    place_id: Slug | None = None
    precision: GeoPrecision = GeoPrecision.exact
    description: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _point_or_place(self) -> Location:
        if self.point is None and self.place_id is None:
            raise ValueError("give a point, a place_id, or both")
        return self


class Observation(Strict):
    """One ceasefire-violation observation, as monitoring missions record them."""

    platform: Platform
    observer: str | None = Field(default=None, max_length=200)
    window_start: AwareDatetime
    window_end: AwareDatetime
    sighting: Sighting
    explosion: ExplosionKind | None = Field(default=None, validate_default=True)
    count: int = Field(ge=1, le=100_000)
    direction: Direction = Direction.undetermined
    distance_min_m: int | None = Field(default=None, ge=0, le=100_000)
    distance_max_m: int | None = Field(default=None, ge=0, le=100_000)
    bearing_deg: int | None = Field(default=None, ge=0, le=359)
    weapon: Weapon = Weapon.undetermined
    confidence: Confidence = Confidence.medium

    @field_validator("window_end")
    @classmethod
    def _window_order(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("window_start")
        if start is not None and value < start:
            raise ValueError("is before window_start")
        return value

    @field_validator("explosion")
    @classmethod
    def _explosion_kind(cls, value: ExplosionKind | None, info: ValidationInfo) -> Any:
        explosion = info.data.get("sighting") is Sighting.explosion
        if explosion and value is None:
            raise ValueError("an explosion needs its kind: impact, airburst or undetermined")
        if not explosion and value is not None:
            raise ValueError("is only for sighting 'explosion'")
        return value

    @field_validator("distance_max_m")
    @classmethod
    def _distance_order(cls, value: int | None, info: ValidationInfo) -> int | None:
        least = info.data.get("distance_min_m")
        if value is not None and least is not None and value < least:
            raise ValueError("is less than distance_min_m")
        return value


class Actor(Strict):
    """An actor: one of the deployment's organisations, or a free-text description."""

    organisation_id: Slug | None = None
    name: str | None = Field(default=None, max_length=200)
    role: Literal["alleged_perpetrator", "target", "affected", "responder", "other"]

    @model_validator(mode="after")
    def _named(self) -> Actor:
        if self.organisation_id is None and not self.name:
            raise ValueError("give an organisation_id or a name")
        return self


Count = Annotated[int | None, Field(ge=0, le=1_000_000)]


class Casualties(Strict):
    """Casualty counts; `None` means unknown, which is not the same as 0."""

    civilian_killed: Count = None
    civilian_injured: Count = None
    military_killed: Count = None
    military_injured: Count = None


class Damage(Strict):
    kind: Literal["house", "vehicle", "crops", "orchard", "infrastructure", "livestock", "other"]
    description: str = Field(min_length=1, max_length=1000)
    quantity: int | None = Field(default=None, ge=0, le=1_000_000)


class Source(Strict):
    """Where the information came from, with the Admiralty reliability grade (A–F)."""

    organisation_id: Slug | None = None
    name: str | None = Field(default=None, max_length=200)
    channel: Literal[
        "direct_observation",
        "drone",
        "camera",
        "party_report",
        "resident",
        "media",
        "social_media",
        "document",
        "other",
    ]
    reliability: Literal["A", "B", "C", "D", "E", "F"] = "F"
    reference: str | None = Field(default=None, max_length=1000)


class Attachment(Strict):
    sha256: Sha256
    filename: str = Field(min_length=1, max_length=255)
    media_type: str = Field(default="application/octet-stream", max_length=100)


def readers_need_restriction(value: list[str], info: ValidationInfo) -> list[str]:
    """Named readers (`restricted_to`) belong to restricted and confidential records only."""
    needs_readers = info.data.get("classification") in (
        Classification.restricted,
        Classification.confidential,
    )
    if value and not needs_readers:
        raise ValueError("is only for restricted or confidential records")
    return value


class IncidentDraft(Strict):
    """Everything a reporter states about an incident; also the body of a correction."""

    category: Slug
    title: ShortText
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    time_precision: TimePrecision = TimePrecision.exact
    location: Location
    observations: list[Observation] = Field(default_factory=list, max_length=200)
    actors: list[Actor] = Field(default_factory=list, max_length=50)
    casualties: Casualties = Field(default_factory=Casualties)
    damage: list[Damage] = Field(default_factory=list, max_length=100)
    narrative: dict[Language, Annotated[str, Field(min_length=1, max_length=20_000)]] = Field(
        default_factory=dict
    )
    sources: list[Source] = Field(default_factory=list, max_length=50)
    attachments: list[Attachment] = Field(default_factory=list, max_length=50)
    classification: Classification = Classification.mission
    restricted_to: list[Slug] = Field(default_factory=list, max_length=50)

    @field_validator("ended_at")
    @classmethod
    def _ends_after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("started_at")
        if value is not None and start is not None and value < start:
            raise ValueError("is before started_at")
        return value

    _readers = field_validator("restricted_to")(readers_need_restriction)


def check_times(draft: IncidentDraft, now: datetime, tolerance: timedelta) -> None:
    """Refuse times in the future beyond the clock tolerance."""
    limit = now + tolerance
    stamps: list[tuple[str, datetime | None]] = [
        ("started_at", draft.started_at),
        ("ended_at", draft.ended_at),
    ]
    for i, obs in enumerate(draft.observations):
        stamps += [
            (f"observations.{i}.window_start", obs.window_start),
            (f"observations.{i}.window_end", obs.window_end),
        ]
    for field, value in stamps:
        if value is not None and value > limit:
            raise InvalidInput(field, "is in the future")


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The top-level fields of a record that differ between two versions, in field order."""
    keys = [*after, *(key for key in before if key not in after)]
    return [key for key in keys if before.get(key) != after.get(key)]


ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.reported: frozenset(
        {Status.corroborated, Status.verified, Status.disputed, Status.retracted}
    ),
    Status.corroborated: frozenset({Status.verified, Status.disputed, Status.retracted}),
    Status.verified: frozenset({Status.disputed, Status.retracted}),
    Status.disputed: frozenset({Status.corroborated, Status.verified, Status.retracted}),
    Status.retracted: frozenset(),
}


def check_transition(current: Status, new: Status, reason: str) -> None:
    """A status change must be allowed from the current status and carry a reason."""
    if new not in ALLOWED_TRANSITIONS[current]:
        raise InvalidInput("status", f"cannot change from {current.value} to {new.value}")
    if not reason.strip():
        raise InvalidInput("reason", "a status change needs a reason")
