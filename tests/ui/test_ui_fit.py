"""The logging panel fits its column at the default window size: all eleven buttons of every
scale can be seen, with normal and larger text, whatever the heading or the chosen score says."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from pytestqt.qtbot import QtBot
from ui_helpers import START, add_block, click_score, minutes, save, start_diary

from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow


def _outside_viewport(window: MainWindow) -> list[str]:
    """Every scale button (and chosen-score line) not wholly inside the panel's viewport."""
    viewport = window.diary.log.scroller.viewport()
    seen = viewport.rect()
    hidden = []
    for site, scale in window.diary.log.scales.scales.items():
        widgets = [*scale.buttons, scale.chosen, scale.title]
        for widget in widgets:
            top_left = widget.mapTo(viewport, QPoint(0, 0))
            rect = QRect(top_left, widget.size())
            if not widget.isVisible() or seen.left() > rect.left() or rect.right() > seen.right():
                hidden.append(f"{site}: {widget.objectName() or widget.text()}")
    return hidden


def _settle(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.wait(20)
    window.diary.log.scroller.widget().layout().activate()
    qtbot.wait(20)


@pytest.mark.parametrize(("larger", "contrast"), [(False, False), (True, False), (True, True)])
def test_bilateral_baseline_shows_all_eleven_buttons(
    qtbot: QtBot, window: MainWindow, clock: FakeClock, larger: bool, contrast: bool
) -> None:
    window.larger_text_action.setChecked(larger)
    window.high_contrast_action.setChecked(contrast)
    start_diary(qtbot, window, "Margaret O'Brien-Smith")
    add_block(qtbot, window, bilateral=True)
    # The block time has passed: the long question ("Your block was at ...") and the badge.
    clock.set(START + minutes(3))
    window.tick()
    log = window.diary.log
    assert log.baseline_mode
    log.scales.scales["left"].setFocus(Qt.FocusReason.OtherFocusReason)
    _settle(qtbot, window)
    assert log.scales.scales["left"].now_rating.isVisible()
    assert _outside_viewport(window) == []
    assert log.scroller.widget().minimumSizeHint().width() <= log.scroller.viewport().width()
    # The widest chosen text on both sides, typed as a patient would (9, then 1 0).
    log.scales.scales["left"].type_digit(9)
    log.scales.scales["right"].type_digit(1)
    log.scales.scales["right"].type_digit(0)
    assert log.scales.values() == {"left": 9, "right": 10}
    _settle(qtbot, window)
    assert _outside_viewport(window) == []
    assert log.scroller.horizontalScrollBar().maximum() == 0 or (
        log.scroller.widget().width() <= log.scroller.viewport().width()
    )
    # The score for now, with every optional field open: still no wider than the column.
    save(qtbot, window)
    assert not log.baseline_mode
    log.earlier.setChecked(True)
    log.more_button.setChecked(True)
    log.scales.scales["left"].type_digit(9)
    log.scales.scales["right"].type_digit(1)
    log.scales.scales["right"].type_digit(0)
    _settle(qtbot, window)
    assert log.scroller.widget().minimumSizeHint().width() <= log.scroller.viewport().width()
    assert _outside_viewport(window) == []


def test_a_missing_side_is_said_where_it_can_be_seen(
    qtbot: QtBot, window: MainWindow, clock: FakeClock
) -> None:
    window.larger_text_action.setChecked(True)
    start_diary(qtbot, window)
    add_block(qtbot, window, bilateral=True)
    log = window.diary.log
    click_score(qtbot, window, 7, "left")
    save(qtbot, window)
    _settle(qtbot, window)
    assert "right side" in log.status.text()
    viewport = log.scroller.viewport()
    label = log.status.label
    top = label.mapTo(viewport, QPoint(0, 0)).y()
    assert top >= 0 and top + label.height() <= viewport.height(), "the message is out of sight"
