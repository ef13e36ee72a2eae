"""Audit hash chain: fill `prev_hash` and `hash` of the audit rows written before the chain.

The columns exist since 0001; from this version on the repository fills them on every write.
Rows written by an older paintrack are hashed here, in `seq` order, exactly as the repository
would have hashed them (paintrack.store.audit_chain is a frozen format, so importing it here is
safe). A row that already has a hash is left alone and the chain continues from it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26

"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from paintrack.store.audit_chain import GENESIS, audit_hash

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_audit = sa.table(
    "audit",
    sa.column("id", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("at", sa.DateTime),
    sa.column("actor", sa.Text),
    sa.column("action", sa.String),
    sa.column("object_type", sa.String),
    sa.column("object_id", sa.String),
    sa.column("patient_id", sa.String),
    sa.column("reason", sa.Text),
    sa.column("old", sa.Text),
    sa.column("new", sa.Text),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _json_value(raw: Any) -> Any:
    # JSON columns hold text; SQL NULL and an old JSON 'null' both mean "no value".
    if raw is None:
        return None
    return json.loads(raw) if isinstance(raw, str) else raw


def _aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def upgrade() -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_audit).order_by(_audit.c.seq)).mappings().all()
    prev = GENESIS
    for row in rows:
        if row["hash"]:
            prev = row["hash"]
            continue
        row_hash = audit_hash(
            seq=row["seq"],
            id=row["id"],
            at=_aware(row["at"]),
            actor=row["actor"],
            action=row["action"],
            object_type=row["object_type"],
            object_id=row["object_id"],
            patient_id=row["patient_id"],
            reason=row["reason"],
            old=_json_value(row["old"]),
            new=_json_value(row["new"]),
            prev_hash=prev,
        )
        connection.execute(
            sa.update(_audit).where(_audit.c.id == row["id"]).values(prev_hash=prev, hash=row_hash)
        )
        prev = row_hash


def downgrade() -> None:
    # The hashes are harmless to an older paintrack (it ignores them); nothing to undo.
    pass
