"""The window's menus and the actions in them (File, Diary, View, Help), and which of them a
diary needs before they are offered."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar

from paintrack.ui.block_flow import BlockFlow
from paintrack.ui.closing import CloseGuard
from paintrack.ui.entry_actions import EntryActions
from paintrack.ui.look import Look
from paintrack.ui.window_files import WindowFiles

if TYPE_CHECKING:
    from paintrack.ui.host import WindowHost


class WindowMenus:
    def __init__(
        self,
        window: WindowHost,
        bar: QMenuBar,
        *,
        files: WindowFiles,
        guard: CloseGuard,
        blocks: BlockFlow,
        entries: EntryActions,
        look: Look,
    ) -> None:
        self.window = window
        self.bar = bar
        # Clinic mode's lock: its menus stay off whatever else asks for an update.
        self.locked = False
        self.file_menu = file_menu = bar.addMenu("&File")
        self.export_json = self.action("Export diary (JSON)…", files.export_json, "Ctrl+E")
        self.export_csv = self.action("Export as spreadsheet (CSV)…", files.export_csv)
        self.import_diary = self.action("Import a diary file…", files.import_diary, "Ctrl+I")
        file_menu.addActions([self.export_json, self.export_csv, self.import_diary])
        # Review's PDF summary through the system print dialog (Ctrl+P, the usual print key).
        self.print_summary = self.action("Print summary…", self._print_summary, "Ctrl+P")
        file_menu.addAction(self.print_summary)
        file_menu.addSeparator()
        self.quit = self.action("Quit", guard.quit, "Ctrl+Q")
        file_menu.addAction(self.quit)
        diary_menu = bar.addMenu("&Diary")
        self.add_block = self.action("Add a block…", blocks.show_block_form, "Ctrl+N")
        self.paper = self.action("Enter from my paper log…", entries.paper_log, "Ctrl+Shift+P")
        self.switch = self.action("Start or open another diary…", window.show_welcome)
        diary_menu.addActions([self.add_block, self.paper, self.switch])
        self.view_menu = bar.addMenu("&View")
        self._view_separator = self.view_menu.addSeparator()
        self.view_menu.addActions([look.high_contrast_action, look.larger_text_action])
        bar.addMenu("&Help").addAction(self.action("About paintrack", files.about))
        self.update()

    def action(self, text: str, slot: Callable[[], object], shortcut: str = "") -> QAction:
        made = QAction(text, self.bar)
        if shortcut:
            made.setShortcut(QKeySequence(shortcut))
        made.triggered.connect(lambda _checked=False: slot())
        return made

    def _print_summary(self) -> None:
        """Show Review and print the summary of the patient it has open."""
        review = self.window.review
        printer = getattr(review, "print_summary", None)
        if review is None or not callable(printer):
            return
        self.window.show_mode("Review")
        printer()

    def add_mode(self, name: str, number: int) -> None:
        """View ▸ Show <mode>, Ctrl+<number>."""
        shown = self.action(f"Show {name}", lambda: self.window.show_mode(name))
        shown.setShortcut(QKeySequence(f"Ctrl+{number}"))
        self.view_menu.insertAction(self._view_separator, shown)

    def file_actions(self) -> list[QAction]:
        return [self.import_diary, self.export_json, self.export_csv]

    def update(self) -> None:
        """What a diary needs is offered once one is open; Import not while a file job runs."""
        if self.locked:
            return
        enabled = self.window.current_patient_id is not None
        for needs_diary in (self.export_json, self.export_csv, self.add_block, self.paper):
            needs_diary.setEnabled(enabled)
        self.import_diary.setEnabled(self.window.runner.busy is None)
