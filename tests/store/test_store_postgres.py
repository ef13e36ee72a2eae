"""What only a database server adds: the migrations build the models' schema on PostgreSQL,
clients writing at once take turns so the audit chain never forks, a foreign database is refused,
and times stay aware whatever the server's time zone. (The whole Store API runs on PostgreSQL in
test_store_repository.py and test_store_checks.py.) Every test uses a real server
(tests/postgres_server.py)."""

from __future__ import annotations

import dataclasses
import multiprocessing
import threading
import time
from datetime import UTC, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, make_url, text
from store_builders import T0, index_block, sample_diary, sorted_diary

from paintrack.clinical.model import Block, Entry, Patient
from paintrack.store import RefusedDatabase, open_store
from paintrack.store.database import POSTGRES_WRITE_LOCK, head_revisions
from paintrack.store.models import Base

WRITERS = 2
ENTRIES_EACH = 25


def test_migrating_a_new_database_to_head_matches_the_models(postgres_url: str) -> None:
    open_store(postgres_url).close()
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
            assert set(context.get_current_heads()) == set(head_revisions())
            tables = set(inspect(connection).get_table_names())
            # The constraints the clinical record rests on are the server's too.
            checks = {c["name"] for c in inspect(connection).get_check_constraints("entry_scores")}
    finally:
        engine.dispose()
    assert tables == {
        "alembic_version",
        "patients",
        "blocks",
        "entries",
        "entry_scores",
        "settings",
        "worklist_summaries",
        "audit",
        "users",
        "target_notes",
        "signatures",
    }
    assert checks == {"ck_entry_scores_score_range"}


def test_compare_metadata_notices_a_difference_on_the_server(postgres_url: str) -> None:
    """The comparison above is not vacuous on PostgreSQL either."""
    open_store(postgres_url).close()
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE settings ADD COLUMN stray TEXT"))
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert any(op[0] == "remove_column" and op[3].name == "stray" for op in diff)


def test_plain_postgresql_urls_use_psycopg_3(postgres_url: str) -> None:
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    assert plain != postgres_url
    with open_store(plain) as store:
        store.add_patient(Patient(name="Plain Url"))
        assert store.where.startswith("postgresql+psycopg://")
        assert store.is_server
        assert store.db_path is None
        assert store.integrity_check() is None  # no file here: the server checks its storage


def test_times_stay_aware_and_exact_whatever_the_servers_time_zone(
    postgres_server: Any, postgres_url: str
) -> None:
    name = make_url(postgres_url).database
    postgres_server.execute(f"ALTER DATABASE {name} SET timezone TO 'Pacific/Auckland'")
    kolkata = timezone(timedelta(hours=5, minutes=30))
    block = index_block(T0.astimezone(kolkata), minutes=(-10, 15, 30))
    with open_store(postgres_url) as store:
        patient = store.add_patient(Patient(name="Zone Test"))
        store.add_block(patient.id, block)
        assert store.get_block(block.id).performed_at == T0
        raw = store.audit_trail()
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT performed_at FROM blocks WHERE id = :id"), {"id": block.id}
            ).scalar_one()
            zone = connection.execute(text("SHOW timezone")).scalar_one()
    finally:
        engine.dispose()
    assert zone == "Pacific/Auckland"
    # Kept as plain UTC, never shifted by the server's zone.
    assert stored == T0.astimezone(UTC).replace(tzinfo=None)
    with open_store(postgres_url) as store:
        loaded = store.load_diary(patient.id)
    assert loaded.blocks[0].performed_at == T0
    assert loaded.blocks[0].performed_at.tzinfo is UTC
    assert [e.at for e in loaded.blocks[0].entries] == [e.at for e in block.entries]
    assert all(r.at.tzinfo is UTC for r in raw)


