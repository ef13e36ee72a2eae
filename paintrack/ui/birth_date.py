"""A date of birth typed the way people write it (14/03/1948, 1948-03-14, 14 March 1948) or
picked from a calendar. Empty means "not given"; what cannot be read is said, never changed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from PySide6.QtCore import QDate, QEvent, QLocale, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from paintrack.ui.widgets import hint, message_label, show_message

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
OLDEST_YEARS = 120
# With nothing typed, the calendar opens here rather than at today or at 1900.
CALENDAR_START = (1960, 1)

_ISO = re.compile(r"(?P<y>\d{4})\s*[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})")
_NUMBERS = re.compile(r"(?P<a>\d{1,2})\s*[-/. ]\s*(?P<b>\d{1,2})\s*[-/. ]\s*(?P<y>\d+)")
_DAY_MONTH = re.compile(
    r"(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s\-/.,]*(?P<month>[^\W\d_]+)\.?[\s\-/.,]*(?P<y>\d+)"
)
_MONTH_DAY = re.compile(
    r"(?P<month>[^\W\d_]+)\.?[\s\-/.,]*(?P<d>\d{1,2})(?:st|nd|rd|th)?[\s\-/.,]+(?P<y>\d+)"
)


def oldest_birth_date(today: date) -> date:
    """The same day OLDEST_YEARS years before `today` (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - OLDEST_YEARS)
    except ValueError:
        return today.replace(year=today.year - OLDEST_YEARS, day=28)


