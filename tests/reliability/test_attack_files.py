"""Attack findings 2, 10, 12, 14 and 15 (issue 11): no command writes over a database, its -wal or
-shm, or a backup; reading commands change nothing and open only regular files; leftovers of a
killed export, report or restore are removed at the next run, which says so; `import` refuses a
FIFO; a CSV cell starting with `;` is neutralised."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from reliability_helpers import big_diary, file_digest

from paintrack import cli
from paintrack.clinical.model import Diary, Entry
from paintrack.exchange.csv_export import diary_to_csv
from paintrack.exchange.diary_json import write_diary_file
from paintrack.store import open_store
from paintrack.store.backup import make_backup, restore_backup

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "paintrack.db"
    with open_store(str(path)) as store:
        store.import_diary(big_diary("Jane Attack", blocks=1, entries_per_block=5), source_name="x")
    return path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- 2: never over a database, its -wal/-shm, or a backup ----------


@pytest.mark.parametrize("command", ["report", "export", "export-csv"])
@pytest.mark.parametrize("victim", ["diary", "wal", "shm", "backup", "symlink"])
def test_attack_no_command_writes_over_the_database_or_a_backup_even_with_force(
    db: Path, tmp_path: Path, command: str, victim: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Keep the diary open (so its -wal and -shm exist) while the command runs.
    with open_store(str(db)) as holder:
        holder.list_patients()
        backup = make_backup(db, now=NOW)
        link = tmp_path / "link.pdf"
        link.symlink_to(db)
        target = {
            "diary": db,
            "wal": Path(f"{db}-wal"),
            "shm": Path(f"{db}-shm"),
            "backup": backup,
            "symlink": link,
        }[victim]
        assert target.exists()
        before = file_digest(target)
        argv = {
            "report": ["report", "--patient", "Jane Attack", "-o", str(target), "--force"],
            "export": ["export", str(target), "--force"],
            "export-csv": ["export", "--csv", str(target), "--force"],
        }[command]
        assert cli.main(["--db", str(db), *argv]) == 2
        assert file_digest(target) == before
    err = capsys.readouterr().err
    assert "cannot be written over" in err
    assert "Choose another file name" in err
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith((".part", ".tmp"))] == []


# -- 10: reading commands change nothing, open only regular files ----------


READERS = [
    ["verify"],
    ["export", "{out}"],
    ["analyze", "--patient", "Jane Attack"],
    ["report", "--patient", "Jane Attack", "-o", "{out}"],
]


@pytest.mark.parametrize("argv", READERS, ids=lambda a: a[0])
def test_attack_reading_commands_never_chmod_or_set_up_an_empty_file(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    empty.chmod(0o644)
    out = tmp_path / "out.file"
    code = cli.main(["--db", str(empty), *[a.format(out=out) for a in argv]])
    assert code == 2
    assert empty.stat().st_size == 0  # no schema written into it
    assert _mode(empty) == 0o644  # not chmodded
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db"]
    assert "empty file" in capsys.readouterr().err


@pytest.mark.parametrize("argv", READERS, ids=lambda a: a[0])
def test_attack_reading_commands_refuse_a_fifo_untouched(
    tmp_path: Path, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo, 0o644)
    out = tmp_path / "out.file"
    assert cli.main(["--db", str(fifo), *[a.format(out=out) for a in argv]]) == 2
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert _mode(fifo) == 0o644
    assert "it is a pipe, not a diary file" in capsys.readouterr().err


def test_attack_a_writer_refuses_a_special_file_instead_of_chmodding_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """/dev/null looks "empty", so today a writer chmods it to 0600 (and sets it up as a diary).
    A FIFO stands in for it here: the machine's own /dev/null must not be risked by a test."""
    fifo = tmp_path / "device.db"
    os.mkfifo(fifo)
    fifo.chmod(0o666)
    file = tmp_path / "d.json"
    write_diary_file(big_diary("Someone", blocks=1, entries_per_block=2), file)
    assert cli.main(["--db", str(fifo), "import", str(file)]) == 2
    assert _mode(fifo) == 0o666
    assert "not a diary file" in capsys.readouterr().err


