"""Reminders: when a schedule point falls due, say so once (banner, tray), allow a snooze.

Pure timing logic over the engine's schedule, driven by an injectable clock: `check()` is what
the window's timer calls, and what tests call after moving a fake clock. Nothing here sleeps.
When to remind and how long a snooze may be come from `paintrack.clinical.reminding`, so that a
reminder answered within a few minutes keeps its point.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QObject, Signal

from paintrack.clinical.reminding import remind_at, snooze_minutes
from paintrack.clinical.results import SchedulePoint
from paintrack.ui.clock import Clock


class Reminders(QObject):
    """Fires `due(point)` when a point's time has come and it has no score yet.

    A point fires once; after `snooze()` it fires again a few minutes later (five, or what
    still leaves time to answer before its window closes) if still unscored.
    `cleared()` is emitted when nothing is due any more (scored, or its window closed).
    After the last point's window has closed, `finished()` is emitted once and nothing fires.
    """

    due = Signal(object)  # SchedulePoint
    cleared = Signal()
    finished = Signal()

    def __init__(self, clock: Clock, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self._points: tuple[SchedulePoint, ...] = ()
        # (when to remind, when the window closes, the point), worked out once per schedule:
        # `check()` runs every refresh, the schedule changes only with a score.
        self._times: tuple[tuple[datetime, datetime, SchedulePoint], ...] = ()
        self._block_id: str | None = None
        self._fired: set[float] = set()
        self._snoozed_until: datetime | None = None
        self.current: SchedulePoint | None = None
        self.active = False
        self.fired_log: list[tuple[datetime, float]] = []  # (when, point minutes): for tests

    def set_schedule(self, block_id: str | None, points: Sequence[SchedulePoint]) -> None:
        """The engine's schedule for the block being logged (re-set after every analysis)."""
        if block_id != self._block_id:
            self._fired.clear()
            self._snoozed_until = None
            self._clear()
            self._block_id = block_id
            self.active = True
        self._points = tuple(points)
        self._times = tuple((remind_at(p), p.window_end, p) for p in self._points)
        if not self._points:
            self.active = False

    def waiting(self) -> SchedulePoint | None:
        """The latest point whose reminder time has come, whose window is open, and which has
        no score."""
        now = self.clock.now()
        found = None
        for reminded, closes, point in self._times:
            if reminded <= now < closes and not point.entries:
                found = point
        return found

    def check(self) -> SchedulePoint | None:
        """Look at the clock; fire or clear as needed. Returns the point just fired, if any."""
        if not self.active:
            return None
        now = self.clock.now()
        if self._points and now >= self._points[-1].window_end:
            self.active = False
            self._clear()
            if self._fired:  # only after a day of reminders, not when opening an old block
                self.finished.emit()
            return None
        point = self.waiting()
        if point is None:
            self._clear()
            return None
        if self._snoozed_until is not None and now < self._snoozed_until:
            return None
        if point.minutes in self._fired and self._snoozed_until is None:
            self.current = point
            return None
        self._fired.add(point.minutes)
        self._snoozed_until = None
        self.current = point
        self.fired_log.append((now, point.minutes))
        self.due.emit(point)
        return point

    @property
    def snoozed_until(self) -> datetime | None:
        """While a reminder is snoozed: when it comes back (if still unscored)."""
        return self._snoozed_until if self.current is not None else None

    def snooze_fits(self) -> int:
        """Minutes a snooze of the current reminder may last (0: none fits before it closes)."""
        if self.current is None:
            return 0
        return snooze_minutes(self.current, self.clock.now())

    def snooze(self) -> bool:
        """Snooze the current reminder for what fits; False (and nothing changes) if nothing
        fits, so a snooze never carries the patient past the end of the point's window."""
        fits = self.snooze_fits()
        if fits <= 0:
            return False
        self._snoozed_until = self.clock.now() + timedelta(minutes=fits)
        self.cleared.emit()
        return True

    def _clear(self) -> None:
        if self.current is not None:
            self.current = None
            self._snoozed_until = None
            self.cleared.emit()
