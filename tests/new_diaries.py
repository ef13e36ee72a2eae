"""New SQLite diaries in the tests get the head schema from a copy instead of the migration chain.

The suite sets up about 800 new diaries in its own processes (every store, window and command
test starts from an empty file). Each ran Alembic's six migrations, 25-45 ms of building tables
in Python for 3-5 ms of SQL: a sixth of the whole suite's time. Here the chain runs once per
process, through the product's own `open_store`, and every later new diary gets the same schema
by replaying what that one ended with: the `CREATE` statements of its `sqlite_master`, the rows
its tables hold (the schema version) and its `user_version`. `mark_chain`, the pragmas, locks
and private file modes are still done by the product for every diary.

Only an empty SQLite database migrated to "head" is served from the copy. An older diary being
migrated, a PostgreSQL database and every `paintrack` started as a subprocess run the chain
itself, and tests marked `migration_chain` (the migration tests) run it for new diaries too.
tests/store/test_new_diaries.py checks that a diary made from the copy is, table by table, row
by row and pragma by pragma, the diary the chain makes.
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy.engine import Connection

REAL_UPGRADE = command.upgrade
# Tables before their rows, then what may refer to them (a trigger names its table).
_ORDER = {"table": 0, "index": 1, "view": 2, "trigger": 3}


@dataclass(frozen=True)
class HeadSchema:
    """What a new diary's migrations leave: statements in an order that can be replayed, and the
    rows of each table (the schema version; SQLite's own sqlite_sequence if it has rows)."""

    tables: tuple[str, ...]
    later: tuple[str, ...]
    rows: tuple[tuple[str, tuple[tuple[Any, ...], ...]], ...]
    user_version: int


def read_head_schema(connection: sqlite3.Connection) -> HeadSchema:
    master = connection.execute(
        "SELECT type, name, sql FROM sqlite_master "
        "WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY rowid"
    ).fetchall()
    ordered = sorted(master, key=lambda row: _ORDER[row[0]])  # stable: creation order within
    tables = [name for kind, name, _sql in ordered if kind == "table"]
    names = [*tables]
    if connection.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
        names.append("sqlite_sequence")
    rows = tuple(
        (name, tuple(tuple(row) for row in connection.execute(f'SELECT * FROM "{name}"')))
        for name in names
    )
    (user_version,) = connection.execute("PRAGMA user_version").fetchone()
    return HeadSchema(
        tables=tuple(sql for kind, _name, sql in ordered if kind == "table"),
        later=tuple(sql for kind, _name, sql in ordered if kind != "table"),
        rows=tuple((name, table_rows) for name, table_rows in rows if table_rows),
        user_version=int(user_version),
    )


@cache
def head_schema() -> HeadSchema:
    """The schema the real chain gives a new diary, made once in this process by open_store."""
    from paintrack.store import open_store

    patched, command.upgrade = command.upgrade, REAL_UPGRADE
    try:
        with tempfile.TemporaryDirectory(prefix="paintrack-head-schema-") as folder:
            path = Path(folder) / "head.db"
            open_store(str(path)).close()
            connection = sqlite3.connect(path)
            try:
                return read_head_schema(connection)
            finally:
                connection.close()
    finally:
        command.upgrade = patched


def _is_empty_sqlite(connection: Connection) -> bool:
    if connection.dialect.name != "sqlite":
        return False
    return connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar() == 0


def upgrade(config: Any, revision: str, *args: Any, **kwargs: Any) -> None:
    """alembic.command.upgrade for the tests: the copy for an empty SQLite diary going to head."""
    connection = config.attributes.get("connection")
    if not (
        revision == "head"
        and not args
        and not kwargs
        and isinstance(connection, Connection)
        and _is_empty_sqlite(connection)
    ):
        REAL_UPGRADE(config, revision, *args, **kwargs)
        return
    schema = head_schema()
    for statement in schema.tables:
        connection.exec_driver_sql(statement)
    for name, rows in schema.rows:
        marks = ", ".join("?" * len(rows[0]))
        connection.exec_driver_sql(f'INSERT INTO "{name}" VALUES ({marks})', list(rows))
    for statement in schema.later:
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(f"PRAGMA user_version = {schema.user_version}")
