"""`paintrack report`: the clinician PDF summary of a diary file or a patient in the database.

Headless: it may load matplotlib (for the charts) and reportlab, never PySide6; nothing heavy
is imported at module level because the parser imports every command module.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from paintrack.clinical.model import PRESET_VALUES
from paintrack.commands.common import parse_now
from paintrack.errors import UserError

if TYPE_CHECKING:
    from paintrack.report.pdf import ReportRequest

PAPERS = ("a4", "letter")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", metavar="FILE", help="a paintrack diary file (JSON)")
    parser.add_argument(
        "--patient", metavar="NAME_OR_ID", help="report on a patient from the database"
    )
    parser.add_argument(
        "-o", "--output", metavar="OUT.pdf", required=True, help="the PDF file to write"
    )
    parser.add_argument(
        "--preset",
        choices=PRESET_VALUES,
        help="rule preset for the checklist (default: the clinic setting, else asra-2020)",
    )
    parser.add_argument(
        "--deidentify",
        action="store_true",
        help="name the patient by initials and birth year only; leave out the record number",
    )
    parser.add_argument(
        "--paper",
        type=str.lower,  # A4, Letter and a4 alike
        choices=PAPERS,
        default="a4",
        help="paper size: a4 or letter, any case (default: a4)",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="replace OUT.pdf if it already exists (without it an existing file is never touched)",
    )
    # The time of analysis, for tests and for re-running an old report.
    parser.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)


def build_request(args: argparse.Namespace) -> ReportRequest:
    """Load the diary (file or database), analyse it, and gather what the report shows. From the
    database, the PDF is recorded in the audit trail once the diary is analysed, before it is
    written (AuditNotRecorded, and no PDF, when the database cannot be written to)."""
    from dataclasses import replace

    from paintrack.clinical.analysis import analyze_diary, thresholds_with_preset
    from paintrack.clinical.model import Diary, Preset
    from paintrack.clinical.results import DiaryAnalysis
    from paintrack.clinical.settings import ClinicSettings
    from paintrack.report.pdf import ReportRequest

    if args.file and args.patient:
        raise UserError("give either a diary FILE or --patient, not both")
    now = parse_now(args.now)

    def analyse(diary: Diary, settings: ClinicSettings) -> DiaryAnalysis:
        try:
            # The clinic's thresholds and the preset's own, so the rule's line is on the chart.
            return analyze_diary(
                diary, settings, now=now, thresholds=thresholds_with_preset(settings)
            )
        except ValueError as error:
            raise UserError(f"cannot analyse this diary: {error}") from None

    def chosen(settings: ClinicSettings) -> ClinicSettings:
        return replace(settings, preset=Preset(args.preset)) if args.preset else settings

    audit = []
    audit_available = False
    sign_off = None  # a diary file carries no notes or signature
    if args.file:
        from paintrack.exchange.diary_json import read_diary_file

        diary = read_diary_file(args.file)
        settings = chosen(ClinicSettings())
        analysis = analyse(diary, settings)
    else:
        from paintrack.commands.common import open_recording_store, sign_in_if_clinic_mode
        from paintrack.operations.audit import COMMAND_LINE, record_pdf

        with open_recording_store(args, f"The PDF summary to {args.output}") as store:
            sign_in_if_clinic_mode(store, args, "a PDF summary")
            # No --patient with exactly one patient in the database picks that patient;
            # otherwise the store's error lists who is there.
            patient = store.resolve_patient(args.patient)
            diary = store.load_diary(patient.id)
            settings = chosen(store.get_settings())
            audit = list(store.audit_trail(patient.id))
            audit_available = True
            sign_off = store.sign_off(patient.id)
            analysis = analyse(diary, settings)
            record_pdf(
                store,
                patient.id,
                path=args.output,
                deidentified=bool(args.deidentify),
                paper=args.paper,
                via=COMMAND_LINE,
            )
    points = sorted({p for b in diary.blocks for p in settings.protocol_points(b.protocol)})
    return ReportRequest(
        diary=diary,
        analysis=analysis,
        audit=audit,
        audit_available=audit_available,
        deidentify=args.deidentify,
        paper=args.paper,
        generated_at=now,
        protocol_points=tuple(points) or settings.protocol_points("standard"),
        sign_off=sign_off,
    )


def refuse_existing(output: str, *, force: bool) -> None:
    """Like `paintrack export`: an existing OUT.pdf is replaced only with --force."""
    from pathlib import Path

    from paintrack.paths import refuse_protected_target

    target = Path(output).expanduser()
    refuse_protected_target(target)
    if target.is_dir():
        raise UserError(f"{output} is a folder; give a file name such as {output}/summary.pdf")
    if target.exists() and not force:
        raise UserError(
            f"{output} already exists; choose another name, or add --force to replace it."
        )


def run(args: argparse.Namespace) -> int:
    import sys

    from paintrack.report.pdf import clear_partials, write_report

    refuse_existing(args.output, force=args.force)
    for leftover in clear_partials(args.output):
        print(
            f"paintrack: removed {leftover}, a partial PDF left by an earlier report that was "
            "interrupted",
            file=sys.stderr,
        )
    request = build_request(args)
    written = write_report(request, args.output)
    print(f"wrote {written}")
    return 0
