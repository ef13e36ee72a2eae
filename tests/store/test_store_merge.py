"""Merging a patient's home diary into the clinic's database with `paintrack import` (issue 15):
new records added, identical ones skipped, changed ones amended with a reason in the audit trail,
never overwritten nor duplicated, on SQLite and on PostgreSQL; `--dry-run` changes nothing; a
patient known only by name and birth date needs `--match-patient`."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from paintrack.cli import main
from paintrack.exchange.diary_json import diary_to_dict, read_diary_file
from paintrack.store import open_store

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "resources" / "demo" / "demo-diary.json"
CHANGED = "b78689cd-9f81-5b70-bb28-0c2db8222a02"  # block 1's entry at 10:16, index 1
NEW_ENTRY = "4a0c4f6e-8a51-4f5e-9d3b-2f7f0c1e9a11"
NEW_BLOCK = "9b1f3c2d-6e7a-4b8c-9d0e-1f2a3b4c5d6e"
NEW_BLOCK_ENTRIES = ("0c7e6d5b-4a39-4281-9f6e-5d4c3b2a1908", "1d8f7e6c-5b4a-4392-8a7f-6e5d4c3b2a19")


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _demo() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(DEMO.read_text("utf-8"))
    return document


def _home_diary() -> dict[str, Any]:
    """The demo as the patient's own app has it a few days on: one score corrected at home, a
    late entry added to block 2, and a third block with two entries."""
    document = _demo()
    (changed,) = [e for e in document["blocks"][0]["entries"] if e["id"] == CHANGED]
    changed["scores"] = {"index": 3}
    changed["note"] = "pressed the wrong number"
    document["blocks"][1]["entries"].append(
        {
            "id": NEW_ENTRY,
            "at": "2026-03-17T20:30:00-04:00",
            "recorded_at": "2026-03-17T20:31:00-04:00",
            "scores": {"index": 6},
        }
    )
    third = copy.deepcopy(document["blocks"][1])
    third.update(id=NEW_BLOCK, performed_at="2026-04-07T09:00:00-04:00", sequence=3)
    third["entries"] = [
        {
            "id": entry_id,
            "at": at,
            "recorded_at": at,
            "scores": {"index": score},
        }
        for entry_id, at, score in zip(
            NEW_BLOCK_ENTRIES,
            ("2026-04-07T08:50:00-04:00", "2026-04-07T09:30:00-04:00"),
            (7, 2),
            strict=True,
        )
    ]
    document["blocks"].append(third)
    return document


def _write(tmp_path: Path, name: str, document: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document, indent=2), "utf-8")
    return path


def _snapshot(db: str) -> tuple[Any, ...]:
    """Everything a merge could change: each patient's diary (with ids) and the audit trail."""
    with open_store(db) as store:
        diaries = [diary_to_dict(store.load_diary(p.id)) for p in store.list_patients()]
        amended = sorted(
            entry.id
            for p in store.list_patients()
            for block in store.load_diary(p.id).blocks
            for entry in block.entries
            if entry.amended
        )
        trail = [(r.action, r.object_id, r.reason, r.old, r.new) for r in store.audit_trail()]
    return (diaries, amended, trail)


def _counts(db: str) -> tuple[int, int, int]:
    with open_store(db) as store:
        patients = store.list_patients()
        blocks = [b for p in patients for b in store.load_diary(p.id).blocks]
    return len(patients), len(blocks), sum(len(b.entries) for b in blocks)


def _actions(db: str, action: str) -> list[Any]:
    with open_store(db) as store:
        return [record for record in store.audit_trail() if record.action == action]


def _file_digest(db: str) -> str:
    return hashlib.sha256(Path(db).read_bytes()).hexdigest()


@pytest.fixture
def clinic(db_target: str, capsys: pytest.CaptureFixture[str]) -> str:
    """The clinic's database, on each backend, holding the demo patient."""
    code, _, err = _run(capsys, "--db", db_target, "import", DEMO)
    assert code == 0, err
    assert _counts(db_target) == (1, 2, 23)
    return db_target


