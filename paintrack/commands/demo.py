"""`paintrack demo`: the app on a fresh temporary database holding the demo diary.

The demo never touches the user's own database (whatever --db says); its database is thrown
away when the window closes.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Also accepted before the command (paintrack --smoke-test demo); SUPPRESS keeps this
    # copy from hiding the global one.
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        default=argparse.SUPPRESS,
        help="open the demo window, wait for its first paint, and exit 0",
    )
    parser.epilog = (
        "The demo diary (Alex Sample: lidocaine, then bupivacaine 15 days later) is loaded "
        "into a new temporary database, discarded when the window closes. Your own "
        "database is never opened."
    )


def prepare_demo_database() -> Path:
    """A new database in a new private temporary folder, loaded with the demo diary; the caller
    removes the folder (`path.parent`) when done."""
    from paintrack.operations.files import prepare_sample_database

    return prepare_sample_database()


def run(args: argparse.Namespace) -> int:
    from paintrack.commands.window import run_window

    database = prepare_demo_database()
    try:
        args.db = str(database)
        return run_window(args, demo_diary=True)
    finally:
        shutil.rmtree(database.parent, ignore_errors=True)
