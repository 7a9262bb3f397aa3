"""activity notices: planned civilian activities near the line, their readers and versions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notices",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("owner_org", sa.String(length=80), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("activity", sa.String(length=40), nullable=False),
        sa.Column("risk", sa.String(length=10), nullable=False),
        sa.Column("escort", sa.Boolean(), nullable=False),
        sa.Column("nearest_post", sa.String(length=80), nullable=True),
        sa.Column("starts_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_end", UTCDateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("assessment", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_notices_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_org"], ["organisations.id"], name=op.f("fk_notices_owner_org_organisations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index(
        op.f("ix_notices_nearest_post_starts_at"), "notices", ["nearest_post", "starts_at"]
    )
    op.create_index(op.f("ix_notices_starts_at_id"), "notices", ["starts_at", "id"])
    op.create_index(op.f("ix_notices_owner_org"), "notices", ["owner_org"])
    op.create_table(
        "notice_readers",
        sa.Column("notice_id", sa.String(length=36), nullable=False),
        sa.Column("organisation_id", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_readers_notice_id_notices")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_notice_readers_organisation_id_organisations"),
        ),
        sa.PrimaryKeyConstraint("notice_id", "organisation_id", name=op.f("pk_notice_readers")),
    )
    op.create_index(
        op.f("ix_notice_readers_organisation_id"), "notice_readers", ["organisation_id"]
    )
    op.create_table(
        "notice_versions",
        sa.Column("notice_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("author_org", sa.String(length=80), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=op.f("fk_notice_versions_notice_id_notices")
        ),
        sa.ForeignKeyConstraint(
            ["author_org"],
            ["organisations.id"],
            name=op.f("fk_notice_versions_author_org_organisations"),
        ),
        sa.PrimaryKeyConstraint("notice_id", "version", name=op.f("pk_notice_versions")),
    )


def downgrade() -> None:
    op.drop_table("notice_versions")
    op.drop_table("notice_readers")
    op.drop_table("notices")
