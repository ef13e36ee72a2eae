"""The same name twice: one calm question with two answers, not three big buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_helpers import add_block, start_diary

from paintrack.ui.main_window import MainWindow


def test_the_same_name_asks_one_question_and_hides_start_until_it_is_answered(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window, "Margaret Example")
    add_block(qtbot, window)
    window.switch_action.trigger()
    welcome = window.welcome
    qtbot.keyClicks(welcome.name, "margaret example")
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    assert welcome.duplicate.isVisible()
    assert welcome.duplicate_text.text() == (
        "There is already a diary for Margaret Example on this computer. Is it yours?"
    )
    assert not welcome.start_button.isVisible()  # only "Yes, open it" and "No, start a new diary"
    assert (welcome.open_existing_button.text(), welcome.start_anyway_button.text()) == (
        "Yes, open it",
        "No, start a new diary",
    )
    qtbot.keyClicks(welcome.name, " Jones")  # a different name: the question goes away
    assert not welcome.duplicate.isVisible() and welcome.start_button.isVisible()
