"""`paintrack verify`: check the audit trail's hash chain, that the diary matches its audit
trail, and SQLite's own integrity check (a database server checks its own storage). Exit status 0
when all is well, 1 otherwise."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from paintrack.clinical.audit import AuditRecord
    from paintrack.clinical.model import Patient
    from paintrack.store import Store
    from paintrack.store.audit_chain import TrailMismatch

EXIT_BROKEN = 1
_LISTED = 20  # differing records named one by one; more are counted

# What each stored field is called in a sentence.
_FIELD_NAMES = {
    "scores": "score",
    "at": "time",
    "recorded_at": "time it was written down",
    "patient_relief_percent": "relief estimate",
    "activity": "activity",
    "activity_ability": "ability",
    "rescue_medication": "rescue medication",
    "source": "source",
    "note": "note",
    "block_id": "block",
    "name": "name",
    "birth_date": "birth date",
    "mrn": "record number",
    "performed_at": "time",
    "region": "region",
    "side": "side",
    "levels": "levels",
    "agent": "medicine",
    "concentration_percent": "concentration",
    "volume_ml": "volume",
    "sequence": "place in the series",
    "sedation": "sedation",
    "steroid": "steroid",
    "sites": "rated sites",
    "activities": "activities",
    "protocol": "protocol",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Every change to the diary is recorded in the audit trail, and each record carries a "
        "hash of its content and of the record before it. verify recomputes them and names "
        "the first record that does not match (changed, removed or moved outside paintrack), "
        "and every score or other saved record that differs from its last audit record, by "
        "its time and patient. Nothing is changed."
    )


def _when(value: object) -> str:
    """A moment (as the audit trail writes it) as people read it, in local time: 26 Nov 2026
    18:45."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return "an unknown time"
    return moment.astimezone().strftime("%d %b %Y %H:%M").lstrip("0")


def _fields(before: Mapping[str, Any] | None, now: Mapping[str, Any] | None) -> str:
    """ "the score", "the score and the note": the fields that differ."""
    if before is None or now is None:
        return "the values"
    names: list[str] = []
    for key in sorted(
        set(before) | set(now),
        key=lambda k: list(_FIELD_NAMES).index(k) if k in _FIELD_NAMES else len(_FIELD_NAMES),
    ):
        if key != "id" and before.get(key) != now.get(key):
            name = _FIELD_NAMES.get(key, key)
            if name not in names:
                names.append(name)
    if not names:
        return "the values"
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return "the " + listed


def _changed(
    what: str, audited: bool, before: Mapping[str, Any] | None, now: Mapping[str, Any] | None
) -> str:
    """ "the volume of block 2 (...) was changed outside paintrack." """
    if not audited:
        return f"{what} has no audit record: it was added outside paintrack."
    changed = _fields(before, now)
    verb = "were" if " and " in changed or changed == "the values" else "was"
    return f"{changed} of {what} {verb} changed outside paintrack."


@dataclass(frozen=True)
class _Place:
    patient: str
    block_number: int | None = None


