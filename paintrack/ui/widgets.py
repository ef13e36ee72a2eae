"""Small shared pieces: headings and hints that follow the system font size, cards, banners."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer
from PySide6.QtGui import QFocusEvent, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFrame,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


def scaled_label(text: str, factor: float = 1.0, *, bold: bool = False, name: str = "") -> QLabel:
    """A label whose size is a multiple of the system font, so "larger text" settings carry."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    if name:
        label.setObjectName(name)
    relative_font(label, factor, bold=bold)
    return label


class FittingLabel(QLabel):
    """One line that is never cut mid-word by the layout: it shows the first of its texts that
    fits (e.g. "Margaret Example's pain diary", then just "Margaret Example"), and elides the
    last one only if even that does not fit. The full text stays in the tooltip and the
    accessible name, so nothing is hidden from a screen reader."""

    def __init__(self, factor: float, *, bold: bool = False, name: str = "") -> None:
        super().__init__()
        self._texts: list[str] = []
        self.setWordWrap(False)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        if name:
            self.setObjectName(name)
        relative_font(self, factor, bold=bold)

    def set_texts(self, *texts: str) -> None:
        self._texts = [t for t in texts if t]
        full = self._texts[0] if self._texts else ""
        self.setToolTip(full)
        self.setAccessibleName(full)
        self.updateGeometry()
        self._fit()

    def full_text(self) -> str:
        return self._texts[0] if self._texts else ""

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self.full_text()) + 8, hint.height())

    def minimumSizeHint(self) -> QSize:
        return QSize(self.fontMetrics().averageCharWidth() * 12, super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self.updateGeometry()
            self._fit()

    def _fit(self) -> None:
        room = self.contentsRect().width()
        metrics = self.fontMetrics()
        for text in self._texts:
            if metrics.horizontalAdvance(text) <= room:
                self.setText(text)
                return
        last = self._texts[-1] if self._texts else ""
        self.setText(metrics.elidedText(last, Qt.TextElideMode.ElideRight, room))


FONT_FACTOR = "paintrack_font_factor"


def relative_font(widget: QWidget, factor: float, *, bold: bool = False) -> None:
    """Give `widget` a font `factor` times the application's, remembered so that a change
    of text size (View > Larger text) can set it again from the new application size."""
    widget.setProperty(FONT_FACTOR, float(factor))
    font = QApplication.font()
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)


def refresh_relative_fonts() -> None:
    """Re-apply every relative font from the current application font."""
    base = QApplication.font().pointSizeF()
    for widget in QApplication.allWidgets():
        factor = widget.property(FONT_FACTOR)
        if isinstance(factor, float):
            font = widget.font()
            font.setPointSizeF(base * factor)
            widget.setFont(font)


def heading(text: str, factor: float = 1.6) -> QLabel:
    return scaled_label(text, factor, bold=True, name="Heading")


def hint(text: str) -> QLabel:
    return scaled_label(text, 1.0, name="Hint")


def message_label(name: str) -> QLabel:
    """An inline message (Error, Warning, Saved) that stays hidden until it has something to say."""
    label = scaled_label("", 1.05, name=name)
    label.setVisible(False)
    label.setAccessibleName(name)
    return label


def show_message(label: QLabel, text: str) -> None:
    set_text(label, text)
    set_visible(label, bool(text))


def set_text(widget: QLabel | QPushButton, text: str) -> None:
    """Change a text only when it changed: the 15-second refresh then costs no relayout, no
    repaint and no call into Qt for the many texts that stay the same all day."""
    if widget.text() != text:
        widget.setText(text)


def set_visible(widget: QWidget, on: bool) -> None:
    """Show or hide only on a change (see `set_text`)."""
    if widget.isHidden() == on:
        widget.setVisible(on)


class Card(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(18, 14, 18, 14)
        self.body.setSpacing(8)


def enter_activates_buttons(root: QWidget) -> None:
    """Enter on a focused button presses it (Qt does this only inside dialogs by default)."""
    for button in root.findChildren(QPushButton):
        if button.focusPolicy() != Qt.FocusPolicy.NoFocus:
            button.setAutoDefault(True)


def page(parent: QWidget | None = None) -> QWidget:
    widget = QWidget(parent)
    widget.setObjectName("Page")
    return widget


class _SectionSelector(QObject):
    """A click in the text of a date box selects the section clicked (see below)."""

    def __init__(self, edit: QDateTimeEdit) -> None:
        super().__init__(edit)
        self.edit = edit
        edit.lineEdit().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease:
            QTimer.singleShot(0, self.edit, lambda: _select_section_at_cursor(self.edit))
        return False


def _select_section_at_cursor(edit: QDateTimeEdit) -> None:
    """Select the whole section under the text cursor, so typing "16" replaces the hour.
    (Qt ignores digits typed into the middle of a full section: "1|8" + "16" did nothing.)"""
    if not edit.lineEdit().hasSelectedText():
        edit.setSelectedSection(edit.currentSection())


class DateTimeField(QDateTimeEdit):
    """A date-time box where Tab leaves the field (Qt's default walks through every section,
    which traps keyboard users); arrows and typing still edit the sections. A click or
    the focus selects the whole section, so typed digits replace it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._selector = _SectionSelector(self)

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if event.reason() != Qt.FocusReason.MouseFocusReason and (
            self.displayedSections() & QDateTimeEdit.Section.HourSection
        ):
            # From the keyboard, start on the hour: the part a patient usually changes.
            self.setSelectedSection(QDateTimeEdit.Section.HourSection)
        else:
            _select_section_at_cursor(self)


class DateField(QDateEdit):
    """A date box where Tab leaves the field, like DateTimeField. `blank_page` (year, month):
    where the calendar opens while the box shows its "not given" minimum date."""

    blank_page: tuple[int, int] | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._selector = _SectionSelector(self)

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        _select_section_at_cursor(self)

    def setCalendarPopup(self, enable: bool) -> None:
        super().setCalendarPopup(enable)
        if enable:
            self.calendarWidget().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() == QEvent.Type.Show
            and watched is self.calendarWidget()
            and self.blank_page is not None
            and self.date() == self.minimumDate()
        ):
            year, month = self.blank_page
            calendar = self.calendarWidget()
            QTimer.singleShot(0, calendar, lambda: calendar.setCurrentPage(year, month))
        return super().eventFilter(watched, event)


class RoomyComboBox(QComboBox):
    """A drop-down whose list always shows every choice in full ("Both sides", "Something
    else"): its rows are measured when it opens, after any change of text size, and the list is
    made tall and wide enough for them."""

    def showPopup(self) -> None:
        view = self.view()
        shown = min(self.count(), max(self.maxVisibleItems(), self.count()))
        self.setMaxVisibleItems(max(self.maxVisibleItems(), shown))
        rows = sum(max(view.sizeHintForRow(i), 0) for i in range(shown))
        frame = 2 * view.frameWidth()
        view.setMinimumHeight(rows + frame)
        view.setMinimumWidth(max(self.width(), view.sizeHintForColumn(0) + frame + 24))
        super().showPopup()
