"""Opening a database: pragmas, private permissions, and refusing (without touching) what is not
a paintrack database of this version."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError
from store_builders import T0, file_digest, index_block, sample_diary

from paintrack.clinical.model import Diary, Patient
from paintrack.errors import UserError
from paintrack.store import RefusedDatabase, Store, open_store
from paintrack.store import database as store_database
from paintrack.store.database import user_error_for


@pytest.fixture
def umask_022() -> Iterator[None]:
    """A typical, permissive umask: the store must not depend on a strict one."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _paintrack_db(path: Path) -> Path:
    with open_store(str(path)) as store:
        store.import_diary(sample_diary(), source_name="sample.json")
    return path


def _set_revision(path: Path, revision: str) -> None:
    raw = sqlite3.connect(path)
    # A rollback-journal file (as a copied or restored one may be): opening it with
    # journal_mode=WAL would rewrite its header, so this proves the check runs before that.
    raw.execute("PRAGMA journal_mode = DELETE")
    with raw:
        raw.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    raw.close()


def _siblings(path: Path) -> set[str]:
    return {p.name for p in path.parent.iterdir()}


# -- pragmas ----------


def test_every_connection_gets_the_durability_pragmas(store: Store) -> None:
    engine = store._engine
    for _ in range(2):  # a second pooled connection too
        with engine.connect() as connection:
            pragma = connection.exec_driver_sql
            assert pragma("PRAGMA journal_mode").scalar() == "wal"
            assert pragma("PRAGMA foreign_keys").scalar() == 1
            assert pragma("PRAGMA synchronous").scalar() == 2  # FULL
            assert pragma("PRAGMA busy_timeout").scalar() == 5000
        engine.dispose()


def test_foreign_keys_are_enforced(store: Store) -> None:
    with store._write_engine.connect() as connection, pytest.raises(Exception) as raised:
        connection.exec_driver_sql(
            "INSERT INTO blocks (id, patient_id, performed_at, region, side, agent, levels, "
            "sequence, sedation, steroid, sites, activities, protocol) VALUES ('b', 'nobody', "
            "'2026-01-01 00:00:00.000000', 'lumbar', 'left', 'lidocaine', '[]', 1, 'none', 0, "
            "'[\"index\"]', '[]', 'standard')"
        )
        connection.commit()
    assert "FOREIGN KEY" in str(raised.value)


def test_write_transactions_take_the_lock_up_front(store: Store) -> None:
    """A write holds the write lock from BEGIN, so another writer waits instead of failing
    half-way; a read does not."""
    other = sqlite3.connect(str(store.db_path), timeout=0)
    try:
        with store._write_engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1").scalar()  # BEGIN IMMEDIATE has run
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            connection.rollback()
        with store._engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1").scalar()
            other.execute("BEGIN IMMEDIATE")
            other.rollback()
    finally:
        other.close()


# -- permissions ----------


@pytest.mark.usefixtures("umask_022")
def test_new_folder_0700_database_0600_and_wal_0600(tmp_path: Path) -> None:
    folder = tmp_path / "fresh" / "paintrack"
    path = folder / "diary.db"
    with open_store(str(path)) as store:
        store.import_diary(sample_diary(), source_name="sample.json")
        assert _mode(folder) == 0o700
        assert _mode(path) == 0o600
        wal = Path(f"{path}-wal")
        assert wal.exists()
        assert _mode(wal) == 0o600
        assert store.db_path == path


@pytest.mark.usefixtures("umask_022")
def test_an_empty_existing_file_becomes_a_new_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    path.chmod(0o644)
    with open_store(str(path)) as store:
        assert _mode(path) == 0o600
        assert store.list_patients() == []
        store.import_diary(sample_diary(), source_name="x.json")
    with open_store(str(path)) as store:
        assert [p.name for p in store.list_patients()] == ["Jane Example"]


def test_a_sqlite_url_to_a_file_is_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "by-url.db"
    with open_store(f"sqlite:///{path}") as store:
        store.import_diary(sample_diary(), source_name="x.json")
        assert store.db_path == path
    with open_store(str(path)) as store:
        assert len(store.list_patients()) == 1


