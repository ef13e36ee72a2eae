"""When to remind a patient of a protocol point, and until when a score still counts for it.

The windows of clinical.md item 8 decide which point a score counts for; this module only
decides what the patient is told and when, so that a reminder answered within a few minutes
keeps its point. Pure functions over the engine's schedule points; no Qt, no clock of its own.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from paintrack.clinical.results import SchedulePoint

# How long a patient may take to answer a reminder and still keep its point: the reminder
# comes at least this long before the point's window closes (where the window allows).
ANSWER_TIME = timedelta(minutes=8)
# The usual snooze, and what a snooze must leave after it to answer the reminder again (the
# same few minutes as the first time, and a refresh's worth more).
SNOOZE = timedelta(minutes=5)
SNOOZE_ANSWER_TIME = timedelta(minutes=6, seconds=30)


def remind_at(point: SchedulePoint) -> datetime:
    """The reminder comes at the point's time, or earlier when its window closes soon after
    (the first hour's windows close 7.5 minutes after the point), never before it opens."""
    return max(point.window_start, min(point.at, point.window_end - ANSWER_TIME))


def rate_by(point: SchedulePoint) -> datetime:
    """The last whole minute in which a score still counts for `point`: "please rate by 09:22"
    is true of every second of 09:22 (the window's end is exclusive and may fall mid-minute)."""
    last = point.window_end - timedelta(minutes=1)
    return last.replace(second=0, microsecond=0)


def snooze_minutes(point: SchedulePoint, now: datetime) -> int:
    """Minutes a snooze may last and still leave time to answer before `point` closes:
    5 when there is room, fewer near the end of a short window, 0 when none fits."""
    room = (point.window_end - now - SNOOZE_ANSWER_TIME).total_seconds() / 60.0
    usual = int(SNOOZE.total_seconds() // 60)
    return max(0, min(usual, math.floor(room)))
