"""The database schema, as SQLAlchemy Core tables (migrations in `store/migrations`).

`incidents` holds each incident's current state for querying; every state it
ever had is a row in `incident_versions`, which is only ever inserted into.
Times are stored as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

deployment = Table(
    "deployment",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("scenario_id", String(80), nullable=False),
    Column("pack", JSON, nullable=False),
    Column("loaded_at", UTCDateTime, nullable=False),
)

organisations = Table(
    "organisations",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("party", String(80)),
    Column("parent", String(80)),
    Column("mission", Boolean, nullable=False),
    Column("audience", String(40), nullable=False),
    Column("names", JSON, nullable=False),
)

places = Table(
    "places",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("kind", String(40), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("names", JSON, nullable=False),
    Column("source", String(20), nullable=False, server_default="pack", index=True),
    Column("coordinates", String(20), nullable=False, server_default="approximate"),
    Column("geonames_name", String(200)),
)
"""The pack's places (source `pack`) and those imported (`geonames`, `geojson`)."""

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(40), nullable=False, unique=True),
    Column("display_name", String(120), nullable=False),
    Column("organisation_id", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("roles", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("language", String(5), nullable=False),
    Column("audience", String(40)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", UTCDateTime, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("label", String(120), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("revoked_at", UTCDateTime),
)

incidents = Table(
    "incidents",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("classification", String(20), nullable=False),
    Column("owner_org", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("category", String(80), nullable=False),
    Column("title", String(200), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("place_id", String(80), ForeignKey("places.id")),
    Column("content", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "started_at", "id"),
    Index(None, "category"),
    Index(None, "status"),
    Index(None, "lat", "lon"),
    Index(None, "place_id"),
    Index(None, "owner_org"),
)

incident_readers = Table(
    "incident_readers",
    metadata,
    Column("incident_id", String(36), ForeignKey("incidents.id"), primary_key=True),
    Column("organisation_id", String(80), ForeignKey("organisations.id"), primary_key=True),
    Index(None, "organisation_id"),
)

incident_versions = Table(
    "incident_versions",
    metadata,
    Column("incident_id", String(36), ForeignKey("incidents.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("author_org", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("change", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("classification", String(20), nullable=False),
    Column("reason", Text),
    Column("content", JSON, nullable=False),
)

corroborations = Table(
    "corroborations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("incident_id", String(36), ForeignKey("incidents.id"), nullable=False),
    Column("organisation_id", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("note", Text, nullable=False),
    Column("content", JSON, nullable=False),
    UniqueConstraint("incident_id", "organisation_id"),
)

incident_attachments = Table(
    "incident_attachments",
    metadata,
    Column("incident_id", String(36), ForeignKey("incidents.id"), primary_key=True),
    Column("sha256", String(64), ForeignKey("attachments.sha256"), primary_key=True),
    Index(None, "sha256"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("media_type", String(100), nullable=False),
    Column("uploaded_by", Integer, ForeignKey("users.id"), nullable=False),
    Column("uploader_org", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
)

# --- the log (see ceasefire.ledger) ---------------------------------------------------------

log_state = Table(
    "log_state",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("next_index", BigInteger, nullable=False),
    Column("integrated_size", BigInteger, nullable=False),
)
"""One row: the sequencer's counter. Appending locks it, so indexes follow commit order."""

log_leaves = Table(
    "log_leaves",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(40), nullable=False),
    Column("record_id", String(80), nullable=False),
    Column("version", Integer, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("secret", LargeBinary(32), nullable=False),
    Column("committed", Boolean, nullable=False),
    Index(None, "kind", "record_id", "version", unique=True),
)

log_nodes = Table(
    "log_nodes",
    metadata,
    Column("level", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)
"""Roots of the tree's perfect subtrees: (level, idx) covers leaves idx·2^level onwards."""

log_checkpoints = Table(
    "log_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("settled_at", UTCDateTime),
)

log_cosignatures = Table(
    "log_cosignatures",
    metadata,
    Column("size", BigInteger, ForeignKey("log_checkpoints.size"), primary_key=True),
    Column("witness", String(200), primary_key=True),
    Column("line", Text, nullable=False),
    Column("signed_at", UTCDateTime, nullable=False),
)

log_witnesses = Table(
    "log_witnesses",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("last_error", Text),
    Column("checked_at", UTCDateTime),
)
"""What the log knows of each witness: the size it last cosigned, and its last refusal."""

# --- notifications (the outbox) --------------------------------------------------------------

notifications = Table(
    "notifications",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("record_kind", String(40), nullable=False),
    Column("record_id", String(80), nullable=False),
    Column("record_version", Integer, nullable=False),
    Column("contact_id", String(80), nullable=False),
    Column("organisation_id", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("rules", String(1000), nullable=False),
    Column("level", Integer, nullable=False),
    Column("escalated_from", String(36), ForeignKey("notifications.id")),
    Column("reply_id", String(36)),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime),
    Column("last_error", Text),
    Column("ack_deadline", UTCDateTime, nullable=False),
    Column("ack_token_hash", String(64), nullable=False, unique=True),
    Column("acknowledged_at", UTCDateTime),
    Column("acknowledged_by", String(200)),
    Column("ack_channel", String(40)),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Index(None, "status", "next_attempt_at"),
    Index(None, "record_kind", "record_id"),
    Index(None, "organisation_id", "status"),
)
"""One message to one contact point about one record version; written in the record's own
transaction (a transactional outbox) and moved along by the dispatcher."""

notification_versions = Table(
    "notification_versions",
    metadata,
    Column("notification_id", String(36), ForeignKey("notifications.id"), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("event", String(20), nullable=False),
    Column("author_org", String(80), nullable=False),
    Column("content", JSON, nullable=False),
)
"""Every step of a notification (queued, delivered, failed, acknowledged, escalated): each is
a log leaf, so a party can later prove it was told, or that it was not."""

replies = Table(
    "replies",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("notification_id", String(36), ForeignKey("notifications.id"), nullable=False),
    Column("incident_id", String(36), ForeignKey("incidents.id"), nullable=False),
    Column("organisation_id", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False),
    Index(None, "incident_id"),
)
"""A party's answer to a notification, attached to the record it is about."""

# --- geography -------------------------------------------------------------------------------

line_versions = Table(
    "line_versions",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("drawing", JSON, nullable=False),
    Column("provenance", Text, nullable=False),
    Column("illustrative", Boolean, nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("author_org", String(80), ForeignKey("organisations.id"), nullable=False),
)
"""Versions of the line of contact after the pack's own (version 1): each a GeoJSON drawing
of the line and the sides, with where it came from."""

record_geography = Table(
    "record_geography",
    metadata,
    Column("record_kind", String(40), primary_key=True),
    Column("record_id", String(80), primary_key=True),
    Column("line_version", Integer, nullable=False),
    Column("settlement_id", String(80)),
    Column("settlement_metres", Float),
    Column("post_id", String(80)),
    Column("post_metres", Float),
    Column("line_metres", Float),
    Column("side", String(80)),
    Column("zone", String(80)),
    Column("hazards", JSON, nullable=False),
    Column("enriched_at", UTCDateTime, nullable=False),
    Index(None, "record_kind", "zone"),
    Index(None, "record_kind", "side"),
    Index(None, "record_kind", "line_metres"),
)
"""Where each located record stands (derived, not part of the record: recomputed for every
record when the line changes)."""

# --- activity notices --------------------------------------------------------------------

notices = Table(
    "notices",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("owner_org", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("activity", String(40), nullable=False),
    Column("risk", String(10), nullable=False),
    Column("escort", Boolean, nullable=False),
    Column("nearest_post", String(80)),
    Column("starts_at", UTCDateTime, nullable=False),
    Column("last_end", UTCDateTime, nullable=False),
    Column("content", JSON, nullable=False),
    Column("assessment", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "nearest_post", "starts_at"),
    Index(None, "starts_at", "id"),
    Index(None, "owner_org"),
)
"""Each notice's current state; `starts_at`..`last_end` spans every occurrence."""

notice_readers = Table(
    "notice_readers",
    metadata,
    Column("notice_id", String(36), ForeignKey("notices.id"), primary_key=True),
    Column("organisation_id", String(80), ForeignKey("organisations.id"), primary_key=True),
    Index(None, "organisation_id"),
)
"""Who may read a notice besides its filer: the mission and everyone it was routed to."""

notice_versions = Table(
    "notice_versions",
    metadata,
    Column("notice_id", String(36), ForeignKey("notices.id"), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("author_org", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("change", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("content", JSON, nullable=False),
)
"""Every state a notice had (filed, cancelled), each a log leaf."""

# --- movements through the corridor -------------------------------------------------------

movements = Table(
    "movements",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("classification", String(20), nullable=False),
    Column("owner_org", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("author_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("planned_at", UTCDateTime, nullable=False),
    Column("content", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "planned_at", "id"),
)
"""Each movement's registration and current status."""

movement_versions = Table(
    "movement_versions",
    metadata,
    Column("movement_id", String(36), ForeignKey("movements.id"), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("author_org", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("change", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("content", JSON, nullable=False),
    Column("incident_id", String(36), ForeignKey("incidents.id")),
    Index(None, "incident_id"),
)
"""The registration (version 1) and each checkpoint's report after it, each a log leaf; a
report that held the movement names the incident it became."""

# --- the civilian desk ----------------------------------------------------------------------

cases = Table(
    "cases",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(9), nullable=False, unique=True),
    Column("secret_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("category", String(80), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("place_id", String(80)),
    Column("zone", String(80)),
    Column("nearest_post", String(80)),
    Column("acts", JSON, nullable=False),
    Column("inform", JSON, nullable=False),
    Column("other_side_first", Boolean, nullable=False),
    Column("mandate_rule", Integer),
    Column("language", String(2), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("affected", Integer, nullable=False),
    Column("signatories", Integer, nullable=False),
    Column("sealed", Text, nullable=False),
    Column("phone_index", String(64)),
    Column("source", String(20), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("first_response_due", UTCDateTime, nullable=False),
    Column("resolution_due", UTCDateTime, nullable=False),
    Column("first_response_at", UTCDateTime),
    Column("resolved_at", UTCDateTime),
    Column("owner", String(80)),
    Column("merged_into", String(36)),
    Column("escalated", Integer, nullable=False, server_default="0"),
    Column("handover", JSON),
    Column("links", JSON, nullable=False, server_default="[]"),
    Index(None, "status", "priority"),
    Index(None, "phone_index"),
    Index(None, "nearest_post"),
)
"""Residents' requests as cases. What identifies the resident (name, phone, e-mail, home,
the description in their words, a petition's signatories) is in `sealed` only, encrypted
with the desk's keys; `phone_index` is a keyed hash to find the same number again."""

case_events = Table(
    "case_events",
    metadata,
    Column("case_id", String(36), ForeignKey("cases.id"), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(80), nullable=False),
    Column("action", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("priority", String(10), nullable=False),
    Column("owner", String(80)),
    Column("acts", JSON, nullable=False),
    Column("inform", JSON, nullable=False),
    Column("other_side_first", Boolean, nullable=False),
    Column("details", JSON, nullable=False),
    Column("notes", Text),
)
"""A case's timeline: one row per version (filed, taken, triaged, updated, merged, handed
over, linked, escalated), with the state it left the case in. `notes` holds what the desk
wrote (to the resident, and for itself), sealed like who asks; `details` holds nothing
personal (a priority, a link, a hand-over's party)."""

resident_messages = Table(
    "resident_messages",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("follows", String(36)),
    Column("channel", String(20), nullable=False),
    Column("sealed_to", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime, nullable=False),
    Column("last_error", Text),
    Column("created_at", UTCDateTime, nullable=False),
    Column("sent_at", UTCDateTime),
    Index(None, "status", "next_attempt_at"),
)
"""A case's news on its way to the resident, by the channel they came by (SMS, e-mail);
the address is sealed, the text is made at sending from the timeline of the case (or of the
case it `follows`, for a request merged into another)."""

# --- working groups ------------------------------------------------------------------------

meetings = Table(
    "meetings",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("group_id", String(80), nullable=False),
    Column("number", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("scheduled_at", UTCDateTime, nullable=False),
    Column("since", UTCDateTime),
    Column("place_id", String(80)),
    Column("place_text", String(200), nullable=False),
    Column("agenda", JSON, nullable=False),
    Column("attendance", JSON, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("group_id", "number"),
)
"""A group's meetings, numbered per group: when and where, the agenda (proposed by the system
from what came `since` the previous meeting, edited by the secretary), who came, and, once
held, each item's positions and decision."""

commitments = Table(
    "commitments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("group_id", String(80), nullable=False),
    Column("meeting", Integer),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("organisation", String(80), nullable=False),
    Column("text", Text, nullable=False),
    Column("due", Date, nullable=False),
    Column("evidence_needed", Text, nullable=False),
    Column("evidence", Text),
    Column("resolves", JSON, nullable=False),
    Column("reminded_at", UTCDateTime),
    Column("escalated_at", UTCDateTime),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "group_id", "status"),
)
"""What an organisation promised a group, by when, and how its completion is shown."""

documents = Table(
    "documents",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("group_id", String(80), nullable=False),
    Column("meeting", Integer),
    Column("title", String(300), nullable=False),
    Column("text", Text, nullable=False),
    Column("language", String(2), nullable=False),
    Column("signatories", JSON, nullable=False),
    Column("copies", JSON, nullable=False),
    Column("substance_sha256", String(64), nullable=False),
    Column("issued_at", UTCDateTime, nullable=False),
    Index(None, "group_id"),
)
"""A group's decisions and agreements: the neutral text (names as placeholders), the
audiences it is issued for, its signatories, and the SHA-256 of its substance."""

document_signatures = Table(
    "document_signatures",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("document_id", String(36), ForeignKey("documents.id"), nullable=False),
    Column("copy", String(40), nullable=False),
    Column("organisation", String(80), nullable=False),
    Column("signed_by", String(200), nullable=False),
    Column("signed_at", UTCDateTime, nullable=False),
    Column("scan_sha256", String(64)),
    UniqueConstraint("document_id", "copy", "organisation"),
)
"""Who signed which copy, when, for which organisation (a scan by its hash)."""

group_versions = Table(
    "group_versions",
    metadata,
    Column("kind", String(20), primary_key=True),
    Column("record_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("at", UTCDateTime, nullable=False),
    Column("author_org", String(80), nullable=False),
    Column("change", String(20), nullable=False),
    Column("content", JSON, nullable=False),
)
"""Every state a meeting or a commitment had (`kind`), each a log leaf."""

exports = Table(
    "exports",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("username", String(100), nullable=False),
    Column("organisation_id", String(80), nullable=False),
    Column("kind", String(40), nullable=False),
    Column("parameters", JSON, nullable=False),
    Column("sha256", String(64)),
    Column("records", Integer, nullable=False),
    Index(None, "at"),
)
"""Who took which report or export, with what filters, and (for a report) the hash of its
figures: each a log leaf."""

submissions = Table(
    "submissions",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("instance_id", String(200), unique=True),
    Column("form_id", String(80)),
    Column("form_version", String(40), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id")),
    Column("username", String(100), nullable=False),
    Column("organisation_id", String(80), nullable=False),
    Column("received_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("status", String(20), nullable=False),
    Column("record_kind", String(20)),
    Column("record_id", String(36)),
    Column("reason", Text),
    Column("content", Text, nullable=False),
    Column("files", JSON, nullable=False),
    Index(None, "status", "received_at"),
)
"""Every submission a field app sent, as it came (the XML instance, sealed; the files by
hash): received, created (the record it became) or quarantined (why it could not be
mapped)."""

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("channel", String(20), nullable=False),
    Column("address_index", String(64), nullable=False),
    Column("step", String(20), nullable=False),
    Column("sealed", Text, nullable=False),
    Column("messages", Integer, nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("case_id", String(36), ForeignKey("cases.id")),
    Index(None, "channel", "address_index", "step"),
    Index(None, "updated_at"),
)
"""A resident's guided dialogue by SMS or messaging: its step, and (sealed) the address and
everything said, until it files a case."""

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(100), nullable=False),
    Column("address", String(64)),
    Column("at", UTCDateTime, nullable=False),
    Index(None, "username", "at"),
    Index(None, "address", "at"),
)
"""Failed sign-ins, for the lockout (kept in the database so every app process sees them)."""

# --- humanitarian assistance --------------------------------------------------------------

households = Table(
    "households",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(9), nullable=False, unique=True),
    Column("version", Integer, nullable=False),
    Column("status", String(30), nullable=False),
    Column("source", String(20), nullable=False),
    Column("displacement", String(30), nullable=False),
    Column("origin_place_id", String(80)),
    Column("current_place_id", String(80), nullable=False),
    Column("shelter", String(30), nullable=False),
    Column("home", String(20), nullable=False),
    Column("size", Integer, nullable=False),
    Column("served_by", String(500), nullable=False),
    Column("registered_by", String(80), nullable=False),
    Column("sealed", Text, nullable=False),
    Column("phone_index", String(64)),
    Column("merged_into", String(36)),
    Column("registered_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("verified_at", UTCDateTime),
    Index(None, "status", "registered_at"),
    Index(None, "current_place_id"),
)
"""Registered households: in clear what figures count by (displacement, origin, current
place, shelter, home lost, size) and who serves them; sealed the address, phone, origin in
words and vulnerabilities."""

people = Table(
    "people",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("household_id", String(36), ForeignKey("households.id"), nullable=False),
    Column("number", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("merged_into", String(36)),
    Column("born_index", String(64), nullable=False),
    Column("sealed", Text, nullable=False),
    UniqueConstraint("household_id", "number"),
    Index(None, "born_index"),
)
"""The members of households, each sealed whole (names, birth date, sex, document); a keyed
hash of the birth date finds the people who may be the same person."""

aid_events = Table(
    "aid_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(30), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("actor", String(100), nullable=False),
    Column("organisation", String(80), nullable=False),
    Column("action", String(40), nullable=False),
    Column("content", JSON, nullable=False),
    UniqueConstraint("kind", "record_id", "version"),
    Index(None, "kind", "at"),
)
"""Every version of every assistance record (a household, a run of the programmes, a
handover, a housing move, a claim, an activity, a grant, a duplicate's decision): only ever
inserted into, each a log leaf. Personal data in `content` is sealed."""

entitlements = Table(
    "entitlements",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("programme_id", String(80), nullable=False),
    Column("occurrence", String(20), nullable=False),
    Column("beneficiary", String(36), nullable=False),
    Column("household_id", String(36), ForeignKey("households.id"), nullable=False),
    Column("person_id", String(36)),
    Column("period", String(7), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3)),
    Column("item", String(80)),
    Column("quantity", Integer),
    Column("run_id", String(36), nullable=False),
    Column("status", String(20), nullable=False),
    UniqueConstraint("programme_id", "occurrence", "beneficiary"),
    Index(None, "programme_id", "period", "status"),
    Index(None, "household_id"),
)
"""What a programme owes a beneficiary (a person or a household) for one occurrence: owed,
delivered or cancelled. Unique per occurrence, so nothing is owed — or paid — twice."""

deliveries = Table(
    "deliveries",
    metadata,
    Column("entitlement_id", Integer, ForeignKey("entitlements.id"), primary_key=True),
    Column("batch_id", String(36), nullable=False),
    Column("on", Date, nullable=False),
    Column("place_id", String(80), nullable=False),
    Column("reference", String(100), nullable=False),
    Column("username", String(100), nullable=False),
    Column("organisation", String(80), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index(None, "batch_id"),
)
"""What was actually handed over, by whom, where: one row per entitlement settled."""

duplicates = Table(
    "duplicates",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("person_a", String(36), ForeignKey("people.id"), nullable=False),
    Column("person_b", String(36), ForeignKey("people.id"), nullable=False),
    Column("score", Float, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("status", String(20), nullable=False),
    Column("found_at", UTCDateTime, nullable=False),
    Column("decided_at", UTCDateTime),
    Column("decided_by", String(100)),
    UniqueConstraint("person_a", "person_b"),
    Index(None, "status"),
)
"""People who may be the same person registered twice, proposed to a caseworker, who merges
or dismisses them (never merged without one)."""

housing = Table(
    "housing",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("programme_id", String(80), nullable=False),
    Column("household_id", String(36), ForeignKey("households.id"), nullable=False),
    Column("stage", String(30), nullable=False),
    Column("version", Integer, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    UniqueConstraint("programme_id", "household_id"),
)
"""Where each household stands in a housing programme's pipeline."""

claims = Table(
    "claims",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("household_id", String(36), ForeignKey("households.id"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("claimed_minor", BigInteger, nullable=False),
    Column("assessed_minor", BigInteger),
    Column("decided_minor", BigInteger),
    Column("evidence", JSON, nullable=False),
    Column("sealed", Text, nullable=False),
    Column("filed_by", String(80), nullable=False),
    Column("filed_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "status"),
)
"""Compensation claims for lost property: what was lost and the assessor's notes sealed."""

activities = Table(
    "activities",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("organisation", String(80), nullable=False),
    Column("partner", String(80)),
    Column("sector", String(80), nullable=False),
    Column("place_id", String(80), nullable=False),
    Column("activity", String(300), nullable=False),
    Column("status", String(20), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date),
    Column("targeted", Integer),
    Column("reached", Integer),
    Column("remote", Boolean, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
    Index(None, "sector", "status"),
)
"""Who does what where (3W): organisations' activities by place, sector, status, period."""

grants = Table(
    "grants",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("donor", String(80), nullable=False),
    Column("recipient", String(80), nullable=False),
    Column("sector", String(80), nullable=False),
    Column("amount_minor", BigInteger, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("start", Date, nullable=False),
    Column("end", Date, nullable=False),
    Column("purpose", String(500), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)
"""Grants from international agencies to local partners."""

needs_assessments = Table(
    "needs_assessments",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("organisation", String(80), nullable=False),
    Column("conducted_by", String(80), nullable=False),
    Column("place_id", String(80), nullable=False),
    Column("on", Date, nullable=False),
    Column("sectors", JSON, nullable=False),
    Column("people_in_need", Integer),
    Column("households_in_need", Integer),
    Column("summary", Text, nullable=False),
    Column("files", JSON, nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index(None, "organisation", "on"),
)
"""Remote needs assessments: a place's needs as an agency's local partner found them, with
photos and video kept by their SHA-256."""
