"""verify's streamed pass (store/trail_check.py) hashes an audit row from its stored JSON text
when that text is the canonical one, and from the decoded values otherwise: a row stored as any
other text of the same values still verifies, and a changed value never does."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from store_builders import index_block

from paintrack import cli
from paintrack.clinical.model import Patient
from paintrack.store import Store, open_store
from paintrack.store.audit_chain import audit_hash, spliced_audit_hash
from paintrack.store.trail_check import values_digest


def _diary(db_path: Path) -> None:
    with open_store(str(db_path)) as store:
        store.add_patient(Patient(name="Ann Text", mrn="T-1"))
        store.add_patient(Patient(name="Bo Text"))


def _rewrite_new(db_path: Path, seq: int, change: object = None) -> None:
    """Store audit row `seq`'s `new` as different JSON text (spaces, keys unsorted), its value
    changed by `change` (a name) when given."""
    connection = sqlite3.connect(db_path)
    try:
        with connection:
            (text,) = connection.execute("SELECT new FROM audit WHERE seq = ?", (seq,)).fetchone()
            value = json.loads(text)
            if change is not None:
                value["name"] = change
            other = json.dumps(dict(reversed(list(value.items()))), indent=1)
            assert other != text
            connection.execute("UPDATE audit SET new = ? WHERE seq = ?", (other, seq))
    finally:
        connection.close()


def test_a_row_stored_as_other_text_of_the_same_values_still_verifies(db_path: Path) -> None:
    _diary(db_path)
    _rewrite_new(db_path, 1)
    with open_store(str(db_path), read_only=True) as store:
        check = store.check_audit_trail()
    assert check.first_break is None
    assert check.mismatches == ()
    assert check.records == 2


def test_a_value_changed_in_other_text_breaks_the_chain_there(db_path: Path) -> None:
    _diary(db_path)
    _rewrite_new(db_path, 2, change="Bob Changed")
    with open_store(str(db_path), read_only=True) as store:
        check = store.check_audit_trail()
    assert check.first_break is not None
    assert check.first_break.seq == 2
    assert "content was changed" in check.first_break.problem
    # and the diary no longer matches the (changed) last record of that patient
    assert [(m.kind, m.problem, m.seq) for m in check.mismatches] == [("patient", "differs", 2)]


def test_the_spliced_hash_of_canonical_text_is_the_audit_hash() -> None:
    new = {"name": "Zoë", "scores": {"b": 2, "a": 1.5}, "note": 'a "quoted" line\n'}
    content = {
        "seq": 7,
        "id": "row-7",
        "at": datetime(2026, 12, 2, 15, 0, tzinfo=UTC),
        "actor": "nurse",
        "action": "add_entry",
        "object_type": "entry",
        "object_id": "e-1",
        "patient_id": "p-1",
        "reason": None,
        "prev_hash": "0" * 64,
    }
    canonical = json.dumps(new, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    expected = audit_hash(**content, old=None, new=new)
    assert spliced_audit_hash(**content, old_text=None, new_text=canonical) == expected
    assert spliced_audit_hash(**content, old_text=None, new_text=json.dumps(new)) != expected
    assert values_digest(new) == values_digest(json.loads(canonical))
    assert values_digest(new) != values_digest({**new, "note": ""})


def test_last_audit_records_are_the_last_of_each_object_asked_for(any_store: Store) -> None:
    with any_store as store:
        patient = store.add_patient(Patient(name="Ann Text"))
        block = store.add_block(patient.id, index_block())
        store.update_block(dataclasses.replace(block, sequence=3), reason="typo")
        other = store.add_block(patient.id, dataclasses.replace(index_block(), id="other"))
        found = store.last_audit_records([("block", block.id), ("block", "nobody")])
    assert list(found) == [("block", block.id)]
    assert found[("block", block.id)].action == "update_block"
    assert found[("block", block.id)].new is not None
    assert found[("block", block.id)].new["sequence"] == 3
    assert ("block", other.id) not in found


def test_verify_describes_a_difference_without_reading_the_whole_trail(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _diary(db_path)
    connection = sqlite3.connect(db_path)
    with connection:
        connection.execute("UPDATE patients SET name = 'Ann Edited' WHERE name = 'Ann Text'")
    connection.close()

    def whole_trail(*args: object, **kwargs: object) -> None:
        raise AssertionError("verify read the whole audit trail")

    monkeypatch.setattr(Store, "audit_trail", whole_trail)
    code = cli.main(["--db", str(db_path), "verify"])
    out = capsys.readouterr().out
    assert code == 1
    assert "the name of patient Ann Edited was changed outside paintrack" in out


def test_verify_still_places_an_entry_added_outside_paintrack(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry with no audit record names no patient: verify looks through every diary."""
    with open_store(str(db_path)) as store:
        store.add_patient(Patient(name="Ann Text"))
        bo = store.add_patient(Patient(name="Bo Text"))
        store.add_block(bo.id, index_block())
    connection = sqlite3.connect(db_path)
    with connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(entries)")]
        listed = ", ".join(columns)
        chosen = ", ".join("'added-outside'" if name == "id" else name for name in columns)
        connection.execute(f"INSERT INTO entries ({listed}) SELECT {chosen} FROM entries LIMIT 1")
        connection.execute(
            "INSERT INTO entry_scores (entry_id, site, score) SELECT 'added-outside', site, "
            "score FROM entry_scores LIMIT 1"
        )
    connection.close()
    code = cli.main(["--db", str(db_path), "verify"])
    out = capsys.readouterr().out
    assert code == 1
    assert "(patient Bo Text, block 1) has no audit record: it was added outside paintrack" in out
