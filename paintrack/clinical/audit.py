"""What the audit trail says about a change: who, when, why, and the values before and after."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class AuditAction(StrEnum):
    """What an audit record says was done; the values are what the trail stores."""

    IMPORT = "import"
    ADD_PATIENT = "add_patient"
    ADD_BLOCK = "add_block"
    UPDATE_BLOCK = "update_block"
    ADD_ENTRY = "add_entry"
    AMEND_ENTRY = "amend_entry"
    DELETE_ENTRY = "delete_entry"
    SAVE_SETTINGS = "save_settings"
    # Access, not change: who saw or took a copy of a patient's diary. Such a row is chained like
    # any other, about object_type "diary" (the patient's id), its details in `new` (never the
    # diary's contents) and `old` None, so it never counts as an amendment.
    VIEW_DIARY = "view_diary"  # opened in Review
    EXPORT_DIARY = "export_diary"  # written to a file (or standard output) as JSON, CSV, FHIR
    WRITE_PDF = "write_pdf"  # the clinician PDF summary written to a file
    PRINT_SUMMARY = "print_summary"  # the PDF summary sent to a printer
    # Clinic mode's people and its switch (object_type "user" or "clinic").
    ADD_USER = "add_user"  # clinic mode: a user added (never their password)
    UPDATE_USER = "update_user"  # a user's password changed, or the user deactivated
    CLINIC_MODE = "clinic_mode"  # clinic mode switched on or off, or its idle lock changed
    SIGN_IN = "sign_in"  # clinic mode: a person signed in (object_type "session")
    SIGN_OUT = "sign_out"  # ... and signed out, locked out idle, or switched user
    # A clinician's note on a target's verdict (object "note": one row per version; an edit adds
    # a version, the old text stays) and the sign-off of a summary (object "signature").
    ADD_NOTE = "add_note"
    EDIT_NOTE = "edit_note"
    SIGN_SUMMARY = "sign_summary"


ACCESS_ACTIONS = frozenset(
    {
        AuditAction.VIEW_DIARY,
        AuditAction.EXPORT_DIARY,
        AuditAction.WRITE_PDF,
        AuditAction.PRINT_SUMMARY,
    }
)
"""The actions that record an access to a diary rather than a change to it."""
ACCESS_OBJECT_TYPE = "diary"
"""What an access row is about: the patient's whole diary (its object_id is the patient's id)."""


class ExportFormat(StrEnum):
    """The format an export row names (the value is what the row stores)."""

    JSON = "json"
    CSV = "csv"
    FHIR = "fhir"


@dataclass(frozen=True)
class AuditRecord:
    id: str
    at: datetime  # when the change was made (UTC, aware)
    actor: str  # who: the operating-system user unless the app was told otherwise
    action: str  # an AuditAction value
    object_type: str  # "patient", "block", "entry", "settings", "diary", "user", "clinic", "note",
    # "signature"
    object_id: str | None
    reason: str | None
    old: Mapping[str, Any] | None  # JSON-ready values before the change (None on creation)
    new: Mapping[str, Any] | None  # JSON-ready values after it (None on deletion)
    patient_id: str | None = None
