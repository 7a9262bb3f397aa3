"""submissions: every form a field app sent, as it came, and what became of it

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-26 13:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.String(length=200), nullable=True),
        sa.Column("form_id", sa.String(length=80), nullable=True),
        sa.Column("form_version", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("organisation_id", sa.String(length=80), nullable=False),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("record_kind", sa.String(length=20), nullable=True),
        sa.Column("record_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_submissions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("instance_id", name=op.f("uq_submissions_instance_id")),
    )
    op.create_index(
        op.f("ix_submissions_status_received_at"), "submissions", ["status", "received_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_submissions_status_received_at"), table_name="submissions")
    op.drop_table("submissions")
