"""Between rows and clinical dataclasses, and from dataclasses to the JSON-ready dicts the audit
trail keeps. Also the checks every stored value must pass, whatever layer it came from: what
the store holds must always export into a diary file that imports again.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any

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
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.timing import STORE_FUTURE_SLACK
from paintrack.errors import UserError
from paintrack.store.models import BlockRow, EntryRow, EntryScoreRow, PatientRow

# ---------------------------------------------------------------------------------------------
# JSON-ready values (audit old/new), in diary-format.md's key names.
# Deliberately not the exchange's diary_to_dict: these values are stored in audit rows and
# hashed into the chain, so their exact form (times with +00:00, scores by site name) must
# stay fixed even if the diary file's layout changes.


def utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def patient_to_json(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "name": patient.name,
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
        "mrn": patient.mrn,
    }


def block_to_json(block: Block) -> dict[str, Any]:
    """The block's own fields (its entries have their own audit rows)."""
    return {
        "id": block.id,
        "performed_at": utc_iso(block.performed_at),
        "region": block.region.value,
        "side": block.side.value,
        "levels": list(block.levels),
        "agent": block.agent.value,
        "concentration_percent": block.concentration_percent,
        "volume_ml": block.volume_ml,
        "sequence": block.sequence,
        "sedation": block.sedation.value,
        "steroid": block.steroid,
        "sites": [str(site) for site in block.sites],
        "activities": list(block.activities),
        "protocol": block.protocol,
        "utc_offset_minutes": block.utc_offset_minutes,
    }


def entry_to_json(entry: Entry) -> dict[str, Any]:
    """The entry's fields; the version 2 ones (rescue medicine detail, estimate per side) only
    when set, so entries audited before them still match the trail."""
    values: dict[str, Any] = {
        "id": entry.id,
        "at": utc_iso(entry.at),
        "recorded_at": utc_iso(entry.recorded_at),
        "scores": {str(site): int(entry.scores[site]) for site in sorted(entry.scores)},
        "patient_relief_percent": entry.patient_relief_percent,
        "activity": entry.activity,
        "activity_ability": entry.activity_ability.value if entry.activity_ability else None,
        "rescue_medication": entry.rescue_medication,
        "source": entry.source.value,
        "note": entry.note,
    }
    if entry.rescue_medication_detail is not None:
        values["rescue_medication_detail"] = entry.rescue_medication_detail
    if entry.patient_relief_by_site is not None:
        values["patient_relief_by_site"] = dict(entry.patient_relief_by_site)
    return values


def settings_to_json(settings: ClinicSettings) -> dict[str, Any]:
    """One JSON value per settings key; a key absent from the table takes its default."""
    return {
        "preset": settings.preset,
        "thresholds": [int(t) for t in settings.thresholds],
        "expected_minutes": {
            Agent(agent).value: float(minutes)
            for agent, minutes in sorted(settings.expected_minutes.items())
        },
        "protocols": {
            name: [float(point) for point in points]
            for name, points in sorted(settings.protocols.items())
        },
        "late_onset_minutes": float(settings.late_onset_minutes),
    }


def settings_from_json(values: dict[str, Any]) -> ClinicSettings:
    defaults = ClinicSettings()
    return ClinicSettings(
        preset=str(values["preset"]) if "preset" in values else defaults.preset,
        thresholds=(
            tuple(int(t) for t in values["thresholds"])
            if "thresholds" in values
            else defaults.thresholds
        ),
        expected_minutes=(
            {Agent(agent): float(minutes) for agent, minutes in values["expected_minutes"].items()}
            if "expected_minutes" in values
            else defaults.expected_minutes
        ),
        protocols=(
            {
                str(name): tuple(float(point) for point in points)
                for name, points in values["protocols"].items()
            }
            if "protocols" in values
            else defaults.protocols
        ),
        late_onset_minutes=(
            float(values["late_onset_minutes"])
            if "late_onset_minutes" in values
            else defaults.late_onset_minutes
        ),
    )


# ---------------------------------------------------------------------------------------------
# Rows -> dataclasses


def patient_from_row(row: PatientRow) -> Patient:
    return Patient(id=row.id, name=row.name, birth_date=row.birth_date, mrn=row.mrn)


def entry_from_row(row: EntryRow) -> Entry:
    return Entry(
        id=row.id,
        at=row.at,
        recorded_at=row.recorded_at,
        scores={score.site: score.score for score in row.scores},
        patient_relief_percent=row.patient_relief_percent,
        activity=row.activity,
        activity_ability=Ability(row.activity_ability) if row.activity_ability else None,
        rescue_medication=row.rescue_medication,
        source=Source(row.source),
        note=row.note,
        amended=row.amended,
        rescue_medication_detail=row.rescue_medication_detail,
        patient_relief_by_site=(
            None
            if row.patient_relief_by_site is None
            else {str(k): float(v) for k, v in row.patient_relief_by_site.items()}
        ),
    )


