"""The clinician's review: find a patient, open their diary under a chosen preset, the clinic
settings, and the PDF summary."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from paintrack.clinical.analysis import analyze_diary, thresholds_with_preset
from paintrack.clinical.model import Diary, Patient, Preset
from paintrack.clinical.results import DiaryAnalysis
from paintrack.clinical.settings import ClinicSettings
from paintrack.errors import UserError

if TYPE_CHECKING:
    from paintrack.store import Store


@dataclass(frozen=True)
class PatientRow:
    patient: Patient
    first_block: datetime | None


@dataclass(frozen=True)
class ReviewDiary:
    diary: Diary
    settings: ClinicSettings  # the clinic's own, as stored


@dataclass(frozen=True)
class SummaryRequest:
    """What the clinician sees, to be written as the PDF summary."""

    diary: Diary
    analysis: DiaryAnalysis
    settings: ClinicSettings
    deidentify: bool
    paper: str
    generated_at: datetime


class FoundPatients(list[PatientRow]):
    """A search's patients (a list); `more`: how many further patients match (0: none)."""

    more: int = 0

    def __init__(self, rows: list[PatientRow], more: int = 0) -> None:
        super().__init__(rows)
        self.more = more


def find_patients(store: Store, query: str, *, limit: int | None = None) -> FoundPatients:
    """Patients matching `query` (every patient when blank), at most `limit`, with their first
    block's date (one query for just these patients) and how many more match."""
    found = store.find_patients(query.strip(), limit=limit)
    first_blocks = store.first_block_dates(p.id for p in found)
    return FoundPatients([PatientRow(p, first_blocks.get(p.id)) for p in found], found.more)


def open_for_review(store: Store, patient_id: str) -> ReviewDiary:
    return ReviewDiary(store.load_diary(patient_id), store.get_settings())


def analyse_under(
    diary: Diary, settings: ClinicSettings, preset: str, *, now: datetime
) -> DiaryAnalysis:
    """The diary under the chosen preset: the clinic's thresholds and the preset's own (the
    Medicare LCD checklist's 80% has its chart line and table row beside a clinic's 50 and 75).
    A diary the engine cannot analyse is a UserError."""
    try:
        chosen = replace(settings, preset=Preset(preset))
        return analyze_diary(diary, chosen, now=now, thresholds=thresholds_with_preset(chosen))
    except ValueError as error:
        raise UserError(str(error)) from error


def clinic_settings(store: Store) -> ClinicSettings:
    return store.get_settings()


def save_clinic_settings(store: Store, settings: ClinicSettings) -> ClinicSettings:
    store.save_settings(settings)
    return settings


def write_summary(store: Store, request: SummaryRequest, path: str) -> Path:
    """The PDF summary, with the patient's audit trail, written atomically to `path`."""
    from paintrack.report.pdf import ReportRequest, write_report

    diary = request.diary
    audit = list(store.audit_trail(diary.patient.id))
    points = sorted({p for b in diary.blocks for p in request.settings.protocol_points(b.protocol)})
    report = ReportRequest(
        diary=diary,
        analysis=request.analysis,
        audit=audit,
        audit_available=True,
        deidentify=request.deidentify,
        paper=request.paper,
        generated_at=request.generated_at,
        protocol_points=tuple(points),
    )
    return write_report(report, path)
