"""Between rows and clinical dataclasses, and from dataclasses to the JSON-ready dicts the audit
trail keeps. Also where the store refuses a value the checks of clinical/validation.py find
wrong, whatever layer it came from: what the store holds must always export into a diary file
that imports again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from paintrack.clinical.fields import (
    ENTRY_LATER_FIELDS,
    block_values,
    entry_values,
    patient_values,
)
from paintrack.clinical.model import (
    Ability,
    Agent,
    Block,
    Entry,
    Patient,
    Preset,
    Region,
    Sedation,
    Side,
    Source,
)
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.validation import (
    RecordProblem,
    block_problems,
    entry_problems,
    patient_problems,
)
from paintrack.errors import UserError
from paintrack.store.models import BlockRow, EntryRow, EntryScoreRow, PatientRow

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------------
# JSON-ready values (audit old/new), in diary-format.md's key names.
# Deliberately not the exchange's diary_to_dict: these values are stored in audit rows and
# hashed into the chain, so their exact form (times with +00:00, scores by site name) must
# stay fixed even if the diary file's layout changes.


def utc_iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


def patient_to_json(patient: Patient) -> dict[str, Any]:
    return patient_values(patient)


def block_to_json(block: Block) -> dict[str, Any]:
    """The block's own fields (its entries have their own audit rows)."""
    return block_values(block, utc_iso)


def entry_to_json(entry: Entry) -> dict[str, Any]:
    """The entry's fields, scores by site name; the version 2 ones (rescue medicine detail,
    estimate per side) only when set, so entries audited before them still match the trail."""
    values = entry_values(entry, utc_iso)  # in ENTRY_FIELDS order
    for field in ENTRY_LATER_FIELDS:
        if values[field] is None:
            del values[field]
    return values


def _stored_preset(value: object) -> Preset:
    """A stored rule preset. The store never writes an unknown one (save_settings refuses it),
    so one here was written around the app, which `paintrack verify` names; until it is put
    right the default preset is used, and the log says so (it holds no health data)."""
    try:
        return Preset(str(value))
    except ValueError:
        log.warning("The clinic settings name an unknown rule preset; using the default.")
        return ClinicSettings().preset


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
        "worklist_days": int(settings.worklist_days),
    }


def settings_from_json(values: dict[str, Any]) -> ClinicSettings:
    defaults = ClinicSettings()
    return ClinicSettings(
        preset=_stored_preset(values["preset"]) if "preset" in values else defaults.preset,
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
        worklist_days=(
            int(values["worklist_days"]) if "worklist_days" in values else defaults.worklist_days
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
# Checks (UserError: the caller passed a value the clinical record cannot hold). The rules are
# clinical/validation.py's; the store refuses the first problem found, naming the record.


def _refuse_first(problems: Sequence[RecordProblem], what: str = "") -> None:
    if problems:
        raise UserError(f"{what}: {problems[0].message}" if what else problems[0].message)


def check_patient(patient: Patient) -> None:
    _refuse_first(patient_problems(patient))


def check_block(block: Block) -> None:
    problems = block_problems(block)
    if problems:
        _refuse_first(problems, f"Block of {block.performed_at.isoformat()}")


def check_entry(entry: Entry, block: Block, *, now: datetime | None = None) -> None:
    """An entry must fit its block: rated sites, activities, score and percent ranges; and
    (given `now`, for a new or changed entry) it cannot have been recorded in the future."""
    problems = entry_problems(entry, block, now=now)
    if problems:  # the record named only then: an import checks thousands that pass
        _refuse_first(problems, f"Entry at {entry.at.isoformat()}")
