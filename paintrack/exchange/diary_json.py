"""The paintrack-diary JSON file (diary-format.md): strict parsing into clinical dataclasses,
and writing them back out.

Strict on purpose: a typo in a clinical record must not pass silently, so unknown keys, naive
times, out-of-range or non-integer scores and the like are errors that name the file, the JSON
path and what was expected. Every problem in the file is reported at once (up to a limit), and
nothing is returned unless the whole file is valid.
"""

from __future__ import annotations

import difflib
import json
import math
import os
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, TypeVar

from paintrack.clinical.fields import (
    BLOCK_FIELDS,
    PATIENT_FIELDS,
    block_values,
    entry_values,
    patient_values,
)
from paintrack.clinical.model import (
    BILATERAL_SITES,
    INDEX_SITE,
    MAX_OFFSET_MINUTES,
    MAX_SCORE,
    MAX_SEQUENCE,
    MIN_SCORE,
    STANDARD_PROTOCOL,
    Ability,
    Agent,
    Block,
    Diary,
    Entry,
    Patient,
    Region,
    Sedation,
    Side,
    Site,
    Source,
)
from paintrack.clinical.validation import (
    MAX_DETAIL_CHARS,
    RecordProblem,
    SitesFault,
    TextFault,
    block_problems,
    entry_problems,
    is_amount,
    is_blank,
    is_percent,
    is_score,
    is_sequence,
    is_whole_number,
    patient_problems,
    sites_fault,
    text_fault,
)
from paintrack.exchange.errors import DiaryFormatError, DiaryProblem
from paintrack.exchange.files import MAX_FILE_BYTES, read_limited, too_big_message, write_atomic

__all__ = [
    "FORMAT_NAME",
    "FORMAT_VERSION",
    "DiaryFormatError",
    "DiaryProblem",
    "ParsedDiary",
    "diary_to_dict",
    "diary_to_json",
    "format_time",
    "parse_diary",
    "parse_diary_details",
    "read_diary_file",
    "read_diary_file_details",
    "write_diary_file",
]

FORMAT_NAME = "paintrack-diary"
FORMAT_VERSION = 1

# Stop collecting after this many problems: a file that is wrong everywhere is wrong, and
# collecting millions of messages for a 50 MB file would be its own problem.
_MAX_COLLECTED = 50

_TOP_KEYS = ("format", "version", "patient", "blocks")
_PATIENT_KEYS = PATIENT_FIELDS
# The block's fields and its entries; the UTC offset is written as part of performed_at.
_BLOCK_KEYS = (*(key for key in BLOCK_FIELDS if key != "utc_offset_minutes"), "entries")
# The entry's fields as the file has them: the estimate per side is written in
# patient_relief_percent (an object instead of one number), and the medicine before the source.
_ENTRY_KEYS = (
    "id",
    "at",
    "recorded_at",
    "scores",
    "patient_relief_percent",
    "activity",
    "activity_ability",
    "rescue_medication",
    "rescue_medication_detail",
    "source",
    "note",
)
# Integers longer than this are kept as _LongNumber (never converted: Python refuses 4,301 digits
# and float() overflows at 309), so the message can name the field.
_MAX_INT_DIGITS = 30

_TIME_EXAMPLE = '"2026-03-02T09:30:00-05:00"'
_TIME_EXPECTED = f"expected a date and time with a UTC offset, like {_TIME_EXAMPLE} (Z for UTC)"
_TIME_RE = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})[Tt]"
    r"(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?)?"
    r"(?P<offset>[Zz]|[+-]\d{2}:\d{2})?"
)
_DATE_RE = re.compile(r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})")
_UUID_RE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

JsonPath = tuple[str | int, ...]

# Records without an id get one derived from what identifies them (uuid5 in this namespace), so
# the same hand-written file imported twice gives the same ids and adds nothing the second time:
#   patient: name, birth date, MRN
#   block:   patient id, performed_at (UTC), region, side, sequence
#   entry:   block id, at (UTC), the sites it rates
# A changed score at the same moment keeps the entry's id, so the import sees it as differing
# from the stored entry and keeps the stored one rather than overwriting it.
DERIVED_ID_NAMESPACE = uuid.UUID("5d0f3c9e-8a47-4f0b-9a6e-2c1b7d4e6a10")
_ABSENT_ID = ""  # _id's answer for a record without an id: derived once its content is read
T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


# --------------------------------------------------------------------------------------------
# Reading


@dataclass(frozen=True)
class ParsedDiary:
    """A parsed diary and what parsing had to fill in, for the import summary."""

    diary: Diary
    generated_ids: int  # ids that were absent from the file and derived while parsing
    # Where each block's protocol is in the file ("blocks[2].protocol"), by block id, so a
    # caller that checks the protocols against the clinic settings can name the path.
    protocol_paths: Mapping[str, str] = field(default_factory=dict)


# Pass as `protocols` to accept every protocol name (the caller checks them itself).
ANY_PROTOCOL: tuple[str, ...] = ("*",)


def parse_diary(
    text: str | bytes, source_name: str, *, protocols: Iterable[str] | None = None
) -> Diary:
    """Parse and validate diary JSON; DiaryFormatError (a UserError) on any problem.

    Times come back in UTC, each block keeping the UTC offset its `performed_at` was written
    in (its date of service, clinical.md item 11); blocks in order of `performed_at` (then
    sequence, id) and entries in order of `at` (then `recorded_at`, id), as the store returns
    them. `source_name` is how messages name the file (usually the path the user typed).
    `protocols` are the protocol names a block may use (the clinic settings'; default the
    standard one only): any other is refused with its path.
    """
    return parse_diary_details(text, source_name, protocols=protocols).diary


