"""Clinical contract version 2: each block's recorded UTC offset; rescue medicine detail and the
patient's own estimate per side on entries.

- `blocks.utc_offset_minutes` (clinical.md item 11): the UTC offset a block was recorded in,
  which decides its date of service. Blocks stored before this version recorded none, so each
  gets the offset of this computer's time zone at the moment of its `performed_at` (the
  window entered blocks in this computer's local time); from then on it is stored and nothing
  depends on the computer's zone again. Each such block gets an audit row saying so, so the
  trail still matches the diary (`paintrack verify`), chained like every other row.
- `entries.rescue_medication_detail`: which rescue medicine and how much ("oxycodone 5 mg").
- `entries.patient_relief_by_site`: the patient's own estimate per side ({"left": 20, ...}).

Nothing is removed or rewritten: every existing block, entry and audit row is kept.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from paintrack.store.audit_chain import GENESIS, audit_hash

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTOR = "paintrack (database upgrade 0003)"
REASON = (
    "recorded UTC offset added for the date of service (clinical contract version 2): this"
    " computer's offset at the time of the block"
)

_blocks = sa.table(
    "blocks",
    sa.column("id", sa.String),
    sa.column("patient_id", sa.String),
    sa.column("performed_at", sa.DateTime),
    sa.column("utc_offset_minutes", sa.Integer),
)
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
    sa.column("old", sa.JSON),
    sa.column("new", sa.JSON),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json_value(raw: Any) -> Any:
    if raw is None:
        return None
    return json.loads(raw) if isinstance(raw, str) else raw


def local_offset_minutes(moment: datetime) -> int:
    """This computer's UTC offset at `moment` (the one time a migration asks for it)."""
    offset = moment.astimezone().utcoffset()  # the local zone, on purpose: see the docstring
    assert offset is not None
    return int(offset.total_seconds() // 60)


def upgrade() -> None:
    op.add_column("blocks", sa.Column("utc_offset_minutes", sa.Integer(), nullable=True))
    op.add_column("entries", sa.Column("rescue_medication_detail", sa.Text(), nullable=True))
    op.add_column("entries", sa.Column("patient_relief_by_site", sa.JSON(), nullable=True))

    connection = op.get_bind()
    blocks = connection.execute(
        sa.select(_blocks).order_by(_blocks.c.performed_at, _blocks.c.id)
    ).mappings()
    offsets = [
        (row["id"], row["patient_id"], local_offset_minutes(_utc(row["performed_at"])))
        for row in blocks
    ]
    if not offsets:
        return
    audit_rows = connection.execute(sa.select(_audit).order_by(_audit.c.seq)).mappings().all()
    last_new: dict[str, Any] = {}
    for row in audit_rows:
        if row["object_type"] == "block" and row["object_id"] is not None:
            last_new[row["object_id"]] = _json_value(row["new"])
    seq = (audit_rows[-1]["seq"] if audit_rows else 0) + 1
    prev = (audit_rows[-1]["hash"] if audit_rows else None) or GENESIS
    now = datetime.now(UTC).replace(microsecond=0)
    for block_id, patient_id, minutes in offsets:
        connection.execute(
            sa.update(_blocks).where(_blocks.c.id == block_id).values(utc_offset_minutes=minutes)
        )
        old = last_new.get(block_id)
        if not isinstance(old, dict):
            continue  # never audited: verify already reports it; nothing to continue from
        new = {**old, "utc_offset_minutes": minutes}
        content: dict[str, Any] = {
            "seq": seq,
            "id": str(uuid.uuid4()),
            "at": now,
            "actor": ACTOR,
            "action": "update_block",
            "object_type": "block",
            "object_id": block_id,
            "patient_id": patient_id,
            "reason": REASON,
            "old": old,
            "new": new,
            "prev_hash": prev,
        }
        row_hash = audit_hash(**content)
        connection.execute(
            sa.insert(_audit).values(
                **{**content, "at": now.replace(tzinfo=None), "hash": row_hash}
            )
        )
        seq += 1
        prev = row_hash


def downgrade() -> None:
    op.drop_column("entries", "patient_relief_by_site")
    op.drop_column("entries", "rescue_medication_detail")
    op.drop_column("blocks", "utc_offset_minutes")
