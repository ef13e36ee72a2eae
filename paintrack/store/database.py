"""Opening a paintrack database: refuse what is not ours (or is from a newer paintrack) without
touching it, create new files privately, set SQLite's durability pragmas, run the migrations.

The order matters. `PRAGMA journal_mode=WAL` rewrites the file header, and Alembic would happily
create its table in anybody's database, so every check on an existing file runs first, through a
read-only sqlite3 connection, before an engine with pragmas ever opens it.

A PostgreSQL server (a clinic's shared database) has no file to check, lock or back up; what it
needs instead is that several paintrack clients writing at once take turns (see _server_engine).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import struct
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import StaticPool

from paintrack import paths
from paintrack.errors import UserError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

SCRIPT_LOCATION = "paintrack.store:migrations"
BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"
# Tables that make a file recognisably paintrack's (alembic_version alone could be anyone's).
VERSION_TABLE = "alembic_version"
PAINTRACK_TABLES = frozenset({VERSION_TABLE, "patients", "blocks", "entries", "audit"})
# Execution option on the engine used for writes: its transactions start with BEGIN IMMEDIATE.
WRITE_OPTION = "paintrack_write"

RESTORE_HINT = (
    "Restore a backup of your diary (paintrack restore BACKUP), or choose another file with --db."
)
UNCHANGED = "This file was not changed."


class RefusedDatabase(UserError):
    """open_store would not open this database, and left the file exactly as it was.

    `kind` lets the window offer the right way out: "newer" (install the newer paintrack),
    "foreign" (another application's database: choose another file), "not_sqlite" and
    "damaged" (restore a backup, or start a new diary elsewhere), "unreadable" (permissions).
    """

    def __init__(self, message: str, *, kind: str, path: Path | None) -> None:
        super().__init__(message)
        self.kind = kind
        self.path = path


@dataclass(frozen=True)
class OpenedDatabase:
    engine: Engine
    write_engine: Engine
    db_path: Path | None
    # How to name the database to the user: the file, or the server URL without its password.
    where: str = ""

    @property
    def is_server(self) -> bool:
        """A database server (PostgreSQL) rather than a file or an in-memory database."""
        return self.engine.dialect.name != "sqlite"


# ---------------------------------------------------------------------------------------------
# Migrations


# The newest schema this version writes: the head of migrations/versions (a test checks they
# agree). Knowing it without Alembic lets an up-to-date database open without importing Alembic
# at all, which is half a second of start-up.
SCHEMA_HEAD = "0003"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the migrations inside the installed package (no ini file)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache
def _script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in _script_directory().walk_revisions())


def head_revisions() -> frozenset[str]:
    return frozenset(_script_directory().get_heads())


def newer_version_error(
    where: str, revisions: Iterable[str], path: Path | None = None
) -> RefusedDatabase:
    found = ", ".join(sorted(revisions))
    return RefusedDatabase(
        f"{where} was written by a newer version of paintrack (database schema {found}, "
        "which this version does not know). Install the newer version of paintrack to open it. "
        f"{UNCHANGED}",
        kind="newer",
        path=path,
    )


def _current_revisions(connection: Connection) -> frozenset[str]:
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    rows = connection.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}")
    return frozenset(str(version) for (version,) in rows)


def _migrate(engine: Engine, write_engine: Engine, where: str) -> None:
    """Bring the schema to head; refuse, changing nothing, a revision we do not know."""
    with engine.connect() as connection:
        current = _current_revisions(connection)
        if not current:
            _refuse_foreign_tables(connection, where)
    if current == {SCHEMA_HEAD}:
        return
    unknown = current - known_revisions()
    if unknown:
        raise newer_version_error(where, unknown)
    from alembic import command

    with write_engine.begin() as connection:
        # Checked again under the write lock: another paintrack may have migrated meanwhile
        # (on a server, two clients opening a new database at once take turns here).
        current = _current_revisions(connection)
        unknown = current - known_revisions()
        if unknown:
            raise newer_version_error(where, unknown)
        if not current:
            _refuse_foreign_tables(connection, where)
        command.upgrade(alembic_config(connection), "head")


def _refuse_foreign_tables(connection: Connection, where: str) -> None:
    """A database with no paintrack schema version must be empty: Alembic would otherwise add
    paintrack's tables to another application's database. (A SQLite file was already checked
    by check_existing_sqlite_file; this is what protects a server database.)"""
    tables = sorted(inspect(connection).get_table_names())
    if tables:
        raise RefusedDatabase(
            f"{where} is not a paintrack database: it already holds other tables "
            f"({', '.join(tables[:5])}{', ...' if len(tables) > 5 else ''}) and no paintrack "
            f"schema version. Nothing in it was changed. Give paintrack a database "
            "of its own (an empty one is set up on first use).",
            kind="foreign",
            path=None,
        )


# ---------------------------------------------------------------------------------------------
# SQLite files


def sqlite_file_of(url: URL) -> Path | None:
    """The file behind a SQLite URL, or None for a server or an in-memory database."""
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def _is_empty(path: Path) -> bool:
    return not path.exists() or path.stat().st_size == 0


def _create_private_file(path: Path) -> None:
    """Create the database file 0600 ourselves, so SQLite never creates it with the umask's mode."""
    try:
        paths.ensure_private_dir(path.parent)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, paths.FILE_MODE)
        os.close(fd)
        os.chmod(path, paths.FILE_MODE)
    except OSError as error:
        raise UserError(
            f"Cannot create a new diary at {path}: {error.strerror or error}. Check that the "
            "folder can be created and written, or choose another file with --db."
        ) from error