def test_another_applications_database_is_refused_and_left_alone(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE invoices (id integer PRIMARY KEY)"))
        with pytest.raises(RefusedDatabase, match="not a paintrack database") as raised:
            open_store(postgres_url)
        assert raised.value.kind == "foreign"
        assert "invoices" in raised.value.message
        with engine.connect() as connection:
            assert inspect(connection).get_table_names() == ["invoices"]
    finally:
        engine.dispose()


# -- several clients writing at once -----------------------------------------------------------


def test_a_writer_waits_for_another_writers_transaction(postgres_url: str) -> None:
    """The advisory lock in action: while one transaction holds paintrack's write lock, a save
    waits, and goes in once the lock is let go."""
    with open_store(postgres_url) as store:
        patient = store.add_patient(Patient(name="Waiting Room"))
        block = store.add_block(patient.id, dataclasses.replace(index_block(), entries=()))
        holder = create_engine(postgres_url)
        done = threading.Event()
        failure: list[BaseException] = []

        def save() -> None:
            try:
                at = block.performed_at + timedelta(minutes=20)
                store.add_entry(block.id, Entry(at=at, recorded_at=at, scores={"index": 3}))
            except BaseException as error:  # handed to the test thread
                failure.append(error)
            finally:
                done.set()

        try:
            with holder.begin() as connection:
                connection.execute(text(f"SELECT pg_advisory_xact_lock({POSTGRES_WRITE_LOCK})"))
                writer = threading.Thread(target=save)
                writer.start()
                # The save asks for the lock and waits: seen in pg_locks (polled, as a busy
                # machine may take a while to start the thread), and not done meanwhile.
                deadline = time.monotonic() + 30
                waiting = 0
                while waiting == 0 and time.monotonic() < deadline and not done.is_set():
                    waiting = connection.execute(
                        text(
                            "SELECT count(*) FROM pg_locks "
                            "WHERE locktype = 'advisory' AND NOT granted"
                        )
                    ).scalar_one()
                    if waiting == 0:
                        time.sleep(0.05)
                assert not done.is_set(), "the save did not wait for the write lock"
                assert waiting == 1
            assert done.wait(30), "the save never went in after the lock was released"
            writer.join()
        finally:
            holder.dispose()
        assert failure == []
        assert len(store.get_block(block.id).entries) == 1
        assert store.check_audit_trail().intact


def _append_entries(url: str, block_id: str, offset: int, start: Any) -> None:
    """One paintrack client: open the shared database, then, once every client is ready, save
    entries one by one."""
    with open_store(url) as store:
        block = store.get_block(block_id)
        start.wait(60)  # a barrier: every client opened the database; all go at once
        for n in range(ENTRIES_EACH):
            at = block.performed_at + timedelta(minutes=1 + offset + WRITERS * n)
            store.add_entry(block_id, Entry(at=at, recorded_at=at, scores={"index": n % 11}))


@pytest.mark.slow
def test_clients_saving_at_the_same_time_keep_one_unbroken_audit_chain(
    postgres_url: str,
) -> None:
    # The block is created by one client; every writer then opens the same database and, all
    # starting at the same moment, saves its entries interleaved with the others'.
    setup = dataclasses.replace(index_block(T0 - timedelta(days=1)), entries=())
    with open_store(postgres_url) as store:
        patient = store.add_patient(Patient(name="Shared Clinic"))
        store.add_block(patient.id, setup)
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WRITERS)
    writers = [
        context.Process(target=_append_entries, args=(postgres_url, setup.id, offset, start))
        for offset in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
    assert [w.exitcode for w in writers] == [0] * WRITERS

    with open_store(postgres_url) as store:
        check = store.check_audit_trail()
        trail = store.audit_trail()
        loaded: Block = store.get_block(setup.id)
    assert check.intact, check
    assert check.records == 2 + WRITERS * ENTRIES_EACH
    assert len(trail) == check.records
    assert len(loaded.entries) == WRITERS * ENTRIES_EACH
    assert [r.action for r in trail].count("add_entry") == WRITERS * ENTRIES_EACH
    # Each entry recorded once (check.intact already says seq runs 1..N with no gap or repeat).
    assert len({r.object_id for r in trail if r.action == "add_entry"}) == WRITERS * ENTRIES_EACH


def _open_new_database_and_add_a_patient(url: str, name: str, start: Any) -> None:
    """One client opening a database nobody has set up yet: it migrates it on open."""
    start.wait(60)
    with open_store(url) as store:
        store.add_patient(Patient(name=name))


@pytest.mark.slow
def test_clients_opening_a_new_database_at_once_set_it_up_once(postgres_url: str) -> None:
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(WRITERS)
    clients = [
        context.Process(
            target=_open_new_database_and_add_a_patient, args=(postgres_url, f"Client {n}", start)
        )
        for n in range(WRITERS)
    ]
    for client in clients:
        client.start()
    for client in clients:
        client.join(120)
    assert [c.exitcode for c in clients] == [0] * WRITERS
    with open_store(postgres_url) as store:
        assert sorted(p.name for p in store.list_patients()) == [
            f"Client {n}" for n in range(WRITERS)
        ]
        assert store.check_audit_trail().intact
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    finally:
        engine.dispose()
    assert [tuple(v) for v in versions] == [(next(iter(head_revisions())),)]


def test_verify_names_a_record_changed_on_the_server(postgres_url: str) -> None:
    diary = sample_diary()
    with open_store(postgres_url) as store:
        store.import_diary(diary, source_name="sample.json")
        assert store.load_diary(diary.patient.id) == sorted_diary(diary)
        assert store.check_audit_trail().intact
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit SET reason = 'edited' WHERE seq = 3"))
    finally:
        engine.dispose()
    with open_store(postgres_url) as store:
        check = store.check_audit_trail()
    assert check.first_break is not None
    assert check.first_break.seq == 3
    assert "changed" in check.first_break.problem
