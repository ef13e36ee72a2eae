"""What several headless commands share: opening the database they read from (or, for a
command that hands out a diary, the one it records that in)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from paintrack.errors import UserError

if TYPE_CHECKING:
    from paintrack.store import Store


def open_existing_store(args: argparse.Namespace) -> Store:
    """The database a reading command (`export`, `analyze --patient`, ...) should use.

    Reading never creates, migrates, chmods or writes a database: a missing file means the user
    pointed at the wrong place or has not imported anything yet, and an empty new file would
    only hide that. Only a regular file is opened (never a pipe or a device).
    """
    from paintrack.paths import is_url, resolve_db_target
    from paintrack.store import open_store

    db_target = resolve_db_target(getattr(args, "db", None))
    if not is_url(db_target) and not Path(db_target).exists():
        raise UserError(
            f"There is no paintrack database at {db_target} yet. Import a diary first "
            "(paintrack import FILE), or choose the database with --db."
        )
    return open_store(db_target, read_only=True)


def open_recording_store(args: argparse.Namespace, doing: str) -> Store:
    """The database for a command that hands out a patient's diary (`export`, `report
    --patient`): checked first exactly as a reading command checks it (it must exist and be an
    up-to-date paintrack database: nothing is created, migrated or chmodded), then opened to
    write, because the export is recorded in its audit trail before anything is written.
    AuditNotRecorded (nothing written) when it cannot be written to."""
    from paintrack.operations.audit import AuditNotRecorded
    from paintrack.paths import resolve_db_target
    from paintrack.store import RefusedDatabase, open_store

    open_existing_store(args).close()  # every refusal a reading command gives, as it gives it
    try:
        return open_store(resolve_db_target(getattr(args, "db", None)))
    except RefusedDatabase:
        raise
    except UserError as error:
        raise AuditNotRecorded(
            f"{doing} was refused and nothing was written: it is recorded in the database's "
            f"audit trail, and the database cannot be written to. {error.message}"
        ) from error


def sign_in_if_clinic_mode(
    store: Store, args: argparse.Namespace, doing: str, *, clinician: bool = False
) -> None:
    """In clinic mode a command, like the window, names a signed-in person in the trail, never
    the computer's login: `--user NAME` (or $PAINTRACK_USER), the password asked on the terminal
    (or the first line of standard input when it is not a terminal). Patient mode: nothing to do,
    the computer's login is named as before. `clinician`: only a clinician may."""
    import os

    from paintrack.operations import clinic
    from paintrack.operations.people import NotAllowed

    if not clinic.clinic_state(store).clinic_mode:
        return
    name = (getattr(args, "user", None) or os.environ.get("PAINTRACK_USER") or "").strip()
    if not name:
        raise UserError(
            f"{store.where} is in clinic mode, so {doing} needs to know who you are. Add "
            "--user NAME; your password is then asked on the terminal."
        )
    who = clinic.sign_in(store, name, _signer_password(name), via="command line")
    if clinician and not who.is_clinician:
        raise NotAllowed(
            f"Only a clinician can {doing}; {who.name} is {who.role.value}. Run it again with "
            "--user and a clinician's name."
        )


def _signer_password(name: str) -> str:
    import sys

    if sys.stdin is not None and sys.stdin.isatty():
        import getpass

        return getpass.getpass(f"Password for {name}: ")
    return stdin_line()


def stdin_line() -> str:
    """The next line of standard input without its newline ("" when there is none): a
    password a script gives."""
    import sys

    line = sys.stdin.readline() if sys.stdin is not None else ""
    return line[:-1] if line.endswith("\n") else line


def parse_now(value: str | None) -> datetime:
    """The time of analysis: `--now ISO` (tests, re-running an old report) or now."""
    if value is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UserError(f"--now {value!r}: give an ISO 8601 time with a UTC offset") from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise UserError(f"--now {value!r}: the time needs a UTC offset, e.g. 2026-03-02T18:00Z")
    return moment
