"""When a score or a block may count: the time rules the window, the store and `import` share.

Pure rules over clinical dataclasses and aware datetimes; the words for them live with whoever
shows them (the window, the store's messages).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum

from paintrack.clinical.model import Block
from paintrack.clinical.results import SchedulePoint

# A score up to this long before the block can be the score from before it (clinical.md, 1).
BASELINE_WINDOW = timedelta(hours=24)
# A baseline below this makes percent relief unreliable (clinical.md, flag baseline_below_4;
# the presets' "baseline < 4" caution).
LOW_BASELINE = 4
# The diary of a block stays open for a day after it (or to the end of a longer protocol).
DIARY_OPEN_FOR = timedelta(hours=24)

# Two meanings of "in the future", kept apart on purpose:
# - a time typed in the window may be this far past the computer's clock (a minute turning
#   over while the patient chooses);
WINDOW_FUTURE_SLACK = timedelta(minutes=1)
# - a new entry's recorded time may be this far past the store's clock: time zones are carried
#   by the offsets, so this only absorbs two computers' clocks disagreeing a little (a diary
#   file written on another machine and imported here).
STORE_FUTURE_SLACK = timedelta(hours=12)

# A block's time typed in the window may be this far ahead of now (it is about to start) ...
BLOCK_FUTURE_LIMIT = timedelta(minutes=10)
# ... and one further back than this is worth a second look (fine when copying an old diary).
BLOCK_PAST_WARNING = timedelta(days=14)


class ScoreTiming(StrEnum):
    """Whether a score for a moment can be kept for a block, and if not, why."""

    COUNTS = "counts"
    IN_FUTURE = "in_future"  # later than now (beyond WINDOW_FUTURE_SLACK)
    BEFORE_WINDOW = "before_window"  # more than BASELINE_WINDOW before the block
    DIARY_CLOSED = "diary_closed"  # after the block's diary closed (diary_closes_at)


def diary_closes_at(block: Block, schedule: Sequence[SchedulePoint] = ()) -> datetime:
    """After this moment, no new score is taken for the block: a day after it, or the end of
    the last scheduled point's window if the protocol runs longer (daily scores)."""
    return max([block.performed_at + DIARY_OPEN_FOR, *(p.window_end for p in schedule)])


def diary_ran_long(block: Block, closes_at: datetime) -> bool:
    """Whether the diary ran on past the first day (a longer protocol)."""
    return closes_at - block.performed_at > DIARY_OPEN_FOR


def score_timing(at: datetime, block: Block, closes_at: datetime, now: datetime) -> ScoreTiming:
    """Whether a score for `at`, typed at `now`, can be kept for `block` (its diary closing at
    `closes_at`)."""
    if at - now > WINDOW_FUTURE_SLACK:
        return ScoreTiming.IN_FUTURE
    if at < block.performed_at - BASELINE_WINDOW:
        return ScoreTiming.BEFORE_WINDOW
    if at > closes_at:
        return ScoreTiming.DIARY_CLOSED
    return ScoreTiming.COUNTS


def is_low_baseline(score: int) -> bool:
    """A score before the block too low for percent relief to be reliable (0 included)."""
    return score < LOW_BASELINE
