"""Clinic mode in the real window: a patient-mode window offers no clinic settings; a clinic
window shows nothing until someone signs in, names each person's changes in the trail, and
locks itself after the idle minutes, keeping the diary until someone signs in again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from ui_helpers import add_block, baseline, click_score, save, start_diary

from paintrack.clinical.people import Role
from paintrack.operations import clinic as clinic_ops
from paintrack.store import open_store
from paintrack.ui.clinic_mode import LOCKED_TITLE
from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow
from paintrack.ui.review import ReviewMode
from paintrack.ui.review_settings import ClinicSettingsDialog

DOCTOR, NURSE = "Dr Rivera", "Nurse Obi"
SECRET = {DOCTOR: "doctor's password", NURSE: "nurse's password"}
MakeWindow = Callable[[], MainWindow]


@pytest.fixture
def clinic_db(db_path: Path) -> Path:
    with open_store(str(db_path)) as store:
        store.add_user(DOCTOR, Role.CLINICIAN, SECRET[DOCTOR])
        store.add_user(NURSE, Role.STAFF, SECRET[NURSE])
        clinic_ops.enable_clinic_mode(store)
    return db_path


def _review(qtbot: QtBot, window: MainWindow) -> ReviewMode:
    qtbot.waitUntil(lambda: window.review is not None, timeout=15000)
    assert isinstance(window.review, ReviewMode)
    return window.review


def _file_actions(window: MainWindow) -> list[str]:
    return [a.text() for a in window.menus.file_menu.actions() if a.isVisible() and a.text()]


def _all_action_texts(window: MainWindow) -> list[str]:
    texts = []
    for top in window.menuBar().actions():
        menu = top.menu()
        assert menu is not None
        texts += [a.text() for a in menu.actions() if isinstance(a, QAction) and a.isVisible()]
    return texts


def sign_in(qtbot: QtBot, window: MainWindow, name: str, password: str | None = None) -> None:
    dialog = window.clinic.dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.mouseClick(dialog.name, Qt.MouseButton.LeftButton)  # to the name, as a person would
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, name)
    error = dialog.error.text()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)  # on to the password
    assert dialog.focusWidget() is dialog.password
    assert dialog.error.text() == error  # no complaint about the password not typed yet
    qtbot.keyClicks(dialog.password, SECRET[name] if password is None else password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)


def test_a_patient_mode_window_offers_no_clinic_settings(qtbot: QtBot, window: MainWindow) -> None:
    review = _review(qtbot, window)
    window.show_mode("Review")
    assert review.isVisible()
    shown = [b.text() for b in review.findChildren(QPushButton) if b.isVisible()]
    assert not any("Clinic settings" in text for text in shown)
    assert not review.settings_button.isVisible()
    texts = _all_action_texts(window)
    assert not any("Clinic settings" in text for text in texts)
    assert "Switch on clinic mode…" in texts
    assert "Switch user…" not in texts and "Lock now" not in texts
    assert not window.clinic.locked and not window.clinic.status.isVisible()


def test_switching_on_clinic_mode_without_a_clinician_says_how_to_add_one(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.clinic.enable_action.trigger()
    box = window.clinic.confirm
    assert isinstance(box, QMessageBox) and box.isVisible()
    (yes,) = [b for b in box.buttons() if b.text() == "Switch on clinic mode"]
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert "paintrack users add NAME --role clinician" in window.problems.shown[-1]
    assert not window.clinic.session.clinic_mode and not window.clinic.locked


def test_switching_on_clinic_mode_from_the_menu_asks_who_signs_in(
    qtbot: QtBot, db_path: Path, make_window: MakeWindow
) -> None:
    with open_store(str(db_path)) as store:
        store.add_user(DOCTOR, Role.CLINICIAN, SECRET[DOCTOR])
    window = make_window()
    window.clinic.enable_action.trigger()
    box = window.clinic.confirm
    assert box is not None
    (yes,) = [b for b in box.buttons() if b.text() == "Switch on clinic mode"]
    qtbot.mouseClick(yes, Qt.MouseButton.LeftButton)
    assert window.clinic.locked and window.windowTitle().startswith(LOCKED_TITLE)
    sign_in(qtbot, window, DOCTOR)
    assert not window.clinic.locked
    assert window.clinic.status.text() == "Signed in: Dr Rivera (clinician)"
    with open_store(str(db_path)) as store:
        assert store.clinic_state().clinic_mode


def test_a_clinic_window_shows_no_diary_before_sign_in_and_refuses_a_wrong_password(
    qtbot: QtBot, clinic_db: Path, make_window: MakeWindow
) -> None:
    window = make_window()
    clinic = window.clinic
    assert clinic.locked
    assert clinic.stack.currentWidget() is clinic.lock_page
    assert window.windowTitle().startswith(LOCKED_TITLE)
    assert not window.modes.isVisible()
    assert not window.menus.add_block.isEnabled() and not window.menus.import_diary.isEnabled()
    window.menus.update()  # e.g. a file job ending while locked: the menus stay off
    assert not window.menus.import_diary.isEnabled()
    sign_in(qtbot, window, NURSE, "not the password")
    dialog = clinic.dialog
    assert dialog is not None and dialog.isVisible() and clinic.locked
    wrong_password = dialog.error.text()
    assert "do not match an active user" in wrong_password
    assert dialog.password.text() == ""  # cleared for another try
    sign_in(qtbot, window, "Nobody Here", SECRET[NURSE])
    assert dialog.error.text() == wrong_password  # no hint which of the two was wrong
    assert clinic.session.who is None and clinic.locked
    sign_in(qtbot, window, NURSE)
    assert not clinic.locked and clinic.session.who is not None
    assert clinic.stack.currentIndex() == 0 and window.modes.isVisible()
    assert window.menus.import_diary.isEnabled()
    assert clinic.status.text() == "Signed in: Nurse Obi (staff)"


def test_two_users_each_named_in_the_trail_and_verify_passes(
    qtbot: QtBot, clinic_db: Path, make_window: MakeWindow
) -> None:
    window = make_window()
    sign_in(qtbot, window, NURSE)
    review = _review(qtbot, window)
    assert review.settings_button.isHidden()  # staff: no clinic settings
    assert "Switch off clinic mode…" not in _file_actions(window)  # staff
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window)
    window.clinic.switch_user_action.trigger()
    assert window.clinic.locked and window.clinic.session.who is None
    sign_in(qtbot, window, DOCTOR)
    assert "Switch off clinic mode…" in _file_actions(window)
    window.clock.advance(minutes=15)  # type: ignore[attr-defined]
    click_score(qtbot, window, 3)
    save(qtbot, window)
    window.show_mode("Review")
    assert review.settings_button.isVisible()
    store = window.stored
    patient_id = window.current_patient_id
    assert patient_id is not None
    actors = [(r.action, r.actor) for r in store.audit_trail(patient_id)]
    assert actors[:3] == [("add_patient", NURSE), ("add_block", NURSE), ("add_entry", NURSE)]
    # the doctor's score, then the doctor opening the diary in Review: a view names its user too
    assert actors[3:] == [("add_entry", DOCTOR), ("view_diary", DOCTOR)]
    assert store.check_audit_trail().intact


def test_the_idle_lock_hides_the_diary_and_signing_in_again_restores_it(
    qtbot: QtBot, clinic_db: Path, make_window: MakeWindow, clock: FakeClock
) -> None:
    window = make_window()
    clinic = window.clinic
    sign_in(qtbot, window, NURSE)
    start_diary(qtbot, window, "Jane Example")
    add_block(qtbot, window)
    baseline(qtbot, window)
    assert "Jane Example" in window.windowTitle()
    clock.advance(minutes=9)
    clinic.check_idle()
    assert not clinic.locked  # the default lock is 10 minutes
    qtbot.keyClick(window.diary.log, Qt.Key.Key_Shift)  # somebody is there
    clock.advance(minutes=9)
    clinic.check_idle()
    assert not clinic.locked
    clock.advance(minutes=2)
    clinic.check_idle()
    assert clinic.locked
    assert clinic.stack.currentWidget() is clinic.lock_page
    assert "Jane Example" not in window.windowTitle()
    assert not window.modes.isVisible()
    assert "10 minutes" in clinic.lock_page.explain.text()
    assert clinic.session.who is None and window.stored.actor != NURSE
    # Kept in memory: the same page, the same diary, nothing reloaded.
    assert window.diary.diary is not None and window.diary.diary.patient.name == "Jane Example"
    sign_in(qtbot, window, DOCTOR)  # another user takes over
    assert not clinic.locked and window.modes.isVisible()
    assert window.pages.currentWidget() is window.diary
    assert "Jane Example" in window.windowTitle()
    assert clinic.status.text() == "Signed in: Dr Rivera (clinician)"


def test_a_clinician_sets_the_idle_lock_in_clinic_settings(
    qtbot: QtBot, clinic_db: Path, make_window: MakeWindow, clock: FakeClock
) -> None:
    window = make_window()
    sign_in(qtbot, window, DOCTOR)
    review = _review(qtbot, window)
    window.show_mode("Review")
    qtbot.mouseClick(review.settings_button, Qt.MouseButton.LeftButton)
    dialog = review.findChild(ClinicSettingsDialog)
    assert dialog is not None and dialog.idle_lock.isVisible()
    dialog.idle_lock.setValue(3)
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert not dialog.isVisible()
    assert window.stored.clinic_state().idle_lock_minutes == 3
    clock.advance(minutes=3)
    window.clinic.check_idle()
    assert window.clinic.locked
    assert "3 minutes" in window.clinic.lock_page.explain.text()


def test_locking_hides_an_open_dialog_and_signing_in_shows_it_again(
    qtbot: QtBot, clinic_db: Path, make_window: MakeWindow
) -> None:
    window = make_window()
    sign_in(qtbot, window, DOCTOR)
    review = _review(qtbot, window)
    window.show_mode("Review")
    dialog = review.edit_settings()
    assert dialog.isVisible()
    window.clinic.lock_action.trigger()
    assert window.clinic.locked and not dialog.isVisible()
    sign_in(qtbot, window, DOCTOR)
    assert dialog.isVisible()


def test_someone_else_signing_in_gets_no_dialog_the_last_user_left_open(
    qtbot: QtBot, clinic_db: Path, make_window: MakeWindow
) -> None:
    window = make_window()
    sign_in(qtbot, window, DOCTOR)
    review = _review(qtbot, window)
    window.show_mode("Review")
    dialog = review.edit_settings()
    window.clinic.lock_action.trigger()
    sign_in(qtbot, window, NURSE)  # not the doctor: the doctor's half-made change is not hers
    assert not window.clinic.locked
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    message = window.statusBar().currentMessage()
    assert f"{DOCTOR} left a window open" in message and "without saving" in message


def test_clinic_mode_switched_on_elsewhere_locks_an_open_patient_mode_window(
    qtbot: QtBot, db_path: Path, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    window.clinic.check_idle()
    assert not window.clinic.locked
    with open_store(str(db_path)) as other:  # another workstation, or `paintrack clinic enable`
        other.add_user(DOCTOR, Role.CLINICIAN, SECRET[DOCTOR])
        clinic_ops.enable_clinic_mode(other)
    window.clinic.check_idle()
    assert window.clinic.locked and "Jane Example" not in window.windowTitle()
    sign_in(qtbot, window, DOCTOR)
    assert not window.clinic.locked and "Jane Example" in window.windowTitle()


def test_sign_in_rests_after_several_wrong_tries(
    qtbot: QtBot, clinic_db: Path, make_window: MakeWindow
) -> None:
    window = make_window()
    dialog = window.clinic.dialog
    assert dialog is not None
    for _ in range(dialog.TRIES_BEFORE_A_REST):
        sign_in(qtbot, window, NURSE, "a wrong guess")
    assert dialog.resting
    assert "Sign in works again in 30 seconds" in dialog.error.text()
    sign_in(qtbot, window, NURSE)  # the right password, but resting: nothing happens
    assert window.clinic.locked and window.clinic.session.who is None
    dialog.rest.stop()
    dialog.rest.timeout.emit()  # the rest is over
    assert not dialog.resting and dialog.error.isHidden()
    sign_in(qtbot, window, NURSE)
    assert not window.clinic.locked
