"""Guarantee 3, backups: SQLite's online backup into a private `backups` folder beside the diary,
at most once a day on start, 7 daily + 4 weekly kept; `paintrack backup`, `paintrack restore`
(the current file saved aside first, never a half-restored diary)."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from forked_writers import Zygote
from reliability_helpers import big_diary, file_digest, integrity, raw_query

from paintrack import cli
from paintrack.errors import UserError
from paintrack.store import RefusedDatabase, open_store
from paintrack.store.backup import (
    DAILY,
    MANUAL,
    Backup,
    backups_dir,
    backups_to_remove,
    daily_backup,
    list_backups,
    make_backup,
    restore_backup,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _patients(path: Path) -> list[str]:
    with open_store(str(path)) as store:
        return [p.name for p in store.list_patients()]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "clinic" / "paintrack.db"
    with open_store(str(path)) as store:
        store.import_diary(big_diary("Before", blocks=2, entries_per_block=10), source_name="x")
    return path


def test_a_backup_is_a_private_self_contained_copy_beside_the_diary(db: Path) -> None:
    made = make_backup(db, now=NOW)
    assert made.parent == backups_dir(db) == db.parent / "backups"
    assert _mode(made.parent) == 0o700
    assert _mode(made) == 0o600
    assert not Path(f"{made}-wal").exists()
    assert raw_query(made, "PRAGMA journal_mode") == [("delete",)]
    assert integrity(made) == ["ok"]
    with open_store(str(db)) as live, open_store(str(made)) as copy:
        (patient,) = live.list_patients()
        assert copy.load_diary(patient.id) == live.load_diary(patient.id)
        assert copy.check_audit_trail().intact


def test_a_backup_while_another_writer_is_mid_transaction_has_only_committed_data(
    db: Path,
) -> None:
    writer = sqlite3.connect(db, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE patients SET name = 'uncommitted'")
        made = make_backup(db, now=NOW)
        writer.execute("ROLLBACK")
    finally:
        writer.close()
    assert _patients(made) == ["Before"]


def test_backups_folder_already_present_is_made_private(db: Path) -> None:
    folder = backups_dir(db)
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    make_backup(db, now=NOW)
    assert _mode(folder) == 0o700


def test_the_start_of_day_backup_runs_at_most_once_a_day(db: Path) -> None:
    new_york = timezone(timedelta(hours=-5))
    morning = datetime(2026, 11, 26, 8, 0, tzinfo=new_york)
    assert daily_backup(db, now=morning) is not None
    assert daily_backup(db, now=morning + timedelta(hours=12)) is None  # 20:00, same day
    # 01:00 UTC the next day is still the 26th in New York: no second backup
    assert daily_backup(db, now=morning + timedelta(hours=15, minutes=59)) is None
    assert daily_backup(db, now=morning + timedelta(days=1)) is not None
    assert [b.kind for b in list_backups(db)] == [DAILY, DAILY]


def test_a_manual_backup_does_not_count_as_the_days_backup(db: Path) -> None:
    make_backup(db, now=NOW)
    assert daily_backup(db, now=NOW + timedelta(minutes=1)) is not None


def test_rotation_keeps_7_daily_and_4_weekly_copies(db: Path) -> None:
    """Sixty days of starts (a fake clock), then: the last 7 days, and the newest backup of
    each of the 4 ISO weeks before them; manual backups are never removed."""
    first = datetime(2026, 9, 1, 8, 30, tzinfo=UTC)
    manual = make_backup(db, now=first - timedelta(days=30))
    for day in range(60):
        daily_backup(db, now=first + timedelta(days=day))
    kept = list_backups(db)
    assert manual in [b.path for b in kept]
    days = [b.made_at.date() for b in kept if b.kind == DAILY]
    last = (first + timedelta(days=59)).date()  # 2026-10-30, a Friday
    assert days[:7] == [last - timedelta(days=n) for n in range(7)]
    oldest_daily = days[6]  # 2026-10-24, Saturday of ISO week 43
    weekly = days[7:]
    assert len(weekly) == 4
    assert all(d < oldest_daily for d in weekly)
    # the newest of each ISO week older than the daily copies: Friday 23 October (week 43's
    # newest before the 24th), then the Sundays ending weeks 42, 41 and 40
    assert weekly == [date(2026, 10, 23), date(2026, 10, 18), date(2026, 10, 11), date(2026, 10, 4)]
    assert len({d.isocalendar()[:2] for d in weekly}) == 4


def test_rotation_picks_the_newest_of_a_day_and_ignores_manual_copies() -> None:
    def backup(hours: float, kind: str = DAILY) -> Backup:
        made = NOW + timedelta(hours=hours)
        return Backup(Path(f"/b/{kind}-{hours}.db"), made, kind)

    backups = [backup(0), backup(1), backup(-24), backup(-48, MANUAL)]
    removed = backups_to_remove(backups, tz=UTC, keep_daily=1, keep_weekly=0)
    assert {b.path.name for b in removed} == {"daily-0.db", "daily--24.db"}


def test_backups_of_another_diary_in_the_same_folder_are_not_listed(db: Path) -> None:
    other = db.parent / "other.db"
    open_store(str(other)).close()
    make_backup(other, now=NOW)
    mine = make_backup(db, now=NOW + timedelta(seconds=1))
    assert [b.path for b in list_backups(db)] == [mine]


def test_list_is_newest_first(db: Path) -> None:
    made = [make_backup(db, now=NOW + timedelta(hours=h)) for h in (2, 0, 1)]
    assert [b.path for b in list_backups(db)] == [made[0], made[2], made[1]]


def test_backup_command_says_where(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["backup", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    (made,) = list_backups(db)
    assert out.strip() == f"Backed up {db} to {made.path}"
    assert cli.main(["backup", "--list", "--db", str(db)]) == 0
    assert str(made.path) in capsys.readouterr().out


def test_backing_up_a_missing_or_foreign_file_is_refused_untouched(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no diary"):
        make_backup(tmp_path / "missing.db", now=NOW)
    foreign = tmp_path / "notes.sqlite"
    with sqlite3.connect(foreign) as raw:
        raw.execute("CREATE TABLE notes (body TEXT)")
    raw.close()
    before = file_digest(foreign)
    with pytest.raises(RefusedDatabase):
        make_backup(foreign, now=NOW)
    assert file_digest(foreign) == before
    assert not backups_dir(foreign).exists() or not list(backups_dir(foreign).iterdir())


# -- restore ------------------------------------------------------------------------------------


def _change(db: Path) -> None:
    with open_store(str(db)) as store:
        store.import_diary(big_diary("After", blocks=1, entries_per_block=3), source_name="y")


def test_restore_puts_the_backup_back_and_keeps_the_current_file_aside(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = make_backup(db, now=NOW)
    _change(db)
    assert cli.main(["restore", str(backup), "--db", str(db), "--yes"]) == 0
    out = capsys.readouterr().out
    assert "This backup holds 1 patient, 2 blocks and 20 entries (the newest of " in out
    assert "Your diary now holds 2 patients, 3 blocks and 23 entries (the newest of " in out
    assert f"Restored {db} from {backup}" in out
    (aside,) = db.parent.glob("paintrack.db.before-restore-*")
    assert f"kept in {aside}" in out
    assert _mode(aside) == 0o600
    assert _patients(db) == ["Before"]
    assert _patients(aside) == ["After", "Before"]  # nothing is lost by restoring
    assert raw_query(db, "PRAGMA journal_mode") == [("wal",)]
    assert cli.main(["verify", "--db", str(db)]) == 0


def _newest(path: Path) -> str:
    with open_store(str(path)) as store:
        newest = max(
            entry.at
            for patient in store.list_patients()
            for block in store.load_diary(patient.id).blocks
            for entry in block.entries
        )
    return newest.astimezone().strftime("%d %b %Y %H:%M").lstrip("0")


def test_restoring_an_emptier_backup_says_so_and_changes_nothing_without_yes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "clinic" / "paintrack.db"
    open_store(str(db)).close()
    empty = make_backup(db, now=NOW)  # made on the first start, before any entry
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Jane", blocks=1, entries_per_block=8), source_name="x")
    before = file_digest(db)
    assert cli.main(["--db", str(db), "restore", str(empty)]) == 2
    out, err = capsys.readouterr()
    assert out == (
        "This backup holds 0 patients, 0 blocks and 0 entries.\n"
        f"Your diary now holds 1 patient, 1 block and 8 entries (the newest of {_newest(db)}).\n"
    )
    assert err == (
        "paintrack: This backup holds 0 entries; your diary now holds 8. Nothing was changed. "
        f"To restore it anyway: paintrack --db {db} restore {empty} --yes\n"
    )
    assert file_digest(db) == before
    assert not list(db.parent.glob("*.before-restore-*"))
    assert _patients(db) == ["Jane"]


@pytest.mark.parametrize(("answer", "code", "patients"), [("y", 0, []), ("", 2, ["Jane"])])
def test_on_a_terminal_restoring_an_emptier_backup_asks_first(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    patients: list[str],
) -> None:
    db = tmp_path / "paintrack.db"
    open_store(str(db)).close()
    empty = make_backup(db, now=NOW)
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Jane", blocks=1, entries_per_block=3), source_name="x")
    asked: list[str] = []
    monkeypatch.setattr("paintrack.commands.restore._on_terminal", lambda: True)
    monkeypatch.setattr("builtins.input", lambda question: asked.append(question) or answer)
    assert cli.main(["--db", str(db), "restore", str(empty)]) == code
    out, err = capsys.readouterr()
    assert "This backup holds 0 entries; your diary now holds 3.\n" in out
    assert asked == ["Restore it anyway? Your diary as it is now is kept aside. [y/N] "]
    assert _patients(db) == patients
    if code:
        assert err == "paintrack: Nothing was changed.\n"


def test_restore_over_a_damaged_diary_keeps_the_damaged_bytes_aside(db: Path) -> None:
    backup = make_backup(db, now=NOW)
    db.write_bytes(b"scribbled over by something" * 100)
    damaged = file_digest(db)
    restored = restore_backup(db, backup, now=NOW + timedelta(hours=1))
    assert _patients(db) == ["Before"]
    (aside,) = restored.saved_aside
    assert file_digest(aside) == damaged


def test_restore_into_a_missing_diary(db: Path) -> None:
    backup = make_backup(db, now=NOW)
    for leftover in db.parent.glob("paintrack.db*"):
        leftover.unlink()
    assert restore_backup(db, backup, now=NOW).saved_aside == ()
    assert _patients(db) == ["Before"]
    assert _mode(db) == 0o600


@pytest.mark.parametrize("kind", ["not_sqlite", "foreign", "newer", "empty", "truncated"])
def test_a_backup_that_is_not_a_sound_paintrack_database_is_refused(
    db: Path, tmp_path: Path, kind: str
) -> None:
    bad = tmp_path / f"{kind}.db"
    if kind == "not_sqlite":
        bad.write_text("hello")
    elif kind == "foreign":
        with sqlite3.connect(bad) as raw:
            raw.execute("CREATE TABLE notes (body TEXT)")
        raw.close()
    elif kind == "newer":
        made = make_backup(db, now=NOW)
        with sqlite3.connect(made) as raw:
            raw.execute("UPDATE alembic_version SET version_num = '9999'")
        raw.close()
        made.rename(bad)
    elif kind == "empty":
        sqlite3.connect(bad).close()
        bad.write_bytes(b"")
    else:
        made = make_backup(db, now=NOW)
        bad.write_bytes(made.read_bytes()[:5000])
    before = file_digest(db)
    with pytest.raises(UserError) as refused:
        restore_backup(db, bad, now=NOW)
    assert file_digest(db) == before
    assert not list(db.parent.glob("*.before-restore-*"))
    # The advice is about the backup given, never "choose another file with --db".
    assert "choose another backup" in refused.value.message
    assert "--db" not in refused.value.message


def test_a_failure_before_the_rename_leaves_the_damaged_diary_in_place(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = make_backup(db, now=NOW)
    db.write_bytes(b"damaged" * 1000)
    damaged = file_digest(db)

    def full_disk(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("paintrack.store.backup.os.replace", full_disk)
    with pytest.raises(UserError, match="No space left"):
        restore_backup(db, backup, now=NOW)
    assert file_digest(db) == damaged
    assert not [p for p in db.parent.iterdir() if ".restoring-" in p.name]


RESTORER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from paintrack.store.backup import restore_backup
print("go", flush=True)
restore_backup(Path(sys.argv[1]), Path(sys.argv[2]), now=datetime.now(UTC))
print("done", flush=True)
"""


