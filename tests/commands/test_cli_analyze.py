"""`paintrack analyze`: JSON keys per diary-format.md, the readable table, options, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from paintrack.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIRST_ID = "00000000-0000-4000-8000-000000000001"
SECOND_ID = "00000000-0000-4000-8000-000000000002"
NOW = "2026-04-01T00:00:00Z"


def _entry(at: str, score: int, **extra: Any) -> dict[str, Any]:
    return {"at": at, "recorded_at": at, "scores": {"index": score}, "source": "app", **extra}


# Block 1 (lidocaine), t0 = 14:30Z, written in -05:00. Baseline 8 at 09:20-05:00.
#   15 min: 3 (62.5%), 30: 1 (87.5%), 60: 1 (87.5%), 120: 2 (75%), 180: 5 (37.5%)
#   50%: 120 + 60 * 25/37.5 = 160 (2 h 40 min); 80%: 60 + 60 * 7.5/12.5 = 96 (1 h 36 min)
# Block 2 (bupivacaine), 18 days later, baseline 8:
#   60 min: 1 (87.5%), 240: 1, 300: 7 (12.5%) -> 80%: 240 + 60 * 7.5/75 = 246 (4 h 6 min)
#   50%: 240 + 60 * 37.5/75 = 270 (4 h 30 min)
DIARY: dict[str, Any] = {
    "format": "paintrack-diary",
    "version": 1,
    "patient": {"name": "Jane Example", "birth_date": "1958-03-14", "mrn": None},
    "blocks": [
        {
            "id": FIRST_ID,
            "performed_at": "2026-03-02T09:30:00-05:00",
            "region": "lumbar",
            "side": "right",
            "levels": ["L3 MB", "L4 MB"],
            "agent": "lidocaine",
            "sequence": 1,
            "sites": ["index"],
            "entries": [
                _entry("2026-03-02T09:20:00-05:00", 8),
                _entry("2026-03-02T14:45:00Z", 3),
                _entry("2026-03-02T15:00:00Z", 1),
                _entry("2026-03-02T15:30:00Z", 1),
                _entry("2026-03-02T16:30:00Z", 2, rescue_medication=True),
                _entry("2026-03-02T17:30:00Z", 5),
            ],
        },
        {
            "id": SECOND_ID,
            "performed_at": "2026-03-20T14:30:00Z",
            "region": "lumbar",
            "side": "right",
            "agent": "bupivacaine",
            "sequence": 2,
            "sites": ["index"],
            "entries": [
                _entry("2026-03-20T14:00:00Z", 8),
                _entry("2026-03-20T15:30:00Z", 1),
                _entry("2026-03-20T18:30:00Z", 1),
                _entry("2026-03-20T19:30:00Z", 7),
            ],
        },
    ],
}


@pytest.fixture
def diary_file(tmp_path: Path) -> Path:
    path = tmp_path / "diary.json"
    path.write_text(json.dumps(DIARY), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def analyze_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    code, out, err = run(capsys, "analyze", *argv, "--json", "--now", NOW)
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_json_keys_exactly_per_diary_format(capsys, diary_file):
    data = analyze_json(capsys, str(diary_file))
    assert data["thresholds"] == [50, 80]
    first, second = data["blocks"]
    for block in (first, second):
        assert {"id", "sequence", "agent", "performed_at", "sites", "compliance", "flags"} <= set(
            block
        )
        assert set(block["compliance"]) == {"due", "kept_on_time", "kept_late", "missed", "percent"}
    assert (first["id"], first["sequence"], first["agent"]) == (FIRST_ID, 1, "lidocaine")
    assert first["performed_at"] == "2026-03-02T14:30:00Z"
    index = first["sites"]["index"]
    assert (index["baseline"], index["peak_relief_percent"], index["time_to_peak_minutes"]) == (
        8,
        87.5,
        30.0,
    )
    t50 = index["thresholds"]["50"]
    assert {k: t50[k] for k in t50 if k != "expected_minutes"} == {
        "reached": True,
        "duration_minutes": 160.0,
        "duration_lower_minutes": 120.0,
        "duration_upper_minutes": 180.0,
        "censored": False,
        "expected": "consistent",
        "onset_minutes": 15.0,  # item 9: 62.5% at 15 min
        "duration_from_onset_minutes": 145.0,
    }
    assert index["thresholds"]["80"]["duration_minutes"] == 96.0
    # Item 10: rescue medicine at 120 min, so the verdict figures stop at the 60 min entry,
    # still at 87.5%: censored there.
    assert first["rescue_at_minutes"] == 120.0
    assert first["date_of_service"] == "2026-03-02"  # 09:30 at -05:00
    assert index["before_rescue"]["peak_relief_percent"] == 87.5
    assert index["before_rescue"]["thresholds"]["50"] == {
        "reached": True,
        "duration_minutes": 60.0,
        "duration_lower_minutes": 60.0,
        "duration_upper_minutes": None,
        "censored": True,
        "expected": "consistent",
        "expected_minutes": 60.0,
        "onset_minutes": 15.0,
        "duration_from_onset_minutes": 45.0,
    }
    assert second["sites"]["index"]["before_rescue"] is None
    assert first["flags"] == ["rescue_medication"]
    assert first["rescue_medication_minutes"] == [120.0]
    # 15, 30, 60, 120, 180 kept; 45, 240 ... 480 missed: 100 * 5/11 = 45.5
    assert first["compliance"] == {
        "due": 11,
        "kept_on_time": 5,
        "kept_late": 0,
        "missed": 6,
        "percent": 45.5,
    }
    assert second["sites"]["index"]["thresholds"]["80"]["duration_minutes"] == 246.0
    # On the verdict figures the lidocaine block is censored at 1 h (relief after rescue
    # medicine is not the lidocaine's), so neither lasted longer for sure: indeterminate.
    assert data["comparisons"] == [
        {
            "blocks": [FIRST_ID, SECOND_ID],
            "region": "lumbar",
            "side": "right",
            "site": "index",
            "first_site": "index",
            "threshold": 50,
            "result": "indeterminate",
            "duration_minutes": [60.0, 270.0],
        },
        {
            "blocks": [FIRST_ID, SECOND_ID],
            "region": "lumbar",
            "side": "right",
            "site": "index",
            "first_site": "index",
            "threshold": 80,
            "result": "indeterminate",
            "duration_minutes": [60.0, 246.0],
        },
    ]
    assert data["settings"] == {
        "preset": "asra-2020",
        "preset_label": "ASRA 2020 preset",
        "thresholds": [50, 80],
        "expected_minutes": {"bupivacaine": 120.0, "lidocaine": 60.0, "ropivacaine": 120.0},
        "relief_basis": "scores",
        "late_onset_minutes": 60.0,
    }
    assert data["analyzed_at"] == NOW
    (target,) = data["preset"]["targets"]
    assert target["cautions"] == ["rescue_medication"]
    assert target["verdict"] == (
        "meets the 50% rule (ASRA 2020 preset), with cautions: rescue medicine at 2 h"
    )


def test_threshold_replaces_defaults(capsys, diary_file):
    data = analyze_json(capsys, str(diary_file), "--threshold", "70", "--threshold", "30")
    assert data["thresholds"] == [70, 30]
    assert list(data["blocks"][0]["sites"]["index"]["thresholds"]) == ["70", "30"]
    assert [c["threshold"] for c in data["comparisons"]] == [70, 30]


def test_preset_and_expected_overrides(capsys, diary_file):
    data = analyze_json(
        capsys, str(diary_file), "--preset", "medicare-lcd", "--expected", "lidocaine=150"
    )
    assert data["settings"]["preset"] == "medicare-lcd"
    assert data["settings"]["expected_minutes"]["lidocaine"] == 150.0
    # All entries: 50% lower bound 120 < 150 <= upper 180 -> indeterminate; 80%: upper 120 <
    # 150 -> shorter. The verdict figures stop before rescue medicine at 120 min: 80% censored
    # at 60 < 150 -> indeterminate, so the duration criterion is unknown, not "not met".
    index = data["blocks"][0]["sites"]["index"]
    assert index["thresholds"]["50"]["expected"] == "indeterminate"
    assert index["thresholds"]["80"]["expected"] == "shorter"
    assert index["before_rescue"]["thresholds"]["80"]["expected"] == "indeterminate"
    (target,) = data["preset"]["targets"]
    assert target["verdict"] == (
        "not enough information to say whether it meets the 80% rule (Medicare LCD preset),"
        " with cautions: rescue medicine at 2 h"
    )
    criteria = {c["key"]: c["status"] for c in target["criteria"]}
    assert criteria["interval_14_days"] == "met"  # 18 days
    assert criteria["durations_consistent"] == "unknown"


def test_readable_table(capsys, diary_file, local_utc):
    code, out, err = run(capsys, "analyze", str(diary_file), "--now", NOW)
    assert code == 0, err
    # Times in the block's recorded offset (-05:00), whatever the computer's zone.
    assert "Block 1: 2026-03-02 09:30 UTC-05:00, lidocaine" in out
    assert "date of service 2 Mar 2026" in out
    assert "baseline: 8/10" in out
    assert "peak relief: 87.5% at 30 min" in out
    # Item 10: the verdict figures before rescue medicine, then all entries, labelled.
    assert "from the scores before rescue medicine at 2 h (these decide the verdicts):" in out
    assert "      >= 50%: until at least 1 h after the block, at least 45 min from onset" in out
    assert "from all entries, including scores after rescue medicine:" in out
    # Item 9's words: "until" from the block, then from onset.
    assert (
        ">= 50%: until 2 h 40 min after the block, 2 h 25 min from onset"
        " (between 2 h and 3 h; consistent with the expected duration" in out
    )
    assert ">= 80%: until 1 h 36 min after the block" in out
    assert "rescue medicine taken at 2 h" in out
    assert "Compliance: 5 of 11 due points on time (45.5%)" in out
    assert "lumbar right, index, >= 80%: indeterminate" in out
    assert "meets the 50% rule (ASRA 2020 preset), with cautions: rescue medicine at 2 h" in out
    assert "days between the diagnostic blocks: 18" in out
    assert "Settings: ASRA 2020 preset; thresholds 50%, 80%" in out
    assert "candidate" not in out.lower()


def test_censored_and_not_reached_in_the_table(capsys, tmp_path):
    diary = json.loads(json.dumps(DIARY))
    diary["blocks"] = diary["blocks"][:1]
    # 180 min now scores 1 (87.5%): from 30 min relief stays >= 75% to the last entry, so 70%
    # is censored at 180; nothing reaches 100%.
    diary["blocks"][0]["entries"][-1]["scores"]["index"] = 1
    path = tmp_path / "censored.json"
    path.write_text(json.dumps(diary), encoding="utf-8")
    code, out, _ = run(capsys, "analyze", str(path), "--threshold", "70", "--threshold", "100")
    assert code == 0
    assert (
        ">= 70%: until at least 3 h after the block, at least 2 h 30 min from onset"
        " (consistent with the expected duration for lidocaine (at least 1 h))" in out
    )
    assert ">= 100%: not reached" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["analyze"], "There is no paintrack database"),
        (["analyze", "{file}", "--threshold", "abc"], "--threshold"),
        (["analyze", "{file}", "--threshold", "0"], "from 1 to 100"),
        (["analyze", "{file}", "--expected", "lidocaine"], "AGENT=MINUTES"),
        (["analyze", "{file}", "--expected", "aspirin=3"], "AGENT=MINUTES"),
        (["analyze", "{file}", "--expected", "lidocaine=-5"], "MINUTES"),
        (["analyze", "{file}", "--expected", "saline=30"], "lidocaine, bupivacaine, ropivacaine"),
        (["analyze", "{file}", "--expected", "bupivacaine=nan"], "MINUTES"),
        (["analyze", "{file}", "--now", "2026-03-02T10:00"], "UTC offset"),
        (["analyze", "{file}", "--patient", "x"], "not both"),
        (["analyze", "{missing}"], "missing.json"),
        (["analyze", "{bad}"], "bad.json"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys, diary_file, tmp_path, argv, message):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "paintrack-diary", "version": 1}', encoding="utf-8")
    names = {"file": diary_file, "missing": tmp_path / "missing.json", "bad": bad}
    code, out, err = run(capsys, *[a.format(**names) for a in argv])
    assert code == 2
    assert out == ""
    assert err.startswith("paintrack: ") and message in err


def test_bad_preset_is_refused_by_argparse(capsys, diary_file):
    with pytest.raises(SystemExit) as exit_info:
        main(["analyze", str(diary_file), "--preset", "nope"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_patient_from_the_database(capsys, tmp_path):
    from paintrack.clinical.model import Agent
    from paintrack.clinical.settings import ClinicSettings
    from paintrack.exchange.diary_json import parse_diary
    from paintrack.store import open_store

    db = tmp_path / "clinic.db"
    store = open_store(str(db))
    try:
        store.import_diary(parse_diary(json.dumps(DIARY), "test"), source_name="test")
        store.save_settings(
            ClinicSettings(
                preset="complete",
                thresholds=(60,),
                expected_minutes={Agent.LIDOCAINE: 30.0, Agent.BUPIVACAINE: 100.0},
            )
        )
    finally:
        store.close()
    data = analyze_json(capsys, "--db", str(db), "--patient", "jane")
    # The clinic's 60% and the complete-relief preset's own 100%.
    assert data["thresholds"] == [60, 100]
    assert data["settings"]["preset"] == "complete"
    assert data["settings"]["expected_minutes"] == {"bupivacaine": 100.0, "lidocaine": 30.0}
    assert [b["id"] for b in data["blocks"]] == [FIRST_ID, SECOND_ID]
    # 60%: 15 min 62.5 ... 120 min 75, 180 min 37.5: 120 + 60 * 15/37.5 = 144
    assert data["blocks"][0]["sites"]["index"]["thresholds"]["60"]["duration_minutes"] == 144.0
    code, _, err = run(capsys, "--db", str(db), "analyze", "--patient", "nobody")
    assert code == 2 and err.startswith("paintrack: ")
    # The only patient in the database needs no --patient, as for export and report.
    assert analyze_json(capsys, "--db", str(db)) == data
    assert db.exists()
    missing = tmp_path / "nothing-here.db"
    code, _, err = run(capsys, "--db", str(missing), "analyze")
    assert code == 2 and "no paintrack database" in err
    assert not missing.exists()  # reading never creates a database


@pytest.mark.slow
def test_analyze_imports_neither_qt_nor_matplotlib(diary_file):
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "paintrack",
            "analyze",
            str(diary_file),
            "--json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    json.loads(result.stdout)
    imported = [line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()]
    assert imported, "no -X importtime output"
    assert not [m for m in imported if m.split(".")[0] in {"PySide6", "matplotlib", "sqlalchemy"}]


def test_the_presets_threshold_is_analysed_beside_the_clinics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Clinic thresholds 50 and 75 with the Medicare LCD preset: its 80% is shown too, so the
    checklist's "80%" has its figures beside the clinic's own."""
    from paintrack.clinical.settings import ClinicSettings
    from paintrack.exchange.diary_json import parse_diary
    from paintrack.store import open_store

    db = tmp_path / "clinic.db"
    store = open_store(str(db))
    try:
        store.import_diary(parse_diary(json.dumps(DIARY), "test"), source_name="test")
        store.save_settings(ClinicSettings(thresholds=(50, 75)))
    finally:
        store.close()
    data = analyze_json(capsys, "--db", str(db), "--preset", "medicare-lcd")
    assert data["thresholds"] == [50, 75, 80]
    assert list(data["blocks"][0]["sites"]["index"]["thresholds"]) == ["50", "75", "80"]
    assert analyze_json(capsys, "--db", str(db))["thresholds"] == [50, 75]
    # An explicit --threshold still replaces them, as diary-format.md says.
    explicit = analyze_json(
        capsys, "--db", str(db), "--preset", "medicare-lcd", "--threshold", "75"
    )
    assert explicit["thresholds"] == [75]


