"""The patient's diary: open it, save a score (one, or a paper log's lines in one
transaction), correct or delete an entry, add or change a block. Each save returns the diary as
it now is, analysed, so the window redraws from the result instead of asking again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from paintrack.clinical.analysis import analyze_diary, thresholds_with_preset
from paintrack.clinical.audit import AuditRecord
from paintrack.clinical.model import Block, Diary, Entry, Patient
from paintrack.clinical.presets import preset_threshold
from paintrack.clinical.results import DiaryAnalysis
from paintrack.clinical.settings import ClinicSettings

if TYPE_CHECKING:
    from paintrack.store import Store


@dataclass(frozen=True)
class DiaryState:
    """A diary with the clinic settings it was analysed under, and the analysis."""

    diary: Diary
    settings: ClinicSettings
    analysis: DiaryAnalysis
    threshold: int  # the clinic preset's threshold: what the window shades and summarises at


@dataclass(frozen=True)
class SavedScore:
    entry: Entry  # as stored (an entry at the time of another replaces it, keeping that id)
    state: DiaryState


@dataclass(frozen=True)
class PaperScoresSaved:
    entries: tuple[Entry, ...]
    state: DiaryState


@dataclass(frozen=True)
class BlockSaved:
    block: Block
    state: DiaryState


@dataclass(frozen=True)
class WelcomeList:
    """The diaries on this computer, with each first block's date to tell namesakes apart."""

    patients: tuple[Patient, ...]
    first_blocks: dict[str, datetime]


def clinic_settings(store: Store) -> ClinicSettings:
    return store.get_settings()


def analyse(diary: Diary, settings: ClinicSettings, *, now: datetime) -> DiaryState:
    """Re-run the engine (the clock moved on), at the clinic's thresholds and its preset's."""
    thresholds = thresholds_with_preset(settings)
    analysis = analyze_diary(diary, settings, now=now, thresholds=thresholds)
    return DiaryState(diary, settings, analysis, preset_threshold(settings.preset))


def open_diary(store: Store, patient_id: str, *, now: datetime) -> DiaryState:
    """The diary as stored, under the clinic's current settings (Review may have changed them)."""
    return analyse(store.load_diary(patient_id), store.get_settings(), now=now)


def save_score(
    store: Store, patient_id: str, block_id: str, entry: Entry, *, now: datetime
) -> SavedScore:
    """Commit one score at once; the diary comes back re-read and re-analysed."""
    saved = store.add_entry(block_id, entry)
    return SavedScore(saved, open_diary(store, patient_id, now=now))


def save_paper_scores(
    store: Store, patient_id: str, block_id: str, entries: Sequence[Entry], *, now: datetime
) -> PaperScoresSaved:
    """A paper log's lines in one transaction: all of them, or (with a UserError) none."""
    saved = store.add_entries(block_id, entries)
    return PaperScoresSaved(tuple(saved), open_diary(store, patient_id, now=now))


def correct_entry(
    store: Store, patient_id: str, entry_id: str, new: Entry, *, reason: str, now: datetime
) -> DiaryState:
    store.amend_entry(entry_id, new, reason=reason)
    return open_diary(store, patient_id, now=now)


def delete_entry(
    store: Store, patient_id: str, entry_id: str, *, reason: str, now: datetime
) -> DiaryState:
    store.delete_entry(entry_id, reason=reason)
    return open_diary(store, patient_id, now=now)


def entry_history(store: Store, entry_id: str) -> list[AuditRecord]:
    return store.entry_history(entry_id)


def start_diary(store: Store, patient: Patient) -> Patient:
    return store.add_patient(patient)


def add_block(store: Store, patient_id: str, block: Block, *, now: datetime) -> BlockSaved:
    saved = store.add_block(patient_id, block)
    return BlockSaved(saved, open_diary(store, patient_id, now=now))


def change_block(
    store: Store, patient_id: str, block: Block, *, reason: str, now: datetime
) -> BlockSaved:
    saved = store.update_block(block, reason=reason)
    return BlockSaved(saved, open_diary(store, patient_id, now=now))


def patients(store: Store) -> tuple[Patient, ...]:
    return tuple(store.list_patients())


def diary_to_open(store: Store, remembered: str | None) -> str | None:
    """Where the window starts: the remembered patient if still in the diary, else the only
    patient, else None (the welcome page). A lookup and a two-row query, not the whole list
    (a clinic's database holds 10,000 patients)."""
    if remembered and store.has_patient(remembered):
        return remembered
    first = store.find_patients("", limit=1)
    return first[0].id if len(first) == 1 and not first.more else None


def welcome_list(store: Store) -> WelcomeList:
    return WelcomeList(tuple(store.list_patients()), store.first_block_dates())
