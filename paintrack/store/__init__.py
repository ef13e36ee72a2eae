"""Durable storage: SQLAlchemy tables, migrations, and a repository API over dataclasses.

from paintrack.store import open_store
with open_store(path_or_url) as store:
    diary = store.load_diary(store.resolve_patient(None).id)
"""

from __future__ import annotations

from collections.abc import Callable

from paintrack.store.database import RefusedDatabase, open_database
from paintrack.store.repository import Clock, ImportResult, Store, default_actor

__all__ = ["ImportResult", "RefusedDatabase", "Store", "default_actor", "open_store"]


def open_store(
    target: str,
    *,
    clock: Clock | None = None,
    read_only: bool = False,
    on_wait: Callable[[str], None] | None = None,
) -> Store:
    """Open the database at a file path or SQLAlchemy URL (`postgresql://` uses
    psycopg 3, the `postgres` extra), creating it or migrating it to this
    version's schema. RefusedDatabase (a UserError; the file left untouched) if it is not a
    paintrack database, is damaged, or was written by a newer paintrack; UserError for other
    problems the user can fix. `clock` (tests) returns aware datetimes.

    `read_only` (the reading commands): the database must exist and be up to date; nothing is
    created, migrated, chmodded or written. `on_wait` is told when a writer waits for a restore
    of the file to finish."""
    opened = open_database(str(target), read_only=read_only, on_wait=on_wait)
    return Store(opened, opened.where, clock=clock)
