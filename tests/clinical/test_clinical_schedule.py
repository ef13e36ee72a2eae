"""Protocol windows, per-point states and compliance (clinical.md item 8)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from clinical_builders import T0, analyze, block, entry

from paintrack.clinical.model import Source
from paintrack.clinical.results import Compliance, PointState
from paintrack.clinical.schedule import windows
from paintrack.clinical.settings import STANDARD_POINTS, ClinicSettings


def test_standard_windows():
    # Midpoints with the neighbours; the first starts at (0 + 15)/2, the last ends
    # 480 + (480 - 420)/2 = 510.
    assert windows(STANDARD_POINTS) == [
        (15.0, 7.5, 22.5),
        (30.0, 22.5, 37.5),
        (45.0, 37.5, 52.5),
        (60.0, 52.5, 90.0),
        (120.0, 90.0, 150.0),
        (180.0, 150.0, 210.0),
        (240.0, 210.0, 270.0),
        (300.0, 270.0, 330.0),
        (360.0, 330.0, 390.0),
        (420.0, 390.0, 450.0),
        (480.0, 450.0, 510.0),
    ]


def test_single_point_protocol():
    # One point at 60: starts at (0 + 60)/2 = 30, ends 60 + (60 - 0)/2 = 90.
    assert windows([60]) == [(60.0, 30.0, 90.0)]


def points_by_minute(result_block):
    return {p.minutes: p for p in result_block.schedule}


@pytest.mark.parametrize(
    ("minutes", "owner"),
    [
        (7.5, 15.0),  # the first window's closed start edge
        (22.5, 30.0),  # 22.5 is the start of 30's window, not the end of 15's
        (52.5, 60.0),
        (89.99, 60.0),
        (90, 120.0),
        (450, 480.0),  # 450 belongs to 480, not 420
        (509.99, 480.0),
        (510, None),  # after the last window
        (7.4, None),  # before the first window
        (600, None),
    ],
)
def test_entries_on_window_edges(minutes, owner):
    b = block([entry(-10, 8), entry(minutes, 3)])
    owners = [p.minutes for p in analyze(b).blocks[0].schedule if p.entries]
    assert owners == ([] if owner is None else [owner])


def test_point_windows_as_aware_datetimes():
    p = points_by_minute(analyze(block([])).blocks[0])[60.0]
    assert p.at == T0 + timedelta(minutes=60)
    assert p.window_start == T0 + timedelta(minutes=52.5)
    assert p.window_end == T0 + timedelta(minutes=90)
    assert p.window_start.tzinfo is not None


def test_due_only_once_the_window_has_closed():
    b = block([entry(-10, 8), entry(15, 3)])
    # At 22.5 min 15's window [7.5, 22.5) has just closed; 30's is open.
    result = analyze(b, now=T0 + timedelta(minutes=22.5)).blocks[0]
    states = {p.minutes: p.state for p in result.schedule}
    assert states[15.0] == PointState.ON_TIME
    assert states[30.0] == PointState.DUE_NOW
    assert states[45.0] == PointState.UPCOMING
    assert result.compliance == Compliance(1, 1, 0, 0, 100.0)
    # A moment earlier nothing is due yet, though the entry already shows as on time.
    earlier = analyze(b, now=T0 + timedelta(minutes=22.4)).blocks[0]
    assert earlier.compliance == Compliance(0, 0, 0, 0, None)
    assert points_by_minute(earlier)[15.0].state == PointState.ON_TIME
    assert points_by_minute(earlier)[15.0].due is False


def test_missed_point():
    b = block([entry(-10, 8)])
    result = analyze(b, now=T0 + timedelta(minutes=40)).blocks[0]
    states = {p.minutes: p.state for p in result.schedule}
    assert states[15.0] == states[30.0] == PointState.MISSED
    assert states[45.0] == PointState.DUE_NOW
    assert result.compliance == Compliance(2, 0, 0, 2, 0.0)


def test_two_entries_in_one_window_keep_one_point():
    b = block([entry(-10, 8), entry(10, 3), entry(20, 2)])
    result = analyze(b).blocks[0]
    p15 = points_by_minute(result)[15.0]
    assert [e.at for e in p15.entries] == [T0 + timedelta(minutes=10), T0 + timedelta(minutes=20)]
    # 11 due, 1 kept on time (15), 10 missed: 100 * 1/11 = 9.09 -> 9.1
    assert result.compliance == Compliance(11, 1, 0, 10, 9.1)


def test_late_and_paper_entries():
    entries = [
        entry(-10, 8),
        entry(15, 3, recorded_after=16),  # late: 16 > 15 min
        entry(30, 3, recorded_after=15),  # exactly 15 min: not late
        entry(45, 3, source=Source.PAPER),  # transcribed
        entry(60, 3, recorded_after=60),  # late ...
        entry(65, 3),  # ... but another entry in 60's window is on time
        entry(120, 3, source=Source.PAPER, recorded_after=600),  # paper and late
        entry(180, 3, source=Source.PAPER),
        entry(185, 3, recorded_after=20),  # late app entry + paper: "late"
    ]
    result = analyze(block(entries)).blocks[0]
    states = {p.minutes: p.state for p in result.schedule}
    assert states[15.0] == PointState.LATE
    assert states[30.0] == PointState.ON_TIME
    assert states[45.0] == PointState.TRANSCRIBED
    assert states[60.0] == PointState.ON_TIME
    assert states[120.0] == PointState.TRANSCRIBED
    assert states[180.0] == PointState.LATE
    # due 11; on time: 30, 60 = 2; kept late: 15, 45, 120, 180 = 4; missed 240..480 = 5.
    # percent = 100 * 2/11 = 18.18 -> 18.2
    assert result.compliance == Compliance(11, 2, 4, 5, 18.2)


def test_ten_of_eleven():
    minutes = [15, 30, 45, 60, 120, 180, 240, 300, 360, 420]  # 480 missed
    result = analyze(block([entry(-10, 8)] + [entry(m, 2) for m in minutes])).blocks[0]
    # 100 * 10/11 = 90.909 -> 90.9, as in diary-format.md's example
    assert result.compliance == Compliance(11, 10, 0, 1, 90.9)


def test_entries_without_scores_do_not_count_for_the_schedule():
    result = analyze(block([entry(-10, 8), entry(15, estimate=80.0)])).blocks[0]
    assert points_by_minute(result)[15.0].state == PointState.MISSED


def test_block_protocol_from_settings():
    settings = ClinicSettings(protocols={"standard": STANDARD_POINTS, "short": (30.0, 60.0)})
    b = block([entry(-10, 8), entry(30, 2)], protocol="short")
    result = analyze(b, settings=settings).blocks[0]
    # 30 owns [15, 45); 60 owns [45, 75).
    assert [(p.minutes, p.window_start_minutes, p.window_end_minutes) for p in result.schedule] == [
        (30.0, 15.0, 45.0),
        (60.0, 45.0, 75.0),
    ]
    assert result.compliance == Compliance(2, 1, 0, 1, 50.0)