def block_from_row(row: BlockRow, entries: tuple[Entry, ...]) -> Block:
    return Block(
        id=row.id,
        performed_at=row.performed_at,
        region=Region(row.region),
        side=Side(row.side),
        agent=Agent(row.agent),
        levels=tuple(row.levels),
        concentration_percent=row.concentration_percent,
        volume_ml=row.volume_ml,
        sequence=row.sequence,
        sedation=Sedation(row.sedation),
        steroid=row.steroid,
        sites=tuple(row.sites),
        activities=tuple(row.activities),
        protocol=row.protocol,
        entries=entries,
        utc_offset_minutes=row.utc_offset_minutes,
    )


# ---------------------------------------------------------------------------------------------
# Dataclasses -> rows


def new_patient_row(patient: Patient, now: datetime) -> PatientRow:
    return PatientRow(
        id=patient.id,
        name=patient.name,
        birth_date=patient.birth_date,
        mrn=patient.mrn,
        created_at=now,
    )


def fill_block_row(row: BlockRow, block: Block) -> None:
    row.performed_at = block.performed_at
    row.region = Region(block.region).value
    row.side = Side(block.side).value
    row.agent = Agent(block.agent).value
    row.levels = list(block.levels)
    row.concentration_percent = block.concentration_percent
    row.volume_ml = block.volume_ml
    row.sequence = block.sequence
    row.sedation = Sedation(block.sedation).value
    row.steroid = block.steroid
    row.sites = [str(site) for site in block.sites]
    row.activities = list(block.activities)
    row.protocol = block.protocol
    row.utc_offset_minutes = block.utc_offset_minutes


def entry_row_values(entry: Entry, block_id: str) -> dict[str, Any]:
    """A new entry's `entries` row as column values (for a bulk insert): the same values
    fill_entry_row sets, not amended, not deleted. Its scores go in `entry_scores`."""
    return {
        "id": entry.id,
        "block_id": block_id,
        "at": entry.at,
        "recorded_at": entry.recorded_at,
        "patient_relief_percent": entry.patient_relief_percent,
        "activity": entry.activity,
        "activity_ability": (
            Ability(entry.activity_ability).value if entry.activity_ability else None
        ),
        "rescue_medication": entry.rescue_medication,
        "source": Source(entry.source).value,
        "note": entry.note,
        "rescue_medication_detail": entry.rescue_medication_detail,
        "patient_relief_by_site": (
            None if entry.patient_relief_by_site is None else dict(entry.patient_relief_by_site)
        ),
        "amended": False,
        "deleted": False,
    }


def fill_entry_row(row: EntryRow, entry: Entry) -> None:
    row.at = entry.at
    row.recorded_at = entry.recorded_at
    row.patient_relief_percent = entry.patient_relief_percent
    row.activity = entry.activity
    row.activity_ability = Ability(entry.activity_ability).value if entry.activity_ability else None
    row.rescue_medication = entry.rescue_medication
    row.source = Source(entry.source).value
    row.note = entry.note
    row.rescue_medication_detail = entry.rescue_medication_detail
    row.patient_relief_by_site = (
        None if entry.patient_relief_by_site is None else dict(entry.patient_relief_by_site)
    )
    by_site = {score.site: score for score in row.scores}
    for site, score in entry.scores.items():
        if site in by_site:
            by_site[site].score = int(score)
        else:
            row.scores.append(EntryScoreRow(site=str(site), score=int(score)))
    for site, score_row in by_site.items():
        if site not in entry.scores:
            row.scores.remove(score_row)


# ---------------------------------------------------------------------------------------------
# Checks (UserError: the caller passed a value the clinical record cannot hold)


def _check_text(value: str, what: str) -> None:
    """No NUL characters and nothing UTF-8 cannot encode: the database and a diary file could
    not hold them (a lone surrogate would fail deep in the database driver)."""
    if "\x00" in value:
        raise UserError(
            f"{what} contains a NUL character (\\u0000), which a diary cannot hold; remove it."
        )
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise UserError(
            f"{what} contains a broken character (a lone UTF-16 surrogate), which a diary "
            "cannot hold; retype the text."
        ) from None


def check_patient(patient: Patient) -> None:
    if not isinstance(patient.name, str) or not patient.name.strip():
        raise UserError("A patient needs a name.")
    _check_text(patient.name, "The patient's name")
    if patient.mrn is not None:
        _check_text(patient.mrn, "The record number")
    if patient.birth_date is not None and not isinstance(patient.birth_date, date):
        raise UserError(f"Patient {patient.name}: the birth date is not a date.")