def _make_private(path: Path) -> None:
    try:
        os.chmod(path, paths.FILE_MODE)
    except OSError as error:
        raise UserError(
            f"Cannot make {path} private to you: {error.strerror or error}. Choose a file you "
            "own with --db."
        ) from error


def _read_only_uri(path: Path) -> str:
    # With no -wal file beside it, everything is in the main file, and `immutable=1` reads it
    # without creating the -wal/-shm files a read-only WAL connection would otherwise leave
    # behind. With a -wal file (another paintrack has it open, or one crashed) the committed
    # transactions in it count, so read through it.
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    if not Path(f"{path}-wal").exists():
        uri += "&immutable=1"
    return uri


def check_existing_sqlite_file(path: Path) -> None:
    """Refuse (UserError, file untouched) anything that is not a paintrack database we can open.

    Looks at the header bytes, then opens a read-only connection: no pragma, no write, nothing
    that could change a byte of the file.
    """
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise RefusedDatabase(
            f"Cannot read {path}: {error.strerror or error}. Check that the file exists and that "
            "you may read it, or choose another file with --db.",
            kind="unreadable",
            path=path,
        ) from error
    if not header.startswith(SQLITE_HEADER):
        raise RefusedDatabase(
            f"{path} is not a paintrack database: it is not an SQLite database file at all "
            f"(it may be damaged, or a different kind of file). {UNCHANGED} {RESTORE_HINT}",
            kind="not_sqlite",
            path=path,
        )
    if len(header) < 100 or _shorter_than_header_says(path, header):
        raise RefusedDatabase(
            f"{path} is damaged: the file is shorter than its own header says (it was cut off, "
            f"perhaps by a full disk or an interrupted copy). {UNCHANGED} {RESTORE_HINT}",
            kind="damaged",
            path=path,
        )
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True)
    except sqlite3.Error as error:
        raise RefusedDatabase(
            f"Cannot open {path}: {error}. {UNCHANGED} {RESTORE_HINT}", kind="damaged", path=path
        ) from error
    try:
        tables = {
            str(name)
            for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if not tables:
            return  # a valid but empty SQLite file: a new database
        if not tables >= PAINTRACK_TABLES:
            raise RefusedDatabase(
                f"{path} is not a paintrack database: it is an SQLite database of another "
                f"application. {UNCHANGED} Choose your paintrack diary with --db, or a new file "
                "name to start a new diary.",
                kind="foreign",
                path=path,
            )
        revisions = frozenset(
            str(version)
            for (version,) in connection.execute("SELECT version_num FROM alembic_version")
        )
    except sqlite3.DatabaseError as error:
        raise RefusedDatabase(
            f"{path} is damaged or not a database ({error}). {UNCHANGED} {RESTORE_HINT}",
            kind="damaged",
            path=path,
        ) from error
    finally:
        connection.close()
    if revisions == {SCHEMA_HEAD}:
        return
    if not revisions:
        raise RefusedDatabase(
            f"{path} is damaged: it has paintrack's tables but no record of its schema "
            f"version. {UNCHANGED} {RESTORE_HINT}",
            kind="damaged",
            path=path,
        )
    unknown = revisions - known_revisions()
    if unknown:
        raise newer_version_error(str(path), unknown, path)


def _shorter_than_header_says(path: Path, header: bytes) -> bool:
    # https://www.sqlite.org/fileformat.html: page size at 16 (1 means 65536), page count at 28,
    # valid only when the change counter (24) equals version-valid-for (92).
    raw_page_size: int = struct.unpack(">H", header[16:18])[0]
    page_size = 65536 if raw_page_size == 1 else raw_page_size
    change_counter: int = struct.unpack(">I", header[24:28])[0]
    page_count: int = struct.unpack(">I", header[28:32])[0]
    valid_for: int = struct.unpack(">I", header[92:96])[0]
    if change_counter != valid_for or page_count == 0:
        return False
    return path.stat().st_size < page_size * page_count


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # We issue BEGIN ourselves (below), so pysqlite must not open transactions behind our back.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        # A clinical record: a confirmed entry must survive power loss, not only a crash.
        cursor.execute("PRAGMA synchronous = FULL")
    finally:
        cursor.close()


def _begin(connection: Connection) -> None:
    # Writes take the write lock up front: a deferred transaction that reads and then writes can
    # fail half-way with "database is locked" when another writer got in between.
    mode = "IMMEDIATE" if connection.get_execution_options().get(WRITE_OPTION) else "DEFERRED"
    connection.exec_driver_sql(f"BEGIN {mode}")


def _sqlite_engine(url: URL, *, memory: bool) -> Engine:
    kwargs: dict[str, Any] = {}
    if memory:
        kwargs["poolclass"] = StaticPool
        kwargs["connect_args"] = {"check_same_thread": False}
    engine = create_engine(url, **kwargs)
    event.listen(engine, "connect", _set_sqlite_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


# ---------------------------------------------------------------------------------------------
# Database servers (PostgreSQL)

# The driver paintrack installs and tests for PostgreSQL (the `postgres` extra): psycopg 3.
POSTGRES_DRIVER = "psycopg"
POSTGRES_INSTALL_HINT = (
    "Install paintrack's PostgreSQL support with: pip install 'paintrack[postgres]' "
    "(or: pip install 'psycopg[binary]')"
)
# pg_advisory_xact_lock key every paintrack write transaction takes ("paintrk" in ASCII): one
# writer at a time per database, like SQLite's BEGIN IMMEDIATE. Released at commit or rollback.
POSTGRES_WRITE_LOCK = 0x7061696E74726B


def display_target(target: str) -> str:
    """A database target fit to show or to keep in the window's preferences: a URL's password
    is replaced by ***, a file path is left as it is."""
    if not paths.is_url(target):
        return target
    try:
        return make_url(target).render_as_string(hide_password=True)
    except ArgumentError:
        return target


def server_url(url: URL) -> URL:
    """`postgresql://` (and `postgres://`) mean the psycopg 3 driver; a named driver is kept."""
    if url.drivername in ("postgresql", "postgres"):
        return url.set(drivername=f"postgresql+{POSTGRES_DRIVER}")
    return url


def _server_engine(url: URL, where: str) -> Engine:
    if url.get_backend_name() != "postgresql":
        # The write lock below, and the tests, are PostgreSQL's: another server could fork the
        # audit chain when two clients save at once.
        raise UserError(
            f"paintrack cannot use the database {where}: paintrack keeps a diary in a SQLite "
            "file or on a PostgreSQL server (postgresql://...), and has no database driver for "
            f"{url.get_backend_name()!r}."
        )
    try:
        # Reads see one snapshot for the whole unit of work, so `verify` never compares the audit
        # trail with diary rows another client committed in between; writes override this.
        engine = create_engine(url, isolation_level="REPEATABLE READ", pool_pre_ping=True)
    except (ImportError, NoSuchModuleError) as error:
        driver = url.get_driver_name()
        raise UserError(
            f"paintrack cannot use the database {where}: the PostgreSQL driver ({driver}) is "
            f"not installed. {POSTGRES_INSTALL_HINT}, then try again"
            + ("." if driver == POSTGRES_DRIVER else " with a postgresql:// address.")
        ) from error
    except ArgumentError as error:
        raise UserError(
            f"paintrack cannot use the database {where}: {error}. Check the address."
        ) from error
    event.listen(engine, "begin", _lock_writes)
    return engine


def _lock_writes(connection: Connection) -> None:
    # Several paintrack clients may write to a clinic's server at once. Each write reads the
    # audit trail's last row and appends after it, so two at once would fork the hash chain (or
    # collide on `seq`); the same goes for the checks an entry makes against its neighbours. The
    # transaction-scoped advisory lock makes writers take turns; readers never wait.
    if connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_WRITE_LOCK})")


