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
import stat
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.pool import QueuePool, StaticPool

from paintrack import paths
from paintrack.errors import UserError
from paintrack.store.audit_chain import json_serializer
from paintrack.store.lock import WritersLock, real_path
from paintrack.store.models import CHAIN_COMMENT

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


class RefusalKind(StrEnum):
    """Why open_store refused a database, so the window can offer the right way out."""

    NEWER = "newer"  # written by a newer paintrack: install it
    TAMPERED = "tampered"  # the audit trail's hash chain is broken
    FOREIGN = "foreign"  # another application's database: choose another file
    NOT_SQLITE = "not_sqlite"  # not a database at all: restore a backup or start anew
    DAMAGED = "damaged"  # restore a backup, or start a new diary elsewhere
    UNREADABLE = "unreadable"  # permissions, or read-only


class RefusedDatabase(UserError):
    """open_store would not open this database, and left the file exactly as it was.

    `kind` lets the window offer the right way out: "newer" (install the newer paintrack),
    "foreign" (another application's database: choose another file), "not_sqlite" and
    "damaged" (restore a backup, or start a new diary elsewhere), "unreadable" (permissions).
    """

    def __init__(self, message: str, *, kind: RefusalKind, path: Path | None) -> None:
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
    # Opened by a reading command: connections cannot write, nothing was created or migrated.
    read_only: bool = False
    # A writer's shared hold on the file, released when the store closes (see store.lock).
    writers_lock: WritersLock | None = None

    @property
    def is_server(self) -> bool:
        """A database server (PostgreSQL) rather than a file or an in-memory database."""
        return self.engine.dialect.name != "sqlite"


# ---------------------------------------------------------------------------------------------
# Migrations


# The newest schema this version writes: the head of migrations/versions (a test checks they
# agree). Knowing it without Alembic lets an up-to-date database open without importing Alembic
# at all, which is half a second of start-up.
SCHEMA_HEAD = "0006"
# The schema revisions from before the audit trail was hash-chained (migration 0002): a diary
# marked as hash-chained can never be at one of these again (see CHAIN_COMMENT). A marked diary
# at any later revision below the head is an ordinary older diary, upgraded as usual.
UNCHAINED_REVISIONS = frozenset({"0001"})


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
        kind=RefusalKind.NEWER,
        path=path,
    )


def _current_revisions(connection: Connection) -> frozenset[str]:
    if not inspect(connection).has_table(VERSION_TABLE):
        return frozenset()
    rows = connection.exec_driver_sql(f"SELECT version_num FROM {VERSION_TABLE}")
    return frozenset(str(version) for (version,) in rows)


# The mark of a database whose audit trail is hash-chained (schema 0002 and later): SQLite's
# header `application_id` ("PTRK"), a comment on the audit table on PostgreSQL. Once set it stays,
# so a trail whose hashes were removed and whose schema version was set back to 0001 (to have
# migration 0002 hash forged rows as if an old paintrack had written them) is refused instead.
CHAIN_APPLICATION_ID = 0x5054524B


def tampered_error(where: str, path: Path | None = None) -> RefusedDatabase:
    return RefusedDatabase(
        f"{where} has been tampered with: its audit trail was hash-chained, but the hashes were "
        "removed and its schema version set back to an older one, which is how forged records "
        "would be passed off as an old diary's. paintrack will not hash them again. "
        f"{UNCHANGED} Keep it as evidence, and compare it with a backup (paintrack backup "
        "--list).",
        kind=RefusalKind.TAMPERED,
        path=path,
    )


def chain_marked(connection: Connection) -> bool:
    """Whether this database carries the mark that its audit trail was hash-chained."""
    if connection.dialect.name == "sqlite":
        return connection.exec_driver_sql("PRAGMA application_id").scalar() == (
            CHAIN_APPLICATION_ID
        )
    if connection.dialect.name == "postgresql" and inspect(connection).has_table("audit"):
        comment = connection.exec_driver_sql(
            "SELECT obj_description('audit'::regclass, 'pg_class')"
        ).scalar()
        return comment == CHAIN_COMMENT
    return False


def mark_chain(connection: Connection) -> None:
    """Set the mark (in the caller's write transaction)."""
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql(f"PRAGMA application_id = {CHAIN_APPLICATION_ID}")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"COMMENT ON TABLE audit IS '{CHAIN_COMMENT}'")


