"""`paintrack import`, `export` and `demo` as a user types them: exit codes, messages, files."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from paintrack.cli import main
from paintrack.exchange.diary_json import diary_to_dict, read_diary_file
from paintrack.store import open_store

ROOT = Path(__file__).resolve().parents[2]
DIARIES = ROOT / "tests" / "data" / "diaries"
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
SAMPLES = sorted(DIARIES.glob("*.json"))
WITH_IDS = [path for path in SAMPLES if path.stem != "minimal"]


def _state(db: Path) -> tuple[int, ...]:
    """Patients, blocks, entries and audit rows: any write at all changes one of them."""
    with open_store(str(db)) as store:
        patients = store.list_patients()
        diaries = [store.load_diary(p.id) for p in patients]
        audit = len(store.audit_trail())
    blocks = sum(len(d.blocks) for d in diaries)
    entries = sum(len(b.entries) for d in diaries for b in d.blocks)
    return (len(patients), blocks, entries, audit)


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "clinic.db"


def _bad_last_block(tmp_path: Path) -> Path:
    """The demo with one bad score in the last entry of its last block."""
    document = json.loads(DEMO.read_text("utf-8"))
    document["blocks"][-1]["entries"][-1]["scores"]["index"] = 11
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document, indent=2), "utf-8")
    return bad


# ---------------------------------------------------------------------------------------------
# import


def test_import_prints_a_summary(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--db", db, "import", DEMO)
    assert (code, err) == (0, "")
    assert out == "Imported Alex Sample: 2 blocks, 23 entries (0 already present).\n"
    assert _state(db)[:3] == (1, 2, 23)


def test_importing_twice_adds_nothing(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "--db", db, "import", DEMO)[0] == 0
    before = _state(db)
    code, out, _ = _run(capsys, "--db", db, "import", DEMO)
    assert code == 0
    assert out == (
        f"Nothing new in {DEMO}: Alex Sample's 2 blocks and 23 entries were already present.\n"
    )
    assert _state(db)[:3] == before[:3] == (1, 2, 23)


def test_db_option_after_the_command(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(capsys, "import", "--db", db, DEMO)[0] == 0
    assert _state(db)[:3] == (1, 2, 23)


def test_bad_entry_in_the_last_block_imports_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "--db", db, "import", DIARIES / "bilateral.json")[0] == 0
    before = _state(db)
    bad = _bad_last_block(tmp_path)
    code, out, err = _run(capsys, "--db", db, "import", bad)
    assert code == 2
    assert out == ""
    assert err == (
        f"paintrack: {bad}: blocks[1].entries[11].scores.index: expected a whole number from 0 "
        "to 10, got 11\nNothing was imported; the database is unchanged.\n"
    )
    assert _state(db) == before


def test_bad_file_does_not_even_create_the_database(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "--db", db, "import", _bad_last_block(tmp_path))
    assert code == 2 and "got 11" in err
    assert not db.exists()


def test_store_refusal_also_imports_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file valid on its own but clashing with the database: still all or nothing."""
    assert _run(capsys, "--db", db, "import", DEMO)[0] == 0
    before = _state(db)
    document = json.loads((DIARIES / "bilateral.json").read_text("utf-8"))
    demo = json.loads(DEMO.read_text("utf-8"))
    extra = json.loads(json.dumps(demo["blocks"][0]))  # the demo's block, for another patient
    document["blocks"].append(extra)
    clash = tmp_path / "clash.json"
    clash.write_text(json.dumps(document), "utf-8")
    code, out, err = _run(capsys, "--db", db, "import", clash)
    assert code == 2 and out == ""
    assert err.startswith("paintrack: ") and "Nothing was imported" in err
    assert _state(db) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty; expected a paintrack diary"),
        (b'{"format": "paintrack-diary",\n  "version": 1,,', "not valid JSON: Expecting "),
        (b'{"format": "paintrack-diary", "n\xe9": 1}', "not UTF-8 text: byte 0xe9 at line 1"),
        (b"[1, 2]", 'expected a paintrack diary with "format": "paintrack-diary"'),
    ],
    ids=["empty", "malformed", "latin-1", "not-a-diary"],
)
def test_import_bad_files_exit_2_with_message(
    content: bytes, message: str, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.json"
    source.write_bytes(content)
    code, out, err = _run(capsys, "--db", db, "import", source)
    assert code == 2 and out == ""
    assert err.startswith(f"paintrack: {source}: {message}")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (b"%PDF-1.7\n%\x93\x8c\x8b\x9e ReportLab", "a PDF"),
        (b"SQLite format 3\x00" + bytes(100), "a database file"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive or an Office document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "a picture (PNG)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "a picture (JPEG)"),
    ],
    ids=["pdf", "sqlite", "zip-office", "png", "jpeg"],
)
def test_importing_another_kind_of_file_says_what_it_is(
    content: bytes, kind: str, db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "summary.pdf"
    source.write_bytes(content)
    code, out, err = _run(capsys, "--db", db, "import", source)
    assert code == 2 and out == ""
    assert err.startswith(f"paintrack: {source}: this is {kind}"), err
    assert "not a paintrack diary file (.json). Choose the diary file" in err
    assert "UTF-8" not in err and "0x" not in err


def test_importing_a_csv_export_says_it_is_one(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    exported = tmp_path / "diary.csv"
    assert _run(capsys, "--db", db, "import", DEMO)[0] == 0
    assert _run(capsys, "--db", db, "export", "--csv", exported)[0] == 0
    code, out, err = _run(capsys, "--db", db, "import", exported)
    assert code == 2 and out == ""
    assert err.startswith(
        f"paintrack: {exported}: this is a spreadsheet (CSV) export of paintrack, not a "
        "paintrack diary file (.json); a CSV file cannot be imported. Choose the diary file"
    ), err


def test_import_missing_file(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "--db", db, "import", tmp_path / "nope.json")
    assert code == 2
    assert err.startswith(f"paintrack: {tmp_path / 'nope.json'}: no such file\n")


def test_file_without_ids_gets_a_note(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "--db", db, "import", DIARIES / "minimal.json")
    assert code == 0
    assert out == "Imported Jane Example: 1 block, 2 entries (0 already present).\n"
    assert "importing this file again (or a longer version of it) adds only what is new" in err


def _hand_written(tmp_path: Path, name: str, scores: list[tuple[str, int]]) -> Path:
    """A hand-written diary without any id: one patient, one block, an entry per (time, score)."""
    document = {
        "format": "paintrack-diary",
        "version": 1,
        "patient": {"name": "Helen Hand", "birth_date": "1950-01-02", "mrn": "H-1"},
        "blocks": [
            {
                "performed_at": "2026-03-02T09:30:00-05:00",
                "region": "lumbar",
                "side": "left",
                "agent": "lidocaine",
                "entries": [
                    {"at": at, "source": "paper", "scores": {"index": score}}
                    for at, score in scores
                ],
            }
        ],
    }
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), "utf-8")
    return path


