"""verify's SQLite pass (store/trail_stored.py, the driver's own rows) finds what the Core pass
finds, the same way and in the same order, on a diary changed behind paintrack's back in every
way the checks look for: both are run on the same database and their answers compared."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from store_builders import sample_diary

from paintrack.clinical.model import Patient
from paintrack.store import open_store
from paintrack.store.audit_chain import AuditCheck
from paintrack.store.trail_check import check_core_trail
from paintrack.store.trail_stored import check_stored_trail


@pytest.fixture
def diary_db(tmp_path: Path) -> Path:
    path = tmp_path / "diary.db"
    with open_store(str(path)) as store:
        result = store.import_diary(sample_diary(), source_name="test")
        store.import_diary(sample_diary("Bo Second", mrn=None), source_name="test")
        diary = store.load_diary(result.patient_id)
        entries = diary.blocks[0].entries
        store.amend_entry(
            entries[0].id,
            replace(entries[0], rescue_medication_detail="oxycodone 5 mg"),
            reason="as written",
        )
        store.delete_entry(entries[1].id, reason="duplicate")
        store.add_patient(Patient(name="Cy Third"))
    return path


def _tamper(path: Path, *statements: str) -> None:
    """Change the file as someone with a SQLite tool could, CHECK constraints off."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA ignore_check_constraints = ON")
        with connection:
            for statement in statements:
                connection.execute(statement)
    finally:
        connection.close()


def _both(path: Path) -> tuple[AuditCheck | str, AuditCheck | str]:
    """(SQLite pass, Core pass) on one read-only session each; an error as its type's name."""
    answers: list[AuditCheck | str] = []
    with open_store(str(path), read_only=True) as store:
        for check in (check_stored_trail, check_core_trail):
            with store._reading() as session:
                try:
                    answers.append(check(session))
                except Exception as error:
                    answers.append(type(error).__name__)
    return answers[0], answers[1]


FIRST_ENTRY = "(SELECT id FROM entries ORDER BY id LIMIT 1)"
LAST_ENTRY = "(SELECT id FROM entries ORDER BY id DESC LIMIT 1)"
A_BLOCK = "(SELECT id FROM blocks ORDER BY id LIMIT 1)"


@pytest.mark.parametrize(
    "statements",
    [
        (),
        (f"UPDATE entry_scores SET score = 9 - score WHERE entry_id = {FIRST_ENTRY}",),
        (f"UPDATE entries SET note = 'edited' WHERE id = {LAST_ENTRY}",),
        (f"UPDATE entries SET amended = 1 - amended WHERE id IN ({FIRST_ENTRY}, {LAST_ENTRY})",),
        ("UPDATE entries SET deleted = 1 - deleted",),
        (f"DELETE FROM entry_scores WHERE entry_id = {FIRST_ENTRY}",),
        (
            f"DELETE FROM entry_scores WHERE entry_id = {LAST_ENTRY}",
            f"DELETE FROM entries WHERE id = {LAST_ENTRY}",
        ),
        (
            "INSERT INTO entries SELECT 'outside', block_id, at, recorded_at, "
            "patient_relief_percent, activity, activity_ability, rescue_medication, source, "
            "note, amended, deleted, rescue_medication_detail, patient_relief_by_site "
            f"FROM entries WHERE id = {FIRST_ENTRY}",
        ),
        # the same time in another form that SQLAlchemy reads the same, and one it reads otherwise
        ("UPDATE entries SET at = replace(at, ' ', 'T')",),
        ("UPDATE entries SET recorded_at = substr(recorded_at, 1, 19) || '+02:00'",),
        ("UPDATE audit SET at = replace(at, ' ', 'T')",),
        ("UPDATE entries SET patient_relief_percent = 'a lot'",),
        ("UPDATE entries SET patient_relief_by_site = '{\"left\": 20}'",),
        ("UPDATE entries SET activity_ability = ''",),
        ("UPDATE entries SET source = 'web'",),  # the long way refuses it: so must the pass
        (f"UPDATE blocks SET levels = '[\"L3 MB\"]' WHERE id = {A_BLOCK}",),
        (f"UPDATE blocks SET utc_offset_minutes = NULL WHERE id = {A_BLOCK}",),
        ("UPDATE blocks SET sites = '\"index\"'",),
        ("UPDATE patients SET name = 'Edited' WHERE mrn IS NULL",),
        ("UPDATE patients SET birth_date = '19580314'",),
        ("DELETE FROM patients WHERE name = 'Cy Third'",),
        ("UPDATE audit SET reason = 'changed' WHERE seq = 5",),
        ("DELETE FROM audit WHERE seq = 7",),
        ('UPDATE audit SET new = replace(new, \'"note":"\', \'"note": "\') WHERE seq > 3',),
        ("UPDATE audit SET hash = NULL WHERE seq = 4",),
        ("UPDATE settings SET value = '5'", "INSERT INTO settings VALUES ('preset', '\"x\"')"),
        # two entries the long way cannot read, the first in the table's order being the last
        # by id: the error raised is the one of the smallest id, as in the Core pass
        (
            "UPDATE entries SET id = 'zzzz', deleted = 0, patient_relief_by_site = '[1]' "
            "WHERE rowid = (SELECT min(rowid) FROM entries)",
            f"UPDATE entries SET source = 'web' WHERE id = {FIRST_ENTRY}",
        ),
    ],
)
def test_the_sqlite_pass_answers_as_the_core_pass(
    diary_db: Path, statements: tuple[str, ...]
) -> None:
    _tamper(diary_db, *statements)
    stored, core = _both(diary_db)
    assert stored == core
    if not statements:
        assert isinstance(stored, AuditCheck) and stored.intact and stored.records > 20


def test_an_entries_table_rebuilt_without_rowid_is_still_compared(diary_db: Path) -> None:
    """The pass reads the entries in rowid order; a table rebuilt WITHOUT ROWID outside
    paintrack has none, and verify must still name the note changed in it (not fail)."""
    connection = sqlite3.connect(diary_db)
    try:
        (create,) = connection.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'entries'"
        ).fetchone()
        with connection:
            connection.execute("ALTER TABLE entries RENAME TO old_entries")
            connection.execute(create + " WITHOUT ROWID")
            connection.execute("INSERT INTO entries SELECT * FROM old_entries")
            connection.execute("DROP TABLE old_entries")
            connection.execute(  # a live entry (one of them is deleted, so not compared)
                "UPDATE entries SET note = 'edited' WHERE id = "
                "(SELECT id FROM entries WHERE deleted = 0 ORDER BY id DESC LIMIT 1)"
            )
    finally:
        connection.close()
    stored, core = _both(diary_db)
    assert stored == core
    assert isinstance(stored, AuditCheck)
    assert [(m.kind, m.problem) for m in stored.mismatches] == [("entry", "differs")]
