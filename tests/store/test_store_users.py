"""Clinic mode's users in the store, on SQLite and PostgreSQL: scrypt hashes (never the
password), names unique ignoring case, wrong passwords and deactivated users refused, every
change audited in the hash chain that `verify` checks."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from paintrack.clinical.people import Role, SignedIn
from paintrack.clinical.users import ClinicState
from paintrack.errors import UserError
from paintrack.store import Store, open_store
from paintrack.store.passwords import hash_password, password_matches

PASSWORD = "correct horse 1"


def _engine_url(store: Store, db_target: str) -> str:
    return db_target if store.is_server else f"sqlite:///{db_target}"


@pytest.mark.production_password_cost
def test_a_password_is_kept_only_as_a_salted_scrypt_hash(any_store: Store, db_target: str) -> None:
    any_store.add_user("Dr Rivera", Role.CLINICIAN, PASSWORD)
    any_store.add_user("Nurse Obi", Role.STAFF, PASSWORD)
    engine = create_engine(_engine_url(any_store, db_target))
    try:
        with engine.connect() as connection:
            hashes = [row[0] for row in connection.execute(text("SELECT password_hash FROM users"))]
            trail = [
                json.dumps([row[0], row[1]])
                for row in connection.execute(text("SELECT old, new FROM audit"))
            ]
    finally:
        engine.dispose()
    assert len(hashes) == 2
    for stored in hashes:
        assert PASSWORD not in stored
        parts = stored.split("$")
        assert parts[:4] == ["scrypt", "16384", "8", "1"] and len(parts) == 6
        assert password_matches(PASSWORD, stored)
    assert hashes[0].split("$")[4] != hashes[1].split("$")[4]  # a salt of its own each
    assert not any(PASSWORD in row or "scrypt" in row for row in trail)


def test_sign_in_checks_the_password(any_store: Store) -> None:
    any_store.add_user("Dr Rivera", Role.CLINICIAN, PASSWORD)
    assert any_store.check_password("Dr Rivera", PASSWORD) == SignedIn("Dr Rivera", Role.CLINICIAN)
    assert any_store.check_password("dr rivera", PASSWORD) == SignedIn("Dr Rivera", Role.CLINICIAN)
    assert any_store.check_password("Dr Rivera", PASSWORD + "x") is None
    assert any_store.check_password("Dr Nobody", PASSWORD) is None


def test_a_name_is_taken_whatever_its_capitals(any_store: Store) -> None:
    any_store.add_user("Dr Rivera", Role.CLINICIAN, PASSWORD)
    with pytest.raises(UserError, match="already a user called Dr Rivera"):
        any_store.add_user("DR RIVERA", Role.STAFF, "another password")
    assert [user.name for user in any_store.list_users()] == ["Dr Rivera"]


def test_a_deactivated_user_cannot_sign_in(any_store: Store) -> None:
    any_store.add_user("Nurse Obi", Role.STAFF, PASSWORD)
    user = any_store.deactivate_user("nurse obi", actor="Dr Rivera")
    assert not user.active
    assert any_store.check_password("Nurse Obi", PASSWORD) is None
    stored = any_store.find_user("Nurse Obi")
    assert stored is not None and not stored.active


def test_a_changed_password_replaces_the_old_one(any_store: Store) -> None:
    any_store.add_user("Nurse Obi", Role.STAFF, PASSWORD)
    any_store.change_password("Nurse Obi", "a new password 2")
    assert any_store.check_password("Nurse Obi", PASSWORD) is None
    assert any_store.check_password("Nurse Obi", "a new password 2") is not None


def test_short_passwords_and_blank_names_are_refused_without_quoting_them(store: Store) -> None:
    with pytest.raises(UserError) as refused:
        store.add_user("Dr Rivera", Role.CLINICIAN, "short7!")
    assert "short7!" not in refused.value.message and "at least 8" in refused.value.message
    with pytest.raises(UserError, match="blank"):
        store.add_user("  ", Role.CLINICIAN, PASSWORD)
    assert store.list_users() == []


def test_user_changes_are_audited_and_verify_passes(any_store: Store) -> None:
    any_store.add_user("Dr Rivera", Role.CLINICIAN, PASSWORD, actor="admin")
    any_store.act_as("Dr Rivera")
    any_store.add_user("Nurse Obi", Role.STAFF, PASSWORD)
    any_store.change_password("Nurse Obi", "a new password 2")
    any_store.deactivate_user("Nurse Obi")
    any_store.save_clinic_state(ClinicState(clinic_mode=True), reason="clinic mode switched on")
    trail = [(r.actor, r.action, r.object_type, r.reason) for r in any_store.audit_trail()]
    assert trail == [
        ("admin", "add_user", "user", None),
        ("Dr Rivera", "add_user", "user", None),
        ("Dr Rivera", "update_user", "user", "password changed"),
        ("Dr Rivera", "update_user", "user", "deactivated"),
        ("Dr Rivera", "clinic_mode", "clinic", "clinic mode switched on"),
    ]
    check = any_store.check_audit_trail()
    assert check.intact, check


def test_verify_notices_a_user_changed_outside_paintrack(store: Store, db_target: str) -> None:
    store.add_user("Nurse Obi", Role.STAFF, PASSWORD)
    store.save_clinic_state(ClinicState(clinic_mode=True), reason="on")
    assert store.check_audit_trail().intact
    engine = create_engine(f"sqlite:///{store.db_path}")
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE users SET role = 'clinician'"))
            connection.execute(
                text("UPDATE settings SET value = 'false' WHERE key = 'clinic_mode'")
            )
    finally:
        engine.dispose()
    problems = {(m.kind, m.problem) for m in store.check_audit_trail().mismatches}
    assert problems == {("user", "differs"), ("clinic", "differs")}


def test_clinic_mode_is_off_until_switched_on_and_kept(db_target: str) -> None:
    with open_store(db_target) as store:
        assert store.clinic_state() == ClinicState(clinic_mode=False, idle_lock_minutes=10)
        store.save_clinic_state(ClinicState(True, 5), reason="on")
    with open_store(db_target) as store:  # another workstation, the same database
        assert store.clinic_state() == ClinicState(clinic_mode=True, idle_lock_minutes=5)
        assert store.get_settings().thresholds == (50, 80)  # the clinic settings untouched
        with pytest.raises(UserError, match="between 1 and"):
            store.save_clinic_state(ClinicState(True, 0), reason="bad")


def test_the_last_clinician_of_a_clinic_cannot_be_deactivated(store: Store) -> None:
    store.add_user("Dr Rivera", Role.CLINICIAN, PASSWORD)
    store.save_clinic_state(ClinicState(clinic_mode=True), reason="on")
    with pytest.raises(UserError, match="only active clinician"):
        store.deactivate_user("Dr Rivera")
    store.add_user("Dr Chen", Role.CLINICIAN, PASSWORD)
    assert not store.deactivate_user("Dr Rivera").active


def test_a_malformed_hash_never_matches() -> None:
    assert not password_matches(PASSWORD, "plain text")
    assert not password_matches(PASSWORD, "bcrypt$1$2$3$AAAA$BBBB")
    assert password_matches(PASSWORD, hash_password(PASSWORD))
