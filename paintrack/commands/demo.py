"""`paintrack demo`: the app on a fresh temporary database holding the demo diary.

The demo never touches the user's own database (whatever --db says); its database is thrown
away when the window closes.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

DEMO_DB_NAME = "demo.db"


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


def demo_diary_bytes() -> bytes:
    from importlib.resources import files

    return (files("paintrack.resources") / "demo" / "demo-diary.json").read_bytes()


def prepare_demo_database() -> Path:
    """A new database in a new private temporary folder (0700), loaded with the demo diary.

    The caller owns the folder (`path.parent`) and should remove it when done.
    """
    from paintrack.exchange.diary_json import parse_diary
    from paintrack.store import open_store

    diary = parse_diary(demo_diary_bytes(), "demo-diary.json")
    folder = Path(tempfile.mkdtemp(prefix="paintrack-demo-"))  # mkdtemp: mode 0700
    try:
        database = folder / DEMO_DB_NAME
        with open_store(str(database)) as store:
            store.import_diary(diary, source_name="the demo diary")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return database


def run(args: argparse.Namespace) -> int:
    from paintrack.commands.window import run_window

    database = prepare_demo_database()
    try:
        args.db = str(database)
        return run_window(args, demo_diary=True)
    finally:
        shutil.rmtree(database.parent, ignore_errors=True)
