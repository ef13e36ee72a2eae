"""Protocol time points, their windows, and compliance: clinical.md item 8.

Each point owns [midpoint with the previous point (t0 counts as the point before the first),
midpoint with the next); the last point's window ends half the previous gap after it.
With the standard protocol: 15 owns [7.5, 22.5), 60 owns [52.5, 90), 480 owns [450, 510).
Window edges are compared as timedeltas (microsecond exact), not as float minutes.
An entry counts for the schedule when it has any score (for a bilateral block, either side).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from paintrack.clinical.model import Block, Entry
from paintrack.clinical.results import Compliance, PointState, SchedulePoint


def windows(points: Sequence[float]) -> list[tuple[float, float, float]]:
    """(point, window start, window end) in minutes after t0, for points sorted ascending."""
    ordered = sorted(set(points))
    result: list[tuple[float, float, float]] = []
    for k, point in enumerate(ordered):
        previous = ordered[k - 1] if k > 0 else 0.0
        start = (previous + point) / 2.0
        end = (
            (point + ordered[k + 1]) / 2.0
            if k + 1 < len(ordered)
            else point + (point - previous) / 2.0
        )
        result.append((float(point), start, end))
    return result


def _state(entries: Sequence[Entry], closed: bool, open_now: bool) -> PointState:
    if any(not e.is_late and not e.is_transcribed for e in entries):
        return PointState.ON_TIME
    if entries:
        if all(e.is_transcribed for e in entries):
            return PointState.TRANSCRIBED
        return PointState.LATE
    if closed:
        return PointState.MISSED
    if open_now:
        return PointState.DUE_NOW
    return PointState.UPCOMING


def schedule(block: Block, points: Sequence[float], now: datetime) -> tuple[SchedulePoint, ...]:
    """Every protocol point of a block with its window, entries and state at `now`."""
    t0 = block.performed_at
    scored = sorted(
        (e for e in block.entries if e.scores), key=lambda e: (e.at, e.recorded_at, e.id)
    )
    result = []
    for point, start_min, end_min in windows(points):
        start = t0 + timedelta(minutes=start_min)
        end = t0 + timedelta(minutes=end_min)
        inside = tuple(e for e in scored if start <= e.at < end)
        closed = now >= end
        result.append(
            SchedulePoint(
                minutes=point,
                at=t0 + timedelta(minutes=point),
                window_start_minutes=start_min,
                window_end_minutes=end_min,
                window_start=start,
                window_end=end,
                entries=inside,
                due=closed,
                state=_state(inside, closed, start <= now < end),
            )
        )
    return tuple(result)


def compliance(points: Sequence[SchedulePoint]) -> Compliance:
    """Counts over the due points; percent = 100 * kept_on_time / due to 1 decimal."""
    due = [p for p in points if p.due]
    on_time = sum(1 for p in due if p.state == PointState.ON_TIME)
    missed = sum(1 for p in due if p.state == PointState.MISSED)
    late = len(due) - on_time - missed
    percent = round(100.0 * on_time / len(due), 1) if due else None
    return Compliance(
        due=len(due), kept_on_time=on_time, kept_late=late, missed=missed, percent=percent
    )
