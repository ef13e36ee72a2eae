"""Reading diaries inside a session: the one query shape `load_diary`, the sign-off's check of
the diary signed and the worklist's analysis all use."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from paintrack.clinical.model import Block, Diary, Entry
from paintrack.errors import UserError
from paintrack.store.convert import block_from_row, entry_from_row, patient_from_row
from paintrack.store.models import BlockRow, EntryRow, PatientRow


def read_diary(session: Session, patient_id: str) -> Diary:
    """A patient's blocks by time performed, each with its live entries by `at`."""
    patient_row = session.get(PatientRow, patient_id)
    if patient_row is None:
        raise UserError(f"There is no patient with id {patient_id} in this diary.")
    block_rows = session.scalars(
        select(BlockRow)
        .where(BlockRow.patient_id == patient_id)
        .order_by(BlockRow.performed_at, BlockRow.sequence, BlockRow.id)
    ).all()
    entries = live_entries(session, [row.id for row in block_rows])
    return Diary(
        patient=patient_from_row(patient_row),
        blocks=tuple(block_from_row(row, entries.get(row.id, ())) for row in block_rows),
    )


CHUNK = 500  # ids in one IN (...) list


def read_diaries(session: Session, patient_ids: Sequence[str]) -> list[Diary]:
    """Several patients' diaries (as `read_diary`), in a few queries per CHUNK patients; an id
    with no patient is left out."""
    diaries: list[Diary] = []
    ids = list(dict.fromkeys(patient_ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        patients = {
            row.id: patient_from_row(row)
            for row in session.scalars(select(PatientRow).where(PatientRow.id.in_(chunk)))
        }
        block_rows = session.scalars(
            select(BlockRow)
            .where(BlockRow.patient_id.in_(chunk))
            .order_by(BlockRow.performed_at, BlockRow.sequence, BlockRow.id)
        ).all()
        entries: dict[str, tuple[Entry, ...]] = {}
        block_ids = [row.id for row in block_rows]
        for at in range(0, len(block_ids), CHUNK):
            entries.update(live_entries(session, block_ids[at : at + CHUNK]))
        blocks: dict[str, list[Block]] = {}
        for row in block_rows:
            blocks.setdefault(row.patient_id, []).append(
                block_from_row(row, entries.get(row.id, ()))
            )
        diaries.extend(
            Diary(patient=patients[pid], blocks=tuple(blocks.get(pid, ())))
            for pid in chunk
            if pid in patients
        )
    return diaries


def live_entries(session: Session, block_ids: Sequence[str]) -> dict[str, tuple[Entry, ...]]:
    """The entries not deleted of each block, by `at` (then when recorded, then id)."""
    if not block_ids:
        return {}
    rows = session.scalars(
        select(EntryRow)
        .where(EntryRow.block_id.in_(block_ids), EntryRow.deleted.is_(False))
        .options(selectinload(EntryRow.scores))
        .order_by(EntryRow.at, EntryRow.recorded_at, EntryRow.id)
    ).all()
    grouped: dict[str, list[Entry]] = {}
    for row in rows:
        grouped.setdefault(row.block_id, []).append(entry_from_row(row))
    return {block_id: tuple(entries) for block_id, entries in grouped.items()}
