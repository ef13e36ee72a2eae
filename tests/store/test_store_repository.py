"""The repository API: round trips, the audit trail, amendments, imports, settings, patients.

Every test runs twice: on a SQLite file and on a real PostgreSQL server (conftest's db_target)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from backends import raw_rows
from store_builders import T0, bilateral_block, index_block, sample_diary, sorted_diary

from paintrack.clinical.model import Agent, Block, Diary, Entry, Patient, Preset, Source
from paintrack.clinical.settings import ClinicSettings
from paintrack.errors import UserError
from paintrack.store import Store, default_actor, open_store
from paintrack.store.repository import SAME_TIME_REASON


@pytest.fixture
def store(any_store: Store) -> Iterator[Store]:
    yield any_store


def _counts(store: Store) -> dict[str, int]:
    return {
        table: raw_rows(store, f"SELECT count(*) FROM {table}")[0][0]
        for table in ("patients", "blocks", "entries", "entry_scores", "settings", "audit")
    }


def _first_post_block_entry(diary: Diary) -> tuple[Block, Entry]:
    block = diary.blocks[0]
    entry = next(e for e in block.entries if e.at > block.performed_at)
    return block, entry


# -- round trip ----------


def test_a_bilateral_diary_with_paper_entries_round_trips_every_field(store: Store) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="sample.json")

    loaded = store.load_diary(diary.patient.id)

    assert loaded == sorted_diary(diary)
    bilateral = next(b for b in loaded.blocks if b.sites == ("left", "right"))
    assert [e.at for e in bilateral.entries] == sorted(e.at for e in bilateral.entries)
    assert any(e.source == Source.PAPER and e.rescue_medication for e in bilateral.entries)
    assert bilateral.entries[1].at.microsecond == 123456
    for block in loaded.blocks:
        assert block.performed_at.tzinfo is UTC
        for entry in block.entries:
            assert entry.at.tzinfo is UTC
            assert entry.recorded_at.tzinfo is UTC
            assert entry.amended is False


def test_the_record_survives_closing_and_reopening(db_target: str) -> None:
    diary = sample_diary()
    with open_store(db_target) as store:
        store.import_diary(diary, source_name="sample.json")
    with open_store(db_target) as store:
        assert store.load_diary(diary.patient.id) == sorted_diary(diary)
        assert (
            store.get_block(diary.blocks[0].id)
            == sorted_diary(Diary(diary.patient, (diary.blocks[0],))).blocks[0]
        )


def test_add_patient_block_and_entries_one_by_one(store: Store) -> None:
    patient = store.add_patient(Patient(name="Ana Núñez"))
    block = bilateral_block()
    added = store.add_block(patient.id, dataclasses.replace(block, entries=()))
    assert added.entries == ()
    for entry in block.entries:
        assert store.add_entry(block.id, entry) == entry
    loaded = store.get_block(block.id)
    assert loaded == dataclasses.replace(
        block, entries=tuple(sorted(block.entries, key=lambda e: e.at))
    )
    actions = [(r.action, r.object_type) for r in store.audit_trail(patient.id)]
    assert actions == [("add_patient", "patient"), ("add_block", "block")] + [
        ("add_entry", "entry")
    ] * len(block.entries)


def test_unknown_ids_are_user_errors(store: Store) -> None:
    with pytest.raises(UserError, match="no patient"):
        store.load_diary("nobody")
    with pytest.raises(UserError, match="no block"):
        store.get_block("nothing")
    with pytest.raises(UserError, match="no entry"):
        store.entry_history("nothing")
    with pytest.raises(UserError, match="no patient"):
        store.add_block("nobody", index_block())


def test_entries_that_do_not_fit_their_block_are_refused(store: Store) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="s.json")
    block = next(b for b in diary.blocks if b.sites == ("left", "right"))
    at = block.performed_at + timedelta(minutes=200)
    for bad, words in (
        (Entry(at=at, recorded_at=at, scores={"index": 3}), "not a rated site"),
        (Entry(at=at, recorded_at=at, scores={"left": 11}), "0 to 10"),
        (Entry(at=at, recorded_at=at, scores={}), "at least one site"),
        (Entry(at=at, recorded_at=at, scores={"left": 3}, activity="jogging"), "activities"),
        (Entry(at=at, recorded_at=at, scores={"left": 3}, patient_relief_percent=120), "0-100"),
    ):
        with pytest.raises(UserError, match=words):
            store.add_entry(block.id, bad)
    assert store.get_block(block.id).entries == tuple(sorted(block.entries, key=lambda e: e.at))


def test_a_naive_datetime_never_reaches_the_database() -> None:
    from paintrack.store.types import NaiveDatetimeStoredError, UTCDateTime

    with pytest.raises(NaiveDatetimeStoredError):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1, 12, 0), None)  # type: ignore[arg-type]
    stored = UTCDateTime().process_bind_param(T0, None)  # type: ignore[arg-type]
    assert stored == datetime(2026, 3, 2, 14, 30)
    assert UTCDateTime().process_result_value(stored, None) == T0  # type: ignore[arg-type]


# -- amendments, deletions, the audit trail --------------------------------------------------------


def test_amend_keeps_the_original_in_history_and_audit(db_target: str) -> None:
    # after the sample's last entry: the store refuses an entry recorded in its future
    moments = iter([datetime(2026, 4, 3, 8, 0, tzinfo=UTC), datetime(2026, 4, 4, 8, 0, tzinfo=UTC)])
    store = open_store(db_target, clock=lambda: next(moments))
    try:
        diary = sample_diary()
        store.import_diary(diary, source_name="sample.json")
        block, entry = _first_post_block_entry(sorted_diary(diary))
        corrected = dataclasses.replace(entry, scores={"index": 1}, note="typo fixed")

        amended = store.amend_entry(
            entry.id, corrected, reason="patient misread the scale", actor="dr.who"
        )

        assert amended.id == entry.id
        assert amended.amended is True
        assert amended.scores == {"index": 1}
        reloaded = next(e for e in store.get_block(block.id).entries if e.id == entry.id)
        assert reloaded == amended

        history = store.entry_history(entry.id)
        assert [r.action for r in history] == ["add_entry", "amend_entry"]
        change = history[-1]
        assert change.reason == "patient misread the scale"
        assert change.actor == "dr.who"
        assert change.at == datetime(2026, 4, 4, 8, 0, tzinfo=UTC)
        assert change.old is not None and change.new is not None
        assert change.old["scores"] == dict(entry.scores)
        assert change.old["note"] == entry.note
        assert change.new["scores"] == {"index": 1}
        assert change.new["note"] == "typo fixed"
        assert change.patient_id == diary.patient.id
        assert history[0].reason == "imported from sample.json"
        assert history[0].actor == default_actor()
        assert change in store.audit_trail(diary.patient.id)
    finally:
        store.close()


def test_delete_hides_the_entry_and_keeps_it_in_the_trail(store: Store) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="sample.json")
    block, entry = _first_post_block_entry(sorted_diary(diary))

    store.delete_entry(entry.id, reason="entered for the wrong patient")

    assert entry.id not in {e.id for e in store.get_block(block.id).entries}
    assert entry.id not in {
        e.id for b in store.load_diary(diary.patient.id).blocks for e in b.entries
    }
    last = store.entry_history(entry.id)[-1]
    assert (last.action, last.reason, last.new) == (
        "delete_entry",
        "entered for the wrong patient",
        None,
    )
    assert last.old is not None and last.old["scores"] == dict(entry.scores)
    nulls = raw_rows(
        store,
        "SELECT action, old IS NULL, new IS NULL FROM audit WHERE object_id = :id ORDER BY seq",
        id=entry.id,
    )
    assert nulls == [("add_entry", 1, 0), ("delete_entry", 0, 1)]  # SQL NULL, not JSON 'null'
    with pytest.raises(UserError, match="already deleted"):
        store.delete_entry(entry.id, reason="again")
    with pytest.raises(UserError, match="deleted"):
        store.amend_entry(entry.id, entry, reason="bring it back")


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_a_blank_reason_is_refused_and_changes_nothing(store: Store, reason: str) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="sample.json")
    block, entry = _first_post_block_entry(sorted_diary(diary))
    trail = store.audit_trail()
    before = store.load_diary(diary.patient.id)

    with pytest.raises(UserError, match="reason is required"):
        store.amend_entry(entry.id, dataclasses.replace(entry, scores={"index": 0}), reason=reason)
    with pytest.raises(UserError, match="reason is required"):
        store.delete_entry(entry.id, reason=reason)
    with pytest.raises(UserError, match="reason is required"):
        store.update_block(dataclasses.replace(block, sequence=3), reason=reason)

    assert store.load_diary(diary.patient.id) == before
    assert store.audit_trail() == trail


def test_update_block_is_audited_and_keeps_entries(store: Store) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="sample.json")
    block = sorted_diary(diary).blocks[0]
    changed = dataclasses.replace(block, agent=Agent.ROPIVACAINE, volume_ml=0.6, entries=())

    updated = store.update_block(changed, reason="pharmacy record says ropivacaine")

    assert updated.agent == Agent.ROPIVACAINE
    assert updated.entries == block.entries
    record = store.audit_trail(diary.patient.id)[-1]
    assert record.action == "update_block"
    assert record.old is not None and record.new is not None
    assert (record.old["agent"], record.new["agent"]) == ("lidocaine", "ropivacaine")
    assert record.reason == "pharmacy record says ropivacaine"


def test_update_block_refuses_to_orphan_entries(store: Store) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="sample.json")
    bilateral = next(b for b in diary.blocks if b.sites == ("left", "right"))
    with pytest.raises(UserError, match="no longer fits"):
        store.update_block(dataclasses.replace(bilateral, sites=("index",)), reason="wrong form")
    assert store.get_block(bilateral.id).sites == ("left", "right")


def test_the_audit_trail_has_no_way_to_change_or_delete_a_row() -> None:
    public = {name for name in dir(Store) if not name.startswith("_")}
    audit_methods = {name for name in public if "audit" in name or "history" in name}
    # check_audit_trail and last_audit_records only read (tests/reliability/test_audit_chain.py,
    # tests/store/test_trail_check.py)
    assert audit_methods == {
        "audit_trail",
        "check_audit_trail",
        "entry_history",
        "last_audit_records",
    }
    assert not any(word in name for name in public for word in ("purge", "drop", "vacuum"))


# -- two entries at the same time ----------


def test_add_entry_at_the_same_time_replaces_through_an_audited_amendment(store: Store) -> None:
    patient = store.add_patient(Patient(name="Sam Same"))
    block = store.add_block(patient.id, index_block(minutes=(-10,)))
    at = block.performed_at + timedelta(minutes=30)
    first = store.add_entry(block.id, Entry(at=at, recorded_at=at, scores={"index": 6}))

    second = store.add_entry(
        block.id, Entry(at=at, recorded_at=at + timedelta(minutes=2), scores={"index": 4})
    )

    assert second.id == first.id
    assert second.scores == {"index": 4}
    assert second.amended is True
    live = [e for e in store.get_block(block.id).entries if e.at == at]
    assert live == [second]
    history = store.entry_history(first.id)
    assert [r.action for r in history] == ["add_entry", "amend_entry"]
    assert history[-1].reason == SAME_TIME_REASON
    assert history[-1].old is not None and history[-1].old["scores"] == {"index": 6}


def test_same_time_on_a_bilateral_block_keeps_the_other_sides_score(store: Store) -> None:
    patient = store.add_patient(Patient(name="Bea Both"))
    block = store.add_block(patient.id, dataclasses.replace(bilateral_block(), entries=()))
    at = block.performed_at + timedelta(minutes=45)
    store.add_entry(block.id, Entry(at=at, recorded_at=at, scores={"left": 5, "right": 6}))
    replaced = store.add_entry(block.id, Entry(at=at, recorded_at=at, scores={"right": 2}))
    assert replaced.scores == {"left": 5, "right": 2}


def test_adding_the_same_entry_twice_changes_nothing(store: Store) -> None:
    patient = store.add_patient(Patient(name="Ida Idem"))
    block = store.add_block(patient.id, index_block(minutes=()))
    at = block.performed_at + timedelta(minutes=15)
    entry = Entry(at=at, recorded_at=at, scores={"index": 3})
    store.add_entry(block.id, entry)
    trail = store.audit_trail()
    assert store.add_entry(block.id, entry) == entry
    assert store.audit_trail() == trail
    with pytest.raises(UserError, match="already in the diary"):
        store.add_entry(block.id, dataclasses.replace(entry, scores={"index": 9}))


def test_amending_onto_another_entrys_time_is_refused(store: Store) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="s.json")
    block = sorted_diary(diary).blocks[0]
    first, second = block.entries[1], block.entries[2]
    with pytest.raises(UserError, match="already at"):
        store.amend_entry(
            first.id,
            dataclasses.replace(first, at=second.at, recorded_at=second.recorded_at),
            reason="moved",
        )


# -- import ----------


def test_importing_the_same_diary_twice_adds_nothing(store: Store) -> None:
    diary = sample_diary()
    first = store.import_diary(diary, source_name="sample.json")
    entries = sum(len(b.entries) for b in diary.blocks)
    assert (first.patients_added, first.blocks_added, first.entries_added) == (1, 2, entries)
    assert first.entries_unchanged == 0
    assert first.patient_id == diary.patient.id
    counts = _counts(store)

    second = store.import_diary(diary, source_name="sample.json")

    assert (second.patients_added, second.blocks_added, second.entries_added) == (0, 0, 0)
    assert second.entries_unchanged == entries
    assert second.blocks_unchanged == 2
    assert second.entries_conflicting == 0
    after = _counts(store)
    assert {k: v for k, v in after.items() if k != "audit"} == {
        k: v for k, v in counts.items() if k != "audit"
    }
    assert after["audit"] == counts["audit"] + 1  # only the record that an import was tried
    imports = [r for r in store.audit_trail() if r.action == "import"]
    assert imports[-1].new is not None
    assert imports[-1].new["source_name"] == "sample.json"
    assert imports[-1].new["entries_unchanged"] == entries
    assert store.load_diary(diary.patient.id) == sorted_diary(diary)


def test_an_import_never_overwrites_a_stored_entry(store: Store) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="sample.json")
    block, entry = _first_post_block_entry(sorted_diary(diary))
    store.amend_entry(entry.id, dataclasses.replace(entry, scores={"index": 0}), reason="fix")
    new_at = block.performed_at + timedelta(hours=3)
    extra = Entry(at=new_at, recorded_at=new_at, scores={"index": 5})
    grown = Diary(
        diary.patient,
        tuple(
            dataclasses.replace(b, entries=(*b.entries, extra)) if b.id == block.id else b
            for b in diary.blocks
        ),
    )

    result = store.import_diary(grown, source_name="sample-v2.json")

    assert result.entries_conflicting == 1
    assert result.entries_added == 1
    stored = {e.id: e for e in store.get_block(block.id).entries}
    assert stored[entry.id].scores == {"index": 0}
    assert stored[extra.id].scores == {"index": 5}


def _diary_with_bad_last_entry(scores: dict[str, int] | None = None) -> Diary:
    """The sample diary with one bad entry at the very end of its last (index-site) block."""
    diary = sample_diary()
    last = diary.blocks[-1]
    at = last.performed_at + timedelta(hours=4)
    bad = Entry(at=at, recorded_at=at, scores=scores if scores is not None else {"index": 11})
    return Diary(
        diary.patient, (*diary.blocks[:-1], dataclasses.replace(last, entries=(*last.entries, bad)))
    )


@pytest.mark.parametrize(
    ("scores", "words"),
    [({"index": 11}, "0 to 10"), ({"left": 3}, "not a rated site"), ({"index": -1}, "0 to 10")],
)
def test_a_failing_import_leaves_the_database_unchanged(
    store: Store, scores: dict[str, int], words: str
) -> None:
    earlier = sample_diary("Earlier Patient", mrn="E-1")
    store.import_diary(earlier, source_name="earlier.json")
    counts = _counts(store)
    trail = store.audit_trail()

    with pytest.raises(UserError, match=words) as raised:
        store.import_diary(_diary_with_bad_last_entry(scores), source_name="bad.json")
    assert "Nothing was imported" in raised.value.message

    assert _counts(store) == counts
    assert store.audit_trail() == trail
    assert [p.name for p in store.list_patients()] == ["Earlier Patient"]


def test_a_database_constraint_failing_mid_import_rolls_everything_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if the checks in Python missed it, the CHECK constraint stops the score of 11,
    after the patient, blocks and earlier entries were flushed, and nothing stays."""
    import paintrack.store.repository as repository

    monkeypatch.setattr(repository, "check_entry", lambda entry, block, now=None: None)
    counts = _counts(store)
    with pytest.raises(Exception, match=r"(?i)check constraint"):
        store.import_diary(_diary_with_bad_last_entry(), source_name="bad.json")
    assert _counts(store) == counts