def parse_diary_details(
    text: str | bytes, source_name: str, *, protocols: Iterable[str] | None = None
) -> ParsedDiary:
    """`parse_diary`, also saying how many ids were generated (absent from the file)."""
    document = _load_json(text, source_name)
    reader = _DiaryReader(source_name, protocols)
    try:
        diary = reader.read_document(document)
    except _TooManyProblems:
        raise DiaryFormatError(source_name, reader.problems, more=True) from None
    if reader.problems or diary is None:
        raise DiaryFormatError(source_name, reader.problems)
    return ParsedDiary(
        diary=diary, generated_ids=reader.generated_ids, protocol_paths=reader.protocol_paths
    )


def read_diary_file(
    path: str | os.PathLike[str], *, protocols: Iterable[str] | None = None
) -> Diary:
    """Read and validate a diary file; files over 50 MB are refused before being read."""
    return read_diary_file_details(path, protocols=protocols).diary


def read_diary_file_details(
    path: str | os.PathLike[str], *, protocols: Iterable[str] | None = None
) -> ParsedDiary:
    name = os.fspath(path)
    return parse_diary_details(read_limited(name), name, protocols=protocols)


class _NonFinite:
    """What NaN / Infinity in the JSON turn into, so the error can name its path."""

    def __init__(self, literal: str) -> None:
        self.literal = literal


class _LongNumber:
    """An integer of more than _MAX_INT_DIGITS digits, kept as text so that reading it cannot
    fail (Python refuses to convert 4,301 digits) and the error can name its path."""

    def __init__(self, digits: str) -> None:
        self.digits = digits


def _parse_int(text: str) -> int | _LongNumber:
    if len(text.lstrip("-")) > _MAX_INT_DIGITS:
        return _LongNumber(text)
    return int(text)


class _JsonObject(dict[str, Any]):
    """A JSON object that remembers keys it saw twice (json.loads would keep the last silently)."""

    duplicate_keys: tuple[str, ...] = ()


def _object_from_pairs(pairs: list[tuple[str, Any]]) -> _JsonObject:
    result = _JsonObject()
    duplicates: list[str] = []
    for key, value in pairs:
        if key in result and key not in duplicates:
            duplicates.append(key)
        result[key] = value
    if duplicates:
        result.duplicate_keys = tuple(duplicates)
    return result


def _whole_file_error(source_name: str, message: str) -> DiaryFormatError:
    return DiaryFormatError(source_name, [DiaryProblem("", message)])


# The first bytes of files people pick by mistake instead of a diary, and what to call them.
_OTHER_FILES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"SQLite format 3\x00", "a database file (paintrack's own diary or a backup of it?)"),
    (b"PK\x03\x04", "a ZIP archive or an Office document (Word, Excel)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office document (Word, Excel)"),
    (b"{\\rtf", "a word-processor document (RTF)"),
    (b"\x89PNG\r\n\x1a\n", "a picture (PNG)"),
    (b"\xff\xd8\xff", "a picture (JPEG)"),
    (b"GIF87a", "a picture (GIF)"),
    (b"GIF89a", "a picture (GIF)"),
    (b"II*\x00", "a picture (TIFF)"),
    (b"MM\x00*", "a picture (TIFF)"),
)
_CHOOSE_DIARY = (
    "Choose the diary file that Export diary (or paintrack export) writes; its name ends in .json."
)


def _other_kind(data: bytes) -> str | None:
    """What a file that is clearly not a diary is (a PDF, a picture...), from its first bytes."""
    for magic, kind in _OTHER_FILES:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp":
        return "a picture or video (HEIC, MP4)"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "a picture (WebP)"
    return None


