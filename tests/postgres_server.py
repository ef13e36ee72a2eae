"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl into a temporary folder,
listening only on a unix socket in that folder, stopped and removed at the end of the session.

It never skips: without the server binaries the tests that need it fail, saying what to install
(CI's .ci/run installs it). The Debian package's own cluster, if it runs, is never touched.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pytest

INSTALL_LINE = "sudo apt-get install -y postgresql"
BINDIR_ENV = "PAINTRACK_PG_BINDIR"
# Only the socket's file name depends on it (no TCP), so it cannot clash with another server.
PORT = 5432
SUPERUSER = "paintrack"
# initdb refuses to run as root: then the server runs as the user the Debian package creates.
SERVER_USER = "postgres"


def find_bindir(search_root: Path = Path("/usr/lib/postgresql")) -> Path:
    """The newest PostgreSQL server's bin folder (Debian: /usr/lib/postgresql/N/bin)."""
    configured = os.environ.get(BINDIR_ENV)
    candidates = [Path(configured)] if configured else []
    found = search_root.glob("*/bin")
    candidates += sorted(
        found, key=lambda p: int(re.sub(r"\D", "", p.parent.name) or 0), reverse=True
    )
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file():
            return bindir
    pytest.fail(
        "The PostgreSQL tests need a PostgreSQL server's initdb and pg_ctl (looked in "
        f"{', '.join(map(str, candidates)) or f'{search_root}/*/bin'}). Install them with:\n"
        f"    {INSTALL_LINE}\n"
        f"(or point {BINDIR_ENV} at the folder that holds initdb and pg_ctl).",
        pytrace=False,
    )


def _memory_folder() -> str | None:
    """/dev/shm where there is one with room: the cluster's files (a few hundred per database)
    are created and removed in memory, not on the disk. Each test's database is dropped after
    it (`drop_database`), so a cluster stays under 100 MB; a small /dev/shm (a container's
    64 MB) is left alone."""
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK | os.X_OK)):
        return None
    free = os.statvfs(shm)
    return str(shm) if free.f_bavail * free.f_frsize >= 1 << 30 else None


class PostgresServer:
    """One running cluster; `new_database()` hands each test an empty database of its own."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="paintrack-pg-", dir=_memory_folder()))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_user: list[str] = []
        self._names = itertools.count(1)
        self._head_template: str | None = None
        self._strategy: str | None = None
        if os.geteuid() == 0:
            try:
                server_user = pwd.getpwnam(SERVER_USER)
            except KeyError:
                shutil.rmtree(self.root, ignore_errors=True)
                pytest.fail(
                    f"Running as root, the test server needs the unprivileged user "
                    f"{SERVER_USER!r}, which the Debian package creates:\n    {INSTALL_LINE}",
                    pytrace=False,
                )
            os.chown(self.root, server_user.pw_uid, server_user.pw_gid)
            self._as_user = ["runuser", "-u", SERVER_USER, "--"]
        self.started = False

    def _run(self, tool: str, *args: str) -> None:
        command: Sequence[str] = [*self._as_user, str(self.bindir / tool), *args]
        done = subprocess.run(
            command, cwd=self.root, capture_output=True, text=True, timeout=120, check=False
        )
        if done.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            pytest.fail(
                f"{tool} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}\n{log}",
                pytrace=False,
            )

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
            "--no-sync",
            "--no-instructions",
        )
        # No TCP at all; fsync off: a throw-away server, and the tests stay fast on a busy disk.
        options = f"-c listen_addresses='' -k {self.root} -p {PORT} -F -c max_connections=60"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )
        self.started = True

    def stop(self) -> None:
        try:
            if self.started:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        return f"{driver}://{SUPERUSER}@/{database}?host={self.root}&port={PORT}"

    def execute(self, sql: str, database: str = "postgres") -> list[tuple[object, ...]]:
        """Run one statement outside any transaction (CREATE DATABASE needs that)."""
        import psycopg

        with psycopg.connect(
            host=str(self.root), port=PORT, user=SUPERUSER, dbname=database, autocommit=True
        ) as connection:
            cursor = connection.execute(sql)  # type: ignore[arg-type]
            return list(cursor.fetchall()) if cursor.description else []

    def new_database(self, *, at_head: bool = False) -> str:
        """The URL of a new database: empty, or `at_head`, holding paintrack's schema as the
        migration chain leaves a new database. That one is a copy (CREATE DATABASE ... TEMPLATE,
        15 ms) of a database `open_store` set up once for the session, instead of the chain run
        again for each test (60-120 ms of DDL round trips)."""
        name = f"paintrack_test_{next(self._names)}"
        template = f" TEMPLATE {self._head()}" if at_head else ""
        self.execute(f"CREATE DATABASE {name}{template}{self._copy_strategy()}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a test's database once the test is done (connections it left open are closed
        by the server first). Best effort: what is left is removed with the cluster."""
        import psycopg

        name = url.split("@/", 1)[1].split("?", 1)[0]
        with contextlib.suppress(psycopg.Error):
            self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def _copy_strategy(self) -> str:
        """PostgreSQL 15 copies a template through the write-ahead log by default (25 ms for
        a small database); with fsync off, copying its files is quicker (14 ms). Older servers
        only copy files, and do not know the option."""
        if self._strategy is None:
            ((version,),) = self.execute("SHOW server_version_num")
            self._strategy = " STRATEGY FILE_COPY" if int(str(version)) >= 150000 else ""
        return self._strategy

    def _head(self) -> str:
        if self._head_template is None:
            from paintrack.store import open_store

            name = "paintrack_head_template"
            self.execute(f"CREATE DATABASE {name}")
            open_store(self.url(name)).close()  # the chain; close() leaves no connection to it
            self._head_template = name
        return self._head_template
