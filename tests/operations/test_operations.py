"""The operations layer: each user action returns a typed result with the diary as it now is,
and a refused action changes nothing. No Qt here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from paintrack.clinical.model import Agent, Block, Entry, Patient, Region, Side, Source
from paintrack.errors import UserError
from paintrack.operations import diary as diary_ops
from paintrack.operations import files, review
from paintrack.store import Store, open_store

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
NOW = T0 + timedelta(hours=2)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(str(tmp_path / "diary.db"))
    yield opened  # type: ignore[misc]
    opened.close()


def _block(store: Store) -> tuple[str, str]:
    patient = diary_ops.start_diary(store, Patient(name="Opal Ops"))
    block = Block(
        performed_at=T0,
        region=Region.LUMBAR,
        side=Side.RIGHT,
        agent=Agent.LIDOCAINE,
        levels=("L4 MB",),
    )
    saved = diary_ops.add_block(store, patient.id, block, now=NOW)
    assert saved.state.diary.blocks[0].id == saved.block.id
    return patient.id, saved.block.id


def _entry(minutes: float, score: int, *, source: Source = Source.APP) -> Entry:
    at = T0 + timedelta(minutes=minutes)
    return Entry(
        at=at,
        recorded_at=max(at, T0) + timedelta(seconds=30),
        scores={"index": score},
        source=source,
    )


def test_a_saved_score_comes_back_with_the_new_analysis(store: Store) -> None:
    patient_id, block_id = _block(store)
    diary_ops.save_score(store, patient_id, block_id, _entry(-5, 8), now=NOW)
    saved = diary_ops.save_score(store, patient_id, block_id, _entry(15, 2), now=NOW)
    assert saved.entry.scores == {"index": 2}
    site = saved.state.analysis.block(block_id).sites["index"]
    assert site.baseline == 8
    assert site.peak_relief_percent == 75.0
    assert [e.id for e in saved.state.diary.blocks[0].entries][-1] == saved.entry.id
    assert saved.state.threshold == 50  # the clinic's default preset, ASRA 2020


def test_paper_scores_are_saved_in_one_transaction_all_or_none(store: Store) -> None:
    patient_id, block_id = _block(store)
    good = _entry(15, 5, source=Source.PAPER)
    bad = Entry(
        at=T0 + timedelta(minutes=30), recorded_at=T0, scores={"index": 3}, source=Source.PAPER
    )
    with pytest.raises(UserError, match="before the moment it refers to"):
        diary_ops.save_paper_scores(store, patient_id, block_id, [good, bad], now=NOW)
    assert store.load_diary(patient_id).blocks[0].entries == ()  # the good line was not kept
    assert [r.action for r in store.audit_trail(patient_id)].count("add_entry") == 0
    fixed = _entry(30, 3, source=Source.PAPER)
    saved = diary_ops.save_paper_scores(store, patient_id, block_id, [good, fixed], now=NOW)
    assert [e.scores["index"] for e in saved.entries] == [5, 3]
    assert len(saved.state.diary.blocks[0].entries) == 2


def test_a_correction_and_a_deletion_return_the_diary_as_it_now_is(store: Store) -> None:
    patient_id, block_id = _block(store)
    saved = diary_ops.save_score(store, patient_id, block_id, _entry(15, 6), now=NOW)
    corrected = diary_ops.correct_entry(
        store, patient_id, saved.entry.id, _entry(15, 4), reason="typo", now=NOW
    )
    (entry,) = corrected.diary.blocks[0].entries
    assert entry.scores == {"index": 4} and entry.amended
    history = diary_ops.entry_history(store, saved.entry.id)
    assert [r.action for r in history][-1] == "amend_entry"
    gone = diary_ops.delete_entry(store, patient_id, saved.entry.id, reason="wrong block", now=NOW)
    assert gone.diary.blocks[0].entries == ()


def test_export_then_import_round_trips_and_a_bad_file_imports_nothing(
    store: Store, tmp_path: Path
) -> None:
    patient_id, block_id = _block(store)
    diary_ops.save_score(store, patient_id, block_id, _entry(15, 6), now=NOW)
    out = tmp_path / "out.json"
    assert files.export_json(store, patient_id, str(out)).path == str(out)
    with open_store(str(tmp_path / "other.db")) as other:
        imported = files.import_file(other, str(out))
        assert imported.patient_id == patient_id
        assert isinstance(imported, files.Imported)
        assert imported.summary() == "Imported: 1 blocks and 1 scores added."
        bad = tmp_path / "bad.json"
        document = json.loads(out.read_text())
        document["blocks"][0]["entries"][0]["scores"]["index"] = 11
        bad.write_text(json.dumps(document))
        with pytest.raises(UserError) as refused:
            files.import_file(other, str(bad))
        assert refused.value.for_a_helper  # the window says who the details are for
        assert len(other.load_diary(patient_id).blocks[0].entries) == 1


def test_review_finds_patients_with_their_first_block_and_analyses_under_a_preset(
    store: Store,
) -> None:
    patient_id, _ = _block(store)
    (row,) = review.find_patients(store, "opal")
    assert row.patient.id == patient_id and row.first_block == T0
    assert review.find_patients(store, "nobody") == []
    opened = review.open_for_review(store, patient_id)
    analysis = review.analyse_under(opened.diary, opened.settings, "medicare-lcd", now=NOW)
    assert 80 in analysis.thresholds
    with pytest.raises(UserError):
        review.analyse_under(opened.diary, opened.settings, "no-such-preset", now=NOW)


def test_where_the_diary_is_kept_never_shows_a_password(tmp_path: Path) -> None:
    place = files.diary_place(None, "postgresql://nurse:secret@db.clinic/paintrack")
    assert "secret" not in place.where and place.is_server
    assert "server's own backups" in place.backups_text()
    assert "secret" not in files.place_key("postgresql://nurse:secret@db.clinic/paintrack")
    with open_store(str(tmp_path / "d.db")) as store:
        local = files.diary_place(store, str(tmp_path / "d.db"))
        assert local.backups == tmp_path / "backups"


def test_the_window_opens_the_remembered_diary_else_the_only_one_else_welcome(
    store: Store,
) -> None:
    assert diary_ops.diary_to_open(store, None) is None  # nobody yet: the welcome page
    only = diary_ops.start_diary(store, Patient(name="Una Only"))
    assert diary_ops.diary_to_open(store, None) == only.id
    assert diary_ops.diary_to_open(store, "no-such-patient") == only.id
    other = diary_ops.start_diary(store, Patient(name="Abe Other"))
    assert diary_ops.diary_to_open(store, other.id) == other.id
    assert diary_ops.diary_to_open(store, only.id) == only.id
    # two diaries and none remembered (or one remembered that is gone): the patient chooses
    assert diary_ops.diary_to_open(store, None) is None
    assert diary_ops.diary_to_open(store, "no-such-patient") is None
    assert store.has_patient(other.id) and not store.has_patient("no-such-patient")