def _decode(data: bytes, source_name: str) -> str:
    kind = _other_kind(data)
    if kind is not None:
        raise _whole_file_error(
            source_name, f"this is {kind}, not a paintrack diary file (.json). {_CHOOSE_DIARY}"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _whole_file_error(
            source_name, "the file is UTF-16 text; diary files must be UTF-8 (save it as UTF-8)"
        )
    if data.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark, as Windows Notepad writes
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = error.start - (before.rfind(b"\n") + 1) + 1
        raise _whole_file_error(
            source_name,
            f"not UTF-8 text: byte 0x{data[error.start]:02x} at line {line}, column {column} "
            "is not valid UTF-8; diary files must be saved as UTF-8",
        ) from None


def _load_json(text: str | bytes, source_name: str) -> Any:
    if len(text) > MAX_FILE_BYTES:
        raise _whole_file_error(source_name, too_big_message(len(text)))
    if isinstance(text, bytes):
        text = _decode(text, source_name)
    elif text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise _whole_file_error(source_name, "the file is empty; expected a paintrack diary")
    try:
        return json.loads(
            text,
            object_pairs_hook=_object_from_pairs,
            parse_constant=_NonFinite,
            parse_int=_parse_int,
        )
    except json.JSONDecodeError as error:
        where = f"{error.msg} at line {error.lineno}, column {error.colno}"
        first_line = text.lstrip().partition("\n")[0]
        if first_line.startswith("patient_name,patient_mrn,"):
            raise _whole_file_error(
                source_name,
                "this is a spreadsheet (CSV) export of paintrack, not a paintrack diary file "
                f"(.json); a CSV file cannot be imported. {_CHOOSE_DIARY}",
            ) from None
        if error.pos == 0 or not text.lstrip().startswith(("{", "[")):
            # Not JSON at all: most often a CSV export or another program's file.
            raise _whole_file_error(
                source_name,
                f"this is not a paintrack diary file (not JSON: {where}). Import the .json "
                "file that paintrack export writes; a CSV export cannot be imported.",
            ) from None
        raise _whole_file_error(source_name, f"not valid JSON: {where}") from None
    except RecursionError:
        raise _whole_file_error(source_name, "not a diary: the JSON is nested too deeply") from None
    except ValueError as error:  # for example an integer with thousands of digits
        raise _whole_file_error(source_name, f"not valid JSON: {error}") from None


class _Invalid(Exception):
    """One field's problem, caught where the field is read so reading can carry on."""

    def __init__(self, message: str, *, at: JsonPath = ()) -> None:
        super().__init__(message)
        self.message = message
        self.at = at  # where inside the field, for example (2,) for the third item of a list


class _TooManyProblems(Exception):
    pass


def format_path(path: JsonPath) -> str:
    """`blocks[1].entries[4].scores.index`; keys that are not identifiers are quoted."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _IDENTIFIER_RE.fullmatch(part):
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part, ensure_ascii=False)}]"
    return text


def _show(value: Any) -> str:
    """A JSON value as the user wrote it, shortened, for "got ..." in messages."""
    if isinstance(value, _NonFinite):
        return value.literal
    if isinstance(value, _LongNumber):
        return f"a whole number of {len(value.digits.lstrip('-'))} digits"
    if isinstance(value, dict):
        return "an object {...}"
    if isinstance(value, list):
        return "a list [...]" if value else "an empty list []"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + '..."'


def _quote_all(values: Iterable[str]) -> str:
    return ", ".join(json.dumps(value, ensure_ascii=False) for value in values)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any, expected: str) -> float:
    if isinstance(value, _NonFinite | _LongNumber) or (
        isinstance(value, float) and not math.isfinite(value)
    ):
        raise _Invalid(f"{expected}, got {_show(value)}")
    if not _is_number(value):
        hint = " (a string; write the number without quotes)" if isinstance(value, str) else ""
        raise _Invalid(f"{expected}, got {_show(value)}{hint}")
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float (over 308 digits)
        raise _Invalid(f"{expected}, got {_show(value)} (far too large)") from None
    if not math.isfinite(number):
        raise _Invalid(f"{expected}, got {_show(value)} (far too large)")
    return number


def _storable(value: str) -> None:
    """Text the database can hold: no NUL, and no lone surrogate (a broken \\ud800 escape)."""
    fault = text_fault(value)
    if fault == TextFault.NUL:
        raise _Invalid("the text contains a NUL character (\\u0000), which cannot be stored")
    if fault == TextFault.SURROGATE:
        raise _Invalid(
            "the text contains a broken \\u escape (half of a surrogate pair), which is not a "
            "character; fix or remove it"
        )


def _text(value: Any, expected: str = "expected a non-empty text") -> str:
    if is_blank(value):
        raise _Invalid(f"{expected}, got {_show(value)}")
    _storable(value)
    return str(value)


def _enum(kind: type[E], value: Any, what: str) -> E:
    choices = [member.value for member in kind]
    if isinstance(value, str) and value in choices:
        return kind(value)
    hint = ""
    if isinstance(value, str) and value.strip().lower() in choices:
        hint = f' (write it as "{value.strip().lower()}")'
    raise _Invalid(f"expected {what}: one of {_quote_all(choices)}, got {_show(value)}{hint}")


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _Invalid(f"expected true or false, got {_show(value)}")
    return value


def _earliest_block_time(raw_blocks: Any) -> str | None:
    """The earliest readable `performed_at` among the file's blocks (in UTC), or None; used
    only to tell apart patients who have nothing but a name. Bad values are reported where
    the blocks themselves are read."""
    times = []
    for raw in raw_blocks if isinstance(raw_blocks, list) else []:
        if isinstance(raw, dict):
            try:
                times.append(parse_time(raw.get("performed_at")))
            except _Invalid:
                continue
    return format_time(min(times)) if times else None


def parse_time(value: Any) -> datetime:
    """A strict ISO 8601 date and time with a UTC offset (`Z` allowed), returned in UTC.

    Python's fromisoformat accepts dates alone, naive times and other forms a clinical record
    must not have, so the shape is checked first.
    """
    return parse_time_as_written(value).astimezone(UTC)


def _offset_minutes(moment: datetime) -> int:
    offset = moment.utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def parse_block_time(value: Any) -> tuple[datetime, int]:
    """A block's `performed_at` in UTC and the UTC offset (minutes) it was written in: the
    block's recorded offset, which decides its date of service (clinical.md item 11)."""
    moment = parse_time_as_written(value)
    minutes = _offset_minutes(moment)
    if abs(minutes) > MAX_OFFSET_MINUTES:
        raise _Invalid(
            f"{_TIME_EXPECTED}, got {_show(value)} (a UTC offset beyond -18:00 to +18:00)"
        )
    return moment.astimezone(UTC), minutes


def parse_time_as_written(value: Any) -> datetime:
    """`parse_time`, keeping the UTC offset the time was written in."""
    if not isinstance(value, str):
        raise _Invalid(f"{_TIME_EXPECTED}, got {_show(value)}")
    match = _TIME_RE.fullmatch(value)
    if match is None:
        if _DATE_RE.fullmatch(value):
            raise _Invalid(f"{_TIME_EXPECTED}, got {_show(value)} (a date without a time)")
        raise _Invalid(f"{_TIME_EXPECTED}, got {_show(value)}")
    offset_text = match["offset"]
    if offset_text is None:
        raise _Invalid(
            f"{_TIME_EXPECTED}, got {_show(value)} (no UTC offset: add Z for UTC, or the local "
            "offset such as -05:00)"
        )
    if offset_text in ("Z", "z"):
        offset = timedelta(0)
    else:
        sign = -1 if offset_text[0] == "-" else 1
        hours, minutes = int(offset_text[1:3]), int(offset_text[4:6])
        if hours > 23 or minutes > 59:
            raise _Invalid(f"{_TIME_EXPECTED}, got {_show(value)} (the offset is out of range)")
        offset = sign * timedelta(hours=hours, minutes=minutes)
    fraction = match["fraction"] or ""
    try:
        moment = datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"] or 0),
            int(fraction.ljust(6, "0")) if fraction else 0,
            tzinfo=timezone(offset),
        )
        moment.astimezone(UTC)  # out of range in UTC (year 1 or 9999 with an offset)
        return moment
    except (ValueError, OverflowError) as error:
        raise _Invalid(f"{_TIME_EXPECTED}, got {_show(value)} ({error})") from None


