"""One patient's diary as a FHIR R4 Bundle (type collection), for a clinic's health record.

The Patient, a Procedure for each block and an Observation for each score of each site (LOINC
72514-3, the 0-10 verbal numeric rating). docs/fhir.md describes the mapping field by field.
Plain dicts, ready for json.dumps: no FHIR library is needed to write one (the tests validate
the result with fhir.resources' R4B models).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from paintrack.clinical.model import (
    BILATERAL_SITES,
    INDEX_SITE,
    Block,
    Diary,
    Entry,
    Patient,
    Region,
    Side,
)
from paintrack.exchange.cpt import CPT_SYSTEM, cpt_codes
from paintrack.exchange.diary_json import format_time
from paintrack.exchange.files import write_atomic

LOINC_SYSTEM = "http://loinc.org"
SNOMED_SYSTEM = "http://snomed.info/sct"
PAIN_SCORE_CODE = "72514-3"
PAIN_SCORE_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
# A laterality qualifier on a bodySite CodeableConcept (mCODE's extension, allowed on
# Procedure.bodySite and Observation.bodySite): R4 has no element of its own for the side.
LATERALITY_EXTENSION = "http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier"
OBSERVATION_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
IDENTIFIER_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
URI_SYSTEM = "urn:ietf:rfc:3986"
# Observation ids: one per entry and site, derived from the entry's id so they stay the same
# from one export to the next.
OBSERVATION_ID_NAMESPACE = uuid.UUID("0b5e7f5c-2f7e-4c39-8d0a-6a3c1e9b42d7")

REGION_CODES: dict[Region, tuple[str, str]] = {
    Region.CERVICAL: ("1141983003", "Structure of cervical vertebral column region"),
    Region.THORACIC: ("1141986006", "Structure of thoracic vertebral column region"),
    Region.LUMBAR: ("1141985005", "Structure of lumbar vertebral column region"),
    Region.SACRAL: ("1144746008", "Structure of sacral vertebral column region"),
}
LATERALITY_CODES: dict[Side, tuple[str, str]] = {
    Side.LEFT: ("7771000", "Left"),
    Side.RIGHT: ("24028007", "Right"),
    Side.BILATERAL: ("51440002", "Right and left"),
}


@dataclass(frozen=True)
class BundleCounts:
    patients: int
    procedures: int
    observations: int


def _reference(resource_id: str) -> dict[str, str]:
    return {"reference": f"urn:uuid:{resource_id}"}


def _concentration(block: Block) -> str:
    parts = [block.agent.value]
    if block.concentration_percent is not None:
        parts.append(f"{block.concentration_percent:g}%")
    text = " ".join(parts)
    if block.volume_ml is not None:
        text += f", {block.volume_ml:g} mL"
    return text


def _body_site(region: Region, side: Side, text: str) -> dict[str, Any]:
    region_code, region_display = REGION_CODES[region]
    side_code, side_display = LATERALITY_CODES[side]
    return {
        "extension": [
            {
                "url": LATERALITY_EXTENSION,
                "valueCodeableConcept": {
                    "coding": [
                        {"system": SNOMED_SYSTEM, "code": side_code, "display": side_display}
                    ],
                    "text": side.value,
                },
            }
        ],
        "coding": [{"system": SNOMED_SYSTEM, "code": region_code, "display": region_display}],
        "text": text,
    }


def site_side(block: Block, site: str) -> Side:
    """The side a score rates: left or right for a bilateral block's sides, else the block's."""
    if site in BILATERAL_SITES:
        return Side(site)
    return block.side


def _minutes_text(minutes: float) -> str:
    whole = round(minutes)
    hours, rest = divmod(whole, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    if hours:
        return f"{hours} h"
    return f"{rest} min"


class _Builder:
    def __init__(self, diary: Diary, *, deidentify: bool) -> None:
        self.diary = diary
        self.deidentify = deidentify
        self._ids: dict[str, str] = {}
        self.scrub: Callable[[str], str] = _same
        self.name = diary.patient.name
        self.birth_date = diary.patient.birth_date.isoformat() if diary.patient.birth_date else None
        if deidentify:
            # The PDF's de-identification, so both say the same about a patient: initials and
            # birth year, and the name, record number and birth date removed from free text.
            from paintrack.wording.text import identity

            who = identity(diary.patient, deidentify=True)
            self.scrub = who.scrub
            self.name = who.name
            self.birth_date = (
                str(diary.patient.birth_date.year) if diary.patient.birth_date else None
            )

    def resource_id(self, stored_id: str) -> str:
        """The stored id, or (de-identified) a fresh random one that links to nothing."""
        if not self.deidentify:
            return stored_id
        return self._ids.setdefault(stored_id, str(uuid.uuid4()))

    def identifiers(self, stored_id: str) -> dict[str, Any]:
        if self.deidentify:
            return {}
        return {"identifier": [{"system": URI_SYSTEM, "value": f"urn:uuid:{stored_id}"}]}

    def patient(self, patient: Patient) -> dict[str, Any]:
        resource: dict[str, Any] = {"resourceType": "Patient", "id": self.resource_id(patient.id)}
        if not self.deidentify:
            identifiers: list[dict[str, Any]] = [
                {"system": URI_SYSTEM, "value": f"urn:uuid:{patient.id}"}
            ]
            if patient.mrn:
                identifiers.append(
                    {
                        "type": {
                            "coding": [
                                {
                                    "system": IDENTIFIER_TYPE_SYSTEM,
                                    "code": "MR",
                                    "display": "Medical record number",
                                }
                            ],
                            "text": "Medical record number",
                        },
                        "value": patient.mrn,
                    }
                )
            resource["identifier"] = identifiers
        resource["name"] = [{"text": self.name}]
        if self.birth_date is not None:
            resource["birthDate"] = self.birth_date
        return resource

    def procedure(self, block: Block, patient_id: str) -> dict[str, Any]:
        codes = cpt_codes(block.region, block.levels)
        what = (
            f"{block.region.value.capitalize()} medial branch block, {block.side.value}"
            f" (diagnostic block {block.sequence})"
        )
        code: dict[str, Any] = {"text": what}
        if codes:
            code["coding"] = [
                {"system": CPT_SYSTEM, "code": c.code, "display": c.display} for c in codes
            ]
        scrub = self.scrub  # only on text typed by people, never on paintrack's own words
        levels = scrub(", ".join(block.levels)) if block.levels else "not recorded"
        note = (
            f"Agent: {_concentration(block)}. Levels: {levels}."
            f" Sedation: {block.sedation.value}. Steroid: {'yes' if block.steroid else 'no'}."
            f" Block {block.sequence} of the series; protocol {scrub(block.protocol)}."
        )
        if block.activities:
            note += f" Activities tested: {scrub('; '.join(block.activities))}."
        return {
            "resourceType": "Procedure",
            "id": self.resource_id(block.id),
            **self.identifiers(block.id),
            "status": "completed",
            "code": code,
            "subject": _reference(patient_id),
            "performedDateTime": format_time(block.performed_at),
            "bodySite": [
                _body_site(
                    block.region, block.side, f"{block.region.value} spine, {block.side.value}"
                )
            ],
            "usedCode": [{"text": _concentration(block)}],
            "note": [{"text": note}],
        }

    def observations(
        self, block: Block, entry: Entry, patient_id: str, procedure_id: str
    ) -> Iterator[dict[str, Any]]:
        notes = [{"text": text} for text in _entry_notes(entry, self.scrub)]
        for site, score in entry.scores.items():
            stored_id = str(uuid.uuid5(OBSERVATION_ID_NAMESPACE, f"{entry.id}/{site}"))
            side = site_side(block, site)
            what = "index pain" if site == INDEX_SITE else f"{site} side"
            resource: dict[str, Any] = {
                "resourceType": "Observation",
                "id": self.resource_id(stored_id),
                **self.identifiers(stored_id),
                "status": "amended" if entry.amended else "final",
                "category": [
                    {
                        "coding": [
                            {
                                "system": OBSERVATION_CATEGORY_SYSTEM,
                                "code": "survey",
                                "display": "Survey",
                            }
                        ]
                    }
                ],
                "code": {
                    "coding": [
                        {
                            "system": LOINC_SYSTEM,
                            "code": PAIN_SCORE_CODE,
                            "display": PAIN_SCORE_DISPLAY,
                        }
                    ],
                    "text": "Pain score (0-10)",
                },
                "subject": _reference(patient_id),
                "partOf": [_reference(procedure_id)],
                "effectiveDateTime": format_time(entry.at),
                "issued": format_time(entry.recorded_at),
                "valueInteger": int(score),
                "bodySite": _body_site(
                    block.region, side, f"{what} ({block.region.value} spine, {side.value})"
                ),
            }
            if notes:
                resource["note"] = notes
            yield resource


def _same(text: str) -> str:
    return text


def _entry_notes(entry: Entry, scrub: Callable[[str], str]) -> list[str]:
    notes: list[str] = []
    late = (entry.recorded_at - entry.at).total_seconds() / 60
    if entry.is_transcribed:
        notes.append("Transcribed from the patient's paper diary.")
    if entry.is_late:
        notes.append(
            f"Recorded late: written down {_minutes_text(late)} after the time it refers to."
        )
    if entry.rescue_medication:
        notes.append("The patient took rescue pain medicine.")
    if entry.patient_relief_percent is not None:
        notes.append(f"Patient's own estimate of relief: {entry.patient_relief_percent:g}%.")
    if entry.activity is not None:
        ability = entry.activity_ability.value if entry.activity_ability else "not said"
        notes.append(f"Activity: {scrub(entry.activity)} (able: {ability}).")
    if entry.note.strip():
        notes.append(f"Patient's note: {scrub(entry.note.strip())}")
    return notes


def diary_to_bundle(diary: Diary, *, now: datetime, deidentify: bool = False) -> dict[str, Any]:
    """The diary as a FHIR R4 Bundle of type collection, as a JSON-ready dict.

    `now` is the Bundle's timestamp. With `deidentify`, as the PDF's --deidentify: no
    identifiers at all (resource ids are fresh random ones), initials and birth year only, and
    the name, record number and birth date removed from free text.
    """
    builder = _Builder(diary, deidentify=deidentify)
    patient = builder.patient(diary.patient)
    resources: list[dict[str, Any]] = [patient]
    for block in diary.blocks:
        procedure = builder.procedure(block, patient["id"])
        resources.append(procedure)
        for entry in block.entries:
            resources.extend(builder.observations(block, entry, patient["id"], procedure["id"]))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": format_time(now),
        "entry": [
            {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
            for resource in resources
        ],
    }


def count_resources(bundle: Mapping[str, Any]) -> BundleCounts:
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    return BundleCounts(
        patients=kinds.count("Patient"),
        procedures=kinds.count("Procedure"),
        observations=kinds.count("Observation"),
    )


def bundle_to_json(bundle: Mapping[str, Any]) -> str:
    return json.dumps(bundle, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def write_fhir_file(
    diary: Diary, path: str | os.PathLike[str], *, now: datetime, deidentify: bool = False
) -> BundleCounts:
    """Write the Bundle to `path` atomically (temp file, fsync, rename), UTF-8, mode 0600."""
    bundle = diary_to_bundle(diary, now=now, deidentify=deidentify)
    write_atomic(path, bundle_to_json(bundle).encode("utf-8"))
    return count_resources(bundle)
