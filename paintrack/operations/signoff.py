"""A clinician's notes on a target's verdict and their sign-off of a patient's summary. Writing a
note and signing are a clinician's (require_clinician); anyone may read them. What makes a
signature outdated is decided in paintrack/clinical/signoff.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from paintrack.clinical.model import Diary, Region, Side
from paintrack.clinical.people import SignedIn
from paintrack.clinical.signoff import Signature, SignOff, TargetNote, diary_fingerprint
from paintrack.operations.people import require_clinician
from paintrack.wording.signoff import sign_statement

if TYPE_CHECKING:
    from paintrack.store import Store


@dataclass(frozen=True)
class SignRequest:
    """What a clinician is asked to confirm before signing: the statement and the fingerprint of
    the diary it describes (the one on screen)."""

    patient_id: str
    preset: str
    statement: str
    fingerprint: str


def sign_off(store: Store, patient_id: str) -> SignOff:
    """The patient's notes and latest signature (outdated if the diary changed since)."""
    return store.sign_off(patient_id)


def note_history(store: Store, patient_id: str, note_id: str) -> list[TargetNote]:
    """Every version of one note, oldest first."""
    return [n for n in store.note_versions(patient_id) if n.note_id == note_id]


def add_note(
    store: Store,
    who: SignedIn | None,
    patient_id: str,
    region: Region,
    side: Side,
    text: str,
) -> TargetNote:
    """A clinician's note on the verdict of the patient's target (region and side)."""
    clinician = require_clinician(who, "write a note on a verdict")
    return store.add_note(patient_id, region, side, text, actor=clinician.name)


def edit_note(store: Store, who: SignedIn | None, note_id: str, text: str) -> TargetNote:
    """A new version of a note; the earlier text stays in the record."""
    clinician = require_clinician(who, "change a note on a verdict")
    return store.edit_note(note_id, text, actor=clinician.name)


def sign_request(diary: Diary, preset: str, *, now: datetime) -> SignRequest:
    """What signing the summary of `diary` (as shown, under `preset`) would confirm."""
    return SignRequest(
        patient_id=diary.patient.id,
        preset=preset,
        statement=sign_statement(diary, preset, now),
        fingerprint=diary_fingerprint(diary),
    )


def sign_summary(store: Store, who: SignedIn | None, request: SignRequest) -> Signature:
    """Sign the summary described by `request`. Refused for anyone but a clinician, and if the
    diary changed since the summary was shown (DiaryChangedWhileSigning)."""
    clinician = require_clinician(who, "sign a summary")
    return store.sign_summary(
        request.patient_id,
        preset=request.preset,
        statement=request.statement,
        fingerprint=request.fingerprint,
        actor=clinician.name,
    )
