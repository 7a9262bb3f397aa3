"""What is done for people in need beyond the registry: handovers of what a programme owes,
the housing pipeline, compensation claims for lost property, and who does what where (3W:
organisations' activities by place, sector and status; grants to local partners).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum

from pydantic import Field, model_validator

from ceasefire.domain.incidents import Slug, Strict


class Delivery(Strict):
    """What was handed over: entitlements settled, where, when, and a receipt's reference."""

    entitlements: list[int] = Field(min_length=1, max_length=5000)
    place_id: Slug
    on: date
    reference: str = Field(default="", max_length=100, description="Receipt or transfer number")


class Stage(StrEnum):
    registered = "registered"
    eligible = "eligible"
    allocated = "allocated"
    under_construction = "under_construction"
    housed = "housed"


STAGES = tuple(Stage)


def can_move_stage(current: Stage | None, new: Stage) -> str | None:
    """Why a household cannot move from `current` to `new` in a housing pipeline, or None.
    A household moves one stage forward, or back any number (a plot fell through)."""
    if current is None:
        return None if new is Stage.registered else "a household enters at registered"
    if new is current:
        return f"already {new.value}"
    if STAGES.index(new) > STAGES.index(current) + 1:
        return f"from {current.value} the next stage is {STAGES[STAGES.index(current) + 1].value}"
    return None


class StageMove(Strict):
    stage: Stage
    note: str = Field(default="", max_length=1000)


class ClaimStatus(StrEnum):
    filed = "filed"
    assessed = "assessed"
    approved = "approved"
    rejected = "rejected"


class ClaimDraft(Strict):
    """A household's claim for property it lost: what (sealed), its worth as claimed, and
    the evidence (files already uploaded, by their SHA-256)."""

    household_id: str = Field(min_length=1, max_length=36)
    property: str = Field(min_length=1, max_length=2000, description="What was lost, where")
    claimed: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    evidence: list[str] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _hashes(self) -> ClaimDraft:
        for i, digest in enumerate(self.evidence):
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise ValueError(f"evidence[{i}]: a file's SHA-256, 64 hex digits")
        return self


class Assessment(Strict):
    assessed: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    note: str = Field(default="", max_length=2000)


class Decision(Strict):
    approve: bool
    amount: Decimal | None = Field(default=None, ge=0, max_digits=14, decimal_places=2)
    reason: str = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _amount(self) -> Decision:
        if self.approve and self.amount is None:
            raise ValueError("amount: an approved claim says how much")
        if not self.approve and self.amount is not None:
            raise ValueError("amount: a rejected claim pays nothing")
        return self


def claim_step(current: ClaimStatus, step: str) -> str | None:
    """Why a claim in `current` cannot take `step` ("assess" or "decide"), or None."""
    if step == "assess" and current is not ClaimStatus.filed:
        return f"the claim is {current.value}: it was assessed already"
    if step == "decide" and current is not ClaimStatus.assessed:
        return f"the claim is {current.value}: it is decided once, after assessment"
    return None


class ActivityStatus(StrEnum):
    planned = "planned"
    ongoing = "ongoing"
    completed = "completed"
    suspended = "suspended"


class ActivityDraft(Strict):
    """One line of who does what where: an organisation's activity in a place and sector,
    carried out by itself or through a local partner (when it cannot get in)."""

    organisation: Slug = Field(description="Whose activity it is (funds or leads it)")
    partner: Slug | None = Field(default=None, description="Who implements it on the ground")
    sector: Slug
    place_id: Slug
    activity: str = Field(min_length=1, max_length=300)
    status: ActivityStatus
    start: date
    end: date | None = None
    targeted: int | None = Field(default=None, ge=0, le=10_000_000, description="People")
    reached: int | None = Field(default=None, ge=0, le=10_000_000, description="People")
    remote: bool = Field(default=False, description="Managed remotely, without access")

    @model_validator(mode="after")
    def _dates(self) -> ActivityDraft:
        if self.end is not None and self.end < self.start:
            raise ValueError("end: not before start")
        if self.partner == self.organisation:
            raise ValueError("partner: another organisation than the one it works for")
        return self


class GrantDraft(Strict):
    """Money an international agency passes to a local partner."""

    donor: Slug
    recipient: Slug
    sector: Slug
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    start: date
    end: date
    purpose: str = Field(default="", max_length=500)

    @model_validator(mode="after")
    def _grant(self) -> GrantDraft:
        if self.end < self.start:
            raise ValueError("end: not before start")
        if self.donor == self.recipient:
            raise ValueError("recipient: another organisation than the donor")
        return self


def suppress(count: int, minimum: int) -> int | None:
    """A count as an aggregate may show it: None (shown as "<minimum") when it is below the
    minimum but not zero, so no household can be singled out."""
    return None if 0 < count < minimum else count


class Evidence(Strict):
    """A photo or video kept by its SHA-256 (uploaded first, or sent with a field form)."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    filename: str = Field(default="", max_length=255)
    media_type: str = Field(default="application/octet-stream", max_length=100)


class NeedsAssessmentDraft(Strict):
    """A needs assessment of a place, made for an agency that cannot get in — by its local
    partner's staff, who send the form with photos and video."""

    organisation: Slug = Field(description="The agency it is made for")
    place_id: Slug
    on: date = Field(description="When the place was assessed")
    sectors: list[Slug] = Field(min_length=1, max_length=20, description="Sectors in need")
    people_in_need: int | None = Field(default=None, ge=0, le=10_000_000)
    households_in_need: int | None = Field(default=None, ge=0, le=10_000_000)
    summary: str = Field(min_length=1, max_length=4000)
    files: list[Evidence] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _once(self) -> NeedsAssessmentDraft:
        if len(set(self.sectors)) != len(self.sectors):
            raise ValueError("sectors: each at most once")
        return self
