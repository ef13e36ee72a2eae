"""The store refuses what the diary parser refuses, so every diary the app builds exports to a file
that imports again. Each case is checked on both sides: the store says no in plain words (a
UserError), and the same value written into a diary file is refused by the parser too. Each runs on
a SQLite file and on a real PostgreSQL server (conftest's db_target)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from store_builders import T0, index_block, sample_diary

from paintrack.clinical.model import Block, Diary, Entry, Patient, Side
from paintrack.errors import UserError
from paintrack.exchange.diary_json import diary_to_dict, parse_diary
from paintrack.store import Store, open_store


@pytest.fixture
def store(any_store: Store) -> Iterator[Store]:
    yield any_store


def _file_refuses(diary: Diary) -> None:
    text = json.dumps(diary_to_dict(diary), ensure_ascii=False)
    with pytest.raises(UserError):
        parse_diary(text, "made-by-the-app.json")


def _base_block() -> Block:
    return index_block(minutes=(-10, 15))


BLOCK_CASES: dict[str, Callable[[Block], Block]] = {
    "bilateral-sites-on-one-side": lambda b: dataclasses.replace(
        b, side=Side.RIGHT, sites=("left", "right"), entries=()
    ),
    "blank-level": lambda b: dataclasses.replace(b, levels=("L4 MB", "  ")),
    "empty-level": lambda b: dataclasses.replace(b, levels=("",)),
    "blank-protocol": lambda b: dataclasses.replace(b, protocol=" "),
    "nul-in-level": lambda b: dataclasses.replace(b, levels=("L4\x00MB",)),
    "nul-in-protocol": lambda b: dataclasses.replace(b, protocol="std\x00"),
    "nul-in-activity": lambda b: dataclasses.replace(b, activities=("walk\x00",), entries=()),
    "blank-activity": lambda b: dataclasses.replace(b, activities=(" ",), entries=()),
    "concentration-over-100": lambda b: dataclasses.replace(b, concentration_percent=150.0),
}


@pytest.mark.parametrize("case", sorted(BLOCK_CASES))
def test_the_store_refuses_a_block_the_parser_refuses(store: Store, case: str) -> None:
    patient = store.add_patient(Patient(name="Checks"))
    bad = BLOCK_CASES[case](_base_block())
    with pytest.raises(UserError) as raised:
        store.add_block(patient.id, bad)
    assert "Block of" in raised.value.message
    assert store.load_diary(patient.id).blocks == ()
    _file_refuses(Diary(patient, (bad,)))


def test_update_block_cannot_leave_left_and_right_on_a_one_sided_block(store: Store) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="s.json")
    bilateral = next(b for b in diary.blocks if b.side == Side.BILATERAL)
    with pytest.raises(UserError, match="bilateral"):
        store.update_block(dataclasses.replace(bilateral, side=Side.LEFT), reason="typo")
    assert store.get_block(bilateral.id).side == Side.BILATERAL


ENTRY_CASES: dict[str, Callable[[Entry], Entry]] = {
    "recorded-before-at": lambda e: dataclasses.replace(e, recorded_at=e.at - timedelta(seconds=1)),
    "nul-in-note": lambda e: dataclasses.replace(e, note="fine\x00"),
    "lone-surrogate-in-note": lambda e: dataclasses.replace(e, note="broken \ud800"),
    "rescue-detail-over-200": lambda e: dataclasses.replace(
        e, rescue_medication=True, rescue_medication_detail="oxycodone " * 30
    ),
}


@pytest.mark.parametrize("case", sorted(ENTRY_CASES))
def test_the_store_refuses_an_entry_the_parser_refuses(store: Store, case: str) -> None:
    patient = store.add_patient(Patient(name="Checks"))
    block = store.add_block(patient.id, _base_block())
    good = Entry(
        at=T0 + timedelta(minutes=45), recorded_at=T0 + timedelta(minutes=45), scores={"index": 2}
    )
    bad = ENTRY_CASES[case](good)
    with pytest.raises(UserError) as raised:
        store.add_entry(block.id, bad)
    assert "Entry at" in raised.value.message
    assert len(store.get_block(block.id).entries) == 2
    # amending to the bad value is refused as well, and changes nothing
    stored = store.get_block(block.id).entries[1]
    with pytest.raises(UserError):
        store.amend_entry(stored.id, ENTRY_CASES[case](stored), reason="edit")
    assert store.get_block(block.id).entries[1] == stored
    if case != "lone-surrogate-in-note":  # json.dumps cannot write a lone surrogate as UTF-8
        _file_refuses(Diary(patient, (dataclasses.replace(block, entries=(bad,)),)))


@pytest.mark.parametrize(
    ("patient", "words"),
    [
        (Patient(name="  "), "needs a name"),
        (Patient(name="Jane\x00Doe"), "NUL"),
        (Patient(name="Jane", mrn="12\x0034"), "NUL"),
        (Patient(name="Jane \udcff"), "broken character"),
    ],
    ids=["blank-name", "nul-in-name", "nul-in-mrn", "surrogate-in-name"],
)
def test_the_store_refuses_a_patient_the_parser_refuses(
    store: Store, patient: Patient, words: str
) -> None:
    with pytest.raises(UserError, match=words):
        store.add_patient(patient)
    assert store.list_patients() == []
    with pytest.raises(UserError, match=words):
        store.import_diary(Diary(patient, ()), source_name="x.json")
    assert store.list_patients() == []


def test_import_refuses_the_whole_diary_for_one_bad_block(store: Store) -> None:
    good = index_block()
    bad = dataclasses.replace(index_block(T0 + timedelta(days=20)), protocol="")
    with pytest.raises(UserError, match="protocol"):
        store.import_diary(Diary(Patient(name="All Or Nothing"), (good, bad)), source_name="x")
    assert store.list_patients() == []


def _everything(store: Store) -> dict[str, Any]:
    return {"patients": store.list_patients(), "trail": store.audit_trail()}


def test_a_refusal_writes_no_audit_row(store: Store) -> None:
    patient = store.add_patient(Patient(name="Quiet"))
    before = _everything(store)
    with pytest.raises(UserError):
        store.add_block(patient.id, dataclasses.replace(_base_block(), protocol="  "))
    assert _everything(store) == before


# -- times in the future --------------------------------------------------------------------------


def test_an_entry_recorded_in_the_future_is_refused(db_target: str) -> None:
    """A score cannot be recorded after 'now' (by more than two clocks may disagree): it is a
    typo in the date, or a computer whose clock is wrong. The diary file format itself has no
    'now', so the store is where this is caught, for the window and for imports alike."""
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    with open_store(db_target, clock=lambda: now) as store:
        patient = store.add_patient(Patient(name="Future"))
        block = store.add_block(patient.id, _base_block())
        ahead = now + timedelta(days=2)
        with pytest.raises(UserError, match="in the future") as raised:
            store.add_entry(block.id, Entry(at=ahead, recorded_at=ahead, scores={"index": 2}))
        assert "clock" in raised.value.message
        # a little ahead (two computers' clocks disagreeing) is fine
        slightly = now + timedelta(hours=1)
        store.add_entry(block.id, Entry(at=slightly, recorded_at=slightly, scores={"index": 2}))
        assert len(store.get_block(block.id).entries) == 3


def test_importing_a_diary_with_a_future_entry_imports_nothing(db_target: str) -> None:
    now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    late = now + timedelta(days=400)
    block = dataclasses.replace(
        _base_block(),
        entries=(*_base_block().entries, Entry(at=late, recorded_at=late, scores={"index": 1})),
    )
    with open_store(db_target, clock=lambda: now) as store:
        with pytest.raises(UserError, match="in the future"):
            store.import_diary(Diary(Patient(name="Year Typo"), (block,)), source_name="x.json")
        assert store.list_patients() == []
