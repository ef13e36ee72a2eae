"""Before the window opens a diary: take its one-window lock, open it once to check it, and make
the day's backup; when it cannot be opened, the ways out (restore a backup, or a new diary
elsewhere). The questions are asked through callbacks: the window asks them in dialogs, the
smoke test on standard error. Also the day's later backups. No Qt here."""

from __future__ import annotations

import logging
import sqlite3
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from paintrack.errors import UserError
from paintrack.paths import is_url
from paintrack.store import RefusedDatabase, Store, open_store
from paintrack.store.backup import (
    DAILY,
    Backup,
    backups_dir,
    daily_backup,
    list_backups,
    make_backup,
    restore_backup,
    rotate,
    summarize_diary,
)
from paintrack.store.lock import DiaryInUse, DiaryLock

__all__ = [
    "Backup",
    "Choice",
    "DiaryInUse",
    "PreparedDiary",
    "RefusedDatabase",
    "Way",
    "backup_holds",
    "backup_of_the_day",
    "backups_dir",
    "list_backups",
    "open_diary_store",
    "prepare_diary",
]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 20  # a way out of the loop should the same problem keep coming back


class Way(StrEnum):
    """The ways out when a diary cannot be opened."""

    QUIT = "quit"
    RESTORE = "restore"
    NEW = "new"


@dataclass(frozen=True)
class Choice:
    action: Way
    path: Path | None = None  # the backup to restore, or the new diary's file


@dataclass
class PreparedDiary:
    """The diary the window should open, and the lock it holds while it is open."""

    target: str
    lock: DiaryLock | None = None
    backup: Path | None = None  # the start-of-day backup made just now, if one was due

    def release(self) -> None:
        if self.lock is not None:
            self.lock.release()


def _local_now() -> datetime:
    return datetime.now().astimezone()


def open_diary_store(target: str) -> Store:
    """The store the window keeps open (UserError, or RefusedDatabase, when it cannot be)."""
    return open_store(target)


def backup_holds(backup: Backup) -> str:
    """What a backup holds, as `paintrack restore` says it ("could not be read" if so)."""
    held = summarize_diary(backup.path, immutable=True)
    return held.describe() if held is not None else "could not be read"


def prepare_diary(
    db_target: str,
    *,
    quiet: bool,
    make_backup: bool,
    ask_in_use: Callable[[DiaryInUse], bool],
    ask_refused: Callable[[RefusedDatabase, list[Backup]], Choice],
    tell: Callable[[str], None],
    now: Callable[[], datetime] | None = None,
) -> PreparedDiary | None:
    """Lock, check and back up the diary; None when it cannot be opened and the user quits.

    `quiet` (the smoke test) prints a problem to standard error instead of asking. A problem
    that is not about the file itself (a folder that cannot be created, say) is left for the
    window to show, which it does when it opens the store.
    """
    now = now or _local_now
    target = db_target
    for _attempt in range(MAX_ATTEMPTS):
        if is_url(target):
            return PreparedDiary(target)  # a server: no file to lock or back up
        path = Path(target).expanduser().absolute()
        lock = DiaryLock(path)
        try:
            lock.acquire()
        except DiaryInUse as error:
            if quiet or not ask_in_use(error):
                if quiet:
                    print(f"paintrack: {error.message}", file=sys.stderr)
                return None
            continue
        except UserError:
            return PreparedDiary(target)  # the window will say what is wrong
        try:
            open_store(str(path)).close()
        except RefusedDatabase as error:
            lock.release()
            if quiet:
                print(f"paintrack: {error.message}", file=sys.stderr)
                return None
            choice = ask_refused(error, list_backups(path))
            if choice.action == Way.RESTORE and choice.path is not None:
                try:
                    restore_backup(path, choice.path, now=now())
                except UserError as problem:
                    tell(problem.message)
                continue
            if choice.action == Way.NEW and choice.path is not None:
                target = str(choice.path)
                continue
            return None
        except UserError:
            lock.release()
            return PreparedDiary(target)
        made = _start_of_day_backup(path, now()) if make_backup else None
        return PreparedDiary(target, lock, made)
    return None


def backup_of_the_day(path: Path, now: datetime, why: str) -> Path | None:
    """A daily backup now, whatever the start of the day made (after the day's first save, or
    on closing after new entries), then the rotation, which keeps each day's newest. A backup
    failing must not disturb the diary: it is logged instead."""

    def made_and_rotated() -> Path:
        made = make_backup(path, now=now, kind=DAILY)
        rotate(path, now=now)
        return made

    return _logged_backup(made_and_rotated, path, why)


def _start_of_day_backup(path: Path, now: datetime) -> Path | None:
    """A backup failing must not keep the patient from their diary: it is logged instead."""
    return _logged_backup(lambda: daily_backup(path, now=now), path, "at the start of the day")


def _logged_backup(make: Callable[[], Path | None], path: Path, why: str) -> Path | None:
    try:
        made = make()
    except (UserError, OSError, sqlite3.Error):
        log.warning("the backup %s of %s failed", why, path, exc_info=True)
        return None
    if made is not None:
        log.info("backup %s: %s", why, made)
    return made
