"""Reading and writing exchange files safely: a size limit on the way in, atomic writes out.

A diary is health data, so files are created 0600, and a failed write leaves the old file (or
nothing) in place, never half a file: write a temporary file in the same folder, fsync it, then
os.replace it over the target.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from paintrack.errors import UserError
from paintrack.exchange.errors import DiaryFormatError, DiaryProblem
from paintrack.paths import clear_leftovers, hold_partial, refuse_protected_target

# A year of hourly diaries is well under 1 MB; anything near this is not a diary, and reading it
# into memory (and then JSON objects) could exhaust a small machine.
MAX_FILE_BYTES = 50 * 1024 * 1024
PRIVATE_FILE_MODE = 0o600
# The suffix of the hidden partial file beside the target while it is written.
PARTIAL = ".tmp"


def clear_partials(path: str | os.PathLike[str]) -> list[Path]:
    """The partial files a killed write of `path` left (`.<name>.*.tmp`), removed now."""
    return clear_leftovers(Path(os.fspath(path)), PARTIAL)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def too_big_message(size: int) -> str:
    return (
        f"the file is {_megabytes(size)}, more than the {MAX_FILE_BYTES // (1024 * 1024)} MB "
        "limit for a diary file; is it really a paintrack diary?"
    )


def _unreadable(name: str, message: str) -> DiaryFormatError:
    return DiaryFormatError(name, [DiaryProblem("", message)])


def read_limited(path: str | os.PathLike[str]) -> bytes:
    """The bytes of `path`, refusing files over MAX_FILE_BYTES before reading them.

    Missing, unreadable and oversized files are a DiaryFormatError (a UserError) naming the file.
    """
    name = os.fspath(path)
    try:
        info = os.stat(name)
    except FileNotFoundError:
        raise _unreadable(name, "no such file") from None
    except PermissionError:
        raise _unreadable(name, "permission denied; check who may read the file") from None
    except OSError as error:
        raise _unreadable(name, f"cannot read the file ({error.strerror})") from None
    if stat.S_ISDIR(info.st_mode):
        raise _unreadable(name, "is a folder, not a diary file")
    if not stat.S_ISREG(info.st_mode):
        # A pipe would hang the read until something writes to it; a device is not a file.
        kind = "a pipe (FIFO)" if stat.S_ISFIFO(info.st_mode) else "a device or other special file"
        raise _unreadable(
            name,
            f"is {kind}, not a diary file; give a diary file, or - to read standard input",
        )
    if info.st_size > MAX_FILE_BYTES:
        raise _unreadable(name, too_big_message(info.st_size))
    try:
        with open(name, "rb") as handle:
            # Read one byte past the limit: a pipe or a growing file has no trustworthy size.
            data = handle.read(MAX_FILE_BYTES + 1)
    except PermissionError:
        raise _unreadable(name, "permission denied; check who may read the file") from None
    except OSError as error:
        raise _unreadable(name, f"cannot read the file ({error.strerror})") from None
    if len(data) > MAX_FILE_BYTES:
        raise _unreadable(name, too_big_message(len(data)))
    return data


def _write_problem(name: str, error: OSError) -> UserError:
    if error.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif error.errno == errno.EROFS:
        reason = "the disk is read-only"
    elif isinstance(error, PermissionError):
        reason = "permission denied"
    else:
        reason = error.strerror or str(error)
    return UserError(f"could not write {name}: {reason}; nothing was written")


def write_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write `data` to `path` all at once: the target is either untouched or complete, mode 0600.

    An existing file at `path` is replaced (the caller decides whether that is allowed).
    """
    name = os.fspath(path)
    target = Path(name)
    folder = target.parent
    refuse_protected_target(target)
    if not folder.is_dir():
        raise UserError(f"could not write {name}: the folder {folder} does not exist")
    if target.is_dir():
        raise UserError(f"could not write {name}: it is a folder")
    temp_name: str | None = None
    try:
        # mkstemp creates the file 0600 whatever the umask: right for health data.
        fd, temp_name = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=PARTIAL)
        hold_partial(fd)  # until closed: never taken for a killed export's leftover
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp_name, PRIVATE_FILE_MODE)
        os.replace(temp_name, target)
        temp_name = None
        _fsync_folder(folder)
    except OSError as error:
        raise _write_problem(name, error) from error
    finally:
        if temp_name is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp_name)


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable; some platforms cannot open a folder, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)
