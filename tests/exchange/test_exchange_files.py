"""Diary files as bytes: encodings, malformed JSON, size limits, the round trip, and writing
atomically with private permissions."""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from exchange_samples import DEMO, DIARIES, SAMPLE_IDS, SAMPLES, entry_count, valid_document
from hypothesis import given, settings
from hypothesis import strategies as st

from paintrack.clinical.model import (
    Ability,
    Agent,
    Block,
    Diary,
    Entry,
    Patient,
    Region,
    Sedation,
    Side,
    Source,
)
from paintrack.errors import UserError
from paintrack.exchange import files as files_module
from paintrack.exchange.diary_json import (
    DiaryFormatError,
    diary_to_dict,
    diary_to_json,
    parse_diary,
    read_diary_file,
    write_diary_file,
)
from paintrack.exchange.files import MAX_FILE_BYTES

# ---------------------------------------------------------------------------------------------
# Reading bytes


def _error_text(data: str | bytes, name: str = "diary.json") -> str:
    with pytest.raises(DiaryFormatError) as caught:
        parse_diary(data, name)
    return str(caught.value)


def test_malformed_json_gives_line_and_column() -> None:
    text = '{\n  "format": "paintrack-diary",\n  "version": 1\n  "patient": {}\n}\n'
    assert _error_text(text) == (
        "diary.json: not valid JSON: Expecting ',' delimiter at line 4, column 3"
    )


def test_trailing_comma_gives_line_and_column() -> None:
    text = '{"format": "paintrack-diary",\n "version": 1,\n}'
    # Python's own words for the mistake (3.13 names the trailing comma itself).
    expected = (
        "Illegal trailing comma before end of object at line 2, column 14"
        if sys.version_info >= (3, 13)
        else "Expecting property name enclosed in double quotes at line 3, column 1"
    )
    assert _error_text(text) == f"diary.json: not valid JSON: {expected}"


def test_non_utf8_bytes_are_an_error_with_their_place() -> None:
    text = json.dumps(valid_document(), indent=2).replace("Jane Example", "José Example")
    data = text.encode("latin-1")
    line = text[: text.index("José")].count("\n") + 1
    column = len(text[: text.index("José")].rsplit("\n", 1)[-1]) + 4
    assert _error_text(data) == (
        f"diary.json: not UTF-8 text: byte 0xe9 at line {line}, column {column} is not valid "
        "UTF-8; diary files must be saved as UTF-8"
    )


def test_utf16_is_recognised() -> None:
    data = json.dumps(valid_document()).encode("utf-16")
    assert _error_text(data) == (
        "diary.json: the file is UTF-16 text; diary files must be UTF-8 (save it as UTF-8)"
    )


def test_utf8_byte_order_mark_is_accepted() -> None:
    text = json.dumps(valid_document()).replace("Jane Example", "José Example")
    from_bytes = parse_diary(b"\xef\xbb\xbf" + text.encode("utf-8"), "diary.json")
    from_text = parse_diary("\ufeff" + text, "diary.json")
    assert from_bytes.patient.name == from_text.patient.name == "José Example"


@pytest.mark.parametrize("data", [b"", b"   \n\t\n", ""], ids=["empty", "blank", "empty-str"])
def test_empty_file_is_an_error(data: str | bytes) -> None:
    assert _error_text(data) == "diary.json: the file is empty; expected a paintrack diary"


def test_deep_nesting_is_refused_not_a_crash() -> None:
    text = '{"format": "paintrack-diary", "version": 1, "x": ' + "[" * 100_000 + "]" * 100_000
    text += "}"
    assert "nested too deeply" in _error_text(text)


def test_integer_with_too_many_digits_is_refused_with_its_path() -> None:
    # Issue 10, item 5: the message names the field, not sys.set_int_max_str_digits.
    text = json.dumps(valid_document()).replace('"sequence": 1', '"sequence": ' + "9" * 5000)
    message = _error_text(text)
    assert message.startswith("diary.json: blocks[0].sequence: expected a whole number from 1")
    assert "5000 digits" in message
    assert "set_int_max_str_digits" not in message


@pytest.mark.parametrize("key", ["volume_ml", "concentration_percent"])
def test_a_4301_digit_number_names_its_field(key: str) -> None:
    document = valid_document()
    document["blocks"][0][key] = 123456789
    text = json.dumps(document).replace("123456789", "9" * 4301, 1)
    message = _error_text(text)
    assert message.startswith(f"diary.json: blocks[0].{key}: expected ")
    assert message.endswith("got a whole number of 4301 digits")


