"""Guarantee 4, one writer: a second window on the same diary is told it is open elsewhere (a lock
the OS releases on a crash, so kill -9 never leaves a stale lock); headless commands wait for
SQLite's lock instead and proceed; a read-only file or a full disk is a plain message and loses
nothing already saved."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import T0, big_diary, integrity
from sqlalchemy import event

from paintrack import cli
from paintrack.clinical.model import Entry
from paintrack.errors import UserError
from paintrack.exchange.diary_json import write_diary_file
from paintrack.store import Store, open_store
from paintrack.store.lock import DiaryInUse, DiaryLock, lock_path

# Holds the diary lock like a window does, and writes entries while holding it.
HOLDER = textwrap.dedent(
    """
    import sys, time
    from datetime import timedelta
    from pathlib import Path
    from paintrack.store import open_store
    from paintrack.store.lock import DiaryLock
    from paintrack.clinical.model import Entry

    db = Path(sys.argv[1])
    lock = DiaryLock(db).acquire()
    store = open_store(str(db))
    (patient,) = store.list_patients()
    block = store.load_diary(patient.id).blocks[0]
    print("locked", flush=True)
    n = 0
    while True:
        at = block.performed_at + timedelta(hours=30, seconds=n)
        store.add_entry(block.id, Entry(at=at, recorded_at=at, scores={"index": 3}))
        n += 1
        time.sleep(0.01)
    """
)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "diary.db"
    with open_store(str(path)) as store:
        store.import_diary(big_diary("One Writer", blocks=1, entries_per_block=5), source_name="x")
    return path


@pytest.fixture
def holder(db: Path, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    script = tmp_path / "holder.py"
    script.write_text(HOLDER, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, str(script), str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == b"locked", process.stderr
    try:
        yield process
    finally:
        process.kill()
        process.wait(timeout=30)
        process.stdout.close()
        assert process.stderr is not None
        process.stderr.close()


def test_a_second_window_is_told_the_diary_is_open_elsewhere(
    db: Path, holder: subprocess.Popen[bytes]
) -> None:
    with pytest.raises(DiaryInUse) as raised:
        DiaryLock(db).acquire()
    message = raised.value.message
    assert message.startswith("This diary is already open in another paintrack window")
    assert str(db) in message
    assert raised.value.path == db


def test_kill_9_of_the_holder_leaves_no_stale_lock(
    db: Path, holder: subprocess.Popen[bytes]
) -> None:
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=30)
    assert lock_path(db).exists()  # the file stays; the lock on it went with the process
    lock = DiaryLock(db).acquire()
    assert lock.held
    lock.release()
    assert integrity(db) == ["ok"]


def test_two_locks_in_one_process_also_exclude_each_other(db: Path) -> None:
    with DiaryLock(db), pytest.raises(DiaryInUse):
        DiaryLock(db).acquire()
    with DiaryLock(db) as again:  # released on leaving the block
        assert again.held


def test_headless_import_proceeds_while_a_window_writes(
    db: Path, holder: subprocess.Popen[bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Decision: headless commands do not take the window's lock; SQLite serialises the short
    write transactions (WAL, busy timeout), so an import waits a moment and then goes in."""
    extra = big_diary("Imported Meanwhile", blocks=3, entries_per_block=100)
    file = tmp_path / "extra.json"
    write_diary_file(extra, file)
    assert cli.main(["import", str(file), "--db", str(db)]) == 0
    assert "Imported Imported Meanwhile" in capsys.readouterr().out
    holder.kill()
    holder.wait(timeout=30)
    with open_store(str(db)) as store:
        names = [p.name for p in store.list_patients()]
        assert names == ["Imported Meanwhile", "One Writer"]
        written = store.load_diary(store.resolve_patient("One Writer").id).blocks[0].entries
        assert len(written) > 5  # the window's own entries went in too
        assert store.check_audit_trail().intact