def test_a_crash_mid_import_rolls_everything_back(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import paintrack.store.repository as repository

    calls = {"n": 0}
    real = repository.entry_row_values  # type: ignore[attr-defined]

    def failing(*args: Any, **kwargs: Any) -> dict[str, Any]:
        calls["n"] += 1
        if calls["n"] == 4:
            raise RuntimeError("power cut")
        return real(*args, **kwargs)

    monkeypatch.setattr(repository, "entry_row_values", failing)
    with pytest.raises(RuntimeError, match="power cut"):
        store.import_diary(sample_diary(), source_name="sample.json")
    assert calls["n"] == 4
    assert all(v == 0 for v in _counts(store).values())
    monkeypatch.undo()
    result = store.import_diary(sample_diary(), source_name="sample.json")
    assert result.entries_added == 6


def test_a_new_entry_at_a_stored_entrys_time_fails_the_whole_import(store: Store) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="sample.json")
    block, entry = _first_post_block_entry(sorted_diary(diary))
    twin = Entry(at=entry.at, recorded_at=entry.recorded_at, scores={"index": 2})
    other_at = block.performed_at + timedelta(hours=2)
    fine = Entry(at=other_at, recorded_at=other_at, scores={"index": 2})
    clashing = Diary(
        diary.patient,
        tuple(
            dataclasses.replace(b, entries=(fine, twin)) if b.id == block.id else b
            for b in diary.blocks
        ),
    )
    counts = _counts(store)
    with pytest.raises(UserError, match="same time"):
        store.import_diary(clashing, source_name="clash.json")
    assert _counts(store) == counts


