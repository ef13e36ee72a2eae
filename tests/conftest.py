"""Fixtures shared by every test: no test may ever touch a real user's diary."""

from __future__ import annotations

import compileall
import importlib.util
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import new_diaries
import pytest
from hypothesis import HealthCheck, settings
from postgres_server import PostgresServer

# Property tests run the same examples on every run, so a CI result never depends on luck and a
# failure can be reproduced; timing health checks are off because this machine is shared and
# noisy. HYPOTHESIS_PROFILE=explore draws fresh random examples when hunting.
settings.register_profile(
    "repeatable",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "explore",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile paintrack's bytecode once. These machines set PYTHONDONTWRITEBYTECODE=1 and the
    install is editable, so without this every subprocess a test starts (well over a hundred:
    the kill -9 writers, the fresh-interpreter import checks, every `python -m paintrack`)
    compiled all the modules it imports again, 0.1-0.4 s each. Up-to-date files are skipped."""
    spec = importlib.util.find_spec("paintrack")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=2)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The tests marked slow (10-50 s each: the 25-hour day, kill -9 writers, the oracle) run
    first, so on every core (make test: pytest-xdist) none of them starts last and holds the
    whole run while the other workers wait. The order among the rest is unchanged."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture(autouse=True)
def _private_data_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point the user data folder, config and PAINTRACK_DB at a fresh temporary folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("PAINTRACK_DB", str(home / "data" / "paintrack" / "paintrack.db"))
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    yield home


@pytest.fixture(autouse=True)
def _quick_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt at the product's cost (n = 2**14) takes 50-150 ms a password here, on purpose,
    and the suite makes and checks a few hundred in its own process (sign-ins, users, clinic
    mode). A hash names its own cost (`scrypt$N$r$p$salt$hash`), so a cheaper one goes through
    the same code to make and to check. Tests marked `production_password_cost` keep the
    product's, and `paintrack` started as a subprocess always has it."""
    if request.node.get_closest_marker("production_password_cost") is None:
        from paintrack.store import passwords

        monkeypatch.setattr(passwords, "N", 2**4)


@pytest.fixture(autouse=True)
def _new_diaries_from_the_head_schema(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new SQLite diary gets the schema the migration chain made once in this process, instead
    of running the chain again (tests/new_diaries.py says why and what is still real). Tests
    marked `migration_chain` run the chain for every new diary, as `paintrack` does."""
    if request.node.get_closest_marker("migration_chain") is None:
        from alembic import command

        monkeypatch.setattr(command, "upgrade", new_diaries.upgrade)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A throw-away PostgreSQL server for the whole session, started on first use. It fails
    (never skips) when the server binaries are missing, naming the apt-get line to install them."""
    server = PostgresServer()
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database for one test (dropped after it)."""
    url = postgres_server.new_database()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture
def set_local_zone() -> Iterator[Callable[[str], None]]:
    """Set the computer's time zone for one test (TZ, then time.tzset(): setting TZ alone does
    not change what astimezone() uses), and put the machine's own back afterwards. For tests
    whose expected text spells a local date or time: CI runs in whatever zone its machine has."""
    saved = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()

    yield set_zone
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.fixture
def local_utc(set_local_zone: Callable[[str], None]) -> None:
    """This test's local time is UTC, so "1 Nov 2026" in the expected text is the UTC date."""
    set_local_zone("UTC")
