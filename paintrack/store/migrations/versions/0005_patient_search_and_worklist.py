"""Clinic scale: patients' search keys, and the worklist's cached summaries.

- `patients.search_name`, `patients.search_mrn`: the name and record number casefolded with
  accents stripped (paintrack.clinical.search_keys.search_key, copied below as it was when this
  shipped), filled here for every patient already stored; the ORM sets them on every write from
  now on. `ix_patients_search` on (search_name, name, id, search_mrn): a search walks it in list
  order and reads only the patients it shows.
- `worklist_summaries`: one row per patient, what Review's worklist shows (each target's status,
  compliance and next step as the clinical engine found them), so opening the worklist reads
  rows instead of analysing every diary. Derived data: not audited, and emptied for a patient by
  triggers whenever that patient's blocks, entries or scores are inserted, changed or removed.
  Views and exports write only audit rows, so they never make a summary stale.

Nothing is removed or rewritten; no audit row is written (the keys and summaries are derived
from values the trail already holds), so `paintrack verify` is unaffected.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_patients = sa.table(
    "patients",
    sa.column("id", sa.String),
    sa.column("name", sa.Text),
    sa.column("mrn", sa.Text),
    sa.column("search_name", sa.Text),
    sa.column("search_mrn", sa.Text),
)

# What makes a patient's summary stale, per table: the patients whose rows a change touches.
_PATIENTS_OF = {
    "blocks": "SELECT {row}.patient_id",
    "entries": "SELECT patient_id FROM blocks WHERE id = {row}.block_id",
    "entry_scores": (
        "SELECT blocks.patient_id FROM blocks JOIN entries ON entries.block_id = blocks.id "
        "WHERE entries.id = {row}.entry_id"
    ),
}
_OPERATIONS = {"INSERT": ("NEW",), "UPDATE": ("OLD", "NEW"), "DELETE": ("OLD",)}


def _key(text: str | None) -> str | None:
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFKC", stripped.casefold())


def _fill_search_keys() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_patients.c.id, _patients.c.name, _patients.c.mrn))
    keys = [
        {"row_id": row.id, "search_name": _key(row.name), "search_mrn": _key(row.mrn)}
        for row in rows
    ]
    if keys:
        connection.execute(
            sa.update(_patients)
            .where(_patients.c.id == sa.bindparam("row_id"))
            .values(search_name=sa.bindparam("search_name"), search_mrn=sa.bindparam("search_mrn")),
            keys,
        )


def _sqlite_triggers() -> None:
    for table, patients in _PATIENTS_OF.items():
        for operation, rows in _OPERATIONS.items():
            wanted = " UNION ".join(patients.format(row=row) for row in rows)
            op.execute(
                f"CREATE TRIGGER worklist_stale_{table}_{operation.lower()} "
                f"AFTER {operation} ON {table} BEGIN "
                f"DELETE FROM worklist_summaries WHERE patient_id IN ({wanted}); END"
            )


def _postgresql_triggers() -> None:
    for table, patients in _PATIENTS_OF.items():
        old = patients.format(row="OLD")
        new = patients.format(row="NEW")
        op.execute(
            f"CREATE FUNCTION worklist_stale_{table}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  IF TG_OP <> 'INSERT' THEN\n"
            f"    DELETE FROM worklist_summaries WHERE patient_id IN ({old});\n"
            "  END IF;\n"
            "  IF TG_OP <> 'DELETE' THEN\n"
            f"    DELETE FROM worklist_summaries WHERE patient_id IN ({new});\n"
            "  END IF;\n"
            "  RETURN NULL;\n"
            "END $$"
        )
        op.execute(
            f"CREATE TRIGGER worklist_stale AFTER INSERT OR UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE PROCEDURE worklist_stale_{table}()"
        )


def upgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_name", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("search_mrn", sa.Text(), nullable=True))
    _fill_search_keys()
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patients_search", ["search_name", "name", "id", "search_mrn"], unique=False
        )

    op.create_table(
        "worklist_summaries",
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("settings_key", sa.String(length=64), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.Column("valid_until", sa.DateTime(), nullable=True),
        sa.Column("last_block_at", sa.DateTime(), nullable=True),
        sa.Column("follow_up", sa.Boolean(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_worklist_summaries_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_worklist_summaries")),
    )
    with op.batch_alter_table("worklist_summaries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_worklist_summaries_last_block_at"), ["last_block_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_worklist_summaries_follow_up"), ["follow_up"], unique=False
        )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in _PATIENTS_OF:
        if postgresql:
            op.execute(f"DROP TRIGGER IF EXISTS worklist_stale ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS worklist_stale_{table}()")
        else:
            for operation in _OPERATIONS:
                op.execute(f"DROP TRIGGER IF EXISTS worklist_stale_{table}_{operation.lower()}")
    op.drop_table("worklist_summaries")
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index("ix_patients_search")
        batch_op.drop_column("search_mrn")
        batch_op.drop_column("search_name")
