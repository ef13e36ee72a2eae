"""`paintrack audit --patient X`: a patient's audit trail, readable for a privacy officer (who
opened, exported, printed or changed the diary, and when), or the raw records with --json.
Reads only: it never writes to the database."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--patient",
        metavar="NAME_OR_ID",
        help="the patient: id, MRN or name (may be left out when the database holds one patient)",
    )
    parser.add_argument(
        "--people",
        action="store_true",
        help="instead of a patient's trail: clinic mode's records (users added, passwords "
        "changed, users deactivated, clinic mode switched on or off)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the raw audit records as JSON (times in UTC) instead of sentences",
    )
    parser.epilog = (
        "Lists, oldest first, every record about the patient: the diary opened in Review, "
        "exported (JSON, CSV, FHIR), written as a PDF summary or printed, and every block and "
        "entry added, corrected or deleted, with who did it and why. Times are this computer's "
        "local time. paintrack verify checks that the trail has not been tampered with."
    )


def run(args: argparse.Namespace) -> int:
    import json
    import sys

    from paintrack.commands.common import open_existing_store, sign_in_if_clinic_mode
    from paintrack.errors import UserError
    from paintrack.operations.audit import patient_trail, record_json
    from paintrack.wording.audit import trail_text
    from paintrack.wording.people import patient_line

    if args.people:
        if args.patient:
            raise UserError("give either --patient or --people, not both")
        from paintrack.operations.audit import people_trail

        with open_existing_store(args) as store:
            sign_in_if_clinic_mode(store, args, "reading the audit trail")
            records = people_trail(store)
        if args.json:
            people = {"records": [record_json(record) for record in records]}
            sys.stdout.write(json.dumps(people, indent=2, ensure_ascii=False) + "\n")
            return 0
        sys.stdout.write(trail_text("Clinic mode's users and settings", records))
        return 0
    with open_existing_store(args) as store:
        sign_in_if_clinic_mode(store, args, "reading a patient's audit trail")
        trail = patient_trail(store, args.patient)
    if args.json:
        payload = {
            "patient_id": trail.patient.id,
            "records": [record_json(record) for record in trail.records],
        }
        sys.stdout.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return 0
    heading = f"Audit trail of {patient_line(trail.patient)} (id {trail.patient.id})"
    sys.stdout.write(trail_text(heading, trail.records))
    return 0
