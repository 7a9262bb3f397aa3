"""Classification levels of records.

- public: every signed-in user;
- mission: users of the organisations that form the mission (monitors,
  peacekeepers, the desk) — not the parties;
- restricted: the reporting organisation and the organisations named on the record;
- confidential: as restricted, and only users whose role must act on it.
"""

from __future__ import annotations

from enum import StrEnum


class Classification(StrEnum):
    public = "public"
    mission = "mission"
    restricted = "restricted"
    confidential = "confidential"
