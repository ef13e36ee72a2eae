"""Backups of a diary file and restoring one: SQLite's online backup API, never a file copy of a
live database (which can catch it half-written).

Backups live in a `backups` folder beside the database (0700, files 0600), named
`<diary stem>-<UTC time>-daily.db` (made on start, at most once a day) or `...-manual.db`
(`paintrack backup`). Rotation keeps the newest daily backup of each of the last 7 days that have
one, and the newest of each of the 4 weeks before those; manual backups are never removed.
The start-of-day backup is the window's (paintrack.ui.startup_problems), not the headless
commands': those run in scripts and pipes, often many times a day, and `paintrack backup` is
there for them.
A restore saves the current file aside first, and replaces the database in one SQLite
transaction, so a crash leaves either the old diary or the restored one, never a mixture.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from enum import StrEnum
from pathlib import Path

from paintrack import paths
from paintrack.errors import UserError
from paintrack.store.database import (
    BUSY_TIMEOUT_MS,
    PAINTRACK_TABLES,
    RefusalKind,
    RefusedDatabase,
    check_existing_sqlite_file,
    file_in_use,
    user_errors,
)
from paintrack.store.lock import DiaryLock, WritersLock, real_path

BACKUPS_FOLDER = "backups"


class BackupKind(StrEnum):
    """Made at the start of the day (kept by the daily and weekly rotation), or asked for."""

    DAILY = "daily"
    MANUAL = "manual"


DAILY = BackupKind.DAILY
MANUAL = BackupKind.MANUAL
KEEP_DAILY = 7
KEEP_WEEKLY = 4
_STAMP = "%Y%m%dT%H%M%S%fZ"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}T\d{12}Z)-(?P<kind>daily|manual)\.db$")


def backups_dir(db_path: Path) -> Path:
    """Where the backups of `db_path` live: a `backups` folder beside it."""
    return Path(db_path).absolute().parent / BACKUPS_FOLDER


@dataclass(frozen=True)
class Backup:
    path: Path
    made_at: datetime  # aware, UTC
    kind: BackupKind


def list_backups(db_path: Path) -> list[Backup]:
    """The backups of this diary (not of other diaries sharing the folder), newest first."""
    folder = backups_dir(db_path)
    stem = Path(db_path).stem
    found: list[Backup] = []
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    except OSError as error:
        raise UserError(f"Cannot read the backups folder {folder}: {error.strerror}.") from error
    for name in names:
        match = _NAME.match(name)
        if match is None or match["stem"] != stem:
            continue
        made_at = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=UTC)
        found.append(Backup(folder / name, made_at, BackupKind(match["kind"])))
    return sorted(found, key=lambda backup: (backup.made_at, backup.path.name), reverse=True)


def _temp_name(folder: Path, prefix: str) -> Path:
    # Created with O_EXCL by _copy_database, so a name that exists already fails, never clobbers.
    return folder / f"{prefix}{secrets.token_hex(8)}.db"


def _fsync_path(path: Path) -> None:
    flags = os.O_RDONLY
    try:
        fd = os.open(path, flags)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


def _private_folder(folder: Path) -> None:
    paths.ensure_private_dir(folder)
    os.chmod(folder, paths.DIR_MODE)


def _copy_database(source: sqlite3.Connection, target: Path) -> None:
    """Write a consistent, self-contained copy of `source` to a new file `target` (0600)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, paths.FILE_MODE)
    os.close(fd)
    os.chmod(target, paths.FILE_MODE)
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        source.backup(copy)
        # One file, no -wal beside it: a backup must be complete on its own.
        copy.execute("PRAGMA journal_mode = DELETE")
        (result,) = copy.execute("PRAGMA quick_check").fetchone()
        if result != "ok":
            raise UserError(f"The copy of the diary at {target} did not check out ({result}).")
    finally:
        copy.close()
    _fsync_path(target)


