"""Closing the window or quitting while the day is not over: a chosen score not saved yet is
offered to be saved, and closing while scores are still due (with no tray to remind from)
asks first. One question at a time."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from paintrack.ui.reminding import Reminding

if TYPE_CHECKING:
    from paintrack.ui.host import WindowHost


def _ask(box: QMessageBox) -> object:
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    return clicked


class CloseGuard:
    def __init__(self, window: WindowHost, reminding: Reminding) -> None:
        self.window = window
        self.reminding = reminding

    def _box(self, text: str, informative: str) -> QMessageBox:
        box = QMessageBox(self.window.widget)
        box.setWindowTitle("paintrack")
        box.setIcon(QMessageBox.Icon.Question)
        box.setText(text)
        box.setInformativeText(informative)
        return box

    def unsaved_score(self) -> bool:
        """A score is chosen on screen but not saved yet."""
        window = self.window
        if window.store is None or window.diary is None:
            return False
        return window.pages.currentWidget() is window.diary and window.diary.has_unsaved_score()

    def closing_while_due_confirmed(self, *, quitting: bool = False) -> bool:
        """Closing with scores still due and no tray to remind from (or quitting, which stops
        the tray's reminders too): reminders would stop, so ask first. True: close."""
        due = self.reminding.next_score_words()
        if self.window.quiet or not due:
            return True
        box = self._box(
            f"Scores are still due today: {due}.",
            "If you close paintrack now, it cannot remind you. Your saved scores are safe "
            "either way.",
        )
        stay = box.addButton("Keep paintrack open", QMessageBox.ButtonRole.RejectRole)
        close = box.addButton(
            "Quit, no more reminders" if quitting else "Close, no more reminders",
            QMessageBox.ButtonRole.AcceptRole,
        )
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        return _ask(box) is close

    def unsaved_score_handled(self, *, leaving: bool = True) -> bool:
        """Before closing (or leaving the score for the block form): offer to save a chosen
        score. False means stay where we are."""
        window = self.window
        if window.quiet or not self.unsaved_score():
            return True
        due = self.reminding.next_score_words() if leaving else ""
        stops = due and (self.reminding.tray is None or window.really_quit)
        box = self._box(
            "You chose a score but have not saved it yet.",
            ("Save it before closing?" if leaving else "Save it first?")
            + (f" Once paintrack is closed it cannot remind you ({due})." if stops else ""),
        )
        save = box.addButton("Save my score", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton(
            "Close without saving" if leaving else "Go on without saving",
            QMessageBox.ButtonRole.DestructiveRole,
        )
        stay = box.addButton("Go back", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.setEscapeButton(stay)
        clicked = _ask(box)
        if clicked is save:
            # Closed only once the save went through (an error keeps the window open).
            return window.page.save_chosen_score() and not self.unsaved_score()
        return clicked is discard

    def close_event(self, event: QCloseEvent) -> None:
        """The window's closeEvent: to the tray while reminding, else ask, then shut down."""
        window = self.window
        if not window.really_quit and self.reminding.keeps_running_in_tray():
            event.ignore()  # keep reminding from the tray instead of quitting mid-diary
            return
        # One question at a time: with a score chosen, that question also says the reminders
        # would stop.
        asked = not window.quiet and self.unsaved_score()
        if not self.unsaved_score_handled() or (
            not window.really_quit and not asked and not self.closing_while_due_confirmed()
        ):
            event.ignore()
            return
        had_tray = self.reminding.tray is not None
        window.shut_down()
        event.accept()
        if had_tray:
            QTimer.singleShot(0, QApplication.quit)

    def quit(self) -> None:
        """File ▸ Quit (Ctrl+Q) stops the reminders too, tray or not: ask first, as closing
        does."""
        window = self.window
        if not self.unsaved_score() and not self.closing_while_due_confirmed(quitting=True):
            return
        window.really_quit = True
        if not window.close():  # the patient chose to stay (an unsaved score)
            window.really_quit = False
            return
        app = QApplication.instance()
        if app is not None:
            app.quit()
