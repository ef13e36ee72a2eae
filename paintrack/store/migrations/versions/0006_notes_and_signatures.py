"""Clinician notes on a target's verdict and sign-offs of a patient's summary.

- `target_notes`: one row per version of a note (who, when, which target, the text); an edit
  adds the next version of the same note and never changes an earlier one.
- `signatures`: a clinician's sign-off of a summary, with the SHA-256 of the diary's content at
  signing (paintrack.clinical.signoff), which tells whether the diary changed since.

Both tables start empty, so no audit row is needed: every row in them is written by paintrack
with its own audit row in the hash chain. Nothing existing is changed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "target_notes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("note_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("region", sa.String(length=16), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "region IN ('cervical', 'thoracic', 'lumbar', 'sacral')",
            name=op.f("ck_target_notes_region"),
        ),
        sa.CheckConstraint(
            "side IN ('left', 'right', 'bilateral')", name=op.f("ck_target_notes_side")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_target_notes_version")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_target_notes_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_target_notes")),
        sa.UniqueConstraint("note_id", "version", name=op.f("uq_target_notes_note_id_version")),
    )
    with op.batch_alter_table("target_notes", schema=None) as batch_op:
        batch_op.create_index("ix_target_notes_patient", ["patient_id"], unique=False)

    op.create_table(
        "signatures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("signer", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("preset", sa.String(length=32), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_signatures_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
    )
    with op.batch_alter_table("signatures", schema=None) as batch_op:
        batch_op.create_index("ix_signatures_patient", ["patient_id"], unique=False)


def downgrade() -> None:
    op.drop_table("signatures")
    op.drop_table("target_notes")
