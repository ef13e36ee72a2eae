"""Store fixtures: a fresh database file in tmp_path for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from postgres_server import PostgresServer

from paintrack.store import Store, open_store


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "diary.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(str(db_path))
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_target(request: pytest.FixtureRequest, db_path: Path) -> Iterator[str]:
    """The same contract on both backends: a SQLite file, and a database on a real PostgreSQL
    server (tests/postgres_server.py; it fails, never skips, without the server binaries).
    Both come with the schema a new diary gets: the SQLite file when first opened
    (tests/new_diaries.py), the server's from a template (`new_database(at_head=True)`);
    tests that need an empty server database take `postgres_url`."""
    if request.param == "postgresql":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        url = server.new_database(at_head=True)
        yield url
        server.drop_database(url)
    else:
        yield str(db_path)


@pytest.fixture
def any_store(db_target: str) -> Iterator[Store]:
    """A fresh store on each backend in turn."""
    opened = open_store(db_target)
    try:
        yield opened
    finally:
        opened.close()
