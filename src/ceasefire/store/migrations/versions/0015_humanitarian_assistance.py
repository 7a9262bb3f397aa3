"""humanitarian assistance: households and people, entitlements and deliveries,
duplicates, housing, claims, activities (3W) and grants

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 15:32:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from ceasefire.store.tables import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("organisation", sa.String(length=80), nullable=False),
        sa.Column("partner", sa.String(length=80), nullable=True),
        sa.Column("sector", sa.String(length=80), nullable=False),
        sa.Column("place_id", sa.String(length=80), nullable=False),
        sa.Column("activity", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("targeted", sa.Integer(), nullable=True),
        sa.Column("reached", sa.Integer(), nullable=True),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activities_sector_status"), ["sector", "status"], unique=False
        )

    op.create_table(
        "aid_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("organisation", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aid_events")),
        sa.UniqueConstraint(
            "kind", "record_id", "version", name=op.f("uq_aid_events_kind_record_id_version")
        ),
    )
    with op.batch_alter_table("aid_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_aid_events_kind_at"), ["kind", "at"], unique=False)

    op.create_table(
        "grants",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("donor", sa.String(length=80), nullable=False),
        sa.Column("recipient", sa.String(length=80), nullable=False),
        sa.Column("sector", sa.String(length=80), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("purpose", sa.String(length=500), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grants")),
    )
    op.create_table(
        "households",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=9), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("displacement", sa.String(length=30), nullable=False),
        sa.Column("origin_place_id", sa.String(length=80), nullable=True),
        sa.Column("current_place_id", sa.String(length=80), nullable=False),
        sa.Column("shelter", sa.String(length=30), nullable=False),
        sa.Column("home", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("served_by", sa.String(length=500), nullable=False),
        sa.Column("registered_by", sa.String(length=80), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("phone_index", sa.String(length=64), nullable=True),
        sa.Column("merged_into", sa.String(length=36), nullable=True),
        sa.Column("registered_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_at", UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
        sa.UniqueConstraint("reference", name=op.f("uq_households_reference")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_households_current_place_id"), ["current_place_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_households_status_registered_at"),
            ["status", "registered_at"],
            unique=False,
        )

    op.create_table(
        "claims",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("claimed_minor", sa.BigInteger(), nullable=False),
        sa.Column("assessed_minor", sa.BigInteger(), nullable=True),
        sa.Column("decided_minor", sa.BigInteger(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=80), nullable=False),
        sa.Column("filed_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_claims_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_status"), ["status"], unique=False)

    op.create_table(
        "entitlements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("programme_id", sa.String(length=80), nullable=False),
        sa.Column("occurrence", sa.String(length=20), nullable=False),
        sa.Column("beneficiary", sa.String(length=36), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("item", sa.String(length=80), nullable=True),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("run_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["households.id"],
            name=op.f("fk_entitlements_household_id_households"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entitlements")),
        sa.UniqueConstraint(
            "programme_id",
            "occurrence",
            "beneficiary",
            name=op.f("uq_entitlements_programme_id_occurrence_beneficiary"),
        ),
    )
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_entitlements_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_entitlements_programme_id_period_status"),
            ["programme_id", "period", "status"],
            unique=False,
        )

    op.create_table(
        "housing",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("programme_id", sa.String(length=80), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("stage", sa.String(length=30), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_housing_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing")),
        sa.UniqueConstraint(
            "programme_id", "household_id", name=op.f("uq_housing_programme_id_household_id")
        ),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("household_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("merged_into", sa.String(length=36), nullable=True),
        sa.Column("born_index", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_people_household_id_households")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("household_id", "number", name=op.f("uq_people_household_id_number")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_people_born_index"), ["born_index"], unique=False)

    op.create_table(
        "deliveries",
        sa.Column("entitlement_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("place_id", sa.String(length=80), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("organisation", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entitlement_id"],
            ["entitlements.id"],
            name=op.f("fk_deliveries_entitlement_id_entitlements"),
        ),
        sa.PrimaryKeyConstraint("entitlement_id", name=op.f("pk_deliveries")),
    )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveries_batch_id"), ["batch_id"], unique=False)

    op.create_table(
        "duplicates",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_a", sa.String(length=36), nullable=False),
        sa.Column("person_b", sa.String(length=36), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("found_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_a"], ["people.id"], name=op.f("fk_duplicates_person_a_people")
        ),
        sa.ForeignKeyConstraint(
            ["person_b"], ["people.id"], name=op.f("fk_duplicates_person_b_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_duplicates")),
        sa.UniqueConstraint("person_a", "person_b", name=op.f("uq_duplicates_person_a_person_b")),
    )
    with op.batch_alter_table("duplicates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_duplicates_status"), ["status"], unique=False)
    op.create_table(
        "needs_assessments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organisation", sa.String(length=80), nullable=False),
        sa.Column("conducted_by", sa.String(length=80), nullable=False),
        sa.Column("place_id", sa.String(length=80), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("people_in_need", sa.Integer(), nullable=True),
        sa.Column("households_in_need", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs_assessments")),
    )
    op.create_index(
        op.f("ix_needs_assessments_organisation_on"),
        "needs_assessments",
        ["organisation", "on"],
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_needs_assessments_organisation_on"), table_name="needs_assessments")
    op.drop_table("needs_assessments")
    with op.batch_alter_table("duplicates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_duplicates_status"))

    op.drop_table("duplicates")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveries_batch_id"))

    op.drop_table("deliveries")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_people_born_index"))

    op.drop_table("people")
    op.drop_table("housing")
    with op.batch_alter_table("entitlements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_entitlements_programme_id_period_status"))
        batch_op.drop_index(batch_op.f("ix_entitlements_household_id"))

    op.drop_table("entitlements")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_status"))

    op.drop_table("claims")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_status_registered_at"))
        batch_op.drop_index(batch_op.f("ix_households_current_place_id"))

    op.drop_table("households")
    op.drop_table("grants")
    with op.batch_alter_table("aid_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_aid_events_kind_at"))

    op.drop_table("aid_events")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_sector_status"))

    op.drop_table("activities")
