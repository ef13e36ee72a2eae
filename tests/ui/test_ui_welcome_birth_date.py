"""The date of birth on the welcome screen is typed the way people write it, or picked from a
calendar; empty is "not given", and what cannot be used is said inline, never changed."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QDate, QLocale, Qt
from PySide6.QtWidgets import QCalendarWidget, QDialog, QPushButton
from pytestqt.qtbot import QtBot
from ui_helpers import when_dialog_opens

from paintrack.ui.birth_date import day_comes_first, read_birth_date
from paintrack.ui.main_window import MainWindow

TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    "typed",
    [
        "14/03/1948",
        "14-03-1948",
        "14.3.1948",
        "1948-03-14",
        "14 Mar 1948",
        "14 mar 1948",
        "14 March 1948",
        " 14th  March, 1948 ",
        "March 14, 1948",
        "14/03 1948",
    ],
)
def test_the_usual_ways_of_writing_a_date_are_read(typed: str) -> None:
    assert read_birth_date(typed, TODAY) == (date(1948, 3, 14), "")


def test_the_order_of_day_and_month_follows_the_locale_unless_only_one_is_possible() -> None:
    assert read_birth_date("03/04/1948", TODAY) == (date(1948, 4, 3), "")
    assert read_birth_date("03/04/1948", TODAY, day_first=False) == (date(1948, 3, 4), "")
    assert read_birth_date("14/03/1948", TODAY, day_first=False) == (date(1948, 3, 14), "")
    assert day_comes_first(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    assert not day_comes_first(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("banana", '"banana" could not be read as a date'),
        ("14/03/48", "write the year in full"),
        ("31/02/1950", "There is no 31 February 1950"),
        ("14/13/1948", "There is no month 13"),
        ("14 Smarch 1948", "could not be read"),
        ("1/12/2026", "1 December 2026 is in the future"),
        ("2/1/1900", "2 January 1900 is more than 120 years ago"),
    ],
)
def test_dates_that_cannot_be_used_are_said_plainly(typed: str, said: str) -> None:
    birth, problem = read_birth_date(typed, TODAY)
    assert birth is None and said in problem


def test_empty_means_not_given() -> None:
    assert read_birth_date("   ", TODAY) == (None, "")


def _focus(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    window.welcome.name.setFocus()
    qtbot.waitUntil(window.welcome.name.hasFocus, timeout=15000)


def test_a_typed_date_of_birth_stays_as_typed_and_is_saved(
    qtbot: QtBot, window: MainWindow
) -> None:
    welcome = window.welcome
    field = welcome.birth_date
    _focus(qtbot, window)
    qtbot.keyClicks(welcome.name, "Margaret Example")
    qtbot.keyClick(welcome.name, Qt.Key.Key_Tab)
    assert field.edit.hasFocus()
    qtbot.keyClicks(field.edit, "14 mar 1948")  # the spaces stay in the field
    assert welcome.mrn.text() == ""
    assert field.reading.isVisible() and field.reading.text() == "That is 14 March 1948."
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)
    assert field.edit.text() == "14 mar 1948" and not field.error.isVisible()
    assert welcome.mrn.hasFocus()  # Tab goes on to the record number
    field.edit.setText("14/03/1948")
    assert field.reading.text() == "That is 14 March 1948."
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    (patient,) = window.store.list_patients()
    assert patient.birth_date == date(1948, 3, 14)


def test_a_date_of_birth_that_cannot_be_read_stops_the_start_inline(
    qtbot: QtBot, window: MainWindow
) -> None:
    welcome = window.welcome
    field = welcome.birth_date
    _focus(qtbot, window)
    qtbot.keyClicks(welcome.name, "Margaret Example")
    qtbot.keyClick(welcome.name, Qt.Key.Key_Tab)
    qtbot.keyClicks(field.edit, "14/03/48")
    qtbot.keyClick(field.edit, Qt.Key.Key_Tab)  # leaving the field says what is wrong
    assert field.error.isVisible() and "year in full" in field.error.text()
    assert field.edit.text() == "14/03/48"  # never changed
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    assert window.store.list_patients() == []
    assert window.pages.currentWidget() is welcome
    assert field.edit.hasFocus()
    field.edit.setText("2/1/1900")
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    assert window.store.list_patients() == []
    assert "more than 120 years ago" in field.error.text()
    field.edit.clear()  # empty: not given
    qtbot.mouseClick(welcome.start_button, Qt.MouseButton.LeftButton)
    (patient,) = window.store.list_patients()
    assert patient.birth_date is None


def test_the_calendar_opens_around_1960_and_fills_in_the_date_picked(
    qtbot: QtBot, window: MainWindow
) -> None:
    field = window.welcome.birth_date
    shown: list[int] = []

    def pick(dialog: QDialog) -> None:
        (calendar,) = dialog.findChildren(QCalendarWidget)
        shown.append(calendar.yearShown())
        calendar.setSelectedDate(QDate(1961, 7, 22))
        (use,) = [b for b in dialog.findChildren(QPushButton) if b.text() == "Use this date"]
        use.click()

    when_dialog_opens(pick)
    qtbot.mouseClick(field.calendar_button, Qt.MouseButton.LeftButton)
    assert shown == [1960]
    assert field.edit.text() == "22 July 1961"
    assert field.birth_date() == date(1961, 7, 22)

    def look_only(dialog: QDialog) -> None:
        (calendar,) = dialog.findChildren(QCalendarWidget)
        shown.append(calendar.yearShown())
        dialog.reject()

    when_dialog_opens(look_only)
    qtbot.keyClick(field.edit, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert shown == [1960, 1961]  # opens at the date given, from the keyboard too
    assert field.edit.text() == "22 July 1961"
