"""analyze_diary as a whole: flags, the patient's estimate, settings echo and the JSON shape."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from clinical_builders import T0, analyze, block, entry, series

from paintrack.clinical.analysis import analyze_diary, validate_thresholds
from paintrack.clinical.model import Agent, Diary, Patient, Sedation, Source
from paintrack.clinical.results import Flag
from paintrack.clinical.settings import ClinicSettings

REQUIRED_BLOCK_KEYS = {
    "id",
    "sequence",
    "agent",
    "performed_at",
    "sites",
    "compliance",
    "flags",
    # version 2
    "date_of_service",
    "rescue_at_minutes",
}
REQUIRED_SITE_KEYS = {
    "baseline",
    "peak_relief_percent",
    "time_to_peak_minutes",
    "thresholds",
    "before_rescue",
}
REQUIRED_THRESHOLD_KEYS = {
    "reached",
    "duration_minutes",
    "duration_lower_minutes",
    "duration_upper_minutes",
    "censored",
    "expected",
    "onset_minutes",
    "duration_from_onset_minutes",
}
REQUIRED_COMPLIANCE_KEYS = {"due", "kept_on_time", "kept_late", "missed", "percent"}
REQUIRED_COMPARISON_KEYS = {"blocks", "region", "side", "site", "threshold", "result"}
REQUIRED_PRESET_KEYS = {"name", "threshold", "targets"}
REQUIRED_TARGET_KEYS = {"region", "side", "blocks", "status", "verdict", "cautions", "criteria"}


def test_confounder_flags():
    entries = [
        entry(-10, 8, amended=True),
        entry(15, 2, recorded_after=30),
        entry(30, 2, source=Source.PAPER),
        entry(120, 5, rescue=True),
    ]
    b = block(entries, sedation=Sedation.MINIMAL, steroid=True)
    assert analyze(b).blocks[0].flags == (
        Flag.SEDATION,
        Flag.STEROID,
        Flag.RESCUE_MEDICATION,
        Flag.LATE_ENTRIES,
        Flag.TRANSCRIBED_ENTRIES,
        Flag.AMENDED_ENTRIES,
    )


def test_no_flags_for_a_clean_block():
    assert analyze(block(series(8, [(15, 2)]))).blocks[0].flags == ()


def test_rescue_before_the_block_does_not_count():
    b = block([entry(-10, 8, rescue=True), entry(15, 2)])
    result = analyze(b).blocks[0]
    assert Flag.RESCUE_MEDICATION not in result.flags
    assert result.rescue_medication_minutes == ()


def test_rescue_medication_time():
    b = block([entry(-10, 8), entry(15, 2), entry(120, 6, rescue=True)])
    assert analyze(b).blocks[0].rescue_medication_minutes == (120.0,)
    assert analyze(b).blocks[0].sites["index"].series[1].rescue_medication is True


def test_block_lists_baseline_flags_of_each_site():
    entries = [entry(-10, scores={"left": 3, "right": 8}), entry(30, scores={"left": 0})]
    result = analyze(block(entries, sites=("left", "right"))).blocks[0]
    assert result.sites["left"].flags == (Flag.BASELINE_BELOW_4,)
    assert result.sites["right"].flags == ()
    assert result.flags == (Flag.BASELINE_BELOW_4,)


def test_patient_estimate_is_computed_the_same_way_and_kept_apart():
    # Estimates: 15 -> 40, 30 -> 90, 60 -> 85, 120 -> 30.
    # 50%: i = 30, j = 120: lower 60, upper 120, crossing = 60 + 60 * (85 - 50)/(85 - 30)
    #      = 60 + 60 * 35/55 = 98.18
    # Scores (baseline 8): 15 -> 4 (50), 30 -> 2 (75), 60 -> 2 (75), 120 -> 6 (25):
    # 50%: i = 15, j = 120: crossing = 60 + 60 * 25/50 = 90.
    entries = [
        entry(-10, 8),
        entry(15, 4, estimate=40),
        entry(30, 2, estimate=90),
        entry(60, 2, estimate=85),
        entry(120, 6, estimate=30),
    ]
    result = analyze(block(entries)).blocks[0]
    estimate = result.patient_estimate
    assert estimate is not None
    assert estimate.peak_relief_percent == 90.0 and estimate.time_to_peak_minutes == 30.0
    assert estimate.thresholds[50].duration_minutes == pytest.approx(98.1818, abs=1e-3)
    assert estimate.thresholds[80].duration_minutes == pytest.approx(60 + 60 * 5 / 55)
    assert all(p.score is None for p in estimate.series)
    assert result.sites["index"].thresholds[50].duration_minutes == 90.0
    data = analyze(block(entries)).to_json()["blocks"][0]
    assert data["patient_estimate"]["thresholds"]["50"]["duration_minutes"] == 98.2
    assert data["sites"]["index"]["thresholds"]["50"]["duration_minutes"] == 90.0


def test_no_patient_estimate_when_no_entry_carries_one():
    result = analyze(block(series(8, [(15, 2)])))
    assert result.blocks[0].patient_estimate is None
    assert result.to_json()["blocks"][0]["patient_estimate"] is None


def test_thresholds_replace_the_settings():
    result = analyze(block(series(8, [(15, 2)])), thresholds=[30, 70, 30])
    assert result.thresholds == (30, 70)
    assert list(result.blocks[0].sites["index"].thresholds) == [30, 70]
    assert result.to_json()["thresholds"] == [30, 70]


@pytest.mark.parametrize("bad", [[], [0], [101], [True], [50.5]])
def test_bad_thresholds(bad):
    with pytest.raises(ValueError):
        validate_thresholds(bad)


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        analyze(block([]), now=datetime(2026, 3, 3))


def test_expected_minutes_come_from_settings():
    settings = ClinicSettings(expected_minutes={Agent.LIDOCAINE: 150.0})
    # 50% lower bound 120 (worked example) < 150 <= upper 180 -> indeterminate
    b = block(series(8, [(15, 3), (30, 1), (60, 1), (120, 2), (180, 5)]))
    t50 = analyze(b, settings=settings).blocks[0].sites["index"].thresholds[50]
    assert (t50.expected.value, t50.expected_minutes) == ("indeterminate", 150.0)
    echoed = analyze(b, settings=settings).to_json()["settings"]
    assert echoed["expected_minutes"] == {"lidocaine": 150.0}


def test_blocks_sorted_by_time_whatever_the_input_order():
    first = block(series(8, [(15, 2)]))
    second_t0 = T0 + timedelta(days=3)
    second = block(series(8, [(15, 2)], t0=second_t0), t0=second_t0, sequence=2)
    ids = [b.block_id for b in analyze(second, first).blocks]
    assert ids == [first.id, second.id]


def test_json_has_every_key_of_the_diary_format():
    second_t0 = T0 + timedelta(days=15)
    result = analyze(
        block(series(8, [(15, 3), (30, 1), (60, 1), (120, 2), (180, 5)])),
        block(
            series(8, [(15, 1), (240, 1), (300, 8)], t0=second_t0),
            t0=second_t0,
            sequence=2,
            agent=Agent.BUPIVACAINE,
        ),
    )
    data = result.to_json()
    json.dumps(data)  # plain JSON types only
    assert data["thresholds"] == [50, 80]
    assert len(data["blocks"]) == 2
    for block_data in data["blocks"]:
        assert set(block_data) >= REQUIRED_BLOCK_KEYS
        assert set(block_data["compliance"]) == REQUIRED_COMPLIANCE_KEYS
        for site_data in block_data["sites"].values():
            assert set(site_data) >= REQUIRED_SITE_KEYS
            assert list(site_data["thresholds"]) == ["50", "80"]
            for threshold_data in site_data["thresholds"].values():
                assert set(threshold_data) >= REQUIRED_THRESHOLD_KEYS
    first = data["blocks"][0]
    assert first["performed_at"] == "2026-03-02T14:30:00Z"
    assert first["agent"] == "lidocaine" and first["sequence"] == 1
    assert first["sites"]["index"]["thresholds"]["80"] == {
        "reached": True,
        "duration_minutes": 96.0,
        "duration_lower_minutes": 60.0,
        "duration_upper_minutes": 120.0,
        "censored": False,
        "expected": "consistent",
        "expected_minutes": 60.0,
        "onset_minutes": 30.0,
        "duration_from_onset_minutes": 66.0,
    }
    assert first["sites"]["index"]["peak_relief_percent"] == 87.5
    assert first["sites"]["index"]["time_to_peak_minutes"] == 30.0
    assert first["compliance"] == {
        "due": 11,
        "kept_on_time": 5,
        "kept_late": 0,
        "missed": 6,
        "percent": 45.5,  # 100 * 5/11 = 45.45 -> 45.5
    }
    assert data["comparisons"][0]["blocks"] == [first["id"], data["blocks"][1]["id"]]
    for comparison in data["comparisons"]:
        assert set(comparison) >= REQUIRED_COMPARISON_KEYS
    assert [c["result"] for c in data["comparisons"]] == ["concordant", "concordant"]
    assert data["settings"]["preset"] == "asra-2020"
    assert data["settings"]["relief_basis"] == "scores"
    assert data["preset"]["targets"][0]["status"] == "met"
    assert set(data["preset"]) >= REQUIRED_PRESET_KEYS
    for target in data["preset"]["targets"]:
        assert set(target) >= REQUIRED_TARGET_KEYS
    assert first["date_of_service"] == "2026-03-02" and first["rescue_at_minutes"] is None
    assert first["sites"]["index"]["before_rescue"] is None
    assert data["comparisons"][0]["side"] == "right"
    assert data["comparisons"][0]["region"] == "lumbar"


def test_json_rounds_to_one_decimal():
    # Baseline 7: 15 -> 2 (71.428...%), 60 -> 6 (14.285...%).
    # 50%: crossing = 15 + 45 * (71.43 - 50)/(71.43 - 14.29) = 15 + 45 * 0.375 = 31.875
    data = analyze(block(series(7, [(15, 2), (60, 6)]))).to_json()
    site = data["blocks"][0]["sites"]["index"]
    assert site["peak_relief_percent"] == 71.4
    assert site["thresholds"]["50"]["duration_minutes"] == 31.9
    assert [p["relief_percent"] for p in site["series"]] == [71.4, 14.3]


def test_undefined_relief_in_json():
    data = analyze(block([entry(30, 2)])).to_json()
    site = data["blocks"][0]["sites"]["index"]
    assert site["baseline"] is None and site["peak_relief_percent"] is None
    assert site["thresholds"]["50"] == {
        "reached": None,
        "duration_minutes": None,
        "duration_lower_minutes": None,
        "duration_upper_minutes": None,
        "censored": None,
        "expected": None,
        "expected_minutes": None,
        "onset_minutes": None,
        "duration_from_onset_minutes": None,
    }
    assert data["blocks"][0]["flags"] == ["no_baseline"]


def test_empty_diary():
    result = analyze_diary(Diary(Patient("Nobody")), ClinicSettings(), now=T0)
    assert result.to_json()["blocks"] == [] and result.to_json()["comparisons"] == []
