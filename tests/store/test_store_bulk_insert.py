"""An import's rows go to SQLite's driver without Core's per-row parameter building
(repository._insert_many): what is stored must be exactly what Core's executemany stores."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, Table, insert

from paintrack.clinical.model import Diary
from paintrack.store import open_store, repository
from tests.store.store_builders import sample_diary

BULK_TABLES = ("entries", "entry_scores", "audit")


def _varied_diary() -> Diary:
    """The sample diary, one bilateral entry with an estimate per side and a rescue detail."""
    diary = sample_diary()
    bilateral = diary.blocks[0]
    first = replace(
        bilateral.entries[0],
        patient_relief_percent=None,
        patient_relief_by_site={"left": 20.0, "right": 90.5},
        rescue_medication=True,
        rescue_medication_detail="oxycodone 5 mg \u2013 \u00e9",
    )
    blocks = (replace(bilateral, entries=(first, *bilateral.entries[1:])), *diary.blocks[1:])
    return replace(diary, blocks=blocks)


def _stored(path: Path, table: str) -> list[tuple[Any, ...]]:
    """Every row of `table` as SQLite holds it: each value quoted (its type and its bytes)."""
    connection = sqlite3.connect(path)
    try:
        names = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        columns = ", ".join(f"quote({name})" for name in names)
        return connection.execute(f"SELECT {columns} FROM {table} ORDER BY rowid").fetchall()
    finally:
        connection.close()


def test_rows_through_the_driver_are_stored_as_core_stores_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    diary = _varied_diary()
    fast_path, core_path = tmp_path / "fast.db", tmp_path / "core.db"
    captured: dict[str, list[dict[str, Any]]] = {}
    through_driver = repository._insert_many

    def capture(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        captured[table.name] = [dict(row) for row in rows]
        through_driver(connection, table, rows)

    monkeypatch.setattr(repository, "_insert_many", capture)
    with open_store(str(fast_path)) as store:
        store.import_diary(diary, source_name="fast")

    def core(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
        # The same diary's patient and blocks, then the rows the first import inserted.
        connection.execute(insert(table), captured[table.name])

    monkeypatch.setattr(repository, "_insert_many", core)
    with open_store(str(core_path)) as store:
        store.import_diary(diary, source_name="core")

    assert set(captured) == set(BULK_TABLES)
    assert any(row["patient_relief_by_site"] is not None for row in captured["entries"])
    assert any(row["patient_relief_by_site"] is None for row in captured["entries"])
    for table in BULK_TABLES:
        fast, slow = _stored(fast_path, table), _stored(core_path, table)
        assert len(fast) == len(captured[table])
        assert fast == slow, table


def test_a_naive_time_is_refused_on_the_way_to_the_driver(tmp_path: Path) -> None:
    from datetime import datetime

    from paintrack.store.types import NaiveDatetimeStoredError

    with open_store(str(tmp_path / "naive.db")) as store:
        engine = store._write_engine
        with engine.begin() as connection:
            row = {"seq": 1, "id": "a" * 36, "at": datetime(2026, 1, 1), "actor": "me"}
            row |= dict.fromkeys(("action", "object_type"), "x")
            with pytest.raises(NaiveDatetimeStoredError):
                repository._insert_many(connection, repository._AUDIT, [row])
