"""The window's way out when the diary cannot be opened (issue 6): the store's message in a dialog,
"Restore a backup…" (newest first), "Start a new diary elsewhere…" (a NEW file only), or Quit;
a calm message for a diary open in another window; the start-of-day backup on opening."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from paintrack.clinical.model import Patient
from paintrack.operations import startup
from paintrack.store import RefusedDatabase, open_store
from paintrack.store.backup import Backup, list_backups, make_backup
from paintrack.store.lock import DiaryInUse, DiaryLock
from paintrack.ui.startup_problems import (
    IN_USE_TITLE,
    NEW,
    QUIT,
    RESTORE,
    Choice,
    StartupProblemDialog,
    in_use_box,
    prepare_diary,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _diary(path: Path, name: str = "Pat Window") -> Path:
    with open_store(str(path)) as store:
        store.add_patient(Patient(name=name))
    return path


def _refusal(path: Path) -> RefusedDatabase:
    with pytest.raises(RefusedDatabase) as raised:
        open_store(str(path))
    return raised.value


def _damage(path: Path) -> bytes:
    path.write_bytes(b"this is not a database any more" * 50)
    return path.read_bytes()


def _dialog(qtbot: QtBot, path: Path) -> StartupProblemDialog:
    dialog = StartupProblemDialog(_refusal(path), list_backups(path))
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_the_dialog_shows_the_stores_own_message(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "diary.db"
    _damage(path)
    dialog = _dialog(qtbot, path)
    assert dialog.message.text() == _refusal(path).message
    assert str(path) in dialog.message.text()
    assert "Restore a backup" in dialog.message.text()
    labels = {b.text() for b in (dialog.restore_button, dialog.new_button, dialog.quit_button)}
    assert labels == {"Restore a backup…", "Start a new diary elsewhere…", "Quit"}
    assert not any("overwrite" in label.lower() for label in labels)


def test_restore_lists_backups_newest_first_and_picks_the_selected_one(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = _diary(tmp_path / "diary.db")
    older = make_backup(path, now=NOW - timedelta(days=2))
    newer = make_backup(path, now=NOW)
    _damage(path)
    dialog = _dialog(qtbot, path)
    assert dialog.restore_button.isEnabled()
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.pages.currentIndex() == 1
    items = [dialog.backup_list.item(i) for i in range(dialog.backup_list.count())]
    paths = [item.data(Qt.ItemDataRole.UserRole) for item in items]
    assert paths == [str(newer), str(older)]
    dialog.backup_list.setCurrentRow(1)
    qtbot.mouseClick(dialog.restore_selected_button, Qt.MouseButton.LeftButton)
    assert dialog.choice == Choice(RESTORE, older)
    assert dialog.result() == dialog.DialogCode.Accepted


def test_each_backup_says_what_it_holds(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "diary.db"
    open_store(str(path)).close()
    empty = make_backup(path, now=NOW - timedelta(days=2))  # before any entry
    _diary(path)
    one_patient = make_backup(path, now=NOW)
    _damage(path)
    dialog = _dialog(qtbot, path)
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    texts = [dialog.backup_list.item(i).text() for i in range(dialog.backup_list.count())]
    assert [dialog.backup_list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(2)] == [
        str(one_patient),
        str(empty),
    ]
    assert texts[0].endswith("(made by hand)\nHolds 1 patient, 0 blocks and 0 entries")
    assert texts[1].endswith("(made by hand)\nHolds 0 patients, 0 blocks and 0 entries")


def test_without_backups_restore_is_disabled_and_says_where_it_looked(
    qtbot: QtBot, tmp_path: Path
) -> None:
    path = tmp_path / "diary.db"
    _damage(path)
    dialog = _dialog(qtbot, path)
    assert not dialog.restore_button.isEnabled()
    assert str(tmp_path / "backups") in dialog.notice.text()


def test_start_a_new_diary_never_accepts_an_existing_file(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "diary.db"
    damaged = _damage(path)
    existing = tmp_path / "someone-elses.db"
    existing.write_text("keep me")
    answers = [str(path), str(existing), str(tmp_path / "fresh")]

    def save_file_name(*_args: object, **_kwargs: object) -> tuple[str, str]:
        return answers.pop(0), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_file_name)
    dialog = _dialog(qtbot, path)
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)  # the damaged file itself
    assert dialog.choice.action == QUIT and dialog.isVisible()
    assert "already exists" in dialog.notice.text()
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)  # another existing file
    assert dialog.choice.action == QUIT and dialog.isVisible()
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)  # a new name
    assert dialog.choice == Choice(NEW, tmp_path / "fresh.db")
    assert path.read_bytes() == damaged
    assert existing.read_text() == "keep me"


def test_cancelling_the_file_dialog_keeps_the_problem_dialog_open(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "diary.db"
    _damage(path)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: ("", ""))
    dialog = _dialog(qtbot, path)
    qtbot.mouseClick(dialog.new_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.choice.action == QUIT


def test_quit_rejects(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "diary.db"
    _damage(path)
    dialog = _dialog(qtbot, path)
    qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert dialog.choice.action == QUIT
    assert dialog.result() == dialog.DialogCode.Rejected


# -- prepare_diary: the open path run_app takes -----------------------------------------------


def test_a_damaged_diary_restored_from_the_dialog_opens(tmp_path: Path) -> None:
    path = _diary(tmp_path / "diary.db")
    backup = make_backup(path, now=NOW)
    damaged = _damage(path)
    asked: list[list[Backup]] = []

    def choose(error: RefusedDatabase, backups: list[Backup]) -> Choice:
        assert error.path == path
        asked.append(backups)
        return Choice(RESTORE, backups[0].path)

    prepared = prepare_diary(str(path), ask_refused=choose, now=lambda: NOW)
    assert prepared is not None
    try:
        assert [b.path for b in asked[0]] == [backup]
        assert prepared.target == str(path)
        assert prepared.lock is not None and prepared.lock.held
        with open_store(prepared.target) as store:
            assert [p.name for p in store.list_patients()] == ["Pat Window"]
        (aside,) = tmp_path.glob("diary.db.before-restore-*")
        assert aside.read_bytes() == damaged
    finally:
        prepared.release()


def test_a_new_diary_elsewhere_leaves_the_refused_file_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE notes (body TEXT)")
    raw.close()
    before = path.read_bytes()
    fresh = tmp_path / "new-diary.db"
    prepared = prepare_diary(
        str(path), ask_refused=lambda e, b: Choice(NEW, fresh), make_backup=False
    )
    assert prepared is not None
    prepared.release()
    assert prepared.target == str(fresh)
    assert fresh.exists()
    assert path.read_bytes() == before


def test_quitting_from_the_dialog_opens_nothing(tmp_path: Path) -> None:
    path = tmp_path / "diary.db"
    damaged = _damage(path)
    assert prepare_diary(str(path), ask_refused=lambda e, b: Choice(QUIT)) is None
    assert path.read_bytes() == damaged
    assert DiaryLock(path).acquire().held  # and no lock is left held


def test_the_smoke_test_prints_the_problem_instead_of_asking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "diary.db"
    _damage(path)

    def never(*_args: object) -> Choice:
        raise AssertionError("must not ask")

    assert prepare_diary(str(path), quiet=True, ask_refused=never) is None
    assert str(path) in capsys.readouterr().err


def test_a_second_window_gets_the_calm_message_and_can_quit(tmp_path: Path) -> None:
    path = _diary(tmp_path / "diary.db")
    first = prepare_diary(str(path), make_backup=False)
    assert first is not None
    seen: list[DiaryInUse] = []
    try:

        def quit_(error: DiaryInUse) -> bool:
            seen.append(error)
            return False

        assert prepare_diary(str(path), ask_in_use=quit_) is None
        assert seen[0].message.startswith(IN_USE_TITLE)
    finally:
        first.release()
    # once the first window has closed, "Try again" opens it
    again = prepare_diary(str(path), make_backup=False)
    assert again is not None
    again.release()


def test_try_again_after_the_other_window_closes(tmp_path: Path) -> None:
    path = _diary(tmp_path / "diary.db")
    other = DiaryLock(path).acquire()
    answers: list[bool] = []

    def try_again(_error: DiaryInUse) -> bool:
        other.release()  # the patient closes the other window, then clicks Try again
        answers.append(True)
        return True

    prepared = prepare_diary(str(path), ask_in_use=try_again, make_backup=False)
    assert prepared is not None and answers == [True]
    prepared.release()


def test_the_in_use_box_is_calm_and_offers_try_again_or_quit(qtbot: QtBot, tmp_path: Path) -> None:
    error = DiaryInUse(f"{IN_USE_TITLE} ({tmp_path}).", path=tmp_path / "diary.db")
    box = in_use_box(error)
    qtbot.addWidget(box)
    assert box.text() == IN_USE_TITLE + "."
    assert str(tmp_path / "diary.db") in box.informativeText()
    assert box.icon() == QMessageBox.Icon.Information  # not a warning: nothing is wrong
    assert sorted(b.text() for b in box.buttons()) == ["Quit", "Try again"]


def test_opening_makes_the_start_of_day_backup_once(tmp_path: Path) -> None:
    path = _diary(tmp_path / "diary.db")
    for hours in (0, 3):  # two starts the same day
        moment = NOW + timedelta(hours=hours)
        prepared = prepare_diary(str(path), now=lambda moment=moment: moment)  # type: ignore[misc]
        assert prepared is not None
        prepared.release()
    (made,) = list_backups(path)
    assert made.kind == "daily"
    next_day = prepare_diary(str(path), now=lambda: NOW + timedelta(days=1))
    assert next_day is not None and next_day.backup is not None
    next_day.release()
    assert len(list_backups(path)) == 2


def test_a_failing_backup_does_not_keep_the_patient_from_the_diary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _diary(tmp_path / "diary.db")

    def full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(startup, "daily_backup", full)
    prepared = prepare_diary(str(path), now=lambda: NOW)
    assert prepared is not None and prepared.backup is None
    prepared.release()


def test_the_smoke_test_on_a_refused_or_busy_diary_exits_2_and_says_why(tmp_path: Path) -> None:
    """The window paints first, then the diary is checked; a refused or busy one ends the run
    with status 2 and the reason on standard error. In its own process, as a user runs it:
    once QApplication.exec() has returned, Qt ends every later event loop at once."""
    import subprocess
    import sys

    def smoke(db: Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "paintrack", "--db", str(db), "--smoke-test"]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    damaged = tmp_path / "damaged.db"
    _damage(damaged)
    refused = smoke(damaged)
    assert refused.returncode == 2, refused.stderr
    assert "damaged.db" in refused.stderr
    busy = _diary(tmp_path / "busy.db")
    with DiaryLock(busy):
        in_use = smoke(busy)
    assert in_use.returncode == 2, in_use.stderr
    assert IN_USE_TITLE in in_use.stderr


def test_about_says_where_the_backups_are(
    window: Any, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paintrack.store.backup import backups_dir

    shown: list[str] = []

    def record(box: QMessageBox) -> int:
        shown.append(box.informativeText())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", record)
    window.files.about()
    assert f"Backups are kept in:\n{backups_dir(db_path)}" in shown[0]
    assert backups_dir(db_path) == db_path.parent / "backups"
