"""Column types: aware UTC datetimes in a database that may not keep time zones (SQLite)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class NaiveDatetimeStoredError(ValueError):
    """A datetime without an offset reached the database layer: a bug upstream, never guessed."""


class UTCDateTime(TypeDecorator[datetime]):
    """Stores an aware datetime as naive UTC and hands it back aware (tzinfo=UTC).

    SQLite has no time-zone type and Postgres' `timestamp without time zone` is the one column
    type both read back identically, so every backend stores plain UTC. A naive value is refused
    rather than assumed to be local or UTC: guessing would shift a clinical record by hours.
    """

    impl = DateTime(timezone=False)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise NaiveDatetimeStoredError(
                f"refusing to store a datetime without a UTC offset: {value.isoformat()}"
            )
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
        if value.tzinfo is not None:
            return value.astimezone(UTC)
        return value.replace(tzinfo=UTC)
