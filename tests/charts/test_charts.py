"""The diary chart: artists and their data, never pixels. Figures come from the engine's results."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from paintrack.charts import BASELINE_COLOUR, LATE_COLOUR, PALETTE, DiaryChart, diary_figure
from paintrack.clinical.analysis import analyze_diary
from paintrack.clinical.model import Agent, Block, Diary, Entry, Patient, Region, Side, Source
from paintrack.clinical.results import BlockResult
from paintrack.clinical.settings import ClinicSettings

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def _entry(
    minutes: float, scores: dict[str, int], *, late: bool = False, paper: bool = False
) -> Entry:
    at = T0 + timedelta(minutes=minutes)
    recorded = at + timedelta(minutes=40 if late else 0)
    return Entry(
        at=at,
        recorded_at=recorded,
        scores=scores,
        source=Source.PAPER if paper else Source.APP,
    )


def _result(
    entries: list[Entry], *, sites: tuple[str, ...] = ("index",), now_minutes: float = 600
) -> BlockResult:
    block = Block(
        performed_at=T0,
        region=Region.LUMBAR,
        side=Side.BILATERAL if len(sites) > 1 else Side.RIGHT,
        agent=Agent.LIDOCAINE,
        sites=sites,
        entries=tuple(entries),
    )
    diary = Diary(patient=Patient(name="Chart Test"), blocks=(block,))
    analysis = analyze_diary(diary, ClinicSettings(), now=T0 + timedelta(minutes=now_minutes))
    return analysis.blocks[0]


def _xy(line: object) -> list[tuple[float, float]]:
    xs = np.asarray(line.get_xdata(), dtype=float).tolist()  # type: ignore[attr-defined]
    ys = np.asarray(line.get_ydata(), dtype=float).tolist()  # type: ignore[attr-defined]
    return list(zip(xs, ys, strict=True))


DAY = [
    _entry(-5, {"index": 8}),
    _entry(15, {"index": 6}),
    _entry(30, {"index": 2}),
    _entry(60, {"index": 1}, late=True),
    _entry(120, {"index": 3}, paper=True),
    _entry(180, {"index": 6}),
]


def test_lines_baseline_and_relief_levels_come_from_the_engine() -> None:
    result = _result(DAY)
    chart = DiaryChart()
    chart.update(result, 50)
    assert chart.line_data("index") == [(0.25, 6.0), (0.5, 2.0), (1.0, 1.0), (2.0, 3.0), (3.0, 6.0)]
    artists = chart.sites["index"]
    assert _xy(artists.baseline_point) == [(-5 / 60, 8.0)]
    assert {y for _x, y in _xy(artists.baseline)} == {8.0}
    # 50% relief from a baseline of 8 is a pain of 4; 80% is 1.6.
    assert {y for _x, y in _xy(artists.levels[50])} == {4.0}
    assert [y for _x, y in _xy(artists.levels[80])] == pytest.approx([1.6, 1.6])
    assert chart.relief_axis.get_visible()
    assert chart.ax.get_xlabel() == "Hours since the block"
    assert "Pain" in chart.ax.get_ylabel()
    assert "Relief" in chart.relief_axis.get_ylabel()


def test_duration_above_the_threshold_is_shaded_from_the_engine_figure() -> None:
    result = _result(DAY)
    expected = result.sites["index"].thresholds[50].duration_minutes
    assert expected is not None and expected > 0
    chart = DiaryChart()
    chart.update(result, 50)
    assert chart.shade.get_visible()
    assert chart.shade.get_x() == 0.0
    assert chart.shade.get_width() == pytest.approx(expected / 60)
    assert chart.shaded_minutes == expected
    chart.update(result, 80)
    eighty = result.sites["index"].thresholds[80].duration_minutes
    assert chart.shade.get_width() == pytest.approx((eighty or 0) / 60)
    assert "80%" in chart.shade.get_label()


def test_late_and_transcribed_entries_are_marked_differently() -> None:
    chart = DiaryChart()
    chart.update(_result(DAY), 50)
    artists = chart.sites["index"]
    assert _xy(artists.late) == [(1.0, 1.0)]
    assert _xy(artists.paper) == [(2.0, 3.0)]
    assert artists.late.get_marker() != artists.paper.get_marker()
    assert artists.late.get_markeredgecolor() == LATE_COLOUR
    assert chart.legend is not None
    labels = [text.get_text() for text in chart.legend.get_texts()]
    assert "written late" in labels and "from paper" in labels


def test_update_changes_the_artists_in_place() -> None:
    chart = DiaryChart()
    chart.update(_result(DAY[:3]), 50)
    line = chart.sites["index"].line
    artists_before = len(chart.ax.lines)
    chart.update(_result(DAY), 50)
    assert chart.sites["index"].line is line
    assert len(chart.ax.lines) == artists_before
    assert len(chart.line_data("index")) == 5


def test_bilateral_block_draws_both_sides() -> None:
    entries = [
        _entry(-5, {"left": 8, "right": 6}),
        _entry(15, {"left": 4, "right": 5}),
        _entry(30, {"left": 2, "right": 3}),
    ]
    chart = DiaryChart()
    chart.update(_result(entries, sites=("left", "right")), 50)
    assert chart.line_data("left") == [(0.25, 4.0), (0.5, 2.0)]
    assert chart.line_data("right") == [(0.25, 5.0), (0.5, 3.0)]
    assert chart.sites["left"].line.get_color() != chart.sites["right"].line.get_color()
    assert chart.sites["left"].line.get_marker() != chart.sites["right"].line.get_marker()
    # Baselines differ (8 and 6): one right-hand relief axis would mislead, so it is hidden.
    assert not chart.relief_axis.get_visible()
    assert {y for _x, y in _xy(chart.sites["right"].levels[50])} == {3.0}


def test_without_a_baseline_no_relief_is_drawn() -> None:
    chart = DiaryChart()
    chart.update(_result([_entry(15, {"index": 5})]), 50)
    artists = chart.sites["index"]
    assert chart.line_data("index") == [(0.25, 5.0)]
    assert _xy(artists.baseline) == [] and _xy(artists.levels[50]) == []
    assert not chart.relief_axis.get_visible()
    assert not chart.shade.get_visible()


def test_an_empty_block_shows_the_hint() -> None:
    chart = DiaryChart()
    chart.update(_result([]), 50)
    assert chart.empty_note.get_visible()
    chart.update(_result(DAY), 50)
    assert not chart.empty_note.get_visible()


def test_colours_are_the_colour_blind_safe_palette() -> None:
    chart = DiaryChart()
    chart.update(_result(DAY), 50)
    allowed = {c.lower() for c in PALETTE.values()}
    for artists in chart.sites.values():
        for line in (artists.line, artists.baseline, *artists.levels.values()):
            assert str(line.get_color()).lower() in allowed


def test_diary_figure_is_a_plain_figure_with_text_kept_as_text() -> None:
    figure = diary_figure(_result(DAY), 50)
    assert isinstance(figure, Figure)
    assert figure.canvas.__class__.__module__.startswith("matplotlib.backend_bases")
    assert matplotlib.rcParams["pdf.fonttype"] == 42


def test_charts_never_load_pyplot_or_qt() -> None:
    code = (
        "import sys\n"
        "import paintrack.charts as c\n"
        "c.DiaryChart()\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
        "assert not any(m.startswith('PySide6') for m in sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)


def test_the_level_before_the_block_is_neutral_and_named_in_the_legend() -> None:
    chart = DiaryChart()
    chart.update(_result(DAY), 50)
    artists = chart.sites["index"]
    # Not the blue of "Pain": a neutral line the legend names.
    assert artists.baseline.get_color() != artists.line.get_color()
    assert artists.baseline.get_color() == BASELINE_COLOUR
    assert chart.legend is not None
    entries = {
        text.get_text(): handle
        for text, handle in zip(chart.legend.get_texts(), chart.legend.legend_handles, strict=True)
    }
    named = entries["before the block"]
    assert isinstance(named, Line2D)
    assert named.get_color() == BASELINE_COLOUR and named.get_linestyle() == "-"


def test_a_full_legend_stays_in_two_rows_on_the_figure() -> None:
    # The window's chart is about 4.5 x 4.6 inches; every kind of mark is on it.
    figure = Figure(figsize=(4.5, 4.6), dpi=100, layout="constrained")
    chart = DiaryChart(figure, fontsize=11.0)
    chart.update(_result(DAY), 50)
    assert chart.legend is not None
    assert [t.get_text() for t in chart.legend.get_texts()] == [
        "Pain",
        "before the block",
        "written late",
        "from paper",
        "50% relief lasted",
    ]
    # The relief levels are named on their lines instead.
    labels = chart.sites["index"].level_labels
    assert [(t.get_text(), t.get_visible()) for t in labels.values()] == [
        ("50% relief", True),
        ("80% relief", True),
    ]
    assert labels[50].get_position()[1] == 4.0  # on the line: 50% relief from 8
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    box = chart.legend.get_window_extent(renderer)
    rows = {round(t.get_window_extent(renderer).y0) for t in chart.legend.get_texts()}
    assert len(rows) <= 2
    assert box.x0 >= 0 and box.x1 <= figure.bbox.width + 0.5
    # The plot keeps most of the figure's height.
    assert chart.ax.get_window_extent(renderer).height > 0.6 * figure.bbox.height


def test_set_fontsize_changes_every_text_in_place() -> None:
    chart = DiaryChart(fontsize=10.0)
    chart.update(_result(DAY), 50)
    line = chart.sites["index"].line
    chart.set_fontsize(12.5)
    assert chart.sites["index"].line is line  # not rebuilt
    assert chart.ax.yaxis.label.get_fontsize() == 12.5
    assert chart.relief_axis.yaxis.label.get_fontsize() == 12.5
    assert chart.sites["index"].level_labels[50].get_fontsize() == pytest.approx(10.0)
    assert chart.legend is not None
    assert chart.legend.get_texts()[0].get_fontsize() == pytest.approx(10.0)


def test_close_threshold_labels_on_the_comparison_never_overlap() -> None:
    from pathlib import Path

    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from paintrack.charts import draw_relief_comparison
    from paintrack.exchange.diary_json import read_diary_file

    demo = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo-diary.json"
    diary = read_diary_file(demo)
    analysis = analyze_diary(
        diary, ClinicSettings(), now=datetime(2027, 1, 1, tzinfo=UTC), thresholds=[50, 75, 80]
    )
    figure = Figure(figsize=(7, 3.2), layout="constrained")
    canvas = FigureCanvasAgg(figure)
    draw_relief_comparison(figure, analysis.blocks, [50, 75, 80], fontsize=9)
    canvas.draw()
    renderer = canvas.get_renderer()
    labels = {t.get_text(): t.get_window_extent(renderer) for t in figure.axes[0].texts}
    assert set(labels) == {"50%", "75%", "80%"}
    assert not labels["75%"].overlaps(labels["80%"])
    assert labels["80%"].y0 > labels["75%"].y1  # 80% above, 75% below: still in order
