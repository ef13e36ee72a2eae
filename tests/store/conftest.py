"""Store fixtures: a fresh database file in tmp_path for every test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

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
