"""Every validation rule of diary-format.md: the message names the file, the JSON path and
what was expected, and nothing is returned from an invalid file."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from exchange_samples import (
    BLOCK_IDS,
    ENTRY_IDS,
    PATIENT_ID,
    format_error,
    parse_document,
    valid_document,
)

from paintrack.clinical.model import Side, Source
from paintrack.errors import UserError
from paintrack.exchange.diary_json import DiaryFormatError, parse_diary

Doc = dict[str, Any]


def _set(path: str, value: Any) -> Callable[[Doc], None]:
    """A mutation setting `path` (dotted, with list indexes as numbers) to `value`."""

    def mutate(document: Doc) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return mutate


def _delete(path: str) -> Callable[[Doc], None]:
    def mutate(document: Doc) -> None:
        *parents, last = path.split(".")
        target: Any = document
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]

    return mutate


SCORE = "blocks.0.entries.1.scores.index"
SCORE_PATH = "blocks[0].entries[1].scores.index"
TIME_EXPECTED = (
    'expected a date and time with a UTC offset, like "2026-03-02T09:30:00-05:00" (Z for UTC)'
)

# (mutation, JSON path in the message, what the message says after the path)
SINGLE_PROBLEMS: dict[str, tuple[Callable[[Doc], None], str, str]] = {
    "score-too-high": (
        _set(SCORE, 11),
        SCORE_PATH,
        "expected a whole number from 0 to 10, got 11",
    ),
    "score-negative": (
        _set(SCORE, -1),
        SCORE_PATH,
        "expected a whole number from 0 to 10, got -1",
    ),
    "score-whole-float": (
        _set(SCORE, 7.0),
        SCORE_PATH,
        "expected a whole number from 0 to 10, got 7.0 (write 7 without a decimal point)",
    ),
    "score-fraction": (
        _set(SCORE, 7.5),
        SCORE_PATH,
        "expected a whole number from 0 to 10, got 7.5 (scores are whole numbers)",
    ),
    "score-bool": (
        _set(SCORE, True),
        SCORE_PATH,
        "expected a whole number from 0 to 10, got true",
    ),
    "score-string": (
        _set(SCORE, "7"),
        SCORE_PATH,
        'expected a whole number from 0 to 10, got "7" (a string; write the number without quotes)',
    ),
    "score-null": (
        _set(SCORE, None),
        SCORE_PATH,
        "expected a whole number from 0 to 10, got null",
    ),
    "score-unknown-site": (
        _set("blocks.0.entries.1.scores", {"middle": 3}),
        "blocks[0].entries[1].scores.middle",
        '"middle" is not a rated site of this block (its sites are "index")',
    ),
    "score-side-on-index-block": (
        _set("blocks.0.entries.1.scores", {"index": 2, "left": 3}),
        "blocks[0].entries[1].scores.left",
        '"left" is not a rated site of this block (its sites are "index")',
    ),
    "score-index-on-bilateral-block": (
        _set("blocks.1.entries.1.scores", {"index": 3}),
        "blocks[1].entries[1].scores.index",
        '"index" is not a rated site of this block (its sites are "left", "right")',
    ),
    "scores-empty": (
        _set("blocks.0.entries.1.scores", {}),
        "blocks[0].entries[1].scores",
        "expected at least one score; an entry must rate a site",
    ),
    "scores-not-object": (
        _set("blocks.0.entries.1.scores", [7]),
        "blocks[0].entries[1].scores",
        'expected the scores by site, like {"index": 7}, got a list [...]',
    ),
    "scores-missing": (
        _delete("blocks.0.entries.1.scores"),
        "blocks[0].entries[1].scores",
        "missing; expected the scores",
    ),
    "unknown-top-key": (
        _set("comment", "hi"),
        "comment",
        'unknown key (expected only "format", "version", "patient", "blocks")',
    ),
    "unknown-patient-key": (
        _set("patient.nmae", "x"),
        "patient.nmae",
        'unknown key (did you mean "name"? expected only "id", "name", "birth_date", "mrn")',
    ),
    "unknown-entry-key": (
        _set("blocks.1.entries.2.scroes", {}),
        "blocks[1].entries[2].scroes",
        'unknown key (did you mean "scores"? expected only "id", "at", "recorded_at", '
        '"scores", "patient_relief_percent", "activity", "activity_ability", '
        '"rescue_medication", "rescue_medication_detail", "source", "note")',
    ),
    "naive-time": (
        _set("blocks.0.performed_at", "2026-03-02T09:30:00"),
        "blocks[0].performed_at",
        f'{TIME_EXPECTED}, got "2026-03-02T09:30:00" (no UTC offset: add Z for UTC, or the '
        "local offset such as -05:00)",
    ),
    "date-only": (
        _set("blocks.0.entries.0.at", "2026-03-02"),
        "blocks[0].entries[0].at",
        f'{TIME_EXPECTED}, got "2026-03-02" (a date without a time)',
    ),
    "time-with-space": (
        _set("blocks.0.entries.0.at", "2026-03-02 09:20:00-05:00"),
        "blocks[0].entries[0].at",
        f'{TIME_EXPECTED}, got "2026-03-02 09:20:00-05:00"',
    ),
    "time-impossible-day": (
        _set("blocks.0.entries.0.at", "2026-02-30T09:20:00Z"),
        "blocks[0].entries[0].at",
        f'{TIME_EXPECTED}, got "2026-02-30T09:20:00Z" (day is out of range for month)',
    ),
    "time-offset-out-of-range": (
        _set("blocks.0.entries.0.at", "2026-03-02T09:20:00+25:00"),
        "blocks[0].entries[0].at",
        f'{TIME_EXPECTED}, got "2026-03-02T09:20:00+25:00" (the offset is out of range)',
    ),
    "time-number": (
        _set("blocks.0.entries.0.recorded_at", 1772461240),
        "blocks[0].entries[0].recorded_at",
        f"{TIME_EXPECTED}, got 1772461240",
    ),
    "recorded-before-at": (
        _set("blocks.0.entries.1.recorded_at", "2026-03-02T09:59:00-05:00"),
        "blocks[0].entries[1].recorded_at",
        "recorded at 2026-03-02T14:59:00Z, before the time it refers to "
        "(2026-03-02T15:00:00Z); a score cannot be recorded before its moment",
    ),
    "app-entry-without-recorded-at": (
        _delete("blocks.0.entries.1.recorded_at"),
        "blocks[0].entries[1].recorded_at",
        "missing; expected the time the entry was recorded (required for app entries; only "
        '"paper" entries may leave it out)',
    ),
    "sites-one-side": (
        _set("blocks.1.sites", ["left"]),
        "blocks[1].sites",
        'expected ["index"], or ["left", "right"] for a bilateral block, got ["left"]',
    ),
    "sites-text": (
        _set("blocks.0.sites", "index"),
        "blocks[0].sites",
        'expected ["index"], or ["left", "right"] for a bilateral block, got "index"',
    ),
    "sites-reversed": (
        _set("blocks.1.sites", ["right", "left"]),
        "blocks[1].sites",
        'expected ["index"], or ["left", "right"] for a bilateral block, got ["right", "left"]',
    ),
    "sites-left-right-on-one-side-block": (
        _set("blocks.0.sites", ["left", "right"]),
        "blocks[0].sites",
        '["left", "right"] is for a bilateral block, but this block\'s side is "right": rate '
        'the usual pain as ["index"], or set "side" to "bilateral"',
    ),
    "region-capitalised": (
        _set("blocks.0.region", "Lumbar"),
        "blocks[0].region",
        'expected a region: one of "cervical", "thoracic", "lumbar", "sacral", got "Lumbar" '
        '(write it as "lumbar")',
    ),
    "agent-unknown": (
        _set("blocks.0.agent", "mepivacaine"),
        "blocks[0].agent",
        'expected an agent: one of "lidocaine", "bupivacaine", "ropivacaine", "saline", '
        '"other", "unknown", got "mepivacaine"',
    ),
    "side-unknown": (
        _set("blocks.0.side", "both"),
        "blocks[0].side",
        'expected a side: one of "left", "right", "bilateral", got "both"',
    ),
    "sedation-unknown": (
        _set("blocks.0.sedation", "light"),
        "blocks[0].sedation",
        'expected a sedation level: one of "none", "minimal", "moderate", "deep", got "light"',
    ),
    "source-unknown": (
        _set("blocks.0.entries.1.source", "phone"),
        "blocks[0].entries[1].source",
        'expected a source: one of "app", "paper", got "phone"',
    ),
    "ability-unknown": (
        _set("blocks.0.entries.0.activity_ability", "maybe"),
        "blocks[0].entries[0].activity_ability",
        'expected an ability (or null): one of "yes", "partial", "no", got "maybe"',
    ),
    "sequence-zero": (
        _set("blocks.0.sequence", 0),
        "blocks[0].sequence",
        "expected a whole number from 1 to 999 (1 for the first diagnostic block), got 0",
    ),
    "sequence-float": (
        _set("blocks.0.sequence", 1.0),
        "blocks[0].sequence",
        "expected a whole number from 1 to 999 (1 for the first diagnostic block), got 1.0",
    ),
    "sequence-bool": (
        _set("blocks.0.sequence", True),
        "blocks[0].sequence",
        "expected a whole number from 1 to 999 (1 for the first diagnostic block), got true",
    ),
    # Issue 10, item 5: found with generated malformed diaries; each was a crash (exit 1).
    "sequence-2-to-the-63": (
        _set("blocks.0.sequence", 2**63),
        "blocks[0].sequence",
        "expected a whole number from 1 to 999 (1 for the first diagnostic block), got "
        "9223372036854775808",
    ),
    "volume-401-digits": (
        _set("blocks.0.volume_ml", int("9" * 401)),
        "blocks[0].volume_ml",
        "expected a volume in mL (0 or more), or null, got a whole number of 401 digits",
    ),
    "concentration-401-digits": (
        _set("blocks.0.concentration_percent", -int("9" * 401)),
        "blocks[0].concentration_percent",
        "expected a concentration in percent from 0 to 100, or null, got a whole number of "
        "401 digits",
    ),
    "relief-401-digits": (
        _set("blocks.0.entries.1.patient_relief_percent", int("9" * 401)),
        "blocks[0].entries[1].patient_relief_percent",
        "expected the patient's own relief estimate from 0 to 100, or null, got a whole number "
        "of 401 digits",
    ),
    "protocol-unknown": (
        _set("blocks.0.protocol", "extended"),
        "blocks[0].protocol",
        'unknown protocol "extended": the clinic settings define "standard"; use one of them, '
        "or add the protocol to the clinic settings first",
    ),
    "relief-per-site-not-a-site": (
        _set("blocks.0.entries.1.patient_relief_percent", {"left": 50}),
        "blocks[0].entries[1].patient_relief_percent.left",
        '"left" is not a rated site of this block (its sites are "index")',
    ),
    "rescue-detail-number": (
        _set("blocks.0.entries.1.rescue_medication_detail", 5),
        "blocks[0].entries[1].rescue_medication_detail",
        'expected which rescue medicine and how much, like "oxycodone 5 mg", or null, got 5',
    ),
    "steroid-text": (
        _set("blocks.0.steroid", "no"),
        "blocks[0].steroid",
        'expected true or false, got "no"',
    ),
    "rescue-number": (
        _set("blocks.0.entries.0.rescue_medication", 0),
        "blocks[0].entries[0].rescue_medication",
        "expected true or false, got 0",
    ),
    "relief-over-100": (
        _set("blocks.0.entries.1.patient_relief_percent", 101),
        "blocks[0].entries[1].patient_relief_percent",
        "expected the patient's own relief estimate from 0 to 100, or null, got 101",
    ),
    "relief-negative": (
        _set("blocks.0.entries.1.patient_relief_percent", -5),
        "blocks[0].entries[1].patient_relief_percent",
        "expected the patient's own relief estimate from 0 to 100, or null, got -5",
    ),
    "relief-text": (
        _set("blocks.0.entries.1.patient_relief_percent", "90%"),
        "blocks[0].entries[1].patient_relief_percent",
        'expected the patient\'s own relief estimate from 0 to 100, or null, got "90%" '
        "(a string; write the number without quotes)",
    ),
    "relief-bool": (
        _set("blocks.0.entries.1.patient_relief_percent", False),
        "blocks[0].entries[1].patient_relief_percent",
        "expected the patient's own relief estimate from 0 to 100, or null, got false",
    ),
    "activity-not-listed": (
        _set("blocks.0.entries.1.activity", "walking"),
        "blocks[0].entries[1].activity",
        'expected one of the block\'s activities ("standing 10 minutes", "bending forward") '
        'or null, got "walking"',
    ),
    "activity-on-block-without-activities": (
        _set("blocks.1.entries.1.activity", "walking"),
        "blocks[1].entries[1].activity",
        'got "walking", but the block lists no activities; add it to the block\'s '
        '"activities" or use null',
    ),
    "activities-repeated": (
        _set("blocks.0.activities", ["walking", "sitting", "walking"]),
        "blocks[0].activities[2]",
        '"walking" is listed twice',
    ),
    "level-blank": (
        _set("blocks.0.levels", ["L3 MB", "  "]),
        "blocks[0].levels[1]",
        'expected a level like "L4 MB", got "  "',
    ),
    "levels-text": (
        _set("blocks.0.levels", "L3 MB"),
        "blocks[0].levels",
        'expected a list of levels, got "L3 MB"',
    ),
    "concentration-over-100": (
        _set("blocks.0.concentration_percent", 200),
        "blocks[0].concentration_percent",
        "expected a concentration in percent from 0 to 100, or null, got 200",
    ),
    "volume-negative": (
        _set("blocks.0.volume_ml", -0.5),
        "blocks[0].volume_ml",
        "expected a volume in mL (0 or more), or null, got -0.5",
    ),
    "protocol-blank": (
        _set("blocks.0.protocol", ""),
        "blocks[0].protocol",
        'expected a protocol name, got ""',
    ),
    "note-null": (
        _set("blocks.0.entries.1.note", None),
        "blocks[0].entries[1].note",
        'expected a text (use "" for no note), got null',
    ),
    "note-with-nul": (
        _set("blocks.0.entries.1.note", "a\x00b"),
        "blocks[0].entries[1].note",
        "the text contains a NUL character (\\u0000), which cannot be stored",
    ),
    "name-with-lone-surrogate": (
        _set("patient.name", "Ann\ud800e"),
        "patient.name",
        "the text contains a broken \\u escape (half of a surrogate pair), which is not a "
        "character; fix or remove it",
    ),
    "mrn-with-lone-surrogate": (
        _set("patient.mrn", "\udc00"),
        "patient.mrn",
        "the text contains a broken \\u escape (half of a surrogate pair), which is not a "
        "character; fix or remove it",
    ),
    "patient-missing": (
        _delete("patient"),
        "patient",
        "missing; expected the patient (an object with a name)",
    ),
    "patient-name-blank": (
        _set("patient.name", "   "),
        "patient.name",
        'expected a non-empty text, got "   "',
    ),
    "patient-name-missing": (
        _delete("patient.name"),
        "patient.name",
        "missing; expected the patient's name",
    ),
    "birth-date-format": (
        _set("patient.birth_date", "14/03/1958"),
        "patient.birth_date",
        'expected a date like "1958-03-14", or null, got "14/03/1958"',
    ),
    "birth-date-impossible": (
        _set("patient.birth_date", "1958-02-30"),
        "patient.birth_date",
        'expected a date like "1958-03-14", or null, got "1958-02-30" (day is out of range '
        "for month)",
    ),
    "mrn-number": (
        _set("patient.mrn", 12345),
        "patient.mrn",
        "expected the medical record number as a text, or null, got 12345",
    ),
    "block-not-object": (
        _set("blocks.1", "block"),
        "blocks[1]",
        'expected a block (a JSON object {...}), got "block"',
    ),
    "entries-not-list": (
        _set("blocks.0.entries", {}),
        "blocks[0].entries",
        "expected a list of entries [...], got an object {...}",
    ),
    "blocks-not-list": (
        _set("blocks", {}),
        "blocks",
        "expected a list of blocks [...], got an object {...}",
    ),
    "block-time-missing": (
        _delete("blocks.1.performed_at"),
        "blocks[1].performed_at",
        "missing; expected the time of the block, with a UTC offset",
    ),
    "agent-missing": (
        _delete("blocks.1.agent"),
        "blocks[1].agent",
        "missing; expected the anaesthetic agent",
    ),
    "id-not-uuid": (
        _set("blocks.0.entries.1.id", "entry-2"),
        "blocks[0].entries[1].id",
        'expected a UUID like "0f8fad5b-d9cb-469f-a165-70867728950e" (or leave the id out to '
        'have one made), got "entry-2"',
    ),
    "id-duplicate-entry": (
        _set("blocks.1.entries.0.id", ENTRY_IDS[1]),
        "blocks[1].entries[0].id",
        f"the id {ENTRY_IDS[1]} is already used by blocks[0].entries[1]",
    ),
    "id-duplicate-across-kinds": (
        _set("blocks.1.id", PATIENT_ID),
        "blocks[1].id",
        f"the id {PATIENT_ID} is already used by patient",
    ),
    "id-duplicate-other-case": (
        _set("blocks.1.id", BLOCK_IDS[0].upper()),
        "blocks[1].id",
        f"the id {BLOCK_IDS[0]} is already used by blocks[0]",
    ),
    "format-wrong": (
        _set("format", "fhir-bundle"),
        "format",
        'expected "paintrack-diary", got "fhir-bundle" (is this a paintrack diary file?)',
    ),
    "format-missing": (
        _delete("format"),
        "format",
        'missing; expected "paintrack-diary" (is this a paintrack diary file?)',
    ),
    "version-newer": (
        _set("version", 2),
        "version",
        "this file is version 2 of the diary format, written by a newer paintrack; this "
        "paintrack reads version 1. Update paintrack to read it.",
    ),
    "version-text": (
        _set("version", "1"),
        "version",
        'expected 1, got "1"',
    ),
}


@pytest.mark.parametrize("case", list(SINGLE_PROBLEMS), ids=list(SINGLE_PROBLEMS))
def test_each_rule_names_file_path_and_expectation(case: str) -> None:
    mutate, path, message = SINGLE_PROBLEMS[case]
    document = valid_document()
    mutate(document)
    error = format_error(document)
    assert str(error) == f"diary.json: {path}: {message}"
    assert [(p.path, p.message) for p in error.problems] == [(path, message)]
    assert isinstance(error, UserError)
    assert error.exit_code == 2


def test_the_valid_document_is_valid() -> None:
    """The base of every case above parses, so each failure comes from its one change."""
    diary = parse_document(valid_document())
    assert diary.patient.name == "Jane Example"
    assert [len(block.entries) for block in diary.blocks] == [2, 3]


def test_the_brief_example_message() -> None:
    document = valid_document()
    document["blocks"][1]["entries"][1]["scores"] = {"left": 11}
    error = format_error(document)
    assert str(error) == (
        "diary.json: blocks[1].entries[1].scores.left: expected a whole number from 0 to 10, got 11"
    )


def test_message_names_the_file_as_given() -> None:
    document = valid_document()
    document["blocks"][0]["entries"][1]["scores"]["index"] = 12
    error = format_error(document, name="/home/clinic/Downloads/alex diary.json")
    assert str(error).startswith(
        "/home/clinic/Downloads/alex diary.json: blocks[0].entries[1].scores.index: "
    )
    assert error.source_name == "/home/clinic/Downloads/alex diary.json"


def test_repeated_key_in_an_object_is_an_error() -> None:
    text = json.dumps(valid_document()).replace(
        '"name": "Jane Example"', '"name": "Jane Example", "name": "Jane Other"'
    )
    with pytest.raises(DiaryFormatError) as caught:
        parse_diary(text, "diary.json")
    assert str(caught.value) == (
        "diary.json: patient.name: this key appears more than once in the same object"
    )


def test_site_rated_twice_in_one_entry_is_an_error() -> None:
    text = json.dumps(valid_document()).replace('{"index": 1}', '{"index": 1, "index": 2}')
    with pytest.raises(DiaryFormatError) as caught:
        parse_diary(text, "diary.json")
    assert str(caught.value) == (
        "diary.json: blocks[0].entries[1].scores.index: this site is rated more than once in "
        "the same entry"
    )


def test_two_entries_rating_one_site_at_the_same_moment_are_an_error() -> None:
    document = valid_document()
    entries = document["blocks"][1]["entries"]
    # Same instant written with another offset: still the same moment.
    entries[2]["at"] = "2026-03-17T14:00:00Z"
    entries[2]["scores"] = {"left": 3}
    error = format_error(document)
    assert str(error) == (
        "diary.json: blocks[1].entries[2].scores.left: blocks[1].entries[1] already rates "
        '"left" at the same time (2026-03-17T14:00:00Z); a site has one score per moment, so '
        "keep only one of them"
    )


def test_entries_at_one_moment_rating_different_sides_are_fine() -> None:
    """After a bilateral block a patient may rate each side in its own entry."""
    document = valid_document()
    entries = document["blocks"][1]["entries"]
    entries[2]["at"] = entries[1]["at"]
    entries[2]["recorded_at"] = entries[1]["recorded_at"]
    entries[2]["scores"] = {"right": 1}
    diary = parse_document(document)
    same_moment = [e for e in diary.blocks[1].entries if e.at == diary.blocks[1].entries[1].at]
    assert sorted(site for e in same_moment for site in e.scores) == ["left", "right"]


def test_the_same_moment_in_different_blocks_is_fine() -> None:
    document = valid_document()
    document["blocks"][1]["entries"][1]["at"] = document["blocks"][0]["entries"][1]["at"]
    document["blocks"][1]["entries"][1]["recorded_at"] = "2026-03-17T10:00:30-04:00"
    assert len(parse_document(document).blocks) == 2


def test_bilateral_entries_may_rate_one_side_only() -> None:
    diary = parse_document(valid_document())
    assert dict(diary.blocks[1].entries[1].scores) == {"left": 2}


def test_sites_default_from_the_side() -> None:
    document = valid_document()
    del document["blocks"][0]["sites"]
    del document["blocks"][1]["sites"]
    diary = parse_document(document)
    assert diary.blocks[0].sites == ("index",)
    assert diary.blocks[1].side == Side.BILATERAL
    assert diary.blocks[1].sites == ("left", "right")


def test_a_bilateral_block_may_rate_one_overall_pain() -> None:
    """Midline pain after a bilateral block is sometimes rated as one index pain."""
    document = valid_document()
    block = document["blocks"][1]
    block["sites"] = ["index"]
    for entry in block["entries"]:
        entry["scores"] = {"index": 5}
    assert parse_document(document).blocks[1].sites == ("index",)


def test_paper_entry_without_recorded_at_is_recorded_at_its_moment() -> None:
    diary = parse_document(valid_document())
    paper = diary.blocks[1].entries[2]
    assert paper.source == Source.PAPER
    assert paper.recorded_at == paper.at
    assert paper.is_transcribed and not paper.is_late


def test_invalid_source_without_recorded_at_reports_only_the_source() -> None:
    document = valid_document()
    document["blocks"][0]["entries"][1]["source"] = "Paper"
    del document["blocks"][0]["entries"][1]["recorded_at"]
    error = format_error(document)
    assert [p.path for p in error.problems] == ["blocks[0].entries[1].source"]
    assert 'write it as "paper"' in str(error)


def test_times_come_back_in_utc_and_z_is_accepted() -> None:
    document = valid_document()
    document["blocks"][0]["performed_at"] = "2026-03-02T14:30:00Z"
    document["blocks"][0]["entries"][1]["recorded_at"] = "2026-03-02T15:01:00.250+00:00"
    diary = parse_document(document)
    block = diary.blocks[0]
    assert block.performed_at == datetime(2026, 3, 2, 14, 30, tzinfo=UTC)
    assert block.performed_at.utcoffset() is not None
    assert block.entries[0].at == datetime(2026, 3, 2, 14, 20, tzinfo=UTC)
    assert block.entries[0].at.tzinfo == UTC
    assert block.entries[1].recorded_at == datetime(2026, 3, 2, 15, 1, 0, 250000, tzinfo=UTC)


def test_time_without_seconds_is_accepted() -> None:
    document = valid_document()
    document["blocks"][0]["performed_at"] = "2026-03-02T09:30-05:00"
    assert parse_document(document).blocks[0].performed_at == datetime(
        2026, 3, 2, 14, 30, tzinfo=UTC
    )


def test_absent_ids_are_generated_and_present_ones_kept() -> None:
    document = valid_document()
    del document["patient"]["id"]
    del document["blocks"][0]["entries"][0]["id"]
    first = parse_document(document)
    second = parse_document(document)
    for diary in (first, second):
        assert uuid.UUID(diary.patient.id)
        assert diary.blocks[0].id == BLOCK_IDS[0]
        assert diary.blocks[0].entries[1].id == ENTRY_IDS[1]
    # Derived from the records' content, so the same file gives the same ids every time.
    assert first.patient.id == second.patient.id
    assert first.blocks[0].entries[0].id == second.blocks[0].entries[0].id


def test_derived_ids_follow_what_identifies_a_record() -> None:
    document = valid_document()
    del document["patient"]["id"]
    for block in document["blocks"]:
        del block["id"]
        for entry in block["entries"]:
            del entry["id"]
    first = parse_document(document)
    entry = first.blocks[0].entries[0]
    # A changed score (or note) at the same moment keeps the entry's id: the import then sees
    # it differ from the stored entry and keeps the stored one.
    document["blocks"][0]["entries"][0]["scores"]["index"] = (entry.scores["index"] + 1) % 11
    document["blocks"][0]["entries"][0]["note"] = "changed"
    changed = parse_document(document)
    assert changed.blocks[0].entries[0].id == entry.id
    assert changed.patient.id == first.patient.id
    assert changed.blocks[0].id == first.blocks[0].id
    # Another patient (a different record number) gets other ids all the way down.
    document["patient"]["mrn"] = "OTHER-1"
    other = parse_document(document)
    assert other.patient.id != first.patient.id
    assert other.blocks[0].id != first.blocks[0].id
    assert other.blocks[0].entries[0].id != entry.id


def test_two_blocks_alike_get_different_derived_ids() -> None:
    document = valid_document()
    document["blocks"] = document["blocks"][:1]
    del document["blocks"][0]["id"]
    for entry in document["blocks"][0]["entries"]:
        del entry["id"]
    document["blocks"].append(copy.deepcopy(document["blocks"][0]))
    diary = parse_document(document)
    assert len({block.id for block in diary.blocks}) == 2
    entry_ids = [entry.id for block in diary.blocks for entry in block.entries]
    assert len(set(entry_ids)) == len(entry_ids)


def test_upper_case_uuid_is_kept_in_canonical_form() -> None:
    document = valid_document()
    document["patient"]["id"] = PATIENT_ID.upper()
    assert parse_document(document).patient.id == PATIENT_ID


def test_optional_keys_take_their_defaults() -> None:
    document = {
        "format": "paintrack-diary",
        "version": 1,
        "patient": {"name": "Jane Example"},
        "blocks": [
            {
                "performed_at": "2026-03-02T09:30:00-05:00",
                "region": "cervical",
                "side": "left",
                "agent": "ropivacaine",
                "entries": [
                    {
                        "at": "2026-03-02T09:45:00-05:00",
                        "recorded_at": "2026-03-02T09:45:00-05:00",
                        "scores": {"index": 3},
                    }
                ],
            }
        ],
    }
    diary = parse_document(document)
    assert diary.patient.birth_date is None and diary.patient.mrn is None
    block = diary.blocks[0]
    assert (block.levels, block.concentration_percent, block.volume_ml) == ((), None, None)
    assert (block.sequence, block.sedation.value, block.steroid) == (1, "none", False)
    assert (block.sites, block.activities, block.protocol) == (("index",), (), "standard")
    entry = block.entries[0]
    assert entry.patient_relief_percent is None and entry.activity is None
    assert entry.activity_ability is None and entry.rescue_medication is False
    assert (entry.source, entry.note) == (Source.APP, "")


def test_blocks_and_entries_come_back_in_time_order() -> None:
    document = valid_document()
    document["blocks"].reverse()
    document["blocks"][1]["entries"].reverse()
    diary = parse_document(document)
    assert [block.id for block in diary.blocks] == list(BLOCK_IDS)
    assert [entry.id for entry in diary.blocks[0].entries] == list(ENTRY_IDS[:2])


def test_every_problem_is_reported_at_once() -> None:
    document = valid_document()
    document["blocks"][0]["entries"][1]["scores"]["index"] = 11
    document["blocks"][1]["agent"] = "lignocaine"
    document["patient"]["birth_date"] = "yesterday"
    error = format_error(document)
    assert [p.path for p in error.problems] == [
        "patient.birth_date",
        "blocks[0].entries[1].scores.index",
        "blocks[1].agent",
    ]
    lines = str(error).splitlines()
    assert lines[0] == (
        'diary.json: patient.birth_date: expected a date like "1958-03-14", or null, got '
        '"yesterday"'
    )
    assert lines[1] == "2 more problems in diary.json:"
    assert lines[2] == (
        "  blocks[0].entries[1].scores.index: expected a whole number from 0 to 10, got 11"
    )
    assert lines[3].startswith('  blocks[1].agent: expected an agent: one of "lidocaine"')


def test_a_file_wrong_everywhere_stops_collecting() -> None:
    document = valid_document()
    entry = document["blocks"][0]["entries"][1]
    document["blocks"][0]["entries"] = [dict(entry, id=str(uuid.uuid4())) for _ in range(500)]
    for item in document["blocks"][0]["entries"]:
        item["scores"] = {"index": 99}
    error = format_error(document)
    assert 1 < len(error.problems) <= 50
    lines = str(error).splitlines()
    assert lines[1].endswith("more problems in diary.json:")
    assert "+" in lines[1]
    assert lines[-1] == "  ... and more not listed here"
    assert len(lines) <= 25


def test_a_block_with_an_invalid_sites_list_does_not_blame_its_scores() -> None:
    document = valid_document()
    document["blocks"][1]["sites"] = ["left", "middle"]
    error = format_error(document)
    assert [p.path for p in error.problems] == ["blocks[1].sites"]


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_non_finite_numbers_are_refused_with_their_path(literal: str) -> None:
    text = json.dumps(valid_document()).replace(
        '"concentration_percent": 2.0', f'"concentration_percent": {literal}'
    )
    with pytest.raises(DiaryFormatError) as caught:
        parse_diary(text, "diary.json")
    assert str(caught.value) == (
        "diary.json: blocks[0].concentration_percent: expected a concentration in percent from "
        f"0 to 100, or null, got {literal}"
    )


def test_huge_exponent_is_not_a_number() -> None:
    text = json.dumps(valid_document()).replace('"volume_ml": 0.5', '"volume_ml": 1e999', 1)
    with pytest.raises(DiaryFormatError) as caught:
        parse_diary(text, "diary.json")
    assert str(caught.value) == (
        "diary.json: blocks[0].volume_ml: expected a volume in mL (0 or more), or null, got "
        "Infinity"
    )


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (
            [],
            'expected a paintrack diary with "format": "paintrack-diary" (a JSON object {...}), '
            "got an empty list []",
        ),
        (
            "diary",
            'expected a paintrack diary with "format": "paintrack-diary" (a JSON object '
            '{...}), got "diary"',
        ),
    ],
)
def test_top_level_must_be_an_object(document: Any, message: str) -> None:
    assert str(format_error(document)) == f"diary.json: {message}"


def test_another_kind_of_file_is_named_before_its_keys() -> None:
    bundle = {"resourceType": "Bundle", "format": "fhir", "entry": []}
    error = format_error(bundle)
    assert str(error) == (
        'diary.json: format: expected "paintrack-diary", got "fhir" (is this a paintrack '
        "diary file?)"
    )


def test_newer_version_is_named_before_its_new_keys() -> None:
    document = valid_document()
    document["version"] = 3
    document["clinic"] = {"name": "Spine Centre"}
    error = format_error(document)
    assert [p.path for p in error.problems] == ["version"]


def test_keys_that_are_not_names_are_quoted_in_the_path() -> None:
    document = valid_document()
    document["blocks"][0]["entries"][1]["scores"] = {"lower back": 3}
    error = format_error(document)
    assert str(error) == (
        'diary.json: blocks[0].entries[1].scores["lower back"]: "lower back" is not a rated '
        'site of this block (its sites are "index")'
    )
