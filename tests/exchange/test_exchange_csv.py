"""CSV export: one row per entry per rated site, with the columns a spreadsheet user expects."""

from __future__ import annotations

import csv
import dataclasses
import io
import stat
from datetime import UTC, timedelta, timezone
from pathlib import Path

import pytest
from exchange_samples import DEMO, DIARIES, SAMPLE_IDS, SAMPLES

from paintrack.clinical.model import Diary, Entry, Patient
from paintrack.exchange.csv_export import CSV_COLUMNS, diary_to_csv, write_csv
from paintrack.exchange.diary_json import read_diary_file

EST = timezone(timedelta(hours=-5))


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_header_is_the_documented_columns(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    write_csv(read_diary_file(DEMO), target)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    header = raw[3:].split(b"\r\n", 1)[0].decode()
    assert header.split(",") == list(CSV_COLUMNS)
    assert CSV_COLUMNS == (
        "patient_name", "patient_mrn", "patient_birth_date", "block_id", "block_performed_at",
        "region", "side", "levels", "agent", "concentration_percent", "volume_ml", "sequence",
        "sedation", "steroid", "entry_id", "at", "recorded_at", "minutes_after_block", "site",
        "score", "patient_relief_percent", "activity", "activity_ability", "rescue_medication",
        "source", "late", "note",
    )  # fmt: skip


@pytest.mark.parametrize("path", SAMPLES, ids=SAMPLE_IDS)
def test_one_row_per_entry_per_rated_site(path: Path, tmp_path: Path) -> None:
    diary = read_diary_file(path)
    target = tmp_path / "out.csv"
    write_csv(diary, target)
    rows = _read(target)
    expected = [
        (entry.id, site, str(score))
        for block in diary.blocks
        for entry in block.entries
        for site, score in entry.scores.items()
    ]
    assert sorted((r["entry_id"], r["site"], r["score"]) for r in rows) == sorted(expected)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_bilateral_rows_follow_the_rated_sides(tmp_path: Path) -> None:
    diary = read_diary_file(DIARIES / "bilateral.json")
    target = tmp_path / "out.csv"
    write_csv(diary, target)
    rows = _read(target)
    by_entry: dict[str, list[str]] = {}
    for row in rows:
        by_entry.setdefault(row["entry_id"], []).append(row["site"])
    block = diary.blocks[0]
    for entry in block.entries:
        assert by_entry[entry.id] == [s for s in ("left", "right") if s in entry.scores]
    assert len(rows) == sum(len(e.scores) for e in block.entries) < 2 * len(block.entries)


def test_demo_row_values(tmp_path: Path) -> None:
    diary = read_diary_file(DEMO)
    target = tmp_path / "out.csv"
    write_csv(diary, target, tz=EST)
    rows = _read(target)
    assert len(rows) == 23
    baseline = rows[0]
    assert baseline == {
        "patient_name": "Alex Sample",
        "patient_mrn": "DEMO-0001",
        "patient_birth_date": "1961-07-22",
        "block_id": diary.blocks[0].id,
        "block_performed_at": "2026-03-02T09:30:00-05:00",
        "region": "lumbar",
        "side": "right",
        "levels": "L3 MB; L4 MB; L5 DR",
        "agent": "lidocaine",
        "concentration_percent": "2",
        "volume_ml": "0.5",
        "sequence": "1",
        "sedation": "none",
        "steroid": "no",
        "entry_id": diary.blocks[0].entries[0].id,
        "at": "2026-03-02T09:20:00-05:00",
        "recorded_at": "2026-03-02T09:20:35-05:00",
        "minutes_after_block": "-10",
        "site": "index",
        "score": "8",
        "patient_relief_percent": "",
        "activity": "standing 10 minutes",
        "activity_ability": "partial",
        "rescue_medication": "no",
        "source": "app",
        "late": "no",
        "note": "Usual right low back pain, worse standing at the sink",
    }
    late = [r for r in rows if r["late"] == "yes"]
    assert [r["minutes_after_block"] for r in late] == ["240", "360", "420"]
    paper = [r for r in rows if r["source"] == "paper"]
    assert [r["minutes_after_block"] for r in paper] == ["420"]
    rescue = [r for r in rows if r["rescue_medication"] == "yes"]
    assert [(r["agent"], r["minutes_after_block"]) for r in rescue] == [("bupivacaine", "480")]
    relief = {r["minutes_after_block"]: r["patient_relief_percent"] for r in rows[:4]}
    assert relief["31"] == "90"


def test_times_default_to_local_time_with_offset() -> None:
    text = diary_to_csv(read_diary_file(DEMO))
    row = next(csv.DictReader(io.StringIO(text)))
    stamp = row["block_performed_at"]
    assert stamp[19] in "+-" and stamp[22] == ":"  # an explicit offset, never naive
    text_utc = diary_to_csv(read_diary_file(DEMO), tz=UTC)
    assert next(csv.DictReader(io.StringIO(text_utc)))["at"] == "2026-03-02T14:20:00+00:00"


def test_formula_like_text_is_defused() -> None:
    demo = read_diary_file(DEMO)
    block = demo.blocks[0]
    entry = block.entries[0]
    risky = Entry(
        at=entry.at,
        recorded_at=entry.recorded_at,
        scores=dict(entry.scores),
        note='=HYPERLINK("http://example.com","click")',
        id=entry.id,
    )
    diary = Diary(
        patient=Patient(name="@Alex", mrn="+123", id=demo.patient.id),
        blocks=(type(block)(**{**block.__dict__, "levels": ("-L4",), "entries": (risky,)}),),
    )
    row = next(csv.DictReader(io.StringIO(diary_to_csv(diary))))
    assert row["note"] == '\'=HYPERLINK("http://example.com","click")'
    assert (row["patient_name"], row["patient_mrn"], row["levels"]) == ("'@Alex", "'+123", "'-L4")
    assert row["minutes_after_block"] == "-10"  # numbers are left alone


def test_notes_with_commas_quotes_and_newlines_stay_in_one_cell() -> None:
    demo = read_diary_file(DEMO)
    block = demo.blocks[0]
    entry = block.entries[0]
    noted = Entry(
        at=entry.at,
        recorded_at=entry.recorded_at,
        scores=dict(entry.scores),
        note='worse, "sharp"\nthen better',
        id=entry.id,
    )
    diary = Diary(
        patient=demo.patient,
        blocks=(dataclasses.replace(block, entries=(noted,)),),
    )
    rows = list(csv.DictReader(io.StringIO(diary_to_csv(diary), newline="")))
    assert len(rows) == 1
    assert rows[0]["note"] == 'worse, "sharp"\nthen better'


def test_no_entries_gives_a_header_only(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    write_csv(Diary(patient=Patient(name="Nobody Yet")), target)
    assert target.read_bytes() == b"\xef\xbb\xbf" + ",".join(CSV_COLUMNS).encode() + b"\r\n"