def _birth_date(value: Any) -> date | None:
    if value is None:
        return None
    expected = 'expected a date like "1958-03-14", or null'
    if not isinstance(value, str):
        raise _Invalid(f"{expected}, got {_show(value)}")
    match = _DATE_RE.fullmatch(value)
    if match is None:
        raise _Invalid(f"{expected}, got {_show(value)}")
    try:
        return date(int(match["year"]), int(match["month"]), int(match["day"]))
    except ValueError as error:
        raise _Invalid(f"{expected}, got {_show(value)} ({error})") from None


def _score(value: Any) -> int:
    expected = f"expected a whole number from {MIN_SCORE} to {MAX_SCORE}"
    if is_whole_number(value):
        if is_score(value):
            return int(value)
        raise _Invalid(f"{expected}, got {value}")
    if isinstance(value, float) and math.isfinite(value):
        if value.is_integer():
            hint = f"write {int(value)} without a decimal point"
        else:
            hint = "scores are whole numbers"
        raise _Invalid(f"{expected}, got {_show(value)} ({hint})")
    if isinstance(value, str):
        raise _Invalid(
            f"{expected}, got {_show(value)} (a string; write the number without quotes)"
        )
    raise _Invalid(f"{expected}, got {_show(value)}")


class _DiaryReader:
    """Walks the parsed JSON, collecting every problem with its path."""

    def __init__(self, source_name: str, protocols: Iterable[str] | None = None) -> None:
        self.source_name = source_name
        self.protocols: tuple[str, ...] = tuple(
            sorted(set(protocols) if protocols is not None else {STANDARD_PROTOCOL})
        )
        self.protocol_paths: dict[str, str] = {}
        self.problems: list[DiaryProblem] = []
        self.generated_ids = 0
        self._ids: dict[str, str] = {}  # id -> path where it was first seen
        self._derived: dict[str, int] = {}  # derivation key -> times used (to keep ids unique)
        self._patient_id: str | None = None  # the patient's id, the blocks' derived ids use it

    # ---- bookkeeping

    def problem(self, path: JsonPath, message: str) -> None:
        self.problems.append(DiaryProblem(format_path(path), message))
        if len(self.problems) >= _MAX_COLLECTED:
            raise _TooManyProblems

    def _object(
        self, value: Any, path: JsonPath, keys: Sequence[str], what: str
    ) -> _JsonObject | None:
        """`value` as a JSON object with only `keys`; unknown and repeated keys are problems."""
        if not isinstance(value, _JsonObject):
            self.problem(path, f"expected {what} (a JSON object {{...}}), got {_show(value)}")
            return None
        for key in value.duplicate_keys:
            self.problem((*path, key), "this key appears more than once in the same object")
        for key in value:
            if key not in keys:
                close = difflib.get_close_matches(key, keys, n=1)
                hint = f'did you mean "{close[0]}"? ' if close else ""
                self.problem(
                    (*path, key),
                    f"unknown key ({hint}expected only {_quote_all(keys)})",
                )
        return value

    def _required(
        self, obj: Mapping[str, Any], path: JsonPath, key: str, read: Callable[[Any], T], what: str
    ) -> T | None:
        if key not in obj:
            self.problem((*path, key), f"missing; expected {what}")
            return None
        return self._optional(obj, path, key, read, None)

    def _optional(
        self, obj: Mapping[str, Any], path: JsonPath, key: str, read: Callable[[Any], T], default: T
    ) -> T:
        if key not in obj:
            return default
        try:
            return read(obj[key])
        except _Invalid as invalid:
            self.problem((*path, key, *invalid.at), invalid.message)
            return default

    def _id(self, obj: Mapping[str, Any], path: JsonPath) -> str | None:
        """The object's id (lower-case canonical UUID); _ABSENT_ID when absent (derived later
        from the record's content, see DERIVED_ID_NAMESPACE); None if invalid."""
        if "id" not in obj:
            self.generated_ids += 1
            return _ABSENT_ID
        value = obj["id"]
        if not isinstance(value, str) or not _UUID_RE.fullmatch(value):
            self.problem(
                (*path, "id"),
                'expected a UUID like "0f8fad5b-d9cb-469f-a165-70867728950e" (or leave the id '
                f"out to have one made), got {_show(value)}",
            )
            return None
        canonical = str(uuid.UUID(value))
        first = self._ids.get(canonical)
        if first is not None:
            self.problem((*path, "id"), f"the id {canonical} is already used by {first}")
            return None
        self._ids[canonical] = format_path(path)
        return canonical

    def _derive_id(self, *key: Any) -> str:
        """A stable id for a record without one, from what identifies it. Two records of the
        file with the same key (for example two blocks at the same time, region and side) get
        different ids by their order in the file."""
        text = json.dumps(key, ensure_ascii=False, separators=(",", ":"))
        count = self._derived.get(text, 0)
        self._derived[text] = count + 1
        if count:
            text += f"#{count}"
        return str(uuid.uuid5(DERIVED_ID_NAMESPACE, text))

    def _text_list(
        self, value: Any, what: str, singular: str, *, distinct: bool
    ) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise _Invalid(f"expected a list of {what}, got {_show(value)}")
        items: list[str] = []
        for index, item in enumerate(value):
            try:
                text = _text(item, f"expected {singular}")
            except _Invalid as invalid:
                raise _Invalid(invalid.message, at=(index,)) from None
            if distinct and text in items:
                raise _Invalid(f"{_show(text)} is listed twice", at=(index,))
            items.append(text)
        return tuple(items)

    # ---- the document

    def read_document(self, document: Any) -> Diary | None:
        what = f'a paintrack diary with "format": "{FORMAT_NAME}"'
        if not isinstance(document, _JsonObject):
            self._object(document, (), _TOP_KEYS, what)
            return None
        root = document
        # Format and version first: another kind of file, or a newer format, would otherwise
        # drown the real reason in unknown-key messages.
        if "format" not in root:
            self.problem(
                ("format",),
                f'missing; expected "{FORMAT_NAME}" (is this a paintrack diary file?)',
            )
            return None
        if root["format"] != FORMAT_NAME:
            self.problem(
                ("format",),
                f'expected "{FORMAT_NAME}", got {_show(root["format"])} '
                "(is this a paintrack diary file?)",
            )
            return None
        version = root.get("version")
        if "version" not in root:
            self.problem(("version",), f"missing; expected {FORMAT_VERSION}")
            return None
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.problem(("version",), f"expected {FORMAT_VERSION}, got {_show(version)}")
            return None
        if version > FORMAT_VERSION:
            self.problem(
                ("version",),
                f"this file is version {version} of the diary format, written by a newer "
                f"paintrack; this paintrack reads version {FORMAT_VERSION}. Update paintrack "
                "to read it.",
            )
            return None
        self._object(root, (), _TOP_KEYS, what)

        patient: Patient | None = None
        if "patient" not in root:
            self.problem(("patient",), "missing; expected the patient (an object with a name)")
        else:
            patient = self.read_patient(
                root["patient"], ("patient",), _earliest_block_time(root.get("blocks"))
            )

        blocks: list[Block] = []
        raw_blocks = root.get("blocks", [])
        if not isinstance(raw_blocks, list):
            self.problem(("blocks",), f"expected a list of blocks [...], got {_show(raw_blocks)}")
            raw_blocks = []
        for index, raw_block in enumerate(raw_blocks):
            block = self.read_block(raw_block, ("blocks", index))
            if block is not None:
                blocks.append(block)

        if self.problems or patient is None:
            return None
        # Canonical order, the store's (by time, sequence, id): analysis relies on it, and a
        # parsed file then equals the same diary loaded from the database.
        blocks.sort(key=lambda block: (block.performed_at, block.sequence, block.id))
        return Diary(patient=patient, blocks=tuple(blocks))

    def read_patient(
        self, value: Any, path: JsonPath, first_block_at: str | None = None
    ) -> Patient | None:
        obj = self._object(value, path, _PATIENT_KEYS, "the patient")
        if obj is None:
            return None
        mark = len(self.problems)
        patient_id = self._id(obj, path)
        name = self._required(obj, path, "name", _text, "the patient's name")
        birth_date = self._optional(obj, path, "birth_date", _birth_date, None)
        mrn = self._optional(obj, path, "mrn", _mrn, None)
        if len(self.problems) > mark or patient_id is None or name is None:
            return None
        if patient_id == _ABSENT_ID:
            if birth_date is not None or mrn is not None:
                patient_id = self._derive_id(
                    "patient", name, birth_date.isoformat() if birth_date else None, mrn
                )
            else:
                # A name alone does not tell two people apart (two files for two "Jane Smith"s
                # must never be merged): the first block's time goes into the key too, which a
                # longer version of the same file keeps.
                patient_id = self._derive_id("patient", name, None, None, first_block_at)
        self._patient_id = patient_id
        patient = Patient(name=name, birth_date=birth_date, mrn=mrn, id=patient_id)
        for problem in patient_problems(patient):  # the shared checks, as for blocks
            self._record_problem(path, problem)
        return None if len(self.problems) > mark else patient

    def read_block(self, value: Any, path: JsonPath) -> Block | None:
        obj = self._object(value, path, _BLOCK_KEYS, "a block")
        if obj is None:
            return None
        mark = len(self.problems)
        block_id = self._id(obj, path)
        written = self._required(
            obj,
            path,
            "performed_at",
            parse_block_time,
            "the time of the block, with a UTC offset",
        )
        performed_at, offset_minutes = (None, 0) if written is None else written
        region = self._required(
            obj, path, "region", lambda v: _enum(Region, v, "a region"), "the spinal region"
        )
        side = self._required(obj, path, "side", lambda v: _enum(Side, v, "a side"), "the side")
        agent = self._required(
            obj, path, "agent", lambda v: _enum(Agent, v, "an agent"), "the anaesthetic agent"
        )
        no_levels: tuple[str, ...] = ()
        levels = self._optional(
            obj,
            path,
            "levels",
            lambda v: self._text_list(v, "levels", 'a level like "L4 MB"', distinct=False),
            no_levels,
        )
        concentration = self._optional(obj, path, "concentration_percent", _concentration, None)
        volume = self._optional(obj, path, "volume_ml", _volume, None)
        sequence = self._optional(obj, path, "sequence", _sequence, 1)
        sedation = self._optional(
            obj, path, "sedation", lambda v: _enum(Sedation, v, "a sedation level"), Sedation.NONE
        )
        steroid = self._optional(obj, path, "steroid", _bool, False)
        # None when the list is invalid (reported), so entries are not checked against it.
        activities: tuple[str, ...] | None = ()
        if "activities" in obj:
            activities = self._optional(
                obj,
                path,
                "activities",
                lambda v: self._text_list(
                    v, "activities", 'an activity like "walking"', distinct=True
                ),
                None,
            )
        protocol = self._optional(obj, path, "protocol", self._protocol, STANDARD_PROTOCOL)
        sites = self._sites(obj, path, side)
        if (
            block_id == _ABSENT_ID
            and self._patient_id is not None
            and performed_at is not None
            and region is not None
            and side is not None
        ):
            block_id = self._derive_id(
                "block",
                self._patient_id,
                format_time(performed_at),
                region.value,
                side.value,
                sequence,
            )

        entries: list[tuple[int, Entry]] = []
        raw_entries = obj.get("entries", [])
        if not isinstance(raw_entries, list):
            self.problem(
                (*path, "entries"), f"expected a list of entries [...], got {_show(raw_entries)}"
            )
            raw_entries = []
        context = _BlockContext(sites=sites, activities=activities, block_id=block_id)
        for index, raw_entry in enumerate(raw_entries):
            entry = self.read_entry(raw_entry, (*path, "entries", index), context)
            if entry is not None:
                entries.append((index, entry))
        self._check_same_moment(entries, path)

        if block_id:
            self.protocol_paths[block_id] = format_path((*path, "protocol"))
        if (
            len(self.problems) > mark
            or not block_id
            or performed_at is None
            or region is None
            or side is None
            or agent is None
            or sites is None
            or activities is None
        ):
            return None
        # Canonical order, the store's: by time, then time recorded, then id.
        ordered = sorted(
            (entry for _, entry in entries),
            key=lambda entry: (entry.at, entry.recorded_at, entry.id),
        )
        block = Block(
            performed_at=performed_at,
            region=region,
            side=side,
            agent=agent,
            levels=levels,
            concentration_percent=concentration,
            volume_ml=volume,
            sequence=sequence,
            sedation=sedation,
            steroid=steroid,
            sites=sites,
            activities=activities,
            protocol=protocol,
            entries=tuple(ordered),
            id=block_id,
            utc_offset_minutes=offset_minutes,
        )
        # The checks every layer shares (clinical/validation.py), at their JSON paths. What
        # the reader refused above never gets here, so this only catches a rule it lacks.
        for problem in block_problems(block):
            self._record_problem(path, problem)
        for index, entry in entries:
            for problem in entry_problems(entry, block):
                self._record_problem((*path, "entries", index), problem)
        return None if len(self.problems) > mark else block

    def _record_problem(self, path: JsonPath, problem: RecordProblem) -> None:
        self.problem((*path, problem.field, *problem.at), problem.message)

    def _protocol(self, value: Any) -> str:
        """A protocol the clinic settings define; another name would silently fall back to
        the standard time points, so it is refused."""
        name = _text(value, "expected a protocol name")
        if name not in self.protocols and self.protocols != ANY_PROTOCOL:
            raise _Invalid(
                f"unknown protocol {_show(name)}: the clinic settings define "
                f"{_quote_all(self.protocols)}; use one of them, or add the protocol to the "
                "clinic settings first"
            )
        return name

    def _sites(
        self, obj: Mapping[str, Any], path: JsonPath, side: Side | None
    ) -> tuple[str, ...] | None:
        """The rated sites; absent means left and right for a bilateral block, else index."""
        if "sites" not in obj:
            if side is None:
                return None
            return BILATERAL_SITES if side == Side.BILATERAL else (INDEX_SITE,)
        value = obj["sites"]
        expected = f'expected ["{INDEX_SITE}"], or ["left", "right"] for a bilateral block'
        fault = sites_fault(value, side) if isinstance(value, list) else SitesFault.UNKNOWN
        if fault == SitesFault.UNKNOWN:
            self.problem((*path, "sites"), f"{expected}, got {_show_list(value)}")
            return None
        sites = tuple(Site(site) for site in value)
        if fault == SitesFault.NOT_BILATERAL and side is not None:
            self.problem(
                (*path, "sites"),
                f'["left", "right"] is for a bilateral block, but this block\'s side is '
                f'"{side.value}": rate the usual pain as ["{INDEX_SITE}"], or set "side" to '
                '"bilateral"',
            )
            return None
        return sites

    def read_entry(self, value: Any, path: JsonPath, block: _BlockContext) -> Entry | None:
        obj = self._object(value, path, _ENTRY_KEYS, "an entry")
        if obj is None:
            return None
        mark = len(self.problems)
        entry_id = self._id(obj, path)
        at = self._required(
            obj, path, "at", parse_time, "the time the score refers to, with a UTC offset"
        )
        # None when invalid (reported), so a missing recorded_at is not blamed on it too.
        source: Source | None = Source.APP
        if "source" in obj:
            source = self._optional(
                obj, path, "source", lambda v: _enum(Source, v, "a source"), None
            )
        recorded_at: datetime | None
        if "recorded_at" in obj:
            recorded_at = self._optional(obj, path, "recorded_at", parse_time, None)
        elif source == Source.PAPER:
            recorded_at = at  # a transcribed paper entry: when it was written is unknown
        else:
            recorded_at = None
            if source is not None:
                self.problem(
                    (*path, "recorded_at"),
                    "missing; expected the time the entry was recorded (required for app "
                    'entries; only "paper" entries may leave it out)',
                )
        if at is not None and recorded_at is not None and recorded_at < at:
            self.problem(
                (*path, "recorded_at"),
                f"recorded at {format_time(recorded_at)}, before the time it refers to "
                f"({format_time(at)}); a score cannot be recorded before its moment",
            )
        scores = self._required(
            obj, path, "scores", lambda v: self._scores(v, (*path, "scores"), block), "the scores"
        )
        relief_value = self._optional(
            obj,
            path,
            "patient_relief_percent",
            lambda v: _relief_estimate(v, block.sites),
            None,
        )
        relief: float | None = None
        relief_by_site: dict[str, float] | None = None
        if isinstance(relief_value, dict):
            relief_by_site = relief_value
        else:
            relief = relief_value
        detail = self._optional(obj, path, "rescue_medication_detail", _detail, None)
        activity = self._optional(
            obj, path, "activity", lambda v: _activity(v, block.activities), None
        )
        ability = self._optional(
            obj,
            path,
            "activity_ability",
            lambda v: None if v is None else _enum(Ability, v, "an ability (or null)"),
            None,
        )
        rescue = self._optional(obj, path, "rescue_medication", _bool, False)
        note = self._optional(obj, path, "note", _note, "")
        if (
            len(self.problems) > mark
            or entry_id is None
            or at is None
            or recorded_at is None
            or scores is None
            or source is None
        ):
            return None
        if entry_id == _ABSENT_ID:
            if not block.block_id:
                return None  # the block's own problem is reported; nothing to derive from
            entry_id = self._derive_id("entry", block.block_id, format_time(at), sorted(scores))
        return Entry(
            at=at,
            recorded_at=recorded_at,
            scores=scores,
            patient_relief_percent=relief,
            activity=activity,
            activity_ability=ability,
            rescue_medication=rescue,
            source=source,
            note=note,
            id=entry_id,
            rescue_medication_detail=detail,
            patient_relief_by_site=relief_by_site,
        )

    def _scores(self, value: Any, path: JsonPath, block: _BlockContext) -> dict[str, int] | None:
        """Scores by site. Problems inside are recorded per site (their own paths)."""
        if not isinstance(value, _JsonObject):
            raise _Invalid(
                f'expected the scores by site, like {{"{INDEX_SITE}": 7}}, got {_show(value)}'
            )
        if not value:
            raise _Invalid("expected at least one score; an entry must rate a site")
        for key in value.duplicate_keys:
            self.problem((*path, key), "this site is rated more than once in the same entry")
        scores: dict[str, int] = {}
        ok = not value.duplicate_keys
        for site, raw in value.items():
            if block.sites is not None and site not in block.sites:
                self.problem(
                    (*path, site),
                    f"{_show(site)} is not a rated site of this block (its sites are "
                    f"{_quote_all(block.sites)})",
                )
                ok = False
                continue
            try:
                scores[site] = _score(raw)
            except _Invalid as invalid:
                self.problem((*path, site), invalid.message)
                ok = False
        if not ok:
            return None
        if block.sites is not None:  # canonical order: the block's sites
            scores = {site: scores[site] for site in block.sites if site in scores}
        return scores

    def _check_same_moment(self, entries: Sequence[tuple[int, Entry]], path: JsonPath) -> None:
        """Two entries of one block at the same `at` rating the same site (clinical.md 2)."""
        seen: dict[tuple[datetime, str], int] = {}
        for index, entry in entries:
            for site in entry.scores:
                first = seen.setdefault((entry.at, site), index)
                if first != index:
                    self.problem(
                        (*path, "entries", index, "scores", site),
                        f"{format_path((*path, 'entries', first))} already rates {_show(site)} "
                        f"at the same time ({format_time(entry.at)}); a site has one score per "
                        "moment, so keep only one of them",
                    )


