"""The registry of people in need: a household as registered (by a caseworker or by the
household itself), its members, and the facts assistance programmes decide on.

Who the members are (names, birth dates, documents, phone numbers), the household's address
and its vulnerabilities are personal data: the service seals them before they are stored.
What stays in clear is what aggregate figures count by and nobody can be named from:
displacement status, village of origin, current place, shelter type, whether the home was
lost, and the household's size.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from ceasefire.domain.cases import checked_phone
from ceasefire.domain.incidents import Slug, Strict
from ceasefire.domain.naming import Language


class Displacement(StrEnum):
    displaced = "displaced"
    """Left their home and lives elsewhere (in the region or, for now, in Armenia)"""
    returned = "returned"
    displaced_within = "displaced_within"
    """Came back to the region but not to their home (which is now across the line)"""
    in_other_country = "in_other_country"


DISPLACED = frozenset(
    {Displacement.displaced, Displacement.displaced_within, Displacement.in_other_country}
)


class Shelter(StrEnum):
    own_home = "own_home"
    rented = "rented"
    hosted = "hosted"
    collective_centre = "collective_centre"
    hotel = "hotel"
    basement = "basement"
    makeshift = "makeshift"
    """Shops, gyms, attics: a roof without facilities"""
    other = "other"


class Home(StrEnum):
    """What became of the home the household left."""

    intact = "intact"
    damaged = "damaged"
    lost = "lost"
    """Destroyed, or in territory the household cannot go back to"""


class Vulnerability(StrEnum):
    disability = "disability"
    chronic_illness = "chronic_illness"
    pregnant_or_nursing = "pregnant_or_nursing"
    single_parent = "single_parent"
    unaccompanied_child = "unaccompanied_child"
    older_person_alone = "older_person_alone"
    bereaved = "bereaved"
    """Lost a member in the war"""


class Sex(StrEnum):
    female = "female"
    male = "male"


class Relationship(StrEnum):
    head = "head"
    spouse = "spouse"
    child = "child"
    parent = "parent"
    sibling = "sibling"
    grandchild = "grandchild"
    other = "other"


class Source(StrEnum):
    caseworker = "caseworker"
    self_registered = "self_registered"


class Member(Strict):
    """One person of a household (sealed as a whole before it is stored)."""

    given_name: str = Field(min_length=1, max_length=100)
    family_name: str = Field(min_length=1, max_length=100)
    patronymic: str = Field(default="", max_length=100, description="Father's name")
    born: date
    sex: Sex
    relationship: Relationship = Relationship.other
    document: str = Field(default="", max_length=60, description="Passport or ID number")

    @field_validator("born")
    @classmethod
    def _born(cls, value: date) -> date:
        if not date(1900, 1, 1) <= value <= date.today():
            raise ValueError("a birth date between 1900 and today")
        return value


class HouseholdDraft(Strict):
    """A household as registered: where it comes from, where and how it lives now, who it is.
    Registration needs the household's consent (stated by whoever registers it)."""

    displacement: Displacement
    origin_place_id: Slug | None = Field(default=None, description="The village it left")
    origin_text: str = Field(default="", max_length=200, description="Where from, in words")
    current_place_id: Slug = Field(description="The town or village it lives in now")
    address: str = Field(default="", max_length=300, description="Where exactly (sealed)")
    shelter: Shelter
    home: Home = Home.intact
    vulnerabilities: list[Vulnerability] = Field(default_factory=list, max_length=10)
    phone: str | None = Field(default=None, max_length=24)
    language: Language = "en"
    members: list[Member] = Field(min_length=1, max_length=30)
    consent: bool = Field(
        description="The household agreed to be registered and to have its data shared with "
        "the programmes that serve it"
    )
    registered: date | None = Field(
        default=None,
        description="When it was first registered, if earlier (a list kept elsewhere until now)",
    )

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return checked_phone(value)

    @field_validator("consent")
    @classmethod
    def _consent(cls, value: bool) -> bool:
        if not value:
            raise ValueError("a household is registered only with its consent")
        return value

    @field_validator("registered")
    @classmethod
    def _registered(cls, value: date | None) -> date | None:
        if value is not None and not date(2000, 1, 1) <= value <= date.today():
            raise ValueError("a day between 2000 and today")
        return value

    @model_validator(mode="after")
    def _origin(self) -> HouseholdDraft:
        if self.origin_place_id is None and not self.origin_text:
            raise ValueError("origin_place_id: say where the household comes from")
        if len(set(self.vulnerabilities)) != len(self.vulnerabilities):
            raise ValueError("vulnerabilities: each at most once")
        return self


class HouseholdChange(Strict):
    """What changes in a household's circumstances (a return, a move, a new shelter); what is
    not given stays as it was."""

    displacement: Displacement | None = None
    current_place_id: Slug | None = None
    address: str | None = Field(default=None, max_length=300)
    shelter: Shelter | None = None
    home: Home | None = None
    vulnerabilities: list[Vulnerability] | None = Field(default=None, max_length=10)
    phone: str | None = Field(default=None, max_length=24)
    note: str = Field(default="", max_length=1000, description="Why (sealed)")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return checked_phone(value)

    @model_validator(mode="after")
    def _something(self) -> HouseholdChange:
        given = self.model_dump(exclude_none=True, exclude={"note"})
        if not given:
            raise ValueError("displacement: change at least one of the household's facts")
        return self


class HouseholdStatus(StrEnum):
    awaiting_verification = "awaiting_verification"
    """Self-registered: no programme counts it until a caseworker has seen it"""
    active = "active"
    merged = "merged"
    """A duplicate of another household, whose record carries on"""
    closed = "closed"


def age_on(born: date, day: date) -> int:
    """Full years of age on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
