"""The test server never skips itself: without PostgreSQL's binaries the tests fail, saying exactly
what to install (the same line .ci/run acts on)."""

from __future__ import annotations

from pathlib import Path

import pytest
from postgres_server import BINDIR_ENV, INSTALL_LINE, PostgresServer, find_bindir


def test_missing_server_binaries_fail_with_the_apt_get_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(BINDIR_ENV, raising=False)
    (tmp_path / "15" / "bin").mkdir(parents=True)  # a client-only install: no initdb
    with pytest.raises(pytest.fail.Exception) as failed:
        find_bindir(tmp_path)
    assert INSTALL_LINE == "sudo apt-get install -y postgresql"
    assert f"\n    {INSTALL_LINE}\n" in str(failed.value)
    assert str(tmp_path / "15" / "bin") in str(failed.value)


def test_the_session_server_is_a_real_postgresql_15_or_newer(
    postgres_server: PostgresServer,
) -> None:
    ((version,),) = postgres_server.execute("SHOW server_version_num")
    assert int(str(version)) >= 150000
    assert find_bindir() == postgres_server.bindir
    # Only a unix socket in the server's own folder: nothing listens on the network.
    ((addresses,),) = postgres_server.execute("SHOW listen_addresses")
    assert addresses == ""
