"""Clinic mode in the store: its users (names, roles, password hashes) and the clinic-mode
settings, each change audited in the same hash chain as the diary. `Store` inherits these.

A password only ever passes through here on its way into `hash_password` or
`password_matches`: it is never logged, audited or quoted in an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from paintrack.clinical.audit import AuditAction
from paintrack.clinical.model import new_id
from paintrack.clinical.people import Role, SignedIn
from paintrack.clinical.users import (
    DEFAULT_IDLE_LOCK_MINUTES,
    ClinicState,
    User,
    idle_lock_problem,
    name_problem,
    password_problem,
)
from paintrack.errors import UserError
from paintrack.store.models import SettingRow, UserRow
from paintrack.store.passwords import burn_time, hash_password, password_matches

if TYPE_CHECKING:
    from paintrack.store.repository import _Unit

CLINIC_MODE_KEY = "clinic_mode"
IDLE_LOCK_KEY = "idle_lock_minutes"
CLINIC_KEYS = (CLINIC_MODE_KEY, IDLE_LOCK_KEY)
# The audit trail's object for clinic mode's settings (its own object, so the clinic settings'
# "last saved" comparison in verify is not disturbed).
CLINIC_OBJECT = "clinic"


def name_key(name: str) -> str:
    """What makes two names the same user: case ignored."""
    return name.strip().casefold()


def user_from_row(row: UserRow) -> User:
    return User(
        id=row.id, name=row.name, role=Role(row.role), active=row.active, created_at=row.created_at
    )


def user_to_json(row: UserRow) -> dict[str, Any]:
    """A user's values as the audit trail holds them: never the password or its hash."""
    return {"name": row.name, "role": row.role, "active": bool(row.active)}


def _clinic_state(values: dict[str, Any]) -> ClinicState:
    return ClinicState(
        clinic_mode=bool(values.get(CLINIC_MODE_KEY, False)),
        idle_lock_minutes=int(values.get(IDLE_LOCK_KEY, DEFAULT_IDLE_LOCK_MINUTES)),
    )


def _clinic_json(state: ClinicState) -> dict[str, Any]:
    return {CLINIC_MODE_KEY: state.clinic_mode, IDLE_LOCK_KEY: state.idle_lock_minutes}


def people_rows(session: Session) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(object type, id, current values) of every user and of clinic mode's settings, once any
    was saved: what `paintrack verify` compares with the trail's last values for them."""
    for row in session.scalars(select(UserRow)):
        yield "user", row.id, user_to_json(row)
    stored = {
        row.key: row.value
        for row in session.scalars(select(SettingRow).where(SettingRow.key.in_(CLINIC_KEYS)))
    }
    if stored:
        try:
            current = _clinic_json(_clinic_state(stored))
        except (TypeError, ValueError):
            current = {"unreadable": True}  # values no paintrack writes: verify says it differs
        yield CLINIC_OBJECT, CLINIC_OBJECT, current


