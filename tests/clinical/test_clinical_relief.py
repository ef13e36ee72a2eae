"""Baseline, relief, peak and durations (clinical.md items 1-6), worked by hand."""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from clinical_builders import T0, analyze, block, entry, series

from paintrack.clinical.model import Agent
from paintrack.clinical.relief import (
    duration_at,
    expected_verdict,
    find_baseline,
    relief_percent,
    score_series,
)
from paintrack.clinical.results import Expected, Flag, ThresholdResult


def site(result_block, name="index"):
    return result_block.sites[name]


def test_worked_example_from_the_diary_format():
    # Baseline 8. Scores -> relief = 100 * (8 - s) / 8:
    #   15 min: 3 -> 62.5    30 min: 1 -> 87.5    60 min: 1 -> 87.5
    #  120 min: 2 -> 75.0   180 min: 5 -> 37.5
    b = block(series(8, [(15, 3), (30, 1), (60, 1), (120, 2), (180, 5)]))
    s = site(analyze(b).blocks[0])
    assert s.baseline == 8
    assert s.peak_relief_percent == 87.5
    assert s.time_to_peak_minutes == 30.0  # first entry with 87.5, not the one at 60
    # 50%: i = 15 min; first entry after it below 50 is j = 180 (37.5).
    #   lower = t(j-1) = 120, upper = 180,
    #   crossing = 120 + 60 * (75 - 50) / (75 - 37.5) = 120 + 60 * 25/37.5 = 160
    t50 = s.thresholds[50]
    assert (t50.reached, t50.censored) == (True, False)
    assert t50.duration_minutes == pytest.approx(160.0)
    assert (t50.duration_lower_minutes, t50.duration_upper_minutes) == (120.0, 180.0)
    # 80%: i = 30 min (87.5); j = 120 (75 < 80). lower 60, upper 120,
    #   crossing = 60 + 60 * (87.5 - 80) / (87.5 - 75) = 60 + 60 * 7.5/12.5 = 96
    t80 = s.thresholds[80]
    assert t80.duration_minutes == pytest.approx(96.0)
    assert (t80.duration_lower_minutes, t80.duration_upper_minutes) == (60.0, 120.0)
    # Lidocaine expects >= 60 min: both lower bounds (120, 60) are >= 60 -> consistent.
    assert t50.expected == Expected.CONSISTENT
    assert t80.expected == Expected.CONSISTENT
    assert t80.expected_minutes == 60.0


def test_no_post_block_entries():
    b = block(series(7, []))
    s = site(analyze(b).blocks[0])
    assert s.baseline == 7
    assert s.peak_relief_percent is None and s.time_to_peak_minutes is None
    for t in s.thresholds.values():
        assert t == ThresholdResult(t.threshold, False, 0.0, None, None, False, None, None)


def test_one_entry_is_censored_at_its_own_time():
    # Baseline 8, 30 min: 2 -> 75%. 50%: reached, no later entry -> censored at 30.
    b = block(series(8, [(30, 2)]))
    s = site(analyze(b).blocks[0])
    t50 = s.thresholds[50]
    assert (t50.reached, t50.censored) == (True, True)
    assert t50.duration_minutes == t50.duration_lower_minutes == 30.0
    assert t50.duration_upper_minutes is None
    # Lidocaine >= 60: lower 30 < 60 and no upper bound -> indeterminate.
    assert t50.expected == Expected.INDETERMINATE
    t80 = s.thresholds[80]
    assert (t80.reached, t80.duration_minutes, t80.expected) == (False, 0.0, None)


def test_relief_exactly_at_threshold_counts_as_reaching_it():
    # Baseline 10. 15 min: 5 -> 50% (== 50 reaches it); 30 min: 8 -> 20%.
    # crossing = 15 + 15 * (50 - 50) / (50 - 20) = 15 exactly.
    b = block(series(10, [(15, 5), (30, 8)]))
    t50 = site(analyze(b).blocks[0]).thresholds[50]
    assert t50.reached is True
    assert t50.duration_minutes == 15.0
    assert (t50.duration_lower_minutes, t50.duration_upper_minutes) == (15.0, 30.0)


