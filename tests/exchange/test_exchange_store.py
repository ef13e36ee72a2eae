"""Diary files through the store: import then export keeps every field; the demo database."""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import stat
from pathlib import Path
from typing import Any

import pytest
from exchange_samples import DEMO, SAMPLE_IDS, SAMPLES, entry_count, valid_document

from paintrack.commands import demo as demo_command
from paintrack.exchange.diary_json import (
    diary_to_dict,
    parse_diary,
    read_diary_file,
    write_diary_file,
)
from paintrack.store import open_store


@pytest.mark.parametrize("path", SAMPLES, ids=SAMPLE_IDS)
def test_import_then_export_keeps_every_field(path: Path, tmp_path: Path) -> None:
    diary = read_diary_file(path)
    with open_store(str(tmp_path / "clinic.db")) as store:
        result = store.import_diary(diary, source_name=str(path))
        loaded = store.load_diary(diary.patient.id)
    assert result.entries_added == entry_count(diary)
    assert loaded == diary
    assert diary_to_dict(loaded) == diary_to_dict(diary)
    exported = tmp_path / "exported.json"
    write_diary_file(loaded, exported)
    assert read_diary_file(exported) == diary
    # And the exported file says what the original said, time for time.
    original = json.loads(path.read_text("utf-8"))
    written = json.loads(exported.read_text("utf-8"))
    assert written["patient"]["name"] == original["patient"]["name"]
    assert len(written["blocks"]) == len(original["blocks"])


@pytest.mark.parametrize("path", SAMPLES, ids=SAMPLE_IDS)
def test_exported_file_imports_into_a_fresh_database_unchanged(path: Path, tmp_path: Path) -> None:
    diary = read_diary_file(path)
    with open_store(str(tmp_path / "a.db")) as store:
        store.import_diary(diary, source_name="first")
        write_diary_file(store.load_diary(diary.patient.id), tmp_path / "moved.json")
    with open_store(str(tmp_path / "b.db")) as store:
        store.import_diary(read_diary_file(tmp_path / "moved.json"), source_name="moved")
        assert store.load_diary(diary.patient.id) == diary
        again = store.import_diary(read_diary_file(tmp_path / "moved.json"), source_name="again")
    assert (again.blocks_added, again.entries_added) == (0, 0)
    assert again.entries_unchanged == entry_count(diary)


def test_prepare_demo_database(tmp_path: Path) -> None:
    database = demo_command.prepare_demo_database()
    try:
        assert database.is_file()
        assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
        with open_store(str(database)) as store:
            [patient] = store.list_patients()
            diary = store.load_diary(patient.id)
        assert (patient.name, patient.mrn) == ("Alex Sample", "DEMO-0001")
        assert len(diary.blocks) == 2 and entry_count(diary) == 23
        assert diary == parse_diary(DEMO.read_bytes(), "demo")
    finally:
        shutil.rmtree(database.parent)


def test_each_demo_gets_a_fresh_database() -> None:
    first = demo_command.prepare_demo_database()
    second = demo_command.prepare_demo_database()
    try:
        assert first != second and first.parent != second.parent
    finally:
        shutil.rmtree(first.parent)
        shutil.rmtree(second.parent)


def test_demo_runs_the_window_on_the_demo_database_then_removes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    def fake_run_window(args: argparse.Namespace, *, demo_diary: bool = False) -> int:
        database = Path(args.db)
        with open_store(str(database)) as store:
            seen["patients"] = [p.name for p in store.list_patients()]
        seen.update(db=database, demo=demo_diary, smoke=getattr(args, "smoke_test", None))
        return 0

    monkeypatch.setattr("paintrack.commands.window.run_window", fake_run_window)
    user_db = "/nonexistent/user.db"
    code = demo_command.run(argparse.Namespace(db=user_db, smoke_test=True))
    assert code == 0
    assert seen["patients"] == ["Alex Sample"]
    assert seen["demo"] is True and seen["smoke"] is True
    assert str(seen["db"]) != user_db
    assert not seen["db"].parent.exists()  # thrown away when the window closed


def test_ties_come_back_in_the_same_order_from_file_and_store(tmp_path: Path) -> None:
    """Blocks at one time and entries at one moment: parse orders them as the store does."""
    document = valid_document()
    twin = copy.deepcopy(document["blocks"][1])
    twin["id"] = "00000000-0000-4000-8000-000000000001"
    twin["sequence"] = 2
    for number, entry in enumerate(twin["entries"]):
        entry["id"] = f"00000000-0000-4000-8000-00000000010{number}"
    document["blocks"].append(twin)
    # Two one-sided entries at one moment, recorded in the reverse order of their ids.
    entries = document["blocks"][1]["entries"]
    entries[2].update(at=entries[1]["at"], recorded_at=entries[1]["recorded_at"])
    entries[2]["scores"] = {"right": 1}
    entries[2]["id"], entries[1]["id"] = sorted([entries[1]["id"], entries[2]["id"]])[::-1]
    document["blocks"].reverse()
    diary = parse_diary(json.dumps(document), "ties.json")
    with open_store(str(tmp_path / "ties.db")) as store:
        store.import_diary(diary, source_name="ties.json")
        loaded = store.load_diary(diary.patient.id)
    assert [b.id for b in loaded.blocks] == [b.id for b in diary.blocks]
    for stored, parsed in zip(loaded.blocks, diary.blocks, strict=True):
        assert [e.id for e in stored.entries] == [e.id for e in parsed.entries]
    assert loaded == diary
