"""Attack findings 3, 9 and 13 (issue 11): logs never hold health data and are 0600; a full disk,
a read-only file and a damaged one are told apart by SQLite's result codes; a malformed
PostgreSQL address and over-range integers are plain exit-2 messages, no password in the log."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import traceback
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import big_diary, file_digest
from sqlalchemy import create_engine, insert, text
from sqlalchemy.exc import DBAPIError, OperationalError

from paintrack import cli
from paintrack.clinical.model import Diary, Patient
from paintrack.crashlog import log_file, record_bug
from paintrack.errors import UserError
from paintrack.exchange.diary_json import diary_to_json
from paintrack.store import RefusedDatabase, open_store
from paintrack.store import database as store_database
from paintrack.store.database import user_error_for
from paintrack.store.models import Base, PatientRow

SECRET_NAME = "Jane Secretperson"
SECRET_MRN = "H-99173"
SECRET_BIRTH = date(1948, 3, 14)


@pytest.fixture
def umask_000() -> Iterator[None]:
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _failed_insert(engine: Any) -> DBAPIError:
    """A real database error whose statement carried the patient's name, birth date and MRN."""
    Base.metadata.create_all(engine)
    row = {
        "id": "11111111-1111-1111-1111-111111111111",
        "name": SECRET_NAME,
        "birth_date": SECRET_BIRTH,
        "mrn": SECRET_MRN,
        "created_at": None,  # NOT NULL: the insert fails, quoting its parameters
    }
    with pytest.raises(DBAPIError) as raised, engine.begin() as connection:
        connection.execute(insert(PatientRow), row)
    error = raised.value
    # The traceback's frames hold the failed connection: dropped here, it is closed by the
    # pool instead of by the collector (Python 3.13 warns of a connection never closed).
    error.__traceback__ = None
    del raised
    return error


def _assert_no_health_data(text: str) -> None:
    assert SECRET_NAME not in text
    assert SECRET_MRN not in text
    assert "1948-03-14" not in text


# -- 3: logs ----------


@pytest.mark.usefixtures("umask_000")
def test_attack_a_database_error_in_the_log_holds_no_health_data_and_the_log_is_0600(
    tmp_path: Path,
) -> None:
    # An engine as any code could make one (without hide_parameters): the log scrubs anyway.
    engine = create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    error = _failed_insert(engine)
    assert SECRET_NAME in str(error)  # what SQLAlchemy itself would have written
    path = record_bug(error)
    logged = path.read_text(encoding="utf-8")
    _assert_no_health_data(logged)
    assert "Traceback" in logged
    assert "IntegrityError" in logged
    assert "INSERT INTO patients" in logged  # the statement is kept: it finds the bug
    assert "[parameters: (hidden)]" in logged
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path == log_file()


def test_attack_paintracks_own_engines_leave_the_parameters_out(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "diary.db")) as store:
        error = _failed_insert(store._write_engine)
    _assert_no_health_data(str(error))


def test_attack_a_postgresql_error_quoting_the_failing_row_is_scrubbed(postgres_url: str) -> None:
    with open_store(postgres_url) as store:
        store.list_patients()
    engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with pytest.raises(DBAPIError) as raised, engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO patients (id, name, birth_date, mrn, created_at) VALUES "
                    "(:id, :name, :birth_date, :mrn, NULL)"
                ),
                {
                    "id": "22222222-2222-2222-2222-222222222222",
                    "name": SECRET_NAME,
                    "birth_date": SECRET_BIRTH,
                    "mrn": SECRET_MRN,
                },
            )
    finally:
        engine.dispose()
    from paintrack.crashlog import scrub

    formatted = "".join(traceback.format_exception(raised.value))
    assert "Failing row contains" in formatted  # the server quotes the failing row back
    assert SECRET_NAME in formatted
    _assert_no_health_data(scrub(formatted))
    path = record_bug(raised.value)
    _assert_no_health_data(path.read_text(encoding="utf-8"))


def test_attack_scrub_keeps_the_kind_of_error_and_hides_quoted_values() -> None:
    from paintrack.crashlog import scrub

    text = (
        "psycopg.errors.UniqueViolation: duplicate key value violates unique constraint\n"
        f"DETAIL:  Key (mrn)=({SECRET_MRN}) already exists.\n"
        f"[SQL: INSERT INTO patients ...]\n[parameters: {{'name': '{SECRET_NAME}]x'}}]\n"
        "(Background on this error at: https://sqlalche.me/e/20/gkpj)"
    )
    cleaned = scrub(text)
    _assert_no_health_data(cleaned)
    assert "UniqueViolation" in cleaned
    assert "(Background on this error" in cleaned


# -- 13: bad addresses and numbers ----------


