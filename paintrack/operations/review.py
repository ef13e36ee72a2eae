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
    from paintrack.report.pdf import ReportRequest
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
    """Only a clinician signed in (clinic mode) changes the clinic settings (NotAllowed)."""
    from paintrack.operations.clinic import signed_in
    from paintrack.operations.people import require_clinician

    require_clinician(signed_in(store), "change the clinic settings")
    store.save_settings(settings)
    return settings


def write_summary(store: Store, request: SummaryRequest, path: str) -> Path:
    """The PDF summary, with the patient's audit trail, written atomically to `path`; the
    writing is recorded in the trail first (AuditNotRecorded, and no PDF, when it cannot be)."""
    from paintrack.operations.audit import record_pdf
    from paintrack.report.pdf import write_report

    report = _report(store, request)
    # Recorded before it is written: a PDF that cannot be recorded is not written.
    record_pdf(
        store,
        request.diary.patient.id,
        path=path,
        deidentified=request.deidentify,
        paper=request.paper,
    )
    return write_report(report, path)


def write_summary_to_print(
    store: Store, request: SummaryRequest, path: str, *, printer: str, copies: int
) -> Path:
    """The PDF summary written to a private temporary `path` for the printer: recorded in the
    trail as a print on `printer` (not as a PDF kept), first; AuditNotRecorded, and nothing
    printed, when it cannot be."""
    from paintrack.operations.audit import record_print
    from paintrack.report.pdf import write_report

    report = _report(store, request)
    record_print(
        store,
        request.diary.patient.id,
        printer=printer,
        deidentified=request.deidentify,
        copies=copies,
    )
    return write_report(report, path)


def _report(store: Store, request: SummaryRequest) -> ReportRequest:
    from paintrack.report.pdf import ReportRequest

    diary = request.diary
    points = sorted({p for b in diary.blocks for p in request.settings.protocol_points(b.protocol)})
    return ReportRequest(
        diary=diary,
        analysis=request.analysis,
        audit=list(store.audit_trail(diary.patient.id)),
        audit_available=True,
        deidentify=request.deidentify,
        paper=request.paper,
        generated_at=request.generated_at,
        protocol_points=tuple(points),
        sign_off=store.sign_off(diary.patient.id),
    )