def test_entry_exactly_at_threshold_keeps_the_run_going():
    # Baseline 10: 15 -> 0 (100%), 30 -> 5 (50%, still >= 50), 60 -> 10 (0%).
    # 50%: j = 60; lower 30, upper 60; crossing = 30 + 30 * (50 - 50)/(50 - 0) = 30.
    b = block(series(10, [(15, 0), (30, 5), (60, 10)]))
    t50 = site(analyze(b).blocks[0]).thresholds[50]
    assert (t50.duration_minutes, t50.duration_lower_minutes, t50.duration_upper_minutes) == (
        30.0,
        30.0,
        60.0,
    )


def test_dip_and_recovery_ends_the_run_at_the_first_dip():
    # Baseline 8: 15 -> 2 (75), 30 -> 1 (87.5), 60 -> 5 (37.5), 120 -> 1 (87.5), 180 -> 1.
    # 50%: i = 15, j = 60 (first below 50); lower 30, upper 60;
    #   crossing = 30 + 30 * (87.5 - 50) / (87.5 - 37.5) = 30 + 30 * 0.75 = 52.5.
    # The recovery at 120-180 does not extend it and does not make it censored.
    b = block(series(8, [(15, 2), (30, 1), (60, 5), (120, 1), (180, 1)]))
    s = site(analyze(b).blocks[0])
    t50 = s.thresholds[50]
    assert t50.duration_minutes == pytest.approx(52.5)
    assert (t50.duration_lower_minutes, t50.duration_upper_minutes, t50.censored) == (
        30.0,
        60.0,
        False,
    )
    # Lidocaine >= 60: lower 30 < 60 <= upper 60 -> indeterminate (not "shorter": upper is 60).
    assert t50.expected == Expected.INDETERMINATE
    assert s.time_to_peak_minutes == 30.0


def test_run_starting_late_is_measured_from_t0_not_onset():
    # Baseline 10: 15 -> 8 (20%), 60 -> 2 (80%), 120 -> 2 (80%), 180 -> 9 (10%).
    # 80%: i = 60, j = 180; lower 120, upper 180; crossing = 120 + 60 * 0/70 = 120 (from t0).
    b = block(series(10, [(15, 8), (60, 2), (120, 2), (180, 9)]))
    t80 = site(analyze(b).blocks[0]).thresholds[80]
    assert t80.duration_minutes == 120.0


def test_shorter_than_expected():
    # Bupivacaine expects >= 120. Baseline 10: 15 -> 1 (90), 30 -> 1, 60 -> 9 (10%).
    # 50%: lower 30, upper 60 < 120 -> shorter. crossing = 30 + 30 * 40/80 = 45.
    b = block(series(10, [(15, 1), (30, 1), (60, 9)]), agent=Agent.BUPIVACAINE)
    t50 = site(analyze(b).blocks[0]).thresholds[50]
    assert t50.duration_minutes == 45.0
    assert t50.expected == Expected.SHORTER
    assert t50.expected_minutes == 120.0


@pytest.mark.parametrize("agent", [Agent.SALINE, Agent.OTHER, Agent.UNKNOWN])
def test_no_expected_verdict_for_agents_without_an_expected_duration(agent):
    b = block(series(8, [(15, 1), (480, 1)]), agent=agent)
    t50 = site(analyze(b).blocks[0]).thresholds[50]
    assert t50.reached is True
    assert t50.expected is None and t50.expected_minutes is None


