"""The comparison chart (charts.py, clinician section) and the vector renderer for the PDF."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from report_helpers import DIARIES, analyse, load

from paintrack.charts import block_style, relief_comparison_figure
from paintrack.clinical.model import Diary


def lines_by_gid(figure: Figure) -> dict[str, Line2D]:
    return {
        str(line.get_gid()): line
        for ax in figure.axes
        for line in ax.get_lines()
        if line.get_gid() is not None
    }


def test_curves_are_the_engines_relief_series(demo_diary: Diary) -> None:
    analysis = analyse(demo_diary)
    figure = relief_comparison_figure(analysis.blocks, analysis.thresholds)
    lines = lines_by_gid(figure)
    for result in analysis.blocks:
        series = result.sites["index"].series
        line = lines[f"relief:{result.block_id}:index"]
        assert list(line.get_xdata()) == pytest.approx([p.minutes / 60 for p in series])
        assert list(line.get_ydata()) == pytest.approx([p.relief_percent for p in series])
        assert result.agent.value in str(line.get_label())
    for threshold in analysis.thresholds:
        assert list(lines[f"threshold:{threshold}"].get_ydata()) == [threshold, threshold]


def test_two_blocks_differ_in_colour_line_style_and_marker(demo_diary: Diary) -> None:
    analysis = analyse(demo_diary)
    figure = relief_comparison_figure(analysis.blocks, analysis.thresholds)
    first, second = (lines_by_gid(figure)[f"relief:{r.block_id}:index"] for r in analysis.blocks)
    assert first.get_color() != second.get_color()
    assert first.get_linestyle() != second.get_linestyle()
    assert first.get_marker() != second.get_marker()
    styles = [block_style(i) for i in range(4)]
    assert len({s.colour for s in styles}) == len({s.linestyle for s in styles}) == 4
    legend_texts = [t.get_text() for t in figure.legends[0].get_texts()]
    assert any("lidocaine" in t for t in legend_texts)
    assert any("bupivacaine" in t for t in legend_texts)


def test_rescue_medicine_is_marked_on_the_right_block(demo_diary: Diary) -> None:
    analysis = analyse(demo_diary)
    lines = lines_by_gid(relief_comparison_figure(analysis.blocks, analysis.thresholds))
    for result in analysis.blocks:
        rescued = [p for p in result.sites["index"].series if p.rescue_medication]
        key = f"rescue:{result.block_id}:index"
        if rescued:
            assert list(lines[key].get_xdata()) == pytest.approx([p.minutes / 60 for p in rescued])
        else:
            assert key not in lines
    assert any(key.startswith("rescue:") for key in lines)


def test_bilateral_blocks_get_one_panel_per_side() -> None:
    analysis = analyse(load(DIARIES / "bilateral.json"))
    figure = relief_comparison_figure(analysis.blocks, analysis.thresholds)
    assert [ax.get_title() for ax in figure.axes] == ["Left side", "Right side"]


def test_diaries_running_for_days_keep_the_first_hours_readable(demo_diary: Diary) -> None:
    block = demo_diary.blocks[0]
    last = block.entries[-1]
    later = replace(
        last,
        id="day-3",
        at=block.performed_at + timedelta(days=3),
        recorded_at=block.performed_at + timedelta(days=3),
    )
    diary = replace(demo_diary, blocks=(replace(block, entries=(*block.entries, later)),))
    analysis = analyse(diary)
    figure = relief_comparison_figure(analysis.blocks, analysis.thresholds)
    ax = figure.axes[0]
    assert ax.get_xscale() == "function"
    assert ax.get_xlim()[1] >= 72
    short = relief_comparison_figure(analyse(demo_diary).blocks, (50, 80)).axes[0]
    assert short.get_xscale() == "linear"


def test_renderer_refuses_raster_images() -> None:
    from reportlab.pdfgen.canvas import Canvas

    from paintrack.report.mplrender import RasterInChartError, draw_figure

    figure = Figure()
    figure.add_subplot().imshow([[0, 1], [1, 0]])
    canvas = Canvas("unused.pdf")
    with pytest.raises(RasterInChartError):
        draw_figure(figure, canvas, 0, 0, 200, 100)
