"""The computer's clock set back or forward while the window is open: the window says so and
asks before saving, instead of filing a score after the block as the score before it."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox
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

from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow


def _answer(text_start: str, asked: list[str]) -> None:
    def run(dialog: object) -> None:
        assert isinstance(dialog, QMessageBox)
        asked.append(dialog.text())
        (button,) = [b for b in dialog.buttons() if b.text().startswith(text_start)]
        button.click()

    when_dialog_opens(run)  # type: ignore[arg-type]


def _entries(window: MainWindow) -> int:
    return len(window.store.load_diary(window.current_patient_id).blocks[0].entries)


def test_a_clock_set_back_two_hours_is_said_and_asked_about(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    for point in (60, 120):
        clock.set(START + minutes(point))
        window.tick()
        click_score(qtbot, window, 3)
        save(qtbot, window)
    assert _entries(window) == 3
    clock.advance(seconds=15)
    window.tick()
    clock.jump(START - minutes(1))  # two hours back: before the block
    window.tick()
    status = window.diary.log.status
    assert status.kind == "Warning" and "jumped back" in status.text()
    asked: list[str] = []
    _answer("No, I'll check the clock", asked)
    click_score(qtbot, window, 2)
    save(qtbot, window)
    assert asked and "jumped back" in asked[0]
    assert _entries(window) == 3, "saved without asking"
    assert status.kind == "Error" and "clock" in status.text()
    assert window.diary.log.scales.values() == {"index": 2}  # the choice is kept
    # The patient corrects the clock: no more questions.
    clock.jump(START + minutes(122))
    window.tick()
    _answer("Yes, save it", asked)
    save(qtbot, window)
    assert _entries(window) == 4


def test_a_clock_earlier_than_saved_scores_is_asked_about_once(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + minutes(60))
    click_score(qtbot, window, 3)
    save(qtbot, window)
    clock.jump(START + minutes(30))
    window.diary.open_patient(window.current_patient_id)  # as when the window opens again
    asked: list[str] = []
    _answer("Yes, save it", asked)
    click_score(qtbot, window, 4)
    save(qtbot, window)
    assert len(asked) == 1 and "before your last score was saved" in asked[0]
    assert _entries(window) == 3
    clock.advance(minutes=1)
    window.tick()
    click_score(qtbot, window, 4)
    save(qtbot, window)  # accepted once: not asked again
    assert len(asked) == 1 and _entries(window) == 4


def test_a_forward_jump_is_said_too_but_time_passing_is_not(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    for _ in range(40):  # ten minutes of ordinary refreshes
        clock.advance(seconds=15)
        window.tick()
    assert window.diary.clock_doubt == ""
    clock.set(START + minutes(300))  # the laptop slept: time really passed
    window.tick()
    assert window.diary.clock_doubt == ""
    clock.jump(START + minutes(420))  # two hours forward, no time passed
    window.tick()
    assert "jumped forward" in window.diary.clock_doubt
