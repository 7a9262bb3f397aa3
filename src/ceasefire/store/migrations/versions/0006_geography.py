"""geography: versions of the line of contact, and where each record stands

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 06:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "line_versions",
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("drawing", sa.JSON(), nullable=False),
        sa.Column("provenance", sa.Text(), nullable=False),
        sa.Column("illustrative", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("author_org", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_org"],
            ["organisations.id"],
            name=op.f("fk_line_versions_author_org_organisations"),
        ),
        sa.PrimaryKeyConstraint("version", name=op.f("pk_line_versions")),
    )
    op.create_table(
        "record_geography",
        sa.Column("record_kind", sa.String(length=40), nullable=False),
        sa.Column("record_id", sa.String(length=80), nullable=False),
        sa.Column("line_version", sa.Integer(), nullable=False),
        sa.Column("settlement_id", sa.String(length=80), nullable=True),
        sa.Column("settlement_metres", sa.Float(), nullable=True),
        sa.Column("post_id", sa.String(length=80), nullable=True),
        sa.Column("post_metres", sa.Float(), nullable=True),
        sa.Column("line_metres", sa.Float(), nullable=True),
        sa.Column("side", sa.String(length=80), nullable=True),
        sa.Column("zone", sa.String(length=80), nullable=True),
        sa.Column("hazards", sa.JSON(), nullable=False),
        sa.Column("enriched_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("record_kind", "record_id", name=op.f("pk_record_geography")),
    )
    for column in ("zone", "side", "line_metres"):
        op.create_index(
            op.f(f"ix_record_geography_record_kind_{column}"),
            "record_geography",
            ["record_kind", column],
        )


def downgrade() -> None:
    op.drop_table("record_geography")
    op.drop_table("line_versions")