def test_expected_verdict_rules_directly():
    reached = ThresholdResult(50, True, 90.0, 60.0, 120.0, False)
    assert expected_verdict(reached, 60.0) == Expected.CONSISTENT  # 60 >= 60
    assert expected_verdict(reached, 121.0) == Expected.SHORTER  # 120 < 121
    assert expected_verdict(reached, 120.0) == Expected.INDETERMINATE  # 60 < 120, 120 !< 120
    assert expected_verdict(reached, None) is None
    not_reached = ThresholdResult(50, False, 0.0, None, None, False)
    assert expected_verdict(not_reached, 60.0) is None


def test_baseline_older_than_24_hours_is_no_baseline():
    old = entry(-24 * 60 - 1, 8)  # one minute too early
    b = block([old, entry(30, 1)])
    s = site(analyze(b).blocks[0])
    assert s.baseline is None
    assert s.flags == (Flag.NO_BASELINE,)
    assert s.peak_relief_percent is None
    assert all(t.reached is None and t.duration_minutes is None for t in s.thresholds.values())
    assert Flag.NO_BASELINE in analyze(b).blocks[0].flags


def test_baseline_exactly_24_hours_before_and_at_t0_count():
    assert find_baseline([entry(-24 * 60, 6)], "index", T0) is not None
    # The latest one wins: at t0 itself (at <= t0) beats 10 minutes before.
    chosen = find_baseline([entry(-10, 6), entry(0, 9)], "index", T0)
    assert chosen is not None and chosen.scores["index"] == 9


def test_entry_at_t0_is_baseline_not_post_block():
    b = block([entry(0, 8), entry(15, 4)])
    s = site(analyze(b).blocks[0])
    assert s.baseline == 8
    assert [p.minutes for p in s.series] == [15.0]


def test_baseline_zero_makes_relief_undefined():
    b = block(series(0, [(15, 0), (30, 0)]))
    s = site(analyze(b).blocks[0])
    assert s.baseline == 0
    assert s.flags == (Flag.BASELINE_ZERO,)
    assert s.peak_relief_percent is None
    assert all(t.reached is None for t in s.thresholds.values())
    with pytest.raises(ValueError):
        relief_percent(0, 0)


def test_baseline_below_4_is_computed_and_flagged():
    # Baseline 3: 30 -> 0 -> 100%; 60 -> 2 -> 33.3%.
    b = block(series(3, [(30, 0), (60, 2)]))
    s = site(analyze(b).blocks[0])
    assert s.flags == (Flag.BASELINE_BELOW_4,)
    assert s.peak_relief_percent == 100.0
    # 80%: i = 30, j = 60; crossing = 30 + 30 * (100 - 80) / (100 - 33.33) = 30 + 9 = 39
    assert s.thresholds[80].duration_minutes == pytest.approx(39.0)


def test_baseline_4_is_not_flagged():
    s = site(analyze(block(series(4, [(30, 0)]))).blocks[0])
    assert s.flags == ()


def test_negative_relief_when_pain_is_worse():
    # Baseline 4: 15 -> 6 -> 100 * (4 - 6) / 4 = -50%; 30 -> 5 -> -25%.
    b = block(series(4, [(15, 6), (30, 5)]))
    s = site(analyze(b).blocks[0])
    assert [p.relief_percent for p in s.series] == [-50.0, -25.0]
    assert s.peak_relief_percent == -25.0
    assert s.time_to_peak_minutes == 30.0
    assert s.thresholds[50].reached is False


def test_entry_without_a_score_for_the_site_does_not_count():
    # The 30-minute entry carries only the patient's estimate: not in the score series.
    b = block([entry(-10, 8), entry(15, 2), entry(30, estimate=100.0), entry(60, 6)])
    s = site(analyze(b).blocks[0])
    assert [p.minutes for p in s.series] == [15.0, 60.0]
    # 50%: 15 -> 75, 60 -> 25: crossing = 15 + 45 * 25/50 = 37.5
    assert s.thresholds[50].duration_minutes == 37.5