def test_oversized_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.json"
    with open(big, "wb") as handle:  # sparse: no 50 MB actually written
        handle.truncate(MAX_FILE_BYTES + 3 * 1024 * 1024)

    def refuse_to_open(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(files_module, "open", refuse_to_open, raising=False)
    with pytest.raises(DiaryFormatError) as caught:
        read_diary_file(big)
    assert str(caught.value) == (
        f"{big}: the file is 53.0 MB, more than the 50 MB limit for a diary file; is it really "
        "a paintrack diary?"
    )


def test_oversized_text_is_refused() -> None:
    assert "more than the 50 MB limit" in _error_text(b" " * (MAX_FILE_BYTES + 1))


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(DiaryFormatError) as missing:
        read_diary_file(tmp_path / "nope.json")
    assert str(missing.value) == f"{tmp_path / 'nope.json'}: no such file"
    with pytest.raises(DiaryFormatError) as folder:
        read_diary_file(tmp_path)
    assert str(folder.value) == f"{tmp_path}: is a folder, not a diary file"


# ---------------------------------------------------------------------------------------------
# The sample diaries and the round trip


def test_samples_are_all_there() -> None:
    assert {"demo", "bilateral", "paper", "mixed-offsets", "minimal"} <= set(SAMPLE_IDS)


def test_sample_demo_is_the_shipped_demo() -> None:
    assert (DIARIES / "demo.json").read_bytes() == DEMO.read_bytes()


@pytest.mark.parametrize("path", SAMPLES, ids=SAMPLE_IDS)
def test_round_trip_keeps_every_field(path: Path) -> None:
    diary = read_diary_file(path)
    again = parse_diary(json.dumps(diary_to_dict(diary)), "again.json")
    assert again == diary
    # Field by field too: dataclass equality would hide a field that compares loosely.
    for block, block_again in zip(diary.blocks, again.blocks, strict=True):
        assert block_again.performed_at == block.performed_at
        for entry, entry_again in zip(block.entries, block_again.entries, strict=True):
            assert entry_again.__dict__ == entry.__dict__
    assert diary_to_json(again) == diary_to_json(diary)


@pytest.mark.parametrize("path", SAMPLES, ids=SAMPLE_IDS)
def test_written_file_has_every_key(path: Path) -> None:
    written = diary_to_dict(read_diary_file(path))
    assert list(written) == ["format", "version", "patient", "blocks"]
    assert list(written["patient"]) == ["id", "name", "birth_date", "mrn"]
    for block in written["blocks"]:
        assert list(block) == [
            "id", "performed_at", "region", "side", "levels", "agent", "concentration_percent",
            "volume_ml", "sequence", "sedation", "steroid", "sites", "activities", "protocol",
            "entries",
        ]  # fmt: skip
        for entry in block["entries"]:
            assert list(entry) == [
                "id", "at", "recorded_at", "scores", "patient_relief_percent", "activity",
                "activity_ability", "rescue_medication", "rescue_medication_detail", "source",
                "note",
            ]  # fmt: skip
            assert entry["at"].endswith("Z") and entry["recorded_at"].endswith("Z")


def test_mixed_offsets_keep_their_instants() -> None:
    raw = json.loads((DIARIES / "mixed-offsets.json").read_text("utf-8"))
    diary = read_diary_file(DIARIES / "mixed-offsets.json")
    offsets = {entry["at"][19:] for block in raw["blocks"] for entry in block["entries"]}
    assert {"Z", "+05:30", "-07:00"} <= offsets
    by_id = {entry.id: entry for block in diary.blocks for entry in block.entries}
    for block in raw["blocks"]:
        for entry in block["entries"]:
            expected = datetime.fromisoformat(entry["at"].replace("Z", "+00:00"))
            assert by_id[entry["id"]].at == expected
    written = diary_to_dict(diary)
    first = written["blocks"][0]["entries"]
    assert first[0]["at"] == "2026-04-06T06:50:00Z"  # written as +05:30 in the file
    assert first[1]["recorded_at"] == "2026-04-06T07:15:41.250000Z"


def test_paper_sample_fills_recorded_at() -> None:
    diary = read_diary_file(DIARIES / "paper.json")
    paper = [e for b in diary.blocks for e in b.entries if e.source == Source.PAPER]
    assert len(paper) >= 4
    assert sum(1 for e in paper if e.recorded_at == e.at) >= 4
    written = diary_to_dict(diary)
    assert all("recorded_at" in e for b in written["blocks"] for e in b["entries"])


def test_bilateral_sample_has_one_sided_entries() -> None:
    diary = read_diary_file(DIARIES / "bilateral.json")
    block = diary.blocks[0]
    assert block.side == Side.BILATERAL and block.sites == ("left", "right")
    assert any(set(e.scores) == {"left"} for e in block.entries)
    assert any(set(e.scores) == {"right"} for e in block.entries)


def test_demo_diary_is_the_promised_story() -> None:
    diary = read_diary_file(DEMO)
    assert (diary.patient.name, diary.patient.mrn) == ("Alex Sample", "DEMO-0001")
    first, second = diary.blocks
    assert (first.agent, first.sequence, second.agent, second.sequence) == (
        Agent.LIDOCAINE, 1, Agent.BUPIVACAINE, 2,
    )  # fmt: skip
    assert second.performed_at - first.performed_at == timedelta(days=15)
    for block in diary.blocks:
        assert (block.region, block.side) == (Region.LUMBAR, Side.RIGHT)
        assert block.levels == ("L3 MB", "L4 MB", "L5 DR")
        assert (block.volume_ml, block.sedation, block.steroid) == (0.5, Sedation.NONE, False)
        assert len(block.activities) >= 3
    assert (first.concentration_percent, second.concentration_percent) == (2.0, 0.5)
    entries = [e for b in diary.blocks for e in b.entries]
    assert sum(e.is_late and not e.is_transcribed for e in entries) == 2
    assert sum(e.is_transcribed for e in entries) == 1
    assert sum(e.patient_relief_percent is not None for e in entries) >= 5
    assert sum(e.activity_ability is not None for e in entries) >= 5
    raw = json.loads(DEMO.read_text("utf-8"))
    assert raw["blocks"][0]["performed_at"].endswith("-05:00")


def test_entry_count_helper() -> None:
    assert entry_count(read_diary_file(DEMO)) == 23


# ---------------------------------------------------------------------------------------------
# Any valid diary round-trips


_moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2060, 1, 1),
    timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5)), timezone(timedelta(hours=9))]),
)
_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=20,
).filter(lambda s: bool(s.strip()))


