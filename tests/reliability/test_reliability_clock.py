"""Guarantee 7, clock trouble: the system clock going backwards between two entries, and a
daylight-saving change during a block day, neither reorder nor lose entries. A controllable
clock (open_store(clock=...)) stands in for the system's."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from paintrack.clinical.model import Agent, Block, Entry, Patient, Region, Side
from paintrack.exchange.diary_json import parse_diary, read_diary_file, write_diary_file
from paintrack.store import Store, open_store

NEW_YORK = ZoneInfo("America/New_York")


class ControllableClock:
    """Returns whatever time the test sets; can be moved forwards or backwards."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        return moment


@pytest.fixture
def clock() -> ControllableClock:
    return ControllableClock(datetime(2026, 11, 1, 0, 0, tzinfo=NEW_YORK))


@pytest.fixture
def store(tmp_path: Path, clock: ControllableClock) -> Iterator[Store]:
    opened = open_store(str(tmp_path / "diary.db"), clock=clock)
    try:
        yield opened
    finally:
        opened.close()


def _block(store: Store, performed_at: datetime) -> tuple[Patient, Block]:
    patient = store.add_patient(Patient(name="Clock Patient"))
    block = store.add_block(
        patient.id,
        Block(
            performed_at=performed_at,
            region=Region.LUMBAR,
            side=Side.RIGHT,
            agent=Agent.BUPIVACAINE,
        ),
    )
    return patient, block


def _log_now(store: Store, block: Block, clock: ControllableClock, score: int) -> Entry:
    """What the window does when the patient logs a score: `at` and `recorded_at` are now."""
    now = clock()
    return store.add_entry(block.id, Entry(at=now, recorded_at=now, scores={"index": score}))


def test_the_clock_going_backwards_between_two_entries_loses_nothing(
    store: Store, clock: ControllableClock
) -> None:
    start = clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    patient, block = _block(store, start - timedelta(minutes=30))
    first = _log_now(store, block, clock, 7)
    clock.set(start - timedelta(minutes=7))  # the clock is corrected 7 minutes back
    second = _log_now(store, block, clock, 3)
    clock.set(start + timedelta(minutes=15))
    third = _log_now(store, block, clock, 2)

    entries = store.load_diary(patient.id).blocks[0].entries
    assert len(entries) == 3
    assert {e.id for e in entries} == {first.id, second.id, third.id}
    # ordered by the moment each score refers to, as the clock said it was
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert [e.scores["index"] for e in entries] == [3, 7, 2]
    assert not any(e.amended for e in entries)
    # the audit trail keeps the order things happened in (seq), whatever the clock said
    trail = store.audit_trail(patient.id)
    added = [r.object_id for r in trail if r.action == "add_entry"]
    assert added == [first.id, second.id, third.id]
    # each audit row has the time the clock gave, even though it went backwards
    assert [r.at for r in trail if r.action == "add_entry"] == [
        start,
        start - timedelta(minutes=7),
        start + timedelta(minutes=15),
    ]
    assert store.check_audit_trail().intact


def test_the_clock_going_back_onto_an_earlier_entrys_exact_time_keeps_both_scores(
    store: Store, clock: ControllableClock
) -> None:
    """Clinical rule: a second score at the same moment replaces the first through an audited
    amendment; the first score is kept in the entry's history, never silently dropped."""
    start = clock.set(datetime(2026, 3, 2, 10, 0, tzinfo=UTC))
    patient, block = _block(store, start - timedelta(minutes=30))
    first = _log_now(store, block, clock, 7)
    clock.set(start + timedelta(minutes=5))
    clock.set(start)  # back to exactly the first entry's time
    _log_now(store, block, clock, 4)
    (entry,) = store.load_diary(patient.id).blocks[0].entries
    assert entry.scores == {"index": 4} and entry.amended
    history = store.entry_history(first.id)
    assert [r.action for r in history] == ["add_entry", "amend_entry"]
    assert history[1].old is not None and history[1].old["scores"] == {"index": 7}


def _repeated_hour() -> list[datetime]:
    """Every 15 minutes from 00:30 to 02:30 New York time on 1 November 2026, when clocks go
    back at 02:00 EDT to 01:00 EST: the wall-clock hour 01:00-02:00 happens twice."""
    start = datetime(2026, 11, 1, 4, 30, tzinfo=UTC)  # 00:30 EDT
    return [(start + timedelta(minutes=15 * n)).astimezone(NEW_YORK) for n in range(13)]


def test_a_daylight_saving_change_during_a_block_day_keeps_every_entry_in_order(
    store: Store, clock: ControllableClock, tmp_path: Path
) -> None:
    moments = _repeated_hour()
    walls = [m.strftime("%H:%M") for m in moments]
    assert walls.count("01:30") == 2  # the test really crosses the repeated hour
    assert {m.utcoffset() for m in moments} == {timedelta(hours=-4), timedelta(hours=-5)}
    clock.set(moments[0] - timedelta(minutes=10))
    patient, block = _block(store, moments[0] - timedelta(minutes=5))
    for n, moment in enumerate(moments):
        clock.set(moment)  # a wall clock in New York, offsets and all
        _log_now(store, block, clock, n % 11)

    entries = store.load_diary(patient.id).blocks[0].entries
    assert len(entries) == len(moments)
    assert [e.at for e in entries] == [m.astimezone(UTC) for m in moments]
    assert [e.scores["index"] for e in entries] == [n % 11 for n in range(len(moments))]
    assert not any(e.amended for e in entries)  # 01:30 EDT did not replace 01:30 EST
    shown = [e.at.astimezone(NEW_YORK).strftime("%H:%M %Z") for e in entries]
    assert "01:30 EDT" in shown and "01:30 EST" in shown

    # and through a diary file and back: same entries, same order
    file = tmp_path / "dst.json"
    write_diary_file(store.load_diary(patient.id), file)
    again = read_diary_file(file)
    assert [e.at for e in again.blocks[0].entries] == [e.at for e in entries]


def test_a_diary_file_written_in_local_time_across_the_change_imports_in_order(
    store: Store,
) -> None:
    moments = _repeated_hour()
    lines = ",".join(
        f'{{"at": "{m.isoformat()}", "recorded_at": "{m.isoformat()}", '
        f'"scores": {{"index": {n % 11}}}}}'
        for n, m in enumerate(reversed(moments))  # written out of order on purpose
    )
    text = (
        '{"format": "paintrack-diary", "version": 1, "patient": {"name": "DST"}, '
        f'"blocks": [{{"performed_at": "{moments[0].isoformat()}", "region": "lumbar", '
        f'"side": "left", "agent": "lidocaine", "entries": [{lines}]}}]}}'
    )
    diary = parse_diary(text, "dst.json")
    result = store.import_diary(diary, source_name="dst.json")
    assert result.entries_added == len(moments)
    entries = store.load_diary(diary.patient.id).blocks[0].entries
    assert [e.at for e in entries] == [m.astimezone(UTC) for m in moments]
