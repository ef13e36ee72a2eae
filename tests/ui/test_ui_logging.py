"""Logging a block day through the real widgets: the entry lands in the database and the chart."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_helpers import START, add_block, baseline, click_score, minutes, save, start_diary

from paintrack.clinical.model import Source
from paintrack.clinical.settings import ClinicSettings
from paintrack.errors import UserError
from paintrack.ui.clock import FakeClock, clock_text
from paintrack.ui.main_window import MainWindow


def _ready(qtbot: QtBot, window: MainWindow, clock: FakeClock, **block: object) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window, **block)  # type: ignore[arg-type]
    baseline(qtbot, window, 8)
    clock.set(START + minutes(15))
    window.tick()


def _stored_entries(window: MainWindow) -> list:  # type: ignore[type-arg]
    assert window.current_patient_id is not None
    diary = window.store.load_diary(window.current_patient_id)
    (block,) = diary.blocks
    return list(block.entries)


def test_click_7_and_save_stores_the_entry_and_draws_it(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    _ready(qtbot, window, clock)
    click_score(qtbot, window, 7)
    assert window.diary.log.scales.scales["index"].buttons[7].isChecked()
    save(qtbot, window)

    entries = _stored_entries(window)
    assert [e.scores["index"] for e in entries] == [8, 7]
    assert entries[-1].at == START + minutes(15)
    assert entries[-1].source == Source.APP and not entries[-1].is_late

    chart = window.diary.chart.ensure_loaded()
    assert chart.line_data("index") == [(0.25, 7.0)]
    # Confirmed inline with the engine's relief: 100 * (8 - 7) / 8 = 12.5 -> "12% relief"
    status = window.diary.log.status
    assert status.is_showing("Saved")
    assert status.text().startswith(f"Saved your {clock_text(START + minutes(15))} score")
    assert "12% relief" in status.text()  # 12.5 shown as a whole percent


def test_press_7_then_enter_saves(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    _ready(qtbot, window, clock)
    scale = window.diary.log.scales.scales["index"]
    scale.setFocus()
    qtbot.keyClick(scale, Qt.Key.Key_7)
    assert scale.value() == 7
    qtbot.keyClick(scale, Qt.Key.Key_Return)
    assert [e.scores["index"] for e in _stored_entries(window)] == [8, 7]
    chart = window.diary.chart.ensure_loaded()
    assert [score for _hours, score in chart.line_data("index")] == [7.0]
    # Ready for the next score: the scale is cleared and keeps the focus.
    assert scale.value() is None


def test_one_then_zero_gives_ten_and_one_alone_stays_one(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    _ready(qtbot, window, clock)
    scale = window.diary.log.scales.scales["index"]
    scale.setFocus()
    qtbot.keyClick(scale, Qt.Key.Key_1)
    assert scale.value() == 1
    qtbot.keyClick(scale, Qt.Key.Key_0)
    assert scale.value() == 10
    qtbot.keyClick(scale, Qt.Key.Key_Enter)
    assert _stored_entries(window)[-1].scores["index"] == 10

    qtbot.keyClick(scale, Qt.Key.Key_1)
    qtbot.keyClick(scale, Qt.Key.Key_Return)
    assert _stored_entries(window)[-1].scores["index"] == 1


def test_enter_without_a_score_explains_and_saves_nothing(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    _ready(qtbot, window, clock)
    scale = window.diary.log.scales.scales["index"]
    scale.setFocus()
    qtbot.keyClick(scale, Qt.Key.Key_Return)
    assert len(_stored_entries(window)) == 1  # the baseline only
    assert window.diary.log.status.is_showing("Error")
    assert "choose a score" in window.diary.log.status.text()


def test_a_past_time_is_allowed_and_marked_late(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    _ready(qtbot, window, clock)
    clock.set(START + minutes(75))
    window.tick()
    log = window.diary.log
    qtbot.mouseClick(log.earlier, Qt.MouseButton.LeftButton)
    assert log.earlier.isChecked() and log.at.isEnabled()
    log.at.setDateTime(log.at.dateTime().addSecs(-45 * 60))  # "I forgot at 14:30"
    assert "late" in log.late_note.text()
    click_score(qtbot, window, 3)
    save(qtbot, window)
    entry = _stored_entries(window)[-1]
    assert entry.at == START + minutes(30)
    assert entry.recorded_at == START + minutes(75)
    assert entry.is_late
    # Named by the time the score is for, not the time it was saved.
    assert log.status.text().startswith(f"Saved your {clock_text(START + minutes(30))} score")
    assert "late" in log.status.text()
    chart = window.diary.chart.ensure_loaded()
    assert list(chart.sites["index"].late.get_xdata()) == [0.5]


def test_optional_details_are_saved(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    _ready(qtbot, window, clock, activities=("standing 10 minutes", "bending forward"))
    log = window.diary.log
    qtbot.mouseClick(log.more_button, Qt.MouseButton.LeftButton)
    assert log.details.isVisible()
    log.relief.setValue(80)
    log.activity.setCurrentIndex(log.activity.findData("bending forward"))
    log.ability.setCurrentIndex(log.ability.findData("partial"))
    qtbot.mouseClick(log.rescue, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(log.note, "a bit stiff")
    click_score(qtbot, window, 2)
    save(qtbot, window)
    entry = _stored_entries(window)[-1]
    assert entry.patient_relief_percent == 80.0
    assert entry.activity == "bending forward"
    assert entry.activity_ability is not None and entry.activity_ability.value == "partial"
    assert entry.rescue_medication is True
    assert entry.note == "a bit stiff"


def test_bilateral_block_has_one_scale_per_side(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window, bilateral=True)
    scales = window.diary.log.scales.scales
    assert list(scales) == ["left", "right"]
    click_score(qtbot, window, 8, "left")
    click_score(qtbot, window, 6, "right")
    save(qtbot, window)
    clock.set(START + minutes(30))
    window.tick()
    click_score(qtbot, window, 2, "left")
    save(qtbot, window)  # the right side is missing: nothing saved, asked for it
    assert "right side" in window.diary.log.status.text()
    click_score(qtbot, window, 3, "right")
    save(qtbot, window)
    entries = _stored_entries(window)
    assert [dict(e.scores) for e in entries] == [{"left": 8, "right": 6}, {"left": 2, "right": 3}]
    chart = window.diary.chart.ensure_loaded()
    assert chart.line_data("left") == [(0.5, 2.0)]
    assert chart.line_data("right") == [(0.5, 3.0)]
    # Relief per side from the engine: left 75%, right 50%.
    text = window.diary.log.status.text()
    assert "left: 75% relief" in text and "right: 50% relief" in text


def test_low_baseline_warns_without_blocking(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    click_score(qtbot, window, 3)
    save(qtbot, window)
    status = window.diary.log.status
    assert status.is_showing("Warning")
    assert "mild (3 out of 10)" in status.text()
    assert "talk" in status.text() or "mention it to your clinic" in status.text()
    # Not blocked: the diary goes on to the logging step and saves the next score.
    assert not window.diary.log.baseline_mode
    clock.set(START + minutes(15))
    window.tick()
    click_score(qtbot, window, 1)
    save(qtbot, window)
    assert len(_stored_entries(window)) == 2


def test_a_normal_baseline_gives_no_warning(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    click_score(qtbot, window, 6)
    save(qtbot, window)
    assert window.diary.log.status.is_showing("Saved")
    assert "mild" not in window.diary.log.status.text()
    entry = _stored_entries(window)[0]
    assert entry.at <= START  # a baseline refers to the moment of the block or before


def test_next_point_and_countdown(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 7)
    clock.set(START + timedelta(minutes=3))
    window.tick()
    text = window.diary.log.next_due.text()
    assert "15 min after" in text and "in 12 min" in text
    clock.set(START + minutes(15))
    window.tick()
    assert "now" in window.diary.log.next_due.text()


def test_a_failed_save_keeps_the_score_and_says_so_calmly(
    qtbot: QtBot, window: MainWindow, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _ready(qtbot, window, clock)
    click_score(qtbot, window, 6)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise UserError("the disk is full. Free some space.")

    monkeypatch.setattr(window.store, "add_entry", refuse)
    save(qtbot, window)
    log = window.diary.log
    assert log.status.is_showing("Error")
    assert "Not saved yet: the disk is full" in log.status.text()
    assert log.scales.scales["index"].value() == 6  # nothing the patient chose is lost
    assert not log.status.is_showing("Saved")
    monkeypatch.undo()
    save(qtbot, window)  # trying again works
    assert [e.scores["index"] for e in _stored_entries(window)] == [8, 6]


def test_the_chart_shades_at_the_clinic_presets_threshold(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    _ready(qtbot, window, clock)
    click_score(qtbot, window, 1)  # 100 * (8 - 1) / 8 = 87.5% relief
    save(qtbot, window)
    chart = window.diary.chart.ensure_loaded()
    assert chart.threshold == 50  # the default preset: ASRA 2020
    window.store.save_settings(ClinicSettings(preset="medicare-lcd"))
    clock.set(START + minutes(30))
    window.tick()
    click_score(qtbot, window, 2)  # 75%: below 80, so the 80% run ends here
    save(qtbot, window)
    assert chart.threshold == 80
    result = window.diary.current_result()
    assert result is not None
    expected = result.sites["index"].thresholds[80].duration_minutes
    assert expected is not None and chart.shaded_minutes == expected
    assert "80% relief lasted" in window.diary.summary.text()


def test_enter_on_a_focused_button_presses_that_button(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    log = window.diary.log
    assert log.baseline_mode
    log.skip_button.setFocus()
    qtbot.keyClick(log.skip_button, Qt.Key.Key_Return)
    assert not log.baseline_mode  # skipped, and nothing was saved
    assert _stored_entries(window) == []


def test_rescue_medicine_can_say_which_and_how_much(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    start_diary(qtbot, window)
    add_block(qtbot, window)
    baseline(qtbot, window, 8)
    clock.set(START + minutes(110))
    window.tick()
    log = window.diary.log
    log.more_button.click()
    assert not log.rescue_detail.isEnabled()  # only once medicine was taken
    log.rescue.click()
    qtbot.keyClicks(log.rescue_detail, "oxycodone 5 mg")
    click_score(qtbot, window, 3)
    save(qtbot, window)
    (entry,) = [
        e
        for e in window.store.load_diary(window.current_patient_id).blocks[0].entries
        if e.rescue_medication
    ]
    assert entry.rescue_medication_detail == "oxycodone 5 mg"
    assert log.rescue_detail.text() == ""  # ready for the next score
    notes = window.diary.entries.item(0, 3).text()
    assert "took pain medicine (oxycodone 5 mg)" in notes
