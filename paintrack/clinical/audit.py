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
    # A clinician's note on a target's verdict (object "note": one row per version; an edit adds
    # a version, the old text stays) and the sign-off of a summary (object "signature").
    ADD_NOTE = "add_note"
    EDIT_NOTE = "edit_note"
    SIGN_SUMMARY = "sign_summary"


@dataclass(frozen=True)
class AuditRecord:
    id: str
    at: datetime  # when the change was made (UTC, aware)
    actor: str  # who: the operating-system user unless the app was told otherwise
    action: str  # an AuditAction value
    object_type: str  # "patient", "block", "entry", "settings", "diary", "note", "signature"
    object_id: str | None
    reason: str | None
    old: Mapping[str, Any] | None  # JSON-ready values before the change (None on creation)
    new: Mapping[str, Any] | None  # JSON-ready values after it (None on deletion)
    patient_id: str | None = None
