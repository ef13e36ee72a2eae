"""`paintrack import FILE`: add a diary file to the database, all or nothing.

The whole file is checked before the database is opened, then written in one transaction:
bad input changes nothing, and importing the same file again adds nothing (same ids; a file
without ids gets the same ids derived from its content each time, see diary_json).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from paintrack.errors import UserError

if TYPE_CHECKING:
    from paintrack.clinical.model import Block, Diary, Entry
    from paintrack.store.merge import EntryChange, KeptRecord, MergePlan

STDIN = "-"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "file",
        metavar="FILE",
        help="a paintrack diary file (JSON, as paintrack export writes it); - for standard input",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="say what would be added, skipped and amended, and change nothing",
    )
    parser.add_argument(
        "--match-patient",
        metavar="ID",
        help=(
            "merge into this stored patient (by id) a home diary whose patient has another id "
            "but the same name and birth date"
        ),
    )
    parser.epilog = (
        "Every problem in the file is reported with its JSON path (for example "
        "blocks[1].entries[4].scores.index) and nothing is imported until the file is "
        "valid. Importing into a database that already holds the patient merges the diary: "
        "new blocks and entries are added, identical ones skipped, and one the file changed "
        "(same id, other content) becomes an amendment of the stored one, with the reason "
        '"merged from home diary FILE" in the audit trail; what the clinic amended or deleted '
        "since is kept as stored. Nothing is overwritten or duplicated. Records without an id "
        "are known by their content (patient: name, birth date and record number; block: "
        "time, region, side and sequence; entry: time and sites), so importing the same file "
        "again adds nothing."
    )


def _tell(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _count(number: int, singular: str, plural: str) -> str:
    return f"{number} {singular if number == 1 else plural}"


def run(args: argparse.Namespace) -> int:
    from paintrack.commands.common import sign_in_if_clinic_mode
    from paintrack.exchange.diary_json import (
        ANY_PROTOCOL,
        DiaryFormatError,
        parse_diary_details,
        read_diary_file_details,
    )
    from paintrack.exchange.files import MAX_FILE_BYTES
    from paintrack.paths import is_url, resolve_db_target
    from paintrack.store import open_store
    from paintrack.store.merge import PatientMatchNeeded, merge_diary, merge_reason, plan_merge

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
    source = file_name if from_stdin else os.path.abspath(file_name)
    target = resolve_db_target(getattr(args, "db", None))
    if args.dry_run and not is_url(target) and not Path(target).expanduser().exists():
        blocks = len(diary.blocks)
        entries = sum(len(block.entries) for block in diary.blocks)
        print(
            f"Dry run: nothing was changed. There is no database at {target} yet; importing "
            f"would create it and add {diary.patient.name}: {_count(blocks, 'block', 'blocks')}, "
            f"{_count(entries, 'entry', 'entries')}."
        )
        return 0
    with open_store(target, read_only=args.dry_run, on_wait=_tell) as store:
        sign_in_if_clinic_mode(store, args, "an import")
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
        try:
            if args.dry_run:
                plan = plan_merge(store, diary, match_patient=args.match_patient)
            else:
                plan = merge_diary(
                    store, diary, source_name=source, match_patient=args.match_patient
                )
        except PatientMatchNeeded as error:
            again = " ".join(
                shlex.quote(part)
                for part in ["paintrack", "import", args.file, "--match-patient", "ID"]
            )
            raise UserError(f"{file_name}: {error.message}\n    {again}") from error
    if args.dry_run:
        _print_dry_run(plan, file_name, merge_reason(source))
        return 0
    _print_result(plan, diary, file_name, merge_reason(source))
    if parsed.generated_ids and (plan.entries_added or plan.blocks_added):
        print(
            f"paintrack: note: {file_name} gives no id for some records; paintrack knows them "
            "by the patient's name, birth date and record number, each block's time, region "
            "and side, and each entry's time, so importing this file again (or a longer "
            "version of it) adds only what is new.",
            file=sys.stderr,
        )
    return 0


def _when(moment: datetime) -> str:
    """A moment in local time as people read it: 2 Mar 2026 09:20."""
    local = moment.astimezone()
    return f"{local.day} {local:%b %Y %H:%M}"


_ENTRY_FIELDS = {
    "at": "time",
    "recorded_at": "time written down",
    "patient_relief_percent": "relief estimate",
    "activity": "activity",
    "activity_ability": "ability",
    "rescue_medication": "rescue medication",
    "source": "source",
    "note": "note",
}


def _entry_changes(old: Entry, new: Entry) -> str:
    """ "index score 2 -> 5, note": what the file changed in an entry."""
    from paintrack.store.convert import entry_to_json

    parts = []
    for site in sorted(set(old.scores) | set(new.scores)):
        before, after = old.scores.get(site), new.scores.get(site)
        if before != after:
            shown = ["-" if v is None else str(v) for v in (before, after)]
            parts.append(f"{site} score {shown[0]} -> {shown[1]}")
    before_json, after_json = entry_to_json(old), entry_to_json(new)
    parts += [name for key, name in _ENTRY_FIELDS.items() if before_json[key] != after_json[key]]
    return ", ".join(parts)


def _block_name(block: Block) -> str:
    return f"block of {_when(block.performed_at)}"


def _entry_line(change: EntryChange, plan: MergePlan) -> str:
    assert change.stored is not None
    also = (
        " (it was amended in the clinic too; that version stays in the audit trail)"
        if change.stored.amended
        else ""
    )
    return (
        f"the entry of {_when(change.entry.at)} ({_block_name(change.block)}): "
        f"{_entry_changes(change.stored, change.entry)}{also}"
    )


def _kept_line(kept: KeptRecord, plan: MergePlan) -> str:
    if kept.kind == "block":
        return f"the {_block_name(kept.block)}: {kept.why}"
    return f"the entry of {_when(kept.at)} ({_block_name(kept.block)}): {kept.why}"


def _amended_lines(plan: MergePlan) -> list[str]:
    lines = [f"  {_entry_line(change, plan)}" for change in plan.entries_amended]
    lines += [f"  the {_block_name(change.stored)}: its details" for change in plan.blocks_amended]
    return lines


def _amended_count(plan: MergePlan) -> str:
    parts = []
    if plan.entries_amended:
        parts.append(_count(len(plan.entries_amended), "entry", "entries"))
    if plan.blocks_amended:
        parts.append(_count(len(plan.blocks_amended), "block", "blocks"))
    return " and ".join(parts)


def _print_dry_run(plan: MergePlan, file_name: str, reason: str) -> None:
    patient = plan.patient
    into = "a new patient" if plan.patient_is_new else f"{patient.name} (id {patient.id})"
    print(f"Dry run: nothing was changed. Importing {file_name} into {into} would:")
    if plan.patient_is_new:
        print(f"  add the patient {patient.name}")
    print(
        f"  add {_count(len(plan.blocks_added), 'block', 'blocks')} and "
        f"{_count(len(plan.entries_added), 'entry', 'entries')}"
    )
    print(
        f"  skip {_count(plan.blocks_same, 'block', 'blocks')} and "
        f"{_count(plan.entries_same, 'entry', 'entries')} already present"
    )
    if plan.entries_amended or plan.blocks_amended:
        print(f"  amend {_amended_count(plan)} (reason: {reason}):")
        for line in _amended_lines(plan):
            print(f"  {line}")
    else:
        print("  amend nothing")
    if plan.kept:
        print(f"  keep the stored version of {_count(len(plan.kept), 'record', 'records')}:")
        for kept in plan.kept:
            print(f"    {_kept_line(kept, plan)}")
    _print_patient_notes(plan, dry_run=True)


def _print_patient_notes(plan: MergePlan, *, dry_run: bool = False) -> None:
    if plan.matched:
        print(
            f"The diary's patient ({plan.diary_patient.name}, id {plan.diary_patient.id} in the "
            f"file) {'would be' if dry_run else 'is'} merged into {plan.patient.name} "
            f"(id {plan.patient.id}), as --match-patient says."
        )
    if plan.patient_differs:
        print(
            "The diary gives the patient's name, birth date or record number differently; "
            f"the stored ones {'would be' if dry_run else 'were'} kept."
        )


def _print_result(plan: MergePlan, diary: Diary, file_name: str, reason: str) -> None:
    name = plan.patient.name
    in_file = sum(len(block.entries) for block in diary.blocks)
    added = plan.patient_is_new or plan.blocks_added or plan.entries_added
    if not added and not plan.entries_amended and not plan.blocks_amended:
        print(
            f"Nothing new in {file_name}: {name}'s "
            f"{_count(len(diary.blocks), 'block', 'blocks')} and "
            f"{_count(in_file, 'entry', 'entries')} were already present."
        )
    else:
        print(
            f"Imported {name}: {_count(len(plan.blocks_added), 'block', 'blocks')}, "
            f"{_count(len(plan.entries_added), 'entry', 'entries')} "
            f"({plan.entries_same} already present)."
        )
    if plan.entries_amended or plan.blocks_amended:
        print(
            f"Amended {_amended_count(plan)} to the home diary's version; the stored version "
            f"stays in the audit trail (reason: {reason}):"
        )
        for line in _amended_lines(plan):
            print(line)
    if plan.kept:
        print(
            f"{_count(len(plan.kept), 'record differs', 'records differ')} from the version "
            "already stored (amended or deleted in the clinic since); the stored version was "
            "kept:"
        )
        for kept in plan.kept:
            print(f"  {_kept_line(kept, plan)}")
    _print_patient_notes(plan)
