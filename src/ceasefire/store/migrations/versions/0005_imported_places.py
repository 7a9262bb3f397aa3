"""imported places: where a place came from, and its coordinates' provenance

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=20), server_default="pack", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "coordinates", sa.String(length=20), server_default="approximate", nullable=False
            )
        )
        batch_op.add_column(sa.Column("geonames_name", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_places_source"), ["source"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_places_source"))
        batch_op.drop_column("geonames_name")
        batch_op.drop_column("coordinates")
        batch_op.drop_column("source")