def _describe_mismatches(store: Store, mismatches: Sequence[TrailMismatch]) -> list[str]:
    """Each differing record in words: what changed, its time, the patient and block."""
    from paintrack.store.convert import block_to_json, entry_to_json, patient_to_json

    # Only the records of the differing objects (and of their patients) are read, and the
    # diaries one patient at a time: a clinic's whole trail never sits in memory.
    wanted = {(m.kind, m.object_id) for m in mismatches if m.kind != "settings"}
    last: dict[tuple[str, str], AuditRecord] = store.last_audit_records(wanted)
    patients = {("patient", r.patient_id) for r in last.values() if r.patient_id is not None}
    last.update(store.last_audit_records(patients - last.keys()))
    current: dict[tuple[str, str], tuple[_Place, dict[str, Any]]] = {}
    block_places: dict[str, _Place] = {}

    def visit(patient: Patient) -> None:
        if ("patient", patient.id) in wanted:
            current[("patient", patient.id)] = (_Place(patient.name), patient_to_json(patient))
        for number, block in enumerate(store.load_diary(patient.id).blocks, start=1):
            block_place = _Place(patient.name, number)
            block_places[block.id] = block_place
            if ("block", block.id) in wanted:
                current[("block", block.id)] = (block_place, block_to_json(block))
            for entry in block.entries:
                if ("entry", entry.id) in wanted:
                    current[("entry", entry.id)] = (
                        block_place,
                        {"block_id": block.id, **entry_to_json(entry)},
                    )

    # What the lines below look up: the records still in the tables, and the blocks of
    # removed entries. The patients the trail names come first; the rest only if something
    # is still not found (a record added outside paintrack names no patient).
    in_tables = {
        (m.kind, m.object_id) for m in mismatches if m.kind != "settings" and m.problem != "missing"
    }
    blocks_of_removed: set[str] = set()
    for m in mismatches:
        record = last.get((m.kind, m.object_id))
        values = (record.new or record.old) if record is not None else None
        if m.kind == "entry" and m.problem == "missing" and values:
            blocks_of_removed.add(str(values.get("block_id")))
    named = {r.patient_id for r in last.values() if r.patient_id is not None}
    everyone = store.list_patients()
    for patient in everyone:
        if patient.id in named:
            visit(patient)
    if not (in_tables <= current.keys() and blocks_of_removed <= block_places.keys()):
        for patient in everyone:
            if patient.id not in named:
                visit(patient)

    def trail_patient(record: AuditRecord | None) -> str | None:
        """The patient's name as the trail last recorded it (when the diary no longer has it)."""
        if record is None or record.patient_id is None:
            return None
        patient = last.get(("patient", record.patient_id))
        values = (patient.new or patient.old) if patient is not None else None
        return str(values["name"]) if values and "name" in values else None

    lines: list[str] = []
    for mismatch in mismatches:
        kind, object_id = mismatch.kind, mismatch.object_id
        if kind == "settings":
            lines.append(
                "the clinic settings (relief thresholds, expected durations, rule preset or "
                "protocols, which change verdicts) were changed outside paintrack."
                if mismatch.problem == "differs"
                else "the clinic settings were set outside paintrack: the audit trail records "
                "no change to them."
            )
            continue
        record = last.get((kind, object_id))
        recorded = dict(record.new) if record is not None and record.new is not None else None
        if recorded is None and record is not None and record.old is not None:
            recorded = dict(record.old)  # a deletion: the values as they were deleted
        place: _Place | None = None
        now: dict[str, Any] | None = None
        if (kind, object_id) in current:
            place, now = current[(kind, object_id)]
        known = recorded or now or {}
        if kind in ("note", "signature"):
            from paintrack.wording.signoff import mismatch_text

            lines.append(mismatch_text(kind, mismatch.problem, recorded))
            continue
        if mismatch.problem == "missing":
            name = place.patient if place else trail_patient(record)
            if kind == "entry":
                in_block = block_places.get(str(known.get("block_id")))
                where = (
                    f" (patient {in_block.patient}, block {in_block.block_number})"
                    if in_block
                    else f" (patient {name})"
                    if name
                    else ""
                )
                what = f"the entry of {_when(known.get('at'))}{where}"
            elif kind == "block":
                of = f"patient {name}, " if name else ""
                what = f"a block ({of}done {_when(known.get('performed_at'))})"
            else:
                what = f"patient {known.get('name', name or '?')}"
            lines.append(
                f"{what} is in the audit trail but missing from the diary: it was removed "
                "outside paintrack."
            )
            continue
        if kind == "entry":
            place = place or block_places.get(str(known.get("block_id")))
            where = f" (patient {place.patient}, block {place.block_number})" if place else ""
            what = f"of {_when(known.get('at'))}{where}"
            if mismatch.problem == "marked_amended":
                lines.append(
                    f"the entry {what} is marked as amended, but the audit trail records no "
                    "amendment of it: the mark was set outside paintrack."
                )
            elif mismatch.problem == "unmarked_amended":
                lines.append(
                    f"the entry {what} was amended in paintrack but is no longer marked as "
                    "amended: the mark was cleared outside paintrack."
                )
            elif record is None:
                lines.append(
                    f"the entry {what} has no audit record: it was added outside paintrack."
                )
            elif record.action == "delete_entry" and now is not None:
                lines.append(
                    f"the entry {what} was deleted in paintrack but is back in the diary: it "
                    "was restored outside paintrack."
                )
            elif now is None:
                lines.append(f"the entry {what} was deleted outside paintrack.")
            else:
                changed = _fields(recorded, now)
                verb = "were" if " and " in changed or changed == "the values" else "was"
                lines.append(f"{changed} {what} {verb} changed outside paintrack.")
        elif kind == "block":
            where = (
                f"block {place.block_number} (patient {place.patient}, " if place else "a block ("
            ) + f"done {_when(known.get('performed_at'))})"
            lines.append(_changed(where, record is not None, recorded, now))
        else:
            name = place.patient if place else str(known.get("name", "?"))
            lines.append(_changed(f"patient {name}", record is not None, recorded, now))
    return lines


