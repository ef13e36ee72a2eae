"""Builders shared by the reliability tests: diaries of any size, raw looks at a database file."""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from paintrack.clinical.model import Agent, Block, Diary, Entry, Patient, Region, Side

T0 = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def big_diary(name: str, *, blocks: int, entries_per_block: int) -> Diary:
    """One patient, `blocks` blocks a day apart, each with entries a minute apart."""
    built = []
    for b in range(blocks):
        performed = T0 + timedelta(days=b)
        entries = tuple(
            Entry(
                at=performed + timedelta(minutes=m - 5),
                recorded_at=performed + timedelta(minutes=m - 5, seconds=20),
                scores={"index": (8 + m) % 11},
                note=f"entry {m} of block {b}",
            )
            for m in range(entries_per_block)
        )
        built.append(
            Block(
                performed_at=performed,
                region=Region.LUMBAR,
                side=Side.LEFT,
                agent=Agent.LIDOCAINE,
                levels=("L4 MB", "L5 DR"),
                entries=entries,
            )
        )
    return Diary(Patient(name=name), tuple(built))


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def integrity(path: Path) -> list[str]:
    """SQLite's integrity check through a plain connection (which also recovers a -wal file)."""
    connection = sqlite3.connect(path)
    try:
        return [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def raw_execute(path: Path, sql: str, parameters: tuple[object, ...] = ()) -> None:
    """Change a database behind paintrack's back, as someone with a SQLite tool could."""
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute(sql, parameters)
    finally:
        connection.close()


def raw_query(
    path: Path, sql: str, parameters: tuple[object, ...] = ()
) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return list(connection.execute(sql, parameters))
    finally:
        connection.close()
