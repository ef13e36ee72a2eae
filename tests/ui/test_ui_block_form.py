"""The block form: a change of time that moves scores across the block is questioned first;
the side and what is rated always agree; levels and amounts are checked where they are typed."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from ui_helpers import START, add_block, minutes, start_diary, when_dialog_opens

from paintrack.clinical.model import Block, Entry, Side
from paintrack.ui.block_form import BlockForm, parse_levels, to_qdatetime
from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow


def _press(text: str, seen: list[str]) -> None:
    def action(dialog: QDialog) -> None:
        assert isinstance(dialog, QMessageBox)
        seen.append(dialog.informativeText())
        default = dialog.defaultButton()
        seen.append(default.text() if default is not None else "")
        (button,) = [b for b in dialog.findChildren(QPushButton) if b.text() == text]
        button.click()

    when_dialog_opens(action)


def _day_with_scores(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> Block:
    """A block at START with a score of 8 before it and 4, 3, 3, 3 every 15 minutes after."""
    start_diary(qtbot, window)
    add_block(qtbot, window)
    block = window.diary.current_block()
    assert block is not None
    for at, score in ((-15, 8), (15, 4), (30, 3), (45, 3), (60, 3)):
        moment = START + minutes(at)
        window.store.add_entry(
            block.id, Entry(at=moment, recorded_at=moment, scores={"index": score})
        )
    clock.set(START + minutes(120))
    window.diary.refresh()
    block = window.diary.current_block()
    assert block is not None and len(block.entries) == 5
    return block


def _move_to(qtbot: QtBot, window: MainWindow, block: Block, moment: datetime) -> BlockForm:
    window.blocks.edit_block(block)
    form: BlockForm = window.block_form
    form.performed_at.setDateTime(to_qdatetime(moment))
    qtbot.keyClicks(form.reason, "the nurse wrote down a later time")
    return form


def test_moving_the_block_past_saved_scores_asks_first_and_go_back_keeps_it(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    block = _day_with_scores(qtbot, window, clock)
    later = START + minutes(50)
    form = _move_to(qtbot, window, block, later)
    seen: list[str] = []
    _press("Go back", seen)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    question, default = seen
    assert default == "Go back"
    when = f"{later.astimezone():%H:%M}"
    assert question.startswith(f"Moving the block to {when} puts 3 saved scores before it.")
    assert "no longer count as after the block" in question
    assert "would change from 8 (at " in question and ") to 3 (at " in question
    assert window.pages.currentWidget() is form  # nothing saved
    (stored,) = window.store.load_diary(window.current_patient_id).blocks
    assert stored.performed_at == START

    seen.clear()
    _press("Move the block anyway", seen)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert seen and window.pages.currentWidget() is window.diary
    (stored,) = window.store.load_diary(window.current_patient_id).blocks
    assert stored.performed_at == later


def test_moving_the_block_before_its_baseline_says_the_relief_cannot_be_worked_out(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    block = _day_with_scores(qtbot, window, clock)
    form = _move_to(qtbot, window, block, START - minutes(30))
    seen: list[str] = []
    _press("Go back", seen)
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    question = seen[0]
    when = f"{(START - minutes(30)).astimezone():%H:%M}"
    assert question.startswith(
        f"Moving the block to {when} moves 1 saved score from before it to after it."
    )
    assert "(8 at " in question and "cannot be worked out" in question


def test_a_small_time_correction_that_moves_no_score_is_saved_without_a_question(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    block = _day_with_scores(qtbot, window, clock)
    form = _move_to(qtbot, window, block, START + minutes(5))
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.move_question == ""
    assert window.pages.currentWidget() is window.diary
    (stored,) = window.store.load_diary(window.current_patient_id).blocks
    assert stored.performed_at == START + minutes(5)


def test_left_and_right_can_be_chosen_only_for_a_block_on_both_sides(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    form = window.block_form
    assert form.side.currentData() == Side.RIGHT
    assert not form.two_sites.isEnabled() and form.one_site.isChecked()
    form.side.setCurrentIndex(form.side.findData(Side.BILATERAL))
    assert form.two_sites.isEnabled() and form.two_sites.isChecked()
    form.side.setCurrentIndex(form.side.findData(Side.LEFT))
    assert not form.two_sites.isEnabled() and form.one_site.isChecked()
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.diary
    (block,) = window.store.load_diary(window.current_patient_id).blocks
    assert (block.side, block.sites) == (Side.LEFT, ("index",))


def test_a_block_scored_left_and_right_keeps_both_sides_with_an_inline_message(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window, bilateral=True)
    block = window.diary.current_block()
    assert block is not None
    window.store.add_entry(
        block.id, Entry(at=START, recorded_at=START, scores={"left": 6, "right": 7})
    )
    window.diary.refresh()
    block = window.diary.current_block()
    assert block is not None
    window.blocks.edit_block(block)
    form = window.block_form
    form.side.setCurrentIndex(form.side.findData(Side.RIGHT))
    assert form.side_error.isVisible()
    assert 'has to stay "Both sides"' in form.side_error.text()
    qtbot.keyClicks(form.reason, "wrong side")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is form
    assert window.problems.shown == []  # no pop-up
    form.side.setCurrentIndex(form.side.findData(Side.BILATERAL))
    assert not form.side_error.isVisible()


def test_levels_that_are_not_spinal_levels_are_refused_inline(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    form = window.block_form
    qtbot.keyClicks(form.levels, "L3, L4, banana")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is form
    assert form.levels_error.isVisible()
    assert form.levels_error.text().startswith('"banana" is not a spinal level.')
    assert "L4-L5" in form.levels_error.text()
    form.levels.setText("L4-L5, L5–S1, L3 MB; c5 to 6, L4/5, T11 T12")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.diary
    (block,) = window.store.load_diary(window.current_patient_id).blocks
    assert block.levels == ("L4-L5", "L5–S1", "L3 MB", "c5 to 6", "L4/5", "T11", "T12")


def test_level_reading() -> None:
    assert parse_levels(" L3 MB, ,L4 MB;; L5 DR ,") == (("L3 MB", "L4 MB", "L5 DR"), [])
    assert parse_levels("L6, C1, S3, L5-L4, L4-") == ((), ["L6", "C1", "S3", "L5-L4", "L4-"])
    assert parse_levels("") == ((), [])


def test_strength_and_volume_keep_what_is_typed_and_say_what_is_usual(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    form = window.block_form
    qtbot.keyClicks(form.concentration, "99")
    qtbot.keyClicks(form.volume, "999")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is form
    assert (form.concentration.text(), form.volume.text()) == ("99", "999")  # not cut to 9
    assert "Strength: 99 % is not a usual amount" in form.concentration_error.text()
    assert "from 0.1 to 5 %" in form.concentration_error.text()
    assert "from 0.1 to 5 mL" in form.volume_error.text()
    form.concentration.setText("two")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert "please type a number from 0.1 to 5 %" in form.concentration_error.text()
    form.concentration.setText("0,5")
    form.volume.setText("0.3 mL")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.diary
    (block,) = window.store.load_diary(window.current_patient_id).blocks
    assert (block.concentration_percent, block.volume_ml) == (0.5, 0.3)


def test_the_first_message_is_brought_into_view(qtbot: QtBot, window: MainWindow) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    block = window.diary.current_block()
    assert block is not None
    window.blocks.edit_block(block)  # with its reason card, the form is taller than the window
    form = window.block_form
    window.resize(1100, 560)
    qtbot.wait(50)
    form.volume.setText("999")
    viewport = form.scroll_area.viewport()

    def shown() -> bool:
        top_left = form.volume_error.mapTo(viewport, QPoint(0, 0))
        bottom = form.volume_error.mapTo(viewport, QPoint(0, form.volume_error.height() - 1))
        return viewport.rect().contains(top_left) and viewport.rect().contains(bottom)

    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.volume_error.isVisible()
    qtbot.waitUntil(shown, timeout=15000)  # scrolled into view once the layout has run


def test_figures_saved_earlier_are_kept_when_other_details_change(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    block = window.diary.current_block()
    assert block is not None
    # An imported diary may hold what the form would not accept: it stays as it is.
    odd = replace(block, levels=("left L4 facet",), concentration_percent=10.0, volume_ml=0.05)
    window.store.update_block(odd, reason="imported")
    window.diary.refresh()
    block = window.diary.current_block()
    assert block is not None
    window.blocks.edit_block(block)
    form = window.block_form
    form.steroid.setChecked(True)
    qtbot.keyClicks(form.reason, "a steroid was added")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.diary
    (stored,) = window.store.load_diary(window.current_patient_id).blocks
    assert (stored.levels, stored.concentration_percent, stored.volume_ml) == (
        ("left L4 facet",),
        10.0,
        0.05,
    )
    assert stored.steroid


def test_an_activity_used_in_a_saved_score_stays_with_an_inline_message(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window, activities=("bending forward",))
    block = window.diary.current_block()
    assert block is not None
    window.store.add_entry(
        block.id,
        Entry(at=START, recorded_at=START, scores={"index": 6}, activity="bending forward"),
    )
    window.diary.refresh()
    block = window.diary.current_block()
    assert block is not None
    window.blocks.edit_block(block)
    form = window.block_form
    form.activities[0].setText("bending over")
    qtbot.keyClicks(form.reason, "better words")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is form
    assert window.problems.shown == []  # no pop-up
    assert form.activity_error.text().startswith('"bending forward" is in a saved score')
    form.activities[0].setText("bending forward")
    form.activities[1].setText("walking")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.diary
    (stored,) = window.store.load_diary(window.current_patient_id).blocks
    assert stored.activities == ("bending forward", "walking")


def test_the_form_also_runs_the_record_checks_the_store_makes(
    qtbot: QtBot, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paintrack.clinical.validation import RecordProblem
    from paintrack.ui import block_form

    form = BlockForm(clock)
    qtbot.addWidget(form)
    form.reset()
    assert form.block() is not None  # the form's fresh block passes the shared checks
    monkeypatch.setattr(
        block_form,
        "block_problems",
        lambda block: (RecordProblem("levels", "a level is blank; write it like 'L4 MB'.", (0,)),),
    )
    assert form.block() is None
    assert not form.levels_error.isHidden()
    assert form.levels_error.text() == "A level is blank; write it like 'L4 MB'."
