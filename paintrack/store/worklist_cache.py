"""The worklist's cached summaries (table `worklist_summaries`, migration 0005): read the fresh
ones on the worklist, list the patients whose summary is missing or stale, save new ones.

A summary is fresh when it was made under the same settings digest, not after `now` (a clock
set back), and before its `valid_until`. Triggers delete a patient's summary whenever their
blocks, entries or scores change, so a row that exists was made from the diary as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, delete, insert, or_, select, true
from sqlalchemy.orm import Session

from paintrack.clinical.model import Patient
from paintrack.clinical.worklist import PatientSummary
from paintrack.store.models import AuditRow, PatientRow, WorklistRow

Reading = Callable[[], AbstractContextManager[Session]]
CHUNK = 500

_PATIENTS: Table = PatientRow.__table__  # type: ignore[assignment]
_SUMMARIES: Table = WorklistRow.__table__  # type: ignore[assignment]
_AUDIT: Table = AuditRow.__table__  # type: ignore[assignment]


RawTargets = tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class WorklistRead:
    """What the cache holds for the worklist: each shown patient with their fresh summary's
    targets in their JSON form (`TargetSummary.from_json` decodes one; the worklist decodes
    only the rows it shows, since decoding 24,000 costs more than the whole opening may), and
    the patients (ids) whose summary must be worked out again before it can be trusted."""

    summaries: tuple[tuple[Patient, RawTargets], ...]
    stale: tuple[str, ...]


def _fresh(settings_key: str, now: datetime) -> ColumnElement[bool]:
    return and_(
        _SUMMARIES.c.settings_key == settings_key,
        _SUMMARIES.c.computed_at <= now,
        or_(_SUMMARIES.c.valid_until.is_(None), _SUMMARIES.c.valid_until > now),
    )


def read(reading: Reading, settings_key: str, now: datetime, since: datetime) -> WorklistRead:
    fresh = _fresh(settings_key, now)
    shown = (
        select(
            _SUMMARIES.c.patient_id,
            _SUMMARIES.c.targets,
            _PATIENTS.c.name,
            _PATIENTS.c.birth_date,
            _PATIENTS.c.mrn,
        )
        .join(_PATIENTS, _PATIENTS.c.id == _SUMMARIES.c.patient_id)
        .where(
            fresh,
            or_(_SUMMARIES.c.last_block_at >= since, _SUMMARIES.c.follow_up == true()),
        )
    )
    stale = (
        select(_PATIENTS.c.id)
        .outerjoin(_SUMMARIES, and_(_SUMMARIES.c.patient_id == _PATIENTS.c.id, fresh))
        .where(_SUMMARIES.c.patient_id.is_(None))
        .order_by(_PATIENTS.c.id)
    )
    with reading() as session:
        summaries = tuple(
            (
                Patient(id=row.patient_id, name=row.name, birth_date=row.birth_date, mrn=row.mrn),
                tuple(row.targets),
            )
            for row in session.execute(shown)
        )
        missing = tuple(str(pid) for pid in session.scalars(stale))
    return WorklistRead(summaries, missing)


def trail_end(reading: Reading) -> int:
    with reading() as session:
        last = session.scalar(select(_AUDIT.c.seq).order_by(_AUDIT.c.seq.desc()).limit(1))
    return int(last or 0)


def save(
    session: Session,
    settings_key: str,
    computed_at: datetime,
    summaries: Sequence[PatientSummary],
    after_seq: int,
) -> int:
    ids = [s.patient_id for s in summaries]
    if not ids:
        return 0
    touched = set(
        session.scalars(
            select(_AUDIT.c.patient_id).where(_AUDIT.c.seq > after_seq).distinct()
        ).all()
    )
    kept = [s for s in summaries if s.patient_id not in touched]
    for start in range(0, len(ids), CHUNK):
        session.execute(
            delete(_SUMMARIES).where(_SUMMARIES.c.patient_id.in_(ids[start : start + CHUNK]))
        )
    rows = [
        {
            "patient_id": s.patient_id,
            "settings_key": settings_key,
            "computed_at": computed_at,
            "valid_until": s.valid_until,
            "last_block_at": s.last_block_at,
            "follow_up": s.follow_up,
            "targets": [t.to_json() for t in s.targets],
        }
        for s in kept
    ]
    if rows:
        session.execute(insert(_SUMMARIES), rows)
    return len(rows)
