"""The window on a clinic's PostgreSQL server: a score saved through the real widgets lands on the
server with its audit record; no file lock and no start-of-day backup are attempted; About says the
server's own backups apply; the URL's password is never shown or written to the preferences."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import make_url
from ui_helpers import START, add_block, baseline, click_score, minutes, save, start_diary

from paintrack.store import open_store
from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow
from paintrack.ui.startup_problems import prepare_diary

PASSWORD = "s3cret-pw"


@pytest.fixture
def server_url(postgres_url: str) -> str:
    """The test database's URL with a password in it (the test server trusts the socket, so it
    is never checked; it is there to prove it is never shown or kept)."""
    return make_url(postgres_url).set(password=PASSWORD).render_as_string(hide_password=False)


@pytest.fixture
def server_window(
    qtbot: QtBot, server_url: str, clock: FakeClock, prefs: QSettings
) -> Iterator[MainWindow]:
    window = MainWindow(server_url, clock=clock, settings=prefs, quiet=True)
    qtbot.addWidget(window)
    window.resize(1100, 760)
    window.show()
    qtbot.waitExposed(window)
    assert window.start()
    yield window
    window.shut_down()


def test_a_score_saved_in_the_window_lands_on_the_server(
    qtbot: QtBot,
    server_window: MainWindow,
    clock: FakeClock,
    server_url: str,
    prefs: QSettings,
    tmp_path: Path,
) -> None:
    start_diary(qtbot, server_window, "Server Patient")
    add_block(qtbot, server_window)
    baseline(qtbot, server_window, 8)
    clock.set(START + minutes(15))
    server_window.tick()
    click_score(qtbot, server_window, 6)
    save(qtbot, server_window)
    assert server_window.diary.log.status.is_showing("Saved")

    with open_store(server_url) as store:  # another client of the same server
        (patient,) = store.list_patients()
        (block,) = store.load_diary(patient.id).blocks
        assert [e.scores["index"] for e in block.entries] == [8, 6]
        assert store.check_audit_trail().intact
    prefs.sync()
    kept = Path(prefs.fileName()).read_text("utf-8")
    assert patient.id in kept  # the window remembers where it was ...
    assert PASSWORD not in kept  # ... without the server's password
    # A server diary leaves no file, lock or backups folder on this computer.
    assert not list(tmp_path.glob("**/backups"))
    assert not list(tmp_path.glob("**/*.lock"))


def test_about_says_the_servers_own_backups_apply(
    server_window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []

    def record(box: QMessageBox) -> int:
        shown.append(box.informativeText())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", record)
    server_window.files.about()
    (text,) = shown
    assert "server's own backups apply" in text
    assert "postgresql+psycopg://paintrack:***@/" in text
    assert PASSWORD not in text


def test_opening_a_server_takes_no_file_lock_and_makes_no_backup(
    server_url: str, tmp_path: Path
) -> None:
    prepared = prepare_diary(server_url, quiet=True, make_backup=True)
    assert prepared is not None
    try:
        assert prepared.target == server_url
        assert prepared.lock is None
        assert prepared.backup is None
    finally:
        prepared.release()
    assert not list(tmp_path.glob("**/backups"))


@pytest.mark.slow
def test_the_smoke_test_opens_the_window_on_a_server(server_url: str, tmp_path: Path) -> None:
    # In its own process, as a user runs it (run_app quits the application when it is done).
    result = subprocess.run(
        [sys.executable, "-m", "paintrack", "--db", server_url, "--smoke-test"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    with open_store(server_url) as store:  # the window migrated the new database on open
        assert store.list_patients() == []
        assert store.check_audit_trail().intact
