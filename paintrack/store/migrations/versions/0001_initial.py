"""Initial schema: patients, blocks, entries and their scores, settings, audit.

Datetimes are naive UTC in the database (paintrack.store.types.UTCDateTime adds the zone back);
the migration uses plain sa.DateTime so it never changes when the application's types do.

Revision ID: 0001
Revises:
Create Date: 2026-11-26

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("object_type", sa.String(length=32), nullable=False),
        sa.Column("object_id", sa.String(length=36), nullable=True),
        sa.Column("patient_id", sa.String(length=36), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("old", sa.JSON(), nullable=True),
        sa.Column("new", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=128), nullable=True),
        sa.Column("hash", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_seq")),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index("ix_audit_object", ["object_type", "object_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "patients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("mrn", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patients_mrn"), ["mrn"], unique=False)

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "blocks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("performed_at", sa.DateTime(), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("agent", sa.String(length=16), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("concentration_percent", sa.Float(), nullable=True),
        sa.Column("volume_ml", sa.Float(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("sedation", sa.String(length=16), nullable=False),
        sa.Column("steroid", sa.Boolean(), nullable=False),
        sa.Column("sites", sa.JSON(), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("protocol", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "agent IN ('lidocaine', 'bupivacaine', 'ropivacaine', 'saline', 'other', 'unknown')",
            name=op.f("ck_blocks_agent"),
        ),
        sa.CheckConstraint(
            "region IN ('cervical', 'thoracic', 'lumbar', 'sacral')", name=op.f("ck_blocks_region")
        ),
        sa.CheckConstraint(
            "sedation IN ('none', 'minimal', 'moderate', 'deep')", name=op.f("ck_blocks_sedation")
        ),
        sa.CheckConstraint("side IN ('left', 'right', 'bilateral')", name=op.f("ck_blocks_side")),
        sa.CheckConstraint(
            "concentration_percent IS NULL OR concentration_percent >= 0",
            name=op.f("ck_blocks_conc"),
        ),
        sa.CheckConstraint("sequence >= 1", name=op.f("ck_blocks_sequence")),
        sa.CheckConstraint("volume_ml IS NULL OR volume_ml >= 0", name=op.f("ck_blocks_volume")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_blocks_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blocks")),
    )
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_blocks_patient_performed", ["patient_id", "performed_at"], unique=False
        )

    op.create_table(
        "entries",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("block_id", sa.String(length=36), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("patient_relief_percent", sa.Float(), nullable=True),
        sa.Column("activity", sa.Text(), nullable=True),
        sa.Column("activity_ability", sa.String(length=16), nullable=True),
        sa.Column("rescue_medication", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("amended", sa.Boolean(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "activity_ability IS NULL OR activity_ability IN ('yes', 'partial', 'no')",
            name=op.f("ck_entries_ability"),
        ),
        sa.CheckConstraint("source IN ('app', 'paper')", name=op.f("ck_entries_source")),
        sa.CheckConstraint(
            "patient_relief_percent IS NULL OR "
            "(patient_relief_percent >= 0 AND patient_relief_percent <= 100)",
            name=op.f("ck_entries_relief"),
        ),
        sa.ForeignKeyConstraint(
            ["block_id"], ["blocks.id"], name=op.f("fk_entries_block_id_blocks")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entries")),
    )
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.create_index("ix_entries_block_at", ["block_id", "at"], unique=False)

    op.create_table(
        "entry_scores",
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("site", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.CheckConstraint("score >= 0 AND score <= 10", name=op.f("ck_entry_scores_score_range")),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_entry_scores_entry_id_entries")
        ),
        sa.PrimaryKeyConstraint("entry_id", "site", name=op.f("pk_entry_scores")),
    )


def downgrade() -> None:
    op.drop_table("entry_scores")
    with op.batch_alter_table("entries", schema=None) as batch_op:
        batch_op.drop_index("ix_entries_block_at")

    op.drop_table("entries")
    with op.batch_alter_table("blocks", schema=None) as batch_op:
        batch_op.drop_index("ix_blocks_patient_performed")

    op.drop_table("blocks")
    op.drop_table("settings")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patients_mrn"))

    op.drop_table("patients")
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_patient_id"))
        batch_op.drop_index("ix_audit_object")

    op.drop_table("audit")
