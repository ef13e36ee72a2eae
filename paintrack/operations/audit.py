"""Who saw or took a copy of a patient's diary, recorded in the audit trail before it happens; and
a patient's whole trail, for a privacy officer. No Qt.

An access that cannot be recorded does not happen: every record_* here raises AuditNotRecorded
(a UserError saying why and what to do) when the database cannot be written, and its caller
then shows nothing, writes no file and prints nothing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from paintrack.clinical.audit import AuditAction, AuditRecord, ExportFormat
from paintrack.clinical.model import Patient
from paintrack.errors import UserError

if TYPE_CHECKING:
    from paintrack.store import Store

STANDARD_OUTPUT = "-"
"""The path that means standard output (as `paintrack export -`)."""

WINDOW = "window"
COMMAND_LINE = "command line"


class AuditNotRecorded(UserError):
    """A view, export, PDF or print could not be recorded in the audit trail, so it was refused."""


@dataclass(frozen=True)
class PatientTrail:
    """A patient and every audit record about them, oldest first."""

    patient: Patient
    records: tuple[AuditRecord, ...]


def _record(
    store: Store,
    action: AuditAction,
    patient_id: str,
    details: Mapping[str, object],
    refused: str,
) -> AuditRecord:
    try:
        return store.record_access(action, patient_id, details)
    except UserError as error:
        raise AuditNotRecorded(
            f"{refused} Every view, export, PDF and print of a patient's diary is recorded in "
            f"the audit trail, and this one could not be recorded. {error.message} "
            "Try again once the database can be written to (or ask whoever looks after it)."
        ) from error


def file_details(path: str | os.PathLike[str] | None) -> dict[str, object]:
    """Where a copy went: the file's name and its folder, or standard output."""
    if path is None or os.fspath(path) == STANDARD_OUTPUT:
        return {"file_name": None, "folder": None, "standard_output": True}
    target = Path(path).expanduser().absolute()
    return {"file_name": target.name, "folder": str(target.parent), "standard_output": False}


def _where(path: str | os.PathLike[str] | None) -> str:
    details = file_details(path)
    return "standard output" if details["standard_output"] else str(details["file_name"])


def record_view(store: Store, patient_id: str, *, where: str = "review") -> AuditRecord:
    """The patient's diary was opened (in Review): one row per opening."""
    return _record(
        store,
        AuditAction.VIEW_DIARY,
        patient_id,
        {"where": where},
        "The diary was not shown.",
    )


def record_export(
    store: Store,
    patient_id: str,
    *,
    export_format: ExportFormat | str,
    path: str | os.PathLike[str] | None,
    deidentified: bool = False,
    via: str = WINDOW,
) -> AuditRecord:
    """The diary is about to be written as JSON, CSV or FHIR to `path` (None or "-": standard
    output). Called before the file is written."""
    chosen = ExportFormat(export_format)
    details = {
        "format": chosen.value,
        **file_details(path),
        "deidentified": deidentified,
        "via": via,
    }
    return _record(
        store,
        AuditAction.EXPORT_DIARY,
        patient_id,
        details,
        f"The export to {_where(path)} was refused and nothing was written.",
    )


def record_pdf(
    store: Store,
    patient_id: str,
    *,
    path: str | os.PathLike[str],
    deidentified: bool,
    paper: str | None = None,
    via: str = WINDOW,
) -> AuditRecord:
    """The PDF summary is about to be written to `path`."""
    details = {**file_details(path), "deidentified": deidentified, "paper": paper, "via": via}
    return _record(
        store,
        AuditAction.WRITE_PDF,
        patient_id,
        details,
        f"The PDF summary was not written to {_where(path)}.",
    )


def record_print(
    store: Store,
    patient_id: str,
    *,
    printer: str,
    deidentified: bool,
    copies: int = 1,
    via: str = WINDOW,
) -> AuditRecord:
    """The PDF summary is about to be sent to `printer` (call it once the person has chosen the
    printer in the print dialog, before printing)."""
    details = {
        "printer": printer.strip() or "unnamed printer",
        "copies": copies,
        "deidentified": deidentified,
        "via": via,
    }
    return _record(
        store,
        AuditAction.PRINT_SUMMARY,
        patient_id,
        details,
        "The summary was not printed.",
    )


def patient_trail(store: Store, name_or_id: str | None) -> PatientTrail:
    """The patient meant (id, MRN or name, as every command resolves it) and their trail."""
    patient = store.resolve_patient(name_or_id)
    return PatientTrail(patient, tuple(store.audit_trail(patient.id)))


def people_trail(store: Store) -> tuple[AuditRecord, ...]:
    """Clinic mode's own records, oldest first: users added, changed or deactivated, and clinic
    mode switched on or off (they are about no patient, so no patient's trail shows them)."""
    people = (
        AuditAction.ADD_USER,
        AuditAction.UPDATE_USER,
        AuditAction.CLINIC_MODE,
        AuditAction.SIGN_IN,
        AuditAction.SIGN_OUT,
    )
    return tuple(store.audit_trail(actions=people))


def record_json(record: AuditRecord) -> dict[str, object]:
    """A record as `paintrack audit --json` prints it: every field, times in UTC ISO 8601."""
    return {
        "id": record.id,
        "at": record.at.isoformat(),
        "actor": record.actor,
        "action": record.action,
        "object_type": record.object_type,
        "object_id": record.object_id,
        "patient_id": record.patient_id,
        "reason": record.reason,
        "old": None if record.old is None else dict(record.old),
        "new": None if record.new is None else dict(record.new),
    }
