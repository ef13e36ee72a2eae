"""The worklist's cached summaries (issue 14 item 3): worked out once, read fast, and made
stale by any change to the diary (triggers), by time while a diary is in progress, and by other
clinic settings; never by a view. On SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from paintrack.clinical.model import Agent, Block, Diary, Entry, Patient, Region, Side
from paintrack.clinical.settings import ClinicSettings
from paintrack.clinical.worklist import WorkStatus, settings_key
from paintrack.operations.worklist import open_worklist, refresh_worklist
from paintrack.store import Store

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = T0 + timedelta(days=3)
POINTS = (0, 15, 30, 45, 60, 120, 180, 240, 300, 360, 420, 480)


def _block(at: datetime, *, side: Side = Side.RIGHT, sequence: int = 1, relief: int = 1) -> Block:
    entries = tuple(
        Entry(
            at=at + timedelta(minutes=point - (5 if point == 0 else 0)),
            recorded_at=at + timedelta(minutes=point),
            scores={"index": 8 if point == 0 else relief},
        )
        for point in POINTS
    )
    return Block(
        performed_at=at,
        region=Region.LUMBAR,
        side=side,
        agent=Agent.LIDOCAINE,
        levels=("L4 MB", "L5 MB"),
        sequence=sequence,
        entries=entries,
    )


def _diary(name: str, *blocks: Block) -> Diary:
    return Diary(patient=Patient(name=name), blocks=blocks)


def _import(store: Store, diary: Diary) -> Diary:
    store.import_diary(diary, source_name="test")
    return diary


def _names(store: Store, now: datetime = NOW) -> list[tuple[str, str]]:
    worklist = open_worklist(store, now)
    lines = list(worklist.lines) + refresh_worklist(store, worklist)
    return sorted((line.patient.name, line.target.side.value) for line in lines)


def test_one_line_per_target_worked_out_once_then_read(any_store: Store) -> None:
    ann = _import(
        any_store,
        _diary("Ann Two Sides", _block(T0), _block(T0 + timedelta(hours=1), side=Side.LEFT)),
    )
    _import(any_store, _diary("Old Bob", _block(T0 - timedelta(days=90))))
    first = open_worklist(any_store, NOW)
    assert first.lines == ()
    assert len(first.stale) == 2
    found = refresh_worklist(any_store, first)
    assert sorted((line.patient.name, line.target.side) for line in found) == [
        ("Ann Two Sides", Side.LEFT),
        ("Ann Two Sides", Side.RIGHT),
    ]  # Old Bob's block is 90 days old and nothing is due for him
    again = open_worklist(any_store, NOW)
    assert again.stale == ()
    by_side = {line.target.side: line.target for line in found}
    assert {line.target.side: line.target for line in again.lines} == by_side
    line = next(line for line in again.lines if line.target.side == Side.RIGHT)
    assert line.patient.id == ann.patient.id
    assert line.target.status == WorkStatus.MET
    assert line.target.block_dates == (T0.date(),)
    assert line.target.agents == (Agent.LIDOCAINE,)
    assert line.target.compliance.due == 11
    # A longer window shows Old Bob too, from the cache
    any_store.save_settings(replace(any_store.get_settings(), worklist_days=120))
    assert [n for n, _ in _names(any_store)].count("Old Bob") == 1


def test_a_change_to_the_diary_makes_the_summary_stale(any_store: Store) -> None:
    diary = _import(any_store, _diary("Cara Change", _block(T0)))
    _names(any_store)
    assert open_worklist(any_store, NOW).stale == ()
    block = diary.blocks[0]
    entry = Entry(
        at=block.performed_at + timedelta(minutes=500),
        recorded_at=block.performed_at + timedelta(minutes=500),
        scores={"index": 2},
    )
    any_store.add_entry(block.id, entry)
    assert open_worklist(any_store, NOW).stale == (diary.patient.id,)
    _names(any_store)
    any_store.amend_entry(entry.id, replace(entry, scores={"index": 3}), reason="typo")
    assert open_worklist(any_store, NOW).stale == (diary.patient.id,)
    _names(any_store)
    any_store.delete_entry(entry.id, reason="wrong block")
    assert open_worklist(any_store, NOW).stale == (diary.patient.id,)
    _names(any_store)
    any_store.add_block(diary.patient.id, _block(T0 + timedelta(days=1), sequence=2))
    assert open_worklist(any_store, NOW).stale == (diary.patient.id,)


def test_reading_the_diary_or_its_trail_is_no_change(any_store: Store) -> None:
    diary = _import(any_store, _diary("Vera View", _block(T0)))
    _names(any_store)
    any_store.load_diary(diary.patient.id)
    any_store.audit_trail(diary.patient.id)
    assert open_worklist(any_store, NOW).stale == ()


def test_stale_while_a_diary_is_in_progress_and_under_other_settings(any_store: Store) -> None:
    diary = _import(any_store, _diary("Ina Progress", _block(T0)))
    during = T0 + timedelta(hours=2)  # the 8-hour protocol is still going
    _names(any_store, during)
    assert open_worklist(any_store, during + timedelta(minutes=1)).stale == ()
    assert open_worklist(any_store, T0 + timedelta(hours=12)).stale == (diary.patient.id,)
    _names(any_store)
    assert open_worklist(any_store, NOW).stale == ()
    any_store.save_settings(replace(any_store.get_settings(), thresholds=(50, 75)))
    assert open_worklist(any_store, NOW).stale == (diary.patient.id,)
    assert settings_key(ClinicSettings()) == settings_key(ClinicSettings(worklist_days=7))


def test_a_summary_worked_out_while_the_diary_changed_is_not_kept(any_store: Store) -> None:
    diary = _import(any_store, _diary("Rae Race", _block(T0)))
    worklist = open_worklist(any_store, NOW)
    mark = any_store.trail_end()
    from paintrack.clinical.analysis import analyze_diary
    from paintrack.clinical.worklist import summarize

    summary = summarize(
        analyze_diary(any_store.load_diary(diary.patient.id), ClinicSettings(), now=NOW)
    )
    any_store.add_block(diary.patient.id, _block(T0 + timedelta(days=1), sequence=2))
    key = settings_key(worklist.settings)
    assert any_store.save_worklist(key, NOW, [summary], after_seq=mark) == 0
    assert open_worklist(any_store, NOW).stale == (diary.patient.id,)


def test_follow_up_due_is_shown_whatever_the_block_date(any_store: Store) -> None:
    from paintrack.clinical.model import Preset

    any_store.save_settings(replace(ClinicSettings(), preset=Preset.MEDICARE_LCD))
    _import(any_store, _diary("Finn Follow", _block(T0 - timedelta(days=200), relief=0)))
    worklist = open_worklist(any_store, NOW)
    (line,) = refresh_worklist(any_store, worklist)
    assert line.target.status == WorkStatus.PENDING
    assert line.target.next_step is not None
    assert "second" in line.target.next_step
    assert [line.patient.name for line in open_worklist(any_store, NOW).lines] == ["Finn Follow"]
