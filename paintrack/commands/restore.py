"""`paintrack restore BACKUP`: put a backup back in place of the diary, after saving the current
file aside. Refused while a paintrack window has the diary open.

It first says what the backup holds and what the diary holds now; a backup with fewer entries
than the diary is only restored with --yes (or a "y" typed at the question on a terminal)."""

from __future__ import annotations

import argparse
import shlex
import sys

from paintrack.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "backup",
        metavar="BACKUP",
        help="a backup file (see paintrack backup --list)",
    )
    parser.add_argument(
        "--yes",
        action="store_true",
        help="restore even if the backup holds fewer entries than the diary now",
    )
    parser.epilog = (
        "The backup is checked first (it must be a sound paintrack database this version can "
        "open), and what it holds is shown beside what the diary holds now; a backup with "
        "fewer entries is only restored with --yes. The current diary is then saved beside it "
        "as <name>.before-restore-<time>, and replaced in one step: a crash leaves either the "
        "old diary or the restored one."
    )


def _on_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _ask(question: str) -> bool:
    """A y/N question on a terminal; anything but yes is no."""
    try:
        answer = input(question)
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def run(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime
    from pathlib import Path

    from paintrack.paths import is_url, resolve_db_target
    from paintrack.store.backup import DiarySummary, restore_backup

    target = resolve_db_target(getattr(args, "db", None))
    if is_url(target):
        raise UserError(
            "paintrack restore replaces a diary file; for a database server, use the server's "
            "own restore tools."
        )
    db_path = Path(target).expanduser().absolute()
    backup = Path(args.backup).expanduser()
    db_option = f"--db {shlex.quote(args.db)} " if getattr(args, "db", None) else ""
    again = f"paintrack {db_option}restore {shlex.quote(args.backup)} --yes"

    def confirm(held: DiarySummary, current: DiarySummary | None) -> None:
        print(f"This backup holds {held.describe()}.")
        if current is None:
            print("Your diary now cannot be read (or there is none yet); it is kept aside.")
            return
        print(f"Your diary now holds {current.describe()}.")
        if held.entries >= current.entries or getattr(args, "yes", False):
            return
        fewer = (
            f"This backup holds {held.entries} "
            f"{'entry' if held.entries == 1 else 'entries'}; your diary now holds "
            f"{current.entries}."
        )
        if _on_terminal():
            print(fewer)
            if _ask("Restore it anyway? Your diary as it is now is kept aside. [y/N] "):
                return
            raise UserError("Nothing was changed.")
        raise UserError(f"{fewer} Nothing was changed. To restore it anyway: {again}")

    def tell(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    restored = restore_backup(db_path, backup, now=datetime.now(UTC), confirm=confirm, on_wait=tell)
    for leftover in restored.removed_leftovers:
        print(
            f"paintrack: removed {leftover}, a partial copy left by an earlier restore that was "
            "interrupted (it is not a backup, and nothing in it was lost)",
            file=sys.stderr,
        )
    print(f"Restored {restored.db_path} from {backup.absolute()}")
    for saved in restored.saved_aside:
        print(f"The diary as it was before is kept in {saved}")
    return 0
