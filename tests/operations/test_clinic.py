"""Clinic mode's operations: switching it on needs a clinician; signing in names the person in
every audit row (a diary merged from home, too: issue 15's "who merged"); only a clinician
changes clinic settings, the idle lock or the mode. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from paintrack.clinical.model import Agent, Block, Entry, Patient, Region, Side
from paintrack.clinical.people import Role, SignedIn
from paintrack.clinical.settings import ClinicSettings
from paintrack.operations import clinic, files
from paintrack.operations import diary as diary_ops
from paintrack.operations import review as review_ops
from paintrack.operations.people import NotAllowed
from paintrack.store import Store, open_store

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)
DOCTOR, NURSE = "Dr Rivera", "Nurse Obi"
SECRET = {DOCTOR: "doctor's password", NURSE: "nurse's password"}


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    target = (
        request.getfixturevalue("postgres_url")
        if request.param == "postgresql"
        else str(tmp_path / "clinic.db")
    )
    opened = open_store(target)
    yield opened
    opened.close()


def _users(store: Store) -> None:
    clinic.add_user(store, DOCTOR, "clinician", SECRET[DOCTOR])
    clinic.add_user(store, NURSE, Role.STAFF, SECRET[NURSE])


def _block() -> Block:
    return Block(
        performed_at=T0,
        region=Region.LUMBAR,
        side=Side.RIGHT,
        agent=Agent.LIDOCAINE,
        levels=("L4",),
    )


def test_clinic_mode_needs_an_active_clinician(store: Store) -> None:
    with pytest.raises(clinic.NoClinician, match="paintrack users add NAME --role clinician"):
        clinic.enable_clinic_mode(store)
    clinic.add_user(store, NURSE, "staff", SECRET[NURSE])
    with pytest.raises(clinic.NoClinician):
        clinic.enable_clinic_mode(store)
    assert not clinic.clinic_state(store).clinic_mode
    clinic.add_user(store, DOCTOR, "clinician", SECRET[DOCTOR])
    assert clinic.enable_clinic_mode(store).clinic_mode
    assert store.check_audit_trail().intact


def test_a_wrong_password_signs_nobody_in_and_says_nothing_of_which_was_wrong(
    store: Store,
) -> None:
    _users(store)
    with pytest.raises(clinic.WrongSignIn) as wrong_password:
        clinic.sign_in(store, DOCTOR, "not it at all")
    with pytest.raises(clinic.WrongSignIn) as wrong_name:
        clinic.sign_in(store, "Dr Nobody", SECRET[DOCTOR])
    assert wrong_password.value.message == wrong_name.value.message
    assert SECRET[DOCTOR] not in wrong_name.value.message
    assert clinic.signed_in(store) is None


def test_each_change_names_the_person_signed_in_and_verify_passes(store: Store) -> None:
    _users(store)
    clinic.enable_clinic_mode(store)
    assert clinic.sign_in(store, NURSE, SECRET[NURSE]) == SignedIn(NURSE, Role.STAFF)
    patient = diary_ops.start_diary(store, Patient(name="Opal Ops"))
    block = diary_ops.add_block(store, patient.id, _block(), now=NOW).block
    entry = Entry(at=T0 + timedelta(minutes=15), recorded_at=NOW, scores={"index": 3})
    diary_ops.save_score(store, patient.id, block.id, entry, now=NOW)
    clinic.sign_in(store, DOCTOR, SECRET[DOCTOR])
    later = Entry(at=T0 + timedelta(minutes=30), recorded_at=NOW, scores={"index": 2})
    diary_ops.save_score(store, patient.id, block.id, later, now=NOW)
    actors = [(r.action, r.actor) for r in store.audit_trail(patient.id)]
    assert actors == [
        ("add_patient", NURSE),
        ("add_block", NURSE),
        ("add_entry", NURSE),
        ("add_entry", DOCTOR),
    ]
    clinic.sign_out(store)
    assert clinic.signed_in(store) is None and store.actor != DOCTOR
    assert store.check_audit_trail().intact


def test_a_diary_merged_from_home_names_who_merged_it(store: Store, tmp_path: Path) -> None:
    """Issue 15: the clinic merges a patient's home diary while a user is signed in."""
    home_path = tmp_path / "home.db"
    with open_store(str(home_path)) as home:
        patient = diary_ops.start_diary(home, Patient(name="Opal Ops"))
        block = diary_ops.add_block(home, patient.id, _block(), now=NOW).block
        entry = Entry(at=T0 + timedelta(minutes=15), recorded_at=NOW, scores={"index": 3})
        diary_ops.save_score(home, patient.id, block.id, entry, now=NOW)
        exported = files.export_json(home, patient.id, str(tmp_path / "home.json"))
    _users(store)
    clinic.enable_clinic_mode(store)
    clinic.sign_in(store, NURSE, SECRET[NURSE])
    imported = files.import_file(store, exported.path)
    assert isinstance(imported, files.Imported)
    trail = store.audit_trail(patient.id)
    assert trail and {record.actor for record in trail} == {NURSE}
    assert "import" in {record.action for record in trail}
    assert store.check_audit_trail().intact


def test_only_a_clinician_changes_clinic_settings_the_idle_lock_and_the_mode(
    store: Store,
) -> None:
    _users(store)
    with pytest.raises(NotAllowed, match="Switch this database to clinic mode"):
        review_ops.save_clinic_settings(store, ClinicSettings(thresholds=(40,)))  # patient mode
    clinic.enable_clinic_mode(store)
    nurse = clinic.sign_in(store, NURSE, SECRET[NURSE])
    with pytest.raises(NotAllowed, match="Nurse Obi is signed in as staff"):
        review_ops.save_clinic_settings(store, ClinicSettings(thresholds=(40,)))
    with pytest.raises(NotAllowed):
        clinic.save_idle_lock(store, nurse, 3)
    with pytest.raises(NotAllowed):
        clinic.disable_clinic_mode(store, nurse)
    assert store.get_settings().thresholds == (50, 80)
    assert clinic.clinic_state(store).idle_lock_minutes == 10
    doctor = clinic.sign_in(store, DOCTOR, SECRET[DOCTOR])
    review_ops.save_clinic_settings(store, ClinicSettings(thresholds=(40,)))
    clinic.save_idle_lock(store, doctor, 3)
    assert store.get_settings().thresholds == (40,)
    assert clinic.clinic_state(store).idle_lock_minutes == 3
    assert not clinic.disable_clinic_mode(store, doctor).clinic_mode
    saves = [(r.action, r.actor) for r in store.audit_trail() if r.patient_id is None]
    assert ("save_settings", DOCTOR) in saves and ("clinic_mode", DOCTOR) in saves
    assert store.check_audit_trail().intact
