"""The migrations shipped inside the package build exactly the schema the models describe."""

from __future__ import annotations

import importlib.resources
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from paintrack.store import open_store
from paintrack.store.database import SCHEMA_HEAD, head_revisions, known_revisions
from paintrack.store.models import Base

# Every new diary here runs the migration chain itself (not the tests' copy of its result).
pytestmark = pytest.mark.migration_chain


def test_upgrading_an_empty_database_matches_the_models(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    open_store(str(path)).close()

    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert set(context.get_current_heads()) == set(head_revisions())
            tables = set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
    assert tables == {
        "alembic_version",
        "patients",
        "blocks",
        "entries",
        "entry_scores",
        "settings",
        "audit",
        "users",
        "target_notes",
        "signatures",
        "worklist_summaries",
    }


def test_compare_metadata_notices_a_difference(tmp_path: Path) -> None:
    """The comparison above is not vacuous: a missing column is reported."""
    path = tmp_path / "drift.db"
    open_store(str(path)).close()
    with sqlite3.connect(path) as raw:
        raw.execute("ALTER TABLE settings ADD COLUMN stray TEXT")
    raw.close()
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert any(op[0] == "remove_column" and op[3].name == "stray" for op in diff)


def test_one_linear_history_with_a_single_head() -> None:
    assert head_revisions() == {SCHEMA_HEAD}
    assert head_revisions() <= known_revisions()
    assert "0001" in known_revisions()


def test_migrations_ship_inside_the_package() -> None:
    migrations = importlib.resources.files("paintrack.store") / "migrations"
    assert (migrations / "env.py").is_file()
    assert (migrations / "script.py.mako").is_file()
    versions = [p.name for p in (migrations / "versions").iterdir() if p.name.endswith(".py")]
    assert "0001_initial.py" in versions


def test_opening_again_does_not_rerun_migrations(tmp_path: Path) -> None:
    path = tmp_path / "twice.db"
    with open_store(str(path)) as store:
        store.save_settings(store.get_settings())
    with open_store(str(path)):
        pass
    with sqlite3.connect(path) as raw:
        versions = raw.execute("SELECT version_num FROM alembic_version").fetchall()
    raw.close()
    assert versions == [(next(iter(head_revisions())),)]


def test_an_up_to_date_database_opens_without_importing_alembic(tmp_path: Path) -> None:
    path = tmp_path / "current.db"
    open_store(str(path)).close()
    code = (
        "import sys\n"
        "from paintrack.store import open_store\n"
        f"store = open_store({str(path)!r})\n"
        "store.list_patients()\n"
        "store.close()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]"


def test_0003_keeps_existing_diaries_and_records_each_blocks_offset(
    tmp_path: Path, set_local_zone
) -> None:
    """Issue 10 (item 11): a database from before the recorded UTC offset keeps every block,
    entry and audit row; each block gets this computer's offset at its time, audited, so the
    trail still verifies."""
    from dataclasses import replace

    from alembic import command

    from paintrack.exchange.diary_json import read_diary_file
    from paintrack.store.database import alembic_config

    set_local_zone("America/New_York")
    demo = read_diary_file(Path(__file__).parent.parent / "data" / "diaries" / "demo.json")
    path = tmp_path / "old.db"
    with open_store(str(path)) as store:
        store.import_diary(demo, source_name="demo.json")
        trail_before = len(store.audit_trail())
    # Back to the version 2 database (0002: no offset, no rescue detail columns).
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "0002")
        with engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("blocks")}
            assert "utc_offset_minutes" not in columns
    finally:
        engine.dispose()
    # Opening it upgrades it to 0003 again.
    with open_store(str(path)) as store:
        loaded = store.load_diary(demo.patient.id)
        check = store.check_audit_trail()
        trail = store.audit_trail()
    # New York's offsets at the blocks' times: -05:00 on 2 Mar, -04:00 on 17 Mar 2026 (DST),
    # exactly the offsets the demo diary was written in.
    assert [b.utc_offset_minutes for b in loaded.blocks] == [-300, -240]
    assert [b.date_of_service.isoformat() for b in loaded.blocks] == ["2026-03-02", "2026-03-17"]
    assert loaded == demo
    assert check.intact, check
    # One audit row per block says what the upgrade did, chained after the old ones.
    added = trail[trail_before:]
    assert [(r.action, r.object_id) for r in added] == [
        ("update_block", b.id) for b in loaded.blocks
    ]
    assert all("UTC offset" in (r.reason or "") for r in added)
    assert replace(loaded.blocks[0], utc_offset_minutes=0) != loaded.blocks[0]