def test_a_block_of_another_patient_fails_the_import(store: Store) -> None:
    diary = sample_diary()
    store.import_diary(diary, source_name="sample.json")
    stranger = Diary(Patient(name="Someone Else"), diary.blocks)
    with pytest.raises(UserError, match="another patient"):
        store.import_diary(stranger, source_name="mixed.json")
    assert [p.name for p in store.list_patients()] == ["Jane Example"]


# -- settings ----------


def test_settings_default_then_round_trip(db_target: str) -> None:
    custom = ClinicSettings(
        preset="medicare-lcd",
        thresholds=(80, 100),
        expected_minutes={Agent.LIDOCAINE: 45.0, Agent.BUPIVACAINE: 180.0},
        protocols={"standard": (15.0, 30.0, 60.0), "extended": (60.0, 1440.0, 2880.0)},
    )
    with open_store(db_target) as store:
        assert store.get_settings() == ClinicSettings()
        store.save_settings(custom, actor="clinic-admin")
        store.save_settings(custom)  # unchanged: no second audit row
        saves = [r for r in store.audit_trail() if r.action == "save_settings"]
        assert len(saves) == 1
        assert saves[0].actor == "clinic-admin"
        assert saves[0].old is not None and saves[0].old["thresholds"] == [50, 80]
        assert saves[0].new is not None and saves[0].new["thresholds"] == [80, 100]
    with open_store(db_target) as store:
        loaded = store.get_settings()
    assert loaded == custom
    assert loaded.protocol_points("extended") == (60.0, 1440.0, 2880.0)