def test_hand_written_file_imported_twice_adds_nothing(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    diary = _hand_written(
        tmp_path, "paper.json", [("2026-03-02T09:20:00-05:00", 7), ("2026-03-02T10:00:00-05:00", 2)]
    )
    assert _run(capsys, "--db", db, "import", diary)[0] == 0
    before = _state(db)
    code, out, err = _run(capsys, "--db", db, "import", diary)
    assert code == 0 and err == ""
    assert out.startswith(f"Nothing new in {diary}: Helen Hand's 1 block and 2 entries")
    assert _state(db)[:3] == before[:3] == (1, 1, 2)  # (the audit trail records the attempt)
    # The record number still names one patient.
    assert _run(capsys, "--db", db, "export", tmp_path / "out.json", "--patient", "H-1")[0] == 0


def test_longer_hand_written_file_adds_the_new_entries_and_amends_the_changed_one(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = [("2026-03-02T09:20:00-05:00", 7), ("2026-03-02T10:00:00-05:00", 2)]
    assert _run(capsys, "--db", db, "import", _hand_written(tmp_path, "a.json", first))[0] == 0
    # The same day written out further, with the 10:00 score changed at home.
    longer = [
        ("2026-03-02T09:20:00-05:00", 7),
        ("2026-03-02T10:00:00-05:00", 5),
        ("2026-03-02T11:00:00-05:00", 3),
        ("2026-03-02T12:00:00-05:00", 4),
    ]
    second = _hand_written(tmp_path, "b.json", longer)
    code, out, _ = _run(capsys, "--db", db, "import", second)
    assert code == 0
    assert out.startswith("Imported Helen Hand: 0 blocks, 2 entries (1 already present).\n")
    # Issue 15: the changed score is an amendment of the stored one, never a silent overwrite.
    assert "Amended 1 entry to the home diary's version" in out
    assert "index score 2 -> 5" in out
    assert _state(db)[:3] == (1, 1, 4)
    with open_store(str(db)) as store:
        (patient,) = store.list_patients()
        (block,) = store.load_diary(patient.id).blocks
        history = store.entry_history(block.entries[1].id)
    assert [entry.scores["index"] for entry in block.entries] == [7, 5, 3, 4]
    assert block.entries[1].amended
    assert [record.action for record in history] == ["add_entry", "amend_entry"]
    assert history[1].old is not None and history[1].old["scores"] == {"index": 2}
    assert history[1].reason == f"merged from home diary {second}"


def test_import_and_export_reproduce_every_sample(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for index, path in enumerate(WITH_IDS):
        db = tmp_path / f"{index}.db"
        out_file = tmp_path / f"{index}.json"
        assert _run(capsys, "--db", db, "import", path)[0] == 0
        assert _run(capsys, "--db", db, "export", out_file)[0] == 0
        assert diary_to_dict(read_diary_file(out_file)) == diary_to_dict(read_diary_file(path))


# ---------------------------------------------------------------------------------------------
# export


def test_export_the_only_patient(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "--db", db, "import", DEMO)
    target = tmp_path / "alex.json"
    code, out, err = _run(capsys, "--db", db, "export", target)
    assert (code, err) == (0, "")
    assert out == f"Exported Alex Sample: 2 blocks, 23 entries to {target}.\n"
    assert read_diary_file(target) == read_diary_file(DEMO)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_export_with_several_patients_lists_them(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "--db", db, "import", DEMO)
    _run(capsys, "--db", db, "import", DIARIES / "bilateral.json")
    target = tmp_path / "out.json"
    code, out, err = _run(capsys, "--db", db, "export", target)
    assert code == 2 and out == ""
    assert err.startswith("paintrack: This diary holds 2 patients; say which one with --patient")
    assert "Alex Sample · born 22 Jul 1961 · record DEMO-0001 · first block " in err
    assert "Casey Example · born 3 Nov 1970 · record TEST-0002 · first block " in err
    assert not target.exists()
    code, out, _ = _run(capsys, "--db", db, "export", target, "--patient", "Casey")
    assert code == 0 and out.startswith("Exported Casey Example: 1 block, 11 entries")
    assert read_diary_file(target) == read_diary_file(DIARIES / "bilateral.json")


def test_export_refuses_to_overwrite_without_force(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "--db", db, "import", DEMO)
    target = tmp_path / "out.json"
    target.write_text("keep me")
    code, out, err = _run(capsys, "--db", db, "export", target)
    assert code == 2 and out == ""
    assert err == (
        f"paintrack: {target} already exists; choose another name, or add --force to replace it.\n"
    )
    assert target.read_text() == "keep me"
    assert _run(capsys, "--db", db, "export", "--force", target)[0] == 0
    assert read_diary_file(target).patient.name == "Alex Sample"


def test_export_never_writes_over_the_database(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(capsys, "--db", db, "import", DEMO)
    before = db.read_bytes()
    code, _, err = _run(capsys, "--db", db, "export", "--force", db)
    assert code == 2
    assert "cannot be written over: it is a database" in err
    assert db.read_bytes() == before
    assert _state(db)[:3] == (1, 2, 23)


def test_export_without_a_database_does_not_create_one(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "--db", db, "export", tmp_path / "out.json")
    assert code == 2
    assert err.startswith(f"paintrack: There is no paintrack database at {db} yet.")
    assert not db.exists()


def test_export_csv(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "--db", db, "import", DIARIES / "bilateral.json")
    target = tmp_path / "casey.txt"
    code, out, _ = _run(capsys, "--db", db, "export", "--csv", target)
    assert code == 0
    assert out == f"Exported Casey Example: 1 block, 11 entries (19 rows) to {target}.\n"
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 19
    assert {r["site"] for r in rows} == {"left", "right"}
    assert {r["patient_name"] for r in rows} == {"Casey Example"}


def test_csv_name_means_csv(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "--db", db, "import", DEMO)
    target = tmp_path / "alex.CSV"
    assert _run(capsys, "--db", db, "export", target)[0] == 0
    assert target.read_bytes().startswith(b"\xef\xbb\xbfpatient_name,")


def test_export_to_standard_output(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run(capsys, "--db", db, "import", DEMO)
    code, out, err = _run(capsys, "--db", db, "export", "-")
    assert code == 0
    assert json.loads(out)["patient"]["name"] == "Alex Sample"
    assert err == "Exported Alex Sample: 2 blocks, 23 entries to standard output.\n"


def test_export_help_mentions_force(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["export", "--help"])
    assert exited.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "--force replace FILE if it already exists" in text
    assert "--patient NAME_OR_ID" in text and "--csv" in text


# ---------------------------------------------------------------------------------------------
# demo


@pytest.mark.parametrize(
    "argv", [["demo", "--smoke-test"], ["--smoke-test", "demo"]], ids=["after", "before"]
)
def test_demo_honours_smoke_test(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run_window(args: argparse.Namespace, *, demo_diary: bool = False) -> int:
        seen.update(smoke=args.smoke_test, demo=demo_diary, db=args.db)
        seen["exists"] = Path(args.db).is_file()
        return 0

    monkeypatch.setattr("paintrack.commands.window.run_window", fake_run_window)
    assert main(argv) == 0
    assert seen["smoke"] is True and seen["demo"] is True and seen["exists"] is True
    assert Path(seen["db"]).name == "demo.db"
    assert os.environ["PAINTRACK_DB"] != seen["db"]


def test_demo_without_smoke_test_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, Any] = {}

    def fake_run_window(args: argparse.Namespace, *, demo_diary: bool = False) -> int:
        seen["smoke"] = args.smoke_test
        return 0

    monkeypatch.setattr("paintrack.commands.window.run_window", fake_run_window)
    assert main(["demo"]) == 0
    assert seen["smoke"] is False


# ---------------------------------------------------------------------------------------------
# a real process


def test_python_m_paintrack_import_and_bad_import(tmp_path: Path) -> None:
    db = tmp_path / "proc.db"
    env = {**os.environ, "PAINTRACK_DB": str(db)}
    good = subprocess.run(
        [sys.executable, "-m", "paintrack", "import", str(DEMO)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    assert good.stdout == "Imported Alex Sample: 2 blocks, 23 entries (0 already present).\n"
    bad = _bad_last_block(tmp_path)
    refused = subprocess.run(
        [sys.executable, "-m", "paintrack", "import", str(bad)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False,
    )  # fmt: skip
    assert refused.returncode == 2
    assert refused.stdout == ""
    assert refused.stderr.startswith(f"paintrack: {bad}: blocks[1].entries[11].scores.index: ")
    assert _state(db)[:3] == (1, 2, 23)


def test_export_to_stdout_imports_from_stdin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`paintrack export - | paintrack import -` moves a diary between databases."""
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    _run(capsys, "--db", first, "import", DIARIES / "paper.json")
    code, piped, _ = _run(capsys, "--db", first, "export", "-")
    assert code == 0

    class FakeStdin:
        buffer = io.BytesIO(piped.encode("utf-8"))

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    code, out, _ = _run(capsys, "--db", second, "import", "-")
    assert code == 0
    assert out == "Imported Pat Paperlog: 1 block, 7 entries (0 already present).\n"
    with open_store(str(second)) as store:
        patient = store.resolve_patient(None)
        assert store.load_diary(patient.id) == read_diary_file(DIARIES / "paper.json")


def test_bad_stdin_is_named_standard_input(
    db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    class FakeStdin:
        buffer = io.BytesIO(b'{"format": "paintrack-diary", "version": 1}')

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    code, _, err = _run(capsys, "--db", db, "import", "-")
    assert code == 2
    assert err.startswith(
        "paintrack: standard input: patient: missing; expected the patient (an object with a "
        "name)\n"
    )
    assert not db.exists()


def test_two_people_with_only_the_same_name_are_never_merged(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def name_only(file_name: str, block_times: list[str]) -> Path:
        document = {
            "format": "paintrack-diary",
            "version": 1,
            "patient": {"name": "Jane Smith"},
            "blocks": [
                {
                    "performed_at": at,
                    "region": "lumbar",
                    "side": "right",
                    "agent": "lidocaine",
                    "entries": [{"at": at, "source": "paper", "scores": {"index": 6}}],
                }
                for at in block_times
            ],
        }
        path = tmp_path / file_name
        path.write_text(json.dumps(document), "utf-8")
        return path

    first = name_only("first.json", ["2026-03-02T09:30:00Z"])
    assert _run(capsys, "--db", db, "import", first)[0] == 0
    # Another Jane Smith, from another clinic's file: no birth date or record number either.
    assert (
        _run(capsys, "--db", db, "import", name_only("other.json", ["2026-04-07T14:00:00Z"]))[0]
        == 0
    )
    assert _state(db)[:2] == (2, 2)  # two patients, one block each
    # The first file again, and a longer version of it: still the first Jane Smith.
    assert _run(capsys, "--db", db, "import", first)[0] == 0
    longer = name_only("longer.json", ["2026-03-02T09:30:00Z", "2026-03-17T09:30:00Z"])
    assert _run(capsys, "--db", db, "import", longer)[0] == 0
    assert _state(db)[:2] == (2, 3)