@dataclass(frozen=True)
class _BlockContext:
    """What an entry is checked against: None where the block's own value was invalid."""

    sites: tuple[str, ...] | None
    activities: tuple[str, ...] | None
    block_id: str | None  # None or _ABSENT_ID when it could not be read or derived


def _show_list(value: Any) -> str:
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)[:80]
    return _show(value)


def _mrn(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Invalid(f"expected the medical record number as a text, or null, got {_show(value)}")
    _storable(value)
    return value


def _note(value: Any) -> str:
    if not isinstance(value, str):
        raise _Invalid(f'expected a text (use "" for no note), got {_show(value)}')
    _storable(value)
    return value


def _concentration(value: Any) -> float | None:
    if value is None:
        return None
    expected = "expected a concentration in percent from 0 to 100, or null"
    number = _number(value, expected)
    if not is_percent(number):
        raise _Invalid(f"{expected}, got {_show(value)}")
    return number


def _volume(value: Any) -> float | None:
    if value is None:
        return None
    expected = "expected a volume in mL (0 or more), or null"
    number = _number(value, expected)
    if not is_amount(number):
        raise _Invalid(f"{expected}, got {_show(value)}")
    return number


def _sequence(value: Any) -> int:
    expected = (
        f"expected a whole number from 1 to {MAX_SEQUENCE} (1 for the first diagnostic block)"
    )
    if not is_sequence(value):
        raise _Invalid(f"{expected}, got {_show(value)}")
    return int(value)


def _detail(value: Any) -> str | None:
    """Which rescue medicine and how much, as written ("oxycodone 5 mg"), or null."""
    if value is None:
        return None
    expected = 'expected which rescue medicine and how much, like "oxycodone 5 mg", or null'
    if not isinstance(value, str):
        raise _Invalid(f"{expected}, got {_show(value)}")
    _storable(value)
    if len(value) > MAX_DETAIL_CHARS:
        raise _Invalid(f"{expected}: at most {MAX_DETAIL_CHARS} characters, got {len(value)}")
    return value.strip() or None


def _relief_estimate(value: Any, sites: tuple[str, ...] | None) -> float | dict[str, float] | None:
    """The patient's own estimate: one figure, or (after a bilateral block) one per side."""
    if not isinstance(value, _JsonObject):
        return _relief_percent(value)
    if sites is None:  # the block's sites were invalid; reported there
        raise _Invalid("cannot check the estimate per site: the block's sites are invalid")
    if value.duplicate_keys:
        raise _Invalid(f"the site {_show(value.duplicate_keys[0])} is given twice", at=())
    if not value:
        raise _Invalid('expected the estimate per site, like {"left": 20, "right": 90}, or null')
    result: dict[str, float] = {}
    for site, raw in value.items():
        if site not in sites:
            raise _Invalid(
                f"{_show(site)} is not a rated site of this block (its sites are "
                f"{_quote_all(sites)})",
                at=(site,),
            )
        try:
            number = _relief_percent(raw)
        except _Invalid as invalid:
            raise _Invalid(invalid.message, at=(site,)) from None
        if number is None:
            raise _Invalid("expected a percent from 0 to 100 for this site", at=(site,))
        result[site] = number
    return {site: result[site] for site in sites if site in result}


def _relief_percent(value: Any) -> float | None:
    if value is None:
        return None
    expected = "expected the patient's own relief estimate from 0 to 100, or null"
    number = _number(value, expected)
    if not is_percent(number):
        raise _Invalid(f"{expected}, got {_show(value)}")
    return number


def _activity(value: Any, activities: tuple[str, ...] | None) -> str | None:
    if value is None:
        return None
    if activities is None:  # the block's list was itself invalid; reported there
        return _text(value)
    if not activities:
        raise _Invalid(
            f"got {_show(value)}, but the block lists no activities; add it to the block's "
            '"activities" or use null'
        )
    if value not in activities:
        raise _Invalid(
            f"expected one of the block's activities ({_quote_all(activities)}) or null, "
            f"got {_show(value)}"
        )
    return str(value)


# --------------------------------------------------------------------------------------------
# Writing


def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC with `Z`, seconds always, microseconds only when there are some."""
    utc = moment.astimezone(UTC)
    text = utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds")
    return text.removesuffix("+00:00") + "Z"


def format_block_time(block: Block) -> str:
    """`performed_at` in the block's recorded UTC offset ("2026-03-02T09:30:00-05:00"; `Z` for
    UTC), so import then export keeps the date of service (diary-format.md)."""
    if not block.utc_offset_minutes:
        return format_time(block.performed_at)
    local = block.local(block.performed_at)
    return local.isoformat(timespec="microseconds" if local.microsecond else "seconds")


def diary_to_dict(diary: Diary) -> dict[str, Any]:
    """The diary-format.md JSON object for `diary`: every field, times in UTC with `Z`."""
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "patient": patient_values(diary.patient),
        "blocks": [_block_to_dict(block) for block in diary.blocks],
    }


def _block_to_dict(block: Block) -> dict[str, Any]:
    values = block_values(block, format_time)
    values["performed_at"] = format_block_time(block)
    values["entries"] = [_entry_to_dict(entry, block.sites) for entry in block.entries]
    return {key: values[key] for key in _BLOCK_KEYS}


def _entry_to_dict(entry: Entry, sites: Sequence[str]) -> dict[str, Any]:
    values = entry_values(entry, format_time, sites)
    by_site = values.pop("patient_relief_by_site")
    if by_site is not None:
        values["patient_relief_percent"] = by_site
    return {key: values[key] for key in _ENTRY_KEYS}


def diary_to_json(diary: Diary) -> str:
    """The diary file's text: UTF-8-ready JSON, indented for people, ending in a newline."""
    return json.dumps(diary_to_dict(diary), ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_diary_file(diary: Diary, path: str | os.PathLike[str]) -> None:
    """Write `diary` to `path` atomically (temp file, fsync, rename), UTF-8, mode 0600.

    An existing file is replaced; refusing to overwrite is the caller's decision.
    """
    write_atomic(path, diary_to_json(diary).encode("utf-8"))