def _refuse_unhashed_after_hashed(connection: Connection, where: str) -> None:
    """An old paintrack never hashed a row, so unhashed rows can only come before the first
    hashed one: a hashed row followed by unhashed ones means hashes were removed."""
    first_hashed = connection.exec_driver_sql(
        "SELECT min(seq) FROM audit WHERE hash IS NOT NULL"
    ).scalar()
    if first_hashed is None:
        return
    later_unhashed = connection.exec_driver_sql(
        f"SELECT count(*) FROM audit WHERE hash IS NULL AND seq > {int(first_hashed)}"
    ).scalar()
    if later_unhashed:
        raise tampered_error(where)


def _refuse_downgraded(connection: Connection, current: frozenset[str], where: str) -> None:
    if current and current != {SCHEMA_HEAD} and not (current - known_revisions()):
        if chain_marked(connection) and current <= UNCHAINED_REVISIONS:
            raise tampered_error(where)
        if inspect(connection).has_table("audit"):
            _refuse_unhashed_after_hashed(connection, where)


def _migrate(engine: Engine, write_engine: Engine, where: str) -> None:
    """Bring the schema to head; refuse, changing nothing, a revision we do not know (or a
    hash-chained trail set back to an unhashed schema). Marks the chain (see CHAIN_COMMENT)."""
    with engine.connect() as connection:
        current = _current_revisions(connection)
        if not current:
            _refuse_foreign_tables(connection, where)
        _refuse_downgraded(connection, current, where)
        marked = current == {SCHEMA_HEAD} and chain_marked(connection)
    if current == {SCHEMA_HEAD}:
        if not marked:
            # Best effort: a read-only file, or a server role that does not own the table, opens
            # all the same (and is marked by the next paintrack that can).
            with contextlib.suppress(DBAPIError), write_engine.begin() as connection:
                mark_chain(connection)
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
        _refuse_downgraded(connection, current, where)
        command.upgrade(alembic_config(connection), "head")
        mark_chain(connection)


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
            kind=RefusalKind.FOREIGN,
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
    that could change a byte of the file. Only a regular file is opened at all.
    """
    refused = _not_a_regular_file(path)
    if refused is not None:
        raise refused
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise RefusedDatabase(
            f"Cannot read {path}: {error.strerror or error}. Check that the file exists and that "
            "you may read it, or choose another file with --db.",
            kind=RefusalKind.UNREADABLE,
            path=path,
        ) from error
    if not header.startswith(SQLITE_HEADER):
        raise RefusedDatabase(
            f"{path} is not a paintrack database: it is not an SQLite database file at all "
            f"(it may be damaged, or a different kind of file). {UNCHANGED} {RESTORE_HINT}",
            kind=RefusalKind.NOT_SQLITE,
            path=path,
        )
    if len(header) < 100 or _shorter_than_header_says(path, header):
        raise RefusedDatabase(
            f"{path} is damaged: the file is shorter than its own header says (it was cut off, "
            f"perhaps by a full disk or an interrupted copy). {UNCHANGED} {RESTORE_HINT}",
            kind=RefusalKind.DAMAGED,
            path=path,
        )
    try:
        connection = sqlite3.connect(_read_only_uri(path), uri=True)
    except sqlite3.Error as error:
        raise _refusal_for(path, error) from error
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
                kind=RefusalKind.FOREIGN,
                path=path,
            )
        revisions = frozenset(
            str(version)
            for (version,) in connection.execute("SELECT version_num FROM alembic_version")
        )
        if revisions == {SCHEMA_HEAD}:
            return  # up to date: what follows looks for a trail set back to an older schema
        (application_id,) = connection.execute("PRAGMA application_id").fetchone()
        # A scan of the whole trail (0.3 s at 660,000 rows), so only for an older schema.
        first_hashed, later_unhashed = connection.execute(
            "SELECT (SELECT min(seq) FROM audit WHERE hash IS NOT NULL), (SELECT count(*) FROM "
            "audit WHERE hash IS NULL AND seq > (SELECT min(seq) FROM audit WHERE hash IS NOT "
            "NULL))"
        ).fetchone()
    except sqlite3.DatabaseError as error:
        raise _refusal_for(path, error) from error
    finally:
        connection.close()
    if (
        revisions
        and not (revisions - known_revisions())
        and (
            (application_id == CHAIN_APPLICATION_ID and revisions <= UNCHAINED_REVISIONS)
            or (first_hashed is not None and later_unhashed)
        )
    ):
        raise tampered_error(str(path), path)
    if not revisions:
        raise RefusedDatabase(
            f"{path} is damaged: it has paintrack's tables but no record of its schema "
            f"version. {UNCHANGED} {RESTORE_HINT}",
            kind=RefusalKind.DAMAGED,
            path=path,
        )
    unknown = revisions - known_revisions()
    if unknown:
        raise newer_version_error(str(path), unknown, path)


def _refusal_for(path: Path, error: sqlite3.Error) -> UserError:
    """Why checking `path` failed, by SQLite's result code: only a damaged file is called damaged
    (a RefusedDatabase, with the advice to restore a backup); a full disk, a busy file or a disk
    error is a plain UserError about the machine, and a read-only or unreadable file is refused
    as "unreadable", since restoring a backup would only bring back older data."""
    code = _sqlite_code(error)
    kind = _KIND_BY_CODE.get(code or -1, "damaged")
    if kind == "damaged":
        return RefusedDatabase(
            f"{path} is damaged or not a database ({error}). {UNCHANGED} {RESTORE_HINT}",
            kind=RefusalKind.DAMAGED,
            path=path,
        )
    message = f"Cannot open {path}: {_ADVICE_BY_CODE[code or -1]} {UNCHANGED}"
    if kind == "unreadable":
        return RefusedDatabase(message, kind=RefusalKind.UNREADABLE, path=path)
    return UserError(message)


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


# How long a write waits for SQLite's write lock (other writers' transactions, one after another)
# before saying the diary is busy: each BEGIN IMMEDIATE waits BUSY_TIMEOUT_MS, and is tried again
# until this bound. Twenty imports at once each wait their turn.
WRITE_WAIT_SECONDS = 120.0


def _begin(connection: Connection) -> None:
    # Writes take the write lock up front: a deferred transaction that reads and then writes can
    # fail half-way with "database is locked" when another writer got in between.
    if not connection.get_execution_options().get(WRITE_OPTION):
        connection.exec_driver_sql("BEGIN DEFERRED")
        return
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    while True:
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except DBAPIError as error:
            if _sqlite_code(error.orig) not in _BUSY_CODES or time.monotonic() >= deadline:
                raise


def _set_read_only_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA query_only = ON")
    finally:
        cursor.close()


def _read_only_sqlite_engine(path: Path) -> Engine:
    """Connections that cannot write: no journal mode set, no -wal created when there is none,
    no schema written (`mode=ro`, and `immutable=1` while no -wal file exists)."""

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(_read_only_uri(path), uri=True, check_same_thread=False)

    # QueuePool, as for any file: "sqlite://" alone would get SingletonThreadPool (the pool of an
    # in-memory database), whose dispose() closes every thread's connection, also one that a
    # background job is running a query on (a segmentation fault when Review closed its store).
    engine = create_engine(
        "sqlite://",
        creator=connect,
        poolclass=QueuePool,
        hide_parameters=True,
        json_serializer=json_serializer,
    )
    event.listen(engine, "connect", _set_read_only_pragmas)
    event.listen(engine, "begin", _begin)
    return engine


def _check_readable_diary(path: Path) -> None:
    """What a reading command needs: an existing, non-empty paintrack file (checked read-only)."""
    if not path.exists():
        raise UserError(
            f"There is no paintrack database at {path} yet. Import a diary first "
            "(paintrack import FILE), or choose the database with --db."
        )
    if path.stat().st_size == 0:
        raise UserError(
            f"{path} is an empty file, not a diary yet: there is nothing in it to read. Import a "
            f"diary into it first (paintrack import FILE), or choose the database with --db. "
            f"{UNCHANGED}"
        )
    check_existing_sqlite_file(path)


def _require_current_schema(engine: Engine, where: str) -> None:
    """A reading command reads a database as it is: never sets it up, never migrates it."""
    with engine.connect() as connection:
        current = _current_revisions(connection)
        _refuse_downgraded(connection, current, where)
        if not current:
            _refuse_foreign_tables(connection, where)
            raise UserError(
                f"There is no paintrack diary in {where} yet. Import a diary first (paintrack "
                "import FILE), or choose the database with --db."
            )
    if current == {SCHEMA_HEAD}:
        return
    unknown = current - known_revisions()
    if unknown:
        raise newer_version_error(where, unknown)
    raise UserError(
        f"{where} was written by an older paintrack (database schema {', '.join(sorted(current))})"
        " and needs updating, which this command does not do: it only reads. Open the diary in "
        f"the paintrack window once (it updates it), then try again. {UNCHANGED}"
    )


def _sqlite_engine(url: URL, *, memory: bool) -> Engine:
    # json_serializer: an audit row's values are stored as the very text that was hashed.
    kwargs: dict[str, Any] = {"hide_parameters": True, "json_serializer": json_serializer}
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
    except (ArgumentError, ValueError):
        return paths.mask_url(target)


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
        engine = create_engine(
            url,
            isolation_level="REPEATABLE READ",
            pool_pre_ping=True,
            hide_parameters=True,
            json_serializer=json_serializer,
        )
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


# SQLite's primary result codes (https://www.sqlite.org/rescode.html); the extended code's low
# byte is its primary code. Errors are told apart by these, never by their English text.
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26
_BUSY_CODES = frozenset({SQLITE_BUSY, SQLITE_LOCKED})

BUSY_ADVICE = (
    "the diary is busy: another paintrack (or another program) kept it locked for as long as "
    "paintrack waits its turn. Close the other program, or wait for it to finish, and try again."
)
FULL_ADVICE = "the disk is full. Free some space and try again; nothing already saved was lost."
READ_ONLY_ADVICE = (
    "the diary cannot be written: the file or its folder is read-only. Check the "
    "permissions, or choose another file with --db."
)
CANT_OPEN_ADVICE = (
    "the diary file cannot be opened: check that its folder exists and that you may "
    "read and write it, or choose another file with --db."
)
DAMAGED_ADVICE = (
    "the diary file is damaged. Restore a backup (paintrack restore BACKUP); do not "
    "keep writing to this file."
)
NOT_A_DB_ADVICE = (
    "the file is damaged or is not a paintrack diary. Restore a backup "
    "(paintrack restore BACKUP), or choose another file with --db."
)
IO_ADVICE = (
    "the disk reported an input/output error. Check the disk (or network drive) and try again; "
    "the diary itself may well be sound."
)

_ADVICE_BY_CODE: dict[int, str] = {
    SQLITE_BUSY: BUSY_ADVICE,
    SQLITE_LOCKED: BUSY_ADVICE,
    SQLITE_FULL: FULL_ADVICE,
    SQLITE_READONLY: READ_ONLY_ADVICE,
    SQLITE_PERM: READ_ONLY_ADVICE,
    SQLITE_CANTOPEN: CANT_OPEN_ADVICE,
    SQLITE_CORRUPT: DAMAGED_ADVICE,
    SQLITE_NOTADB: NOT_A_DB_ADVICE,
    SQLITE_IOERR: IO_ADVICE,
}
# What kind of trouble each code is, for a refusal while checking a file: only CORRUPT and
# NOTADB mean the file itself is damaged (a backup may help); the others are the disk's or
# the permissions', and restoring a backup would only bring back older data.
_KIND_BY_CODE: dict[int, str] = {
    SQLITE_FULL: "full",
    SQLITE_READONLY: "unreadable",
    SQLITE_PERM: "unreadable",
    SQLITE_CANTOPEN: "unreadable",
    SQLITE_IOERR: "io",
    SQLITE_BUSY: "busy",
    SQLITE_LOCKED: "busy",
}
# psycopg's SQLSTATE for a number out of the column's range (22003).
_PG_OUT_OF_RANGE = "22003"


def _sqlite_code(error: BaseException | None) -> int | None:
    """SQLite's primary result code of a sqlite3 error, or None (not SQLite's, or no code)."""
    code = getattr(error, "sqlite_errorcode", None)
    if not isinstance(code, int):
        return None
    return code & 0xFF


def user_error_for(error: BaseException, where: str) -> UserError | None:
    """A plain-words UserError for the database failures a user can fix; None for anything else
    (a bug). SQLite's are told apart by their result code (`sqlite_errorcode`)."""
    original = error.orig if isinstance(error, DBAPIError) else error
    if isinstance(original, sqlite3.Error):
        advice = _ADVICE_BY_CODE.get(_sqlite_code(original) or -1)
        return None if advice is None else UserError(f"Cannot use {where}: {advice}")
    if getattr(original, "sqlstate", None) == _PG_OUT_OF_RANGE:
        return UserError(
            f"Cannot save to {where}: a number is larger than the database can hold. Check the "
            "numbers given (a block's place in the series, for example). Nothing was saved."
        )
    if isinstance(error, OperationalError):
        # A database server that cannot be reached, refuses the login, or is shutting down.
        said = str(original).strip().rstrip(".")
        return UserError(
            f"Cannot use {where}: the database server said: {said}"
            f"{'' if said.endswith(('?', '!')) else '.'} "
            "Check the address and that the server is running, then try again."
        )
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