# ---------------------------------------------------------------------------------------------
# Errors the user can act on


_SQLITE_USER_ERRORS: tuple[tuple[str, str], ...] = (
    (
        "database is locked",
        "the diary is busy: another paintrack (or another program) is writing to it. "
        "Close the other program and try again.",
    ),
    (
        "disk is full",
        "the disk is full. Free some space and try again; nothing already saved was lost.",
    ),
    (
        "readonly database",
        "the diary cannot be written: the file or its folder is read-only. Check the "
        "permissions, or choose another file with --db.",
    ),
    (
        "unable to open database file",
        "the diary file cannot be opened: check that its folder exists and that you may "
        "read and write it, or choose another file with --db.",
    ),
    (
        "malformed",
        "the diary file is damaged. Restore a backup (paintrack restore BACKUP); do not "
        "keep writing to this file.",
    ),
    (
        "file is not a database",
        "the file is damaged or is not a paintrack diary. Restore a backup "
        "(paintrack restore BACKUP), or choose another file with --db.",
    ),
    (
        "disk i/o error",
        "the disk reported an input/output error. Check the disk (or network drive) and try again.",
    ),
)


def user_error_for(error: BaseException, where: str) -> UserError | None:
    """A plain-words UserError for the SQLite failures a user can fix; None for anything else."""
    original = error.orig if isinstance(error, DBAPIError) else error
    if not isinstance(original, sqlite3.OperationalError | sqlite3.DatabaseError):
        if isinstance(error, OperationalError):
            # A database server that cannot be reached, refuses the login, or is shutting down.
            said = str(original).strip().rstrip(".")
            return UserError(
                f"Cannot use {where}: the database server said: {said}"
                f"{'' if said.endswith(('?', '!')) else '.'} "
                "Check the address and that the server is running, then try again."
            )
        return None
    text = str(original).lower()
    for fragment, advice in _SQLITE_USER_ERRORS:
        if fragment in text:
            return UserError(f"Cannot use {where}: {advice}")
    return None


