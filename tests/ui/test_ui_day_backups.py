"""A block day's scores get a backup of their own: the start-of-day copy is made before the
first score, so the window copies the diary after the day's first save (once a day) and when
it closes after new entries."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from pytestqt.qtbot import QtBot
from ui_helpers import START, add_block, baseline, click_score, minutes, save, start_diary

from paintrack.store.backup import list_backups
from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow


def _entries_in(backup: Path) -> int:
    # closing(): a connection's own `with` only ends a transaction, it does not close it.
    with closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as connection:
        return int(connection.execute("SELECT count(*) FROM entries").fetchone()[0])


def test_the_first_save_of_a_day_and_closing_after_new_entries_make_a_backup(
    qtbot: QtBot, window: MainWindow, clock: FakeClock, db_path: Path
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    assert list_backups(db_path) == []
    baseline(qtbot, window, 7)  # the day's first save
    (first,) = list_backups(db_path)
    assert first.kind == "daily" and _entries_in(first.path) == 1
    for point in (15, 30):
        clock.set(START + minutes(point))
        window.tick()
        click_score(qtbot, window, 3)
        save(qtbot, window)
    assert len(list_backups(db_path)) == 1  # at most one after-save copy a day
    window.shut_down()  # closing after new entries
    backups = sorted(list_backups(db_path), key=lambda b: b.made_at)
    # The rotation keeps each day's newest daily copy: the one with all three scores.
    assert [_entries_in(b.path) for b in backups] == [3]


def test_closing_with_nothing_new_makes_no_backup(
    qtbot: QtBot, window: MainWindow, clock: FakeClock, db_path: Path
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    made = list_backups(db_path)
    window.shut_down()
    assert list_backups(db_path) == made


def test_the_backup_after_a_save_never_opens_the_live_diary_outside_sqlite(
    qtbot: QtBot, window: MainWindow, db_path: Path, monkeypatch: object
) -> None:
    """Closing any descriptor of a file drops all of the process's SQLite locks on it: another
    program could then delete the write-ahead log the window still writes confirmed scores to
    (found by a tester living through a block day: "disk I/O error" at the closing backup)."""
    import pathlib

    opened: list[str] = []
    real_open = pathlib.Path.open

    def spy(self: pathlib.Path, *args: object, **kwargs: object) -> object:
        if self.expanduser().absolute() == db_path.absolute():
            opened.append(str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    start_diary(qtbot, window)
    add_block(qtbot, window)
    monkeypatch.setattr(pathlib.Path, "open", spy)  # type: ignore[attr-defined]
    baseline(qtbot, window, 7)  # the day's first save: a backup
    window.shut_down()  # closing after new entries: another
    assert len(list_backups(db_path)) == 1
    assert opened == []
