"""Clinician notes and sign-offs in the store, on SQLite and PostgreSQL: every version of a note
is kept, each write is in the hash chain and `verify` still passes; a signature goes out of date
when the diary changes and not when it is only viewed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

import pytest

from paintrack.clinical.model import Region, Side
from paintrack.clinical.signoff import diary_fingerprint
from paintrack.errors import UserError
from paintrack.store import Store
from paintrack.store.signoff import DiaryChangedWhileSigning
from tests.store.backends import raw_rows
from tests.store.store_builders import T0, index_block, sample_diary

DR = "Dr Ana Rivera"


def _stored_patient(store: Store) -> str:
    return store.import_diary(sample_diary(), source_name="test.json").patient_id


def _sign(store: Store, patient_id: str, *, actor: str = DR) -> None:
    diary = store.load_diary(patient_id)
    store.sign_summary(
        patient_id,
        preset="asra-2020",
        statement="I have reviewed this summary.",
        fingerprint=diary_fingerprint(diary),
        actor=actor,
    )


def test_an_edited_note_keeps_every_version_and_verify_passes(any_store: Store) -> None:
    patient_id = _stored_patient(any_store)
    note = any_store.add_note(
        patient_id, Region.CERVICAL, Side.RIGHT, "  plan right C3-C5 RFA ", actor=DR
    )
    assert note.text == "plan right C3-C5 RFA" and note.author == DR and note.version == 1
    second = any_store.edit_note(note.note_id, "plan right C3-C5 RFA in January", actor="Dr B")
    third = any_store.edit_note(note.note_id, "plan bilateral C3-C5 RFA", actor=DR)

    versions = any_store.note_versions(patient_id)
    assert [(v.version, v.text, v.author) for v in versions] == [
        (1, "plan right C3-C5 RFA", DR),
        (2, "plan right C3-C5 RFA in January", "Dr B"),
        (3, "plan bilateral C3-C5 RFA", DR),
    ]
    assert raw_rows(any_store, "SELECT COUNT(*) FROM target_notes")[0][0] == 3
    shown = any_store.sign_off(patient_id)
    assert shown.notes == (third,)
    assert shown.notes_for(Region.CERVICAL, Side.RIGHT) == (third,)
    assert shown.notes_for(Region.LUMBAR, Side.RIGHT) == ()

    trail = [r for r in any_store.audit_trail(patient_id) if r.object_type == "note"]
    assert [(r.action, r.actor) for r in trail] == [
        ("add_note", DR),
        ("edit_note", "Dr B"),
        ("edit_note", DR),
    ]
    assert trail[1].old is not None and trail[1].old["text"] == "plan right C3-C5 RFA"
    assert trail[1].new is not None and trail[1].new["id"] == second.id
    assert any_store.check_audit_trail().intact


def test_an_unchanged_edit_adds_no_version(any_store: Store) -> None:
    patient_id = _stored_patient(any_store)
    note = any_store.add_note(patient_id, Region.LUMBAR, Side.RIGHT, "repeat block", actor=DR)
    assert any_store.edit_note(note.note_id, " repeat block ", actor=DR) == note
    assert len(any_store.note_versions(patient_id)) == 1


@pytest.mark.parametrize("text", ["", "   ", "x" * 2001])
def test_an_empty_or_overlong_note_is_refused(any_store: Store, text: str) -> None:
    patient_id = _stored_patient(any_store)
    with pytest.raises(UserError, match="note"):
        any_store.add_note(patient_id, Region.LUMBAR, Side.RIGHT, text, actor=DR)
    assert any_store.note_versions(patient_id) == []


def test_a_note_on_an_unknown_patient_or_note_is_refused(any_store: Store) -> None:
    with pytest.raises(UserError, match="no patient"):
        any_store.add_note("nobody", Region.LUMBAR, Side.RIGHT, "text", actor=DR)
    with pytest.raises(UserError, match="no note"):
        any_store.edit_note("no-such-note", "text", actor=DR)


def test_a_signature_is_kept_audited_and_current(any_store: Store) -> None:
    patient_id = _stored_patient(any_store)
    assert any_store.sign_off(patient_id).signature is None
    _sign(any_store, patient_id)
    shown = any_store.sign_off(patient_id)
    assert shown.signature is not None and shown.signature.signer == DR
    assert shown.signed and not shown.outdated
    assert shown.signature.signed_at.tzinfo is not None
    actions = [r.action for r in any_store.audit_trail(patient_id)]
    assert actions[-1] == "sign_summary"
    assert any_store.check_audit_trail().intact


def _add_entry(store: Store, patient_id: str) -> None:
    block = store.load_diary(patient_id).blocks[0]
    entry = dataclasses.replace(
        block.entries[0],
        id="added-after-signing",
        at=block.performed_at + timedelta(minutes=45),
        recorded_at=block.performed_at + timedelta(minutes=46),
    )
    store.add_entry(block.id, entry)


def _amend_entry(store: Store, patient_id: str) -> None:
    entry = store.load_diary(patient_id).blocks[0].entries[-1]
    changed = dataclasses.replace(entry, scores=dict.fromkeys(entry.scores, 5))
    store.amend_entry(entry.id, changed, reason="typed wrongly")


def _delete_entry(store: Store, patient_id: str) -> None:
    entry = store.load_diary(patient_id).blocks[0].entries[-1]
    store.delete_entry(entry.id, reason="entered twice")


def _change_block(store: Store, patient_id: str) -> None:
    block = store.load_diary(patient_id).blocks[0]
    store.update_block(dataclasses.replace(block, volume_ml=0.7), reason="volume corrected")


def _add_block(store: Store, patient_id: str) -> None:
    store.add_block(patient_id, index_block(T0 + timedelta(days=30), sequence=2))


@pytest.mark.parametrize(
    "change", [_add_entry, _amend_entry, _delete_entry, _change_block, _add_block]
)
def test_a_change_to_the_diary_after_signing_outdates_the_signature(
    any_store: Store, change: Callable[[Store, str], None]
) -> None:
    patient_id = _stored_patient(any_store)
    _sign(any_store, patient_id)
    change(any_store, patient_id)
    shown = any_store.sign_off(patient_id)
    assert shown.signature is not None and shown.outdated and not shown.signed
    assert any_store.check_audit_trail().intact


def test_viewing_exporting_and_noting_do_not_outdate_the_signature(any_store: Store) -> None:
    patient_id = _stored_patient(any_store)
    _sign(any_store, patient_id)
    any_store.load_diary(patient_id)
    any_store.audit_trail(patient_id)
    # What the audit of views and exports writes: a row about the diary that changes nothing in
    # it (the same Unit.audit the store's own writes use).
    with any_store._writing(None) as unit:
        unit.audit("view_diary", "diary", patient_id, patient_id=patient_id)
        unit.audit("export_pdf", "diary", patient_id, patient_id=patient_id, new={"pages": 3})
    any_store.add_note(patient_id, Region.LUMBAR, Side.RIGHT, "discussed with patient", actor=DR)
    shown = any_store.sign_off(patient_id)
    assert shown.signed and not shown.outdated
    assert any_store.check_audit_trail().intact


def test_signing_a_summary_of_a_diary_that_changed_since_is_refused(any_store: Store) -> None:
    patient_id = _stored_patient(any_store)
    seen = diary_fingerprint(any_store.load_diary(patient_id))
    _change_block(any_store, patient_id)  # another workstation saves meanwhile
    with pytest.raises(DiaryChangedWhileSigning, match="Look at the summary again"):
        any_store.sign_summary(
            patient_id, preset="asra-2020", statement="s", fingerprint=seen, actor=DR
        )
    assert any_store.signatures(patient_id) == []


def test_a_later_signature_of_the_changed_diary_is_current_again(any_store: Store) -> None:
    patient_id = _stored_patient(any_store)
    _sign(any_store, patient_id)
    _change_block(any_store, patient_id)
    _sign(any_store, patient_id, actor="Dr B")
    shown = any_store.sign_off(patient_id)
    assert shown.signature is not None and shown.signature.signer == "Dr B" and shown.signed
    assert len(any_store.signatures(patient_id)) == 2


def test_verify_notices_a_note_or_signature_changed_outside_paintrack(any_store: Store) -> None:
    patient_id = _stored_patient(any_store)
    note = any_store.add_note(patient_id, Region.LUMBAR, Side.RIGHT, "plan RFA", actor=DR)
    _sign(any_store, patient_id)
    raw_rows(any_store, "UPDATE target_notes SET text = 'no RFA' WHERE id = :id", id=note.id)
    raw_rows(any_store, "UPDATE signatures SET signer = 'Dr Nobody'")
    problems = {(m.kind, m.problem) for m in any_store.check_audit_trail().mismatches}
    assert problems == {("note", "differs"), ("signature", "differs")}


def test_verify_notices_a_note_removed_outside_paintrack(any_store: Store) -> None:
    patient_id = _stored_patient(any_store)
    note = any_store.add_note(patient_id, Region.LUMBAR, Side.RIGHT, "plan RFA", actor=DR)
    raw_rows(any_store, "DELETE FROM target_notes WHERE id = :id", id=note.id)
    problems = [(m.kind, m.object_id, m.problem) for m in any_store.check_audit_trail().mismatches]
    assert problems == [("note", note.id, "missing")]
