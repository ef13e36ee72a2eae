"""What a signed-in person may do: the one place a role is checked."""

from __future__ import annotations

from paintrack.clinical.people import SignedIn
from paintrack.errors import UserError


class NotAllowed(UserError):
    """The person signed in may not do this (a staff member changing clinic settings)."""


def require_clinician(who: SignedIn | None, doing: str) -> SignedIn:
    """`who`, if a clinician; else NotAllowed saying what only a clinician may do."""
    if who is None:
        raise NotAllowed(
            f"Only a clinician can {doing}. Switch this database to clinic mode and sign in "
            "as a clinician, then try again."
        )
    if not who.is_clinician:
        raise NotAllowed(
            f"Only a clinician can {doing}; {who.name} is signed in as {who.role.value}. "
            "Ask a clinician to sign in (File ▸ Switch user), then try again."
        )
    return who
