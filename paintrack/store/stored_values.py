"""The canonical JSON text of a patient's, block's or entry's audit values straight from the
columns SQLite hands back: the very text `values_digest` hashes for
`patient_to_json(patient_from_row(row))`, `block_to_json(block_from_row(row, ()))` and
`{"block_id": ..., **entry_to_json(entry_from_row(row))}`, without the Core row, the clinical
dataclass and the dict (verify does this for 650,000 rows of a clinic's database).

Each function answers None as soon as a column holds anything paintrack does not write there: a
value of another type, a time in another form, a name outside its enumeration, a number JSON
cannot hold. The caller then takes the long way for that row, which says what it always said
(differs, or the error it raised). So these functions only ever have to be right where they
answer, and there they are byte for byte (tests/store/test_stored_values.py holds them to the long
way on drawn entries and on rows the store wrote).

What the long way does with each column, and so what is done here:
- a time: SQLAlchemy reads it with `datetime.fromisoformat` and, naive (paintrack stores naive
  UTC), marks it UTC; `utc_iso` then writes `isoformat()` of that, which is the naive time's
  `isoformat()` followed by "+00:00". A time that reads as aware is left to the long way;
- a date: `date.fromisoformat(...).isoformat()`;
- a boolean: SQLAlchemy's `int_to_boolean` (None stays None, else true when the value is);
- an enumeration: its member's value, which is the stored text when it names a member;
- a str, an int, a float: as the JSON encoder writes them (`encode_basestring` for a str,
  `repr` for an int or a finite float); a JSON column: decoded by the column's own processor
  (`json_value`) and encoded as `_canonical_value` encodes it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from paintrack.clinical.fields import BLOCK_FIELDS, ENTRY_FIELDS
from paintrack.clinical.model import (
    MAX_OFFSET_MINUTES,
    Ability,
    Agent,
    Region,
    Sedation,
    Side,
    Source,
)
from paintrack.store.audit_chain import _ENCODE_STR, _canonical_value

JsonValue = Callable[[Any], Any]
"""A JSON column's result processor: stored text -> value (SQLAlchemy's, from the dialect)."""

_TIME_FROM_ISO = datetime.fromisoformat
_DATE_FROM_ISO = date.fromisoformat
_ISFINITE = math.isfinite
_FLOAT_TEXT = float.__repr__
_INT_TEXT = int.__repr__


def _members(enum: Any) -> dict[str, str]:
    """Stored text -> its JSON text, for each member of an enumeration."""
    return {member.value: _ENCODE_STR(member.value) for member in enum}


_ABILITIES = _members(Ability)
_SOURCES = _members(Source)
_REGIONS = _members(Region)
_SIDES = _members(Side)
_AGENTS = _members(Agent)
_SEDATIONS = _members(Sedation)


def time_text(stored: Any) -> str | None:
    """`utc_iso` of the time SQLAlchemy reads from a stored time column (see the module)."""
    if type(stored) is not str:
        return None
    try:
        moment = _TIME_FROM_ISO(stored)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return None
    return moment.isoformat() + "+00:00"


def _number(value: Any) -> str | None:
    """A Float column's value (SQLite's float, or None) as JSON."""
    if value is None:
        return "null"
    if type(value) is float and _ISFINITE(value):
        return _FLOAT_TEXT(value)
    return None


def _text_or_null(value: Any) -> str | None:
    if value is None:
        return "null"
    if type(value) is str:
        return _ENCODE_STR(value)
    return None


def _boolean(value: Any) -> str:
    """A Boolean column's value as SQLAlchemy reads it (`int_to_boolean`), as JSON."""
    if value is None:
        return "null"
    return "true" if value else "false"


def _list(stored: Any, json_value: JsonValue, *, of_text: bool = False) -> str | None:
    """A JSON column holding a list (a block's levels, sites, activities): the long way makes a
    tuple of it and writes the tuple back as a list, so only a list keeps its own text."""
    if stored is None:
        return None
    try:
        value = json_value(stored)
    except Exception:  # whatever the long way makes of it, it says so itself
        return None
    if type(value) is not list:
        return None
    if of_text and not all(type(item) is str for item in value):
        return None  # the long way writes str() of each site
    try:
        return _canonical_value(value)
    except ValueError:  # a number JSON cannot hold
        return None


def patient_text(id_: Any, name: Any, birth_date: Any, mrn: Any) -> str | None:
    """The canonical text of `patient_to_json(patient_from_row(row))` (keys sorted)."""
    if type(id_) is not str or type(name) is not str:
        return None
    mrn_text = _text_or_null(mrn)
    if mrn_text is None:
        return None
    if birth_date is None:
        birth_text = "null"
    elif type(birth_date) is str:
        try:
            birth_text = _ENCODE_STR(_DATE_FROM_ISO(birth_date).isoformat())
        except ValueError:
            return None
    else:
        return None
    return (
        f'{{"birth_date":{birth_text},"id":{_ENCODE_STR(id_)},"mrn":{mrn_text},'
        f'"name":{_ENCODE_STR(name)}}}'
    )


# The stored columns `block_text` reads, in its order: the block's fields, which are its
# table's column names.
BLOCK_TEXT_COLUMNS = BLOCK_FIELDS


