"""`paintrack verify`: check the audit trail's hash chain, that the diary matches its audit
trail, and SQLite's own integrity check (a database server checks its own storage). Exit status 0
when all is well, 1 otherwise."""

from __future__ import annotations

import argparse

EXIT_BROKEN = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Every change to the diary is recorded in the audit trail, and each record carries a "
        "hash of its content and of the record before it. verify recomputes them and names "
        "the first record that does not match (changed, removed or moved outside paintrack). "
        "Nothing is changed."
    )


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from paintrack.errors import UserError
    from paintrack.paths import is_url, resolve_db_target
    from paintrack.store import open_store

    target = resolve_db_target(getattr(args, "db", None))
    if not is_url(target) and not Path(target).expanduser().exists():
        # open_store would create a new, empty diary there: not what checking one means.
        raise UserError(f"There is no diary at {target} to verify. Check the name given to --db.")
    with open_store(target) as store:
        integrity = store.integrity_check()
        check = store.check_audit_trail()
        where = store.where
    ok = True
    if integrity is None:
        print("Database server: no file to check here (the server checks its own storage)")
    elif integrity == ["ok"]:
        print("Database file: integrity check ok")
    else:
        ok = False
        print(
            "Database file: SQLite's integrity check found problems:\n  "
            + "\n  ".join(integrity[:20])
            + "\nRestore a backup (paintrack backup --list, then paintrack restore BACKUP).",
        )
    if check.first_break is None:
        print(f"Audit trail intact: {check.records} records")
    else:
        ok = False
        print(
            f"Audit trail BROKEN at {check.first_break.describe()}.\n"
            + (
                "The database was changed outside paintrack. Keep this file as evidence, and "
                "compare it with a backup (paintrack backup --list)."
                if integrity is not None
                else "The database was changed outside paintrack. Keep it as it is, and compare "
                "it with the server's backups."
            )
        )
    if check.mismatches:
        ok = False
        print(
            f"{len(check.mismatches)} diary record(s) differ from what the audit trail says:\n  "
            + "\n  ".join(check.mismatches[:20])
        )
    if not ok:
        print(f"paintrack: verify found problems in {where}", file=sys.stderr)
    return 0 if ok else EXIT_BROKEN
