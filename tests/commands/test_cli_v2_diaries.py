"""The version 2 sample diaries (tests/data/diaries) through `paintrack analyze --json`: one
test per clinical.md item they were written for (7 and 9 to 13)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from paintrack.cli import main

DIARIES = Path(__file__).resolve().parents[1] / "data" / "diaries"
NOW = "2026-12-01T00:00:00Z"


def analyze(capsys: pytest.CaptureFixture[str], name: str, *options: str) -> dict[str, Any]:
    code = main(["analyze", str(DIARIES / name), "--json", "--now", NOW, *options])
    out, err = capsys.readouterr()
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def targets(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {target["side"]: target for target in data["preset"]["targets"]}


def test_item_7_a_right_only_responder_meets_on_the_right(capsys):
    data = analyze(capsys, "bilateral-right-responder.json", "--preset", "medicare-lcd")
    first, second = data["blocks"]
    # The bilateral first block pairs, through its right site, with the right-only block.
    assert {(c["side"], c["first_site"], c["site"]) for c in data["comparisons"]} == {
        ("right", "right", "index")
    }
    assert {c["result"] for c in data["comparisons"]} == {"concordant"}
    assert all(c["blocks"] == [first["id"], second["id"]] for c in data["comparisons"])
    by_side = targets(data)
    assert by_side["right"]["status"] == "met"
    assert by_side["right"]["verdict"] == "meets the 80% rule (Medicare LCD preset)"
    assert by_side["right"]["blocks"] == [first["id"], second["id"]]
    assert by_side["left"]["status"] == "not_met"
    assert by_side["left"]["blocks"] == [first["id"]]
    # 12 Jan 09:00 and 28 Jan 10:00 at -08:00: 16 days between the dates of service.
    assert [b["date_of_service"] for b in data["blocks"]] == ["2026-01-12", "2026-01-28"]


def test_item_7_and_13_saline_is_a_placebo_control(capsys):
    data = analyze(capsys, "saline-controlled.json")
    assert {c["result"] for c in data["comparisons"]} == {"placebo-controlled positive"}
    (target,) = data["preset"]["targets"]
    lidocaine, saline = data["blocks"]
    assert saline["agent"] == "saline"
    # Never one of the preset's diagnostic blocks: ASRA is met by the lidocaine block alone.
    assert target["blocks"] == [lidocaine["id"]]
    assert target["status"] == "met" and target["cautions"] == []
    medicare = analyze(capsys, "saline-controlled.json", "--preset", "medicare-lcd")
    (target,) = medicare["preset"]["targets"]
    assert target["status"] == "pending"
    assert target["verdict"].endswith(
        "a second diagnostic block is needed, on or after 20 Apr 2026"
    )


def test_item_7_a_difference_inside_the_sampling_interval_is_indeterminate(capsys):
    data = analyze(capsys, "bounds-indeterminate.json")
    lidocaine, bupivacaine = data["blocks"]
    for threshold in ("50", "80"):
        s = lidocaine["sites"]["index"]["thresholds"][threshold]
        long_ = bupivacaine["sites"]["index"]["thresholds"][threshold]
        assert long_["duration_minutes"] > s["duration_minutes"]
        assert long_["duration_lower_minutes"] < s["duration_upper_minutes"]
    assert [c["result"] for c in data["comparisons"]] == ["indeterminate", "indeterminate"]


def test_item_9_onset_and_duration_from_onset(capsys):
    data = analyze(capsys, "bounds-indeterminate.json")
    t80 = data["blocks"][0]["sites"]["index"]["thresholds"]["80"]
    # 90% from 15 min; 80% crossing 120 + 60 * 10/70 = 128.6 min.
    assert t80["onset_minutes"] == 15.0
    assert t80["duration_minutes"] == 128.6
    assert t80["duration_from_onset_minutes"] == 113.6


def test_item_10_relief_only_after_rescue_medicine_does_not_meet(capsys):
    data = analyze(capsys, "rescue-medicine.json")
    (block,) = data["blocks"]
    assert block["rescue_at_minutes"] == 110.0
    assert block["rescue_medication_detail"] == "oxycodone 5 mg"
    site = block["sites"]["index"]
    # From all entries relief reaches 50% (3/10 after oxycodone); before it, never.
    assert site["thresholds"]["50"]["reached"] is True
    assert site["before_rescue"]["thresholds"]["50"]["reached"] is False
    assert site["before_rescue"]["peak_relief_percent"] == 28.6
    (target,) = data["preset"]["targets"]
    assert target["status"] == "not_met"
    assert target["cautions"] == ["rescue_medication"]
    assert target["verdict"] == (
        "does not meet the 50% rule (ASRA 2020 preset), with cautions:"
        " rescue medicine (oxycodone 5 mg) at 1 h 50 min"
    )


def test_item_11_the_date_of_service_is_the_recorded_offsets(capsys):
    data = analyze(capsys, "medicare-one-block.json", "--preset", "medicare-lcd")
    (block,) = data["blocks"]
    # 20:00 at -05:00 is 01:00 UTC on 3 Mar; the date of service is 2 Mar.
    assert block["performed_at"] == "2026-03-03T01:00:00Z"
    assert block["date_of_service"] == "2026-03-02"
    (target,) = data["preset"]["targets"]
    assert target["status"] == "pending"
    assert target["verdict"] == (
        "pending for the 80% rule (Medicare LCD preset): a second diagnostic block is needed,"
        " on or after 16 Mar 2026"
    )
    statuses = {c["key"]: c["status"] for c in target["criteria"]}
    assert statuses["first_block_80"] == "met"
    assert statuses["second_block_80"] == statuses["interval_14_days"] == "pending"


def test_item_12_and_13_cautions_on_the_verdict_line(capsys):
    data = analyze(capsys, "cautions.json")
    (block,) = data["blocks"]
    assert {"sedation", "late_entries", "late_onset", "baseline_below_4"} <= set(block["flags"])
    (target,) = data["preset"]["targets"]
    assert target["status"] == "met"
    assert target["cautions"] == [
        "baseline_below_4",
        "sedation",
        "late_onset",
        "late_or_transcribed",
    ]
    assert target["verdict"] == (
        "meets the 50% rule (ASRA 2020 preset), with cautions: baseline 3/10; deep sedation;"
        " late onset (50% first reached at 2 h); 50% decided by late or typed-in scores"
    )


def test_item_12_late_onset_follows_the_clinic_setting(capsys, tmp_path):
    from paintrack.clinical.analysis import analyze_diary
    from paintrack.clinical.results import Flag
    from paintrack.clinical.settings import ClinicSettings
    from paintrack.commands.common import parse_now
    from paintrack.exchange.diary_json import read_diary_file

    diary = read_diary_file(DIARIES / "cautions.json")
    now = parse_now(NOW)
    late = analyze_diary(diary, ClinicSettings(), now=now)
    patient = analyze_diary(diary, ClinicSettings(late_onset_minutes=150), now=now)
    assert Flag.LATE_ONSET in late.blocks[0].flags
    assert Flag.LATE_ONSET not in patient.blocks[0].flags