def test_a_settings_key_never_saved_takes_its_default(store: Store) -> None:
    store.save_settings(ClinicSettings(preset=Preset.MEDICARE_LCD))
    raw_rows(store, "DELETE FROM settings WHERE key = 'thresholds'")
    settings = store.get_settings()
    assert settings.preset == "medicare-lcd"
    assert settings.thresholds == ClinicSettings().thresholds


def test_an_unknown_preset_is_refused_and_one_written_around_the_app_reads_as_the_default(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(UserError, match="'research-100' is not a rule preset"):
        store.save_settings(ClinicSettings(preset="research-100"))  # type: ignore[arg-type]
    store.save_settings(ClinicSettings(preset=Preset.COMPLETE, thresholds=(60,)))
    raw_rows(store, "UPDATE settings SET value = '\"research-100\"' WHERE key = 'preset'")
    settings = store.get_settings()
    assert settings.preset is Preset.ASRA_2020
    assert settings.thresholds == (60,)
    assert "unknown rule preset" in caplog.text


# -- patients ----------


@pytest.fixture
def clinic(store: Store) -> Store:
    for name, mrn, patient_id in (
        ("Ann Lee", "A-100", None),
        ("Joanne Leeds", "A-200", None),
        # an id that contains "b-1", as a random UUID sometimes does
        ("Émile Zola", None, "0000000b-1000-4000-8000-000000000000"),
        ("bob marsh", "B-1", None),
    ):
        patient = Patient(name=name, mrn=mrn)
        store.add_patient(patient if patient_id is None else Patient(name, None, mrn, patient_id))
    return store


def test_list_patients_by_name(clinic: Store) -> None:
    names = [p.name for p in clinic.list_patients()]
    assert names == ["Ann Lee", "bob marsh", "Joanne Leeds", "Émile Zola"]


def test_find_patients_matches_name_mrn_or_id(clinic: Store) -> None:
    assert {p.name for p in clinic.find_patients("lee")} == {"Ann Lee", "Joanne Leeds"}
    assert [p.name for p in clinic.find_patients("b-1")] == ["bob marsh"]
    zola = clinic.find_patients("ÉMILE")[0]
    assert clinic.find_patients(zola.id[:8]) == [zola]
    assert clinic.find_patients(zola.id.upper()) == [zola]
    assert clinic.find_patients(zola.id[:7]) == []  # too short to be taken for an id
    assert len(clinic.find_patients("  ")) == 4


def test_resolve_patient(clinic: Store) -> None:
    ann = next(p for p in clinic.list_patients() if p.name == "Ann Lee")
    assert clinic.resolve_patient(ann.id) == ann
    assert clinic.resolve_patient("A-100") == ann
    assert clinic.resolve_patient("ann lee") == ann  # exact name wins over "Joanne Leeds"
    assert clinic.resolve_patient("zola").name == "Émile Zola"
    assert clinic.resolve_patient("MARSH").name == "bob marsh"


@pytest.mark.parametrize("query", [None, "lee", "nobody-at-all"])
def test_resolve_patient_lists_the_patients_and_how_to_choose(
    clinic: Store, query: str | None
) -> None:
    with pytest.raises(UserError) as raised:
        clinic.resolve_patient(query)
    message = raised.value.message
    assert "--patient ID" in message
    assert "Joanne Leeds" in message
    assert "A-200" in message
    joanne = clinic.find_patients("Joanne")[0]
    assert joanne.id in message


def test_resolve_patient_with_one_or_no_patients(store: Store) -> None:
    with pytest.raises(UserError, match="no patients"):
        store.resolve_patient(None)
    only = store.add_patient(Patient(name="Only One"))
    assert store.resolve_patient(None) == only
    with pytest.raises(UserError, match="already in the diary"):
        store.add_patient(only)
    with pytest.raises(UserError, match="needs a name"):
        store.add_patient(Patient(name="  "))


def test_two_patients_of_the_same_name_are_told_apart_in_the_ambiguity_message(
    store: Store,
) -> None:
    """Two "Bob Same" diaries: the message says what tells them apart, not only their ids."""
    from datetime import date

    first = store.add_patient(Patient(name="Bob Same"))
    store.add_block(first.id, index_block(T0))
    second = store.add_patient(Patient(name="Bob Same", birth_date=date(1948, 3, 14), mrn="H-1"))
    store.add_block(second.id, index_block(T0 + timedelta(days=20)))
    store.add_block(second.id, index_block(T0 + timedelta(days=25), sequence=2))
    with pytest.raises(UserError) as raised:
        store.resolve_patient("bob same")
    lines = raised.value.message.splitlines()
    assert lines[0] == "2 patients match 'bob same'; choose one with --patient ID:"
    assert sorted(lines[1:]) == sorted(
        [
            f"  Bob Same · first block 2 Mar 2026 (id {first.id})",
            f"  Bob Same · born 14 Mar 1948 · record H-1 · first block 22 Mar 2026 "
            f"(id {second.id})",
        ]
    )
    assert store.first_block_dates() == {first.id: T0, second.id: T0 + timedelta(days=20)}
