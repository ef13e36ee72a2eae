"""What a newcomer tester found on a real block day, each driven through the real widgets:
one question at a time, one message at a time, and no keyboard dead ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QCalendarWidget, QDialog, QLabel, QWidget
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
from paintrack.ui import scale as scale_module
from paintrack.ui.clock import FakeClock, clock_text
from paintrack.ui.main_window import MainWindow


def _entries(window: MainWindow) -> list[Entry]:
    assert window.current_patient_id is not None
    diary = window.store.load_diary(window.current_patient_id)
    return [e for block in diary.blocks for e in block.entries]


def _at(window: MainWindow, clock: FakeClock, after: float) -> None:
    clock.set(START + minutes(after))
    window.tick()


def _visible_messages(window: MainWindow) -> list[str]:
    names = {"Error", "Saved", "Warning"}
    return [
        label.text()
        for label in window.diary.log.findChildren(QLabel)
        if label.objectName() in names and label.isVisible()
    ]


# -- 1. the score from before the block, asked after the block -----------------------------


def test_after_the_block_the_earlier_question_names_the_block_time_and_saves_at_it(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)  # block at START
    _at(window, clock, 18)  # the patient comes back to the window 18 minutes later
    log = window.diary.log
    assert log.baseline_mode
    block_time = clock_text(START)
    assert log.step.text() == (
        f"Your block was at {block_time}. What was your usual pain just BEFORE it?"
    )
    assert log.skip_button.isVisible()
    assert log.skip_button.text() == "Skip: I did not note my pain before the block"
    assert not log.next_due.isVisible()  # one question at a time

    click_score(qtbot, window, 6)
    save(qtbot, window)
    (entry,) = _entries(window)
    assert entry.at == START  # the block time: the engine takes it as the baseline
    assert entry.recorded_at == START + minutes(18)  # honestly marked late
    assert entry.is_late
    result = window.diary.current_result()
    assert result is not None and result.sites["index"].baseline == 6
    assert log.status.text().startswith(f"Saved your pain before the block ({block_time})")
    assert not log.baseline_mode


def test_skip_goes_to_the_score_for_now_and_the_earlier_one_can_still_be_added(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    _at(window, clock, 16)
    log = window.diary.log
    qtbot.mouseClick(log.skip_button, Qt.MouseButton.LeftButton)
    assert not log.baseline_mode
    assert log.step.text() == "How is your usual pain right now?"
    assert log.postponed_row.isVisible()

    click_score(qtbot, window, 4)
    save(qtbot, window)
    (entry,) = _entries(window)
    assert entry.at == START + minutes(16)  # a score for now, not for before the block

    qtbot.mouseClick(log.add_baseline_button, Qt.MouseButton.LeftButton)
    assert log.baseline_mode
    click_score(qtbot, window, 7)
    save(qtbot, window)
    assert sorted((e.at, e.scores["index"]) for e in _entries(window)) == [
        (START, 7),
        (START + minutes(16), 4),
    ]
    assert not log.postponed_row.isVisible()


def test_rate_my_pain_now_on_the_reminder_never_saves_a_baseline(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    _at(window, clock, 15)
    banner = window.diary.banner
    assert banner.isVisible() and window.diary.log.baseline_mode
    qtbot.mouseClick(banner.now_button, Qt.MouseButton.LeftButton)
    log = window.diary.log
    assert not log.baseline_mode
    assert log.postponed_row.isVisible()  # says the earlier question is put aside
    scale = log.scales.scales["index"]
    scale.setFocus()
    qtbot.keyClick(scale, Qt.Key.Key_3)
    qtbot.keyClick(scale, Qt.Key.Key_Return)
    (entry,) = _entries(window)
    assert entry.at == START + minutes(15)
    assert log.status.text().startswith(f"Saved your {clock_text(START + minutes(15))} score")
    assert "before the block" not in log.status.text()


# -- 8. messages --------------------------------------------------------------------------


def test_a_late_score_is_confirmed_by_the_time_it_is_for(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    _at(window, clock, 130)
    log = window.diary.log
    qtbot.mouseClick(log.earlier, Qt.MouseButton.LeftButton)
    log.at.setDateTime(log.at.dateTime().addSecs(-70 * 60))  # for START + 60 min
    click_score(qtbot, window, 2)
    save(qtbot, window)
    text = log.status.text()
    assert text.startswith(f"Saved your {clock_text(START + minutes(60))} score — 75% relief")
    assert "(marked as written down late)" in text
    assert clock_text(START + minutes(130)) not in text  # not the time of saving


def test_only_one_message_at_a_time(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    save(qtbot, window)  # nothing chosen: an error
    assert len(_visible_messages(window)) == 1
    click_score(qtbot, window, 2)  # a mild baseline: saved, with a warning
    save(qtbot, window)
    (shown,) = _visible_messages(window)
    assert "Saved your pain before the block" in shown and "mild (2 out of 10)" in shown
    assert window.diary.log.status.is_showing("Warning")


def test_a_confirmation_does_not_follow_to_another_block(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    _at(window, clock, 15)
    click_score(qtbot, window, 3)
    save(qtbot, window)
    assert window.diary.log.status.is_showing("Saved")
    window.blocks.show_block_form()
    qtbot.mouseClick(window.block_form.save_button, Qt.MouseButton.LeftButton)
    assert window.diary.log.baseline_mode
    assert _visible_messages(window) == []


def test_the_page_does_not_jump_when_a_reminder_goes(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    _at(window, clock, 15)
    banner, log = window.diary.banner, window.diary.log
    assert banner.isVisible()
    window.diary.layout().activate()
    top = log.mapTo(window, QPoint(0, 0)).y()
    click_score(qtbot, window, 3)
    save(qtbot, window)
    assert not banner.isVisible()
    window.diary.layout().activate()
    assert log.mapTo(window, QPoint(0, 0)).y() == top


# -- 2. the schedule footer -----------------------------------------------------------------


def test_schedule_footer_is_a_plain_tally_of_the_rows(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    _at(window, clock, 15)
    click_score(qtbot, window, 3)
    save(qtbot, window)  # 15: on time (its window is still open)
    _at(window, clock, 65)
    log = window.diary.log
    qtbot.mouseClick(log.earlier, Qt.MouseButton.LeftButton)
    log.at.setDateTime(log.at.dateTime().addSecs(-35 * 60))  # for 14:30, written at 15:05
    click_score(qtbot, window, 4)
    save(qtbot, window)
    rows = [window.diary.schedule.item(r, 3).text() for r in range(4)]
    assert rows == ["✓ Done on time", "✓ Done, written later", "✗ Missed", "● Due now"]
    footer = window.diary.compliance.text()
    assert footer == "So far: 1 on time · 1 written later · 1 missed · 1 due now"
    assert "%" not in footer and " of " not in footer


def test_the_refresh_keeps_the_schedule_row_the_patient_selected_until_a_row_changes(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    """The 15-second refresh used to rebuild the Schedule tab each time, dropping the row the
    patient had clicked (and where they had scrolled). Now it is rebuilt only on a change."""
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    window.diary.tabs.setCurrentIndex(1)
    table = window.diary.schedule
    clock.advance(minutes=1)
    window.reminding.timer.timeout.emit()
    first_item = table.item(0, 3)
    rect = table.visualItemRect(table.item(2, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert table.currentRow() == 2
    for _ in range(8):  # two minutes of refreshes: the rows stay the same
        clock.advance(seconds=15)
        window.reminding.timer.timeout.emit()
    assert table.item(0, 3) is first_item
    assert table.currentRow() == 2 and table.item(2, 0).isSelected()
    _at(window, clock, 15)  # the 15-minute point is due now: that row changes
    assert table.item(0, 3).text() == "● Due now"
    assert table.item(0, 3) is not first_item
    assert table.rowCount() == len(window.diary.current_result().schedule)  # type: ignore[union-attr]


# -- 3. a second diary with the same name ----------------------------------------------------


def test_start_another_diary_clears_the_form_and_catches_the_same_name(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window, "Margaret Example")
    add_block(qtbot, window)
    window.menus.switch.trigger()
    welcome = window.welcome
    assert welcome.name.text() == ""  # the old name is not left in the form

    qtbot.keyClicks(welcome.name, "margaret  example")
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    assert len(window.store.list_patients()) == 1  # nothing created silently
    assert welcome.duplicate.isVisible()
    assert "already a diary for Margaret Example" in welcome.duplicate_text.text()
    (first,) = window.store.list_patients()
    qtbot.mouseClick(welcome.open_existing_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.diary
    assert window.current_patient_id == first.id

    window.menus.switch.trigger()
    qtbot.keyClicks(welcome.name, "Margaret Example")
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(welcome.start_anyway_button, Qt.MouseButton.LeftButton)
    assert [p.name for p in window.store.list_patients()] == ["Margaret Example"] * 2
    assert window.current_patient_id != first.id


def test_birth_calendar_opens_around_1960_not_1900(qtbot: QtBot, window: MainWindow) -> None:
    field = window.welcome.birth_date
    years: list[int] = []

    def look(dialog: QDialog) -> None:
        (calendar,) = dialog.findChildren(QCalendarWidget)
        years.append(calendar.yearShown())
        dialog.reject()

    when_dialog_opens(look)
    qtbot.mouseClick(field.calendar_button, Qt.MouseButton.LeftButton)
    assert years == [1960]
    assert field.birth_date() is None and field.edit.text() == ""  # still not given


# -- 4. left and right by keyboard -----------------------------------------------------------


def _bilateral(qtbot: QtBot, window: MainWindow) -> tuple:  # type: ignore[type-arg]
    start_diary(qtbot, window)
    add_block(qtbot, window, bilateral=True)
    scales = window.diary.log.scales.scales
    left, right = scales["left"], scales["right"]
    window.activateWindow()
    left.setFocus()
    qtbot.waitUntil(left.hasFocus, timeout=15000)
    return left, right


def test_bilateral_digits_move_on_to_the_right_side(qtbot: QtBot, window: MainWindow) -> None:
    left, right = _bilateral(qtbot, window)
    assert left.now_rating.isVisible() and "LEFT" in left.now_rating.text()
    qtbot.keyClick(left, Qt.Key.Key_7)
    assert left.value() == 7
    assert right.hasFocus()
    assert right.now_rating.isVisible() and right.now_rating.text() == "▶ Now rating: RIGHT SIDE"
    assert not left.now_rating.isVisible()
    qtbot.keyClick(right, Qt.Key.Key_1)
    qtbot.keyClick(right, Qt.Key.Key_0)
    assert (left.value(), right.value()) == (7, 10)
    qtbot.keyClick(right, Qt.Key.Key_Return)
    assert [dict(e.scores) for e in _entries(window)] == [{"left": 7, "right": 10}]


def test_bilateral_one_then_another_digit_gives_one_and_the_next_side(
    qtbot: QtBot, window: MainWindow
) -> None:
    left, right = _bilateral(qtbot, window)
    qtbot.keyClick(left, Qt.Key.Key_1)
    assert left.hasFocus()  # waiting: "1" may become 10
    qtbot.keyClick(left, Qt.Key.Key_3)
    assert (left.value(), right.value()) == (1, 3)
    assert right.hasFocus()


def test_bilateral_one_then_a_pause_moves_on(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scale_module, "ONE_WAIT_MS", 30)
    left, right = _bilateral(qtbot, window)
    qtbot.keyClick(left, Qt.Key.Key_1)
    qtbot.waitUntil(right.hasFocus, timeout=15000)
    assert (left.value(), right.value()) == (1, None)


def test_tab_goes_left_right_then_the_form_then_save(qtbot: QtBot, window: MainWindow) -> None:
    left, right = _bilateral(qtbot, window)
    log = window.diary.log
    assert _next_focus(left) is right
    after_right = _next_focus(right)
    assert log.isAncestorOf(after_right)  # not the Diary / Review tabs
    chain = [after_right]
    while chain[-1] is not log.save_button and len(chain) < 20:
        chain.append(_next_focus(chain[-1]))
    assert chain[-1] is log.save_button


def _next_focus(widget: object) -> object:
    """The widget Tab moves to from `widget` (skipping hidden and unfocusable ones)."""
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    step = widget.nextInFocusChain()
    while not (
        step.isVisible()
        and step.isEnabled()
        and step.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus
    ):
        step = step.nextInFocusChain()
    return step


# -- 7. keyboard dead ends -------------------------------------------------------------------


def test_back_to_the_scale_from_the_earlier_time_by_keyboard(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    log = window.diary.log
    scale = log.scales.scales["index"]
    assert _next_focus(scale) is log.earlier
    qtbot.mouseClick(log.earlier, Qt.MouseButton.LeftButton)
    assert _next_focus(log.earlier) is log.at
    # Shift+Tab from the tick box goes back to the scale.
    window.activateWindow()
    log.earlier.setFocus()
    qtbot.waitUntil(log.earlier.hasFocus, timeout=15000)
    qtbot.keyClick(log.earlier, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert scale.hasFocus()


def test_focus_returns_to_the_scale_after_snooze(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    _at(window, clock, 15)
    window.activateWindow()
    banner = window.diary.banner
    banner.snooze_button.setFocus()
    qtbot.waitUntil(banner.snooze_button.hasFocus, timeout=15000)
    qtbot.keyClick(banner.snooze_button, Qt.Key.Key_Space)
    scale = window.diary.log.scales.scales["index"]
    qtbot.waitUntil(scale.hasFocus, timeout=15000)
    assert QApplication.focusWidget() is scale


def test_typing_an_hour_into_the_block_time(qtbot: QtBot, window: MainWindow) -> None:
    start_diary(qtbot, window)
    field = window.block_form.performed_at
    line = field.lineEdit()
    text = line.text()
    hour = text[-5:-3]
    # Click into the middle of the hour ("1|4"), then type a new hour.
    x = line.fontMetrics().horizontalAdvance(text[:-4]) + 6
    qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=QPoint(x, line.height() // 2))
    qtbot.waitUntil(lambda: line.selectedText() == hour, timeout=15000)
    new_hour = "13" if hour != "13" else "12"
    qtbot.keyClicks(field, new_hour)
    assert field.dateTime().time().hour() == int(new_hour)


# -- 9. larger text and high contrast --------------------------------------------------------


def _ink_height(button: QWidget) -> int:
    """How tall the dark digit drawn on a scale button is, in pixels."""
    image = button.grab().toImage()
    rows = [
        y
        for y in range(image.height())
        if any(
            QColor(image.pixel(x, y)).lightness() < 80
            for x in range(image.width() // 4, 3 * image.width() // 4)
        )
    ]
    return max(rows) - min(rows) if rows else 0


def test_larger_text_survives_high_contrast_and_grows_the_scale(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    digit = window.diary.log.scales.scales["index"].buttons[7]
    qtbot.wait(20)
    normal = _ink_height(digit)
    window.look.larger_text_action.setChecked(True)
    qtbot.wait(20)
    larger = _ink_height(digit)
    assert larger > normal
    window.look.high_contrast_action.setChecked(True)
    window.look.high_contrast_action.setChecked(False)
    qtbot.wait(20)
    assert window.look.larger_text_action.isChecked()
    assert _ink_height(digit) == larger  # not lost by switching the look


def test_the_title_stays_on_one_line_with_larger_text(qtbot: QtBot, window: MainWindow) -> None:
    start_diary(qtbot, window, "Margaret Elizabeth Example")
    add_block(qtbot, window)
    title = window.diary.patient_label
    assert title.text() == "Margaret Elizabeth Example's pain diary"
    window.look.larger_text_action.setChecked(True)
    window.diary.layout().activate()
    qtbot.wait(20)
    assert title.height() < 1.8 * title.fontMetrics().lineSpacing()
    # Never cut by the layout: the whole shown text fits, and it still names the patient
    # (at worst it drops "'s pain diary"); the full title stays in the tooltip.
    assert title.fontMetrics().horizontalAdvance(title.text()) <= title.contentsRect().width()
    assert title.text().startswith("Margaret Elizabeth Example")
    assert title.toolTip() == "Margaret Elizabeth Example's pain diary"
    assert title.accessibleName() == "Margaret Elizabeth Example's pain diary"


# -- 11. a second block ----------------------------------------------------------------------


def test_a_second_block_defaults_to_second_and_can_choose_what_to_rate(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    form = window.block_form
    block = window.diary.current_block()
    assert block is not None
    window.blocks.edit_block(block)  # scores exist: its sites are locked, and it says why
    assert not form.two_sites.isEnabled() and form.sites_hint.isVisible()
    qtbot.mouseClick(form.cancel_button, Qt.MouseButton.LeftButton)
    window.menus.add_block.trigger()
    assert form.sequence.currentData() == 2
    # Free to choose again; left and right separately once the side is both sides.
    assert form.one_site.isEnabled() and not form.two_sites.isEnabled()
    form.side.setCurrentIndex(form.side.findData("bilateral"))
    assert form.two_sites.isEnabled()
    assert not form.sites_hint.isVisible()
    assert window.windowTitle() == "Add a block — Jane Example"


# -- 13. small things ------------------------------------------------------------------------


def test_a_problem_is_shown_with_a_warning_icon(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from paintrack.errors import UserError

    icons: list[QMessageBox.Icon] = []

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, QMessageBox)
        icons.append(dialog.icon())
        dialog.reject()

    window.quiet = False
    when_dialog_opens(look)
    window.problems.show(UserError("demo.json: at $.blocks[0]: not a list"), "Not imported.")
    assert icons == [QMessageBox.Icon.Warning]


def test_file_dialogs_start_in_documents_or_home(
    window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from paintrack.ui import window_files as main_window_module

    seen: list[str] = []

    def fake_open(_parent: object, _title: str, start: str, _filters: str) -> tuple[str, str]:
        seen.append(start)
        return "", ""

    monkeypatch.setattr(main_window_module.QFileDialog, "getOpenFileName", fake_open)
    window.files.import_diary()
    assert seen == [main_window_module.default_folder()]
    assert Path(seen[0]).is_dir()


# -- 14. the sample diary ---------------------------------------------------------------------


def test_the_sample_diary_says_so_on_the_page(qtbot: QtBot, window: MainWindow) -> None:
    sample = window.samples.open_sample()
    assert sample is not None
    qtbot.waitExposed(sample)
    banner = sample.diary.sample_banner
    assert banner.isVisible()
    assert banner.text() == "This is a sample diary. Nothing you do here is kept."
    assert window.diary.sample_banner.isHidden()  # the patient's own diary: no banner
    sample.close()


def test_focus_returns_to_the_scale_after_a_correction(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    from paintrack.ui.entry_dialogs import AmendDialog

    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    window.diary.tabs.setCurrentIndex(2)
    window.diary.entries.selectRow(0)
    assert window.diary.amend_button.isEnabled()
    window.activateWindow()

    def correct(dialog: QDialog) -> None:
        assert isinstance(dialog, AmendDialog)
        combo = dialog.scores["index"]
        combo.setCurrentIndex(combo.findData(6))
        qtbot.keyClicks(dialog.reason_edit, "pressed the wrong number")
        dialog._accept()

    when_dialog_opens(correct)
    # As a keyboard user does it: Tab to "Correct…" and press Space.
    amend = window.diary.amend_button
    amend.setFocus()
    qtbot.waitUntil(amend.hasFocus, timeout=15000)
    qtbot.keyClick(amend, Qt.Key.Key_Space)
    assert _entries(window)[0].amended
    scale = window.diary.log.scales.scales["index"]
    qtbot.wait(20)
    window.activateWindow()  # the offscreen platform does not re-activate it by itself
    qtbot.waitUntil(scale.hasFocus, timeout=15000)


def test_a_focused_text_box_keeps_its_text_height(qtbot: QtBot, window: MainWindow) -> None:
    from PySide6.QtWidgets import QStyle, QStyleOptionFrame

    name = window.welcome.name

    def text_height() -> int:
        option = QStyleOptionFrame()
        name.initStyleOption(option)
        rect = name.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, name)
        return rect.height()

    window.activateWindow()
    window.welcome.mrn.setFocus()
    qtbot.waitUntil(lambda: not name.hasFocus(), timeout=15000)
    unfocused = text_height()
    name.setFocus()
    qtbot.waitUntil(name.hasFocus, timeout=15000)
    # The thicker focus border must not eat into the room for letters like "g" and "q".
    assert text_height() >= unfocused


def test_tabbing_into_the_block_time_starts_on_the_hour(qtbot: QtBot, window: MainWindow) -> None:
    start_diary(qtbot, window)
    field = window.block_form.performed_at
    window.activateWindow()
    window.block_form.focus_first()
    qtbot.waitUntil(field.hasFocus, timeout=15000)
    assert field.currentSection() == field.Section.HourSection
    hour = field.dateTime().time().hour()
    new_hour = 13 if hour != 13 else 12
    qtbot.keyClicks(field, f"{new_hour:02d}")
    assert field.dateTime().time().hour() == new_hour


def test_the_chart_text_grows_with_larger_text(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    chart = window.diary.chart.ensure_loaded()
    before = chart.ax.xaxis.label.get_fontsize()
    window.look.larger_text_action.setChecked(True)
    after = chart.ax.xaxis.label.get_fontsize()
    assert after == pytest.approx(before * 1.25, rel=0.02)
    assert chart.legend is not None
    assert chart.legend.get_texts()[0].get_fontsize() == pytest.approx(after * 0.8)


def test_on_the_last_scale_one_then_three_gives_three(qtbot: QtBot, window: MainWindow) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    scale = window.diary.log.scales.scales["index"]
    window.activateWindow()
    scale.setFocus()
    qtbot.waitUntil(scale.hasFocus, timeout=15000)
    qtbot.keyClick(scale, Qt.Key.Key_1)
    qtbot.keyClick(scale, Qt.Key.Key_3)
    assert scale.value() == 3  # a change of mind, not lost
