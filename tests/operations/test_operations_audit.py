"""The audit operations: views, exports, PDFs and prints recorded before they happen, refused
(nothing written) when the database cannot record them; a patient's trail by name or id."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from paintrack.exchange.diary_json import read_diary_file
from paintrack.operations import audit as audit_ops
from paintrack.operations import files, review
from paintrack.store import Store, open_store
from paintrack.store import database as store_database

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-diary.json"
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "clinic.db"
    with open_store(str(path)) as store:
        store.import_diary(read_diary_file(DEMO), source_name="demo-diary.json")
    return path


@pytest.fixture
def store(db: Path) -> Iterator[Store]:
    opened = open_store(str(db))
    opened.act_as("Dr Rivera")
    yield opened
    opened.close()


def _patient_id(store: Store) -> str:
    return store.resolve_patient("Alex Sample").id


def _access(store: Store) -> list[tuple[str, str, dict[str, object]]]:
    return [
        (r.action, r.actor, dict(r.new or {}))
        for r in store.audit_trail(_patient_id(store))
        if r.object_type == "diary" and r.action != "import"
    ]


def _summary(store: Store, *, deidentify: bool) -> review.SummaryRequest:
    opened = review.open_for_review(store, _patient_id(store))
    analysis = review.analyse_under(opened.diary, opened.settings, "asra-2020", now=NOW)
    return review.SummaryRequest(
        diary=opened.diary,
        analysis=analysis,
        settings=opened.settings,
        deidentify=deidentify,
        paper="letter",
        generated_at=NOW,
    )


def test_each_record_names_who_what_and_where(store: Store, tmp_path: Path) -> None:
    patient_id = _patient_id(store)
    audit_ops.record_view(store, patient_id)
    audit_ops.record_export(
        store, patient_id, export_format="fhir", path=tmp_path / "b.json", deidentified=True
    )
    audit_ops.record_export(
        store, patient_id, export_format="json", path="-", via=audit_ops.COMMAND_LINE
    )
    audit_ops.record_pdf(store, patient_id, path=tmp_path / "s.pdf", deidentified=False)
    audit_ops.record_print(store, patient_id, printer="Ward 3 LaserJet", deidentified=True)

    assert _access(store) == [
        ("view_diary", "Dr Rivera", {"where": "review"}),
        (
            "export_diary",
            "Dr Rivera",
            {
                "format": "fhir",
                "file_name": "b.json",
                "folder": str(tmp_path),
                "standard_output": False,
                "deidentified": True,
                "via": "window",
            },
        ),
        (
            "export_diary",
            "Dr Rivera",
            {
                "format": "json",
                "file_name": None,
                "folder": None,
                "standard_output": True,
                "deidentified": False,
                "via": "command line",
            },
        ),
        (
            "write_pdf",
            "Dr Rivera",
            {
                "file_name": "s.pdf",
                "folder": str(tmp_path),
                "standard_output": False,
                "deidentified": False,
                "paper": None,
                "via": "window",
            },
        ),
        (
            "print_summary",
            "Dr Rivera",
            {"printer": "Ward 3 LaserJet", "copies": 1, "deidentified": True, "via": "window"},
        ),
    ]
    assert store.check_audit_trail().intact


def test_an_unknown_format_is_a_bug_not_a_row(store: Store) -> None:
    before = len(store.audit_trail())
    with pytest.raises(ValueError, match="xml"):
        audit_ops.record_export(store, _patient_id(store), export_format="xml", path="a.xml")
    assert len(store.audit_trail()) == before


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_the_windows_export_records_one_row_and_writes_the_file(
    store: Store, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / f"diary.{kind}"
    export = files.export_json if kind == "json" else files.export_csv
    export(store, _patient_id(store), str(target))
    assert target.exists()
    assert [(action, new["format"], new["file_name"]) for action, _, new in _access(store)] == [
        ("export_diary", kind, target.name)
    ]


def test_the_pdf_summary_records_one_row_and_writes_the_pdf(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "summary.pdf"
    review.write_summary(store, _summary(store, deidentify=True), str(target))
    assert target.read_bytes().startswith(b"%PDF")
    [(action, actor, new)] = _access(store)
    assert (action, actor) == ("write_pdf", "Dr Rivera")
    assert (new["file_name"], new["deidentified"], new["paper"]) == ("summary.pdf", True, "letter")


def test_a_read_only_database_refuses_the_export_and_writes_nothing(
    db: Path, store: Store, tmp_path: Path
) -> None:
    patient_id = _patient_id(store)
    before = len(store.audit_trail())
    target = tmp_path / "diary.csv"
    pdf = tmp_path / "summary.pdf"
    request = _summary(store, deidentify=False)
    with open_store(str(db), read_only=True) as reader:
        with pytest.raises(audit_ops.AuditNotRecorded) as refused:
            files.export_csv(reader, patient_id, str(target))
        assert "The export to diary.csv was refused and nothing was written." in str(refused.value)
        assert "opened read-only" in str(refused.value)
        with pytest.raises(audit_ops.AuditNotRecorded, match="PDF summary was not written"):
            review.write_summary(reader, request, str(pdf))
        with pytest.raises(audit_ops.AuditNotRecorded, match="not printed"):
            audit_ops.record_print(reader, patient_id, printer="Ward 3", deidentified=False)
    assert not target.exists()
    assert not pdf.exists()
    assert len(store.audit_trail()) == before


def test_a_locked_database_refuses_the_export_and_says_why(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Wait a moment, not two minutes, for the lock held below.
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(store_database, "WRITE_WAIT_SECONDS", 0.0)
    target = tmp_path / "diary.json"
    with open_store(str(db)) as store:
        patient_id = _patient_id(store)
        before = len(store.audit_trail())
        holder = sqlite3.connect(str(db), isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
            with pytest.raises(audit_ops.AuditNotRecorded, match="the diary is busy"):
                files.export_json(store, patient_id, str(target))
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert not target.exists()
        assert len(store.audit_trail()) == before
        files.export_json(store, patient_id, str(target))  # free again: recorded and written
        assert target.exists()
        assert len(store.audit_trail()) == before + 1


def test_a_patients_trail_by_name_or_id(store: Store) -> None:
    patient_id = _patient_id(store)
    audit_ops.record_view(store, patient_id)
    by_name = audit_ops.patient_trail(store, "alex")
    by_id = audit_ops.patient_trail(store, patient_id)
    assert by_name == by_id
    assert by_name.patient.id == patient_id
    assert by_name.records[0].action == "add_patient"
    assert by_name.records[-1].action == "view_diary"
    assert all(r.patient_id == patient_id for r in by_name.records)
    as_json = audit_ops.record_json(by_name.records[-1])
    assert as_json["actor"] == "Dr Rivera"
    assert str(as_json["at"]).endswith("+00:00")