def test_bilateral_block_with_entries_rating_one_side_only():
    entries = [
        entry(-10, scores={"left": 8, "right": 6}),
        entry(15, scores={"left": 2}),
        entry(30, scores={"left": 2, "right": 3}),
        entry(60, scores={"right": 3}),
        entry(120, scores={"left": 6, "right": 6}),
    ]
    b = block(entries, sites=("left", "right"))
    result = analyze(b).blocks[0]
    left, right = result.sites["left"], result.sites["right"]
    # left, baseline 8: 15 -> 75, 30 -> 75, 120 -> 25. 50%: i = 15, j = 120;
    #   lower 30, upper 120, crossing = 30 + 90 * (75 - 50)/(75 - 25) = 75.
    assert [p.minutes for p in left.series] == [15.0, 30.0, 120.0]
    assert left.thresholds[50].duration_minutes == 75.0
    assert (
        left.thresholds[50].duration_lower_minutes,
        left.thresholds[50].duration_upper_minutes,
    ) == (30.0, 120.0)
    # right, baseline 6: 30 -> 50, 60 -> 50, 120 -> 0. 50%: i = 30, j = 120;
    #   lower 60, upper 120, crossing = 60 + 60 * (50 - 50)/(50 - 0) = 60.
    assert [p.relief_percent for p in right.series] == [50.0, 50.0, 0.0]
    assert right.thresholds[50].duration_minutes == 60.0
    assert right.time_to_peak_minutes == 30.0
    # Every entry has a score for some side, so every one counts for the schedule.
    kept = [p.minutes for p in result.schedule if p.entries]
    assert kept == [15.0, 30.0, 60.0, 120.0]


def test_mixed_utc_offsets_give_the_same_figures():
    # The worked example again, each time written in a different offset.
    offsets = [timezone(timedelta(hours=h)) for h in (-5, 0, 9, 5.5, -3.5, 1)]
    plain = series(8, [(15, 3), (30, 1), (60, 1), (120, 2), (180, 5)])
    mixed = [
        type(e)(
            at=e.at.astimezone(offsets[k]),
            recorded_at=e.recorded_at.astimezone(offsets[-k - 1]),
            scores=e.scores,
        )
        for k, e in enumerate(plain)
    ]
    b = block(mixed, t0=T0.astimezone(timezone(timedelta(hours=-5))))
    s = site(analyze(b).blocks[0])
    assert s.thresholds[50].duration_minutes == pytest.approx(160.0)
    assert s.thresholds[80].duration_minutes == pytest.approx(96.0)
    assert s.time_to_peak_minutes == 30.0
    assert analyze(b).blocks[0].compliance.kept_on_time == 5


def test_same_time_twice_the_later_recorded_wins_whatever_the_input_order():
    first = entry(30, 2, entry_id="00000000-0000-4000-8000-00000000000a")
    newer = entry(30, 6, recorded_after=5, entry_id="00000000-0000-4000-8000-00000000000b")
    for order in ([first, newer], [newer, first]):
        b = block([entry(-10, 8), *order])
        points = score_series(b, "index", 8)
        assert [(p.minutes, p.score) for p in points] == [(30.0, 6)]


def test_unsorted_input_is_sorted_by_time():
    entries = series(8, [(120, 2), (15, 3), (180, 5), (30, 1), (60, 1)])
    s = site(analyze(block(list(reversed(entries)))).blocks[0])
    assert [p.minutes for p in s.series] == [15.0, 30.0, 60.0, 120.0, 180.0]
    assert s.thresholds[80].duration_minutes == pytest.approx(96.0)


def test_duration_at_directly_never_reached_and_non_integer_minutes():
    b = block(series(8, [(7.5, 6), (22.25, 7)]))
    points = score_series(b, "index", 8)
    assert points[0].minutes == 7.5 and points[1].minutes == 22.25
    assert duration_at(points, 50) == ThresholdResult(50, False, 0.0, None, None, False)
