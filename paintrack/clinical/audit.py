"""What the audit trail says about a change: who, when, why, and the values before and after."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AuditRecord:
    id: str
    at: datetime  # when the change was made (UTC, aware)
    actor: str  # who: the operating-system user unless the app was told otherwise
    action: str  # "import", "add_patient", "add_block", "add_entry", "amend_entry", ...
    object_type: str  # "patient", "block", "entry", "settings", "diary"
    object_id: str | None
    reason: str | None
    old: Mapping[str, Any] | None  # JSON-ready values before the change (None on creation)
    new: Mapping[str, Any] | None  # JSON-ready values after it (None on deletion)
    patient_id: str | None = None
