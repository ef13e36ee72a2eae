"""The one set of checks a clinical record must pass, whoever made it (the window, a diary file,
the store): pure functions over patients, blocks and entries that return typed problems.

What the store holds must always export into a diary file that imports again, so the store
refuses whatever these find; the diary reader and the block form use the same rules with their
own wording around them (a JSON path, a label next to a field).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from paintrack.clinical.model import (
    BILATERAL_SITES,
    MAX_SCORE,
    MAX_SEQUENCE,
    MIN_SCORE,
    VALID_SITE_SETS,
    Ability,
    Agent,
    Block,
    Entry,
    Patient,
    Region,
    Sedation,
    Side,
    Source,
)
from paintrack.clinical.timing import STORE_FUTURE_SLACK

T = TypeVar("T")


@dataclass(frozen=True)
class RecordProblem:
    """One thing wrong with a record: which field (diary-format.md's key), where inside it (a
    site or a list index, for example ("left",) in "scores" or (1,) in "levels"), and what, in
    plain words that do not name the record itself (the caller says which block or entry)."""

    field: str
    message: str
    at: tuple[str | int, ...] = ()


# ---------------------------------------------------------------------------------------------
# The single rules, for callers that word them their own way


class TextFault(StrEnum):
    """Text that neither the database nor a diary file can hold."""

    NUL = "nul"  # a NUL character (\u0000)
    SURROGATE = "surrogate"  # a lone UTF-16 surrogate: UTF-8 cannot encode it


def text_fault(value: str) -> TextFault | None:
    if "\x00" in value:
        return TextFault.NUL
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return TextFault.SURROGATE
    return None


def is_whole_number(value: object) -> bool:
    """An int that is not a bool (True is an int in Python, never a score)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_score(value: object) -> bool:
    """A pain score: a whole number from MIN_SCORE to MAX_SCORE."""
    return (
        isinstance(value, int) and not isinstance(value, bool) and MIN_SCORE <= value <= MAX_SCORE
    )


def is_sequence(value: object) -> bool:
    """A block's sequence: a whole number from 1 to MAX_SEQUENCE."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_SEQUENCE


def is_percent(value: object) -> bool:
    """A finite number (not a bool) from 0 to 100."""
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0 <= value <= 100
    )


def is_amount(value: float) -> bool:
    """A concentration or volume: finite and not negative."""
    return math.isfinite(value) and value >= 0


# What a rescue medicine detail ("oxycodone 5 mg") may hold: a short text.
MAX_DETAIL_CHARS = 200


def is_blank(value: object) -> bool:
    """Not a text, or only spaces: a level, activity or name that says nothing."""
    return not isinstance(value, str) or not value.strip()


class SitesFault(StrEnum):
    UNKNOWN = "unknown"  # neither (index,) nor (left, right)
    NOT_BILATERAL = "not_bilateral"  # left and right rated after a one-sided block


def sites_fault(sites: Iterable[str], side: str | None) -> SitesFault | None:
    """What is wrong with a block's rated sites for its side (None: nothing; `side` None when
    the side is itself unknown, so only the set is checked)."""
    chosen = tuple(sites)
    if chosen not in VALID_SITE_SETS:
        return SitesFault.UNKNOWN
    if chosen == BILATERAL_SITES and side is not None and side != Side.BILATERAL:
        return SitesFault.NOT_BILATERAL
    return None


def first_repeat(values: Iterable[T], key: Callable[[T], Hashable] = lambda v: v) -> T | None:
    """The first value listed a second time (compared by `key`), or None."""
    seen: set[Hashable] = set()
    for value in values:
        marker = key(value)
        if marker in seen:
            return value
        seen.add(marker)
    return None


def is_recorded_in_future(entry: Entry, now: datetime) -> bool:
    """A new entry recorded later than the store's clock allows (STORE_FUTURE_SLACK)."""
    return entry.recorded_at - now > STORE_FUTURE_SLACK


# ---------------------------------------------------------------------------------------------
# Whole records


