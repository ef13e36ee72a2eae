"""The window's menus and the actions in them (File, Diary, View, Help), and which of them a
diary needs before they are offered."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from paintrack.ui.main_window import MainWindow


def action(
    window: MainWindow, text: str, slot: Callable[[], object], shortcut: str = ""
) -> QAction:
    made = QAction(text, window)
    if shortcut:
        made.setShortcut(QKeySequence(shortcut))
    made.triggered.connect(lambda _checked=False: slot())
    return made


class WindowMenus:
    def __init__(self, window: MainWindow) -> None:
        self.window = w = window
        bar = w.menuBar()
        file_menu = bar.addMenu("&File")
        self.export_json = action(
            w, "Export diary (JSON)…", lambda: w.files.export_json(), "Ctrl+E"
        )
        self.export_csv = action(w, "Export as spreadsheet (CSV)…", lambda: w.files.export_csv())
        self.import_diary = action(
            w, "Import a diary file…", lambda: w.files.import_diary(), "Ctrl+I"
        )
        file_menu.addActions([self.export_json, self.export_csv, self.import_diary])
        file_menu.addSeparator()
        self.quit = action(w, "Quit", w.guard.quit, "Ctrl+Q")
        file_menu.addAction(self.quit)
        diary_menu = bar.addMenu("&Diary")
        self.add_block = action(w, "Add a block…", w.blocks.show_block_form, "Ctrl+N")
        self.paper = action(w, "Enter from my paper log…", w.entries.paper_log, "Ctrl+P")
        self.switch = action(w, "Start or open another diary…", w.show_welcome)
        diary_menu.addActions([self.add_block, self.paper, self.switch])
        self.view_menu = bar.addMenu("&View")
        self._view_separator = self.view_menu.addSeparator()
        self.view_menu.addActions([w.look.high_contrast_action, w.look.larger_text_action])
        bar.addMenu("&Help").addAction(action(w, "About paintrack", w.files.about))
        self.update()

    def add_mode(self, name: str, number: int) -> None:
        """View ▸ Show <mode>, Ctrl+<number>."""
        shown = action(self.window, f"Show {name}", lambda: self.window.show_mode(name))
        shown.setShortcut(QKeySequence(f"Ctrl+{number}"))
        self.view_menu.insertAction(self._view_separator, shown)

    def file_actions(self) -> list[QAction]:
        return [self.import_diary, self.export_json, self.export_csv]

    def update(self) -> None:
        """What a diary needs is offered once one is open; Import not while a file job runs."""
        enabled = self.window.current_patient_id is not None
        for needs_diary in (self.export_json, self.export_csv, self.add_block, self.paper):
            needs_diary.setEnabled(enabled)
        self.import_diary.setEnabled(self.window.runner.busy is None)