class StoreUsers:
    """The users and clinic-mode part of `Store`."""

    if TYPE_CHECKING:

        def _reading(self) -> AbstractContextManager[Session]: ...

        def _writing(self, actor: str | None) -> AbstractContextManager[_Unit]: ...

        @property
        def read_only(self) -> bool: ...

    # -- users ---------------------------------------------------------------------------------

    def add_user(self, name: str, role: Role, password: str, *, actor: str | None = None) -> User:
        """A new active user; UserError if the name is taken (ignoring case) or the name or
        password is not acceptable."""
        problem = name_problem(name) or password_problem(password)
        if problem is not None:
            raise UserError(problem)
        role = Role(role)
        with self._writing(actor) as unit:
            taken = unit.session.scalars(
                select(UserRow).where(UserRow.name_key == name_key(name))
            ).first()
            if taken is not None:
                raise UserError(
                    f"There is already a user called {taken.name}. Choose another name "
                    "(names are the same whatever their capitals)."
                )
            row = UserRow(
                id=new_id(),
                name=name,
                name_key=name_key(name),
                role=role.value,
                active=True,
                password_hash=hash_password(password),
                created_at=unit.now,
            )
            unit.session.add(row)
            unit.audit(
                AuditAction.ADD_USER.value, "user", row.id, patient_id=None, new=user_to_json(row)
            )
            return user_from_row(row)

    def record_session(self, action: str, name: str, details: dict[str, Any]) -> bool:
        """A sign-in or sign-out of `name` in the trail (object_type "session", about no patient
        and no row verify compares). False, recording nothing, on a store opened read-only: a
        reading command signs in to read, and can write nothing."""
        if action not in (AuditAction.SIGN_IN.value, AuditAction.SIGN_OUT.value):
            raise ValueError(f"{action!r} is not a session action")
        if self.read_only:
            return False
        with self._writing(name) as unit:
            unit.audit(action, "session", None, patient_id=None, new={"name": name, **details})
        return True

    def list_users(self) -> list[User]:
        """Every user, active or not, by name (ignoring case)."""
        with self._reading() as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.name_key)).all()
            return [user_from_row(row) for row in rows]

    def find_user(self, name: str) -> User | None:
        with self._reading() as session:
            row = session.scalars(select(UserRow).where(UserRow.name_key == name_key(name))).first()
            return None if row is None else user_from_row(row)

    def check_password(self, name: str, password: str) -> SignedIn | None:
        """Who `name` is, if they are an active user and `password` is theirs; else None (and
        as slowly either way, so which of the two was wrong does not show)."""
        with self._reading() as session:
            row = session.scalars(select(UserRow).where(UserRow.name_key == name_key(name))).first()
            stored = None if row is None else (row.password_hash, row.active, row.name, row.role)
        if stored is None:
            burn_time(password)
            return None
        password_hash, active, stored_name, role = stored
        if not password_matches(password, password_hash) or not active:
            return None
        return SignedIn(stored_name, Role(role))

    def change_password(self, name: str, password: str, *, actor: str | None = None) -> User:
        problem = password_problem(password)
        if problem is not None:
            raise UserError(problem)
        with self._writing(actor) as unit:
            row = self._user_row(unit.session, name)
            row.password_hash = hash_password(password)
            values = user_to_json(row)
            unit.audit(
                AuditAction.UPDATE_USER.value,
                "user",
                row.id,
                patient_id=None,
                reason="password changed",
                old=values,
                new=values,
            )
            return user_from_row(row)

    def deactivate_user(self, name: str, *, actor: str | None = None) -> User:
        """The user can no longer sign in; they stay in the database (the trail names them).
        The last active clinician of a database in clinic mode is refused."""
        with self._writing(actor) as unit:
            row = self._user_row(unit.session, name)
            if not row.active:
                return user_from_row(row)
            if row.role == Role.CLINICIAN.value and self._clinic(unit.session).clinic_mode:
                others = unit.session.scalars(
                    select(UserRow.id).where(
                        UserRow.role == Role.CLINICIAN.value,
                        UserRow.active.is_(True),
                        UserRow.id != row.id,
                    )
                ).first()
                if others is None:
                    raise UserError(
                        f"{row.name} is the only active clinician, and this database is in "
                        "clinic mode: add another clinician first (paintrack users add NAME "
                        "--role clinician), then deactivate this one."
                    )
            old = user_to_json(row)
            row.active = False
            unit.audit(
                AuditAction.UPDATE_USER.value,
                "user",
                row.id,
                patient_id=None,
                reason="deactivated",
                old=old,
                new=user_to_json(row),
            )
            return user_from_row(row)

    @staticmethod
    def _user_row(session: Session, name: str) -> UserRow:
        row = session.scalars(select(UserRow).where(UserRow.name_key == name_key(name))).first()
        if row is None:
            raise UserError(
                f"There is no user called {name!r}. See the users with: paintrack users list"
            )
        return row

    # -- clinic mode ---------------------------------------------------------------------------

    @staticmethod
    def _clinic(session: Session) -> ClinicState:
        rows = session.scalars(select(SettingRow).where(SettingRow.key.in_(CLINIC_KEYS)))
        return _clinic_state({row.key: row.value for row in rows})

    def clinic_state(self) -> ClinicState:
        """Clinic mode (on or off) and the idle lock; a database never switched is in patient
        mode."""
        with self._reading() as session:
            return self._clinic(session)

    def has_active_clinician(self) -> bool:
        with self._reading() as session:
            found = session.scalars(
                select(UserRow.id).where(
                    UserRow.role == Role.CLINICIAN.value, UserRow.active.is_(True)
                )
            ).first()
            return found is not None

    def save_clinic_state(
        self, state: ClinicState, *, reason: str, actor: str | None = None
    ) -> ClinicState:
        """Store clinic mode and the idle lock, audited (nothing is written if unchanged)."""
        problem = idle_lock_problem(state.idle_lock_minutes)
        if problem is not None:
            raise UserError(problem)
        new = _clinic_json(state)
        with self._writing(actor) as unit:
            rows = {
                row.key: row
                for row in unit.session.scalars(
                    select(SettingRow).where(SettingRow.key.in_(CLINIC_KEYS))
                )
            }
            old_state = _clinic_state({key: row.value for key, row in rows.items()})
            if old_state == state and rows:
                return state
            for key, value in new.items():
                if key in rows:
                    rows[key].value = value
                else:
                    unit.session.add(SettingRow(key=key, value=value))
            unit.audit(
                AuditAction.CLINIC_MODE.value,
                CLINIC_OBJECT,
                CLINIC_OBJECT,
                patient_id=None,
                reason=reason,
                old=_clinic_json(old_state) if rows else None,
                new=new,
            )
        return state
