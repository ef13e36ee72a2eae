"""The headless commands on a clinic's PostgreSQL server (`--db postgresql://...`) give exactly what
they give on a SQLite file: import, export (JSON and CSV), analyze, report and verify; backup and
restore say the server's own backups apply. A real server: tests/postgres_server.py."""

from __future__ import annotations

import dataclasses
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from paintrack.cli import main
from paintrack.exchange.diary_json import read_diary_file
from paintrack.store import open_store

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
NOW = ["--now", "2026-11-01T12:00:00+00:00"]
CLOCK = datetime(2026, 11, 1, 11, 0, tzinfo=UTC)


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _fill(db: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Import the demo with the CLI, then amend and delete an entry at a fixed time."""
    code, out, err = _run(capsys, "--db", db, "import", DEMO)
    assert code == 0, err
    assert out == "Imported Alex Sample: 2 blocks, 23 entries (0 already present).\n"
    diary = read_diary_file(DEMO)
    with open_store(db, clock=lambda: CLOCK) as store:
        entry = diary.blocks[0].entries[3]
        store.amend_entry(
            entry.id,
            dataclasses.replace(entry, scores={"index": (entry.scores["index"] + 1) % 11}),
            reason="patient phoned: wrong button pressed",
            actor="nurse",
        )
        store.delete_entry(diary.blocks[1].entries[5].id, reason="typed twice", actor="nurse")
    return diary.patient.id


def _outputs(db: str, tmp: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    tmp.mkdir()
    results: dict[str, object] = {}
    code, out, err = _run(capsys, "--db", db, "analyze", "--patient", "DEMO-0001", "--json", *NOW)
    assert code == 0, err
    results["analyze"] = out
    code, out, err = _run(capsys, "--db", db, "analyze", *NOW)
    assert code == 0, err
    results["analyze-table"] = out
    for name, extra in (("diary.json", []), ("diary.csv", ["--csv"])):
        code, _, err = _run(capsys, "--db", db, "export", tmp / name, *extra)
        assert code == 0, err
        results[name] = (tmp / name).read_bytes()
    pdf = tmp / "summary.pdf"
    code, _, err = _run(capsys, "--db", db, "report", "--patient", "DEMO-0001", "-o", pdf, *NOW)
    assert code == 0, err
    results["report"] = [page.extract_text() for page in PdfReader(pdf).pages]
    return results


def test_every_command_gives_on_postgresql_what_it_gives_on_sqlite(
    postgres_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain_url = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    sqlite_db = str(tmp_path / "clinic.db")
    _fill(sqlite_db, capsys)
    _fill(plain_url, capsys)

    on_sqlite = _outputs(sqlite_db, tmp_path / "sqlite", capsys)
    on_server = _outputs(plain_url, tmp_path / "server", capsys)

    assert on_server == on_sqlite
    # The audit trail of the amendment is in the PDF (the text may wrap anywhere).
    report_text = "".join("".join(on_server["report"]).split())  # type: ignore[arg-type]
    assert "patientphoned:wrongbuttonpressed" in report_text
    assert b"DEMO-0001" in on_server["diary.json"]  # type: ignore[operator]

    # Importing the same file again adds nothing, as on a file.
    code, out, err = _run(capsys, "--db", plain_url, "import", DEMO)
    assert code == 0, err
    assert out.startswith(f"Nothing new in {DEMO}: Alex Sample's 2 blocks and 23 entries")
    assert "2 records differ from the version already stored" in out  # amended, deleted


def test_verify_on_a_server_checks_the_chain_and_names_a_broken_record(
    postgres_server: object, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _fill(postgres_url, capsys)
    code, out, err = _run(capsys, "--db", postgres_url, "verify")
    assert code == 0, out + err
    assert "Audit trail intact:" in out
    assert "Database server: no file to check here" in out

    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_url)
    try:
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit SET actor = 'someone' WHERE seq = 2"))
    finally:
        engine.dispose()
    code, out, err = _run(capsys, "--db", postgres_url, "verify")
    assert code == 1
    assert "Audit trail BROKEN at audit record #2" in out
    assert "server's backups" in out
    assert "verify found problems in postgresql+psycopg://" in err


@pytest.mark.parametrize("command", [["backup"], ["backup", "--list"], ["restore", "x.db"]])
def test_backup_and_restore_on_a_server_say_its_own_backups_apply(
    postgres_url: str, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "--db", postgres_url, *command)
    assert code == 2
    assert out == ""
    assert "server's own" in err
    assert "Traceback" not in err


def test_without_the_driver_the_command_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As on a machine where paintrack was installed without its `postgres` extra.
    monkeypatch.setitem(sys.modules, "psycopg", None)
    url = "postgresql://nurse:pw@db.clinic/paintrack"
    code, out, err = _run(capsys, "--db", url, "import", DEMO)
    assert out == ""
    assert code == 2
    assert "Traceback" not in err
    assert "pip install 'paintrack[postgres]'" in err
    assert "nurse:***@db.clinic" in err
    assert ":pw@" not in err
