"""The `analyze --json` object (diary-format.md) built from a DiaryAnalysis.

Keys required by diary-format.md keep exactly their names and meanings; everything else is an
extra. Relief percents and minutes are rounded to 1 decimal here, and only here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from paintrack.clinical.results import (
    BlockResult,
    Comparison,
    Criterion,
    DiaryAnalysis,
    PatientEstimate,
    PresetChecklist,
    ReliefFigures,
    ReliefPoint,
    SchedulePoint,
    SiteResult,
    ThresholdResult,
)
from paintrack.clinical.wording import preset_label

JsonDict = dict[str, Any]


def round1(value: float | None) -> float | None:
    """1 decimal, as JSON numbers; None stays None."""
    return None if value is None else round(float(value), 1)


def utc_text(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z: "2026-03-02T14:30:00Z"."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def threshold_json(result: ThresholdResult) -> JsonDict:
    return {
        "reached": result.reached,
        "duration_minutes": round1(result.duration_minutes),
        "duration_lower_minutes": round1(result.duration_lower_minutes),
        "duration_upper_minutes": round1(result.duration_upper_minutes),
        "censored": result.censored,
        "expected": None if result.expected is None else result.expected.value,
        "expected_minutes": round1(result.expected_minutes),
        "onset_minutes": round1(result.onset_minutes),
        "duration_from_onset_minutes": round1(result.duration_from_onset_minutes),
    }


def thresholds_json(results: Mapping[int, ThresholdResult]) -> JsonDict:
    return {str(threshold): threshold_json(result) for threshold, result in results.items()}


def series_json(series: tuple[ReliefPoint, ...]) -> list[JsonDict]:
    return [
        {
            "entry_id": point.entry_id,
            "at": utc_text(point.at),
            "minutes": round1(point.minutes),
            "score": point.score,
            "relief_percent": round1(point.relief_percent),
            "rescue_medication": point.rescue_medication,
        }
        for point in series
    ]


def before_rescue_json(figures: ReliefFigures | None) -> JsonDict | None:
    if figures is None:
        return None
    return {
        "peak_relief_percent": round1(figures.peak_relief_percent),
        "time_to_peak_minutes": round1(figures.time_to_peak_minutes),
        "thresholds": thresholds_json(figures.thresholds),
    }


def site_json(site: SiteResult) -> JsonDict:
    return {
        "baseline": site.baseline,
        "peak_relief_percent": round1(site.peak_relief_percent),
        "time_to_peak_minutes": round1(site.time_to_peak_minutes),
        "thresholds": thresholds_json(site.thresholds),
        "before_rescue": before_rescue_json(site.before_rescue),
        "baseline_at": None if site.baseline_at is None else utc_text(site.baseline_at),
        "flags": [flag.value for flag in site.flags],
        "series": series_json(site.series),
        "patient_estimate": estimate_json(site.patient_estimate),
    }


def estimate_json(estimate: PatientEstimate | None) -> JsonDict | None:
    if estimate is None:
        return None
    return {
        "peak_relief_percent": round1(estimate.peak_relief_percent),
        "time_to_peak_minutes": round1(estimate.time_to_peak_minutes),
        "thresholds": thresholds_json(estimate.thresholds),
        "series": series_json(estimate.series),
    }


def schedule_json(point: SchedulePoint) -> JsonDict:
    return {
        "minutes": round1(point.minutes),
        "window_start_minutes": round1(point.window_start_minutes),
        "window_end_minutes": round1(point.window_end_minutes),
        "due": point.due,
        "state": point.state.value,
        "entry_ids": [entry.id for entry in point.entries],
    }


def block_json(result: BlockResult) -> JsonDict:
    block = result.block
    return {
        "id": block.id,
        "sequence": block.sequence,
        "agent": block.agent.value,
        "performed_at": utc_text(block.performed_at),
        "date_of_service": block.date_of_service.isoformat(),
        "utc_offset_minutes": block.utc_offset_minutes,
        "rescue_at_minutes": round1(result.rescue_at_minutes),
        "rescue_medication_detail": result.rescue_detail,
        "sites": {name: site_json(site) for name, site in result.sites.items()},
        "compliance": {
            "due": result.compliance.due,
            "kept_on_time": result.compliance.kept_on_time,
            "kept_late": result.compliance.kept_late,
            "missed": result.compliance.missed,
            "percent": result.compliance.percent,
        },
        "flags": [flag.value for flag in result.flags],
        "region": block.region.value,
        "side": block.side.value,
        "sedation": block.sedation.value,
        "steroid": block.steroid,
        "protocol": block.protocol,
        "levels": list(block.levels),
        "volume_ml": block.volume_ml,
        "concentration_percent": block.concentration_percent,
        "expected_minutes": round1(result.expected_minutes),
        "rescue_medication_minutes": [round1(m) for m in result.rescue_medication_minutes],
        "schedule": [schedule_json(point) for point in result.schedule],
        "patient_estimate": estimate_json(result.patient_estimate),
    }


def comparison_json(comparison: Comparison) -> JsonDict:
    return {
        "blocks": [comparison.first_block_id, comparison.second_block_id],
        "region": comparison.region.value,
        "side": comparison.side.value,
        "site": comparison.site,
        "first_site": comparison.first_site,
        "threshold": comparison.threshold,
        "result": comparison.result.value,
        "duration_minutes": [
            round1(comparison.first_duration_minutes),
            round1(comparison.second_duration_minutes),
        ],
    }


def criterion_json(criterion: Criterion) -> JsonDict:
    return {
        "key": criterion.key,
        "description": criterion.description,
        "status": criterion.status.value,
        "detail": criterion.detail,
        "values": dict(criterion.values),
        "findings": [
            {"block": f.block_id, "status": f.status.value, "text": f.text}
            for f in criterion.findings
        ],
    }


def preset_json(checklist: PresetChecklist) -> JsonDict:
    return {
        "name": checklist.preset,
        "label": checklist.label,
        "threshold": checklist.threshold,
        "targets": [
            {
                "region": target.region.value,
                "side": target.side.value,
                "blocks": list(target.block_ids),
                "status": target.status.value,
                "verdict": target.verdict,
                "cautions": [note.code.value for note in target.cautions],
                "caution_texts": [note.text for note in target.cautions],
                "next_step": target.next_step,
                "days_between": target.days_between,
                "sites": [{"block": block_id, "site": site} for block_id, site in target.sites],
                "criteria": [criterion_json(c) for c in target.criteria],
            }
            for target in checklist.targets
        ],
    }


def analysis_to_json(analysis: DiaryAnalysis) -> JsonDict:
    settings = analysis.settings
    return {
        "thresholds": list(settings.thresholds),
        "blocks": [block_json(block) for block in analysis.blocks],
        "comparisons": [comparison_json(c) for c in analysis.comparisons],
        "settings": {
            "preset": settings.preset,
            "preset_label": preset_label(settings.preset),
            "thresholds": list(settings.thresholds),
            "expected_minutes": {
                agent.value: round1(minutes) for agent, minutes in settings.expected_minutes.items()
            },
            "relief_basis": settings.relief_basis.value,
            "late_onset_minutes": round1(settings.late_onset_minutes),
        },
        "analyzed_at": utc_text(analysis.now),
        "patient_id": analysis.patient_id,
        "preset": preset_json(analysis.preset),
    }
