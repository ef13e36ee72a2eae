"""`paintrack import FILE`: add a diary file to the database, all or nothing.

The whole file is checked before the database is opened, then written in one transaction:
bad input changes nothing, and importing the same file again adds nothing (same ids; a file
without ids gets the same ids derived from its content each time, see diary_json).
"""

from __future__ import annotations

import argparse
import os
import sys

from paintrack.errors import UserError

STDIN = "-"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        help="a paintrack diary file (JSON, as paintrack export writes it); - for standard input",
    )
    parser.epilog = (
        "Every problem in the file is reported with its JSON path (for example "
        "blocks[1].entries[4].scores.index) and nothing is imported until the file is "
        "valid. Records already in the database (same id) are kept as stored, never "
        "overwritten. Records without an id are known by their content (patient: name, birth "
        "date and record number; block: time, region, side and sequence; entry: time and "
        "sites), so importing the same file again adds nothing."
    )


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def run(args: argparse.Namespace) -> int:
    from paintrack.exchange.diary_json import (
        ANY_PROTOCOL,
        DiaryFormatError,
        parse_diary_details,
        read_diary_file_details,
    )
    from paintrack.exchange.files import MAX_FILE_BYTES
    from paintrack.paths import resolve_db_target
    from paintrack.store import open_store

    file_name = os.fspath(args.file)
    from_stdin = file_name == STDIN
    if from_stdin:
        file_name = "standard input"
    try:
        if from_stdin:
            # One byte past the limit, so parsing refuses an oversized stream by its size.
            parsed = parse_diary_details(
                sys.stdin.buffer.read(MAX_FILE_BYTES + 1), file_name, protocols=ANY_PROTOCOL
            )
        else:
            parsed = read_diary_file_details(file_name, protocols=ANY_PROTOCOL)
    except DiaryFormatError as error:
        raise UserError(
            f"{error.message}\nNothing was imported; the database is unchanged."
        ) from error
    diary = parsed.diary
    with open_store(resolve_db_target(getattr(args, "db", None))) as store:
        # A protocol the clinic settings do not define would silently fall back to the
        # standard time points: refused, with its path, before anything is imported.
        known = store.get_settings().protocols
        for block in diary.blocks:
            if block.protocol not in known:
                raise UserError(
                    f"{file_name}: {parsed.protocol_paths.get(block.id, 'blocks[?].protocol')}:"
                    f" unknown protocol {block.protocol!r}: the clinic settings define"
                    f" {', '.join(repr(p) for p in sorted(known))}\n"
                    "Nothing was imported; the database is unchanged."
                )
        source = file_name if from_stdin else os.path.abspath(file_name)
        result = store.import_diary(diary, source_name=source)

    name = diary.patient.name
    in_file = sum(len(block.entries) for block in diary.blocks)
    if result.blocks_added == 0 and result.entries_added == 0 and result.patients_added == 0:
        print(
            f"Nothing new in {file_name}: {name}'s "
            f"{_count(len(diary.blocks), 'block', 'blocks')} and "
            f"{_count(in_file, 'entry', 'entries')} were already present."
        )
    else:
        print(
            f"Imported {name}: {_count(result.blocks_added, 'block', 'blocks')}, "
            f"{_count(result.entries_added, 'entry', 'entries')} "
            f"({result.entries_unchanged} already present)."
        )
    conflicting = result.entries_conflicting + result.blocks_conflicting
    if conflicting:
        print(
            f"{_count(conflicting, 'record differs', 'records differ')} from the version "
            "already stored (amended or deleted since, or edited in the file); the stored "
            "version was kept.",
        )
    if parsed.generated_ids and (result.entries_added or result.blocks_added):
        print(
            f"paintrack: note: {file_name} gives no id for some records; paintrack knows them "
            "by the patient's name, birth date and record number, each block's time, region "
            "and side, and each entry's time, so importing this file again (or a longer "
            "version of it) adds only what is new.",
            file=sys.stderr,
        )
    return 0
