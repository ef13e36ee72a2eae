"""One window per diary: an advisory lock on a `<diary>.lock` file beside the database.

The window holds it for as long as it is open, and `paintrack restore` while it restores, so a
second window (or a restore) is told the diary is open elsewhere instead of racing it. It is an
`fcntl.flock` lock on an open file: the operating system releases it when the process ends, so a
crash or `kill -9` never leaves a stale lock behind. The lock file itself is left in place (never
deleted: deleting a lock file that someone may be about to lock is how two holders happen).

Headless commands (import, export, analyze, ...) do not take it: SQLite itself serialises their
short write transactions with the window's (WAL and a busy timeout), so they wait their turn and
then proceed.

Restore and writers: every paintrack that opens a diary file to write to it (the window, `import`,
...) holds a *shared* lock on `<diary>.writers.lock` for as long as it has the diary open, and
`restore` holds it *exclusively* while it saves the diary aside and puts the backup in. So a
restore waits for the writers that have the diary open to finish (and writers wait for a
restore), each with a bound, whatever the entry point: an import can never commit between the
copy set aside and the backup put back, where it would be in neither file.

Both locks are taken on the diary's real path (symlinks resolved), so a symlink to the diary is
the same diary.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from paintrack import paths
from paintrack.errors import UserError

LOCK_SUFFIX = ".lock"
WRITERS_SUFFIX = ".writers.lock"
# How long a writer waits for a restore to finish, and a restore for the writers to finish, before
# giving up with a plain message. A restore takes seconds; an import of a large diary too.
WAIT_SECONDS = 120.0
_POLL_SECONDS = 0.05


class DiaryInUse(UserError):
    """Another paintrack window (or a restore) holds this diary's lock."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message)
        self.path = path


def real_path(db_path: Path) -> Path:
    """The diary's real file: absolute, every symlink resolved (a missing file's folder too)."""
    return Path(os.path.realpath(os.path.expanduser(db_path)))


def lock_path(db_path: Path) -> Path:
    real = real_path(db_path)
    return real.with_name(real.name + LOCK_SUFFIX)


def writers_lock_path(db_path: Path) -> Path:
    real = real_path(db_path)
    return real.with_name(real.name + WRITERS_SUFFIX)


def _open_lock_file(path: Path, db_path: Path) -> int:
    try:
        paths.ensure_private_dir(path.parent)
        return os.open(path, os.O_RDWR | os.O_CREAT, paths.FILE_MODE)
    except OSError as error:
        raise UserError(
            f"Cannot use {db_path}: cannot create its lock file {path} "
            f"({error.strerror or error}). Check that the folder can be written, or choose "
            "another file with --db."
        ) from error


class WritersLock:
    """The lock that keeps a restore and the diary's writers apart (see the module's note).

    `acquire(exclusive=False)` for a writer, `exclusive=True` for a restore. Waits at most
    `WAIT_SECONDS`, telling `on_wait` (once) that it is waiting, then raises DiaryBusy.
    """

    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.path = writers_lock_path(db_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(
        self,
        *,
        exclusive: bool,
        on_wait: Callable[[str], None] | None = None,
        wait_seconds: float | None = None,
    ) -> WritersLock:
        if self._fd is not None:
            return self
        if sys.platform == "win32" and not exclusive:  # pragma: no cover - CI is Linux and macOS
            # msvcrt has no shared locks: writers holding it would shut each other out (an import
            # could not run beside the window). There, only the window lock keeps restores away.
            return self
        fd = _open_lock_file(self.path, self.db_path)
        limit = WAIT_SECONDS if wait_seconds is None else wait_seconds
        deadline = time.monotonic() + limit
        told = False
        while not _try_lock(fd, exclusive=exclusive):
            if time.monotonic() >= deadline:
                os.close(fd)
                raise DiaryBusy(_busy_message(self.db_path, exclusive, limit), path=self.db_path)
            if not told and on_wait is not None:
                on_wait(_waiting_message(self.db_path, exclusive))
            told = True
            time.sleep(_POLL_SECONDS)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _unlock(fd)
        os.close(fd)


class DiaryBusy(UserError):
    """A restore (or the writers a restore waits for) kept the diary longer than the bound."""

    def __init__(self, message: str, *, path: Path) -> None:
        super().__init__(message)
        self.path = path


def _waiting_message(db_path: Path, exclusive: bool) -> str:
    if exclusive:
        return (
            f"paintrack: waiting for other paintrack commands writing to {db_path} to finish "
            "before restoring..."
        )
    return f"paintrack: waiting for a restore of {db_path} to finish..."


def _busy_message(db_path: Path, exclusive: bool, limit: float) -> str:
    if exclusive:
        return (
            f"Cannot restore {db_path} now: other paintrack commands kept writing to it for "
            f"{limit:g} seconds. Let them finish (or close them) and restore again. Nothing was "
            "changed."
        )
    return (
        f"Cannot use {db_path} now: it was being restored from a backup for more than "
        f"{limit:g} seconds. Wait for the restore to finish and try again. Nothing was changed."
    )


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
        fd = _open_lock_file(self.path, self.db_path)
        if not _try_lock(fd, exclusive=True):
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

    def _try_lock(fd: int, *, exclusive: bool) -> bool:
        # msvcrt has no shared locks; WritersLock takes only exclusive ones here.
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

    def _try_lock(fd: int, *, exclusive: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