def in_words(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def day_comes_first(locale: QLocale | None = None) -> bool:
    """Whether the locale writes the day before the month (14/03/1948, not 03/14/1948)."""
    short = (locale or QLocale()).dateFormat(QLocale.FormatType.ShortFormat)
    day, month = short.find("d"), short.find("M")
    return not (0 <= month < day)


def _month(word: str) -> int | None:
    word = word.casefold()
    if len(word) < 3:
        return None
    for number, name in enumerate(MONTHS, start=1):
        if name.casefold().startswith(word) or (word == "sept" and number == 9):
            return number
    return None


def _build(year: str, month: int, day: int) -> tuple[date | None, str]:
    if len(year) == 2:
        return None, "Please write the year in full, for example 1948 rather than 48."
    if len(year) != 4:
        return None, ""
    if not 1 <= month <= 12:
        return None, f"There is no month {month}. Please check the day and the month."
    try:
        return date(int(year), month, day), ""
    except ValueError:
        return None, (
            f"There is no {day} {MONTHS[month - 1]} {year}. Please check the day and the month."
        )


def read_birth_date(text: str, today: date, *, day_first: bool = True) -> tuple[date | None, str]:
    """(the date, "") or (None, a plain message); (None, "") for an empty text."""
    text = " ".join(text.split())
    if not text:
        return None, ""
    found: tuple[date | None, str] = (None, "")
    if match := _ISO.fullmatch(text):
        found = _build(match["y"], int(match["m"]), int(match["d"]))
    elif match := _NUMBERS.fullmatch(text):
        a, b = int(match["a"]), int(match["b"])
        day, month = (a, b) if day_first else (b, a)
        if month > 12 and day <= 12:
            day, month = month, day  # only one way to read it: say it back, below
        found = _build(match["y"], month, day)
    elif (match := _DAY_MONTH.fullmatch(text)) or (match := _MONTH_DAY.fullmatch(text)):
        month_number = _month(match["month"])
        if month_number is not None:
            found = _build(match["y"], month_number, int(match["d"]))
    birth, problem = found
    if birth is None:
        example = "14/03/1948" if day_first else "03/14/1948"
        return None, problem or (
            f'"{text}" could not be read as a date. Please type it like {example} or '
            "14 March 1948, or pick it from the calendar."
        )
    if birth > today:
        return None, f"{in_words(birth)} is in the future. Please check the year."
    if birth < oldest_birth_date(today):
        return (
            None,
            f"{in_words(birth)} is more than {OLDEST_YEARS} years ago. Please check the year.",
        )
    return birth, ""


class BirthDateField(QWidget):
    """A line to type the date of birth in, a Calendar button, and a plain line under them:
    the date read back in words, or what is wrong with what was typed."""

    changed = Signal()

    def __init__(
        self, today: Callable[[], date] = date.today, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.today = today
        self.day_first = day_comes_first()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        row = QHBoxLayout()
        self.edit = QLineEdit()
        order = "day/month/year" if self.day_first else "month/day/year"
        example = "14/03/1948" if self.day_first else "03/14/1948"
        self.edit.setPlaceholderText(order)
        self.edit.setToolTip(
            f"For example {example} or 14 March 1948. Leave it empty if you prefer."
        )
        row.addWidget(self.edit, 1)
        self.calendar_button = QPushButton("Calendar…")
        self.calendar_button.setAccessibleName("Pick the date of birth from a calendar")
        # Tab goes from the date straight on to the next field (typing is the keyboard's way;
        # Alt+Down or F4 in the date opens the calendar, as in a drop-down list).
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        row.addWidget(self.calendar_button)
        layout.addLayout(row)
        self.error = message_label("Error")
        layout.addWidget(self.error)
        self.reading = hint("")
        self.reading.setVisible(False)
        layout.addWidget(self.reading)
        self.setFocusProxy(self.edit)
        self.edit.textChanged.connect(self._typed)
        self.edit.editingFinished.connect(self.check)
        self.calendar_button.clicked.connect(self.pick)
        self.edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        opens = (
            watched is self.edit
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and (
                event.key() == Qt.Key.Key_F4
                or (
                    event.key() == Qt.Key.Key_Down
                    and bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
                )
            )
        )
        if opens:
            self.pick()
            return True
        return super().eventFilter(watched, event)

    def setAccessibleName(self, name: str) -> None:  # the typing line carries the name
        super().setAccessibleName(name)
        self.edit.setAccessibleName(name)

    def read(self) -> tuple[date | None, str]:
        return read_birth_date(self.edit.text(), self.today(), day_first=self.day_first)

    def _typed(self) -> None:
        # While typing, no complaints; a readable date is said back in words.
        show_message(self.error, "")
        birth, _problem = self.read()
        show_message(self.reading, f"That is {in_words(birth)}." if birth else "")
        self.changed.emit()

    def check(self) -> bool:
        """Show what is wrong with the typed date, if anything; True when it can be used."""
        _birth, problem = self.read()
        show_message(self.error, problem)
        if problem:
            show_message(self.reading, "")
        return not problem

    def birth_date(self) -> date | None:
        birth, _problem = self.read()
        return birth

    def set_birth_date(self, birth: date | None) -> None:
        self.edit.setText(in_words(birth) if birth else "")
        show_message(self.error, "")

    def clear(self) -> None:
        self.set_birth_date(None)

    def pick(self) -> None:
        today = self.today()
        dialog = QDialog(self)
        dialog.setWindowTitle("Date of birth")
        layout = QVBoxLayout(dialog)
        self.calendar = QCalendarWidget()
        self.calendar.setAccessibleName("Date of birth")
        self.calendar.setMaximumDate(QDate(today.year, today.month, today.day))
        oldest = oldest_birth_date(today)
        self.calendar.setMinimumDate(QDate(oldest.year, oldest.month, oldest.day))
        birth = self.birth_date()
        if birth is not None:
            self.calendar.setSelectedDate(QDate(birth.year, birth.month, birth.day))
        else:
            self.calendar.setCurrentPage(*CALENDAR_START)
        # "Use this date" takes a day only once one is chosen (not today's, unseen).
        chosen_by_hand = [birth is not None]
        self.calendar.selectionChanged.connect(lambda: chosen_by_hand.__setitem__(0, True))
        layout.addWidget(self.calendar)
        buttons = QDialogButtonBox()
        buttons.addButton("Use this date", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton("Cancel", QDialogButtonBox.ButtonRole.RejectRole)
        layout.addWidget(buttons)
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        self.calendar.activated.connect(lambda _day: dialog.accept())
        self.calendar.setFocus(Qt.FocusReason.OtherFocusReason)
        if dialog.exec() == QDialog.DialogCode.Accepted and chosen_by_hand[0]:
            chosen = self.calendar.selectedDate()
            self.set_birth_date(date(chosen.year(), chosen.month(), chosen.day()))
            self.check()
        self.edit.setFocus(Qt.FocusReason.OtherFocusReason)