def _open_source(db_path: Path) -> sqlite3.Connection:
    if not db_path.exists():
        raise UserError(f"There is no diary at {db_path} to back up.")
    # A diary this process has open (the window's backup after a save) is never opened outside
    # SQLite: closing that descriptor would drop the window's locks (see file_in_use). It was
    # checked when it was opened.
    if not file_in_use(db_path):
        check_existing_sqlite_file(db_path)
    connection = sqlite3.connect(db_path, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return connection


PARTIAL_PREFIX = ".partial-"
# A partial copy older than this was left by a backup that was killed (one in progress is
# seconds old); it is never listed as a backup, and the next backup removes it.
STALE_PARTIAL_SECONDS = 3600


def _remove_stale_partials(folder: Path, now: datetime) -> None:
    try:
        names = [name for name in os.listdir(folder) if name.startswith(PARTIAL_PREFIX)]
    except OSError:
        return
    for name in names:
        path = folder / name
        with contextlib.suppress(OSError):
            if now.timestamp() - path.stat().st_mtime > STALE_PARTIAL_SECONDS:
                path.unlink()


def make_backup(db_path: Path, *, now: datetime, kind: BackupKind = MANUAL) -> Path:
    """Copy the diary into its backups folder now; returns the new backup's path.

    The copy is written under a temporary name, checked, flushed and only then renamed, so a
    backup cut off half-way is never listed as one."""
    db_path = Path(db_path).absolute()
    if now.tzinfo is None:
        raise ValueError("backup times must be aware")
    folder = backups_dir(db_path)
    stamp = now.astimezone(UTC).strftime(_STAMP)
    target = folder / f"{db_path.stem}-{stamp}-{kind}.db"
    with user_errors(str(db_path)):
        source = _open_source(db_path)
        temp: Path | None = None
        try:
            try:
                _private_folder(folder)
                _remove_stale_partials(folder, now)
                temp = _temp_name(folder, PARTIAL_PREFIX)
                _copy_database(source, temp)
                os.replace(temp, target)
                temp = None
                _fsync_path(folder)
            except OSError as error:
                raise UserError(
                    f"Could not back up {db_path} into {folder}: {error.strerror or error}. "
                    "Free some space or check the folder's permissions; the diary itself is "
                    "unchanged."
                ) from error
        finally:
            source.close()
            if temp is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
    return target


def backups_to_remove(
    backups: Sequence[Backup],
    *,
    tz: tzinfo | None,
    keep_daily: int = KEEP_DAILY,
    keep_weekly: int = KEEP_WEEKLY,
) -> list[Backup]:
    """The daily backups rotation removes: keep the newest of each of the `keep_daily` most
    recent days that have one, then the newest of each of the `keep_weekly` most recent ISO
    weeks older than those days. Days and weeks are in the time zone `tz`. Manual backups are
    never removed."""
    daily = sorted((b for b in backups if b.kind == DAILY), key=lambda b: b.made_at, reverse=True)

    def local_day(backup: Backup) -> date:
        return backup.made_at.astimezone(tz).date()

    keep: set[Path] = set()
    days: list[date] = []
    for backup in daily:
        day = local_day(backup)
        if day in days:
            continue
        if len(days) == keep_daily:
            break
        days.append(day)
        keep.add(backup.path)
    oldest_day = days[-1] if days else None
    weeks: list[tuple[int, int]] = []
    for backup in daily:
        day = local_day(backup)
        if oldest_day is None or day >= oldest_day:
            continue
        week = day.isocalendar()[:2]
        if week in weeks:
            continue
        if len(weeks) == keep_weekly:
            break
        weeks.append((week[0], week[1]))
        keep.add(backup.path)
    return [backup for backup in daily if backup.path not in keep]


def rotate(db_path: Path, *, now: datetime) -> list[Path]:
    """Remove the daily backups the rotation no longer keeps; returns what was removed."""
    removed: list[Path] = []
    for backup in backups_to_remove(list_backups(db_path), tz=now.tzinfo):
        with contextlib.suppress(FileNotFoundError):
            backup.path.unlink()
            removed.append(backup.path)
    return removed


def daily_backup(db_path: Path, *, now: datetime) -> Path | None:
    """The start-of-day backup: make one unless a daily backup already exists for `now`'s day
    (in `now`'s time zone), then rotate. Returns the new backup, or None if one was not due."""
    today = now.date()
    for backup in list_backups(db_path):
        if backup.kind == DAILY and backup.made_at.astimezone(now.tzinfo).date() == today:
            return None
    made = make_backup(db_path, now=now, kind=DAILY)
    rotate(db_path, now=now)
    return made


# ---------------------------------------------------------------------------------------------
# Restoring


def check_backup_file(backup: Path) -> None:
    """Refuse (UserError) anything that is not a sound paintrack database this version opens."""
    if not backup.is_file():
        raise UserError(f"There is no backup file at {backup}.")
    try:
        check_existing_sqlite_file(backup)  # not SQLite, damaged, another app's, newer paintrack
    except RefusedDatabase as refused:
        # The opening checks' advice is about the diary (--db); here the file is the backup.
        what = refused.message.split(" This file was not changed.")[0]
        raise RefusedDatabase(
            f"{what} It cannot be restored, and nothing was changed; choose another backup "
            "(paintrack backup --list shows this diary's backups).",
            kind=refused.kind,
            path=refused.path,
        ) from None
    connection = sqlite3.connect(f"file:{backup.absolute()}?mode=ro&immutable=1", uri=True)
    try:
        tables = {
            str(name)
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        problems = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    except sqlite3.DatabaseError as error:
        raise RefusedDatabase(
            f"{backup} is damaged ({error}); choose another backup.",
            kind=RefusalKind.DAMAGED,
            path=backup,
        ) from error
    finally:
        connection.close()
    if not tables >= PAINTRACK_TABLES:
        raise RefusedDatabase(
            f"{backup} is an empty database, not a paintrack backup; choose another backup.",
            kind=RefusalKind.FOREIGN,
            path=backup,
        )
    if problems != ["ok"]:
        raise RefusedDatabase(
            f"{backup} is damaged ({'; '.join(problems[:3])}); choose another backup.",
            kind=RefusalKind.DAMAGED,
            path=backup,
        )


def aside_path(db_path: Path, now: datetime) -> Path:
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    candidate = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
    number = 1
    while candidate.exists() or Path(f"{candidate}-wal").exists():
        number += 1  # two restores within a second: never overwrite an earlier copy
        candidate = db_path.with_name(f"{db_path.name}.before-restore-{stamp}-{number}")
    return candidate


@dataclass(frozen=True)
class DiarySummary:
    """What a diary file holds, said before a restore replaces one diary by another."""

    patients: int
    blocks: int
    entries: int  # live entries (deleted ones are hidden from the diary)
    newest_entry: datetime | None  # the latest moment an entry rates (UTC), None if none

    def describe(self, tz: tzinfo | None = None) -> str:
        """ "1 patient, 2 blocks and 20 entries (the newest of 3 Mar 2026 09:00)"."""

        def count(number: int, one: str, many: str) -> str:
            return f"{number} {one if number == 1 else many}"

        text = (
            f"{count(self.patients, 'patient', 'patients')}, "
            f"{count(self.blocks, 'block', 'blocks')} and "
            f"{count(self.entries, 'entry', 'entries')}"
        )
        if self.newest_entry is not None:
            when = self.newest_entry.astimezone(tz).strftime("%d %b %Y %H:%M").lstrip("0")
            text += f" (the newest of {when})"
        return text


def summarize_diary(path: Path, *, immutable: bool = False) -> DiarySummary | None:
    """Count what the diary file at `path` holds, read-only; None when it cannot be read (missing,
    damaged, not paintrack's). `immutable` for a backup, which nothing else writes to; a live
    diary is read normally, so what is still in its -wal counts too."""
    if not path.is_file():
        return None
    mode = "ro&immutable=1" if immutable else "ro"
    try:
        connection = sqlite3.connect(f"file:{path.absolute()}?mode={mode}", uri=True)
    except sqlite3.Error:
        return None
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        ((patients,),) = connection.execute("SELECT count(*) FROM patients").fetchall()
        ((blocks,),) = connection.execute("SELECT count(*) FROM blocks").fetchall()
        ((entries, newest),) = connection.execute(
            "SELECT count(*), max(at) FROM entries WHERE deleted = 0"
        ).fetchall()
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    newest_entry = None
    if newest is not None:
        try:
            newest_entry = datetime.fromisoformat(str(newest)).replace(tzinfo=UTC)
        except ValueError:
            newest_entry = None
    return DiarySummary(int(patients), int(blocks), int(entries), newest_entry)


# Called by restore_backup with what the backup holds and what the diary holds now (None when it
# cannot be read), once the diary is locked and before anything changes; raise UserError to stop.
ConfirmRestore = Callable[[DiarySummary, "DiarySummary | None"], None]


@dataclass(frozen=True)
class Restored:
    db_path: Path
    saved_aside: tuple[Path, ...]  # the previous diary (and its -wal), kept; empty if none
    # Partial copies an interrupted (killed) restore of this diary had left, removed now.
    removed_leftovers: tuple[Path, ...] = ()


ASIDE_PARTIAL = ".aside-"
RESTORING_PARTIAL = ".restoring-"


def _remove_restore_leftovers(db_path: Path) -> tuple[Path, ...]:
    """The hidden copies a restore killed half-way leaves beside the diary (`.<name>.aside-*.db`,
    `.<name>.restoring-*.db`, and their journals). Called with the diary's lock and its writers'
    lock held, so no other restore of it can be writing one."""
    removed: list[Path] = []
    pattern = re.compile(
        rf"^\.{re.escape(db_path.name)}(?:{re.escape(ASIDE_PARTIAL)}|{re.escape(RESTORING_PARTIAL)})"
        r"[0-9a-f]+\.db(?:-journal|-wal|-shm)?$"
    )
    try:
        names = sorted(os.listdir(db_path.parent))
    except OSError:
        return ()
    for name in names:
        if not pattern.match(name):
            continue
        path = db_path.parent / name
        with contextlib.suppress(OSError):
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
    return tuple(removed)


def _current_is_sound(db_path: Path) -> bool:
    if not db_path.exists() or db_path.stat().st_size == 0:
        return False
    try:
        check_existing_sqlite_file(db_path)
    except UserError:
        return False
    return True


def restore_backup(
    db_path: Path,
    backup: Path,
    *,
    now: datetime,
    confirm: ConfirmRestore | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> Restored:
    """Replace the diary at `db_path` by `backup`, after saving the current one aside.

    `confirm`, when given, is shown what the backup and the current diary hold once the diary is
    locked (so neither changes meanwhile) and may refuse by raising UserError: nothing changes.

    Refuses while a paintrack window has the diary open (DiaryInUse). When the current file is a
    sound paintrack database, the restore is one SQLite transaction into it (the online backup
    API, in reverse), so a crash half-way leaves the old diary; otherwise (the current file is
    damaged or missing) a complete copy is written beside it, flushed, then renamed over it.
    """
    # The real files: through a symlink, the diary is still the diary (its lock, its place).
    db_path = real_path(Path(db_path))
    backup = real_path(Path(backup))
    if backup == db_path:
        raise UserError("That is the diary itself, not a backup of it; choose a backup file.")
    check_backup_file(backup)
    writers = WritersLock(db_path)
    with DiaryLock(db_path).acquire(purpose="restore"), user_errors(str(db_path)):
        # Every other writer of the file (an import, ...) finishes first, and none starts until
        # the backup is in: what one commits is in the copy set aside or in the restored diary.
        writers.acquire(exclusive=True, on_wait=on_wait)
        try:
            return _restore_locked(db_path, backup, now, confirm)
        finally:
            writers.release()


def _restore_locked(
    db_path: Path, backup: Path, now: datetime, confirm: ConfirmRestore | None
) -> Restored:
    with user_errors(str(db_path)):
        leftovers = _remove_restore_leftovers(db_path)
        sound = _current_is_sound(db_path)
        if confirm is not None:
            held = summarize_diary(backup, immutable=True)
            if held is None:  # pragma: no cover - check_backup_file has just read it
                raise UserError(f"{backup} could not be read; choose another backup.")
            confirm(held, summarize_diary(db_path) if sound else None)
        try:
            if sound:
                saved = _restore_in_place(db_path, backup, now)
            else:
                saved = _restore_by_rename(db_path, backup, now)
        except OSError as error:
            raise UserError(
                f"Could not restore {db_path}: {error.strerror or error}. The diary was not "
                "changed."
            ) from error
    return Restored(db_path, saved, leftovers)


def _restore_in_place(db_path: Path, backup: Path, now: datetime) -> tuple[Path, ...]:
    aside = aside_path(db_path, now)
    live = sqlite3.connect(db_path, isolation_level=None)
    try:
        live.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Everything committed, -wal included, in one file; renamed into place only when
        # complete, so a kill here never leaves a half copy that looks like the old diary.
        partial = _temp_name(db_path.parent, f".{db_path.name}{ASIDE_PARTIAL}")
        _copy_database(live, partial)
        os.replace(partial, aside)
        _fsync_path(db_path.parent)
        source = sqlite3.connect(f"file:{backup}?mode=ro&immutable=1", uri=True)
        try:
            # One write transaction on the live file: other readers see all or nothing, and
            # a crash before it commits leaves the old diary.
            source.backup(live)
        finally:
            source.close()
        (result,) = live.execute("PRAGMA integrity_check").fetchone()
        if result != "ok":  # pragma: no cover - the backup passed the same check just now
            raise UserError(f"The restored diary did not check out ({result}); {aside} has it.")
    finally:
        live.close()
    return (aside,)


def _restore_by_rename(db_path: Path, backup: Path, now: datetime) -> tuple[Path, ...]:
    folder = db_path.parent
    paths.ensure_private_dir(folder)
    saved: list[Path] = []
    aside = aside_path(db_path, now)
    # Keep every byte of the old file (and its journal files) under the aside names: renamed,
    # not deleted, and out of the way so a stale -wal is never applied to the restored file.
    for suffix in ("", "-wal", "-shm", "-journal"):
        old = Path(f"{db_path}{suffix}")
        if suffix == "":
            if old.exists():
                target = Path(f"{aside}")
                _copy_file(old, target)
                saved.append(target)
            continue
        if old.exists():
            target = Path(f"{aside}{suffix}")
            os.replace(old, target)
            saved.append(target)
    temp = _temp_name(folder, f".{db_path.name}{RESTORING_PARTIAL}")
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro&immutable=1", uri=True)
        try:
            _copy_database(source, temp)
        finally:
            source.close()
        os.replace(temp, db_path)
        _fsync_path(folder)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    return tuple(saved)


def _copy_file(source: Path, target: Path) -> None:
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, paths.FILE_MODE)
    with os.fdopen(fd, "wb") as out, source.open("rb") as data:
        while chunk := data.read(1 << 20):
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())


def describe_backups(backups: Iterable[Backup], tz: tzinfo | None = None) -> list[str]:
    """One line per backup for a listing: local time, kind, file name."""
    lines = []
    for backup in backups:
        when = backup.made_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        lines.append(f"{when}  {backup.kind:<6}  {backup.path}")
    return lines
