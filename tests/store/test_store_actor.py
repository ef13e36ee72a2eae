"""Who the audit trail names: the operating-system user until someone acts as a named person."""

from __future__ import annotations

from datetime import date

from paintrack.clinical.model import Patient
from paintrack.store.repository import Store, default_actor


def _patient(name: str) -> Patient:
    return Patient(name=name, birth_date=date(1970, 1, 2))


def test_the_trail_names_whoever_the_store_acts_as(store: Store) -> None:
    first = store.add_patient(_patient("Ann Example"))
    store.act_as("Dr Rivera")
    second = store.add_patient(_patient("Bob Example"))
    third = store.add_patient(_patient("Cy Example"), actor="Nurse Obi")
    store.act_as(None)
    fourth = store.add_patient(_patient("Di Example"))

    actors = {record.patient_id: record.actor for record in store.audit_trail()}
    assert actors[first.id] == default_actor()
    assert actors[second.id] == "Dr Rivera"
    assert actors[third.id] == "Nurse Obi"
    assert actors[fourth.id] == default_actor()
    assert store.check_audit_trail().intact
