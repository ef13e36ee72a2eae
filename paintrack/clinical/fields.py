"""The fields of each record type, in one order, and the one writer of their values: JSON-ready
values (enums as their values, tuples as lists) that the diary file, the audit trail and the CSV
export each lay out in their own way (times formatted by the caller).

Order matters: the diary file and the audit trail's stored values keep their keys in this
order, so it must not change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from paintrack.clinical.model import Block, Entry, Patient

PATIENT_FIELDS: tuple[str, ...] = ("id", "name", "birth_date", "mrn")
BLOCK_FIELDS: tuple[str, ...] = (
    "id",
    "performed_at",
    "region",
    "side",
    "levels",
    "agent",
    "concentration_percent",
    "volume_ml",
    "sequence",
    "sedation",
    "steroid",
    "sites",
    "activities",
    "protocol",
    # Not a key of the diary file: there the offset is part of how performed_at is written.
    "utc_offset_minutes",
)
ENTRY_FIELDS: tuple[str, ...] = (
    "id",
    "at",
    "recorded_at",
    "scores",
    "patient_relief_percent",
    "activity",
    "activity_ability",
    "rescue_medication",
    "source",
    "note",
    "rescue_medication_detail",
    "patient_relief_by_site",
)
# Added with version 2 of the record: absent (rather than null) from the audit values of an
# entry that has none, so entries audited before them still match the trail.
ENTRY_LATER_FIELDS: tuple[str, ...] = ("rescue_medication_detail", "patient_relief_by_site")

TimeText = Callable[[datetime], str]


def patient_values(patient: Patient) -> dict[str, Any]:
    return {
        "id": patient.id,
        "name": patient.name,
        "birth_date": patient.birth_date.isoformat() if patient.birth_date else None,
        "mrn": patient.mrn,
    }


def block_values(block: Block, time: TimeText) -> dict[str, Any]:
    """The block's own fields (not its entries), in BLOCK_FIELDS order."""
    return {
        "id": block.id,
        "performed_at": time(block.performed_at),
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


def ordered_sites(entry: Entry, sites: Sequence[str] | None = None) -> list[str]:
    """The sites an entry rates: in the block's order (then any others) given `sites`, else
    sorted by name."""
    if sites is None:
        return sorted(entry.scores)
    ordered = [site for site in sites if site in entry.scores]
    return ordered + [site for site in entry.scores if site not in sites]


def entry_values(
    entry: Entry, time: TimeText, sites: Sequence[str] | None = None
) -> dict[str, Any]:
    """Every field of the entry, in ENTRY_FIELDS order; scores ordered as `ordered_sites`."""
    return {
        "id": entry.id,
        "at": time(entry.at),
        "recorded_at": time(entry.recorded_at),
        "scores": {str(site): int(entry.scores[site]) for site in ordered_sites(entry, sites)},
        "patient_relief_percent": entry.patient_relief_percent,
        "activity": entry.activity,
        "activity_ability": entry.activity_ability.value if entry.activity_ability else None,
        "rescue_medication": entry.rescue_medication,
        "source": entry.source.value,
        "note": entry.note,
        "rescue_medication_detail": entry.rescue_medication_detail,
        "patient_relief_by_site": (
            None if entry.patient_relief_by_site is None else dict(entry.patient_relief_by_site)
        ),
    }