@pytest.mark.parametrize(
    "url",
    ["postgresql://clinic:s3cret@localhost:1/paintrack", "nosuchdb://clinic:s3cret@host/db"],
)
def test_a_server_url_without_its_driver_is_a_user_error_hiding_the_password(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As on a machine where paintrack was installed without its `postgres` extra.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(UserError) as raised:
        open_store(url)
    assert "s3cret" not in raised.value.message
    assert "clinic:***@" in raised.value.message
    assert "driver" in raised.value.message
    if url.startswith("postgresql"):
        assert "psycopg" in raised.value.message
        assert "pip install 'paintrack[postgres]'" in raised.value.message


def test_a_server_other_than_postgresql_is_refused_before_connecting() -> None:
    # Only PostgreSQL gets the write lock that keeps the audit chain whole with several clients.
    with pytest.raises(UserError) as raised:
        open_store("mysql://clinic:s3cret@db.clinic/paintrack")
    assert "SQLite file or on a PostgreSQL server" in raised.value.message
    assert "mysql://clinic:***@db.clinic/paintrack" in raised.value.message


def test_a_postgresql_server_that_is_not_running_is_a_user_error() -> None:
    with pytest.raises(UserError) as raised:
        open_store("postgresql://clinic:s3cret@127.0.0.1:1/paintrack")
    assert "s3cret" not in raised.value.message
    assert "postgresql+psycopg://clinic:***@127.0.0.1:1/paintrack" in raised.value.message
    assert "server is running" in raised.value.message


def test_a_server_that_cannot_be_reached_is_a_user_error() -> None:
    class ConnectionRefused(Exception):
        pass

    error = OperationalError("connect", {}, ConnectionRefused("connection refused on port 1"))
    translated = user_error_for(error, "postgresql://clinic:***@db/paintrack")
    assert translated is not None
    assert "connection refused" in translated.message
    assert "server is running" in translated.message


def test_an_in_memory_database_has_no_path() -> None:
    with open_store("sqlite://") as store:
        store.import_diary(sample_diary(), source_name="x.json")
        assert store.db_path is None
        assert len(store.list_patients()) == 1


# -- refusals: the file stays byte-for-byte the same ---------------------------------------------


def _refused(path: Path, kind: str, *expected: str) -> UserError:
    before = file_digest(path)
    siblings = _siblings(path)
    with pytest.raises(RefusedDatabase) as raised:
        open_store(str(path))
    assert raised.value.kind == kind
    assert raised.value.path == path
    assert file_digest(path) == before
    assert _siblings(path) == siblings  # no -wal/-shm/-journal left behind either
    message = raised.value.message
    assert str(path) in message
    assert "not changed" in message
    for text in expected:
        assert text in message
    return raised.value


def test_a_database_from_a_newer_paintrack_is_refused_untouched(tmp_path: Path) -> None:
    path = _paintrack_db(tmp_path / "newer.db")
    _set_revision(path, "9999_from_the_future")
    error = _refused(path, "newer", "newer version of paintrack", "Install the newer version")
    assert error.exit_code == 2
    # and still refused through a URL, still untouched
    before = file_digest(path)
    with pytest.raises(UserError, match="newer version"):
        open_store(f"sqlite:///{path}")
    assert file_digest(path) == before


def test_a_newer_database_still_open_elsewhere_is_refused_untouched(tmp_path: Path) -> None:
    """With a -wal file present (another program has it open) the check reads through it."""
    path = _paintrack_db(tmp_path / "busy.db")
    holder = sqlite3.connect(path)
    try:
        holder.execute("PRAGMA wal_autocheckpoint = 0")
        with holder:
            holder.execute("UPDATE alembic_version SET version_num = '0002_future'")
        assert Path(f"{path}-wal").stat().st_size > 0
        before = file_digest(path)
        with pytest.raises(UserError, match="newer version of paintrack"):
            open_store(str(path))
        assert file_digest(path) == before
    finally:
        holder.close()


def test_another_applications_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        raw.execute("INSERT INTO notes (body) VALUES ('shopping list')")
    raw.close()
    _refused(path, "foreign", "another application", "--db")


def test_another_alembic_application_is_not_mistaken_for_a_newer_paintrack(
    tmp_path: Path,
) -> None:
    path = tmp_path / "other-alembic.db"
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        raw.execute("INSERT INTO alembic_version VALUES ('abc123')")
        raw.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    raw.close()
    error = _refused(path, "foreign", "another application")
    assert "newer version" not in error.message


def test_paintrack_tables_without_alembic_version_are_refused(tmp_path: Path) -> None:
    path = _paintrack_db(tmp_path / "stripped.db")
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("DROP TABLE alembic_version")
    raw.execute("VACUUM")
    raw.close()
    _refused(path, "foreign", "not a paintrack database")


def test_paintrack_tables_with_an_empty_version_table_are_refused(tmp_path: Path) -> None:
    path = _paintrack_db(tmp_path / "no-version.db")
    raw = sqlite3.connect(path)
    with raw:
        raw.execute("DELETE FROM alembic_version")
    raw.execute("PRAGMA journal_mode = DELETE")
    raw.close()
    _refused(path, "damaged", "damaged", "schema version")


@pytest.mark.parametrize(
    "content",
    [
        b"This is a letter, not a database.\n" * 200,
        b'{"format": "paintrack-diary", "version": 1}',
        bytes(range(256)) * 64,
        b"SQLite format 3",  # the magic string without its NUL, and nothing else
    ],
    ids=["text", "diary-json", "binary", "almost-header"],
)
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "diary.db"
    path.write_bytes(content)
    _refused(path, "not_sqlite", "not an SQLite database", "Restore a backup", "--db")


@pytest.mark.parametrize("keep", [0.5, 0.9, 120], ids=["half", "most", "header-only"])
def test_a_truncated_database_is_refused_untouched(tmp_path: Path, keep: float) -> None:
    path = _paintrack_db(tmp_path / "cut.db")
    data = path.read_bytes()
    size = int(len(data) * keep) if keep < 1 else int(keep)
    path.write_bytes(data[:size])
    _refused(path, "damaged", "damaged", "Restore a backup")


def test_a_damaged_page_is_refused_untouched(tmp_path: Path) -> None:
    """Header intact, schema page overwritten: SQLite itself says it is malformed."""
    path = _paintrack_db(tmp_path / "scribbled.db")
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    _refused(path, "damaged", "Restore a backup")


# -- errors the user can act on ----------


def _sqlite_error(message: str, code: int) -> sqlite3.OperationalError:
    """A sqlite3 error as the driver raises it: its message and its (extended) result code."""
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    ("sqlite_message", "code", "expected"),
    [
        ("database is locked", 5, "another paintrack"),
        ("database or disk is full", 13, "disk is full"),
        ("attempt to write a readonly database", 8, "read-only"),
        ("unable to open database file", 14, "cannot be opened"),
        ("database disk image is malformed", 11, "Restore a backup"),
    ],
)
def test_actionable_sqlite_errors_become_plain_words(
    sqlite_message: str, code: int, expected: str
) -> None:
    wrapped = OperationalError("INSERT ...", {}, _sqlite_error(sqlite_message, code))
    error = user_error_for(wrapped, "/some/diary.db")
    assert isinstance(error, UserError)
    assert "/some/diary.db" in error.message
    assert expected in error.message