def test_attack_reading_commands_do_not_migrate_an_old_diary(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    raw = sqlite3.connect(db)
    with raw:
        raw.execute("UPDATE alembic_version SET version_num = '0001'")
        raw.execute("PRAGMA application_id = 0")
    raw.close()
    before = file_digest(db)
    assert cli.main(["--db", str(db), "export", str(db.parent / "o.json")]) == 2
    assert "older paintrack" in capsys.readouterr().err
    assert file_digest(db) == before
    assert not (db.parent / "o.json").exists()


def test_attack_reading_commands_leave_no_lock_or_wal_behind(db: Path, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    digest = file_digest(db)
    assert cli.main(["--db", str(db), "verify"]) == 0
    assert cli.main(["--db", str(db), "analyze", "--patient", "Jane Attack"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert file_digest(db) == digest


# -- 12: kill -9 leftovers removed at the next run, and said ----------


def test_attack_a_killed_exports_leftover_is_removed_at_the_next_export(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.json"
    leftover = tmp_path / ".out.json.k1l2l3d4.tmp"
    leftover.write_bytes(b'{"format": "paintrack-diary", "patient": {"name": "Jane Attack"')
    unrelated = tmp_path / ".other.json.k1l2l3d4.tmp"
    unrelated.write_bytes(b"not ours")
    assert cli.main(["--db", str(db), "export", str(out)]) == 0
    assert not leftover.exists()
    assert unrelated.exists()  # another file's partial is not this export's business
    assert f"removed {leftover}" in capsys.readouterr().err
    assert out.exists()


def test_attack_a_killed_reports_leftover_is_removed_at_the_next_report(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.pdf"
    leftover = tmp_path / ".r.pdf.abcd1234.part"
    leftover.write_bytes(b"%PDF-1.4 half a report")
    assert cli.main(["--db", str(db), "report", "--patient", "Jane Attack", "-o", str(out)]) == 0
    assert not leftover.exists()
    assert f"removed {leftover}" in capsys.readouterr().err


def test_attack_a_partial_still_being_written_is_left_alone(tmp_path: Path) -> None:
    from paintrack.paths import clear_leftovers, hold_partial

    partial = tmp_path / ".r.pdf.busy0001.part"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        hold_partial(fd)
        assert clear_leftovers(tmp_path / "r.pdf", ".part") == []
        assert partial.exists()
    finally:
        os.close(fd)
    assert clear_leftovers(tmp_path / "r.pdf", ".part") == [partial]


def test_attack_a_killed_restores_aside_copy_is_removed_at_the_next_restore(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = make_backup(db, now=NOW)
    leftover = tmp_path / ".paintrack.db.aside-0123456789abcdef.db"
    leftover.write_bytes(db.read_bytes())
    restoring = tmp_path / ".paintrack.db.restoring-0123456789abcdef.db"
    restoring.write_bytes(b"half")
    assert cli.main(["--db", str(db), "restore", str(backup), "--yes"]) == 0
    assert not leftover.exists()
    assert not restoring.exists()
    err = capsys.readouterr().err
    assert f"removed {leftover}" in err
    assert f"removed {restoring}" in err
    again = restore_backup(db, backup, now=NOW)
    assert again.removed_leftovers == ()


# -- 14: import from a FIFO ----------


def test_attack_import_from_a_fifo_is_refused_at_once(db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "diary.json"
    os.mkfifo(fifo)
    before = file_digest(db)
    # Today's code blocks forever in open(); the timeout only keeps a failure from hanging CI.
    result = subprocess.run(
        [sys.executable, "-m", "paintrack", "--db", str(db), "import", str(fifo)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "is a pipe (FIFO), not a diary file" in result.stderr
    assert "Nothing was imported" in result.stderr
    assert file_digest(db) == before


# -- 15: CSV ----------


def test_attack_a_csv_cell_starting_with_a_semicolon_is_neutralised(db: Path) -> None:
    diary = big_diary("Semi Colon", blocks=1, entries_per_block=1)
    block = diary.blocks[0]
    entry = block.entries[0]
    poisoned = Entry(at=entry.at, recorded_at=entry.recorded_at, scores=entry.scores, note=";=1+1")
    from dataclasses import replace

    text = diary_to_csv(Diary(diary.patient, (replace(block, entries=(poisoned,)),)))
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["note"] == "';=1+1"
    # Quoted too, like any cell holding a semicolon, so no reader cuts it at the ";".
    (data_line,) = text.splitlines()[1:]
    assert ',"\';=1+1"' in data_line
