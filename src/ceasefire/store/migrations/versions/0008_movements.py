"""movements through the corridor: convoys and passages, and each checkpoint's report

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26 07:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "movements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("classification", sa.String(length=20), nullable=False),
        sa.Column("owner_org", sa.String(length=80), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("planned_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_movements_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_org"],
            ["organisations.id"],
            name=op.f("fk_movements_owner_org_organisations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_movements")),
    )
    op.create_index(op.f("ix_movements_planned_at_id"), "movements", ["planned_at", "id"])
    op.create_table(
        "movement_versions",
        sa.Column("movement_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("author_org", sa.String(length=80), nullable=False),
        sa.Column("change", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_org"],
            ["organisations.id"],
            name=op.f("fk_movement_versions_author_org_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_movement_versions_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["movement_id"],
            ["movements.id"],
            name=op.f("fk_movement_versions_movement_id_movements"),
        ),
        sa.PrimaryKeyConstraint("movement_id", "version", name=op.f("pk_movement_versions")),
    )
    op.create_index(op.f("ix_movement_versions_incident_id"), "movement_versions", ["incident_id"])


def downgrade() -> None:
    op.drop_table("movement_versions")
    op.drop_table("movements")
