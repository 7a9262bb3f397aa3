"""the civilian desk: residents' requests as cases, their identity sealed

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 08:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=9), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("category", sa.String(length=80), nullable=False),
        sa.Column("priority", sa.String(length=10), nullable=False),
        sa.Column("place_id", sa.String(length=80), nullable=True),
        sa.Column("zone", sa.String(length=80), nullable=True),
        sa.Column("nearest_post", sa.String(length=80), nullable=True),
        sa.Column("acts", sa.JSON(), nullable=False),
        sa.Column("inform", sa.JSON(), nullable=False),
        sa.Column("other_side_first", sa.Boolean(), nullable=False),
        sa.Column("mandate_rule", sa.Integer(), nullable=True),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("affected", sa.Integer(), nullable=False),
        sa.Column("signatories", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("phone_index", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_response_due", UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolution_due", UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_response_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_cases_reference")),
    )
    op.create_index(op.f("ix_cases_status_priority"), "cases", ["status", "priority"])
    op.create_index(op.f("ix_cases_phone_index"), "cases", ["phone_index"])
    op.create_index(op.f("ix_cases_nearest_post"), "cases", ["nearest_post"])


def downgrade() -> None:
    op.drop_table("cases")
