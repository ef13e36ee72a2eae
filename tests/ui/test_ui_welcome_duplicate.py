"""The same name twice: one calm question with two answers, not three big buttons."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from ui_helpers import add_block, start_diary

from paintrack.ui.clock import FakeClock
from paintrack.ui.main_window import MainWindow


def test_the_same_name_asks_one_question_and_hides_start_until_it_is_answered(
    qtbot: QtBot, window: MainWindow
) -> None:
    start_diary(qtbot, window, "Margaret Example")
    add_block(qtbot, window)
    window.menus.switch.trigger()
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


def start_second_bob(qtbot: QtBot, window: MainWindow, clock: FakeClock) -> None:
    """Two diaries for "Bob Same", nothing known but the name, first blocks 18 days apart."""
    start_diary(qtbot, window, "Bob Same")
    add_block(qtbot, window)
    clock.advance(days=18)
    window.menus.switch.trigger()
    welcome = window.welcome
    qtbot.keyClicks(welcome.name, "Bob Same")
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(welcome.start_anyway_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.block_form
    add_block(qtbot, window)
    window.menus.switch.trigger()


def test_two_diaries_of_the_same_name_are_told_apart_and_the_patient_chooses(
    qtbot: QtBot, window: MainWindow, clock: FakeClock, local_utc: None
) -> None:
    """The first blocks' dates are local dates: the expected text is UTC's (on a computer at
    +13:45 the 14:00 UTC block is on the next day, and the list rightly says so)."""
    start_second_bob(qtbot, window, clock)
    welcome = window.welcome
    first_block = window.store.first_block_dates()
    bobs = {p.id: p for p in window.store.list_patients()}
    listed = {welcome.patients.itemText(i) for i in range(welcome.patients.count())}
    assert listed == {"Bob Same · first block 2 Mar 2026", "Bob Same · first block 20 Mar 2026"}

    qtbot.keyClicks(welcome.name, "bob same")
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    assert welcome.duplicate_text.text() == (
        "There are 2 diaries for bob same on this computer. Which one is yours?"
    )
    choice = welcome.duplicate_choice
    assert choice.isVisible() and not choice.selectedItems()  # no diary chosen for them
    assert {choice.item(i).text() for i in range(choice.count())} == {
        "Bob Same\nfirst block 2 Mar 2026",
        "Bob Same\nfirst block 20 Mar 2026",
    }
    assert not welcome.open_existing_button.isEnabled()
    assert welcome.start_anyway_button.text() == "None of these: start a new diary"
    (later,) = choice.findItems("Bob Same\nfirst block 20 Mar 2026", Qt.MatchFlag.MatchExactly)
    rect = choice.visualItemRect(later)
    qtbot.mouseClick(choice.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert welcome.open_existing_button.isEnabled()
    qtbot.mouseClick(welcome.open_existing_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.diary
    opened = window.current_patient_id
    assert opened in bobs and first_block[opened].astimezone().day == 20

    window.menus.switch.trigger()
    qtbot.keyClicks(welcome.name, "Bob Same")
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(welcome.start_anyway_button, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.block_form
    assert len(window.store.list_patients()) == 3  # none of these: a third Bob Same


def test_a_different_record_number_is_a_different_person(qtbot: QtBot, window: MainWindow) -> None:
    welcome = window.welcome
    qtbot.keyClicks(welcome.name, "Ann Twin")
    qtbot.keyClicks(welcome.birth_date.edit, "14 March 1948")
    qtbot.keyClicks(welcome.mrn, "MRN-1")
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    add_block(qtbot, window)
    window.menus.switch.trigger()
    qtbot.keyClicks(welcome.name, "Ann Twin")
    qtbot.keyClicks(welcome.birth_date.edit, "14 March 1948")
    qtbot.keyClicks(welcome.mrn, "MRN-2")
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    assert not welcome.duplicate.isVisible()  # no "Is it yours?" that opens MRN-1's diary
    assert window.pages.currentWidget() is window.block_form
    assert sorted(p.mrn or "" for p in window.store.list_patients()) == ["MRN-1", "MRN-2"]
