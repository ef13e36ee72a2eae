"""The audit hash chain's canonical bytes and hash, and the audit values of each record type,
pinned as literals: rows hashed years ago must still verify, so any change to the canonical form
or to the JSON-ready values (store/convert.py) must fail here rather than pass by recomputing
the hash with the production code."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone

from paintrack.clinical.model import Ability, Agent, Block, Entry, Patient, Region, Sedation, Side
from paintrack.store.audit_chain import GENESIS, audit_hash, canonical_audit_json
from paintrack.store.convert import block_to_json, entry_to_json, patient_to_json

EST = timezone(timedelta(hours=-5))

ENTRY_VALUES = {
    "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "at": "2026-03-02T15:00:00+00:00",
    "recorded_at": "2026-03-02T15:20:30.123456+00:00",
    "scores": {"left": 3, "right": 2},
    "patient_relief_percent": None,
    "activity": "walking",
    "activity_ability": "partial",
    "rescue_medication": True,
    "source": "app",
    "note": "Jos\u00e9 \u2013 \u00abok\u00bb",
    "rescue_medication_detail": "oxycodone 5 mg",
    "patient_relief_by_site": {"left": 20.0, "right": 90.0},
}

RECORD = {
    "seq": 7,
    "id": "9d5f0a3b-1c2e-4d6f-8a9b-0c1d2e3f4a5b",
    "at": datetime(2026, 3, 2, 10, 21, 0, tzinfo=EST),  # hashed in UTC
    "actor": "nurse",
    "action": "amend_entry",
    "object_type": "entry",
    "object_id": "0f8fad5b-d9cb-469f-a165-70867728950e",
    "patient_id": "3e2a1f5c-7d8b-4c9a-8e6f-1a2b3c4d5e6f",
    "reason": "typed 3 for 2",
    "old": {**ENTRY_VALUES, "scores": {"left": 2, "right": 2}},
    "new": ENTRY_VALUES,
    "prev_hash": "a" * 64,
}

CANONICAL = (
    b'{"action":"amend_entry","actor":"nurse","at":"2026-03-02T15:21:00+00:00","id":"9'
    b'd5f0a3b-1c2e-4d6f-8a9b-0c1d2e3f4a5b","new":{"activity":"walking","activity_abili'
    b'ty":"partial","at":"2026-03-02T15:00:00+00:00","id":"0f8fad5b-d9cb-469f-a165-708'
    b'67728950e","note":"Jos\xc3\xa9 \xe2\x80\x93 \xc2\xabok\xc2\xbb","patient_relief_'
    b'by_site":{"left":20.0,"right":90.0},"patient_relief_percent":null,"recorded_at":'
    b'"2026-03-02T15:20:30.123456+00:00","rescue_medication":true,"rescue_medication_d'
    b'etail":"oxycodone 5 mg","scores":{"left":3,"right":2},"source":"app"},"object_id'
    b'":"0f8fad5b-d9cb-469f-a165-70867728950e","object_type":"entry","old":{"activity"'
    b':"walking","activity_ability":"partial","at":"2026-03-02T15:00:00+00:00","id":"0'
    b'f8fad5b-d9cb-469f-a165-70867728950e","note":"Jos\xc3\xa9 \xe2\x80\x93 \xc2\xabok'
    b'\xc2\xbb","patient_relief_by_site":{"left":20.0,"right":90.0},"patient_relief_pe'
    b'rcent":null,"recorded_at":"2026-03-02T15:20:30.123456+00:00","rescue_medication"'
    b':true,"rescue_medication_detail":"oxycodone 5 mg","scores":{"left":2,"right":2},'
    b'"source":"app"},"patient_id":"3e2a1f5c-7d8b-4c9a-8e6f-1a2b3c4d5e6f","prev_hash":'
    b'"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","reason":"typ'
    b'ed 3 for 2","seq":7}'
)
HASH = "0746cf4557f9309825158e145823558bbb4660f1791127f1804b3bb78d6214e2"


def test_canonical_bytes_of_an_audit_record_are_pinned() -> None:
    assert canonical_audit_json(**RECORD) == CANONICAL


def test_the_audit_hash_is_sha256_of_the_pinned_bytes() -> None:
    assert hashlib.sha256(CANONICAL).hexdigest() == HASH
    assert audit_hash(**RECORD) == HASH


def test_the_first_rows_previous_hash_is_64_zeros() -> None:
    assert GENESIS == "0" * 64
    first = {**RECORD, "seq": 1, "prev_hash": GENESIS, "old": None, "reason": None}
    assert canonical_audit_json(**first).endswith(
        b'"object_id":"0f8fad5b-d9cb-469f-a165-70867728950e","object_type":"entry","old":null,'
        b'"patient_id":"3e2a1f5c-7d8b-4c9a-8e6f-1a2b3c4d5e6f","prev_hash":"' + b"0" * 64 + b'",'
        b'"reason":null,"seq":1}'
    )


def test_audit_values_of_a_patient_block_and_entry_are_pinned() -> None:
    patient = Patient(
        id="3e2a1f5c-7d8b-4c9a-8e6f-1a2b3c4d5e6f",
        name="Jos\u00e9 N\u00fa\u00f1ez",
        birth_date=date(1958, 3, 14),
        mrn="A-77",
    )
    assert patient_to_json(patient) == {
        "id": "3e2a1f5c-7d8b-4c9a-8e6f-1a2b3c4d5e6f",
        "name": "Jos\u00e9 N\u00fa\u00f1ez",
        "birth_date": "1958-03-14",
        "mrn": "A-77",
    }
    block = Block(
        id="6b1d7a0e-3c55-4f4e-9a51-0d2f1b2c3d4e",
        performed_at=datetime(2026, 3, 2, 9, 30, tzinfo=EST),
        region=Region.LUMBAR,
        side=Side.BILATERAL,
        agent=Agent.BUPIVACAINE,
        levels=("L4 MB", "L5 DR"),
        concentration_percent=0.5,
        volume_ml=0.5,
        sequence=2,
        sedation=Sedation.MINIMAL,
        sites=("left", "right"),
        activities=("walking",),
    )
    values = block_to_json(block)
    assert values == {
        "id": "6b1d7a0e-3c55-4f4e-9a51-0d2f1b2c3d4e",
        "performed_at": "2026-03-02T14:30:00+00:00",
        "region": "lumbar",
        "side": "bilateral",
        "levels": ["L4 MB", "L5 DR"],
        "agent": "bupivacaine",
        "concentration_percent": 0.5,
        "volume_ml": 0.5,
        "sequence": 2,
        "sedation": "minimal",
        "steroid": False,
        "sites": ["left", "right"],
        "activities": ["walking"],
        "protocol": "standard",
        "utc_offset_minutes": -300,
    }
    assert list(values) == list(
        [
            "id",
            "performed_at",
            "region",
            "side",
            "levels",
            "agent",
            "concentration_percent",
            "volume_ml",
            "sequence",
            "sedation",
            "steroid",
            "sites",
            "activities",
            "protocol",
            "utc_offset_minutes",
        ]
    )
    entry = Entry(
        id="0f8fad5b-d9cb-469f-a165-70867728950e",
        at=datetime(2026, 3, 2, 10, 0, tzinfo=EST),
        recorded_at=datetime(2026, 3, 2, 10, 20, 30, 123456, tzinfo=EST),
        scores={"right": 2, "left": 3},
        activity="walking",
        activity_ability=Ability.PARTIAL,
        rescue_medication=True,
        rescue_medication_detail="oxycodone 5 mg",
        patient_relief_by_site={"left": 20.0, "right": 90.0},
        note="Jos\u00e9 \u2013 \u00abok\u00bb",
    )
    assert entry_to_json(entry) == ENTRY_VALUES
    assert list(entry_to_json(entry)) == list(ENTRY_VALUES)
    # The version 2 fields only when set, so entries audited before them still match.
    plain = Entry(id=entry.id, at=entry.at, recorded_at=entry.recorded_at, scores={"index": 5})
    assert entry_to_json(plain) == {
        "id": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "at": "2026-03-02T15:00:00+00:00",
        "recorded_at": "2026-03-02T15:20:30.123456+00:00",
        "scores": {"index": 5},
        "patient_relief_percent": None,
        "activity": None,
        "activity_ability": None,
        "rescue_medication": False,
        "source": "app",
        "note": "",
    }


def test_audit_actions_keep_their_stored_values() -> None:
    from paintrack.clinical.audit import AuditAction

    assert [action.value for action in AuditAction] == [
        "import",
        "add_patient",
        "add_block",
        "update_block",
        "add_entry",
        "amend_entry",
        "delete_entry",
        "save_settings",
        "view_diary",
        "export_diary",
        "write_pdf",
        "print_summary",
        "add_user",
        "update_user",
        "clinic_mode",
        "sign_in",
        "sign_out",
        "add_note",
        "edit_note",
        "sign_summary",
    ]