def test_restore_is_refused_while_a_window_has_the_diary_open(
    db: Path, holder: subprocess.Popen[bytes], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["backup", "--db", str(db)]) == 0
    backup = capsys.readouterr().out.strip().split(" to ")[-1]
    assert cli.main(["restore", backup, "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert "already open in another paintrack window" in err
    assert "Nothing was changed" in err
    assert not list(db.parent.glob("*.before-restore-*"))


def _cap(store: Store, pragma: str) -> Any:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(pragma)

    event.listen(store._engine, "connect", apply)
    store._engine.dispose()
    return apply


def _uncap(store: Store, listener: Any) -> None:
    event.remove(store._engine, "connect", listener)
    store._engine.dispose()


def test_a_read_only_diary_gives_a_clear_message_and_loses_nothing(db: Path) -> None:
    """Tests run as root, where chmod does not stop writes; SQLite's query_only makes the same
    "attempt to write a readonly database" error a read-only file or folder gives."""
    with open_store(str(db)) as store:
        (patient,) = store.list_patients()
        before = store.load_diary(patient.id)
        block = before.blocks[0]
        listener = _cap(store, "PRAGMA query_only = ON")
        at = T0 + timedelta(hours=9)
        with pytest.raises(UserError) as raised:
            store.add_entry(block.id, Entry(at=at, recorded_at=at, scores={"index": 2}))
        assert "read-only" in raised.value.message
        assert str(db) in raised.value.message
        _uncap(store, listener)
        assert store.load_diary(patient.id) == before


def test_a_full_disk_while_saving_entries_loses_nothing_already_saved(db: Path) -> None:
    """SQLite's own "database or disk is full", by capping the file's size in pages."""
    with open_store(str(db)) as store:
        (patient,) = store.list_patients()
        block = store.load_diary(patient.id).blocks[0]
        with store._engine.connect() as connection:
            pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar_one())
        listener = _cap(store, f"PRAGMA max_page_count = {pages + 20}")
        saved: list[str] = []
        with pytest.raises(UserError) as raised:
            for n in range(5000):
                at = T0 + timedelta(hours=20, minutes=n)
                note = "a long note " * 40
                entry = Entry(at=at, recorded_at=at, scores={"index": n % 11}, note=note)
                saved.append(store.add_entry(block.id, entry).id)
        assert "disk is full" in raised.value.message
        assert "nothing already saved was lost" in raised.value.message
        assert saved  # some entries went in before the disk filled up
        _uncap(store, listener)
        stored = {e.id for e in store.load_diary(patient.id).blocks[0].entries}
        assert set(saved) <= stored
        assert len(stored) == 5 + len(saved)
        assert store.check_audit_trail().intact
    assert integrity(db) == ["ok"]


def _count_entries_from_another_process(db: Path) -> int:
    """What another program (paintrack analyze, a backup tool) sees: it opens the file with
    SQLite, reads, and closes, the last of its connections."""
    reader = (
        "import sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1])\n"
        "print(c.execute('SELECT count(*) FROM entries').fetchone()[0])\n"
        "c.close()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", reader, str(db)], capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_opening_the_diary_again_in_the_window_process_keeps_its_saves_visible(
    db: Path,
) -> None:
    """The window opens its diary a second time (to export a PDF) while it keeps it open.
    SQLite's locks belong to the process: if that second open read the file's bytes outside
    SQLite, closing that read would drop the window's locks; another program's connection would
    then think itself the last one and delete the write-ahead log, and every score the window
    confirmed after that would be written into a deleted file: lost, and invisible meanwhile."""
    diary = big_diary("Open Twice", blocks=1, entries_per_block=2)
    with open_store(str(db)) as window:
        window.import_diary(diary, source_name="setup")
        saved = sum(
            len(b.entries) for p in window.list_patients() for b in window.load_diary(p.id).blocks
        )
        with open_store(str(db)) as export:  # as Export PDF does, in its worker thread
            assert export.list_patients()
        assert _count_entries_from_another_process(db) == saved
        assert Path(f"{db}-wal").exists()  # the other program left the log alone
        block = diary.blocks[0]
        at = block.performed_at + timedelta(hours=7)
        window.add_entry(block.id, Entry(at=at, recorded_at=at, scores={"index": 4}))
        # Confirmed: so another program sees it at once, not only after the window closes.
        assert _count_entries_from_another_process(db) == saved + 1
    assert _count_entries_from_another_process(db) == saved + 1
