"""Page 1 of the PDF under clinical contract version 2 (issue 10): the verdict line with its
cautions, rescue medicine named with its time, the all-entries figures beside the verdict
figures, per-target verdicts, and the payer's items. The words come from the engine."""

from __future__ import annotations

from pathlib import Path

from report_helpers import NOW, page_texts

from paintrack.charts import relief_comparison_figure
from paintrack.clinical.analysis import analyze_diary
from paintrack.clinical.levels import joints_covered
from paintrack.clinical.settings import ClinicSettings
from paintrack.exchange.diary_json import read_diary_file
from paintrack.report.pdf import MET_WITH_CAUTIONS, STATUS_MARKS, ReportRequest, write_report

DIARIES = Path(__file__).resolve().parents[1] / "data" / "diaries"


def page_one(tmp_path: Path, name: str, preset: str = "asra-2020") -> str:
    diary = read_diary_file(DIARIES / name)
    analysis = analyze_diary(diary, ClinicSettings(preset=preset), now=NOW)
    request = ReportRequest(diary=diary, analysis=analysis, generated_at=NOW, audit_available=False)
    return page_texts(write_report(request, tmp_path / f"{name}.pdf"))[0]


def test_rescue_medicine_is_named_with_its_time_beside_both_figures(tmp_path: Path) -> None:
    text = page_one(tmp_path, "rescue-medicine.json")
    assert (
        "Lumbar, right side (Block 1): does not meet the 50% rule (ASRA 2020 preset), with"
        " cautions: rescue medicine (oxycodone 5 mg) at 1 h 50 min" in text
    )
    assert "before rescue medicine (oxycodone 5 mg) at 1 h 50 min (these decide the verdict)" in (
        text
    )
    assert "including scores after rescue medicine: until 4 h 15 min after the block" in text
    assert "incl. after rescue medicine" in text  # the relief table, beside the verdict figures


def test_one_block_medicare_is_pending_with_the_payers_items(tmp_path: Path) -> None:
    text = page_one(tmp_path, "medicare-one-block.json", "medicare-lcd")
    assert (
        "pending for the 80% rule (Medicare LCD preset): a second diagnostic block is needed,"
        " on or after 16 Mar 2026" in text
    )
    assert "2 Mar 2026 20:00 UTC-05:00" in text  # the date of service in its recorded offset
    assert "0.5 mL per level, 1 mL in total (2 levels)" in text
    assert "(L4-5 facet joint)" in text
    assert "Not checked by paintrack: imaging guidance of each block, a pain and disability" in text


def test_bilateral_right_only_responder_has_a_verdict_per_side(tmp_path: Path) -> None:
    text = page_one(tmp_path, "bilateral-right-responder.json", "medicare-lcd")
    assert "Cervical, left side (Block 1): does not meet the 80% rule (Medicare LCD preset)" in text
    assert (
        "Cervical, right side (Block 1 vs Block 2): meets the 80% rule (Medicare LCD preset)"
        in (text)
    )
    assert "Days between the diagnostic blocks: 16" in text
    assert "concordant" in text


def test_saline_controlled_pair_says_so_on_the_verdict(tmp_path: Path) -> None:
    text = page_one(tmp_path, "saline-controlled.json")
    assert "Lumbar, left side (Block 1): meets the 50% rule (ASRA 2020 preset)" in text
    assert "at ≥ 50%: placebo-controlled positive" in text


def test_a_met_with_cautions_has_its_own_colour() -> None:
    assert MET_WITH_CAUTIONS[1] != STATUS_MARKS[next(iter(STATUS_MARKS))][1]
    assert len({colour.hexval() for _, colour in [*STATUS_MARKS.values(), MET_WITH_CAUTIONS]}) == 5


def test_the_chart_marks_when_rescue_medicine_was_taken() -> None:
    diary = read_diary_file(DIARIES / "rescue-medicine.json")
    analysis = analyze_diary(diary, ClinicSettings(), now=NOW)
    figure = relief_comparison_figure(analysis.blocks, analysis.thresholds)
    (block,) = analysis.blocks
    gids = {line.get_gid() for ax in figure.axes for line in ax.lines}
    assert f"rescue-time:{block.block_id}:index" in gids
    (line,) = [
        ln
        for ax in figure.axes
        for ln in ax.lines
        if ln.get_gid() == f"rescue-time:{block.block_id}:index"
    ]
    assert list(line.get_xdata()) == [110 / 60, 110 / 60]


def test_the_joints_the_levels_cover() -> None:
    assert joints_covered("lumbar", ["L3 MB", "L4 MB"]) == ("L4-5",)
    assert joints_covered("lumbar", ["L3 MB", "L4 MB", "L5 DR"]) == ("L4-5", "L5-S1")
    assert joints_covered("cervical", ["C3 MB", "C4 MB", "C5 MB"]) == ("C3-4", "C4-5")
    assert joints_covered("thoracic", ["T11 MB", "T12 MB", "L1 MB"]) == ("T12-L1", "L1-2")
    assert joints_covered("lumbar", ["L3 MB", "L5 DR"]) == ()  # L4 missing: no whole joint
    assert joints_covered("lumbar", ["L4-L5"]) == ()  # a range names no nerves


def test_the_patients_estimate_per_side(tmp_path: Path) -> None:
    """Issue 10, item 3: after a bilateral block the estimate may be given per side; analyze
    and the PDF show it per side."""
    import json

    document = json.loads((DIARIES / "bilateral-right-responder.json").read_text("utf-8"))
    for entry in document["blocks"][0]["entries"][1:4]:
        entry["patient_relief_percent"] = {"left": 10, "right": 90}
    path = tmp_path / "per-side.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    diary = read_diary_file(path)
    analysis = analyze_diary(diary, ClinicSettings(), now=NOW)
    sites = analysis.blocks[0].sites
    left, right = sites["left"].patient_estimate, sites["right"].patient_estimate
    assert left is not None and right is not None
    assert (left.peak_relief_percent, right.peak_relief_percent) == (10.0, 90.0)
    data = analysis.to_json()["blocks"][0]["sites"]
    assert data["right"]["patient_estimate"]["peak_relief_percent"] == 90.0
    request = ReportRequest(diary=diary, analysis=analysis, generated_at=NOW, audit_available=False)
    text = " ".join(page_texts(write_report(request, tmp_path / "per-side.pdf")))
    assert "Block 1 (left): peak 10% at 15 min" in text
    assert "Block 1 (right): peak 90% at 15 min" in text
    assert "left 10%, right 90%" in text  # the appendix's "Patient's %" column
