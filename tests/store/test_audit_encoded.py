"""encoded_audit_hash (each value serialised once) hashes the very bytes audit_hash hashes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from paintrack.store.audit_chain import EncodedJSON, audit_hash, encoded_audit_hash


def test_encoded_hash_matches_canonical_hash() -> None:
    for old, new, reason in (
        (None, {"b": (1, 2), "a": "é \u2028", "n": None, "f": 1.5}, None),
        ({"x": {"z": 1, "y": [True, False]}}, None, 'why "quoted"'),
        ({}, {"k": "v"}, "ünïcode"),
    ):
        content = {
            "seq": 7,
            "id": "0123-abcd",
            "at": datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=timezone(timedelta(hours=2))),
            "actor": "Dr Ö",
            "action": "amend_entry",
            "object_type": "entry",
            "object_id": "e1",
            "patient_id": None,
            "reason": reason,
            "prev_hash": "f" * 64,
        }
        plain = audit_hash(**content, old=old, new=new)
        encoded = encoded_audit_hash(
            **content,
            old=None if old is None else EncodedJSON(old),
            new=None if new is None else EncodedJSON(new),
        )
        assert encoded == plain
    assert datetime.now(UTC).tzinfo is not None