@pytest.mark.slow
def test_kill_9_during_restore_leaves_the_old_diary_or_the_restored_one(tmp_path: Path) -> None:
    db = tmp_path / "paintrack.db"
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Backed Up", blocks=4, entries_per_block=300), source_name="x")
    backup = make_backup(db, now=NOW)
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Newer", blocks=1, entries_per_block=2), source_name="y")
    script = tmp_path / "restorer.py"
    script.write_text(RESTORER, encoding="utf-8")
    seen = set()
    with Zygote(["paintrack.store.backup"], tmp_path / "restorers") as zygote:
        for delay in (0.0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.08, 0.12):
            process = zygote.start([str(script), str(db), str(backup)])
            assert process.wait_ready(timeout=30, line="go"), process.stderr
            process.kill_after(delay)
            assert process.lines in (["go"], ["go", "done"]), process.stderr
            assert integrity(db) == ["ok"]
            names = _patients(db)
            assert names in (["Backed Up"], ["Backed Up", "Newer"])
            seen.add(tuple(names))
            with open_store(str(db)) as store:
                assert store.check_audit_trail().intact
            if names == ["Backed Up"]:  # restored: put the newer state back for the next round
                with open_store(str(db)) as store:
                    store.import_diary(
                        big_diary("Newer", blocks=1, entries_per_block=2), source_name="y"
                    )
    assert len(seen) >= 1
    # every restore that got as far as saving the old diary aside kept it, under its own name
    asides = list(tmp_path.glob("paintrack.db.before-restore-*"))
    assert len(asides) == len(set(asides))
    # and each copy set aside is complete (never a half copy under that name)
    for aside in asides:
        assert integrity(aside) == ["ok"]
        assert "Newer" in " ".join(_patients(aside))


def test_two_restores_in_the_same_second_keep_both_earlier_copies(db: Path) -> None:
    backup = make_backup(db, now=NOW)
    first = restore_backup(db, backup, now=NOW).saved_aside
    second = restore_backup(db, backup, now=NOW).saved_aside
    assert first != second
    assert all(path.exists() for path in first + second)


def test_a_backup_cut_off_half_way_is_never_listed_and_is_cleaned_up(db: Path) -> None:
    folder = backups_dir(db)
    make_backup(db, now=NOW)
    stale = folder / ".partial-0123456789abcdef.db"
    stale.write_bytes(b"SQLite format 3\x00 half a copy")
    fresh = folder / ".partial-fedcba9876543210.db"  # another backup, in progress right now
    fresh.write_bytes(b"SQLite format 3\x00 being written")
    hour_ago = NOW.timestamp() - 2 * 3600
    os.utime(stale, (hour_ago, hour_ago))
    os.utime(fresh, (NOW.timestamp(), NOW.timestamp()))
    assert len(list_backups(db)) == 1
    make_backup(db, now=NOW + timedelta(minutes=1))
    assert not stale.exists()
    assert fresh.exists()
    assert len(list_backups(db)) == 2
