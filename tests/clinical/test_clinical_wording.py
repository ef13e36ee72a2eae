"""Plain-words texts: durations, percents, flags and verdict sentences."""

from __future__ import annotations

import pytest

from paintrack.clinical import wording as w
from paintrack.clinical.model import Agent
from paintrack.clinical.results import (
    ComparisonOutcome,
    CriterionStatus,
    Expected,
    Flag,
    PointState,
    ThresholdResult,
)


@pytest.mark.parametrize(
    ("minutes", "censored", "text"),
    [
        (160.0, False, "2 h 40 min"),
        (45.0, False, "45 min"),
        (480.0, True, "at least 8 h"),
        (120.0, False, "2 h"),
        (96.4, False, "1 h 36 min"),  # rounded to the minute
        (59.6, False, "1 h"),
        (0.0, False, "0 min"),
        (None, False, "-"),
    ],
)
def test_format_duration(minutes, censored, text):
    assert w.format_duration(minutes, censored=censored) == text


def test_format_percent():
    assert w.format_percent(87.5) == "87.5%"
    assert w.format_percent(50.0) == "50%"
    assert w.format_percent(71.42857) == "71.4%"
    assert w.format_percent(-50.0) == "-50%"
    assert w.format_percent(None) == "-"


def test_threshold_and_bounds_text():
    reached = ThresholdResult(50, True, 160.0, 120.0, 180.0, False, Expected.CONSISTENT, 60.0)
    assert w.threshold_text(reached) == "2 h 40 min"
    assert w.bounds_text(reached) == "between 2 h and 3 h"
    assert w.expected_text(reached, Agent.LIDOCAINE) == (
        "consistent with the expected duration for lidocaine (at least 1 h)"
    )
    censored = ThresholdResult(50, True, 480.0, 480.0, None, True)
    assert w.threshold_text(censored) == "at least 8 h"
    assert w.bounds_text(censored) == "at least 8 h"
    assert w.expected_text(censored, Agent.SALINE) == ""
    assert w.threshold_text(ThresholdResult(50, False, 0.0, None, None, False)) == "not reached"
    assert w.threshold_text(ThresholdResult(50, None, None, None, None, None)) == "not computed"


def test_every_enum_has_words():
    assert all(w.flag_text(flag) for flag in Flag)
    assert all(w.comparison_text(outcome) for outcome in ComparisonOutcome)
    assert set(w.POINT_STATE_TEXT) == set(PointState)
    assert set(w.STATUS_TEXT) == set(CriterionStatus)


def test_verdict_sentences_inform_and_never_decide():
    assert w.verdict_sentence(CriterionStatus.MET, "medicare-lcd", 80) == (
        "meets the 80% rule (Medicare LCD preset)"
    )
    assert w.verdict_sentence(CriterionStatus.NOT_MET, "asra-2020", 50) == (
        "does not meet the 50% rule (ASRA 2020 preset)"
    )
    sentences = [w.verdict_sentence(s, p, 80) for s in CriterionStatus for p in w.PRESET_LABELS]
    assert not any("candidate" in s.lower() or "rfa" in s.lower() for s in sentences)


def test_rescue_text():
    assert w.rescue_text(120.0) == "rescue medicine taken at 2 h"


def test_expected_text_for_each_verdict():
    def text(verdict):
        result = ThresholdResult(80, True, 84.0, 60.0, 120.0, False, verdict, 120.0)
        return w.expected_text(result, Agent.BUPIVACAINE)

    tail = "the expected duration for bupivacaine (at least 2 h)"
    assert text(Expected.CONSISTENT) == f"consistent with {tail}"
    assert text(Expected.SHORTER) == f"shorter than {tail}"
    assert text(Expected.INDETERMINATE) == f"indeterminate against {tail}"


def test_targets_and_compliance_in_plain_words():
    from paintrack.clinical.model import Region, Side

    assert w.target_text(Region.LUMBAR, Side.BILATERAL) == "Lumbar, both sides"
    assert w.target_text(Region.CERVICAL, Side.RIGHT) == "Cervical, right side"
    assert w.compliance_text(0, 0, None) == "no score due yet"
    assert w.compliance_text(11, 10, 90.9) == "90.9% (10 of 11 due points on time)"
