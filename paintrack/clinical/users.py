"""A clinic user as the store keeps them (never with their password or its hash), and the rules
for a user's name and password. Pure values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from paintrack.clinical.people import Role, SignedIn

MAX_NAME_LENGTH = 80
MIN_PASSWORD_LENGTH = 8
DEFAULT_IDLE_LOCK_MINUTES = 10
MAX_IDLE_LOCK_MINUTES = 240


@dataclass(frozen=True)
class User:
    id: str
    name: str
    role: Role
    active: bool
    created_at: datetime

    @property
    def signed_in(self) -> SignedIn:
        return SignedIn(self.name, self.role)


def name_problem(name: str) -> str | None:
    """What is wrong with `name` as a user's name, or None."""
    if not name.strip():
        return "A user's name cannot be blank."
    if name != name.strip():
        return "A user's name cannot start or end with a space."
    if len(name) > MAX_NAME_LENGTH:
        return f"A user's name can be at most {MAX_NAME_LENGTH} characters."
    if any(not ch.isprintable() for ch in name):
        return "A user's name can only hold printable characters."
    return None


def password_problem(password: str) -> str | None:
    """What is wrong with `password` as a new password, or None (never quoting it)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"A password needs at least {MIN_PASSWORD_LENGTH} characters."
    if not password.strip():
        return "A password cannot be only spaces."
    return None


def idle_lock_problem(minutes: int) -> str | None:
    if not 1 <= minutes <= MAX_IDLE_LOCK_MINUTES:
        return f"The idle lock must be between 1 and {MAX_IDLE_LOCK_MINUTES} minutes."
    return None


@dataclass(frozen=True)
class ClinicState:
    """Whether the database is in clinic mode (users sign in) or patient mode, and after how
    many idle minutes a signed-in window locks."""

    clinic_mode: bool = False
    idle_lock_minutes: int = DEFAULT_IDLE_LOCK_MINUTES