def block_text(columns: tuple[Any, ...], json_value: JsonValue) -> str | None:
    """The canonical text of `block_to_json(block_from_row(row, ()))`. `columns` are the
    stored columns of BLOCK_TEXT_COLUMNS (BLOCK_FIELDS): id, performed_at, region, side, levels,
    agent, concentration_percent, volume_ml, sequence, sedation, steroid, sites, activities,
    protocol and utc_offset_minutes."""
    (
        id_,
        performed_at,
        region,
        side,
        levels,
        agent,
        concentration,
        volume,
        sequence,
        sedation,
        steroid,
        sites,
        activities,
        protocol,
        offset,
    ) = columns
    performed = time_text(performed_at)
    if performed is None or type(id_) is not str or type(protocol) is not str:
        return None
    if type(sequence) is not int:
        return None
    if offset is None:
        offset = 0  # Block takes the offset of performed_at, which is read back in UTC
    elif type(offset) is not int or abs(offset) > MAX_OFFSET_MINUTES:
        return None
    region_text = _REGIONS.get(region) if type(region) is str else None
    side_text = _SIDES.get(side) if type(side) is str else None
    agent_text = _AGENTS.get(agent) if type(agent) is str else None
    sedation_text = _SEDATIONS.get(sedation) if type(sedation) is str else None
    concentration_text = _number(concentration)
    volume_text = _number(volume)
    levels_text = _list(levels, json_value)
    sites_text = _list(sites, json_value, of_text=True)
    activities_text = _list(activities, json_value)
    if (
        region_text is None
        or side_text is None
        or agent_text is None
        or sedation_text is None
        or concentration_text is None
        or volume_text is None
        or levels_text is None
        or sites_text is None
        or activities_text is None
    ):
        return None
    return (
        f'{{"activities":{activities_text},"agent":{agent_text},'
        f'"concentration_percent":{concentration_text},"id":{_ENCODE_STR(id_)},'
        f'"levels":{levels_text},"performed_at":"{performed}",'
        f'"protocol":{_ENCODE_STR(protocol)},"region":{region_text},'
        f'"sedation":{sedation_text},"sequence":{_INT_TEXT(sequence)},"side":{side_text},'
        f'"sites":{sites_text},"steroid":{_boolean(steroid)},'
        f'"utc_offset_minutes":{_INT_TEXT(offset)},"volume_ml":{volume_text}}}'
    )


def _scores(scores: Mapping[Any, Any]) -> str | None:
    """An entry's scores by site ({site: score} of its score rows), sites sorted."""
    if len(scores) == 1:
        ((site, score),) = scores.items()
        if type(site) is not str or type(score) is not int:
            return None
        return f"{{{_ENCODE_STR(site)}:{_INT_TEXT(score)}}}"
    if not all(type(site) is str and type(score) is int for site, score in scores.items()):
        return None
    return (
        "{"
        + ",".join(f"{_ENCODE_STR(site)}:{_INT_TEXT(scores[site])}" for site in sorted(scores))
        + "}"
    )


def _relief_by_site(stored: Any, json_value: JsonValue) -> str | None:
    """',"patient_relief_by_site":{...}' as the long way writes it (each value float()), ""
    when there is none, None to leave the row to the long way."""
    if stored is None:
        return ""
    try:
        value = json_value(stored)
        if value is None:
            return ""
        by_site = {str(key): float(number) for key, number in value.items()}
        return ',"patient_relief_by_site":' + _canonical_value(by_site)
    except Exception:  # whatever the long way makes of it, it says so itself
        return None


# The stored columns `entry_text` reads, in its order: the entry's fields with its block's
# id after its own, less the scores (a table of their own).
ENTRY_TEXT_COLUMNS = ("id", "block_id", *(f for f in ENTRY_FIELDS[1:] if f != "scores"))


def entry_text(
    columns: tuple[Any, ...], scores: Mapping[Any, Any], json_value: JsonValue
) -> str | None:
    """The canonical text of `{"block_id": row.block_id, **entry_to_json(entry_from_row(row))}`.
    `columns` are the stored id, block_id, at, recorded_at, patient_relief_percent, activity,
    activity_ability, rescue_medication, source, note, rescue_medication_detail and
    patient_relief_by_site; `scores` the entry's {site: score}."""
    (
        id_,
        block_id,
        at,
        recorded_at,
        relief,
        activity,
        ability,
        rescue,
        source,
        note,
        detail,
        by_site,
    ) = columns
    at_text = time_text(at)
    recorded_text = time_text(recorded_at)
    if at_text is None or recorded_text is None:
        return None
    if type(id_) is not str or type(block_id) is not str or type(note) is not str:
        return None
    source_text = _SOURCES.get(source) if type(source) is str else None
    # The long way reads a stored "" as no ability: that row takes it.
    ability_text = (
        "null" if ability is None else _ABILITIES.get(ability) if type(ability) is str else None
    )
    activity_text = _text_or_null(activity)
    relief_text = _number(relief)
    scores_text = _scores(scores)
    if (
        source_text is None
        or ability_text is None
        or activity_text is None
        or relief_text is None
        or scores_text is None
    ):
        return None
    if detail is None:
        detail_text = ""  # a version 2 field: absent when not set
    elif type(detail) is str:
        detail_text = ',"rescue_medication_detail":' + _ENCODE_STR(detail)
    else:
        return None
    by_site_text = _relief_by_site(by_site, json_value)
    if by_site_text is None:
        return None
    return (
        f'{{"activity":{activity_text},"activity_ability":{ability_text},"at":"{at_text}",'
        f'"block_id":{_ENCODE_STR(block_id)},"id":{_ENCODE_STR(id_)},'
        f'"note":{_ENCODE_STR(note)}{by_site_text},"patient_relief_percent":{relief_text},'
        f'"recorded_at":"{recorded_text}","rescue_medication":{_boolean(rescue)}{detail_text},'
        f'"scores":{scores_text},"source":{source_text}}}'
    )
