"""Small shared pieces: headings and hints that follow the system font size, cards, banners."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
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
    label.setText(text)
    label.setVisible(bool(text))


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


class DateTimeField(QDateTimeEdit):
    """A date-time box where Tab leaves the field (Qt's default walks through every section,
    which traps keyboard users); arrows and typing still edit the sections."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)


class DateField(QDateEdit):
    """A date box where Tab leaves the field, like DateTimeField."""

    def focusNextPrevChild(self, next: bool) -> bool:
        return QWidget.focusNextPrevChild(self, next)