def _not_a_regular_file(path: Path) -> RefusedDatabase | None:
    """Only a regular file is ever opened as a diary: a pipe would hang the open, and a device
    such as /dev/null would be "an empty file" to set up (and chmod). None when `path` is a
    regular file or does not exist."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as error:
        return RefusedDatabase(
            f"Cannot read {path}: {error.strerror or error}. Check that the file exists and that "
            "you may read it, or choose another file with --db.",
            kind=RefusalKind.UNREADABLE,
            path=path,
        )
    if stat.S_ISREG(info.st_mode):
        return None
    what = (
        "a folder"
        if stat.S_ISDIR(info.st_mode)
        else "a pipe"
        if stat.S_ISFIFO(info.st_mode)
        else "a device"
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
        else "not a regular file"
    )
    return RefusedDatabase(
        f"Cannot read {path}: it is {what}, not a diary file. {UNCHANGED} Choose your paintrack "
        "diary with --db, or a new file name to start a new diary.",
        kind=RefusalKind.UNREADABLE,
        path=path,
    )


def parse_target(target: str) -> URL:
    """The SQLAlchemy URL of a path or address; UserError (the password never shown, nor kept
    in a log) when an address cannot be read."""
    if not paths.is_url(target):
        return URL.create("sqlite", database=str(Path(target).expanduser()))
    try:
        return make_url(target)
    except (ArgumentError, ValueError):
        # ValueError: a port that is not a number, often a password with an unescaped / or @.
        raise UserError(
            f"{paths.mask_url(target)} is not a database address paintrack understands. Write "
            "it as postgresql://USER:PASSWORD@HOST:PORT/DATABASE (the port a number; in the "
            "user name or password write @ as %40, : as %3A, / as %2F and % as %25), or give "
            "a file path."
        ) from None


def open_database(
    target: str, *, read_only: bool = False, on_wait: Callable[[str], None] | None = None
) -> OpenedDatabase:
    """Open (creating or migrating) the database at a path or SQLAlchemy URL.

    `read_only` (reading commands): the database must already exist and be up to date; nothing
    is created, migrated, chmodded or written, and the connections cannot write. `on_wait` is
    told when a writer has to wait for a restore of the file to finish.
    """
    url = parse_target(target)
    db_path = sqlite_file_of(url)
    writers: WritersLock | None = None
    if db_path is not None:
        # The real file: a symlink to a diary is that diary (its lock, its -wal, its claims).
        db_path = real_path(db_path)
        url = url.set(database=str(db_path))
        where = str(db_path)
        # Checked when first opened here; reading its bytes again would drop our own locks.
        already_open = _claim_file(db_path)
        try:
            with user_errors(where):
                if not already_open:
                    refused = _not_a_regular_file(db_path)
                    if refused is not None:
                        raise refused
                    if read_only:
                        _check_readable_diary(db_path)
                    elif not _is_empty(db_path):
                        check_existing_sqlite_file(db_path)
                if not read_only:
                    if not db_path.exists():
                        _create_private_file(db_path)
                    # Held until the store closes: a restore waits for it (see store.lock).
                    writers = WritersLock(db_path).acquire(exclusive=False, on_wait=on_wait)
                    if not already_open and _is_empty(db_path):
                        _make_private(db_path)  # an empty file: a new database, ours to set up
            if read_only:
                engine = _read_only_sqlite_engine(db_path)
            else:
                engine = _sqlite_engine(url, memory=False)
        except BaseException:
            if writers is not None:
                writers.release()
            release_file(db_path)
            raise
    elif url.get_backend_name() == "sqlite":
        where = "the in-memory database"
        if read_only:
            raise UserError("There is no paintrack diary in an in-memory database to read.")
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
            if read_only:
                _require_current_schema(engine, where)
            else:
                _migrate(engine, write_engine, where)
    except BaseException:
        engine.dispose()
        if writers is not None:
            writers.release()
        if db_path is not None:
            release_file(db_path)
        raise
    return OpenedDatabase(
        engine=engine,
        write_engine=write_engine,
        db_path=db_path,
        where=where,
        read_only=read_only,
        writers_lock=writers,
    )
