"""Times that do not belong after the block: a score before it counts as the pain before it
(and the patient is told so), more than a day before it is refused, and a block's diary
closes a day after it instead of taking scores months later."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox
from pytestqt.qtbot import QtBot
from ui_helpers import (
    START,
    add_block,
    baseline,
    click_score,
    minutes,
    save,
    start_diary,
    when_dialog_opens,
)

from paintrack.clinical.model import Entry
from paintrack.ui.block_form import to_qdatetime
from paintrack.ui.clock import FakeClock, clock_text
from paintrack.ui.entry_dialogs import PaperLogDialog
from paintrack.ui.main_window import MainWindow


def _stored(window: MainWindow) -> list[Entry]:
    assert window.current_patient_id is not None
    return list(window.store.load_diary(window.current_patient_id).blocks[-1].entries)


def _press(dialog: QDialog, text: str) -> None:
    box = dialog.findChild(QDialogButtonBox)
    assert box is not None
    button = next(b for b in box.buttons() if b.text() == text)
    button.click()


def test_an_earlier_time_before_the_block_counts_as_the_pain_before_it(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    log = window.diary.log
    qtbot.mouseClick(log.skip_button, Qt.MouseButton.LeftButton)
    clock.set(START + minutes(225))
    window.tick()
    qtbot.mouseClick(log.earlier, Qt.MouseButton.LeftButton)
    earlier = START - timedelta(hours=3)
    log.at.setDateTime(to_qdatetime(earlier))
    note = log.late_note.text()
    assert f"{clock_text(earlier)} is before your block ({clock_text(START)})" in note
    assert "count as your pain before the block, not as relief after it" in note
    assert "That's fine" not in note
    qtbot.wait(50)
    click_score(qtbot, window, 6)
    save(qtbot, window)
    assert [(e.at, e.scores["index"]) for e in _stored(window)] == [(earlier, 6)]
    assert "as your pain before the block" in log.status.text()
    result = window.diary.current_result()
    assert result is not None and result.sites["index"].baseline == 6


def test_more_than_a_day_before_the_block_is_refused(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    clock.set(START + minutes(30))
    window.tick()
    log = window.diary.log
    qtbot.mouseClick(log.earlier, Qt.MouseButton.LeftButton)
    log.at.setDateTime(to_qdatetime(START - timedelta(hours=25)))
    assert "more than a day before your block" in log.late_note.text()
    click_score(qtbot, window, 3)
    save(qtbot, window)
    assert "more than a day before your block" in log.status.text()
    assert len(_stored(window)) == 1


def test_a_future_time_message_goes_when_the_box_is_unticked_and_save_stays_put(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    clock.set(START + minutes(30))
    window.tick()
    log = window.diary.log
    qtbot.mouseClick(log.earlier, Qt.MouseButton.LeftButton)
    qtbot.wait(20)
    save_at = log.save_button.mapTo(window, QPoint(0, 0))
    log.at.setDateTime(to_qdatetime(START + minutes(5)))  # late: the note appears
    qtbot.wait(20)
    assert log.late_note.isVisible()
    assert log.save_button.mapTo(window, QPoint(0, 0)) == save_at, "Save moved"
    log.at.setDateTime(to_qdatetime(START + minutes(60)))
    click_score(qtbot, window, 3)
    save(qtbot, window)
    assert "in the future" in log.status.text()
    qtbot.mouseClick(log.earlier, Qt.MouseButton.LeftButton)
    assert not log.earlier.isChecked()
    assert log.status.text() == ""


def test_a_blocks_diary_closes_a_day_after_it(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    log = window.diary.log
    clock.set(START + timedelta(hours=20))
    window.tick()
    assert not log.finished
    assert log.save_button.isVisible()
    clock.set(START + timedelta(days=120))
    window.tick()
    assert log.finished
    assert log.step.text() == "The diary for this block is finished"
    assert log.scales.scales == {}
    assert not log.save_button.isVisible() and not log.earlier.isVisible()
    assert not log.next_due.isVisible(), "no 'you can still add a score'"
    assert log.finished_button.isVisible()
    qtbot.wait(50)
    log.save()  # Enter: nothing to save
    assert len(_stored(window)) == 1
    qtbot.mouseClick(log.finished_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.block_form


def test_paper_rows_say_before_the_block_and_refuse_a_day_before(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + minutes(40))
    seen: dict[str, str] = {}
    early = START - minutes(77)

    def transcribe(dialog: QDialog) -> None:
        assert isinstance(dialog, PaperLogDialog)
        dialog.set_row(0, early, {"index": 6})
        seen["note"] = dialog.notes.text()
        dialog.add_row(START - timedelta(hours=30))
        dialog.set_row(1, START - timedelta(hours=30), {"index": 5})
        _press(dialog, "Save these scores")
        seen["error"] = dialog.error.text()
        dialog.set_row(1, START + minutes(15), {"index": 5})
        _press(dialog, "Save these scores")

    when_dialog_opens(transcribe)
    qtbot.mouseClick(window.diary.log.paper_button, Qt.MouseButton.LeftButton)
    assert f"Row 1: {clock_text(early)} is before your block ({clock_text(START)})" in seen["note"]
    assert seen["error"].startswith("Row 2:") and "more than a day before" in seen["error"]
    stored = sorted((e.at, e.scores["index"]) for e in _stored(window))
    assert (early, 6) in stored and (START + minutes(15), 5) in stored


def test_paper_rows_months_later_are_refused_and_new_rows_start_within_the_day(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + timedelta(days=90))
    window.tick()
    assert window.diary.log.finished
    seen: dict[str, object] = {}

    def transcribe(dialog: QDialog) -> None:
        assert isinstance(dialog, PaperLogDialog)
        row = dialog.add_row(None)
        when = dialog.table.cellWidget(row, 0)
        seen["start"] = when.dateTime().toSecsSinceEpoch()  # type: ignore[union-attr]
        dialog.set_row(row, START + timedelta(days=3), {"index": 4})
        _press(dialog, "Save these scores")
        seen["error"] = dialog.error.text()
        dialog.reject()

    when_dialog_opens(transcribe)
    qtbot.mouseClick(window.diary.log.paper_button, Qt.MouseButton.LeftButton)
    assert seen["start"] == int((START + timedelta(hours=24)).timestamp())
    assert "more than a day after your block" in str(seen["error"])
    assert len(_stored(window)) == 1


def test_a_longer_protocol_says_when_its_diary_ended() -> None:
    from paintrack.clinical.model import Agent, Block, Region, Side
    from paintrack.clinical.timing import DIARY_OPEN_FOR
    from paintrack.ui.log_panel import time_problem

    block = Block(
        performed_at=START, region=Region.LUMBAR, side=Side.RIGHT, agent=Agent.BUPIVACAINE
    )
    day_after = START + DIARY_OPEN_FOR + timedelta(hours=1)
    # The standard day: a day after the block is the end.
    standard = time_problem(day_after, block, START + DIARY_OPEN_FOR, now=day_after)
    assert "more than a day after your block" in standard
    # A protocol with daily scores for a week: still open the next day, and when it has ended
    # the message says when, not "more than a day after".
    week = START + timedelta(days=7)
    assert time_problem(day_after, block, week, now=day_after) == ""
    late = week + timedelta(hours=2)
    message = time_problem(late, block, week, now=late)
    assert "more than a day" not in message
    assert "ended" in message and "the diary for this block is finished" in message
