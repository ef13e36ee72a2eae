"""The tests' copy of the head schema (tests/new_diaries.py) makes the diary the chain makes."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import new_diaries
import pytest
from alembic import command
from postgres_server import PostgresServer
from sqlalchemy import create_engine

from paintrack.store import open_store
from paintrack.store.database import SCHEMA_HEAD, alembic_config

PRAGMAS = ("user_version", "application_id", "journal_mode", "page_size", "auto_vacuum", "encoding")


def _everything(path: Path) -> dict[str, Any]:
    """The whole database as data: its schema, every table's rows, its pragmas and checks."""
    connection = sqlite3.connect(path)
    try:
        master = sorted(connection.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))
        tables = [name for kind, name, _table, _sql in master if kind == "table"]
        return {
            "master": master,
            "rows": {
                name: sorted(connection.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
                for name in tables
            },
            "pragmas": {
                name: connection.execute(f"PRAGMA {name}").fetchone()[0] for name in PRAGMAS
            },
            "integrity": connection.execute("PRAGMA integrity_check").fetchall(),
            "foreign keys": connection.execute("PRAGMA foreign_key_check").fetchall(),
        }
    finally:
        connection.close()


def _counting_real_upgrades(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = new_diaries.REAL_UPGRADE

    def counted(config: Any, revision: str, *args: Any, **kwargs: Any) -> None:
        calls.append(revision)
        real(config, revision, *args, **kwargs)

    monkeypatch.setattr(new_diaries, "REAL_UPGRADE", counted)
    return calls


def test_a_diary_from_the_copy_is_the_diary_the_chain_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_diaries.head_schema()  # made (by the chain) before the count starts
    real_upgrades = _counting_real_upgrades(monkeypatch)
    assert command.upgrade is new_diaries.upgrade  # the suite's fixture is on in this test
    copied = tmp_path / "copied.db"
    with open_store(str(copied)) as store:
        assert store.list_patients() == []
    assert real_upgrades == []  # the copy was used, not the chain

    monkeypatch.setattr(command, "upgrade", new_diaries.REAL_UPGRADE)
    chained = tmp_path / "chained.db"
    open_store(str(chained)).close()
    assert real_upgrades == ["head"]

    made, expected = _everything(copied), _everything(chained)
    assert made == expected
    assert expected["rows"]["alembic_version"] == [(SCHEMA_HEAD,)]
    assert expected["integrity"] == [("ok",)]
    assert len([row for row in expected["master"] if row[0] == "table"]) >= 8


def test_an_older_diary_is_still_migrated_by_the_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        new_diaries.REAL_UPGRADE(alembic_config(connection), "0001")
    engine.dispose()
    real_upgrades = _counting_real_upgrades(monkeypatch)
    open_store(str(path)).close()
    assert real_upgrades == ["head"]
    assert _everything(path)["rows"]["alembic_version"] == [(SCHEMA_HEAD,)]


@pytest.mark.migration_chain
def test_the_migration_chain_mark_runs_the_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert command.upgrade is new_diaries.REAL_UPGRADE


def _server_schema(server: PostgresServer, url: str) -> dict[str, Any]:
    database = url.split("@/", 1)[1].split("?", 1)[0]
    queries = {
        "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default "
        "FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
        "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
        "ORDER BY 1",
        "constraints": "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2",
        "triggers": "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
        "WHERE NOT tgisinternal ORDER BY 1",
        "version": "SELECT version_num FROM alembic_version",
        "mark": "SELECT obj_description('audit'::regclass, 'pg_class')",
    }
    return {key: server.execute(sql, database) for key, sql in queries.items()}


def test_a_server_database_at_head_is_the_one_open_store_sets_up(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    copied = postgres_server.new_database(at_head=True)
    with open_store(copied) as store:
        assert store.list_patients() == []
    open_store(postgres_url).close()  # an empty database, set up by the chain
    made, expected = (
        _server_schema(postgres_server, copied),
        _server_schema(postgres_server, postgres_url),
    )
    assert made == expected
    assert expected["version"] == [(SCHEMA_HEAD,)]
    assert len({row[0] for row in expected["columns"]}) >= 8
