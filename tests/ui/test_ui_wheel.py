"""The mouse wheel scrolls the form; it never changes a clinical detail the pointer passes over."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from ui_helpers import start_diary

from paintrack.ui.main_window import MainWindow


def _wheel(widget: QWidget, notches: int = -1) -> None:
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre,
        QPointF(widget.mapToGlobal(centre.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_a_field_does_not_change_it_unless_it_was_chosen(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window)
    form = window.block_form
    combos = [form.agent, form.sedation, form.side, form.region, form.sequence]
    before = [combo.currentIndex() for combo in combos]
    when = form.performed_at.dateTime()
    window.activateWindow()
    form.levels.setFocus()
    qtbot.waitUntil(form.levels.hasFocus, timeout=15000)
    for field in [*combos, form.performed_at]:
        _wheel(field)
        _wheel(field, notches=1)
        _wheel(field)
    assert [combo.currentIndex() for combo in combos] == before
    assert form.performed_at.dateTime() == when
    # A drop-down the patient has tabbed into still takes the wheel, as they expect.
    form.agent.setFocus()
    qtbot.waitUntil(form.agent.hasFocus, timeout=15000)
    _wheel(form.agent)
    assert form.agent.currentIndex() != before[0]
