"""`paintrack export` and `paintrack report` record themselves in the audit trail (and refuse
when they cannot); `paintrack audit --patient X` prints the patient's trail in plain words, oldest
first, in local time, or the raw records with --json; `verify` passes with it all."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from paintrack.cli import main
from paintrack.clinical.model import Patient
from paintrack.store import database as store_database
from paintrack.store import open_store

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-diary.json"
NOW = ["--now", "2026-04-01T12:00:00Z"]


def _run(capsys: pytest.CaptureFixture[str], *argv: object) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "clinic.db"
    code, _, err = _run(capsys, "--db", path, "import", DEMO)
    assert code == 0, err
    return path


def _local(moment: datetime) -> str:
    return f"{moment.astimezone():%H:%M}"


def test_exports_and_reports_are_in_the_trail_printed_in_plain_words(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["export", tmp_path / "diary.csv"],
        ["export", tmp_path / "diary.json"],
        ["export", "--fhir", "--deidentify", tmp_path / "bundle.json"],
        ["report", "--patient", "DEMO-0001", "-o", tmp_path / "summary.pdf", "--deidentify", *NOW],
    ):
        code, _, err = _run(capsys, "--db", db, *argv)
        assert code == 0, err
    with open_store(str(db)) as store:
        store.act_as("Dr Rivera")
        patient = store.resolve_patient(None)
        block = store.load_diary(patient.id).blocks[0]
        entry = block.entries[2]
        worst = entry.scores["index"]
        store.amend_entry(
            entry.id, dataclasses.replace(entry, scores={"index": worst - 1}), reason="typo"
        )
        # Someone else's diary is not in this patient's trail.
        store.add_patient(Patient(name="Other Person"))

    code, out, err = _run(capsys, "--db", db, "audit", "--patient", "Alex Sample")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("Audit trail of Alex Sample")
    assert "local time" in lines[1]
    what = [line.split("  ")[-1].strip() for line in lines[4:]]
    assert what == [
        f"Imported the diary file {DEMO}: the patient, 2 blocks and 23 entries added",
        f"Exported the diary as CSV to diary.csv in {tmp_path} (from the command line)",
        f"Exported the diary as a diary file (JSON) to diary.json in {tmp_path} "
        "(from the command line)",
        f"Exported the diary as a FHIR R4 Bundle to bundle.json in {tmp_path} "
        "(de-identified; from the command line)",
        f"Wrote the PDF summary to summary.pdf in {tmp_path} (de-identified; from the command "
        "line)",
        f"Corrected the entry of {entry.at.astimezone():%-d %b %Y} {_local(entry.at)}: "
        f"index pain {worst} → {worst - 1} (reason: typo)",
    ]
    assert "Dr Rivera" in lines[-1]
    assert "Other Person" not in out

    code, out, err = _run(capsys, "--db", db, "audit", "--patient", "DEMO-0001", "--json")
    assert code == 0, err
    raw = json.loads(out)
    actions = [r["action"] for r in raw["records"]]
    assert actions.count("export_diary") == 3
    assert actions.count("write_pdf") == 1
    assert actions[-1] == "amend_entry"
    pdf_row = next(r for r in raw["records"] if r["action"] == "write_pdf")
    assert pdf_row["new"]["file_name"] == "summary.pdf"
    assert pdf_row["new"]["paper"] == "a4"
    assert pdf_row["old"] is None
    assert datetime.fromisoformat(pdf_row["at"]).utcoffset() == UTC.utcoffset(None)

    code, out, err = _run(capsys, "--db", db, "verify")
    assert code == 0, out + err
    assert "Audit trail intact" in out


def test_printing_the_trail_writes_nothing(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    code, out, _ = _run(capsys, "--db", db, "audit")
    assert code == 0
    assert "Imported the diary file" in out
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before


def test_an_unknown_patient_lists_who_is_there(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--db", db, "audit", "--patient", "Nobody Here")
    assert code == 2
    assert out == ""
    assert "No patient matches 'Nobody Here'" in err
    assert "Alex Sample" in err


@pytest.mark.parametrize("command", ["export", "export-stdout", "report"])
def test_an_export_the_locked_database_cannot_record_is_not_made(
    db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(store_database, "WRITE_WAIT_SECONDS", 0.0)
    target = tmp_path / ("summary.pdf" if command == "report" else "diary.json")
    argv = {
        "export": ["export", target],
        "export-stdout": ["export", "-"],
        "report": ["report", "-o", target, *NOW],
    }[command]
    holder = sqlite3.connect(str(db), isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
        code, out, err = _run(capsys, "--db", db, *argv)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert code == 2
    assert out == ""  # not a byte of the diary on standard output either
    assert not target.exists()
    assert "could not be recorded" in err
    assert "the diary is busy" in err
    with open_store(str(db)) as store:
        assert not [
            r for r in store.audit_trail() if r.object_type == "diary" and r.new and "via" in r.new
        ]
