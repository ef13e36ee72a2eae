"""The people of clinic mode: who is signed in and what their role lets them do. Pure values;
the store keeps the users, operations check the role."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """A user's role; the values are what the users table stores."""

    CLINICIAN = "clinician"  # everything staff may do, and clinic settings and signing summaries
    STAFF = "staff"  # enters and corrects scores and blocks


@dataclass(frozen=True)
class SignedIn:
    """The person at the keyboard in clinic mode, as the audit trail names them."""

    name: str
    role: Role

    @property
    def is_clinician(self) -> bool:
        return self.role is Role.CLINICIAN
