"""The store's part of notes and sign-off: clinician notes kept version by version and
signatures of a summary, each written with its audit row in the same transaction and hash chain,
and what `verify` compares them with (`audited_rows`).

`Store` takes these methods from `NotesAndSignatures`; the role check is the operations' (see
paintrack/operations/signoff.py), the store only records who the caller says acted.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paintrack.clinical.audit import AuditAction
from paintrack.clinical.model import Region, Side, new_id
from paintrack.clinical.signoff import (
    NOTE_MAX_LENGTH,
    Signature,
    SignOff,
    TargetNote,
    diary_fingerprint,
    sign_off_state,
)
from paintrack.errors import UserError
from paintrack.store.models import NoteRow, PatientRow, SignatureRow
from paintrack.store.reading import read_diary

if TYPE_CHECKING:
    from paintrack.store.repository import _Unit

NOTE = "note"
SIGNATURE = "signature"
AUDITED_KINDS = (NOTE, SIGNATURE)
"""The object types of this module's audit rows, which verify replays like patients and blocks."""


class DiaryChangedWhileSigning(UserError):
    """The diary was changed (on another workstation) after the summary being signed was read."""


def note_json(note: TargetNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "note_id": note.note_id,
        "version": note.version,
        "patient_id": note.patient_id,
        "region": note.region.value,
        "side": note.side.value,
        "text": note.text,
        "author": note.author,
        "written_at": note.written_at.astimezone(UTC).isoformat(),
    }


def signature_json(signature: Signature) -> dict[str, Any]:
    return {
        "id": signature.id,
        "patient_id": signature.patient_id,
        "signer": signature.signer,
        "signed_at": signature.signed_at.astimezone(UTC).isoformat(),
        "preset": signature.preset,
        "fingerprint": signature.fingerprint,
        "statement": signature.statement,
    }


def _note(row: NoteRow) -> TargetNote:
    return TargetNote(
        id=row.id,
        note_id=row.note_id,
        version=row.version,
        patient_id=row.patient_id,
        region=Region(row.region),
        side=Side(row.side),
        text=row.text,
        author=row.author,
        written_at=row.written_at,
    )


def _signature(row: SignatureRow) -> Signature:
    return Signature(
        id=row.id,
        patient_id=row.patient_id,
        signer=row.signer,
        signed_at=row.signed_at,
        preset=row.preset,
        fingerprint=row.fingerprint,
        statement=row.statement,
    )


def _note_text(text: str) -> str:
    cleaned = text.strip() if isinstance(text, str) else ""
    if not cleaned:
        raise UserError("A note needs some text: write what you plan or found, then save.")
    if len(cleaned) > NOTE_MAX_LENGTH:
        raise UserError(
            f"A note is at most {NOTE_MAX_LENGTH} characters (this one has {len(cleaned)}); "
            "shorten it, or split it into two notes."
        )
    return cleaned


def _versions(session: Session, patient_id: str) -> list[TargetNote]:
    rows = session.scalars(
        select(NoteRow)
        .where(NoteRow.patient_id == patient_id)
        .order_by(NoteRow.written_at, NoteRow.note_id, NoteRow.version)
    )
    return [_note(row) for row in rows]


def _signatures(session: Session, patient_id: str) -> list[Signature]:
    rows = session.scalars(
        select(SignatureRow)
        .where(SignatureRow.patient_id == patient_id)
        .order_by(SignatureRow.signed_at, SignatureRow.id)
    )
    return [_signature(row) for row in rows]