def test_a_diary_still_in_progress_reads_not_known_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The newcomer: a bilateral block two minutes old with only the baselines 9 and 10."""
    from datetime import datetime

    diary = {
        "format": "paintrack-diary",
        "version": 1,
        "patient": {"name": "Ann Tester"},
        "blocks": [
            {
                "performed_at": "2026-03-02T14:30:00Z",
                "region": "lumbar",
                "side": "bilateral",
                "agent": "lidocaine",
                "sequence": 1,
                "sites": ["left", "right"],
                "entries": [
                    {
                        "at": "2026-03-02T14:25:00Z",
                        "recorded_at": "2026-03-02T14:25:00Z",
                        "scores": {"left": 9, "right": 10},
                    }
                ],
            }
        ],
    }
    path = tmp_path / "in-progress.json"
    path.write_text(json.dumps(diary), encoding="utf-8")
    now = "2026-03-02T14:32:00Z"
    # In the block's recorded offset (Z): 14:45, on every computer.
    due_text = datetime.fromisoformat("2026-03-02T14:45:00+00:00").strftime("%H:%M")
    code, out, err = run(capsys, "analyze", str(path), "--now", now)
    assert code == 0, err
    verdict = (
        "not known yet whether it meets the 50% rule (ASRA 2020 preset)"
        f" — the diary is still in progress (next score due {due_text})"
    )
    # Version 2: one verdict per side (item 7's targets).
    assert f"  Lumbar, left side: {verdict}\n" in out
    assert f"  Lumbar, right side: {verdict}\n" in out
    assert "does not meet" not in out and "[not met]" not in out
    assert "    >= 50%: not reached yet\n" in out
    assert "  Compliance: no score due yet\n" in out
    code, out, err = run(capsys, "analyze", str(path), "--json", "--now", now)
    data = json.loads(out)
    left_target, right_target = data["preset"]["targets"]
    assert (left_target["side"], right_target["side"]) == ("left", "right")
    for target in (left_target, right_target):
        assert target["status"] == "unknown" and target["verdict"] == verdict
    # The metrics keep their meaning: not reached, duration 0, nothing due.
    left = data["blocks"][0]["sites"]["left"]["thresholds"]["50"]
    assert left["reached"] is False and left["duration_minutes"] == 0.0
    assert data["blocks"][0]["compliance"]["due"] == 0
    assert data["blocks"][0]["compliance"]["percent"] is None
    # Once the last window has closed (8 h 30 min after the block), not reached is not met.
    code, out, err = run(capsys, "analyze", str(path), "--now", "2026-03-02T23:00:00Z")
    assert "  Lumbar, left side: does not meet the 50% rule (ASRA 2020 preset)\n" in out


def test_the_patients_estimate_not_reached_while_in_progress_says_yet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The patient's own estimate lines say "not reached yet" as the computed lines do."""
    diary = {
        "format": "paintrack-diary",
        "version": 1,
        "patient": {"name": "Ann Tester"},
        "blocks": [
            {
                "performed_at": "2026-03-02T14:30:00Z",
                "region": "lumbar",
                "side": "right",
                "agent": "lidocaine",
                "sequence": 1,
                "entries": [
                    _entry("2026-03-02T14:20:00Z", 8),
                    _entry("2026-03-02T14:45:00Z", 7, patient_relief_percent=20),
                ],
            }
        ],
    }
    path = tmp_path / "estimate.json"
    path.write_text(json.dumps(diary), encoding="utf-8")
    code, out, err = run(capsys, "analyze", str(path), "--now", "2026-03-02T14:50:00Z")
    assert code == 0, err
    estimate = out.split("  Patient's own estimate (not used for verdicts)\n")[1]
    assert estimate.startswith("    peak: 20% at 15 min\n")
    assert "    >= 50%: not reached yet\n    >= 80%: not reached yet\n" in estimate
    # Once the last window has closed, not reached is just that, for both.
    code, out, err = run(capsys, "analyze", str(path), "--now", "2026-03-03T14:50:00Z")
    assert code == 0, err
    assert "not reached yet" not in out
    estimate = out.split("  Patient's own estimate (not used for verdicts)\n")[1]
    assert "    >= 50%: not reached\n    >= 80%: not reached\n" in estimate


