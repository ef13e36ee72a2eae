"""The one set of record checks (clinical/validation.py): each can fail and names its field."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from paintrack.clinical.model import (
    BILATERAL_SITES,
    Agent,
    Block,
    Entry,
    Patient,
    Region,
    Side,
    Site,
)
from paintrack.clinical.timing import STORE_FUTURE_SLACK
from paintrack.clinical.validation import (
    RecordProblem,
    SitesFault,
    TextFault,
    block_problems,
    entry_problems,
    first_repeat,
    is_amount,
    is_percent,
    is_score,
    is_sequence,
    patient_problems,
    sites_fault,
    text_fault,
)

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
BLOCK = Block(
    performed_at=T0,
    region=Region.LUMBAR,
    side=Side.RIGHT,
    agent=Agent.LIDOCAINE,
    levels=("L4 MB",),
    activities=("walking",),
)
BILATERAL = dataclasses.replace(BLOCK, side=Side.BILATERAL, sites=BILATERAL_SITES)
ENTRY = Entry(
    at=T0 + timedelta(minutes=30), recorded_at=T0 + timedelta(minutes=31), scores={"index": 3}
)


def _fields(problems: tuple[RecordProblem, ...]) -> list[tuple[str, tuple[str | int, ...]]]:
    return [(problem.field, problem.at) for problem in problems]


def test_valid_records_have_no_problems() -> None:
    assert patient_problems(Patient(name="Ann", birth_date=date(1960, 1, 2), mrn="7")) == ()
    assert block_problems(BLOCK) == ()
    assert block_problems(BILATERAL) == ()
    assert entry_problems(ENTRY, BLOCK, now=T0 + timedelta(hours=1)) == ()
    both = dataclasses.replace(
        ENTRY, scores={"left": 2, "right": 0}, patient_relief_by_site={"left": 50, "right": 100}
    )
    assert entry_problems(both, BILATERAL) == ()


def test_single_rules() -> None:
    assert text_fault("fine é") is None
    assert text_fault("a\x00b") == TextFault.NUL
    assert text_fault("a\ud800b") == TextFault.SURROGATE
    assert [is_score(v) for v in (0, 10, -1, 11, 5.0, True)] == [True, True] + [False] * 4
    assert [is_sequence(v) for v in (1, 999, 0, 1000, True, 2.0)] == [True, True] + [False] * 4
    assert [is_percent(v) for v in (0, 100, 50.5, -0.1, 100.1, float("nan"), True, "5")] == [
        True,
        True,
        True,
    ] + [False] * 5
    assert [is_amount(v) for v in (0.0, 3.5, -0.5, float("inf"))] == [True, True, False, False]
    assert sites_fault(("index",), Side.LEFT) is None
    assert sites_fault(BILATERAL_SITES, Side.BILATERAL) is None
    assert sites_fault(("left",), Side.LEFT) == SitesFault.UNKNOWN
    assert sites_fault(("right", "left"), Side.BILATERAL) == SitesFault.UNKNOWN
    assert sites_fault(("left", "right"), Side.RIGHT) == SitesFault.NOT_BILATERAL
    assert sites_fault(("left", "right"), None) is None
    assert first_repeat(["a", "b", "a"]) == "a"
    assert first_repeat(["Walk", "walk"], key=str.casefold) == "walk"
    assert first_repeat(["a", "b"]) is None


def test_the_site_enum_keeps_the_stored_strings() -> None:
    assert [site.value for site in Site] == ["index", "left", "right"]
    assert Site.LEFT == "left"
    assert {"left": 1}[Site.LEFT] == 1
    assert BILATERAL_SITES == ("left", "right")


PATIENT_CASES: dict[str, tuple[Patient, str, str]] = {
    "no-name": (Patient(name=" "), "name", "A patient needs a name."),
    "nul-name": (Patient(name="A\x00"), "name", "The patient's name contains a NUL character"),
    "broken-mrn": (Patient(name="A", mrn="\udc00"), "mrn", "The record number contains a broken"),
    "birth-date": (
        Patient(name="A", birth_date="1960-01-02"),  # type: ignore[arg-type]
        "birth_date",
        "Patient A: the birth date is not a date.",
    ),
}


@pytest.mark.parametrize("case", sorted(PATIENT_CASES))
def test_each_patient_check_can_fail(case: str) -> None:
    patient, field, start = PATIENT_CASES[case]
    problems = patient_problems(patient)
    assert [problem.field for problem in problems] == [field]
    assert problems[0].message.startswith(start)


BLOCK_CASES: dict[str, tuple[dict[str, Any], str, tuple[str | int, ...], str]] = {
    "region": ({"region": "spine"}, "region", (), "'spine' is not a known region."),
    "side": ({"side": "up"}, "side", (), "'up' is not a known side."),
    "agent": ({"agent": "water"}, "agent", (), "'water' is not a known agent."),
    "sedation": ({"sedation": "lots"}, "sedation", (), "'lots' is not a known sedation."),
    "sites": (
        {"sites": ("left",)},
        "sites",
        (),
        "rated sites must be ['index'] or ['left', 'right'], not ['left'].",
    ),
    "sequence-zero": ({"sequence": 0}, "sequence", (), "the sequence must be a whole number"),
    "sequence-big": ({"sequence": 1000}, "sequence", (), "the sequence must be a whole number"),
    "sequence-bool": ({"sequence": True}, "sequence", (), "the sequence must be a whole number"),
    "concentration": (
        {"concentration_percent": -1.0},
        "concentration_percent",
        (),
        "the concentration must be a positive number, not -1.0.",
    ),
    "concentration-over-100": (
        {"concentration_percent": 150.0},
        "concentration_percent",
        (),
        "the concentration is a percent from 0 to 100, not 150.0.",
    ),
    "volume": ({"volume_ml": float("nan")}, "volume_ml", (), "the volume must be a positive"),
    "bilateral-sites-one-side": (
        {"sites": BILATERAL_SITES},
        "sites",
        (),
        "left and right are rated separately only after a bilateral block, but this block's "
        "side is right.",
    ),
    "blank-level": ({"levels": ("L4", " ")}, "levels", (1,), "a level is blank"),
    "nul-level": ({"levels": ("L4\x00",)}, "levels", (0,), "a level contains a NUL character"),
    "blank-activity": ({"activities": ("",)}, "activities", (0,), "an activity is blank"),
    "broken-activity": (
        {"activities": ("a\ud800",)},
        "activities",
        (0,),
        "an activity contains a broken character",
    ),
    "repeated-activity": (
        {"activities": ("walk", "walk")},
        "activities",
        (),
        "an activity is listed twice.",
    ),
    "blank-protocol": ({"protocol": " "}, "protocol", (), "the schedule (protocol) needs a name"),
    "nul-protocol": ({"protocol": "s\x00"}, "protocol", (), "the protocol contains a NUL"),
}


@pytest.mark.parametrize("case", sorted(BLOCK_CASES))
def test_each_block_check_can_fail(case: str) -> None:
    changes, field, at, start = BLOCK_CASES[case]
    problems = block_problems(dataclasses.replace(BLOCK, **changes))
    assert _fields(problems) == [(field, at)]
    assert problems[0].message.startswith(start)


def test_a_block_reports_every_problem_in_order() -> None:
    bad = dataclasses.replace(BLOCK, region="spine", sequence=0, protocol="")  # type: ignore[arg-type]
    assert [p.field for p in block_problems(bad)] == ["region", "sequence", "protocol"]


def _entry(**changes: Any) -> Entry:
    return dataclasses.replace(ENTRY, **changes)


ENTRY_CASES: dict[str, tuple[Callable[[], Entry], Block, str, tuple[str | int, ...], str]] = {
    "recorded-before": (
        lambda: _entry(recorded_at=ENTRY.at - timedelta(seconds=1)),
        BLOCK,
        "recorded_at",
        (),
        "it was recorded at 2026-03-02T14:29:59+00:00, before the moment it refers to",
    ),
    "no-scores": (lambda: _entry(scores={}), BLOCK, "scores", (), "an entry needs a score"),
    "site-not-rated": (
        lambda: _entry(scores={"left": 3}),
        BLOCK,
        "scores",
        ("left",),
        "'left' is not a rated site of its block (sites: index).",
    ),
    "score-range": (
        lambda: _entry(scores={"index": 11}),
        BLOCK,
        "scores",
        ("index",),
        "the index score must be a whole number from 0 to 10, not 11.",
    ),
    "score-float": (lambda: _entry(scores={"index": 3.0}), BLOCK, "scores", ("index",), "the "),
    "relief-range": (
        lambda: _entry(patient_relief_percent=101.0),
        BLOCK,
        "patient_relief_percent",
        (),
        "the patient's relief estimate must be 0-100 %, not 101.0.",
    ),
    "relief-both": (
        lambda: _entry(
            scores={"left": 1}, patient_relief_percent=5.0, patient_relief_by_site={"left": 5.0}
        ),
        BILATERAL,
        "patient_relief_percent",
        (),
        "give the patient's estimate per side or as one figure, not both.",
    ),
    "estimate-site": (
        lambda: _entry(patient_relief_by_site={"left": 5.0}),
        BLOCK,
        "patient_relief_percent",
        ("left",),
        "the estimate is for 'left', not a site of the block.",
    ),
    "estimate-range": (
        lambda: _entry(scores={"left": 1}, patient_relief_by_site={"left": -5.0}),
        BILATERAL,
        "patient_relief_percent",
        ("left",),
        "the patient's left relief estimate must be 0-100 %, not -5.0.",
    ),
    "detail-type": (
        lambda: _entry(rescue_medication_detail=5),
        BLOCK,
        "rescue_medication_detail",
        (),
        "the rescue medicine detail must be text.",
    ),
    "detail-nul": (
        lambda: _entry(rescue_medication_detail="a\x00"),
        BLOCK,
        "rescue_medication_detail",
        (),
        "the rescue medicine detail contains a NUL",
    ),
    "detail-long": (
        lambda: _entry(rescue_medication_detail="x" * 201),
        BLOCK,
        "rescue_medication_detail",
        (),
        "the rescue medicine detail is at most 200 characters (which medicine and how much), "
        "not 201.",
    ),
    "activity": (
        lambda: _entry(activity="running"),
        BLOCK,
        "activity",
        (),
        "activity 'running' is not one of the block's activities.",
    ),
    "ability": (
        lambda: _entry(activity_ability="maybe"),
        BLOCK,
        "activity_ability",
        (),
        "'maybe' is not a known ability.",
    ),
    "source": (lambda: _entry(source="fax"), BLOCK, "source", (), "'fax' is not a known source."),
    "note-type": (lambda: _entry(note=None), BLOCK, "note", (), "the note must be text."),
    "note-broken": (lambda: _entry(note="\udfff"), BLOCK, "note", (), "the note contains a broken"),
}


@pytest.mark.parametrize("case", sorted(ENTRY_CASES))
def test_each_entry_check_can_fail(case: str) -> None:
    make, block, field, at, start = ENTRY_CASES[case]
    problems = entry_problems(make(), block)
    assert _fields(problems) == [(field, at)]
    assert problems[0].message.startswith(start)


def test_an_entry_recorded_past_the_stores_slack_is_in_the_future() -> None:
    now = ENTRY.recorded_at - STORE_FUTURE_SLACK
    assert entry_problems(ENTRY, BLOCK, now=now) == ()
    problems = entry_problems(ENTRY, BLOCK, now=now - timedelta(seconds=1))
    assert _fields(problems) == [("recorded_at", ())]
    assert "which is in the future" in problems[0].message
    # Without `now` (a stored entry read back), the time is not judged.
    assert entry_problems(ENTRY, BLOCK) == ()
