"""Clinic mode: switching it on (and off), its users, signing in and out, and the idle lock.

Who is signed in to a store is kept here (`signed_in`), set only by a correct password, and the
store names that person in every audit row from then on (`Store.act_as`). Role checks use
`operations.people.require_clinician` with it. Patient mode is simply nobody signed in.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from paintrack.clinical.audit import AuditAction
from paintrack.clinical.people import Role, SignedIn
from paintrack.clinical.users import ClinicState, User
from paintrack.errors import UserError
from paintrack.operations.people import require_clinician

if TYPE_CHECKING:
    from paintrack.store import Store

ADD_FIRST_CLINICIAN = "paintrack users add NAME --role clinician"

_signed_in: WeakKeyDictionary[Store, SignedIn] = WeakKeyDictionary()


class WrongSignIn(UserError):
    """Name and password do not match an active user. Deliberately says nothing about which."""

    def __init__(self) -> None:
        super().__init__(
            "That name and password do not match an active user. Check both (and Caps Lock) "
            "and try again; a clinician can reset a forgotten password."
        )


class NoClinician(UserError):
    """Clinic mode needs an active clinician to exist first."""


def signed_in(store: Store) -> SignedIn | None:
    """The person signed in to `store` in this program, or None (patient mode, or locked out)."""
    return _signed_in.get(store)


def sign_in(store: Store, name: str, password: str, *, via: str = "window") -> SignedIn:
    """Check `name` and `password`; from now on the store names this person in its trail, and
    the sign-in itself is in it (unless the store was opened read-only, to read). WrongSignIn
    (the same words whichever was wrong) otherwise, and nobody is signed in; a refused try is
    not recorded, since what was typed as a name may be a password."""
    who = store.check_password(name.strip(), password)
    if who is None:
        sign_out(store)
        raise WrongSignIn()
    sign_out(store, why="another person signed in")
    _signed_in[store] = who
    store.act_as(who.name)
    store.record_session(AuditAction.SIGN_IN.value, who.name, {"role": who.role.value, "via": via})
    return who


def sign_out(store: Store, *, why: str = "signed out") -> None:
    """Nobody is signed in; the trail names the operating-system user again (and says who
    signed out, and why: "signed out", "locked after 10 minutes idle", ...)."""
    who = _signed_in.pop(store, None)
    store.act_as(None)
    if who is not None:
        store.record_session(AuditAction.SIGN_OUT.value, who.name, {"why": why})


def clinic_state(store: Store) -> ClinicState:
    return store.clinic_state()


def enable_clinic_mode(store: Store) -> ClinicState:
    """Switch the database to clinic mode (once; doing it again changes nothing). NoClinician if
    no active clinician exists to sign in afterwards."""
    state = store.clinic_state()
    if state.clinic_mode:
        return state
    if not store.has_active_clinician():
        raise NoClinician(
            "Clinic mode needs a clinician who can sign in, and this database has none. Add "
            f"one first on the command line: {ADD_FIRST_CLINICIAN}"
        )
    return store.save_clinic_state(
        replace(state, clinic_mode=True), reason="clinic mode switched on"
    )


def disable_clinic_mode(store: Store, who: SignedIn | None) -> ClinicState:
    """Back to patient mode: only a signed-in clinician may. The users stay, inactive in effect
    until clinic mode is switched on again."""
    require_clinician(who, "switch clinic mode off")
    state = store.clinic_state()
    if not state.clinic_mode:
        return state
    return store.save_clinic_state(
        replace(state, clinic_mode=False), reason="clinic mode switched off"
    )


def save_idle_lock(store: Store, who: SignedIn | None, minutes: int) -> ClinicState:
    """After how many minutes without input a signed-in window locks; clinicians only."""
    require_clinician(who, "change the idle lock")
    state = store.clinic_state()
    return store.save_clinic_state(
        replace(state, idle_lock_minutes=int(minutes)), reason="idle lock changed"
    )


def add_user(store: Store, name: str, role: Role | str, password: str) -> User:
    try:
        chosen = Role(role)
    except ValueError:
        raise UserError(
            f"{role!r} is not a role; choose {' or '.join(r.value for r in Role)}."
        ) from None
    return store.add_user(name.strip(), chosen, password)


def list_users(store: Store) -> list[User]:
    return store.list_users()


def deactivate_user(store: Store, name: str) -> User:
    return store.deactivate_user(name)


def change_password(store: Store, name: str, password: str) -> User:
    return store.change_password(name, password)
