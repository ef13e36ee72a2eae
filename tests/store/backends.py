"""Raw SQL on a test's database, whichever backend the store runs on: for counting rows and for
changing the database behind paintrack's back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, text

from paintrack.store import Store


def raw_url(store: Store) -> str:
    """An SQLAlchemy URL for the store's database (a test server has no password to hide)."""
    return f"sqlite:///{store.db_path}" if store.db_path is not None else store.where


def raw_rows(store: Store, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    """Run one statement in its own committed transaction; the rows it returned, if any."""
    engine = create_engine(raw_url(store))
    try:
        with engine.begin() as connection:
            result = connection.execute(text(sql), params)
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()
