"""A clinician's notes on a target's verdict and their sign-off of a diary's summary: pure values,
and the fingerprint that tells whether the diary changed after it was signed.

How a signature goes out of date: at signing, the diary's canonical content (the patient's own
fields, every block's own fields and every live entry, each as the audit trail records it, in
UTC, sorted by id) is serialised as canonical JSON (sorted keys, no spaces) and its SHA-256 is
stored with the signature. When a signature is shown, the same fingerprint is computed from the
diary as it is now; if it differs, an entry was added, corrected or deleted, or a block or the
patient's details changed, and the signature is shown as outdated. Reading, printing or
exporting the diary writes audit rows but changes none of its content, so it leaves the
fingerprint, and the signature, as they were. Notes are not part of the fingerprint: a note is
shown with its own author and time and never changes a figure the summary signs. The
fingerprint names its scheme ("paintrack-diary-v1") so that a later way of computing it can
tell old signatures apart rather than call them outdated.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from paintrack.clinical.fields import block_values, entry_values, patient_values
from paintrack.clinical.model import Diary, Region, Side

FINGERPRINT_SCHEME = "paintrack-diary-v1"
NOTE_MAX_LENGTH = 2000
"""Longest note kept: a plan or a remark beside a verdict, not a letter."""


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def diary_content(diary: Diary) -> dict[str, Any]:
    """What a signature covers: the patient, each block's fields and its live entries."""
    blocks = []
    for block in sorted(diary.blocks, key=lambda b: b.id):
        blocks.append(
            {
                "block": block_values(block, _utc_text),
                "entries": [
                    entry_values(entry, _utc_text)
                    for entry in sorted(block.entries, key=lambda e: e.id)
                ],
            }
        )
    return {
        "scheme": FINGERPRINT_SCHEME,
        "patient": patient_values(diary.patient),
        "blocks": blocks,
    }


def diary_fingerprint(diary: Diary) -> str:
    """The SHA-256 (hex) of the diary's canonical content: equal exactly when nothing that the
    summary rests on changed."""
    text = json.dumps(
        diary_content(diary),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TargetNote:
    """One version of a clinician's note on a target's verdict. Editing a note adds a version
    with the same `note_id` and the next `version`; earlier versions are kept as they were."""

    id: str  # this version's id
    note_id: str  # the note, the same across its versions
    version: int  # 1 for the note as first written
    patient_id: str
    region: Region
    side: Side
    text: str
    author: str
    written_at: datetime  # UTC, aware

    @property
    def target(self) -> tuple[Region, Side]:
        return (self.region, self.side)

    @property
    def edited(self) -> bool:
        return self.version > 1


@dataclass(frozen=True)
class Signature:
    """A clinician's sign-off of a diary's summary, with the fingerprint of what was signed."""

    id: str
    patient_id: str
    signer: str
    signed_at: datetime  # UTC, aware
    preset: str  # the rule preset the summary was read under
    fingerprint: str  # diary_fingerprint at signing
    statement: str  # what the clinician confirmed, as shown to them


@dataclass(frozen=True)
class SignOff:
    """What Review and the PDF show beside the verdicts: the current version of each note, by
    target and time written, and the latest signature with whether the diary changed since."""

    notes: tuple[TargetNote, ...] = ()
    signature: Signature | None = None
    outdated: bool = False

    def notes_for(self, region: Region, side: Side) -> tuple[TargetNote, ...]:
        return tuple(note for note in self.notes if note.target == (region, side))

    @property
    def signed(self) -> bool:
        """Signed, and the diary is as it was when signed."""
        return self.signature is not None and not self.outdated


def current_notes(versions: list[TargetNote]) -> tuple[TargetNote, ...]:
    """The latest version of each note, oldest note first."""
    latest: dict[str, TargetNote] = {}
    first_written: dict[str, datetime] = {}
    for note in versions:
        kept = latest.get(note.note_id)
        if kept is None or note.version > kept.version:
            latest[note.note_id] = note
        if note.version == 1:
            first_written[note.note_id] = note.written_at
    return tuple(
        sorted(
            latest.values(),
            key=lambda n: (first_written.get(n.note_id, n.written_at), n.note_id),
        )
    )


def sign_off_state(
    diary: Diary, versions: list[TargetNote], signatures: list[Signature]
) -> SignOff:
    """The diary's notes and its latest signature, outdated if the diary changed since."""
    latest = max(signatures, key=lambda s: (s.signed_at, s.id), default=None)
    outdated = latest is not None and latest.fingerprint != diary_fingerprint(diary)
    return SignOff(current_notes(versions), latest, outdated)
