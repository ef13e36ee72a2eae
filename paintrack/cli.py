"""The `paintrack` command: the window when run bare, headless sub-commands otherwise.

Headless commands never import PySide6 or matplotlib (a test checks it): each command's module
in `paintrack.commands` is imported only when that command runs.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import sys
from collections.abc import Sequence

from paintrack import __version__
from paintrack.errors import UserError

# name -> (module in paintrack.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "import": ("import_diary", "import a diary file (all or nothing)"),
    "export": ("export_diary", "export a patient's diary as JSON, or as CSV with --csv"),
    "demo": ("demo", "open the app on a fresh temporary database with the sample diary"),
    "analyze": ("analyze", "relief metrics, compliance and comparisons for a diary"),
    "report": ("report", "write the clinician PDF summary"),
    "backup": ("backup", "copy the database into its backups folder now"),
    "restore": ("restore", "restore a backup, keeping the current database aside"),
    "verify": ("verify", "check the audit trail's hash chain"),
    "audit": ("audit", "print a patient's audit trail: views, exports, PDFs and changes"),
    "users": ("users", "clinic mode's users: add, list, deactivate, set a password"),
    "clinic": ("clinic", "switch a database to clinic mode, or show which mode it is in"),
}


def _db_option(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=default,
        help="database file or SQLAlchemy URL (default: $PAINTRACK_DB, else the user data folder)",
    )


def _user_option(parser: argparse.ArgumentParser, *, default: object) -> None:
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=default,
        help="in clinic mode, who you are (default: $PAINTRACK_USER); the password is asked",
    )


def _available_commands() -> dict[str, tuple[str, str]]:
    found = {}
    for name, (module, help_text) in COMMANDS.items():
        if importlib.util.find_spec(f"paintrack.commands.{module}") is not None:
            found[name] = (module, help_text)
    return found


def _chosen_command(argv: Sequence[str], names: Sequence[str]) -> str | None:
    """The sub-command `argv` runs, read the way argparse will: the first word that is not an
    option or the global --db's value."""
    words = iter(argv)
    for word in words:
        if word in ("--db", "--user"):
            next(words, None)
        elif word == "--":
            return next(words, None)
        elif not word.startswith("-"):
            return word if word in names else None
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line; given `argv`, only the sub-command it runs has its module
    imported (and its options added), so `paintrack --version` or `paintrack verify` do not
    import every command's module."""
    parser = argparse.ArgumentParser(
        prog="paintrack",
        description=(
            "A pain diary for medial branch blocks. Run with no command to open the window."
        ),
    )
    parser.add_argument("--version", action="version", version=f"paintrack {__version__}")
    _db_option(parser, default=None)
    _user_option(parser, default=None)
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the main window, wait for its first paint, and exit 0",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    available = _available_commands()
    chosen = None if argv is None else _chosen_command(argv, list(available))
    for name, (module_name, help_text) in available.items():
        command_parser = sub.add_parser(name, help=help_text, description=help_text)
        # Accepting --db after the command too; SUPPRESS keeps it from hiding the global one.
        _db_option(command_parser, default=argparse.SUPPRESS)
        _user_option(command_parser, default=argparse.SUPPRESS)
        if argv is not None and name != chosen:
            continue  # argparse never reads this command's options in this run
        module = importlib.import_module(f"paintrack.commands.{module_name}")
        module.add_arguments(command_parser)
        command_parser.set_defaults(_module=module)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            from paintrack.commands.window import run_window

            return run_window(args)
        return int(args._module.run(args))
    except UserError as error:
        print(f"paintrack: {error.message}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `paintrack analyze --json | head`: the reader left; say nothing more. Point stdout at
        # devnull so the interpreter's final flush does not print a traceback either.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except Exception as error:  # a bug: log the traceback, say so calmly, exit 1
        from paintrack.crashlog import bug_message, record_bug

        print(f"paintrack: {bug_message(record_bug(error))}", file=sys.stderr)
        return 1