@pytest.mark.parametrize(
    ("where", "text", "path"),
    [
        # Issue 10, item 5: each of these was a crash (exit 1, "a bug") before.
        ('"sequence": 1', '"sequence": ' + str(2**63), "blocks[0].sequence"),
        ('"sequence": 1', '"sequence": ' + "7" * 4301, "blocks[0].sequence"),
        ('"sites": ["index"]', '"sites": ["index"], "volume_ml": ' + "9" * 401, "volume_ml"),
        (
            '"sites": ["index"]',
            '"sites": ["index"], "concentration_percent": ' + "9" * 401,
            "concentration_percent",
        ),
        ('"sites": ["index"]', '"sites": ["index"], "protocol": "extended"', "protocol"),
        ('"score_placeholder"', "", "patient_relief_percent"),
    ],
    ids=["sequence-2-63", "sequence-4301-digits", "volume", "concentration", "protocol", "relief"],
)
def test_malformed_numbers_and_unknown_protocols_exit_2_with_the_path(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, where: str, text: str, path: str
) -> None:
    document = json.loads(json.dumps(DIARY))
    if path == "patient_relief_percent":
        document["blocks"][0]["entries"][1]["patient_relief_percent"] = 123456789
        written = json.dumps(document).replace("123456789", "9" * 401)
    else:
        written = json.dumps(document).replace(where, text, 1)
    file = tmp_path / "bad.json"
    file.write_text(written, encoding="utf-8")
    code, out, err = run(capsys, "analyze", str(file), "--json")
    assert code == 2 and out == ""
    assert f"{file}: blocks[0]." in err and path in err
    assert "Traceback" not in err and "set_int_max_str_digits" not in err


@pytest.mark.parametrize("value", ["80.5", "1e2", "101", "-5", "0"])
def test_threshold_takes_whole_numbers_1_to_100(
    capsys: pytest.CaptureFixture[str], diary_file: Path, value: str
) -> None:
    code, out, err = run(capsys, "analyze", str(diary_file), "--threshold", value)
    assert code == 2 and out == ""
    assert "--threshold" in err and "1 to 100" in err
