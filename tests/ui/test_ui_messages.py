"""A message belongs to the action that caused it: it goes when it no longer applies, and every
action says what it did in the panel's one message place."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot
from ui_helpers import (
    START,
    add_block,
    baseline,
    click_score,
    minutes,
    press,
    save,
    start_diary,
    when_dialog_opens,
)

from paintrack.ui.clock import FakeClock, clock_text
from paintrack.ui.entry_dialogs import DeleteDialog, PaperLogDialog
from paintrack.ui.main_window import MainWindow


def test_entry_deleted_goes_after_a_while(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    clock.set(START + minutes(15))
    window.tick()
    click_score(qtbot, window, 3)
    save(qtbot, window)
    window.diary.tabs.setCurrentIndex(2)
    window.diary.entries.selectRow(0)

    def delete(dialog: QDialog) -> None:
        assert isinstance(dialog, DeleteDialog)
        qtbot.keyClicks(dialog.reason_edit, "entered twice")
        press(dialog, "Delete the entry")

    when_dialog_opens(delete)
    window.diary.delete_button.click()
    status = window.diary.log.status
    assert status.text().startswith("Entry deleted.")
    clock.set(START + minutes(20))
    window.tick()
    assert status.text().startswith("Entry deleted.")  # still fresh
    clock.set(START + minutes(80))  # an hour later
    window.tick()
    assert status.text() == ""


def test_the_missing_side_message_goes_once_that_side_is_chosen(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window, bilateral=True)
    click_score(qtbot, window, 7, "left")
    save(qtbot, window)
    status = window.diary.log.status
    assert status.kind == "Error" and "right side" in status.text()
    click_score(qtbot, window, 6, "right")
    assert status.kind == "" and status.text() == ""


def test_saving_paper_scores_says_so_in_the_panel(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + minutes(70))
    window.tick()

    def transcribe(dialog: QDialog) -> None:
        assert isinstance(dialog, PaperLogDialog)
        dialog.set_row(0, START + minutes(15), {"index": 5})
        dialog.set_row(1, START + minutes(30), {"index": 4})
        press(dialog, "Save these scores")

    when_dialog_opens(transcribe)
    window.diary.log.paper_button.click()
    said = window.diary.log.status.text()
    times = f"{clock_text(START + minutes(15))}, {clock_text(START + minutes(30))}"
    assert said == f"Saved 2 scores from your paper log ({times}), marked as copied from paper."
