"""the civilian desk's work on cases: owner, timeline, duplicates, hand-overs, links,
escalation, and the news on its way to residents

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 09:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("owner", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("merged_into", sa.String(length=36), nullable=True))
        batch.add_column(sa.Column("escalated", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("handover", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("links", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "case_events",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=True),
        sa.Column("acts", sa.JSON(), nullable=False),
        sa.Column("inform", sa.JSON(), nullable=False),
        sa.Column("other_side_first", sa.Boolean(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_case_events_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("case_id", "version", name=op.f("pk_case_events")),
    )
    op.execute(
        "INSERT INTO case_events (case_id, version, at, actor, action, status, priority, owner,"
        " acts, inform, other_side_first, details, notes)"
        " SELECT id, 1, created_at, source, 'filed', status, priority, NULL, acts, inform,"
        " other_side_first, '{}', NULL FROM cases"
    )
    op.create_table(
        "resident_messages",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("follows", sa.String(length=36), nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("sealed_to", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_resident_messages_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resident_messages")),
    )
    op.create_index(
        op.f("ix_resident_messages_status_next_attempt_at"),
        "resident_messages",
        ["status", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_table("resident_messages")
    op.drop_table("case_events")
    with op.batch_alter_table("cases") as batch:
        for column in ("links", "handover", "escalated", "merged_into", "owner"):
            batch.drop_column(column)
