"""The logging panel fits its column at the default window size: all eleven buttons of every
scale can be seen, with normal and larger text, whatever the heading or the chosen score says."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QWidget
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
    window.look.larger_text_action.setChecked(larger)
    window.look.high_contrast_action.setChecked(contrast)
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
    window.look.larger_text_action.setChecked(True)
    start_diary(qtbot, window)
    add_block(qtbot, window, bilateral=True)
    log = window.diary.log
    click_score(qtbot, window, 7, "left")
    save(qtbot, window)
    _settle(qtbot, window)
    assert "right side" in log.status.text()
    # The message sits beside Save, outside the scrolling part: always in sight.
    assert _in_sight(log.status.label, window), "the message is out of sight"


def _in_sight(widget: QWidget, window: MainWindow) -> bool:
    """Wholly inside the window, and inside the panel's visible part if it scrolls with it."""
    if not widget.isVisible():
        return False
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not window.rect().contains(rect):
        return False
    viewport = window.diary.log.scroller.viewport()
    if viewport.isAncestorOf(widget):
        seen = QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())
        return seen.contains(rect)
    return True


def _what_is_out_of_sight(window: MainWindow, *, message: bool) -> list[str]:
    log = window.diary.log
    wanted: dict[str, QWidget] = {"heading": log.step}
    if log.finished:
        wanted["Add a block"] = log.finished_button
    else:
        wanted["Save"] = log.save_button
        focused = next(
            (
                s
                for s in log.scales.scales.values()
                if s.hasFocus()
                or (
                    s.isAncestorOf(QApplication.focusWidget() or s)
                    and QApplication.focusWidget() is not None
                )
            ),
            next(iter(log.scales.scales.values())),
        )
        for number, button in enumerate(focused.buttons):
            wanted[f"scale button {number}"] = button
    if message:
        wanted["message"] = log.status.label
    return [name for name, widget in wanted.items() if not _in_sight(widget, window)]


LOOKS = [("normal", False, False), ("larger", True, False), ("contrast", True, True)]


@pytest.mark.parametrize(("look", "larger", "contrast"), LOOKS)
@pytest.mark.parametrize("sides", ["one side", "both sides"])
def test_every_state_of_the_log_panel_is_in_sight(
    qtbot: QtBot,
    window: MainWindow,
    clock: FakeClock,
    look: str,
    larger: bool,
    contrast: bool,
    sides: str,
) -> None:
    """At 1100 x 760, in each state the patient sees the question, the scale being rated, Save
    (or Add a block) and the message of what they just did, without scrolling by hand."""
    assert window.size().width() == 1100 and window.size().height() == 760
    window.look.larger_text_action.setChecked(larger)
    window.look.high_contrast_action.setChecked(contrast)
    start_diary(qtbot, window, "Margaret O'Brien-Smith")
    add_block(qtbot, window, bilateral=sides == "both sides")
    log = window.diary.log
    problems: dict[str, list[str]] = {}

    def check(state: str, *, message: bool = False) -> None:
        _settle(qtbot, window)
        out = _what_is_out_of_sight(window, message=message)
        if out:
            problems[state] = out

    check("baseline")
    for scale in log.scales.scales.values():
        click_score(qtbot, window, 7, next(k for k, v in log.scales.scales.items() if v is scale))
    save(qtbot, window)
    check("baseline saved", message=True)
    clock.set(START + minutes(15))
    window.tick()
    assert window.diary.banner.isVisible()
    check("reminder")
    if len(log.scales.scales) > 1:
        log.scales.scales["left"].type_digit(3)  # moves on to the right side
        check("rating the right side")
    log.more_button.click()
    check("details open")
    for site in log.scales.scales:
        click_score(qtbot, window, 3, site)
    save(qtbot, window)
    check("saved", message=True)
    clock.set(START + minutes(25 * 60))
    window.tick()
    assert log.finished
    check("finished diary")
    assert problems == {}, f"{look}, {sides}: {problems}"


@pytest.mark.parametrize("larger", [False, True])
def test_drop_down_lists_show_every_choice_in_full(
    qtbot: QtBot, window: MainWindow, larger: bool
) -> None:
    window.look.larger_text_action.setChecked(larger)
    start_diary(qtbot, window)
    form = window.block_form
    for combo in (form.side, form.agent, form.region, form.sedation):
        combo.showPopup()
        view = combo.view()
        qtbot.waitUntil(lambda view=view: view.isVisible(), timeout=15_000)
        rows = sum(view.sizeHintForRow(i) for i in range(combo.count()))
        assert view.viewport().height() >= rows, combo.accessibleName()
        widest = view.sizeHintForColumn(0)
        assert view.viewport().width() >= widest, combo.accessibleName()
        combo.hidePopup()