def _text_problems(
    value: str, field: str, what: str, at: tuple[str | int, ...] = ()
) -> list[RecordProblem]:
    fault = text_fault(value)
    if fault == TextFault.NUL:
        return [
            RecordProblem(
                field,
                f"{what} contains a NUL character (\\u0000), which a diary cannot hold; remove it.",
                at,
            )
        ]
    if fault == TextFault.SURROGATE:
        return [
            RecordProblem(
                field,
                f"{what} contains a broken character (a lone UTF-16 surrogate), which a diary "
                "cannot hold; retype the text.",
                at,
            )
        ]
    return []


def _plain(value: Any) -> Any:
    """An enum member as its value (so messages show "left", not <Site.LEFT: 'left'>)."""
    return value.value if isinstance(value, StrEnum) else value


def _shown(value: Any) -> str:
    return str(_plain(value))


# Each enumeration's values, worked out once: the store checks every entry of an import.
_VALUES: dict[type[StrEnum], frozenset[str]] = {
    enum: frozenset(member.value for member in enum)
    for enum in (Region, Side, Agent, Sedation, Ability, Source)
}
_ABILITIES = _VALUES[Ability]
_SOURCES = _VALUES[Source]


def patient_problems(patient: Patient) -> tuple[RecordProblem, ...]:
    """Everything wrong with a patient, in the order the checks are listed (messages whole:
    a patient is named by the field itself)."""
    found: list[RecordProblem] = []
    if is_blank(patient.name):
        found.append(RecordProblem("name", "A patient needs a name."))
    else:
        found += _text_problems(patient.name, "name", "The patient's name")
    if patient.mrn is not None:
        found += _text_problems(patient.mrn, "mrn", "The record number")
    if patient.birth_date is not None and not isinstance(patient.birth_date, date):
        found.append(
            RecordProblem("birth_date", f"Patient {patient.name}: the birth date is not a date.")
        )
    return tuple(found)


def block_problems(block: Block) -> tuple[RecordProblem, ...]:
    """Everything wrong with a block's own fields (not its entries), in order."""
    found: list[RecordProblem] = []
    kinds: tuple[tuple[type[StrEnum], Any, str], ...] = (
        (Region, block.region, "region"),
        (Side, block.side, "side"),
        (Agent, block.agent, "agent"),
        (Sedation, block.sedation, "sedation"),
    )
    for enum, value, field in kinds:
        if value not in _VALUES[enum]:
            found.append(RecordProblem(field, f"{value!r} is not a known {field}."))
    fault = sites_fault(block.sites, None)
    if fault == SitesFault.UNKNOWN:
        found.append(
            RecordProblem(
                "sites",
                f"rated sites must be ['index'] or ['left', 'right'], not "
                f"{[_plain(site) for site in block.sites]}.",
            )
        )
    if not is_sequence(block.sequence):
        found.append(
            RecordProblem(
                "sequence",
                f"the sequence must be a whole number from 1 to {MAX_SEQUENCE}, not "
                f"{block.sequence!r}.",
            )
        )
    amounts = (
        ("concentration_percent", "concentration", block.concentration_percent),
        ("volume_ml", "volume", block.volume_ml),
    )
    for field, name, number in amounts:
        if number is not None and not is_amount(number):
            found.append(
                RecordProblem(field, f"the {name} must be a positive number, not {number!r}.")
            )
    concentration = block.concentration_percent
    if concentration is not None and is_amount(concentration) and not is_percent(concentration):
        found.append(
            RecordProblem(
                "concentration_percent",
                f"the concentration is a percent from 0 to 100, not {concentration!r}.",
            )
        )
    if sites_fault(block.sites, block.side) == SitesFault.NOT_BILATERAL:
        found.append(
            RecordProblem(
                "sites",
                "left and right are rated separately only after a bilateral block, but this "
                f"block's side is {_shown(block.side)}. Rate the usual pain (index), or set the "
                "side to bilateral.",
            )
        )
    for index, level in enumerate(block.levels):
        at: tuple[str | int, ...] = (index,)
        if is_blank(level):
            found.append(
                RecordProblem(
                    "levels", "a level is blank; write it like 'L4 MB', or leave it out.", at
                )
            )
        else:
            found += _text_problems(level, "levels", "a level", at)
    for index, activity in enumerate(block.activities):
        at = (index,)
        if is_blank(activity):
            found.append(
                RecordProblem(
                    "activities", "an activity is blank; describe it, or leave it out.", at
                )
            )
        else:
            found += _text_problems(activity, "activities", "an activity", at)
    if first_repeat(block.activities) is not None:
        found.append(RecordProblem("activities", "an activity is listed twice."))
    if is_blank(block.protocol):
        found.append(
            RecordProblem("protocol", "the schedule (protocol) needs a name, such as 'standard'.")
        )
    else:
        found += _text_problems(block.protocol, "protocol", "the protocol")
    return tuple(found)


