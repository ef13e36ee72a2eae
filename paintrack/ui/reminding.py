"""The day's reminders for the window: the schedule fed to `Reminders` after each change and
clock tick, the banner, the tray icon and its messages, snoozing, and "rate now"."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from paintrack.clinical.results import PointState, SchedulePoint
from paintrack.ui.clock import clock_text
from paintrack.ui.reminders import Reminders

if TYPE_CHECKING:
    from paintrack.ui.host import WindowHost

TICK_MS = 15_000  # how often the countdown and the schedule states are refreshed


class Reminding:
    def __init__(self, window: WindowHost) -> None:
        self.window = window
        self.tray: QSystemTrayIcon | None = None
        self.reminders = Reminders(window.clock, window.widget)
        self.reminders.due.connect(self._remind)
        self.reminders.cleared.connect(self._cleared)
        self.reminders.finished.connect(self._finished)
        self.timer = QTimer(window.widget)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)

    def feed(self) -> None:
        """The schedule of the block on screen, after a change or a tick."""
        diary = self.window.diary
        result = diary.current_result() if diary is not None else None
        if result is None:
            self.reminders.set_schedule(None, ())
        else:
            self.reminders.set_schedule(result.block.id, result.schedule)
        self.reminders.check()

    def tick(self) -> None:
        """The clock moved on: refresh states and countdown, and remind if a point is due."""
        diary = self.window.diary
        if diary is None or diary.diary is None:
            return
        diary.tick()
        self.feed()

    def next_score_words(self) -> str:
        """ "your next score is due at 15:01" while reminders are still to come, else ""."""
        window = self.window
        if window.diary is None or window.store is None or not self.reminders.active:
            return ""
        point = window.diary.next_point()
        if point is None:
            return ""
        if point.state == PointState.DUE_NOW:
            return f"your {clock_text(point.at)} score is due now"
        return f"your next score is due at {clock_text(point.at)}"

    def _remind(self, point: SchedulePoint) -> None:
        from paintrack.ui.diary_page import reminder_text

        self.window.page.set_reminder(point, None)
        if self.tray is not None and self.tray.isVisible():
            self.tray.showMessage(
                "paintrack", reminder_text(point), QSystemTrayIcon.MessageIcon.Information, 30000
            )
        QApplication.alert(self.window.widget)

    def _cleared(self) -> None:
        if self.window.diary is not None:
            self.window.page.set_reminder(None, None)

    def _finished(self) -> None:
        self._cleared()
        self.window.statusBar().showMessage("That was the last scheduled score. Thank you!", 15000)

    def snooze(self) -> None:
        if not self.reminders.snooze():
            return  # nothing fits before the point's window closes (the button said so)
        diary = self.window.diary
        if diary is not None:
            # The banner's place says until when (no status-bar line outliving the score).
            diary.set_reminder(self.reminders.current, self.reminders.snoozed_until)
            diary.log.focus_scale()

    def log_now(self) -> None:
        window = self.window
        window.showNormal()
        window.raise_()
        window.activateWindow()
        window.pages.setCurrentWidget(window.page)
        window.page.rate_now()

    def set_up_tray(self) -> None:
        if self.tray is not None or self.window.demo or not QSystemTrayIcon.isSystemTrayAvailable():
            return
        from paintrack.ui.assets import app_icon

        tray = QSystemTrayIcon(app_icon(), self.window.widget)
        tray.setToolTip("paintrack: your pain diary")
        tray.activated.connect(lambda _reason: self.log_now())
        tray.messageClicked.connect(self.log_now)
        tray.show()
        self.tray = tray
        # Hidden in the tray is still running: only Quit (or closing with nothing due) ends it.
        QApplication.setQuitOnLastWindowClosed(False)

    def keeps_running_in_tray(self) -> bool:
        """Closing hides to the tray instead while reminders are still to come (and says so)."""
        if self.tray is None or not self.tray.isVisible() or not self.reminders.active:
            return False
        self.window.hide()
        due = self.next_score_words()
        self.tray.showMessage(
            "paintrack is still running",
            "I'll keep reminding you from here"
            + (f" ({due})" if due else "")
            + ". Use Quit in the File menu to stop.",
            QSystemTrayIcon.MessageIcon.Information,
            10000,
        )
        return True

    def stop(self) -> None:
        self.timer.stop()
        if self.tray is not None:
            self.tray.hide()
