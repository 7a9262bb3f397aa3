"""The one place that decides who may read and do what, down to fields.

Every read path (get, list, search, map, export, page) and every write goes
through these functions; the store turns `ReadScope` into a SQL filter so
lists are filtered in the database, and services re-check each record with
`can_read` before returning it. Administrators get no extra reading rights:
managing accounts is not a reason to read confidential records.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from enum import StrEnum

from ceasefire.domain.classification import Classification
from ceasefire.domain.incidents import Status


class Role(StrEnum):
    monitor = "monitor"
    duty_officer = "duty_officer"
    liaison_officer = "liaison_officer"
    caseworker = "caseworker"
    analyst = "analyst"
    administrator = "administrator"


REPORTING_ROLES = frozenset({Role.monitor, Role.duty_officer})
ACTING_ROLES = frozenset({Role.duty_officer, Role.liaison_officer, Role.caseworker})
"""Roles that must act on confidential records, and so may read them."""

PROTECTED_FIELDS = ("sources", "reported_by")
"""Fields shown only to the reporting organisation and to the mission (they name sources)."""


@dataclass(frozen=True)
class Viewer:
    """A signed-in user as the authorization rules see them."""

    user_id: int
    username: str
    organisation_id: str
    roles: frozenset[Role]
    mission: bool
    language: str = "en"
    audience: str = "neutral"

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))


@dataclass(frozen=True)
class Access:
    """What the rules need to know about a record to decide on it."""

    classification: Classification
    owner_org: str
    author_id: int
    readers: frozenset[str]


@dataclass(frozen=True)
class ReadScope:
    """A viewer's reading rights in the form a database query can apply."""

    organisation_id: str
    user_id: int
    mission: bool
    confidential: bool


def read_scope(viewer: Viewer) -> ReadScope:
    return ReadScope(
        organisation_id=viewer.organisation_id,
        user_id=viewer.user_id,
        mission=viewer.mission,
        confidential=viewer.has(*ACTING_ROLES),
    )


def can_read(viewer: Viewer, record: Access) -> bool:
    match record.classification:
        case Classification.public:
            return True
        case Classification.mission:
            return viewer.mission or viewer.organisation_id == record.owner_org
        case Classification.restricted:
            return _named(viewer, record)
        case Classification.confidential:
            if viewer.user_id == record.author_id:
                return True
            return _named(viewer, record) and viewer.has(*ACTING_ROLES)


def _named(viewer: Viewer, record: Access) -> bool:
    return viewer.organisation_id == record.owner_org or viewer.organisation_id in record.readers


def hidden_fields(viewer: Viewer, record: Access) -> tuple[str, ...]:
    """Fields of a readable record this viewer must not see."""
    if viewer.mission or viewer.organisation_id == record.owner_org:
        return ()
    return PROTECTED_FIELDS


def can_report(viewer: Viewer) -> bool:
    return viewer.has(*REPORTING_ROLES)


def can_correct(viewer: Viewer, record: Access) -> bool:
    """Corrections come from the organisation that reported the incident."""
    return viewer.organisation_id == record.owner_org and viewer.has(*REPORTING_ROLES)


def can_corroborate(viewer: Viewer, record: Access) -> bool:
    """Corroboration is a second organisation's own confirmation."""
    return (
        can_read(viewer, record)
        and viewer.organisation_id != record.owner_org
        and viewer.has(*REPORTING_ROLES)
    )


def can_set_status(viewer: Viewer, record: Access, new: Status) -> bool:
    """Who may move a record to `new`.

    The reporting organisation's duty officer retracts; the mission's duty
    officers verify or confirm corroboration; any reader's duty or liaison
    officer may dispute (a party contests what the record says).
    """
    if not can_read(viewer, record):
        return False
    match new:
        case Status.retracted:
            return viewer.organisation_id == record.owner_org and viewer.has(Role.duty_officer)
        case Status.verified | Status.corroborated:
            return viewer.mission and viewer.has(Role.duty_officer)
        case Status.disputed:
            return viewer.has(Role.duty_officer, Role.liaison_officer)
        case Status.reported:
            return False


def can_read_log_entries(viewer: Viewer) -> bool:
    """Log entries name records and their reporters (not their content unless public):
    every signed-in user may read them, as every party must be able to check the log."""
    return bool(viewer.roles)


def can_export_bundle(viewer: Viewer) -> bool:
    """A bundle holds only what its exporter may read; every signed-in user may take one."""
    return bool(viewer.roles)


PUBLIC = Viewer(user_id=0, username="public", organisation_id="", roles=frozenset(), mission=False)
"""The reader of the open-data page: no organisation, no role; reads what is public. (Reports
and exports need no right of their own: each holds only what its reader may read.)"""


