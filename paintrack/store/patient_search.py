"""Finding a patient at clinic scale: a name fragment or record number searched in SQL on the
patients' search keys, at most a screenful returned with the count of the rest, and first-block
dates for just the patients shown in one GROUP BY query.

The Store's methods (`find_patients`, `first_block_dates`) call these with its reading session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Table, func, or_, select
from sqlalchemy.orm import Session

from paintrack.clinical.model import Patient
from paintrack.clinical.search_keys import like_pattern, search_key
from paintrack.store.convert import patient_from_row
from paintrack.store.models import BlockRow, PatientRow

Reading = Callable[[], AbstractContextManager[Session]]

ID_PREFIX_MIN = 8
"""Fewest characters of an id that a search matches: the id's first group."""
CHUNK = 500  # ids per IN (...): well under every backend's parameter limit

_PATIENTS: Table = PatientRow.__table__  # type: ignore[assignment]
_BLOCKS: Table = BlockRow.__table__  # type: ignore[assignment]
_COLUMNS = (_PATIENTS.c.id, _PATIENTS.c.name, _PATIENTS.c.birth_date, _PATIENTS.c.mrn)


class PatientSearch(list[Patient]):
    """The patients a search found, in list order, at most the limit asked for (a list, so it
    reads and compares like one); `more`: how many further patients match (0: none)."""

    more: int = 0

    def __init__(self, patients: Iterable[Patient] = (), more: int = 0) -> None:
        super().__init__(patients)
        self.more = more


def _condition(needle: str) -> ColumnElement[bool] | None:
    if not needle:
        return None
    pattern = like_pattern(needle)
    wanted: list[ColumnElement[bool]] = [
        _PATIENTS.c.search_name.like(pattern, escape="\\"),
        _PATIENTS.c.search_mrn.like(pattern, escape="\\"),
    ]
    if len(needle) >= ID_PREFIX_MIN:
        wanted.append(func.lower(_PATIENTS.c.id).like(pattern[1:], escape="\\"))
    return or_(*wanted)


def find_patients(
    reading: Reading, query: str, limit: int | None, *, server: bool = False
) -> PatientSearch:
    needle = search_key(query.strip()) or ""
    if "\x00" in needle:
        return PatientSearch()  # no name, record number or id holds a NUL
    condition = _condition(needle)
    order: list[ColumnElement[Any]] = [
        _PATIENTS.c.search_name,
        _PATIENTS.c.name,
        _PATIENTS.c.id,
    ]
    if server:
        # Codepoint order, as SQLite and Python compare text (a server's collation is not).
        order = [column.collate("C") for column in order]
    statement = select(*_COLUMNS).order_by(*order)
    counting = select(func.count()).select_from(_PATIENTS)
    if condition is not None:
        statement = statement.where(condition)
        counting = counting.where(condition)
    if limit is not None:
        statement = statement.limit(max(0, limit) + 1)
    with reading() as session:
        rows: Iterable[Any] = session.execute(statement)
        found = [patient_from_row(row) for row in rows]
        if limit is None or len(found) <= limit:
            return PatientSearch(found)
        total = int(session.execute(counting).scalar_one())
    return PatientSearch(found[: max(0, limit)], more=total - max(0, limit))


def all_patients(reading: Reading) -> list[Patient]:
    """Every patient, ordered by name (case-insensitively), then id: plain rows of the four
    columns a Patient has, without the ORM's identity map (10,000 patients: 0.45 s as ORM
    objects)."""
    with reading() as session:
        rows: Iterable[Any] = session.execute(select(*_COLUMNS))
        patients = [patient_from_row(row) for row in rows]
    return sorted(patients, key=lambda p: (p.name.casefold(), p.name, p.id))


def has_patient(reading: Reading, patient_id: str) -> bool:
    with reading() as session:
        found = session.execute(select(_PATIENTS.c.id).where(_PATIENTS.c.id == patient_id))
        return found.first() is not None


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def first_block_dates(reading: Reading, patient_ids: Iterable[str] | None) -> dict[str, datetime]:
    first = func.min(BlockRow.performed_at)
    query = select(BlockRow.patient_id, first).group_by(BlockRow.patient_id)
    found: dict[str, datetime] = {}
    with reading() as session:
        if patient_ids is None:
            found.update((str(pid), at) for pid, at in session.execute(query))
            return found
        for chunk in _chunks(list(dict.fromkeys(patient_ids))):
            rows = session.execute(query.where(BlockRow.patient_id.in_(chunk)))
            found.update((str(pid), at) for pid, at in rows)
    return found
