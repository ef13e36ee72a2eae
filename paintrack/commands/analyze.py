"""`paintrack analyze`: relief metrics, compliance, comparisons and the preset checklist.

Reads a diary file, or a patient from the database with --patient. Headless: nothing heavy is
imported at module level, and never PySide6 or matplotlib.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING

from paintrack.clinical.model import PRESET_VALUES
from paintrack.commands.common import parse_now
from paintrack.errors import UserError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from paintrack.clinical.analysis import BlockResult, DiaryAnalysis, ThresholdResult
    from paintrack.clinical.model import Agent, Block, Diary
    from paintrack.clinical.settings import ClinicSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", nargs="?", metavar="FILE", help="a paintrack diary file (JSON)")
    parser.add_argument(
        "--patient",
        metavar="NAME_OR_ID",
        help="analyse a patient from the database instead of a file",
    )
    parser.add_argument("--json", action="store_true", help="print the analysis as JSON")
    parser.add_argument(
        "--threshold",
        metavar="N",
        action="append",
        help=(
            "relief threshold in percent (repeatable; replaces the default: the clinic's"
            " thresholds, 50 and 80 unless set, and the preset's own)"
        ),
    )
    parser.add_argument(
        "--preset",
        choices=PRESET_VALUES,
        help="rule preset for the checklist (default: the clinic setting, else asra-2020)",
    )
    parser.add_argument(
        "--expected",
        metavar="AGENT=MINUTES",
        action="append",
        help="expected minimum duration for an agent, e.g. lidocaine=45 (repeatable)",
    )
    # The time of analysis, for tests and for re-running an old analysis.
    parser.add_argument("--now", metavar="ISO", help=argparse.SUPPRESS)


def _thresholds(values: list[str] | None) -> list[int] | None:
    if not values:
        return None
    result = []
    for value in values:
        try:
            number = int(value)
        except ValueError:
            raise UserError(
                f"--threshold {value!r}: give a whole percent from 1 to 100, e.g. --threshold 80"
            ) from None
        if not 1 <= number <= 100:
            raise UserError(f"--threshold {number}: give a whole percent from 1 to 100")
        result.append(number)
    return result


def _expected(values: list[str] | None) -> dict[Agent, float]:
    from paintrack.clinical.model import Agent

    # Only these agents have an expected duration (clinical.md item 6).
    timed = (Agent.LIDOCAINE, Agent.BUPIVACAINE, Agent.ROPIVACAINE)
    result: dict[Agent, float] = {}
    for value in values or []:
        name, sep, minutes_text = value.partition("=")
        try:
            agent = Agent(name.strip().lower())
        except ValueError:
            agent = None
        if not sep or agent not in timed:
            raise UserError(
                f"--expected {value!r}: write AGENT=MINUTES with AGENT one of"
                f" {', '.join(a.value for a in timed)}, e.g. --expected lidocaine=45"
            )
        assert agent is not None
        try:
            minutes = float(minutes_text)
        except ValueError:
            minutes = -1.0
        if not minutes >= 0 or minutes == float("inf"):
            raise UserError(f"--expected {value!r}: MINUTES must be a number of minutes >= 0")
        result[agent] = minutes
    return result


def _load(args: argparse.Namespace) -> tuple[Diary, ClinicSettings]:
    from paintrack.clinical.settings import ClinicSettings

    if args.file and args.patient:
        raise UserError("give either a diary FILE or --patient, not both")
    if args.file:
        from paintrack.exchange.diary_json import read_diary_file

        return read_diary_file(args.file), ClinicSettings()
    # No FILE: a patient from the database; with one patient there, --patient may be left out
    # (the store's error lists the patients otherwise), as for export and report.
    from paintrack.commands.common import open_existing_store, sign_in_if_clinic_mode

    with open_existing_store(args) as store:
        sign_in_if_clinic_mode(store, args, "reading a patient's diary")
        patient = store.resolve_patient(args.patient)
        return store.load_diary(patient.id), store.get_settings()


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from paintrack.clinical.analysis import analyze_diary, thresholds_with_preset
    from paintrack.clinical.model import Preset

    thresholds = _thresholds(args.threshold)
    expected = _expected(args.expected)
    now = parse_now(args.now)
    diary, settings = _load(args)
    overrides = dict(settings.expected_minutes)
    overrides.update(expected)
    settings = replace(
        settings,
        expected_minutes=overrides,
        preset=Preset(args.preset) if args.preset else settings.preset,
    )
    try:
        if thresholds is None:
            # The clinic's thresholds and the preset's own: its 80% is shown beside 50 and 75.
            thresholds = list(thresholds_with_preset(settings))
        analysis = analyze_diary(diary, settings, now=now, thresholds=thresholds)
    except ValueError as error:
        raise UserError(f"cannot analyse this diary: {error}") from None
    if args.json:
        json.dump(analysis.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_table(analysis, diary.patient.name))
    return 0


def _utc(moment: datetime) -> str:
    from datetime import UTC

    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _in_block_offset(block: Block, moment: datetime) -> str:
    """A time in the block's recorded UTC offset (clinical.md item 11), as the PDF shows it:
    never the zone of the computer running the analysis."""
    from paintrack.clinical.wording import offset_name

    local = block.local(moment)
    return f"{local:%Y-%m-%d %H:%M} {offset_name(block.utc_offset_minutes or 0)}"


def _figure_lines(
    block: Block,
    peak: float | None,
    time_to_peak: float | None,
    thresholds: Mapping[int, ThresholdResult],
    waiting: str | None,
    indent: str,
) -> list[str]:
    from paintrack.clinical import wording as w
    from paintrack.clinical.presets import until_text

    lines = []
    if peak is None:
        lines.append(f"{indent}peak relief: -")
    else:
        lines.append(
            f"{indent}peak relief: {w.format_percent(peak)} at {w.format_duration(time_to_peak)}"
        )
    for threshold, t in thresholds.items():
        bounds = "" if t.censored else w.bounds_text(t)  # "at least" is already said
        extra = [x for x in (bounds, w.expected_text(t, block.agent)) if x]
        suffix = f" ({'; '.join(extra)})" if extra else ""
        if t.reached:
            text = until_text(t)
        else:
            yet = " yet" if t.reached is False and waiting is not None else ""
            text = f"{w.threshold_text(t)}{yet}"
        lines.append(f"{indent}>= {threshold}%: {text}{suffix}")
    return lines


def _block_lines(result: BlockResult) -> list[str]:
    from paintrack.clinical import wording as w
    from paintrack.clinical.compare import site_side
    from paintrack.clinical.presets import in_progress_reason

    block = result.block
    waiting = in_progress_reason(result)  # "not reached" is "not reached yet" while it goes on
    lines = [
        f"Block {block.sequence}: {_in_block_offset(block, block.performed_at)},"
        f" {block.agent.value}, {block.region.value} {block.side.value}"
        + (f", {' '.join(block.levels)}" if block.levels else "")
        + f"; date of service {w.date_text(block.date_of_service)}",
    ]
    rescue = None
    if result.rescue_at_minutes is not None:
        rescue = (
            f"{w.rescue_named(result.rescue_detail)} at"
            f" {w.format_duration(result.rescue_at_minutes)}"
        )
    for site, s in result.sites.items():
        lines.append(f"  Site {site} ({site_side(block, site).value} side)")
        baseline = "none" if s.baseline is None else f"{s.baseline}/10"
        lines.append(f"    baseline: {baseline}")
        if s.before_rescue is not None and rescue is not None:
            # Item 10: the verdict figures come from the scores before rescue medicine.
            lines.append(f"    from the scores before {rescue} (these decide the verdicts):")
            b = s.before_rescue
            lines.extend(
                _figure_lines(
                    block,
                    b.peak_relief_percent,
                    b.time_to_peak_minutes,
                    b.thresholds,
                    None,
                    "      ",
                )
            )
            lines.append("    from all entries, including scores after rescue medicine:")
            indent = "      "
        else:
            indent = "    "
        lines.extend(
            _figure_lines(
                block, s.peak_relief_percent, s.time_to_peak_minutes, s.thresholds, waiting, indent
            )
        )
    if result.patient_estimate is not None:
        e = result.patient_estimate
        lines.append("  Patient's own estimate (not used for verdicts)")
        lines.append(
            f"    peak: {w.format_percent(e.peak_relief_percent)}"
            f" at {w.format_duration(e.time_to_peak_minutes)}"
        )
        for threshold, t in e.thresholds.items():
            yet = " yet" if t.reached is False and waiting is not None else ""
            lines.append(f"    >= {threshold}%: {w.threshold_text(t)}{yet}")
    c = result.compliance
    if c.due == 0 or c.percent is None:
        lines.append(f"  Compliance: {w.compliance_text(c.due, c.kept_on_time, c.percent)}")
    else:
        lines.append(
            f"  Compliance: {c.kept_on_time} of {c.due} due points on time ({c.percent:g}%),"
            f" {c.kept_late} late or from paper, {c.missed} missed"
        )
    for k, minutes in enumerate(result.rescue_medication_minutes):
        lines.append(f"  Note: {w.rescue_text(minutes, result.rescue_detail if k == 0 else None)}")
    for flag in result.flags:
        lines.append(f"  Flag: {w.flag_text(flag)}")
    return lines


def _block_label(result: BlockResult) -> str:
    from paintrack.clinical.wording import date_text

    return f"{result.agent.value} {date_text(result.date_of_service)}"


def render_table(analysis: DiaryAnalysis, patient_name: str = "") -> str:
    """The analysis as readable text for a terminal: one section per block."""
    from paintrack.clinical import wording as w

    lines: list[str] = []
    if patient_name:
        lines.append(f"Patient: {patient_name}")
        lines.append("")
    if not analysis.blocks:
        lines.append("No blocks in this diary.")
        lines.append("")
    for result in analysis.blocks:
        lines.extend(_block_lines(result))
        lines.append("")
    if analysis.comparisons:
        lines.append("Comparisons (first diagnostic block vs second)")
        for comparison in analysis.comparisons:
            first = analysis.block(comparison.first_block_id)
            second = analysis.block(comparison.second_block_id)
            lines.append(
                f"  {comparison.region.value} {comparison.side.value}, {comparison.site},"
                f" >= {comparison.threshold}%: {w.comparison_text(comparison.result)}"
                f" ({_block_label(first)} vs {_block_label(second)})"
            )
        lines.append("")
    checklist = analysis.preset
    lines.append(f"Checklist: {checklist.label} (>= {checklist.threshold}%)")
    if not checklist.targets:
        lines.append("  no diagnostic blocks (sequence 1 or 2) to check")
    for target in checklist.targets:
        lines.append(f"  {w.target_text(target.region, target.side)}: {target.verdict}")
        for criterion in target.criteria:
            lines.append(
                f"    [{w.STATUS_TEXT[criterion.status]}] {criterion.description}:"
                f" {criterion.detail}"
            )
        if target.days_between is not None:
            lines.append(
                f"    days between the diagnostic blocks: {target.days_between} (dates of service)"
            )
    lines.append("")
    settings = analysis.settings
    expected = ", ".join(
        f"{agent.value} {w.format_duration(minutes)}"
        for agent, minutes in settings.expected_minutes.items()
    )
    lines.append(
        f"Settings: {w.preset_label(settings.preset)};"
        f" thresholds {', '.join(f'{t}%' for t in settings.thresholds)};"
        f" expected minimum durations: {expected or 'none'};"
        f" late onset after {w.format_duration(settings.late_onset_minutes)};"
        f" relief computed from the 0-10 scores; analysed {_utc(analysis.now)}"
    )
    return "\n".join(lines) + "\n"
