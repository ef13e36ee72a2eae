"""Guarantee 5, the audit trail: append-only, every amendment keeps old, new, reason, time and who,
and a hash chain that `paintrack verify` recomputes, naming the first broken record (exit 1)."""

from __future__ import annotations

import dataclasses
import getpass
import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from reliability_helpers import T0, big_diary, raw_execute, raw_query

from paintrack import cli
from paintrack.store import Store, open_store
from paintrack.store.audit_chain import GENESIS, canonical_audit_json
from paintrack.store.database import SCHEMA_HEAD

CLOCK_TIME = datetime(2026, 11, 26, 18, 0, 0, 123456, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "diary.db"


@pytest.fixture
def filled(db: Path) -> Iterator[Path]:
    """A diary with an import, an amendment and a deletion: 20-odd audit rows."""
    with open_store(str(db)) as store:
        diary = big_diary("Audit Patient", blocks=2, entries_per_block=6)
        store.import_diary(diary, source_name="a.json")
        first, second = diary.blocks[0].entries[1], diary.blocks[0].entries[2]
        store.amend_entry(first.id, dataclasses.replace(first, scores={"index": 1}), reason="typo")
        store.delete_entry(second.id, reason="entered twice")
    yield db


def _verify(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["verify", "--db", str(db)])
    out = capsys.readouterr().out
    return code, out


def _count(db: Path) -> int:
    return int(str(raw_query(db, "SELECT count(*) FROM audit")[0][0]))


def test_an_untouched_diary_verifies(filled: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify(filled, capsys)
    assert code == 0
    assert f"Audit trail intact: {_count(filled)} records" in out
    assert "integrity check ok" in out


def test_each_hash_is_sha256_of_the_canonical_json_and_the_previous_hash(filled: Path) -> None:
    with open_store(str(filled)) as store:
        records = store.audit_trail()
    rows = raw_query(filled, "SELECT seq, id, prev_hash, hash FROM audit ORDER BY seq")
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    previous = GENESIS
    for (seq, row_id, prev_hash, row_hash), record in zip(rows, records, strict=True):
        assert row_id == record.id
        assert prev_hash == previous
        canonical = canonical_audit_json(
            seq=int(str(seq)),
            id=record.id,
            at=record.at,
            actor=record.actor,
            action=record.action,
            object_type=record.object_type,
            object_id=record.object_id,
            patient_id=record.patient_id,
            reason=record.reason,
            old=record.old,
            new=record.new,
            prev_hash=previous,
        )
        assert json.loads(canonical)["prev_hash"] == previous
        assert row_hash == hashlib.sha256(canonical).hexdigest()
        previous = str(row_hash)


def test_editing_an_audit_row_with_raw_sql_is_detected(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw_execute(filled, "UPDATE audit SET reason = 'nothing to see' WHERE action = 'amend_entry'")
    (seq,) = raw_query(filled, "SELECT seq FROM audit WHERE action = 'amend_entry'")[0]
    code, out = _verify(filled, capsys)
    assert code == 1
    assert f"BROKEN at audit record #{seq} (amend_entry at " in out
    assert "content was changed" in out


def test_editing_the_old_value_of_an_amendment_is_detected(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (seq, old) = raw_query(filled, "SELECT seq, old FROM audit WHERE action = 'amend_entry'")[0]
    changed = json.loads(str(old))
    changed["scores"] = {"index": 0}
    raw_execute(filled, "UPDATE audit SET old = ? WHERE seq = ?", (json.dumps(changed), seq))
    code, out = _verify(filled, capsys)
    assert code == 1
    assert f"#{seq} (amend_entry" in out


def test_deleting_an_audit_row_is_detected(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw_execute(filled, "DELETE FROM audit WHERE seq = 5")
    code, out = _verify(filled, capsys)
    assert code == 1
    assert "BROKEN at audit record #6 " in out
    assert "does not follow the record before it" in out


def test_reordering_audit_rows_is_detected(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw_execute(filled, "UPDATE audit SET seq = -1 WHERE seq = 3")
    raw_execute(filled, "UPDATE audit SET seq = 3 WHERE seq = 4")
    raw_execute(filled, "UPDATE audit SET seq = 4 WHERE seq = -1")
    code, out = _verify(filled, capsys)
    assert code == 1
    assert "BROKEN at audit record #3 " in out


def test_a_rehashed_edit_still_breaks_the_link_to_the_next_row(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Someone who recomputes the edited row's own hash is caught by the row after it."""
    with open_store(str(filled)) as store:
        record = store.audit_trail()[2]
    (prev_hash,) = raw_query(filled, "SELECT prev_hash FROM audit WHERE seq = 3")[0]
    forged = hashlib.sha256(
        canonical_audit_json(
            seq=3,
            id=record.id,
            at=record.at,
            actor="someone else",
            action=record.action,
            object_type=record.object_type,
            object_id=record.object_id,
            patient_id=record.patient_id,
            reason=record.reason,
            old=record.old,
            new=record.new,
            prev_hash=str(prev_hash),
        )
    ).hexdigest()
    raw_execute(
        filled, "UPDATE audit SET actor = 'someone else', hash = ? WHERE seq = 3", (forged,)
    )
    code, out = _verify(filled, capsys)
    assert code == 1
    assert "BROKEN at audit record #4 " in out


def test_editing_a_score_behind_paintracks_back_is_detected(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(str(filled)) as store:
        (patient,) = store.list_patients()
        entry = store.load_diary(patient.id).blocks[1].entries[3]
    raw_execute(filled, "UPDATE entry_scores SET score = 10 WHERE entry_id = ?", (entry.id,))
    code, out = _verify(filled, capsys)
    assert code == 1
    # The chain itself is fine, the diary is not: said in one sentence, not "intact" then "BROKEN".
    assert "Audit trail intact" not in out
    assert "The audit trail's chain is unbroken (" in out
    assert "but 1 saved record does not match its last audit record:" in out
    # The score is named by its time and patient, as the clinician knows it, not by its id.
    when = entry.at.astimezone().strftime("%d %b %Y %H:%M").lstrip("0")
    assert (
        f"the score of {when} (patient Audit Patient, block 2) was changed outside paintrack."
        in out
    )
    assert entry.id not in out


def test_undeleting_an_entry_behind_paintracks_back_is_detected(
    filled: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw_execute(filled, "UPDATE entries SET deleted = 0 WHERE deleted = 1")
    code, out = _verify(filled, capsys)
    assert code == 1
    assert "1 saved record does not match its last audit record" in out
    assert "(patient Audit Patient, block 1) was deleted in paintrack but is back" in out


def test_a_damaged_file_fails_verify(
    filled: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Store, "integrity_check", lambda self: ["row 3 missing from index x"])
    code, out = _verify(filled, capsys)
    assert code == 1
    assert "row 3 missing from index x" in out
    assert "Restore a backup" in out


def test_rows_written_before_the_chain_are_hashed_on_upgrade(db: Path) -> None:
    """A database from before migration 0002 (no hashes) gets exactly the hashes the repository
    writes today, and verifies."""
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Old", blocks=1, entries_per_block=4), source_name="x")
    written = raw_query(db, "SELECT seq, prev_hash, hash FROM audit ORDER BY seq")
    raw_execute(db, "UPDATE audit SET prev_hash = NULL, hash = NULL")
    # The columns of later migrations go too (0003: each block's offset, rescue detail, the
    # per-side estimate; 0005: the search keys, the worklist's summaries and their triggers),
    # so the file is shaped as a 0001 diary was.
    triggers = raw_query(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    for (trigger,) in triggers:
        raw_execute(db, f"DROP TRIGGER {trigger}")
    raw_execute(db, "DROP TABLE worklist_summaries")
    raw_execute(db, "DROP INDEX ix_patients_search")
    for table, column in (
        ("patients", "search_name"),
        ("patients", "search_mrn"),
        ("blocks", "utc_offset_minutes"),
        ("entries", "rescue_medication_detail"),
        ("entries", "patient_relief_by_site"),
    ):
        raw_execute(db, f"ALTER TABLE {table} DROP COLUMN {column}")
    raw_execute(db, "DROP TABLE users")  # 0004's
    for table in ("target_notes", "signatures"):  # migration 0006's, empty here
        raw_execute(db, f"DROP TABLE {table}")
    raw_execute(db, "UPDATE alembic_version SET version_num = '0001'")
    # As a paintrack from before the chain left it: without the mark of a hash-chained trail
    # (which, left in place, refuses exactly this as the downgrade trick).
    raw_execute(db, "PRAGMA application_id = 0")
    with open_store(str(db)) as store:
        check = store.check_audit_trail()
    assert check.intact
    after = raw_query(db, "SELECT seq, prev_hash, hash FROM audit ORDER BY seq")
    # 0002 gives the old rows exactly today's hashes; 0003 then adds its own chained rows.
    assert after[: len(written)] == written and check.records == len(after)
    assert raw_query(db, "SELECT version_num FROM alembic_version") == [(SCHEMA_HEAD,)]


def test_every_amendment_keeps_old_new_reason_time_and_the_os_user(db: Path) -> None:
    with open_store(str(db), clock=lambda: CLOCK_TIME) as store:
        diary = big_diary("Amended", blocks=1, entries_per_block=3)
        store.import_diary(diary, source_name="x")
        entry = diary.blocks[0].entries[2]
        store.amend_entry(entry.id, dataclasses.replace(entry, scores={"index": 4}), reason="r")
        change = store.entry_history(entry.id)[-1]
    assert change.action == "amend_entry"
    assert change.old is not None and change.old["scores"] == {"index": entry.scores["index"]}
    assert change.new is not None and change.new["scores"] == {"index": 4}
    assert change.reason == "r"
    assert change.at == CLOCK_TIME
    assert change.actor == getpass.getuser()


def test_the_chain_continues_across_sessions_and_processes(db: Path) -> None:
    for day in range(3):
        moment = T0 + timedelta(days=day)
        with open_store(str(db), clock=lambda moment=moment: moment) as store:  # type: ignore[misc]
            store.import_diary(big_diary(f"P{day}", blocks=1, entries_per_block=2), source_name="x")
    with open_store(str(db)) as store:
        check = store.check_audit_trail()
    assert check.intact
    assert check.records == _count(db)