NOTICE_ROLES = frozenset({Role.liaison_officer, Role.caseworker, Role.duty_officer})
"""Who files activity notices for the people who will go: liaison officers of the local
authorities and ministries, caseworkers of agencies, the mission's duty officers."""


def can_file_notice(viewer: Viewer) -> bool:
    return viewer.has(*NOTICE_ROLES)


def can_cancel_notice(viewer: Viewer, record: Access) -> bool:
    """A notice is cancelled by the organisation that filed it."""
    return viewer.organisation_id == record.owner_org and viewer.has(*NOTICE_ROLES)


def can_see_every_acknowledgement(viewer: Viewer, record: Access) -> bool:
    """The filer and the mission see who acknowledged a notice; a counterpart sees its own."""
    return viewer.mission or viewer.organisation_id == record.owner_org


def can_register_movement(viewer: Viewer) -> bool:
    """Convoys and passages are registered by a party's liaison officer or a duty officer."""
    return viewer.has(Role.liaison_officer, Role.duty_officer)


DESK_ROLES = frozenset({Role.caseworker, Role.duty_officer})


def can_work_desk(viewer: Viewer) -> bool:
    """The mission's civilian desk: its caseworkers and duty officers take requests, see the
    queue and who asks."""
    return viewer.mission and viewer.has(*DESK_ROLES)


def can_watch_intake(viewer: Viewer) -> bool:
    """What field apps sent — quarantined submissions with personal data among them — is
    for the mission's duty officers, who turn a quarantined one into its record."""
    return viewer.mission and viewer.has(Role.duty_officer)


def can_record_line(viewer: Viewer) -> bool:
    """A new version of the line of contact is the mission's to record."""
    return viewer.mission and viewer.has(Role.administrator)


def can_acknowledge(viewer: Viewer) -> bool:
    """Acknowledging for an organisation is for the people who answer for it."""
    return viewer.has(Role.duty_officer, Role.liaison_officer)


def can_watch_all_notifications(viewer: Viewer) -> bool:
    """The mission's duty officers keep the channel: they see every notification (the desk);
    everyone else sees what was sent to their own organisation."""
    return viewer.mission and viewer.has(Role.duty_officer)


def can_see_every_recipient(viewer: Viewer) -> bool:
    """Who else was told of a record they may read: the mission sees every recipient; a
    party sees only what went to its own organisation."""
    return viewer.mission


def can_see_group(viewer: Viewer, members: Set[str], confidential: bool) -> bool:
    """A working group is seen by every signed-in user, a confidential one by its members
    only (anyone else finds nothing of it)."""
    return not confidential or viewer.organisation_id in members


def can_run_group(viewer: Viewer, chairs: Set[str]) -> bool:
    """Meetings, agendas, minutes and commitments are the chairs' secretariat's to write."""
    return viewer.organisation_id in chairs and viewer.has(*ACTING_ROLES)


def can_answer_commitment(viewer: Viewer, organisation: str, chairs: Set[str]) -> bool:
    """A commitment is marked done (or open again) by whoever answers for the organisation
    that made it, or by the chairs."""
    return viewer.has(*ACTING_ROLES) and (
        viewer.organisation_id == organisation or viewer.organisation_id in chairs
    )


def can_dispute_commitment(viewer: Viewer, members: Set[str]) -> bool:
    """Any member organisation may dispute that a commitment was kept."""
    return viewer.organisation_id in members and viewer.has(*ACTING_ROLES)


# --- humanitarian assistance -------------------------------------------------------------


def can_register_households(viewer: Viewer, aid_organisations: Set[str]) -> bool:
    """Households are registered by the caseworkers of the humanitarian organisations."""
    return viewer.organisation_id in aid_organisations and viewer.has(Role.caseworker)


def can_open_household(viewer: Viewer, served_by: Set[str]) -> bool:
    """A household's personal data is for the caseworkers of the organisations that serve
    it (that registered it, or run a programme that owes it something) — no one else, the
    mission and administrators included."""
    return viewer.organisation_id in served_by and viewer.has(Role.caseworker)


def can_run_programme(viewer: Viewer, organisation: str) -> bool:
    """A programme's entitlements are computed, and its handovers recorded, by the
    caseworkers of the organisation that runs it."""
    return viewer.organisation_id == organisation and viewer.has(Role.caseworker)


def can_read_aid_figures(viewer: Viewer) -> bool:
    """Aggregate figures (small cells suppressed) and who does what where: every signed-in
    user; they name nobody."""
    return bool(viewer.roles)


def can_record_activity(viewer: Viewer, aid_organisations: Set[str], involved: Set[str]) -> bool:
    """An activity (3W) or grant is recorded by a caseworker or analyst of a humanitarian
    organisation involved in it."""
    return (
        viewer.organisation_id in aid_organisations
        and viewer.organisation_id in involved
        and viewer.has(Role.caseworker, Role.analyst)
    )
