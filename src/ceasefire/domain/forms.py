"""A deployment's intake forms: each is an XLSForm spreadsheet in the pack, compiled (when the
pack is read) into the XForm that field apps download, and creates one kind of record.

A form's field names are the record's (documented in docs/scenario-pack.md): `category`,
`title`, `started_at`, `place`, `location`, … for an incident; `category`, `description`,
`place`, `name`, `phone`, `language` … for a resident's request; `activity`, `plot`,
`starts_at`, … for an activity notice. Its labels carry every language of the deployment
(`label::Русский (ru)`: the code in brackets is the language).
"""

from __future__ import annotations

import hashlib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ceasefire.domain.authorization import Role
from ceasefire.domain.incidents import Slug


class IntakeForm(BaseModel):
    """One form as the pack states it, with its compiled XForm."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    id: Slug = Field(description="The XLSForm's form_id")
    file: str = Field(pattern=r"^[A-Za-z0-9_./-]+\.(xlsx|xls|csv|md)$")
    creates: Literal["incident", "case", "notice", "assessment"]
    roles: list[Role] = Field(min_length=1, description="Who may fill it in and send it")
    organisations: list[Slug] = Field(
        default_factory=list, description="Only users of these organisations (none: any)"
    )
    xform: str = Field(default="", description="Compiled when the pack is read")
    version: str = ""
    languages: list[str] = Field(default_factory=list)

    def open_to(self, roles: frozenset[Role], organisation: str) -> bool:
        """Whether a user with these roles, of this organisation, may list and send it."""
        allowed = not self.organisations or organisation in self.organisations
        return allowed and bool(roles.intersection(self.roles))

    @property
    def md5(self) -> str:
        return hashlib.md5(self.xform.encode()).hexdigest()  # OpenRosa's form hash