def test_a_home_diary_merged_twice_adds_once_and_amends_once(
    clinic: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _write(tmp_path, "home.json", _home_diary())
    code, out, err = _run(capsys, "--db", clinic, "import", home)
    assert (code, err) == (0, "")
    assert out.startswith("Imported Alex Sample: 1 block, 3 entries (22 already present).\n")
    assert "Amended 1 entry to the home diary's version" in out
    assert "index score 1 -> 3, note" in out
    assert _counts(clinic) == (1, 3, 26)

    (amendment,) = _actions(clinic, "amend_entry")
    assert amendment.object_id == CHANGED
    assert amendment.reason == f"merged from home diary {home}"
    assert amendment.old["scores"] == {"index": 1} and amendment.old["note"] == ""
    assert amendment.new["scores"] == {"index": 3}
    with open_store(clinic) as store:
        (patient,) = store.list_patients()
        entries = {e.id: e for b in store.load_diary(patient.id).blocks for e in b.entries}
        history = store.entry_history(CHANGED)
    assert dict(entries[CHANGED].scores) == {"index": 3} and entries[CHANGED].amended
    assert [record.action for record in history] == ["add_entry", "amend_entry"]
    added = [r for r in _actions(clinic, "add_entry") if r.object_id == NEW_ENTRY]
    assert [r.reason for r in added] == [f"merged from home diary {home}"]

    before = _snapshot(clinic)
    code, out, err = _run(capsys, "--db", clinic, "import", home)
    assert (code, err) == (0, "")
    assert out == (
        f"Nothing new in {home}: Alex Sample's 3 blocks and 26 entries were already present.\n"
    )
    after = _snapshot(clinic)
    assert after[:2] == before[:2]  # the diaries and what is amended: unchanged
    assert [row[0] for row in after[2][len(before[2]) :]] == ["import"]  # only the attempt
    assert len(_actions(clinic, "amend_entry")) == 1
    assert _counts(clinic) == (1, 3, 26)

    # The audit trail still matches the diary, record for record.
    code, out, _ = _run(capsys, "--db", clinic, "verify")
    assert code == 0, out
    assert "Audit trail intact" in out


def test_dry_run_says_what_would_happen_and_changes_nothing(
    clinic: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _write(tmp_path, "home.json", _home_diary())
    on_file = "://" not in clinic
    digest = _file_digest(clinic) if on_file else ""
    before = _snapshot(clinic)
    code, out, err = _run(capsys, "--db", clinic, "import", home, "--dry-run")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    with open_store(clinic) as store:
        (patient,) = store.list_patients()
    assert lines[0] == (
        f"Dry run: nothing was changed. Importing {home} into Alex Sample (id {patient.id}) would:"
    )
    assert lines[1:4] == [
        "  add 1 block and 3 entries",
        "  skip 2 blocks and 22 entries already present",
        f"  amend 1 entry (reason: merged from home diary {home}):",
    ]
    assert lines[4].endswith("index score 1 -> 3, note")
    assert len(lines) == 5
    if on_file:
        assert _file_digest(clinic) == digest
    assert _snapshot(clinic) == before
    # And then merging does just that.
    assert _run(capsys, "--db", clinic, "import", home)[0] == 0
    assert _counts(clinic) == (1, 3, 26)


def test_dry_run_without_a_database_creates_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "none.db"
    code, out, _ = _run(capsys, "--db", db, "import", DEMO, "--dry-run")
    assert code == 0
    assert "importing would create it and add Alex Sample: 2 blocks, 23 entries." in out
    assert list(tmp_path.iterdir()) == []


def test_what_the_clinic_amended_or_deleted_since_is_kept(
    clinic: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The home diary still has the values the clinic corrected or deleted: the file is older."""
    diary = read_diary_file(DEMO)
    with open_store(clinic) as store:
        entry = next(e for e in diary.blocks[0].entries if e.id == CHANGED)
        store.amend_entry(
            CHANGED,
            dataclasses.replace(entry, scores={"index": 2}),
            reason="patient phoned",
            actor="nurse",
        )
        store.delete_entry(diary.blocks[1].entries[5].id, reason="typed twice", actor="nurse")
    before = _snapshot(clinic)
    code, out, _ = _run(capsys, "--db", clinic, "import", DEMO)
    assert code == 0
    assert out.startswith(f"Nothing new in {DEMO}: Alex Sample's 2 blocks and 23 entries")
    assert "2 records differ from the version already stored" in out
    assert "amended in the clinic since" in out and "deleted in the clinic since" in out
    after = _snapshot(clinic)
    assert after[:2] == before[:2]
    assert [record.reason for record in _actions(clinic, "amend_entry")] == ["patient phoned"]


def test_an_entry_changed_both_at_home_and_in_the_clinic_takes_the_home_change_and_says_so(
    clinic: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    diary = read_diary_file(DEMO)
    entry = next(e for e in diary.blocks[0].entries if e.id == CHANGED)
    with open_store(clinic) as store:
        store.amend_entry(
            CHANGED, dataclasses.replace(entry, scores={"index": 2}), reason="patient phoned"
        )
    home = _write(tmp_path, "home.json", _home_diary())  # the home diary says 3
    code, out, _ = _run(capsys, "--db", clinic, "import", home)
    assert code == 0
    assert "index score 2 -> 3, note (it was amended in the clinic too" in out
    reasons = [record.reason for record in _actions(clinic, "amend_entry")]
    assert reasons == ["patient phoned", f"merged from home diary {home}"]
    with open_store(clinic) as store:
        assert [r.new["scores"] for r in store.entry_history(CHANGED)] == [
            {"index": 1},
            {"index": 2},
            {"index": 3},
        ]


def test_a_block_changed_at_home_is_an_audited_block_update(
    clinic: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = _demo()
    document["blocks"][0]["volume_ml"] = 0.7
    home = _write(tmp_path, "home.json", document)
    code, out, _ = _run(capsys, "--db", clinic, "import", home)
    assert code == 0
    assert "Amended 1 block to the home diary's version" in out
    (update,) = _actions(clinic, "update_block")
    assert (update.old["volume_ml"], update.new["volume_ml"]) == (0.5, 0.7)
    assert update.reason == f"merged from home diary {home}"
    assert _run(capsys, "--db", clinic, "import", home)[1].startswith("Nothing new in")
    assert len(_actions(clinic, "update_block")) == 1


def test_a_change_that_no_longer_fits_the_stored_entries_is_refused_whole(
    clinic: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The clinic logged an entry the home diary lacks; the home diary drops the activity it
    names from the block: merging would leave that entry not fitting its block."""
    diary = read_diary_file(DEMO)
    block = diary.blocks[0]
    late = block.entries[-1]
    with open_store(clinic) as store:
        store.add_entry(
            block.id,
            dataclasses.replace(
                late,
                id="5e4d3c2b-1a09-4876-8543-210fedcba987",
                at=late.at + (late.at - block.entries[-2].at),
                recorded_at=late.recorded_at + (late.at - block.entries[-2].at),
                activity="walking",
            ),
        )
    document = _demo()
    document["blocks"][0]["activities"] = ["standing 10 minutes", "bending forward"]
    for entry in document["blocks"][0]["entries"]:
        if entry["activity"] == "walking":
            entry["activity"] = None
    home = _write(tmp_path, "home.json", document)
    before = _snapshot(clinic)
    code, out, err = _run(capsys, "--db", clinic, "import", home)
    assert (code, out) == (2, "")
    assert "an entry already stored no longer fits it" in err
    assert "Nothing was imported" in err
    assert _snapshot(clinic) == before
    # A change that keeps "walking" (and adds another activity) merges, block and entry.
    document["blocks"][0]["activities"] += ["walking", "sitting"]
    fits = _write(tmp_path, "fits.json", document)
    code, out, err = _run(capsys, "--db", clinic, "import", fits)
    assert code == 0, err
    assert "Amended 1 entry and 1 block" in out


# -- a home diary whose patient has another id ------------------------------------------------


def _hand_written_home_diary() -> dict[str, Any]:
    """The demo as another program writes it: no ids at all and no record number, so every id
    is derived from other content than the clinic's copy; one score differs."""
    document = _demo()
    del document["patient"]["id"]
    document["patient"]["mrn"] = None
    for block in document["blocks"]:
        del block["id"]
        for entry in block["entries"]:
            del entry["id"]
    (changed,) = [
        e for e in document["blocks"][0]["entries"] if e["at"].startswith("2026-03-02T10:16")
    ]
    changed["scores"] = {"index": 4}
    return document


def test_same_name_and_birth_date_need_match_patient(
    clinic: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = _write(tmp_path, "home.json", _hand_written_home_diary())
    with open_store(clinic) as store:
        (patient,) = store.list_patients()
    digest = _file_digest(clinic) if "://" not in clinic else ""
    before = _snapshot(clinic)

    code, out, err = _run(capsys, "--db", clinic, "import", home)
    assert (code, out) == (2, "")
    assert err.startswith(
        f"paintrack: {home}: The diary's patient (Alex Sample · born 22 Jul 1961) is not in "
        "this database by id, but a patient with the same name and birth date is:\n"
        "  Alex Sample · born 22 Jul 1961 · record DEMO-0001 (id "
        f"{patient.id})\n"
    )
    assert f"paintrack import {home} --match-patient ID" in err
    assert "Nothing was imported." in err

    code, out, err = _run(capsys, "--db", clinic, "import", home, "--match-patient", "nobody")
    assert (code, out) == (2, "")
    assert "--match-patient nobody: there is no patient with that id in this database." in err
    assert f"(id {patient.id})" in err
    if digest:
        assert _file_digest(clinic) == digest
    assert _snapshot(clinic) == before

    # Said: the blocks and entries are known by their content, so nothing is duplicated.
    code, out, err = _run(capsys, "--db", clinic, "import", home, "--match-patient", patient.id)
    assert (code, err) == (0, "")
    assert out.startswith("Imported Alex Sample: 0 blocks, 0 entries (22 already present).\n")
    assert "index score 1 -> 4" in out
    assert "is merged into Alex Sample (id " in out
    assert "the stored ones were kept" in out  # the file has no record number
    assert _counts(clinic) == (1, 2, 23)
    (amendment,) = _actions(clinic, "amend_entry")
    assert amendment.object_id == CHANGED and amendment.new["scores"] == {"index": 4}
    with open_store(clinic) as store:
        assert store.list_patients()[0].mrn == "DEMO-0001"

    again = _run(capsys, "--db", clinic, "import", home, "--match-patient", patient.id)
    assert again[0] == 0 and again[1].startswith("Nothing new in")
    assert len(_actions(clinic, "amend_entry")) == 1


def test_match_patient_for_a_patient_already_known_by_id_is_refused(
    clinic: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _snapshot(clinic)
    code, out, err = _run(
        capsys,
        "--db",
        clinic,
        "import",
        DEMO,
        "--match-patient",
        "0f8fad5b-d9cb-469f-a165-70867728950e",
    )
    assert (code, out) == (2, "")
    assert "the diary's patient is already in this database by its own id" in err
    assert _snapshot(clinic) == before


def test_match_patient_never_merges_into_someone_else(
    clinic: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = json.loads((ROOT / "tests" / "data" / "diaries" / "bilateral.json").read_text("utf-8"))
    assert _run(capsys, "--db", clinic, "import", _write(tmp_path, "casey.json", other))[0] == 0
    with open_store(clinic) as store:
        casey = next(p for p in store.list_patients() if p.name == "Casey Example")
    home = _write(tmp_path, "home.json", _hand_written_home_diary())
    before = _snapshot(clinic)
    code, out, err = _run(capsys, "--db", clinic, "import", home, "--match-patient", casey.id)
    assert (code, out) == (2, "")
    assert "whose name and birth date are not the diary's" in err
    assert _snapshot(clinic) == before