def test_attack_a_malformed_postgresql_url_is_exit_2_with_no_password_anywhere(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # An unescaped @ in the password: the port is then read as "w0rd@host", a ValueError.
    url = "postgresql://admin:p@ss:w0rd@db.example/clinic"
    assert cli.main(["--db", url, "verify"]) == 2
    err = capsys.readouterr().err
    assert "not a database address paintrack understands" in err
    assert "%40" in err  # how to write the @
    assert "w0rd" not in err
    assert "p@ss" not in err
    assert not log_file().exists() or "w0rd" not in log_file().read_text(encoding="utf-8")


def _diary_with_sequence(path: Path, sequence: int) -> Path:
    data = json.loads(diary_to_json(big_diary("Huge Sequence", blocks=1, entries_per_block=2)))
    data["blocks"][0]["sequence"] = sequence
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize("sequence", [2**63, 2**64 + 5, 3_000_000_000])
def test_attack_an_over_range_sequence_is_exit_2_on_sqlite(
    tmp_path: Path, sequence: int, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "diary.db"
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Base", blocks=1, entries_per_block=2), source_name="b")
    before = file_digest(db)
    file = _diary_with_sequence(tmp_path / "huge.json", sequence)
    assert cli.main(["--db", str(db), "import", str(file)]) == 2
    err = capsys.readouterr().err
    assert "blocks[0].sequence" in err
    assert "from 1 to 999" in err
    assert "a bug" not in err
    assert file_digest(db) == before


def test_attack_an_over_range_sequence_is_exit_2_on_postgresql(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = _diary_with_sequence(tmp_path / "huge.json", 3_000_000_000)
    assert cli.main(["--db", postgres_url, "import", str(file)]) == 2
    err = capsys.readouterr().err
    assert "blocks[0].sequence" in err
    assert "a bug" not in err
    with open_store(postgres_url) as store:
        assert store.list_patients() == []
    assert not log_file().exists() or "Huge Sequence" not in log_file().read_text("utf-8")


def test_attack_the_store_refuses_an_over_range_sequence_from_any_entry_point(
    postgres_url: str,
) -> None:
    from dataclasses import replace

    diary = big_diary("Huge Sequence", blocks=1, entries_per_block=2)
    block = replace(diary.blocks[0], sequence=3_000_000_000)
    with open_store(postgres_url) as store:
        patient = store.add_patient(Patient(name="Huge Sequence"))
        with pytest.raises(UserError, match="from 1 to 999"):
            store.add_block(patient.id, block)
        with pytest.raises(UserError, match="from 1 to 999"):
            store.import_diary(Diary(diary.patient, (block,)), source_name="x")


def test_attack_a_number_with_hundreds_of_digits_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = json.loads(diary_to_json(big_diary("Huge Volume", blocks=1, entries_per_block=2)))
    data["blocks"][0]["volume_ml"] = "VOLUME"
    text = json.dumps(data).replace('"VOLUME"', "1" + "0" * 400)
    file = tmp_path / "huge.json"
    file.write_text(text, encoding="utf-8")
    assert cli.main(["--db", str(tmp_path / "d.db"), "import", str(file)]) == 2
    err = capsys.readouterr().err
    assert "blocks[0].volume_ml" in err
    assert "401 digits" in err


# -- 9: told apart by result codes, not English text ----------


def _coded(message: str, code: int) -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorcode = code  # type: ignore[attr-defined]
    return error


@pytest.mark.parametrize(
    ("text", "code", "said", "not_said"),
    [
        # The text says "damaged", the code says the disk is full: the code wins.
        ("database disk image is malformed", 13, "disk is full", "Restore a backup"),
        ("database disk image is malformed", 8, "read-only", "Restore a backup"),
        # SQLITE_IOERR_WRITE (778): an extended code, its primary code is IOERR.
        ("database or disk is full", 778, "input/output error", "Restore a backup"),
        ("disk I/O error", 11, "Restore a backup", "input/output"),
        ("some new wording of a later SQLite", 5, "busy", "Restore a backup"),
    ],
)
def test_attack_sqlite_errors_are_told_apart_by_their_code(
    text: str, code: int, said: str, not_said: str
) -> None:
    error = user_error_for(OperationalError("INSERT", {}, _coded(text, code)), "/d.db")
    assert error is not None
    assert said in error.message
    assert not_said not in error.message


def test_attack_a_full_disk_while_checking_the_file_is_not_called_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check of an existing diary fails as a completely full disk makes it fail (SQLite
    cannot make room for the -shm index): paintrack says the disk is full and never advises
    restoring a backup, which would bring back older data."""
    db = tmp_path / "diary.db"
    with open_store(str(db)) as store:
        store.import_diary(big_diary("Full Disk", blocks=1, entries_per_block=2), source_name="b")
    before = file_digest(db)
    real_connect = sqlite3.connect

    def full_disk(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        if kwargs.get("uri"):
            raise _coded("database disk image is malformed", 13)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(store_database.sqlite3, "connect", full_disk)
    with pytest.raises(UserError) as raised:
        open_store(str(db))
    assert not isinstance(raised.value, RefusedDatabase)  # not a verdict on the file
    assert "disk is full" in raised.value.message
    assert "Restore a backup" not in raised.value.message
    assert "damaged" not in raised.value.message
    monkeypatch.undo()
    assert file_digest(db) == before