def run(args: argparse.Namespace) -> int:
    import sys
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from paintrack.errors import UserError
    from paintrack.paths import is_url, resolve_db_target
    from paintrack.store import open_store

    target = resolve_db_target(getattr(args, "db", None))
    if not is_url(target) and not Path(target).expanduser().exists():
        # open_store would create a new, empty diary there: not what checking one means.
        raise UserError(f"There is no diary at {target} to verify. Check the name given to --db.")
    from paintrack.store import RefusedDatabase

    try:
        store = open_store(target, read_only=True)
    except RefusedDatabase as refused:
        if refused.kind != "tampered":
            raise
        print(f"Audit trail BROKEN: {refused.message}")
        print(f"paintrack: verify found problems in {target}", file=sys.stderr)
        return EXIT_BROKEN
    with store, ThreadPoolExecutor(max_workers=1) as beside:
        # SQLite's check runs in C on a connection of its own, without the GIL: beside the
        # trail's pass, not before it (660,000 audit rows: 7 to 9 s for the check, about 12 s
        # of CPU for the trail's pass on SQLite).
        integrity_done = beside.submit(store.integrity_check)
        check = store.check_audit_trail()
        integrity = integrity_done.result()
        where = store.where
        differing = (
            _describe_mismatches(store, check.mismatches[:_LISTED]) if check.mismatches else []
        )
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
    keep = (
        "Keep this file as evidence, and compare it with a backup (paintrack backup --list)."
        if integrity is not None
        else "Keep it as it is, and compare it with the server's backups."
    )
    count = len(check.mismatches)
    records = f"{count} saved record does" if count == 1 else f"{count} saved records do"
    its = "its" if count == 1 else "their"
    listed = "\n  ".join(differing)
    more = f"\n  ... and {count - _LISTED} more" if count > _LISTED else ""
    if check.first_break is None and not count:
        print(f"Audit trail intact: {check.records} records")
    elif check.first_break is None:
        ok = False
        print(
            f"The audit trail's chain is unbroken ({check.records} records), but {records} not "
            f"match {its} last audit record:\n  {listed}{more}\n{keep}"
        )
    else:
        ok = False
        print(
            f"Audit trail BROKEN at {check.first_break.describe()}.\n"
            f"The database was changed outside paintrack. {keep}"
        )
        if count:
            print(f"Also, {records} not match {its} last audit record:\n  {listed}{more}")
    if not ok:
        print(f"paintrack: verify found problems in {where}", file=sys.stderr)
    return 0 if ok else EXIT_BROKEN
