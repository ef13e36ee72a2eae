"""Attack findings 4, 5 and 6 (issue 11): `verify` names what the audit trail says exists and the
tables lack, covers the clinic settings and the `amended` mark, and a trail hashed once never
goes back to unhashed (the downgrade trick)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from reliability_helpers import big_diary, file_digest, raw_execute

from paintrack import cli
from paintrack.clinical.settings import ClinicSettings
from paintrack.store import RefusedDatabase, open_store


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "paintrack.db"
    with open_store(str(path)) as store:
        result = store.import_diary(
            big_diary("Jane Trail", blocks=2, entries_per_block=4), source_name="x"
        )
        store.import_diary(big_diary("Bob Trail", blocks=1, entries_per_block=2), source_name="y")
        diary = store.load_diary(result.patient_id)
        entry = diary.blocks[0].entries[1]
        store.amend_entry(entry.id, replace(entry, scores={"index": 2}), reason="typo on paper")
    return path


def _verify(db: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.main(["--db", str(db), "verify"])
    return code, capsys.readouterr().out


def test_attack_the_untouched_diary_verifies(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _verify(db, capsys)
    assert code == 0, out
    assert "Audit trail intact" in out


# -- 4: removed outside paintrack ----------


def test_attack_an_entry_deleted_in_sqlite_is_named(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw_execute(db, "DELETE FROM entry_scores WHERE entry_id = (SELECT id FROM entries LIMIT 1)")
    raw_execute(db, "DELETE FROM entries WHERE id NOT IN (SELECT entry_id FROM entry_scores)")
    code, out = _verify(db, capsys)
    assert code == 1
    assert "missing from the diary: it was removed outside paintrack" in out
    assert "patient Jane Trail" in out or "patient Bob Trail" in out


def test_attack_every_patient_deleted_in_sqlite_is_named(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for table in ("entry_scores", "entries", "blocks", "patients"):
        raw_execute(db, f"DELETE FROM {table}")
    code, out = _verify(db, capsys)
    assert code == 1
    assert "Audit trail intact" not in out
    assert "patient Jane Trail is in the audit trail but missing" in out
    assert "patient Bob Trail is in the audit trail but missing" in out


# -- 5: settings and the amended mark ----------


def test_attack_clinic_settings_changed_in_sqlite_are_named(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(str(db)) as store:
        store.save_settings(ClinicSettings(thresholds=(50, 80)))
    assert _verify(db, capsys)[0] == 0
    raw_execute(db, "UPDATE settings SET value = ? WHERE key = 'thresholds'", (json.dumps([10]),))
    code, out = _verify(db, capsys)
    assert code == 1
    assert "the clinic settings" in out
    assert "changed outside paintrack" in out


def test_attack_clinic_settings_added_in_sqlite_without_a_trail_are_named(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw_execute(
        db,
        "INSERT INTO settings (key, value) VALUES ('expected_minutes', ?)",
        (json.dumps({"lidocaine": 1.0}),),
    )
    code, out = _verify(db, capsys)
    assert code == 1
    assert "the clinic settings were set outside paintrack" in out


@pytest.mark.parametrize("flag", [0, 1])
def test_attack_the_amended_mark_changed_in_sqlite_is_named(
    db: Path, flag: int, capsys: pytest.CaptureFixture[str]
) -> None:
    # flag 0: clear the mark of the amended entry; 1: mark every other entry as amended.
    raw_execute(db, "UPDATE entries SET amended = ? WHERE amended = ?", (flag, 1 - flag))
    code, out = _verify(db, capsys)
    assert code == 1
    expected = "is marked as amended" if flag else "is no longer marked as amended"
    assert expected in out


# -- 6: the downgrade trick ----------


def _forge_and_downgrade(db: Path, *, all_rows: bool = True) -> None:
    """Change a score and its audit record to match, drop the hashes, set the schema back."""
    raw_execute(db, "UPDATE entry_scores SET score = 0")
    connection = sqlite3.connect(db)
    with connection:
        for seq, new in list(connection.execute("SELECT seq, new FROM audit")):
            if new and '"scores"' in new:
                value = json.loads(new)
                value["scores"] = dict.fromkeys(value["scores"], 0)
                connection.execute(
                    "UPDATE audit SET new = ? WHERE seq = ?", (json.dumps(value), seq)
                )
        where = "" if all_rows else " WHERE seq > 3"
        connection.execute(f"UPDATE audit SET hash = NULL, prev_hash = NULL{where}")
        connection.execute("UPDATE alembic_version SET version_num = '0001'")
    connection.close()


def test_attack_the_downgrade_trick_is_caught_by_verify(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _forge_and_downgrade(db)
    before = file_digest(db)
    code, out = _verify(db, capsys)
    assert code == 1
    assert "Audit trail BROKEN" in out
    assert "tampered with" in out
    assert file_digest(db) == before


def test_attack_the_downgrade_trick_is_never_re_hashed_by_a_writer(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _forge_and_downgrade(db)
    before = file_digest(db)
    with pytest.raises(RefusedDatabase) as raised:
        open_store(str(db))
    assert raised.value.kind == "tampered"
    assert file_digest(db) == before
    file = tmp_path / "more.json"
    file.write_text("{}", encoding="utf-8")
    from paintrack.exchange.diary_json import write_diary_file

    write_diary_file(big_diary("Later", blocks=1, entries_per_block=2), file)
    assert cli.main(["--db", str(db), "import", str(file)]) == 2
    assert "tampered with" in capsys.readouterr().err
    assert file_digest(db) == before


def test_attack_hashes_removed_after_a_hashed_row_are_refused_even_without_the_mark(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A diary whose mark was also cleared: an old paintrack never left an unhashed row after a
    hashed one, so that shape is refused too."""
    _forge_and_downgrade(db, all_rows=False)
    raw_execute(db, "PRAGMA application_id = 0")
    before = file_digest(db)
    with pytest.raises(RefusedDatabase) as raised:
        open_store(str(db))
    assert raised.value.kind == "tampered"
    assert file_digest(db) == before


def test_attack_a_diary_opened_by_this_version_carries_the_mark(db: Path) -> None:
    connection = sqlite3.connect(db)
    try:
        (mark,) = connection.execute("PRAGMA application_id").fetchone()
    finally:
        connection.close()
    assert mark == 0x5054524B


def test_attack_the_downgrade_trick_is_refused_on_postgresql(
    postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import create_engine

    with open_store(postgres_url) as store:
        store.import_diary(big_diary("Jane Server", blocks=1, entries_per_block=3), source_name="x")
    engine = create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE entry_scores SET score = 0")
            connection.exec_driver_sql("UPDATE audit SET hash = NULL, prev_hash = NULL")
            connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
        with pytest.raises(RefusedDatabase) as raised:
            open_store(postgres_url)
        assert raised.value.kind == "tampered"
        with engine.connect() as connection:
            hashes = connection.exec_driver_sql("SELECT count(hash) FROM audit").scalar()
            version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
        assert (hashes, version) == (0, "0001")  # not re-hashed, not migrated
    finally:
        engine.dispose()
    assert cli.main(["--db", postgres_url, "verify"]) == 1
    assert "Audit trail BROKEN" in capsys.readouterr().out
