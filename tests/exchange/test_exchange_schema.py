"""docs/spec/paintrack-diary.schema.json against the reader, so the two cannot drift apart:
every valid diary in tests/ validates, every diary the reader refuses for its shape fails, and
the few rules a JSON Schema cannot say are listed here by name (and must pass the schema)."""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_samples import DEMO, ROOT, valid_document
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from test_exchange_validation import SINGLE_PROBLEMS

from paintrack.clinical.model import Ability, Agent, Region, Sedation, Side, Source
from paintrack.exchange import diary_json
from paintrack.exchange.diary_json import DiaryFormatError, diary_to_dict, parse_diary

SCHEMA_PATH = ROOT / "docs" / "spec" / "paintrack-diary.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text("utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)

# Cases of test_exchange_validation.SINGLE_PROBLEMS that the reader refuses for a reason a JSON
# Schema cannot express; each says why. Every other case must fail the schema, and each of these
# must pass it (so the list stays true: a case the schema learns to refuse leaves the list).
NOT_SHAPE: dict[str, str] = {
    "score-whole-float": "JSON Schema counts 7.0 as the integer 7",
    "sequence-float": "JSON Schema counts 1.0 as the integer 1",
    "time-impossible-day": "the calendar: 30 February matches the pattern",
    "birth-date-impossible": "the calendar: 30 February matches the pattern",
    "recorded-before-at": "compares two values of the entry",
    "activity-not-listed": "compares the entry with its block's activities",
    "activity-on-block-without-activities": "compares the entry with its block's activities",
    "id-duplicate-entry": "uniqueness across the whole file",
    "id-duplicate-across-kinds": "uniqueness across the whole file",
    "id-duplicate-other-case": "uniqueness across the whole file, ignoring case",
    "name-with-lone-surrogate": "not a Unicode string at all once decoded",
    "mrn-with-lone-surrogate": "not a Unicode string at all once decoded",
    "protocol-unknown": "depends on the clinic settings (which protocols they define)",
}


def _schema_errors(document: Any) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(document)]


def _reader_accepts(document: Any) -> bool:
    try:
        parse_diary(json.dumps(document), "diary.json")
    except DiaryFormatError:
        return False
    return True