@contextlib.contextmanager
def user_errors(where: str) -> Iterator[None]:
    """Turn actionable database errors into UserError; let every other error (a bug) through."""
    try:
        yield
    except (DBAPIError, sqlite3.Error) as error:
        translated = user_error_for(error, where)
        if translated is None:
            raise
        raise translated from error


# ---------------------------------------------------------------------------------------------
# Files this process has open
#
# SQLite's locks on a file are POSIX (fcntl) locks, which belong to the process: closing ANY
# descriptor of the file in the process drops all of them, whichever connection took them. So
# once a diary file is open here, this process must never open() and close() it outside SQLite
# (as the header check below does). Otherwise another process's connection, finding no lock,
# takes itself for the last one and deletes the write-ahead log that this process is still
# writing confirmed entries into. (The window opens the diary a second time to export a PDF.)

_IN_USE: Counter[Path] = Counter()
_IN_USE_LOCK = threading.Lock()


def _claim_file(path: Path) -> bool:
    """Count one more Store on `path`; True if it was already open in this process."""
    with _IN_USE_LOCK:
        already = _IN_USE[path] > 0
        _IN_USE[path] += 1
        return already


def release_file(path: Path) -> None:
    """One Store on `path` is closed."""
    with _IN_USE_LOCK:
        _IN_USE[path] -= 1
        if _IN_USE[path] <= 0:
            del _IN_USE[path]


def file_in_use(path: Path) -> bool:
    """Whether a Store in this process has the file open."""
    with _IN_USE_LOCK:
        return _IN_USE[path.expanduser().absolute()] > 0


# ---------------------------------------------------------------------------------------------
# Opening


def open_database(target: str) -> OpenedDatabase:
    """Open (creating or migrating) the database at a path or SQLAlchemy URL."""
    if paths.is_url(target):
        try:
            url = make_url(target)
        except ArgumentError as error:
            raise UserError(
                f"{target!r} is not a database address paintrack understands."
            ) from error
    else:
        url = URL.create("sqlite", database=str(Path(target).expanduser()))
    db_path = sqlite_file_of(url)
    if db_path is not None:
        db_path = db_path.expanduser().absolute()
        url = url.set(database=str(db_path))
        where = str(db_path)
        # Checked when first opened here; reading its bytes again would drop our own locks.
        already_open = _claim_file(db_path)
        try:
            with user_errors(where):
                if already_open:
                    pass
                elif not db_path.exists():
                    _create_private_file(db_path)
                elif _is_empty(db_path):
                    _make_private(db_path)  # an empty file is a new database: ours to set up
                else:
                    check_existing_sqlite_file(db_path)
            engine = _sqlite_engine(url, memory=False)
        except BaseException:
            release_file(db_path)
            raise
    elif url.get_backend_name() == "sqlite":
        where = "the in-memory database"
        engine = _sqlite_engine(url, memory=True)
    else:
        url = server_url(url)
        where = url.render_as_string(hide_password=True)
        engine = _server_engine(url, where)
    if engine.dialect.name == "postgresql":
        # Writes read the newest committed rows once they hold the write lock (see _lock_writes).
        write_engine = engine.execution_options(
            isolation_level="READ COMMITTED", **{WRITE_OPTION: True}
        )
    else:
        write_engine = engine.execution_options(**{WRITE_OPTION: True})
    try:
        with user_errors(where):
            _migrate(engine, write_engine, where)
    except BaseException:
        engine.dispose()
        if db_path is not None:
            release_file(db_path)
        raise
    return OpenedDatabase(engine=engine, write_engine=write_engine, db_path=db_path, where=where)
