"""The time the window believes it is: injectable, so tests move a fake clock, never sleep."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware (UTC)."""
        ...

    def steady(self) -> float:
        """Seconds on a clock nobody sets (it counts time asleep, too): comparing how far it
        and `now()` moved tells a clock that was set back or forward from time passing."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def steady(self) -> float:
        boottime = getattr(time, "CLOCK_BOOTTIME", None)
        if boottime is not None:
            return time.clock_gettime(boottime)
        return time.monotonic()


class FakeClock:
    """A clock that only moves when told to (tests, screenshots)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs a timezone-aware start")
        self._now = start
        self._steady = 0.0

    def now(self) -> datetime:
        return self._now

    def steady(self) -> float:
        return self._steady

    def set(self, moment: datetime) -> None:
        """Time passes to `moment` (an earlier `moment` is the clock being set back)."""
        self._steady += max(0.0, (moment - self._now).total_seconds())
        self._now = moment

    def advance(self, **delta: float) -> datetime:
        self.set(self._now + timedelta(**delta))
        return self._now

    def jump(self, moment: datetime) -> None:
        """The computer's clock is set to `moment` while no time passes."""
        self._now = moment


def local(moment: datetime) -> datetime:
    """`moment` in the computer's own time zone, for display."""
    return moment.astimezone()


def clock_text(moment: datetime) -> str:
    """A time of day as the patient reads a clock: "10:31"."""
    return local(moment).strftime("%H:%M")


def day_and_time_text(moment: datetime, *, today: datetime | None = None) -> str:
    """ "today 10:31", "yesterday 09:15" or "Tue 3 Mar 09:15"."""
    shown = local(moment)
    if today is not None:
        day = local(today).date()
        if shown.date() == day:
            return f"today {shown:%H:%M}"
        if (day - shown.date()).days == 1:
            return f"yesterday {shown:%H:%M}"
    return f"{shown:%a} {shown.day} {shown:%b %Y %H:%M}"
