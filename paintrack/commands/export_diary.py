"""`paintrack export FILE`: write one patient's diary as a paintrack diary file, or as CSV."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from paintrack.errors import UserError

if TYPE_CHECKING:
    from paintrack.clinical.model import Diary

STDOUT = "-"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        help=f"where to write (JSON unless --csv or a .csv name; {STDOUT} for standard output)",
    )
    parser.add_argument(
        "--patient",
        metavar="NAME_OR_ID",
        help="the patient: id, MRN or name (may be left out when the database holds one patient)",
    )
    parser.add_argument(
        "--csv",
        action="store_true",
        help="write CSV for spreadsheets, one row per entry per site (also chosen by a .csv name)",
    )
    parser.add_argument(
        "--fhir",
        action="store_true",
        help="write a FHIR R4 Bundle (JSON) for a health record instead (docs/fhir.md)",
    )
    parser.add_argument(
        "--deidentify",
        action="store_true",
        help="with --fhir: no identifiers, initials and birth year only (as the PDF's)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace FILE if it already exists (without it an existing file is never touched)",
    )
    parser.epilog = (
        "The JSON file keeps every field and imports again with paintrack import. CSV is for "
        "reading and charts: UTF-8 with a byte order mark, times in local time with their UTC "
        "offset, and text that a spreadsheet would run as a formula prefixed with an "
        "apostrophe. Files are written atomically and readable only by you (mode 0600). Every "
        "export is recorded in the database's audit trail first (paintrack audit); when the "
        "database cannot be written to, nothing is exported."
    )


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def _is_database_file(target: Path, database: Path | None) -> bool:
    if database is None:
        return False
    for candidate in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        try:
            if os.path.samefile(target, candidate):
                return True
        except OSError:
            continue
    return False


def run(args: argparse.Namespace) -> int:
    from paintrack.commands.common import open_recording_store, sign_in_if_clinic_mode
    from paintrack.exchange.csv_export import csv_rows, diary_to_csv, write_csv
    from paintrack.exchange.diary_json import diary_to_json, write_diary_file
    from paintrack.operations.audit import COMMAND_LINE, record_export

    file_name = os.fspath(args.file)
    to_stdout = file_name == STDOUT
    if args.fhir and args.csv:
        raise UserError("choose either --fhir or --csv, not both.")
    if args.deidentify and not args.fhir:
        raise UserError(
            "--deidentify applies to a FHIR export (--fhir); a diary file keeps every field "
            "so that it imports again, and the PDF has its own: paintrack report --deidentify."
        )
    as_csv = not args.fhir and (bool(args.csv) or file_name.lower().endswith(".csv"))
    target = Path(file_name)
    if not to_stdout:
        from paintrack.paths import refuse_protected_target

        refuse_protected_target(target)
        if target.is_dir():
            raise UserError(f"{file_name} is a folder; give a file name to export to.")
        if target.exists() and not args.force:
            raise UserError(
                f"{file_name} already exists; choose another name, or add --force to replace it."
            )
    if not to_stdout:
        from paintrack.exchange.files import clear_partials

        for leftover in clear_partials(target):
            print(
                f"paintrack: removed {leftover}, a partial copy left by an earlier export that "
                "was interrupted",
                file=sys.stderr,
            )
    export_format = "fhir" if args.fhir else "csv" if as_csv else "json"
    with open_recording_store(args, f"The export to {file_name}") as store:
        sign_in_if_clinic_mode(store, args, "an export")
        patient = store.resolve_patient(args.patient)
        diary = store.load_diary(patient.id)
        if not to_stdout and _is_database_file(target, store.db_path):
            raise UserError(f"{file_name} is the database itself; choose another file name.")
        # In the audit trail before a byte is written: an export that cannot be recorded is not
        # made (AuditNotRecorded).
        record_export(
            store,
            patient.id,
            export_format=export_format,
            path=file_name,
            deidentified=bool(args.deidentify),
            via=COMMAND_LINE,
        )

    if args.fhir:
        return _write_fhir(diary, target, to_stdout=to_stdout, deidentify=args.deidentify)
    blocks = len(diary.blocks)
    entries = sum(len(block.entries) for block in diary.blocks)
    if to_stdout:
        sys.stdout.write(diary_to_csv(diary) if as_csv else diary_to_json(diary))
        sys.stdout.flush()
    elif as_csv:
        write_csv(diary, target)
    else:
        write_diary_file(diary, target)
    what = f"{_count(blocks, 'block', 'blocks')}, {_count(entries, 'entry', 'entries')}"
    if as_csv:
        what += f" ({_count(sum(1 for _ in csv_rows(diary)), 'row', 'rows')})"
    where = "standard output" if to_stdout else file_name
    print(
        f"Exported {diary.patient.name}: {what} to {where}.",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0


def _write_fhir(diary: Diary, target: Path, *, to_stdout: bool, deidentify: bool) -> int:
    from datetime import UTC, datetime

    from paintrack.exchange.fhir import (
        bundle_to_json,
        count_resources,
        diary_to_bundle,
        write_fhir_file,
    )

    now = datetime.now(UTC)
    if to_stdout:
        bundle = diary_to_bundle(diary, now=now, deidentify=deidentify)
        sys.stdout.write(bundle_to_json(bundle))
        sys.stdout.flush()
        counts = count_resources(bundle)
    else:
        counts = write_fhir_file(diary, target, now=now, deidentify=deidentify)
    who = "a de-identified patient" if deidentify else diary.patient.name
    print(
        f"Exported {who} as a FHIR R4 Bundle: 1 Patient, "
        f"{_count(counts.procedures, 'Procedure', 'Procedures')}, "
        f"{_count(counts.observations, 'Observation', 'Observations')} to "
        f"{'standard output' if to_stdout else target}.",
        file=sys.stderr if to_stdout else sys.stdout,
    )
    return 0
