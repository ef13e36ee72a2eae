"""`paintrack backup`: copy the diary into its backups folder now (SQLite's online backup, safe
while the window has the diary open), and say where the copy is."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--list",
        action="store_true",
        help="list this diary's backups (newest first) instead of making one",
    )
    parser.epilog = (
        "Backups go into a 'backups' folder beside the database (private to you). The window "
        "also makes one when it starts, at most once a day, keeping the last 7 daily and 4 "
        "weekly copies; backups made with this command are kept until you delete them. "
        "Restore one with: paintrack restore BACKUP"
    )


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from paintrack.errors import UserError
    from paintrack.paths import is_url, resolve_db_target
    from paintrack.store.backup import backups_dir, describe_backups, list_backups, make_backup

    target = resolve_db_target(getattr(args, "db", None))
    if is_url(target):
        raise UserError(
            "paintrack backup copies a diary file; for a database server, use the server's own "
            "backup tools."
        )
    db_path = Path(target).expanduser().absolute()
    if args.list:
        backups = list_backups(db_path)
        if not backups:
            print(f"No backups of {db_path} yet (they go into {backups_dir(db_path)}).")
            return 0
        print("\n".join(describe_backups(backups)))
        return 0
    made = make_backup(db_path, now=datetime.now(UTC))
    print(f"Backed up {db_path} to {made}")
    return 0