def _diary_files() -> list[Path]:
    """Every JSON file under tests/ (and the shipped demo) that says it is a diary."""
    found = [DEMO]
    for path in sorted((ROOT / "tests").rglob("*.json")):
        try:
            document = json.loads(path.read_text("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
        if isinstance(document, dict) and document.get("format") == "paintrack-diary":
            found.append(path)
    return found


DIARY_FILES = _diary_files()


def test_the_schema_is_a_valid_2020_12_schema() -> None:
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_there_are_diary_files_to_check() -> None:
    names = {path.name for path in DIARY_FILES}
    assert {"demo-diary.json", "bilateral.json", "minimal.json", "paper.json"} <= names


@pytest.mark.parametrize("path", DIARY_FILES, ids=[p.name for p in DIARY_FILES])
def test_every_valid_diary_in_tests_validates(path: Path) -> None:
    document = json.loads(path.read_text("utf-8"))
    diary = diary_json.read_diary_file(path)  # the reader takes it ...
    assert _schema_errors(document) == []  # ... and so does the schema
    # What paintrack writes validates too (every key present, times in UTC).
    assert _schema_errors(diary_to_dict(diary)) == []


def test_the_validation_tests_base_document_validates() -> None:
    assert _schema_errors(valid_document()) == []


def test_the_not_shape_list_names_real_cases() -> None:
    assert set(NOT_SHAPE) <= set(SINGLE_PROBLEMS)


@pytest.mark.parametrize("case", list(SINGLE_PROBLEMS), ids=list(SINGLE_PROBLEMS))
def test_each_malformed_diary_fails_the_schema_unless_listed(case: str) -> None:
    mutate, _, _ = SINGLE_PROBLEMS[case]
    document = valid_document()
    mutate(document)
    assert not _reader_accepts(document)
    if case in NOT_SHAPE:
        assert _schema_errors(document) == [], NOT_SHAPE[case]
    else:
        assert _schema_errors(document) != []


@pytest.mark.parametrize(
    "document",
    [
        [],
        "diary",
        {"resourceType": "Bundle", "format": "fhir", "entry": []},
        {**valid_document(), "version": 3, "clinic": {"name": "Spine Centre"}},
    ],
    ids=["list", "text", "fhir-bundle", "newer-version"],
)
def test_other_files_fail_the_schema(document: Any) -> None:
    assert not _reader_accepts(document)
    assert _schema_errors(document) != []


def _object_keys(schema_object: dict[str, Any]) -> list[str]:
    return list(schema_object["properties"])


def test_the_schema_has_exactly_the_readers_keys() -> None:
    defs = SCHEMA["$defs"]
    assert _object_keys(SCHEMA) == list(diary_json._TOP_KEYS)
    assert _object_keys(defs["patient"]) == list(diary_json._PATIENT_KEYS)
    assert _object_keys(defs["block"]) == list(diary_json._BLOCK_KEYS)
    assert _object_keys(defs["entry"]) == list(diary_json._ENTRY_KEYS)


def test_the_schema_has_exactly_the_models_choices() -> None:
    block = SCHEMA["$defs"]["block"]["properties"]
    entry = SCHEMA["$defs"]["entry"]["properties"]
    assert block["region"]["enum"] == [member.value for member in Region]
    assert block["side"]["enum"] == [member.value for member in Side]
    assert block["agent"]["enum"] == [member.value for member in Agent]
    assert block["sedation"]["enum"] == [member.value for member in Sedation]
    assert entry["source"]["enum"] == [member.value for member in Source]
    assert entry["activity_ability"]["enum"] == [member.value for member in Ability] + [None]
    assert SCHEMA["properties"]["version"]["const"] == diary_json.FORMAT_VERSION


# -- every key taken away, every value replaced: the reader and the schema agree --------------


def _complete_document() -> dict[str, Any]:
    """The base document with every optional key present and no entry naming an activity, so
    taking one key away never breaks a rule between two places (which only the reader checks)."""
    document = valid_document()
    for block in document["blocks"]:
        for entry in block["entries"]:
            entry["activity"] = None
            entry["activity_ability"] = None
            entry.setdefault("recorded_at", entry["at"])
            entry.setdefault("source", "app")
            entry.setdefault("patient_relief_percent", None)
            entry.setdefault("rescue_medication", False)
            entry.setdefault("note", "")
    assert _reader_accepts(document) and _schema_errors(document) == []
    return document


def _paths(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if path:
        yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _parent(document: Any, path: tuple[str | int, ...]) -> Any:
    target = document
    for part in path[:-1]:
        target = target[part]
    return target


PATHS = list(_paths(_complete_document()))
KEY_PATHS = [path for path in PATHS if isinstance(path[-1], str)]


def _name(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path)


@pytest.mark.parametrize("path", KEY_PATHS, ids=[_name(p) for p in KEY_PATHS])
def test_taking_any_key_away_is_refused_by_both_or_neither(path: tuple[str | int, ...]) -> None:
    document = _complete_document()
    del _parent(document, path)[path[-1]]
    assert _reader_accepts(document) == (_schema_errors(document) == [])


@pytest.mark.parametrize("path", PATHS, ids=[_name(p) for p in PATHS])
def test_a_stray_object_anywhere_is_refused_by_both(path: tuple[str | int, ...]) -> None:
    document = _complete_document()
    _parent(document, path)[path[-1]] = {"unexpected": True}
    assert not _reader_accepts(document)
    assert _schema_errors(document) != []


# Values a person might write by mistake in any field.
VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    7,
    10,
    11,
    -1,
    7.5,
    100,
    101,
    "",
    " ",
    "x",
    "index",
    "left",
    "right",
    "bilateral",
    "paper",
    "app",
    "lumbar",
    "lidocaine",
    "none",
    "yes",
    "L4 MB",
    "standing 10 minutes",
    "2026-03-02T09:30:00Z",
    "2026-03-02T09:30:00",
    "2026-03-02",
    "1958-03-14",
    "0f8fad5b-d9cb-469f-a165-70867728950e",
    [],
    ["index"],
    ["left", "right"],
    ["x", "x"],
    {},
    {"index": 3},
    {"left": 3},
]


def _not_shape(document: Any) -> bool:
    """Whether the reader's refusal is one of NOT_SHAPE's kinds of rule."""
    try:
        parse_diary(json.dumps(document), "diary.json")
    except DiaryFormatError as error:
        messages = [problem.message for problem in error.problems]
    else:
        return False
    kinds: list[Callable[[str], bool]] = [
        lambda m: "is already used by" in m,
        lambda m: "before the time it refers to" in m,
        lambda m: "the block's activities" in m or "the block lists no activities" in m,
        lambda m: "already rates" in m,  # a second score for a site at the same moment
        lambda m: "out of range" in m and "offset" not in m,  # the calendar
        lambda m: m.startswith("unknown protocol"),  # the clinic settings' protocols
    ]
    return all(any(kind(message) for kind in kinds) for message in messages)


@given(path=st.sampled_from(PATHS), value=st.sampled_from(VALUES))
def test_any_one_change_the_schema_refuses_the_reader_refuses_too(
    path: tuple[str | int, ...], value: Any
) -> None:
    """The schema is never stricter than the reader, and where the reader refuses, so does the
    schema, unless the rule is one of the kinds only the reader can check."""
    document = _complete_document()
    _parent(document, path)[path[-1]] = copy.deepcopy(value)
    schema_ok = _schema_errors(document) == []
    reader_ok = _reader_accepts(document)
    if reader_ok:
        assert schema_ok
    elif schema_ok:
        assert _not_shape(document)


def test_non_finite_numbers_are_not_json() -> None:
    """NaN and Infinity are not JSON: the reader refuses them; a strict JSON parser (as schema
    validators use) cannot even read them."""
    text = json.dumps(valid_document()).replace('"volume_ml": 0.5', '"volume_ml": NaN', 1)
    with pytest.raises(DiaryFormatError):
        parse_diary(text, "diary.json")

    def refuse(literal: str) -> float:
        raise ValueError(literal)

    with pytest.raises(ValueError, match="NaN"):
        json.loads(text, parse_constant=refuse)
    assert math.isnan(json.loads(text)["blocks"][0]["volume_ml"])
