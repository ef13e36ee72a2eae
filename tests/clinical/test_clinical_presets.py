"""Rule presets as checklists with met / not met / unknown and the numbers behind them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from clinical_builders import T0, analyze, block, entry, series

from paintrack.clinical.model import Agent, Side
from paintrack.clinical.presets import evaluate_preset, preset_threshold
from paintrack.clinical.results import CriterionStatus as St
from paintrack.clinical.results import Expected
from paintrack.clinical.settings import ClinicSettings

# Baseline 10: relief = 100 - 10 * score.
# Lidocaine: 90% from 15 to 120, 20% at 180. 80%: lower 120 >= 60 -> consistent.
LIDO = [(15, 1), (60, 1), (120, 1), (180, 8)]
# Bupivacaine: 90% to 240, 20% at 300. 80%: lower 240 >= 120 -> consistent.
BUPI = [(15, 1), (120, 1), (240, 1), (300, 8)]
# Bupivacaine ending early: 80%: lower 60 < 120 <= upper 180 -> indeterminate.
BUPI_UNSURE = [(15, 1), (60, 1), (180, 8)]
# Bupivacaine ending very early: 80%: upper 60 < 120 -> shorter.
BUPI_SHORT = [(15, 1), (30, 1), (60, 8)]
# Only 60%: reaches 50, not 80.
HALF = [(15, 4), (60, 4), (120, 9)]


def medicare(
    first_points, second_points, *, days=15, steroid=False, second_agent=Agent.BUPIVACAINE
):
    second_t0 = T0 + timedelta(days=days)
    blocks = [block(series(10, first_points), agent=Agent.LIDOCAINE)]
    if second_points is not None:
        blocks.append(
            block(
                series(10, second_points, t0=second_t0),
                agent=second_agent,
                sequence=2,
                t0=second_t0,
                steroid=steroid,
            )
        )
    result = analyze(*blocks, settings=ClinicSettings(preset="medicare-lcd"))
    assert result.preset.preset == "medicare-lcd"
    assert result.preset.threshold == 80
    (target,) = result.preset.targets
    return target


def statuses(target):
    return {c.key: c.status for c in target.criteria}


def test_medicare_met():
    target = medicare(LIDO, BUPI)
    assert statuses(target) == {
        "two_diagnostic_blocks": St.MET,
        "first_block_80": St.MET,
        "second_block_80": St.MET,
        "interval_14_days": St.MET,
        "no_steroid": St.MET,
        "durations_consistent": St.MET,
    }
    assert target.status == St.MET
    assert target.verdict == "meets the 80% rule (Medicare LCD preset)"
    criteria = {c.key: c for c in target.criteria}
    assert criteria["interval_14_days"].values == {"days": 15.0}
    # 80% for lidocaine: crossing 120 + 60 * (90 - 80)/(90 - 20) = 128.57 -> 128.6
    assert criteria["first_block_80"].values["index_duration_minutes"] == 128.6
    assert criteria["first_block_80"].values["index_peak_relief_percent"] == 90.0
    assert "2 h 9 min" in criteria["first_block_80"].detail
    assert criteria["durations_consistent"].values["first_expected_minutes"] == 60.0


def test_medicare_exactly_14_days_is_enough():
    assert statuses(medicare(LIDO, BUPI, days=14))["interval_14_days"] == St.MET


def test_medicare_not_met_interval():
    target = medicare(LIDO, BUPI, days=10)
    assert statuses(target)["interval_14_days"] == St.NOT_MET
    assert target.status == St.NOT_MET
    assert target.verdict == "does not meet the 80% rule (Medicare LCD preset)"
    assert {c.key: c for c in target.criteria}["interval_14_days"].values == {"days": 10.0}


def test_medicare_not_met_steroid():
    target = medicare(LIDO, BUPI, steroid=True)
    assert statuses(target)["no_steroid"] == St.NOT_MET
    assert target.status == St.NOT_MET


def test_medicare_not_met_relief():
    target = medicare(LIDO, HALF)
    assert statuses(target)["second_block_80"] == St.NOT_MET
    assert statuses(target)["durations_consistent"] == St.NOT_MET
    assert target.status == St.NOT_MET


def test_medicare_shorter_than_expected_is_not_met():
    target = medicare(LIDO, BUPI_SHORT)
    assert statuses(target)["second_block_80"] == St.MET
    assert statuses(target)["durations_consistent"] == St.NOT_MET


def test_medicare_unknown_when_a_duration_is_indeterminate():
    target = medicare(LIDO, BUPI_UNSURE)
    assert statuses(target)["durations_consistent"] == St.UNKNOWN
    assert target.status == St.UNKNOWN
    assert target.verdict.startswith("not enough information")
    assert "80% rule (Medicare LCD preset)" in target.verdict


def test_medicare_unknown_for_an_agent_without_expected_duration():
    target = medicare(LIDO, BUPI, second_agent=Agent.OTHER)
    assert statuses(target)["durations_consistent"] == St.UNKNOWN


def test_medicare_second_block_missing_is_pending_with_the_next_step():
    # Version 2 (item 13): after a first block that meets 80%, the question at that visit is
    # whether to book the confirmatory block, not a red "not met".
    target = medicare(LIDO, None)
    assert statuses(target) == {
        "two_diagnostic_blocks": St.PENDING,
        "first_block_80": St.MET,
        "second_block_80": St.PENDING,
        "interval_14_days": St.PENDING,
        "no_steroid": St.PENDING,
        "durations_consistent": St.PENDING,
    }
    assert target.status == St.PENDING
    # T0 is 2 Mar 2026: 14 days later is 16 Mar 2026.
    assert target.next_step == "a second diagnostic block is needed, on or after 16 Mar 2026"
    assert target.verdict == (
        "pending for the 80% rule (Medicare LCD preset): a second diagnostic block is needed,"
        " on or after 16 Mar 2026"
    )


def test_medicare_first_block_not_meeting_is_not_met_even_with_the_second_pending():
    target = medicare(HALF, None)
    assert statuses(target)["first_block_80"] == St.NOT_MET
    assert statuses(target)["second_block_80"] == St.PENDING
    assert target.status == St.NOT_MET


def test_medicare_no_baseline_is_unknown():
    second_t0 = T0 + timedelta(days=20)
    first = block(series(10, LIDO))
    second = block(
        series(10, BUPI, t0=second_t0)[1:], agent=Agent.BUPIVACAINE, sequence=2, t0=second_t0
    )
    result = analyze(first, second, settings=ClinicSettings(preset="medicare-lcd"))
    (target,) = result.preset.targets
    assert statuses(target)["second_block_80"] == St.UNKNOWN
    assert target.status == St.UNKNOWN


def test_preset_threshold_is_computed_even_when_not_asked_for():
    # The analysis asks for 50% only; the Medicare checklist still needs 80%.
    second_t0 = T0 + timedelta(days=15)
    result = analyze(
        block(series(10, LIDO)),
        block(series(10, BUPI, t0=second_t0), agent=Agent.BUPIVACAINE, sequence=2, t0=second_t0),
        thresholds=[50],
        settings=ClinicSettings(preset="medicare-lcd"),
    )
    assert result.thresholds == (50,)
    assert result.preset.targets[0].status == St.MET


def asra(*point_lists, preset="asra-2020"):
    blocks = [
        block(
            series(10, points, t0=T0 + timedelta(days=20 * k)),
            t0=T0 + timedelta(days=20 * k),
            sequence=k + 1,
        )
        for k, points in enumerate(point_lists)
    ]
    return analyze(*blocks, settings=ClinicSettings(preset=preset)).preset


def test_asra_met_by_one_block():
    checklist = asra([(15, 7)], HALF)
    assert checklist.threshold == 50
    (target,) = checklist.targets
    assert target.status == St.MET
    assert target.verdict == "meets the 50% rule (ASRA 2020 preset)"
    assert target.criteria[0].values == {"blocks_meeting": 1}


def test_asra_not_met():
    (target,) = asra([(15, 7)]).targets
    assert target.status == St.NOT_MET
    assert "peak 30%" in target.criteria[0].detail


def test_asra_unknown_without_baseline():
    b = block(series(10, HALF)[1:])
    (target,) = analyze(b).preset.targets
    assert target.status == St.UNKNOWN


def test_asra_bilateral_gives_one_verdict_per_side():
    # Version 2 (item 7's targets): a bilateral block rated per side is two targets.
    entries = [
        entry(-10, scores={"left": 8, "right": 8}),
        entry(30, scores={"left": 1, "right": 7}),
    ]
    b = block(entries, sites=("left", "right"), side=Side.BILATERAL)
    left, right = analyze(b).preset.targets
    assert (left.side, left.status) == (Side.LEFT, St.MET)
    assert (right.side, right.status) == (Side.RIGHT, St.NOT_MET)
    assert left.sites == ((b.id, "left"),) and right.sites == ((b.id, "right"),)


def test_complete_needs_a_score_of_zero():
    (target,) = asra([(15, 1), (60, 1)], preset="complete").targets
    assert target.status == St.NOT_MET
    (target,) = asra([(15, 0), (60, 1)], preset="complete").targets
    assert target.status == St.MET
    assert target.verdict == "meets the 100% rule (complete relief preset)"


def test_no_diagnostic_blocks_no_targets():
    checklist = evaluate_preset("asra-2020", [], {})
    assert checklist.targets == ()
    assert checklist.label == "ASRA 2020 preset"


def test_unknown_preset():
    with pytest.raises(ValueError, match="unknown preset"):
        preset_threshold("nope")
    with pytest.raises(ValueError, match="unknown preset"):
        analyze(block([]), settings=ClinicSettings(preset="nope"))


def _recorded_pair(first_at, second_at):
    blocks = [
        block(series(10, LIDO, t0=first_at), t0=first_at),
        block(series(10, BUPI, t0=second_at), agent=Agent.BUPIVACAINE, sequence=2, t0=second_at),
    ]
    (target,) = analyze(*blocks, settings=ClinicSettings(preset="medicare-lcd")).preset.targets
    return {c.key: c for c in target.criteria}["interval_14_days"]


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Chatham"])
def test_medicare_interval_counts_dates_of_service_in_the_recorded_offset(set_local_zone, zone):
    # Item 11: 2 Mar 20:00 at -05:00 (3 Mar 01:00 UTC) and 16 Mar 09:00 at -04:00: the dates of
    # service are 2 Mar and 16 Mar, 14 days apart, on every computer. In UTC it would be 13.
    set_local_zone(zone)
    new_york_winter = timezone(timedelta(hours=-5))
    new_york_summer = timezone(timedelta(hours=-4))
    criterion = _recorded_pair(
        datetime(2026, 3, 2, 20, 0, tzinfo=new_york_winter),
        datetime(2026, 3, 16, 9, 0, tzinfo=new_york_summer),
    )
    assert criterion.status == St.MET
    assert criterion.values == {"days": 14}
    assert "2 Mar 2026 to 16 Mar 2026" in criterion.detail
    # The same instants recorded in UTC are 13 days apart: one calendar day short stays short.
    utc = _recorded_pair(
        datetime(2026, 3, 3, 1, 0, tzinfo=UTC), datetime(2026, 3, 16, 13, 0, tzinfo=UTC)
    )
    assert utc.status == St.NOT_MET and utc.values == {"days": 13}


def test_a_censored_duration_is_said_once_in_the_checklist():
    # Relief still >= 50% at the last entry: "at least 3 h", with no "(at least 3 h)" after it.
    target = medicare([(15, 1), (60, 1), (180, 1)], None)
    detail = {c.key: c for c in target.criteria}["first_block_80"].detail
    assert "at least 3 h" in detail
    assert detail.count("at least 3 h") == 1


# --- a diary still in progress (newcomer finding A) ----------------------------------------


def _bilateral_in_progress(points=()):
    """Baselines 9 (left) and 10 (right) before the block, as the tester entered them."""
    entries = [entry(-5, scores={"left": 9, "right": 10})]
    entries += [entry(m, scores=s) for m, s in points]
    return block(entries, sites=("left", "right"), side=Side.BILATERAL)


def _local_hm(minutes):
    # The block's recorded offset (T0 is UTC), whatever the computer's zone (item 11).
    return (T0 + timedelta(minutes=minutes)).strftime("%H:%M")


def test_not_reached_while_the_diary_goes_on_is_not_known_yet():
    # Two minutes after the block: nothing due, no score after it.
    analysis = analyze(_bilateral_in_progress(), now=T0 + timedelta(minutes=2))
    target, _right = analysis.preset.targets
    (criterion,) = target.criteria
    assert criterion.status == St.UNKNOWN
    assert target.status == St.UNKNOWN
    reason = f"diary still in progress (next score due {_local_hm(15)})"
    assert criterion.detail.endswith(reason)
    assert "no score after the block yet" in criterion.detail
    assert criterion.values["diary_in_progress"] is True
    assert target.verdict == (
        "not known yet whether it meets the 50% rule (ASRA 2020 preset)"
        f" — the diary is still in progress (next score due {_local_hm(15)})"
    )
    # The metrics keep their clinical.md meaning.
    site = analysis.blocks[0].sites["left"].thresholds[50]
    assert site.reached is False and site.duration_minutes == 0
    assert analysis.blocks[0].compliance.percent is None


def test_a_score_due_now_is_said_so():
    # 20 min after: the 15-min point's window [7.5, 22.5) is open and has no score.
    target = analyze(_bilateral_in_progress(), now=T0 + timedelta(minutes=20)).preset.targets[0]
    assert target.criteria[0].detail.endswith("diary still in progress (a score is due now)")


def test_a_threshold_reached_while_in_progress_is_met():
    b = _bilateral_in_progress([(15, {"left": 3, "right": 4})])
    for target in analyze(b, now=T0 + timedelta(minutes=16)).preset.targets:
        assert target.status == St.MET
        assert target.verdict == "meets the 50% rule (ASRA 2020 preset)"


def test_not_reached_once_the_last_window_closed_is_not_met(local_utc):
    b = _bilateral_in_progress([(15, {"left": 8, "right": 9})])
    # The standard protocol's last window [450, 510) closes 8 h 30 min after the block.
    before = analyze(b, now=T0 + timedelta(minutes=509)).preset.targets[0]
    after = analyze(b, now=T0 + timedelta(minutes=510)).preset.targets[0]
    assert before.status == St.UNKNOWN
    assert before.criteria[0].detail.endswith("diary still in progress (a score is due now)")
    # With the 7 h score in, the next one is the 8 h score.
    b7 = _bilateral_in_progress([(15, {"left": 8, "right": 9}), (420, {"left": 8, "right": 9})])
    at_seven = analyze(b7, now=T0 + timedelta(minutes=425)).preset.targets[0]
    # 480 min after 14:30 UTC is 22:30 (the zone is pinned: east of UTC+01:30 it is the next
    # day, spelled with its date; see the test below).
    assert at_seven.criteria[0].detail.endswith("diary still in progress (next score due 22:30)")
    assert after.status == St.NOT_MET
    assert after.verdict == "does not meet the 50% rule (ASRA 2020 preset)"
    assert "yet" not in after.criteria[0].detail


def test_medicare_duration_waits_for_a_diary_in_progress():
    b = _bilateral_in_progress([(15, {"left": 5, "right": 5})])
    settings = ClinicSettings(preset="medicare-lcd")
    target = analyze(b, now=T0 + timedelta(minutes=16), settings=settings).preset.targets[0]
    criteria = {c.key: c for c in target.criteria}
    assert criteria["first_block_80"].status == St.UNKNOWN
    assert criteria["durations_consistent"].status == St.UNKNOWN
    assert "80% not reached yet, diary still in progress" in criteria["durations_consistent"].detail
    # Only one block: the second block's criteria are pending, and unknown outranks pending.
    assert criteria["second_block_80"].status == St.PENDING
    assert target.status == St.UNKNOWN


def test_a_next_score_on_the_next_local_day_is_said_with_its_date(set_local_zone):
    # A block recorded at +02:00 (16:30 there): its 8 h score is at 00:30 the next day in the
    # block's own offset, whatever the computer's zone (item 11).
    set_local_zone("America/Los_Angeles")
    helsinki = timezone(timedelta(hours=2))
    b7 = replace(
        _bilateral_in_progress([(15, {"left": 8, "right": 9}), (420, {"left": 8, "right": 9})]),
        utc_offset_minutes=120,
    )
    assert b7.local(b7.performed_at) == T0.astimezone(helsinki)
    at_seven = analyze(b7, now=T0 + timedelta(minutes=425)).preset.targets[0]
    assert at_seven.criteria[0].detail.endswith(
        "diary still in progress (next score due 3 Mar 00:30)"
    )


# --- reviewer findings on the "not known yet" wording ----------------------------------------


def _medicare_second_block_still_going(minutes_after):
    """Block 1 (lidocaine) met and finished; block 2 (bupivacaine, baseline 8) at 87.5% relief
    at 15 and 30 min, analysed `minutes_after` the block: still at 80% at its latest score."""
    second_t0 = T0 + timedelta(days=15)
    blocks = [
        block(series(10, LIDO), agent=Agent.LIDOCAINE),
        block(
            series(8, [(15, 1), (30, 1)], t0=second_t0),
            agent=Agent.BUPIVACAINE,
            sequence=2,
            t0=second_t0,
        ),
    ]
    settings = ClinicSettings(preset="medicare-lcd")
    return analyze(*blocks, settings=settings, now=second_t0 + timedelta(minutes=minutes_after))


def test_80_percent_still_lasting_while_the_diary_goes_on_is_not_known_yet(local_utc):
    analysis = _medicare_second_block_still_going(35)
    (target,) = analysis.preset.targets
    criteria = {c.key: c for c in target.criteria}
    duration = criteria["durations_consistent"]
    assert statuses(target) == {
        "two_diagnostic_blocks": St.MET,
        "first_block_80": St.MET,
        "second_block_80": St.MET,
        "interval_14_days": St.MET,
        "no_steroid": St.MET,
        "durations_consistent": St.UNKNOWN,
    }
    # 35 min after a block at 14:30 UTC the next standard point is the 45-min one, 15:15.
    assert target.verdict == (
        "not known yet whether it meets the 80% rule (Medicare LCD preset)"
        " — the diary is still in progress (next score due 15:15)"
    )
    assert duration.values["diary_in_progress"] is True
    assert duration.detail.endswith(
        "block 2 (bupivacaine): at least 30 min so far, expected ≥ 2 h: not known yet,"
        " diary still in progress (next score due 15:15)"
    )
    assert duration.detail.count("at least 30 min") == 1
    # The metric keeps its clinical.md meaning: censored, indeterminate.
    found = analysis.blocks[1].sites["index"].thresholds[80]
    assert found.censored is True and found.expected is Expected.INDETERMINATE
    assert duration.values["second_index_expected"] == "indeterminate"


def test_80_percent_outlasting_a_finished_diary_is_said_once():
    # The same scores once every window has closed: indeterminate, and the bounds said once.
    (target,) = _medicare_second_block_still_going(60 * 24 * 30).preset.targets
    duration = {c.key: c for c in target.criteria}["durations_consistent"]
    assert duration.status == St.UNKNOWN
    assert "diary_in_progress" not in duration.values
    assert target.verdict == (
        "not enough information to say whether it meets the 80% rule (Medicare LCD preset)"
    )
    assert duration.detail.endswith(
        "block 2 (bupivacaine): at least 30 min, indeterminate against the expected ≥ 2 h"
    )
    assert duration.detail.count("at least 30 min") == 1


def test_an_unknown_the_diary_cannot_settle_is_not_enough_information():
    # The right side has no baseline (never computable); the left has not reached 50% yet.
    b = block(
        [entry(-5, scores={"left": 9}), entry(15, scores={"left": 8, "right": 3})],
        sites=("left", "right"),
        side=Side.BILATERAL,
    )
    left, right = analyze(b, now=T0 + timedelta(minutes=16)).preset.targets
    (criterion,) = right.criteria
    assert criterion.status == St.UNKNOWN
    assert "diary_in_progress" not in criterion.values
    assert right.verdict == (
        "not enough information to say whether it meets the 50% rule (ASRA 2020 preset)"
    )
    assert "no baseline score before the block" in criterion.detail
    # The left side (its own target since version 2) still waits on the diary.
    assert left.verdict.startswith("not known yet whether it meets the 50% rule")
    assert "baseline 9/10, peak 11.1%, ≥ 50% not reached yet" in left.criteria[0].detail


def test_a_block_the_diary_cannot_settle_beside_one_in_progress_is_not_enough_information():
    # Block 1 has no baseline (finished long ago); block 2 has not reached 50% yet.
    second_t0 = T0 + timedelta(days=15)
    first = block([entry(15, 2), entry(60, 2)])
    second = block(series(8, [(15, 7)], t0=second_t0), sequence=2, t0=second_t0)
    (target,) = analyze(first, second, now=second_t0 + timedelta(minutes=16)).preset.targets
    (criterion,) = target.criteria
    assert criterion.status == St.UNKNOWN
    assert "diary_in_progress" not in criterion.values
    assert target.verdict.startswith("not enough information")
    # With a baseline for block 1 (not reached, finished), only block 2's diary is left to say.
    first = block(series(8, [(15, 7), (60, 7)]))
    (target,) = analyze(first, second, now=second_t0 + timedelta(minutes=16)).preset.targets
    assert target.verdict.startswith("not known yet whether it meets the 50% rule")


def test_medicare_duration_not_computed_for_one_side_is_not_enough_information():
    # A medicare pair where block 2's right side has no baseline and its left side has not
    # reached 80% yet: the duration check can never be settled by the diary.
    second_t0 = T0 + timedelta(days=15)
    first = block(
        [entry(-5, scores={"left": 10, "right": 10})]
        + [entry(m, scores={"left": s, "right": s}) for m, s in LIDO],
        sites=("left", "right"),
        side=Side.BILATERAL,
        agent=Agent.LIDOCAINE,
    )
    second = block(
        [
            entry(-5, scores={"left": 10}, t0=second_t0),
            entry(15, scores={"left": 5, "right": 5}, t0=second_t0),
        ],
        sites=("left", "right"),
        side=Side.BILATERAL,
        agent=Agent.BUPIVACAINE,
        sequence=2,
        t0=second_t0,
    )
    settings = ClinicSettings(preset="medicare-lcd")
    analysis = analyze(first, second, settings=settings, now=second_t0 + timedelta(minutes=16))
    left, right = analysis.preset.targets
    criteria = {c.key: c for c in right.criteria}
    assert criteria["durations_consistent"].status == St.UNKNOWN
    assert "diary_in_progress" not in criteria["durations_consistent"].values
    assert "diary_in_progress" not in criteria["second_block_80"].values
    assert right.status == St.UNKNOWN
    assert right.verdict.startswith("not enough information")
    # The left side has its baseline: only the diary going on can settle it.
    assert left.verdict.startswith("not known yet whether it meets the 80% rule")


def test_preset_names_and_criterion_keys_keep_their_file_values():
    from paintrack.clinical.model import PRESET_VALUES, Preset
    from paintrack.clinical.results import CriterionKey, is_relief_key, relief_key

    assert PRESET_VALUES == ("asra-2020", "medicare-lcd", "complete")
    assert ClinicSettings().preset is Preset.ASRA_2020
    with pytest.raises(ValueError, match="unknown preset 'asra-2019'"):
        preset_threshold("asra-2019")
    keys = {c.key for c in medicare(LIDO, BUPI).criteria}
    assert keys == {k.value for k in CriterionKey}
    (asra_target,) = asra(LIDO).targets
    assert [c.key for c in asra_target.criteria] == [relief_key(50)] == ["relief_50"]
    assert is_relief_key("relief_100") and not is_relief_key(CriterionKey.FIRST_BLOCK_80)
