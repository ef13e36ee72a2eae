"""Durable storage: SQLAlchemy tables, migrations, and a repository API over dataclasses.

from paintrack.store import open_store
with open_store(path_or_url) as store:
    diary = store.load_diary(store.resolve_patient(None).id)
"""

from __future__ import annotations

from paintrack.store.database import RefusedDatabase, open_database
from paintrack.store.repository import Clock, ImportResult, Store, default_actor

__all__ = ["ImportResult", "RefusedDatabase", "Store", "default_actor", "open_store"]


def open_store(target: str, *, clock: Clock | None = None) -> Store:
    """Open the database at a file path or SQLAlchemy URL (`postgresql://` uses
    psycopg 3, the `postgres` extra), creating it or migrating it to this
    version's schema. RefusedDatabase (a UserError; the file left untouched) if it is not a
    paintrack database, is damaged, or was written by a newer paintrack; UserError for other
    problems the user can fix. `clock` (tests) returns aware datetimes."""
    opened = open_database(str(target))
    return Store(opened, opened.where, clock=clock)
