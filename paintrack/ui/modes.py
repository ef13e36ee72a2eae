"""The window's modes (Diary, Review): one shown at a time, with a tab bar that appears once
there are two, and the diary's pages with their "Opening your diary…" page first."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QTabBar, QVBoxLayout, QWidget

from paintrack.ui.widgets import heading


class Modes(QWidget):
    added = Signal(str, int)  # a mode's name and its number (View ▸ Show <mode>, Ctrl+number)

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.bar = QTabBar()
        self.bar.setAccessibleName("Mode")
        self.bar.setVisible(False)
        self.bar.setExpanding(False)
        self.bar.setDrawBase(True)
        layout.addWidget(self.bar)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.names: list[str] = []
        self.bar.currentChanged.connect(self.stack.setCurrentIndex)

    def add_mode(self, name: str, widget: QWidget) -> None:
        self.names.append(name)
        self.stack.addWidget(widget)
        self.bar.addTab(name)
        self.bar.setVisible(len(self.names) > 1)
        self.added.emit(name, len(self.names))

    def show_mode(self, name: str) -> None:
        self.bar.setCurrentIndex(self.names.index(name))

    def widgets(self) -> list[QWidget]:
        found = (self.stack.widget(index) for index in range(self.stack.count()))
        return [widget for widget in found if widget is not None]


def diary_pages() -> tuple[QStackedWidget, QLabel]:
    """The diary's pages, showing "Opening your diary…" until the store is open; and its label."""
    pages = QStackedWidget()
    pages.setObjectName("Page")
    loading = QWidget()
    loading.setObjectName("Page")
    label = heading("Opening your diary…")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    QVBoxLayout(loading).addWidget(label)
    pages.addWidget(loading)
    return pages, label
