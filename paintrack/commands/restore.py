"""`paintrack restore BACKUP`: put a backup back in place of the diary, after saving the current
file aside. Refused while a paintrack window has the diary open."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "backup",
        metavar="BACKUP",
        help="a backup file (see paintrack backup --list)",
    )
    parser.epilog = (
        "The backup is checked first (it must be a sound paintrack database this version can "
        "open). The current diary is then saved beside it as <name>.before-restore-<time>, "
        "and replaced in one step: a crash leaves either the old diary or the restored one."
    )


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from paintrack.errors import UserError
    from paintrack.paths import is_url, resolve_db_target
    from paintrack.store.backup import restore_backup

    target = resolve_db_target(getattr(args, "db", None))
    if is_url(target):
        raise UserError(
            "paintrack restore replaces a diary file; for a database server, use the server's "
            "own restore tools."
        )
    db_path = Path(target).expanduser().absolute()
    restored = restore_backup(db_path, Path(args.backup).expanduser(), now=datetime.now(UTC))
    print(f"Restored {restored.db_path} from {Path(args.backup).expanduser().absolute()}")
    for saved in restored.saved_aside:
        print(f"The diary as it was before is kept in {saved}")
    return 0