@st.composite
def _diaries(draw: st.DrawFn) -> Diary:
    blocks = []
    for _ in range(draw(st.integers(0, 3))):
        side = draw(st.sampled_from(Side))
        sites = draw(
            st.sampled_from([("index",), ("left", "right")] if side == Side.BILATERAL else
                            [("index",)])
        )  # fmt: skip
        activities = tuple(draw(st.lists(_text, max_size=3, unique=True)))
        entries = []
        seen: set[tuple[datetime, str]] = set()
        for _ in range(draw(st.integers(0, 6))):
            at = draw(_moments)
            rated = draw(st.lists(st.sampled_from(sites), min_size=1, unique=True))
            if any((at, site) in seen for site in rated):
                continue
            seen.update((at, site) for site in rated)
            entries.append(
                Entry(
                    at=at,
                    recorded_at=at + draw(st.timedeltas(timedelta(0), timedelta(days=3))),
                    scores={site: draw(st.integers(0, 10)) for site in rated},
                    patient_relief_percent=draw(st.none() | st.floats(0, 100)),
                    activity=draw(st.none() | st.sampled_from(activities)) if activities else None,
                    activity_ability=draw(st.none() | st.sampled_from(Ability)),
                    rescue_medication=draw(st.booleans()),
                    source=draw(st.sampled_from(Source)),
                    note=draw(st.text(max_size=30).filter(lambda s: "\x00" not in s)),
                    rescue_medication_detail=draw(st.none() | st.sampled_from(["oxycodone 5 mg"])),
                    patient_relief_by_site=None,
                )
            )
            if sites == ("left", "right") and draw(st.booleans()):
                # The estimate per side replaces the single figure (diary-format.md).
                per_side = draw(st.fixed_dictionaries({"right": st.floats(0, 100)}))
                entries[-1] = replace(
                    entries[-1], patient_relief_percent=None, patient_relief_by_site=per_side
                )
        blocks.append(
            Block(
                performed_at=draw(_moments),
                region=draw(st.sampled_from(Region)),
                side=side,
                agent=draw(st.sampled_from(Agent)),
                levels=tuple(draw(st.lists(_text, max_size=3))),
                concentration_percent=draw(st.none() | st.floats(0, 100)),
                volume_ml=draw(st.none() | st.floats(0, 20)),
                sequence=draw(st.integers(1, 5)),
                sedation=draw(st.sampled_from(Sedation)),
                steroid=draw(st.booleans()),
                sites=sites,
                activities=activities,
                protocol=draw(_text),
                entries=tuple(sorted(entries, key=lambda e: (e.at, e.recorded_at, e.id))),
                # The recorded UTC offset (item 11) travels in performed_at's written offset.
                utc_offset_minutes=draw(st.sampled_from([0, -300, -240, 330, 765, -570])),
            )
        )
    patient = Patient(
        name=draw(_text),
        birth_date=draw(st.none() | st.dates(date(1900, 1, 1), date(2030, 1, 1))),
        mrn=draw(st.none() | st.text(max_size=12).filter(lambda s: "\x00" not in s)),
    )
    # Files may list them in any order; parsing returns the store's order.
    ordered = sorted(blocks, key=lambda b: (b.performed_at, b.sequence, b.id))
    return Diary(patient=patient, blocks=tuple(ordered))


