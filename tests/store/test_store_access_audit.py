"""Views, exports, PDFs and prints in the audit trail: one row each, in the same hash chain,
naming who and what (never the diary's contents); verify passes with them and still catches one
changed or removed. On SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date
from pathlib import Path

import pytest

from paintrack.clinical.audit import ACCESS_ACTIONS, AuditAction
from paintrack.clinical.model import Diary, Patient
from paintrack.errors import UserError
from paintrack.store import Store, open_store
from paintrack.store.audit_chain import audit_hash
from paintrack.wording.text import amendments
from tests.store.backends import raw_rows
from tests.store.store_builders import index_block

EXPORT = {"format": "csv", "file_name": "diary.csv", "folder": "/tmp", "deidentified": False}


def _diary(store: Store) -> Diary:
    patient = Patient(name="Ann Example", birth_date=date(1970, 1, 2), mrn="A-1")
    diary = Diary(patient=patient, blocks=(index_block(),))
    store.import_diary(diary, source_name="ann.json")
    return diary


def _every_access(store: Store, patient_id: str) -> None:
    store.record_access(AuditAction.VIEW_DIARY, patient_id, {"where": "review"})
    store.record_access(AuditAction.EXPORT_DIARY, patient_id, EXPORT)
    store.record_access(
        AuditAction.WRITE_PDF, patient_id, {"file_name": "s.pdf", "deidentified": True}
    )
    store.record_access(
        AuditAction.PRINT_SUMMARY, patient_id, {"printer": "Ward 3", "deidentified": False}
    )


def test_each_access_is_one_chained_row_naming_who_and_what(any_store: Store) -> None:
    diary = _diary(any_store)
    patient_id = diary.patient.id
    before = len(any_store.audit_trail())
    any_store.act_as("Dr Rivera")
    _every_access(any_store, patient_id)

    trail = any_store.audit_trail(patient_id)
    access = trail[-4:]
    assert len(any_store.audit_trail()) == before + 4
    assert [r.action for r in access] == [
        "view_diary",
        "export_diary",
        "write_pdf",
        "print_summary",
    ]
    assert {r.action for r in access} == set(ACCESS_ACTIONS)
    for record in access:
        assert record.actor == "Dr Rivera"
        assert record.patient_id == patient_id
        assert (record.object_type, record.object_id) == ("diary", patient_id)
        assert record.old is None  # never an amendment, never the diary's values
        assert "Ann Example" not in str(record.new)
    assert dict(access[1].new or {}) == EXPORT
    assert access[3].new == {"printer": "Ward 3", "deidentified": False}
    assert amendments(trail) == []  # the PDF's appendix of amendments leaves them out

    seqs = raw_rows(any_store, "SELECT seq, prev_hash, hash FROM audit ORDER BY seq")
    for (_, _, previous), (_, prev_hash, _) in itertools.pairwise(seqs):
        assert prev_hash == previous  # one chain, access rows and changes alike
    check = any_store.check_audit_trail()
    assert check.intact, check
    assert check.records == before + 4


def test_the_returned_record_is_the_stored_one(any_store: Store) -> None:
    patient_id = _diary(any_store).patient.id
    returned = any_store.record_access(AuditAction.VIEW_DIARY, patient_id, {"where": "review"})
    stored = any_store.audit_trail(patient_id)[-1]
    assert returned == stored


def test_verify_catches_an_access_row_changed_afterwards(any_store: Store) -> None:
    patient_id = _diary(any_store).patient.id
    _every_access(any_store, patient_id)
    [(seq,)] = raw_rows(any_store, "SELECT seq FROM audit WHERE action = 'export_diary'")
    raw_rows(any_store, "UPDATE audit SET actor = 'someone else' WHERE seq = :seq", seq=seq)

    check = any_store.check_audit_trail()
    assert not check.intact
    assert check.first_break is not None
    assert check.first_break.seq == seq
    assert check.first_break.action == "export_diary"
    assert "changed after it was written" in check.first_break.problem


def test_verify_catches_an_access_row_changed_with_its_hash_recomputed(
    any_store: Store,
) -> None:
    """Hiding who printed by rewriting the row and its own hash breaks the link to the next."""
    patient_id = _diary(any_store).patient.id
    _every_access(any_store, patient_id)
    [row] = raw_rows(
        any_store,
        "SELECT seq, id, at, actor, action, object_type, object_id, patient_id, reason, "
        "prev_hash FROM audit WHERE action = 'write_pdf'",
    )
    seq, row_id, _at, _actor, action, object_type, object_id, row_patient, reason, prev = row
    stored = next(r for r in any_store.audit_trail() if r.id == row_id)
    forged = audit_hash(
        seq=seq,
        id=row_id,
        at=stored.at,
        actor="nobody",
        action=action,
        object_type=object_type,
        object_id=object_id,
        patient_id=row_patient,
        reason=reason,
        old=None,
        new=stored.new,
        prev_hash=prev,
    )
    raw_rows(
        any_store,
        "UPDATE audit SET actor = 'nobody', hash = :hash WHERE seq = :seq",
        hash=forged,
        seq=seq,
    )
    check = any_store.check_audit_trail()
    assert check.first_break is not None
    assert check.first_break.seq == seq + 1  # the print after it no longer follows it
    assert "does not follow" in check.first_break.problem


def test_verify_catches_an_access_row_removed(any_store: Store) -> None:
    patient_id = _diary(any_store).patient.id
    _every_access(any_store, patient_id)
    [(seq,)] = raw_rows(any_store, "SELECT seq FROM audit WHERE action = 'view_diary'")
    raw_rows(any_store, "DELETE FROM audit WHERE seq = :seq", seq=seq)

    check = any_store.check_audit_trail()
    assert check.first_break is not None
    assert check.first_break.seq == seq + 1
    assert check.first_break.action == "export_diary"


def test_changes_after_access_rows_are_still_compared_with_the_diary(any_store: Store) -> None:
    """Access rows are about the diary as a whole: the comparison of blocks and entries with
    their last audit rows is unaffected, and still catches an entry edited behind its back."""
    diary = _diary(any_store)
    entry = diary.blocks[0].entries[1]
    any_store.record_access(AuditAction.VIEW_DIARY, diary.patient.id, {"where": "review"})
    any_store.amend_entry(
        entry.id, dataclasses.replace(entry, scores={"index": 3}), reason="typo", actor="nurse"
    )
    any_store.record_access(AuditAction.EXPORT_DIARY, diary.patient.id, EXPORT)
    assert any_store.check_audit_trail().intact

    raw_rows(any_store, "UPDATE entry_scores SET score = 9 WHERE entry_id = :id", id=entry.id)
    check = any_store.check_audit_trail()
    assert check.first_break is None
    assert [(m.kind, m.object_id, m.problem) for m in check.mismatches] == [
        ("entry", entry.id, "differs")
    ]


def test_an_access_to_no_such_patient_is_refused_and_writes_nothing(any_store: Store) -> None:
    _diary(any_store)
    before = len(any_store.audit_trail())
    with pytest.raises(UserError, match="There is no patient with id nobody"):
        any_store.record_access(AuditAction.VIEW_DIARY, "nobody", {"where": "review"})
    with pytest.raises(ValueError, match="not an access action"):
        any_store.record_access(AuditAction.AMEND_ENTRY, "nobody", {})
    assert len(any_store.audit_trail()) == before


def test_a_read_only_store_refuses_to_record_and_is_left_unchanged(
    store: Store, db_path: Path
) -> None:
    patient_id = _diary(store).patient.id
    before = len(store.audit_trail())
    with (
        open_store(str(db_path), read_only=True) as reader,
        pytest.raises(UserError, match="opened read-only"),
    ):
        reader.record_access(AuditAction.EXPORT_DIARY, patient_id, EXPORT)
    assert len(store.audit_trail()) == before
