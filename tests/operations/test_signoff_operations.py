"""Notes and sign-off through the operations layer: only a clinician writes a note or signs,
the audit trail names them, `paintrack verify` passes afterwards, and its words for a note
changed behind paintrack's back name the note."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from paintrack import cli
from paintrack.clinical.model import Agent, Block, Entry, Patient, Region, Side
from paintrack.clinical.people import Role, SignedIn
from paintrack.operations import diary as diary_ops
from paintrack.operations import signoff
from paintrack.operations.people import NotAllowed
from paintrack.store import Store, open_store

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NOW = T0 + timedelta(hours=8)
CLINICIAN = SignedIn("Dr Ana Rivera", Role.CLINICIAN)
STAFF = SignedIn("Sam Staff", Role.STAFF)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "diary.db"


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    opened = open_store(str(db))
    yield opened
    opened.close()


def _patient(store: Store) -> str:
    patient = diary_ops.start_diary(store, Patient(name="Opal Ops"))
    block = Block(
        performed_at=T0,
        region=Region.CERVICAL,
        side=Side.RIGHT,
        agent=Agent.LIDOCAINE,
        levels=("C3 MB", "C4 MB"),
    )
    saved = diary_ops.add_block(store, patient.id, block, now=NOW)
    for minutes, score in ((-5, 8), (30, 1)):
        at = T0 + timedelta(minutes=minutes)
        entry = Entry(at=at, recorded_at=at + timedelta(seconds=20), scores={"index": score})
        diary_ops.save_score(store, patient.id, saved.block.id, entry, now=NOW)
    return patient.id


@pytest.mark.parametrize("who", [STAFF, None])
def test_only_a_clinician_writes_a_note(store: Store, who: SignedIn | None) -> None:
    patient_id = _patient(store)
    with pytest.raises(NotAllowed, match="Only a clinician can write a note"):
        signoff.add_note(store, who, patient_id, Region.CERVICAL, Side.RIGHT, "plan RFA")
    assert store.note_versions(patient_id) == []


@pytest.mark.parametrize("who", [STAFF, None])
def test_only_a_clinician_changes_a_note(store: Store, who: SignedIn | None) -> None:
    patient_id = _patient(store)
    note = signoff.add_note(store, CLINICIAN, patient_id, Region.CERVICAL, Side.RIGHT, "plan RFA")
    with pytest.raises(NotAllowed, match="Only a clinician can change a note"):
        signoff.edit_note(store, who, note.note_id, "no RFA")
    assert [n.text for n in store.note_versions(patient_id)] == ["plan RFA"]


@pytest.mark.parametrize("who", [STAFF, None])
def test_only_a_clinician_signs_a_summary(store: Store, who: SignedIn | None) -> None:
    patient_id = _patient(store)
    request = signoff.sign_request(store.load_diary(patient_id), "asra-2020", now=NOW)
    with pytest.raises(NotAllowed, match="Only a clinician can sign a summary"):
        signoff.sign_summary(store, who, request)
    assert store.signatures(patient_id) == []
    assert "sign_summary" not in [r.action for r in store.audit_trail(patient_id)]


def test_a_clinicians_note_and_signature_name_them_and_verify_passes(
    store: Store, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patient_id = _patient(store)
    note = signoff.add_note(
        store, CLINICIAN, patient_id, Region.CERVICAL, Side.RIGHT, "plan right C3-C5 RFA"
    )
    signoff.edit_note(store, CLINICIAN, note.note_id, "plan right C3-C5 RFA after review")
    request = signoff.sign_request(store.load_diary(patient_id), "asra-2020", now=NOW)
    assert "Opal Ops" in request.statement and "1 block" in request.statement
    assert "2 diary entries" in request.statement and "ASRA 2020 preset" in request.statement
    signature = signoff.sign_summary(store, CLINICIAN, request)
    assert signature.signer == CLINICIAN.name and signature.statement == request.statement

    shown = signoff.sign_off(store, patient_id)
    assert shown.signed and [n.text for n in shown.notes] == ["plan right C3-C5 RFA after review"]
    assert [n.version for n in signoff.note_history(store, patient_id, note.note_id)] == [1, 2]
    trail = store.audit_trail(patient_id)
    assert [(r.action, r.actor) for r in trail[-3:]] == [
        ("add_note", CLINICIAN.name),
        ("edit_note", CLINICIAN.name),
        ("sign_summary", CLINICIAN.name),
    ]
    store.close()
    assert cli.main(["verify", "--db", str(db)]) == 0
    capsys.readouterr()


def test_verify_says_which_note_was_changed_outside_paintrack(
    store: Store, db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    patient_id = _patient(store)
    signoff.add_note(store, CLINICIAN, patient_id, Region.CERVICAL, Side.RIGHT, "plan RFA")
    store.close()
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        connection.execute(text("UPDATE target_notes SET text = 'no RFA'"))
    engine.dispose()
    capsys.readouterr()
    assert cli.main(["verify", "--db", str(db)]) != 0
    out = capsys.readouterr().out
    assert "a clinician's note by Dr Ana Rivera differs from its audit record" in out
