"""The score-timing rules (clinical/timing.py): when a score may count for a block."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from paintrack.clinical.model import Agent, Block, Region, Side
from paintrack.clinical.timing import (
    BASELINE_WINDOW,
    DIARY_OPEN_FOR,
    LOW_BASELINE,
    STORE_FUTURE_SLACK,
    WINDOW_FUTURE_SLACK,
    ScoreTiming,
    diary_closes_at,
    diary_ran_long,
    is_low_baseline,
    score_timing,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BLOCK = Block(performed_at=T0, region=Region.LUMBAR, side=Side.RIGHT, agent=Agent.LIDOCAINE)


def test_the_two_future_slacks_are_distinct() -> None:
    assert timedelta(minutes=1) == WINDOW_FUTURE_SLACK
    assert timedelta(hours=12) == STORE_FUTURE_SLACK


def test_a_score_counts_from_a_day_before_to_when_the_diary_closes() -> None:
    closes = diary_closes_at(BLOCK)
    assert closes == T0 + DIARY_OPEN_FOR
    now = closes + timedelta(hours=1)
    assert score_timing(T0 - BASELINE_WINDOW, BLOCK, closes, now) == ScoreTiming.COUNTS
    assert score_timing(closes, BLOCK, closes, now) == ScoreTiming.COUNTS
    early = T0 - BASELINE_WINDOW - timedelta(minutes=1)
    assert score_timing(early, BLOCK, closes, now) == ScoreTiming.BEFORE_WINDOW
    late = closes + timedelta(minutes=1)
    assert score_timing(late, BLOCK, closes, now) == ScoreTiming.DIARY_CLOSED


def test_a_score_a_minute_ahead_of_the_clock_still_counts_but_not_more() -> None:
    closes = diary_closes_at(BLOCK)
    now = T0 + timedelta(hours=1)
    assert score_timing(now + WINDOW_FUTURE_SLACK, BLOCK, closes, now) == ScoreTiming.COUNTS
    ahead = now + WINDOW_FUTURE_SLACK + timedelta(seconds=1)
    assert score_timing(ahead, BLOCK, closes, now) == ScoreTiming.IN_FUTURE


def test_a_longer_protocol_keeps_the_diary_open() -> None:
    longer = T0 + timedelta(days=3)
    assert not diary_ran_long(BLOCK, diary_closes_at(BLOCK))
    assert diary_ran_long(BLOCK, longer)


def test_low_baseline() -> None:
    assert LOW_BASELINE == 4
    assert is_low_baseline(0)
    assert is_low_baseline(3)
    assert not is_low_baseline(4)
