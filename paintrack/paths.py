"""Where the diary lives: the platform's user data folder, or what `--db` / PAINTRACK_DB say.

This is health data, so the folder is created 0700 and the database file 0600.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from platformdirs import user_data_path

DB_ENV = "PAINTRACK_DB"
DB_FILENAME = "paintrack.db"
DIR_MODE = 0o700
FILE_MODE = 0o600


def default_data_dir() -> Path:
    return user_data_path("paintrack", appauthor=False)


def default_db_path() -> Path:
    return default_data_dir() / DB_FILENAME


def is_url(target: str) -> bool:
    """A SQLAlchemy URL (postgresql://..., sqlite:///...) rather than a file path."""
    return "://" in target


def mask_url(target: str) -> str:
    """An address as it may be shown or logged even when it cannot be parsed: everything between
    `://` and the last `@` (the user name and password) becomes ***."""
    scheme, sep, rest = target.partition("://")
    if not sep or "@" not in rest:
        return target
    return f"{scheme}://***@{rest.rpartition('@')[2]}"


def resolve_db_target(cli_value: str | None) -> str:
    """The database the user asked for: `--db`, else PAINTRACK_DB, else the default file."""
    if cli_value:
        return cli_value
    env = os.environ.get(DB_ENV)
    if env:
        return env
    return str(default_db_path())


_SQLITE_HEADER = b"SQLite format 3\x00"
# A write-ahead log starts with one of these two magic numbers (big-endian).
_WAL_MAGIC = (b"\x37\x7f\x06\x82", b"\x37\x7f\x06\x83")
_SIDE_FILES = ("-wal", "-shm", "-journal")


def _starts_with(path: Path, prefixes: tuple[bytes, ...]) -> bool:
    try:
        if not path.is_file():
            return False
        with path.open("rb") as handle:
            head = handle.read(16)
    except OSError:
        return False
    return head.startswith(prefixes)


def protected_file_reason(target: Path) -> str | None:
    """Why no command may write over `target`, or None: it is a database (a diary, a backup, a
    copy set aside: any SQLite file), a database's -wal, -shm or -journal file, or a file in a
    diary's `backups` folder. Checked on what the file holds, so every way of naming it (a
    symlink, another path) is caught."""
    target = Path(os.path.expanduser(target))
    if _starts_with(target, (_SQLITE_HEADER,)):
        return "it is a database (a paintrack diary, a backup of one, or another SQLite file)"
    if _starts_with(target, _WAL_MAGIC):
        return "it is a database's write-ahead log (-wal file)"
    real = Path(os.path.realpath(target))
    for suffix in _SIDE_FILES:
        if real.name.endswith(suffix) and real.exists():
            owner = real.with_name(real.name[: -len(suffix)])
            if _starts_with(owner, (_SQLITE_HEADER,)):
                return f"it belongs to the database {owner} (its {suffix} file)"
    if real.parent.name == "backups" and real.name.endswith(".db"):
        return "it is in a diary's backups folder"
    return None


def refuse_protected_target(target: Path) -> None:
    """UserError (nothing written) if `target` is a file no command may write over."""
    from paintrack.errors import UserError

    reason = protected_file_reason(target)
    if reason is not None:
        raise UserError(
            f"{target} cannot be written over: {reason}. paintrack never writes over a database, "
            "its -wal or -shm files, or a backup, even with --force. Choose another file name. "
            "Nothing was written."
        )


def hold_partial(fd: int) -> None:
    """Mark a partial file as being written by this process (a lock the system drops when the
    process ends, even by kill -9), so clear_leftovers never takes it for a leftover."""
    if sys.platform != "win32":
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def clear_leftovers(target: Path, suffix: str) -> list[Path]:
    """Remove the hidden partial copies `.<name>.<random><suffix>` an interrupted (killed) write
    of `target` left beside it, and return them. A partial still being written is held by its
    writer (hold_partial) and left alone; nothing else is ever removed."""
    if sys.platform == "win32":  # pragma: no cover - no flock: leftovers stay
        return []
    import fcntl

    target = Path(os.path.expanduser(target))
    folder = target.parent if str(target.parent) else Path(".")
    prefix = f".{target.name}."
    removed: list[Path] = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    for name in names:
        if not (name.startswith(prefix) and name.endswith(suffix)):
            continue
        if len(name) <= len(prefix) + len(suffix):
            continue
        path = folder / name
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # its writer is still at work
            path.unlink()
            removed.append(path)
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def ensure_private_dir(folder: Path) -> None:
    """Create `folder` (and parents) 0700; tighten it if we created it but the umask loosened it."""
    existed = folder.exists()
    folder.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    if not existed:
        os.chmod(folder, DIR_MODE)
