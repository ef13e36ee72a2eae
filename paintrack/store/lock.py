"""One window per diary: an advisory lock on a `<diary>.lock` file beside the database.

The window holds it for as long as it is open, and `paintrack restore` while it restores, so a
second window (or a restore) is told the diary is open elsewhere instead of racing it. It is an
`fcntl.flock` lock on an open file: the operating system releases it when the process ends, so a
crash or `kill -9` never leaves a stale lock behind. The lock file itself is left in place (never
deleted: deleting a lock file that someone may be about to lock is how two holders happen).

Headless commands (import, export, analyze, ...) do not take it: SQLite itself serialises their
short write transactions with the window's (WAL and a busy timeout), so they wait a moment and
then proceed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

from paintrack import paths
from paintrack.errors import UserError

LOCK_SUFFIX = ".lock"


class DiaryInUse(UserError):
    """Another paintrack window (or a restore) holds this diary's lock."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message)
        self.path = path


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


class DiaryLock:
    """An exclusive, non-blocking, crash-safe lock on one diary file."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = lock_path(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, *, purpose: str = "open") -> DiaryLock:
        """Take the lock, or raise DiaryInUse at once (never waits)."""
        if self._fd is not None:
            return self
        try:
            paths.ensure_private_dir(self.path.parent)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, paths.FILE_MODE)
        except OSError as error:
            raise UserError(
                f"Cannot use {self.db_path}: cannot create its lock file {self.path} "
                f"({error.strerror or error}). Check that the folder can be written, or choose "
                "another file with --db."
            ) from error
        if not _try_lock(fd):
            os.close(fd)
            raise DiaryInUse(
                f"This diary is already open in another paintrack window ({self.db_path}). "
                f"Switch to that window, or close it and {purpose} again. Nothing was changed.",
                path=self.db_path,
            )
        # Who holds it, for a person looking at the folder (the lock itself is the flock).
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _unlock(fd)
        os.close(fd)

    def __enter__(self) -> DiaryLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()


if sys.platform == "win32":  # pragma: no cover - paintrack's CI runs on Linux and macOS
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