def check_block(block: Block) -> None:
    what = f"Block of {block.performed_at.isoformat()}"
    for enum, value, field in (
        (Region, block.region, "region"),
        (Side, block.side, "side"),
        (Agent, block.agent, "agent"),
        (Sedation, block.sedation, "sedation"),
    ):
        if value not in {member.value for member in enum}:
            raise UserError(f"{what}: {value!r} is not a known {field}.")
    if tuple(block.sites) not in VALID_SITE_SETS:
        raise UserError(
            f"{what}: rated sites must be ['index'] or ['left', 'right'], not {list(block.sites)}."
        )
    if (
        isinstance(block.sequence, bool)
        or not isinstance(block.sequence, int)
        or not 1 <= block.sequence <= MAX_SEQUENCE
    ):
        raise UserError(
            f"{what}: the sequence must be a whole number from 1 to {MAX_SEQUENCE}, not "
            f"{block.sequence!r}."
        )
    for name, number in (
        ("concentration", block.concentration_percent),
        ("volume", block.volume_ml),
    ):
        if number is not None and (not math.isfinite(number) or number < 0):
            raise UserError(f"{what}: the {name} must be a positive number, not {number!r}.")
    if tuple(block.sites) == BILATERAL_SITES and block.side != Side.BILATERAL:
        raise UserError(
            f"{what}: left and right are rated separately only after a bilateral block, but "
            f"this block's side is {Side(block.side).value}. Rate the usual pain (index), or "
            "set the side to bilateral."
        )
    for level in block.levels:
        if not isinstance(level, str) or not level.strip():
            raise UserError(f"{what}: a level is blank; write it like 'L4 MB', or leave it out.")
        _check_text(level, f"{what}: a level")
    for activity in block.activities:
        if not isinstance(activity, str) or not activity.strip():
            raise UserError(f"{what}: an activity is blank; describe it, or leave it out.")
        _check_text(activity, f"{what}: an activity")
    if len(set(block.activities)) != len(block.activities):
        raise UserError(f"{what}: an activity is listed twice.")
    if not isinstance(block.protocol, str) or not block.protocol.strip():
        raise UserError(f"{what}: the schedule (protocol) needs a name, such as 'standard'.")
    _check_text(block.protocol, f"{what}: the protocol")


def check_entry(entry: Entry, block: Block, *, now: datetime | None = None) -> None:
    """An entry must fit its block: rated sites, activities, score and percent ranges; and
    (given `now`, for a new or changed entry) it cannot have been recorded in the future."""
    what = f"Entry at {entry.at.isoformat()}"
    if now is not None and entry.recorded_at - now > STORE_FUTURE_SLACK:
        raise UserError(
            f"{what}: it says it was recorded at {entry.recorded_at.isoformat()}, which is in "
            "the future. Check the date and time (and this computer's clock)."
        )
    if entry.recorded_at < entry.at:
        raise UserError(
            f"{what}: it was recorded at {entry.recorded_at.isoformat()}, before the moment it "
            "refers to; a score cannot be recorded before its moment. Check both times."
        )
    if not entry.scores:
        raise UserError(f"{what}: an entry needs a score for at least one site.")
    for site, score in entry.scores.items():
        if site not in block.sites:
            raise UserError(
                f"{what}: {site!r} is not a rated site of its block (sites: "
                f"{', '.join(block.sites)})."
            )
        if (
            isinstance(score, bool)
            or not isinstance(score, int)
            or not MIN_SCORE <= score <= MAX_SCORE
        ):
            raise UserError(
                f"{what}: the {site} score must be a whole number from {MIN_SCORE} to "
                f"{MAX_SCORE}, not {score!r}."
            )
    relief = entry.patient_relief_percent
    if relief is not None and (
        isinstance(relief, bool) or not math.isfinite(relief) or not 0 <= relief <= 100
    ):
        raise UserError(f"{what}: the patient's relief estimate must be 0-100 %, not {relief!r}.")
    if relief is not None and entry.patient_relief_by_site is not None:
        raise UserError(f"{what}: give the patient's estimate per side or as one figure, not both.")
    for site, value in (entry.patient_relief_by_site or {}).items():
        if site not in block.sites:
            raise UserError(f"{what}: the estimate is for {site!r}, not a site of the block.")
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= 100
        ):
            raise UserError(
                f"{what}: the patient's {site} relief estimate must be 0-100 %, not {value!r}."
            )
    if entry.rescue_medication_detail is not None:
        if not isinstance(entry.rescue_medication_detail, str):
            raise UserError(f"{what}: the rescue medicine detail must be text.")
        _check_text(entry.rescue_medication_detail, f"{what}: the rescue medicine detail")
    if entry.activity is not None and entry.activity not in block.activities:
        raise UserError(
            f"{what}: activity {entry.activity!r} is not one of the block's activities."
        )
    if entry.activity_ability is not None and entry.activity_ability not in {
        member.value for member in Ability
    }:
        raise UserError(f"{what}: {entry.activity_ability!r} is not a known ability.")
    if entry.source not in {member.value for member in Source}:
        raise UserError(f"{what}: {entry.source!r} is not a known source.")
    if not isinstance(entry.note, str):
        raise UserError(f"{what}: the note must be text.")
    _check_text(entry.note, f"{what}: the note")
