"""The window's modes (Diary, Review): one shown at a time, with a tab bar that appears once
there are two, and the diary's pages with their "Opening your diary…" page first."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
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
        """The modes built so far (a lazy mode not yet shown is left unbuilt)."""
        built: list[QWidget] = []
        for index in range(self.stack.count()):
            widget = self.stack.widget(index)
            content = widget.content if isinstance(widget, LazyMode) else widget
            if content is not None:
                built.append(content)
        return built

    def mode(self, name: str) -> QWidget | None:
        """The mode called `name` (built now if it is lazy and was never shown), or None."""
        if name not in self.names:
            return None
        widget = self.stack.widget(self.names.index(name))
        return widget.built() if isinstance(widget, LazyMode) else widget

    def current(self) -> QWidget | None:
        """The mode on screen (its content, for a lazy one)."""
        widget = self.stack.currentWidget()
        return widget.built() if isinstance(widget, LazyMode) else widget


class LazyMode(QWidget):
    """A mode built the first time it is shown or asked for: Review's lists, tabs and chart are
    a quarter of the window's start-up, and a patient logging scores never opens it."""

    def __init__(self, build: Callable[[], QWidget]) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self._build = build
        self.content: QWidget | None = None

    def built(self) -> QWidget:
        if self.content is None:
            self.content = self._build()
            layout = self.layout()
            assert layout is not None
            layout.addWidget(self.content)
            if self.isVisible():  # else it shows with this mode (a queued show comes too late)
                self.content.show()
        return self.content

    def showEvent(self, event: QShowEvent) -> None:
        self.built()
        super().showEvent(event)


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