def test_other_database_errors_stay_bugs() -> None:
    syntax = _sqlite_error('near "SELEC": syntax error', 1)
    assert user_error_for(OperationalError("SELEC", {}, syntax), "x") is None
    assert user_error_for(ValueError("database is locked"), "x") is None


def test_a_locked_database_gives_a_user_error_and_loses_nothing(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(store_database, "WRITE_WAIT_SECONDS", 0.2)
    with open_store(str(db_path)) as store:
        diary = sample_diary()
        store.import_diary(diary, source_name="first.json")
        other = sqlite3.connect(db_path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            with pytest.raises(UserError, match="busy"):
                store.import_diary(sample_diary("Someone Else"), source_name="second.json")
            other.execute("ROLLBACK")
        finally:
            other.close()
        assert [p.name for p in store.list_patients()] == ["Jane Example"]


def test_a_folder_that_cannot_be_created_is_a_user_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(UserError) as raised:
        open_store(str(blocker / "diary.db"))
    assert str(blocker) in raised.value.message


def test_the_store_can_be_used_from_a_worker_thread(store: Store) -> None:
    """The window may run database work off the UI thread (architecture.md, Anki)."""
    store.import_diary(sample_diary(), source_name="main-thread.json")
    results: list[object] = []

    def work() -> None:
        try:
            results.append([p.name for p in store.list_patients()])
            store.import_diary(sample_diary("Thread Patient"), source_name="worker.json")
        except Exception as error:  # pragma: no cover - reported below
            results.append(error)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(timeout=30)
    assert results == [["Jane Example"]]
    assert [p.name for p in store.list_patients()] == ["Jane Example", "Thread Patient"]


def test_a_full_disk_gives_a_user_error_and_loses_nothing(store: Store) -> None:
    """SQLite's own "database or disk is full", provoked by capping the file's page count."""
    diary = sample_diary()
    store.import_diary(diary, source_name="first.json")
    with store._engine.connect() as connection:
        pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one())

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(store._engine, "connect", cap)
    store._engine.dispose()
    big = Diary(
        Patient(name="Big Diary"),
        tuple(
            index_block(T0 + timedelta(days=d), minutes=tuple(range(0, 480, 5))) for d in range(20)
        ),
    )
    with pytest.raises(UserError, match="disk is full"):
        store.import_diary(big, source_name="big.json")
    event.remove(store._engine, "connect", cap)
    store._engine.dispose()
    assert [p.name for p in store.list_patients()] == ["Jane Example"]
    assert store.load_diary(diary.patient.id).blocks[0].entries


def test_closing_a_read_only_store_leaves_another_threads_query_running(tmp_path: Path) -> None:
    """A background job (Review's worklist refresh) may still be reading when its store is
    closed. Closing must not close that job's connection under it: with the pool of an
    in-memory database (what "sqlite://" gets by default), it did, and the job crashed the
    process with a segmentation fault."""
    path = tmp_path / "diary.db"
    with open_store(str(path)) as store:
        store.import_diary(sample_diary(), source_name="test")
    reader = open_store(str(path), read_only=True)
    connected, closed = threading.Event(), threading.Event()
    outcome: list[object] = []

    def background_job() -> None:
        # The store's own engine, as its reading methods use it, held across the close.
        with reader._engine.connect() as connection:
            connected.set()
            closed.wait(timeout=30)
            outcome.append(connection.exec_driver_sql("SELECT count(*) FROM patients").scalar())

    job = threading.Thread(target=background_job)
    job.start()
    assert connected.wait(timeout=30)
    reader.close()
    closed.set()
    job.join(timeout=30)
    assert outcome == [1]