class NotesAndSignatures:
    """Store methods for clinician notes and sign-offs (mixed into `Store`)."""

    if TYPE_CHECKING:

        def _reading(self) -> AbstractContextManager[Session]: ...

        def _writing(self, actor: str | None) -> AbstractContextManager[_Unit]: ...

    # -- notes ---------------------------------------------------------------------------------

    def add_note(
        self, patient_id: str, region: Region, side: Side, text: str, *, actor: str | None = None
    ) -> TargetNote:
        """A new note on the verdict of the patient's target (region, side), by `actor`."""
        cleaned = _note_text(text)
        with self._writing(actor) as unit:
            if unit.session.get(PatientRow, patient_id) is None:
                raise UserError(f"There is no patient with id {patient_id} in this diary.")
            note_id = new_id()
            note = TargetNote(
                id=note_id,
                note_id=note_id,
                version=1,
                patient_id=patient_id,
                region=Region(region),
                side=Side(side),
                text=cleaned,
                author=unit.actor,
                written_at=unit.now.astimezone(UTC),
            )
            _insert_note(unit, note, AuditAction.ADD_NOTE, old=None)
        return note

    def edit_note(self, note_id: str, text: str, *, actor: str | None = None) -> TargetNote:
        """A new version of a note, by `actor`; the earlier versions stay as they were."""
        cleaned = _note_text(text)
        with self._writing(actor) as unit:
            latest_row = unit.session.scalars(
                select(NoteRow)
                .where(NoteRow.note_id == note_id)
                .order_by(NoteRow.version.desc())
                .limit(1)
            ).first()
            if latest_row is None:
                raise UserError(f"There is no note with id {note_id} in this diary.")
            latest = _note(latest_row)
            if latest.text == cleaned:
                return latest
            note = TargetNote(
                id=new_id(),
                note_id=note_id,
                version=latest.version + 1,
                patient_id=latest.patient_id,
                region=latest.region,
                side=latest.side,
                text=cleaned,
                author=unit.actor,
                written_at=unit.now.astimezone(UTC),
            )
            _insert_note(unit, note, AuditAction.EDIT_NOTE, old=note_json(latest))
        return note

    def note_versions(self, patient_id: str) -> list[TargetNote]:
        """Every version of every note of the patient, oldest first."""
        with self._reading() as session:
            return _versions(session, patient_id)

    # -- signatures ----------------------------------------------------------------------------

    def sign_summary(
        self,
        patient_id: str,
        *,
        preset: str,
        statement: str,
        fingerprint: str,
        actor: str | None = None,
    ) -> Signature:
        """Record `actor`'s sign-off of the patient's summary as read with diary fingerprint
        `fingerprint`. Refused (DiaryChangedWhileSigning) if the diary no longer has that
        fingerprint: what would be signed is not what was read."""
        with self._writing(actor) as unit:
            now_fingerprint = diary_fingerprint(read_diary(unit.session, patient_id))
            if now_fingerprint != fingerprint:
                raise DiaryChangedWhileSigning(
                    "The diary changed after this summary was shown (someone saved a change on "
                    "another computer), so it was not signed. Look at the summary again and "
                    "sign it then."
                )
            signature = Signature(
                id=new_id(),
                patient_id=patient_id,
                signer=unit.actor,
                signed_at=unit.now.astimezone(UTC),
                preset=preset,
                fingerprint=now_fingerprint,
                statement=statement,
            )
            unit.session.add(
                SignatureRow(
                    id=signature.id,
                    patient_id=patient_id,
                    signer=signature.signer,
                    signed_at=signature.signed_at,
                    preset=preset,
                    fingerprint=signature.fingerprint,
                    statement=statement,
                )
            )
            unit.audit(
                AuditAction.SIGN_SUMMARY.value,
                SIGNATURE,
                signature.id,
                patient_id=patient_id,
                new=signature_json(signature),
            )
        return signature

    def signatures(self, patient_id: str) -> list[Signature]:
        """Every sign-off of the patient's summary, oldest first."""
        with self._reading() as session:
            return _signatures(session, patient_id)

    def sign_off(self, patient_id: str) -> SignOff:
        """The patient's current notes and latest signature, read together with the diary so
        that "outdated" is decided on the diary as it is now."""
        with self._reading() as session:
            diary = read_diary(session, patient_id)
            return sign_off_state(
                diary, _versions(session, patient_id), _signatures(session, patient_id)
            )


def _insert_note(
    unit: _Unit, note: TargetNote, action: AuditAction, *, old: dict[str, Any] | None
) -> None:
    unit.session.add(
        NoteRow(
            id=note.id,
            note_id=note.note_id,
            version=note.version,
            patient_id=note.patient_id,
            region=note.region.value,
            side=note.side.value,
            text=note.text,
            author=note.author,
            written_at=note.written_at,
        )
    )
    unit.audit(
        action.value, NOTE, note.id, patient_id=note.patient_id, old=old, new=note_json(note)
    )


def audited_rows(session: Session, batch: int) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every note version and signature as (object type, id, values): what verify compares with
    the last values the audit trail recorded for each."""
    streamed = {"yield_per": batch}
    for row in session.scalars(select(NoteRow).execution_options(**streamed)):
        yield NOTE, row.id, note_json(_note(row))
    for signature in session.scalars(select(SignatureRow).execution_options(**streamed)):
        yield SIGNATURE, signature.id, signature_json(_signature(signature))