def entry_problems(
    entry: Entry, block: Block, *, now: datetime | None = None
) -> tuple[RecordProblem, ...]:
    """Everything wrong with an entry of `block`, in order: rated sites, activities, score and
    percent ranges; and (given `now`, for a new or changed entry) a recorded time in the
    future."""
    found: list[RecordProblem] = []
    if now is not None and is_recorded_in_future(entry, now):
        found.append(
            RecordProblem(
                "recorded_at",
                f"it says it was recorded at {entry.recorded_at.isoformat()}, which is in the "
                "future. Check the date and time (and this computer's clock).",
            )
        )
    if entry.recorded_at < entry.at:
        found.append(
            RecordProblem(
                "recorded_at",
                f"it was recorded at {entry.recorded_at.isoformat()}, before the moment it "
                "refers to; a score cannot be recorded before its moment. Check both times.",
            )
        )
    if not entry.scores:
        found.append(RecordProblem("scores", "an entry needs a score for at least one site."))
    for site, score in entry.scores.items():
        at = (site,)
        if site not in block.sites:
            found.append(
                RecordProblem(
                    "scores",
                    f"{_plain(site)!r} is not a rated site of its block (sites: "
                    f"{', '.join(_shown(s) for s in block.sites)}).",
                    at,
                )
            )
        elif not is_score(score):
            found.append(
                RecordProblem(
                    "scores",
                    f"the {_shown(site)} score must be a whole number from {MIN_SCORE} to "
                    f"{MAX_SCORE}, not {score!r}.",
                    at,
                )
            )
    relief = entry.patient_relief_percent
    if relief is not None and not is_percent(relief):
        found.append(
            RecordProblem(
                "patient_relief_percent",
                f"the patient's relief estimate must be 0-100 %, not {relief!r}.",
            )
        )
    if relief is not None and entry.patient_relief_by_site is not None:
        found.append(
            RecordProblem(
                "patient_relief_percent",
                "give the patient's estimate per side or as one figure, not both.",
            )
        )
    by_site: Mapping[str, float] = entry.patient_relief_by_site or {}
    for site, value in by_site.items():
        at = (site,)
        if site not in block.sites:
            found.append(
                RecordProblem(
                    "patient_relief_percent",
                    f"the estimate is for {_plain(site)!r}, not a site of the block.",
                    at,
                )
            )
        elif not is_percent(value):
            found.append(
                RecordProblem(
                    "patient_relief_percent",
                    f"the patient's {_shown(site)} relief estimate must be 0-100 %, not {value!r}.",
                    at,
                )
            )
    detail = entry.rescue_medication_detail
    if detail is not None:
        if not isinstance(detail, str):
            found.append(
                RecordProblem(
                    "rescue_medication_detail", "the rescue medicine detail must be text."
                )
            )
        else:
            found += _text_problems(
                detail, "rescue_medication_detail", "the rescue medicine detail"
            )
            if len(detail) > MAX_DETAIL_CHARS:
                found.append(
                    RecordProblem(
                        "rescue_medication_detail",
                        f"the rescue medicine detail is at most {MAX_DETAIL_CHARS} characters "
                        f"(which medicine and how much), not {len(detail)}.",
                    )
                )
    if entry.activity is not None and entry.activity not in block.activities:
        found.append(
            RecordProblem(
                "activity",
                f"activity {entry.activity!r} is not one of the block's activities.",
            )
        )
    if entry.activity_ability is not None and entry.activity_ability not in _ABILITIES:
        found.append(
            RecordProblem("activity_ability", f"{entry.activity_ability!r} is not a known ability.")
        )
    if entry.source not in _SOURCES:
        found.append(RecordProblem("source", f"{entry.source!r} is not a known source."))
    if not isinstance(entry.note, str):
        found.append(RecordProblem("note", "the note must be text."))
    else:
        found += _text_problems(entry.note, "note", "the note")
    return tuple(found)