@settings(max_examples=60, deadline=None)
@given(_diaries())
def test_any_valid_diary_round_trips(diary: Diary) -> None:
    # The clinic settings define the protocols the blocks name (an unknown one is refused).
    known = {block.protocol for block in diary.blocks}
    parsed = parse_diary(diary_to_json(diary), "generated.json", protocols=known)
    assert parsed == diary
    assert parse_diary(diary_to_json(parsed), "again.json", protocols=known) == parsed
    shuffled = diary_to_dict(diary)
    shuffled["blocks"].reverse()
    for block in shuffled["blocks"]:
        block["entries"].reverse()
    assert parse_diary(json.dumps(shuffled), "reversed.json", protocols=known) == diary


# ---------------------------------------------------------------------------------------------
# Writing


def test_written_file_is_private_utf8_and_reads_back(tmp_path: Path) -> None:
    diary = read_diary_file(DEMO)
    target = tmp_path / "out.json"
    write_diary_file(diary, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert read_diary_file(target) == diary
    assert target.read_bytes().endswith(b"\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_non_ascii_is_written_as_utf8(tmp_path: Path) -> None:
    diary = read_diary_file(DEMO)
    diary = Diary(patient=Patient(name="Zoë Ångström", id=diary.patient.id), blocks=diary.blocks)
    target = tmp_path / "out.json"
    write_diary_file(diary, target)
    assert "Zoë Ångström".encode() in target.read_bytes()


def test_overwriting_tightens_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_diary_file(read_diary_file(DEMO), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_failed_write_leaves_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.json"
    target.write_text("the previous export")

    def fail_replace(*_args: Any) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(files_module.os, "replace", fail_replace)
    with pytest.raises(UserError) as caught:
        write_diary_file(read_diary_file(DEMO), target)
    assert str(caught.value) == (
        f"could not write {target}: Input/output error; nothing was written"
    )
    assert target.read_text() == "the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_full_disk_is_a_plain_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files_module.os, "fsync", disk_full)
    target = tmp_path / "out.json"
    with pytest.raises(UserError) as caught:
        write_diary_file(read_diary_file(DEMO), target)
    assert str(caught.value) == f"could not write {target}: the disk is full; nothing was written"
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_a_plain_message(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.json"
    with pytest.raises(UserError) as caught:
        write_diary_file(read_diary_file(DEMO), target)
    assert str(caught.value) == (
        f"could not write {target}: the folder {target.parent} does not exist"
    )


def test_a_csv_export_given_to_import_is_named_for_what_it_is() -> None:
    message = _error_text("patient_name,patient_mrn,block_id\nAlex Sample,DEMO-0001,x\n")
    assert message.startswith(
        "diary.json: this is a spreadsheet (CSV) export of paintrack, not a paintrack diary "
        "file (.json); a CSV file cannot be imported."
    )
    assert "JSON:" not in message  # the parser's complaint is no help here


def test_another_csv_file_is_still_not_json() -> None:
    message = _error_text("name,score\nJane,7\n")
    assert message.startswith("diary.json: this is not a paintrack diary file (not JSON: ")
